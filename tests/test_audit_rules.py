"""Every rule id of docs/audit-rules.md#the-rule-table: a small ledger that raises it, and a near miss that does not.

November 2026: Monday 2 to Sunday 8 is ISO week 45; Tuesday 3 is the usual test day,
Friday 6 the study afternoon. The clock stands after the month, so every day is due.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.book import Book, audit, found, perfect_week, workspace_at
from zoudu.ledger import record
from zoudu.audit.rules import TABLE

MONTH = "2026-11"
W45 = dt.date(2026, 11, 2)


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def day_of(result, cadre: str, day: str):
    (c,) = [c for c in result.cadres if c.cadre == cadre]
    return next(d for d in c.days if d.date.isoformat() == day)


def on(violations, day: str, slot: str | None = None):
    return [v for v in violations if v.date and v.date.isoformat() == day and (slot is None or v.slot == slot)]


# ----------------------------------------------------------------------------- signin.missing


def test_signin_missing_names_the_window_searched(ws):
    Book(ws).checkin("c003", "2026-11-03T14:30").checkin("c003", "2026-11-03T19:30").write()
    result = audit(ws, MONTH)
    (v,) = on(found(result, "signin.missing", "c003"), "2026-11-03")
    assert v.slot == "morning" and v.severity == "error" and v.week is None
    assert "ledgers/2026-11.yaml: no sign-in between 07:30 and 08:30 on 2026-11-03" in v.evidence
    assert day_of(result, "c003", "2026-11-03").slots == {"morning": "missing", "afternoon": "office",
                                                          "evening": "office"}


@pytest.mark.parametrize("clock, covered", [("07:30", True), ("08:30", True), ("07:29", False), ("08:31", False)])
def test_the_window_ends_are_inside_and_a_minute_beyond_is_not(ws, clock, covered):
    Book(ws).checkin("c003", f"2026-11-03T{clock}").write()
    result = audit(ws, MONTH)
    missing = on(found(result, "signin.missing", "c003"), "2026-11-03", "morning")
    outside = on(found(result, "signin.outside_window", "c003"), "2026-11-03")
    assert (not missing and not outside) if covered else (missing and outside)


def test_evening_is_required_only_before_another_workday(ws):
    # Thursday 5 is followed by Friday: required; Friday 6 by Saturday: not.
    Book(ws).write()
    result = audit(ws, MONTH)
    evenings = {v.date.isoformat() for v in found(result, "signin.missing", "c003") if v.slot == "evening"}
    assert "2026-11-05" in evenings and "2026-11-06" not in evenings and "2026-11-07" not in evenings
    assert day_of(result, "c003", "2026-11-06").slots["evening"] == "not_required"


def test_a_witnessed_village_stay_covers_the_evening(ws):
    Book(ws).village("c003", "2026-11-03T20:10", "石庄村", stay=True).write()
    result = audit(ws, MONTH)
    assert not on(found(result, "signin.missing", "c003"), "2026-11-03")
    day = day_of(result, "c003", "2026-11-03")
    assert day.slots == {"morning": "village", "afternoon": "village", "evening": "village"}
    assert day.village and day.night


def test_a_village_visit_without_stay_does_not_cover_the_evening(ws):
    Book(ws).village("c003", "2026-11-03T10:00", "石庄村").write()
    result = audit(ws, MONTH)
    assert [v.slot for v in on(found(result, "signin.missing", "c003"), "2026-11-03")] == ["evening"]


# ----------------------------------------------------------------------------- outside window, place, backfill


def test_signin_outside_window_is_a_warning_with_the_line(ws):
    (entry,) = Book(ws).checkin("c003", "2026-11-03T11:00").write()
    result = audit(ws, MONTH)
    (v,) = found(result, "signin.outside_window", "c003")
    assert v.severity == "warning" and v.date == dt.date(2026, 11, 3) and v.slot is None
    assert v.evidence == ("ledgers/2026-11.yaml:2",)
    assert "11:00" in v.message


def test_signin_wrong_place_does_not_cover_the_slot(ws):
    Book(ws).checkin("c003", "2026-11-03T08:00", place="县城家中").checkin("c004", "2026-11-03T08:00").write()
    result = audit(ws, MONTH)
    (v,) = found(result, "signin.wrong_place", "c003")
    assert v.slot == "morning" and "县城家中" in v.message and v.evidence == ("ledgers/2026-11.yaml:2",)
    assert on(found(result, "signin.missing", "c003"), "2026-11-03", "morning")
    # the near miss: the configured place
    assert not found(result, "signin.wrong_place", "c004")
    assert not on(found(result, "signin.missing", "c004"), "2026-11-03", "morning")


@pytest.mark.parametrize("minutes, flagged", [(30, False), (31, True)])
def test_signin_backfilled_after_the_grace_period(ws, minutes, flagged):
    recorded = (dt.datetime(2026, 11, 3, 8, 0) + dt.timedelta(minutes=minutes)).isoformat(timespec="minutes")
    Book(ws).checkin("c003", "2026-11-03T08:00", recorded=recorded).write()
    result = audit(ws, MONTH)
    backfilled = found(result, "signin.backfilled", "c003")
    assert bool(backfilled) == flagged
    if flagged:
        assert backfilled[0].severity == "warning" and backfilled[0].evidence == ("ledgers/2026-11.yaml:2",)
    # an unapproved backfill covers nothing (docs/audit-rules.md#late-evidence-and-approvals): the slot stays missing
    assert bool(on(found(result, "signin.missing", "c003"), "2026-11-03", "morning")) == flagged


def test_an_approved_backfill_is_listed_not_flagged(ws):
    Book(ws).checkin("c003", "2026-11-03T08:00", recorded="2026-11-04T09:00", approver="c001",
                     reason="停电").write()
    result = audit(ws, MONTH)
    assert not found(result, "signin.backfilled")
    (c,) = [c for c in result.cadres if c.cadre == "c003"]
    assert c.backfills == (("2026-11-0001", "c001", "停电", "ledgers/2026-11.yaml:2"),)


def test_village_entries_copied_later_are_never_backfills(ws):
    Book(ws).village("c003", "2026-11-03T10:00", "石庄村", recorded="2026-11-20T09:00").write()
    assert not found(audit(ws, MONTH), "signin.backfilled")


# ----------------------------------------------------------------------------- village


def test_village_no_witness_counts_for_nothing(ws):
    Book(ws).village("c003", "2026-11-03T10:00", "石庄村", witness=None).village(
        "c004", "2026-11-03T10:00", "富溪村").write()
    result = audit(ws, MONTH)
    (v,) = found(result, "village.no_witness")
    assert v.cadre == "c003" and v.evidence == ("ledgers/2026-11.yaml:2",)
    missing = on(found(result, "signin.missing", "c003"), "2026-11-03", "morning")
    assert missing and "ledgers/2026-11.yaml:2" in missing[0].evidence
    assert not day_of(result, "c003", "2026-11-03").village
    assert day_of(result, "c004", "2026-11-03").village


def test_village_not_assigned(ws):
    Book(ws).village("c003", "2026-11-03T10:00", "富溪村").village("c004", "2026-11-03T10:00", "富溪村").write()
    result = audit(ws, MONTH)
    (v,) = found(result, "village.not_assigned")
    assert v.cadre == "c003" and "富溪村" in v.message and "石庄村" in v.message


def test_an_unwitnessed_entry_in_another_village_is_both_findings(ws):
    """docs/choices.md#coverage names two findings for such an entry: no witness, and not the cadre's village."""
    Book(ws).village("c003", "2026-11-03T10:00", "富溪村", witness=None).write()
    result = audit(ws, MONTH)
    assert [(v.rule, v.evidence) for v in found(result, cadre="c003") if v.rule.startswith("village.")] == [
        ("village.no_witness", ("ledgers/2026-11.yaml:2",)), ("village.not_assigned", ("ledgers/2026-11.yaml:2",))]


# ----------------------------------------------------------------------------- the month's counts


def test_valid_sign_ins_are_due_slots_the_office_covered_each_once(ws):
    """A second sign-in in the same window, or one on an evening nobody asked for (Friday before
    a rest day), is made but not valid: due = valid + slots covered in a village + absences."""
    Book(ws).checkin("c003", "2026-11-02T08:00").checkin("c003", "2026-11-02T08:10").checkin(
        "c003", "2026-11-02T14:30").checkin("c003", "2026-11-06T19:30").village(
        "c003", "2026-11-03T10:00", "石庄村").write()
    (c,) = [c for c in audit(ws, MONTH).cadres if c.cadre == "c003"]
    assert (c.signins_made, c.signins_valid) == (4, 2)
    covered_in_village = 2  # Tuesday's morning and afternoon
    assert c.signins_required == c.signins_valid + covered_in_village + c.absences


# ----------------------------------------------------------------------------- study session


def test_study_missed_on_friday_afternoon_in_a_village(ws):
    Book(ws).village("c003", "2026-11-06T15:30", "石庄村").checkin("c004", "2026-11-06T14:59").write()
    result = audit(ws, MONTH)
    (v,) = on(found(result, "study.missed", "c003"), "2026-11-06")
    assert v.slot == "afternoon" and "14:00" in v.message and "15:00" in v.message
    assert "ledgers/2026-11.yaml:2" in v.evidence
    assert not on(found(result, "signin.missing", "c003"), "2026-11-06")  # the morning is covered by the village
    assert not on(found(result, "study.missed", "c004"), "2026-11-06")


def test_without_the_study_session_a_village_covers_friday_afternoon(ws):
    rules = ws.root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("study_session: true", "study_session: false"),
                     encoding="utf-8")
    Book(ws).village("c003", "2026-11-06T15:30", "石庄村").write()
    result = audit(ws, MONTH)
    assert not found(result, "study.missed")
    assert not on(found(result, "signin.missing", "c003"), "2026-11-06")


# ----------------------------------------------------------------------------- 543


def test_a_perfect_week_meets_543_exactly(ws):
    perfect_week(Book(ws), "c003", W45, "石庄村").write()
    result = audit(ws, MONTH)
    assert not [v for v in found(result, cadre="c003") if v.week == "2026-W45" or
                (v.date and v.date <= dt.date(2026, 11, 8))]
    (c,) = [c for c in result.cadres if c.cadre == "c003"]
    week = c.weeks[0]
    assert (week.week, week.available) == ("2026-W45", 5)
    assert week.township_days == (5, 5) and week.nights == (4, 4) and week.village_days == (3, 3)


@pytest.mark.parametrize("rule, kwargs, required, actual", [
    ("week.village_days", {"village_days": 2}, 3, 2),
    ("week.nights", {"nights": 3}, 4, 3),
])
def test_a_week_one_short(ws, rule, kwargs, required, actual):
    perfect_week(Book(ws), "c003", W45, "石庄村", **kwargs).write()
    result = audit(ws, MONTH)
    (v,) = [v for v in found(result, rule, "c003") if v.week == "2026-W45"]
    assert (v.required, v.actual, v.date) == (required, actual, None)
    assert v.evidence[0].startswith("ledgers/2026-11.yaml: searched 2026-11-02 to 2026-11-08")


def test_week_township_days_one_short(ws):
    book = perfect_week(Book(ws), "c003", W45, "石庄村")
    book.pending[MONTH] = [e for e in book.pending[MONTH]
                           if not (e["at"].startswith("2026-11-05T14") and e["cadre"] == "c003")]
    book.write()
    result = audit(ws, MONTH)
    (v,) = [v for v in found(result, "week.township_days", "c003") if v.week == "2026-W45"]
    assert (v.required, v.actual) == (5, 4)
    assert "2026-11-05" not in v.evidence[0] and "2026-11-04" in v.evidence[0]


def test_weekend_presence_counts_towards_the_week(ws):
    book = perfect_week(Book(ws), "c003", W45, "石庄村", village_days=2)
    book.village("c003", "2026-11-07T10:00", "石庄村")  # a Saturday in the village
    book.write()
    result = audit(ws, MONTH)
    assert not [v for v in found(result, "week.village_days", "c003") if v.week == "2026-W45"]


# ----------------------------------------------------------------------------- leave


def test_leave_excuses_what_it_covers_and_a_leave_ending_the_day_before_does_not(ws):
    record.leave(ws, "c003", "2026-11-02", "2026-11-02", "事假", "c001", None)
    record.leave(ws, "c004", "2026-11-03", "2026-11-04", "公出", "c002", None)
    result = audit(ws, MONTH)
    assert not on(found(result, "signin.missing", "c003"), "2026-11-02")
    assert len(on(found(result, "signin.missing", "c003"), "2026-11-03")) == 3
    assert day_of(result, "c003", "2026-11-02").slots["morning"] == "leave"
    assert day_of(result, "c003", "2026-11-02").leave_kind == "事假"
    assert day_of(result, "c004", "2026-11-03").slots == {s: "trip" for s in ("morning", "afternoon", "evening")}
    (c3,) = [c for c in result.cadres if c.cadre == "c003"]
    (c4,) = [c for c in result.cadres if c.cadre == "c004"]
    assert (c3.leave_days, c3.trip_days, c4.leave_days, c4.trip_days) == (1, 0, 0, 2)
    # a week with one day of leave: 4 available, quotas prorated
    assert c3.weeks[0].available == 4
    assert c3.weeks[0].township_days[0] == 4 and c3.weeks[0].nights[0] == 3 and c3.weeks[0].village_days[0] == 3


def test_a_leave_cancelled_early_excuses_only_until_the_cancellation(ws):
    record.leave(ws, "c004", "2026-11-10", "2026-11-12", "病假", "c002", None)
    record.leave_cancel(ws, "c004", "2026-11-11T12:00", "c004")
    result = audit(ws, MONTH)
    day = day_of(result, "c004", "2026-11-11")
    assert day.slots == {"morning": "leave", "afternoon": "missing", "evening": "missing"}
    assert day_of(result, "c004", "2026-11-12").slots["morning"] == "missing"


def test_a_leave_begun_months_before_is_still_seen(ws):
    record.leave(ws, "c005", "2026-09-20", "2026-11-04", "产假", "c001", None)  # > 3 days: the secretary
    result = audit(ws, MONTH)
    assert day_of(result, "c005", "2026-11-04").slots["afternoon"] == "leave"
    assert day_of(result, "c005", "2026-11-05").slots["afternoon"] == "missing"


def test_a_voided_leave_excuses_nothing(ws):
    (leave_id,) = record.leave(ws, "c003", "2026-11-03", "2026-11-03", "事假", "c001", None)
    record.void(ws, leave_id, "批错了", None)
    result = audit(ws, MONTH)
    assert len(on(found(result, "signin.missing", "c003"), "2026-11-03")) == 3


# ----------------------------------------------------------------------------- void


def test_a_voided_signin_counts_for_nothing(ws):
    (wrong, right) = Book(ws).checkin("c003", "2026-11-03T08:00").checkin("c004", "2026-11-03T08:00").write()
    record.void(ws, wrong, "录错人", None, "c001")  # after the grace: approved
    result = audit(ws, MONTH)
    assert on(found(result, "signin.missing", "c003"), "2026-11-03", "morning")
    assert not on(found(result, "signin.missing", "c004"), "2026-11-03", "morning")
    (c,) = [c for c in result.cadres if c.cadre == "c003"]
    assert c.voided == ((wrong, "录错人", "ledgers/2026-11.yaml:2"),)


# ----------------------------------------------------------------------------- spot checks


def test_inspection_absent_and_present(ws):
    record.inspect(ws, "c002", "2026-11-05T19:40", ["c003"], ["c004"], "phone", None)
    record.inspect(ws, "c002", "2026-11-12T10:00", ["c004"], [], "visit", None)
    result = audit(ws, MONTH)
    (v,) = found(result, "inspection.absent")
    assert v.cadre == "c004" and v.slot == "evening" and v.evidence == ("ledgers/2026-11.yaml:2",)
    assert not found(result, "inspection.too_few")
    (c4,) = [c for c in result.cadres if c.cadre == "c004"]
    assert c4.inspections == (("ledgers/2026-11.yaml:2", False), ("ledgers/2026-11.yaml:3", True))
    assert result.inspections == 2


def test_absent_at_a_spot_check_while_on_leave_is_excused(ws):
    record.leave(ws, "c004", "2026-11-05", "2026-11-05", "病假", "c002", None)
    record.inspect(ws, "c002", "2026-11-05T19:40", [], ["c004"], "phone", None)
    assert not found(audit(ws, MONTH), "inspection.absent")


def test_inspection_too_few_is_township_wide(ws):
    record.inspect(ws, "c002", "2026-11-05T19:40", ["c003"], [], "phone", None)
    result = audit(ws, MONTH)
    (v,) = found(result, "inspection.too_few")
    assert v.cadre is None and (v.required, v.actual) == (2, 1) and v.evidence == ("ledgers/2026-11.yaml:2",)


def test_no_inspection_at_all_names_the_month_searched(ws):
    (v,) = found(audit(ws, MONTH), "inspection.too_few")
    assert v.actual == 0 and "no spot check between 2026-11-01 and 2026-11-30" in v.evidence[0]


# ----------------------------------------------------------------------------- conduct (五不准)


@pytest.mark.parametrize("rule", ["conduct.drinking", "conduct.cards", "conduct.hospitality",
                                  "conduct.left_village", "conduct.reception"])
def test_conduct_reports(ws, rule):
    from zoudu.ledger import record_policy

    (kept,) = record.report(ws, "c005", rule, "2026-11-06T12:00", "监督电话", "村里吃请", None)
    (voided,) = record.report(ws, "c006", rule, "2026-11-06T12:00", "匿名", None, None)
    record.void(ws, voided, "查无此事", None)
    record_policy.review(ws, kept, "upheld", "c002", "查实")  # only an upheld report while stationed
    Book(ws).village("c005", "2026-11-06T09:00", "官山村", recorded="2026-11-26T21:00").write()
    result = audit(ws, MONTH)
    (v,) = found(result, rule)
    assert v.cadre == "c005" and v.date == dt.date(2026, 11, 6)
    assert v.evidence == ("ledgers/2026-11.yaml:2", "ledgers/2026-11.yaml:5")
    assert "监督电话" in v.message and "村里吃请" in v.message


# ----------------------------------------------------------------------------- rules.yaml controls it


def _rules(ws, old: str, new: str) -> None:
    path = ws.root / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_severity_off_and_warning(ws):
    _rules(ws, "  signin.backfilled: warning", "  signin.backfilled: warning\n  signin.missing: off\n"
                                               "  week.nights: warning")
    result = audit(ws, MONTH)
    assert not found(result, "signin.missing")
    assert found(result, "week.nights") and all(v.severity == "warning" for v in found(result, "week.nights"))


def test_windows_and_place_come_from_rules_yaml(ws):
    _rules(ws, 'morning:   {time: "08:00", window: ["07:30", "08:30"]}',
           'morning:   {time: "08:00", window: ["07:45", "08:15"]}')
    _rules(ws, "place: 党政办公室", "place: 便民服务中心")
    Book(ws).checkin("c003", "2026-11-03T08:20", place="便民服务中心").checkin(
        "c004", "2026-11-03T08:00", place="便民服务中心").write()
    result = audit(ws, MONTH)
    assert on(found(result, "signin.outside_window", "c003"), "2026-11-03")
    assert not found(result, "signin.wrong_place")
    assert not on(found(result, "signin.missing", "c004"), "2026-11-03", "morning")


def test_quota_from_rules_yaml(ws):
    _rules(ws, "  village_days: 3", "  village_days: 2")
    perfect_week(Book(ws), "c003", W45, "石庄村", village_days=2).write()
    assert not [v for v in found(audit(ws, MONTH), "week.village_days", "c003") if v.week == "2026-W45"]


def test_spot_check_minimum_and_backfill_grace_come_from_rules_yaml(ws):
    _rules(ws, "inspections_per_month: 2", "inspections_per_month: 1")
    _rules(ws, "backfill_grace_minutes: 30", "backfill_grace_minutes: 120")
    record.inspect(ws, "c002", "2026-11-05T19:40", ["c003"], [], "phone", None)
    Book(ws).checkin("c003", "2026-11-03T08:00", recorded="2026-11-03T09:59").checkin(
        "c004", "2026-11-03T08:00", recorded="2026-11-03T10:01").write()
    result = audit(ws, MONTH)
    assert not found(result, "inspection.too_few")
    assert [v.cadre for v in found(result, "signin.backfilled")] == ["c004"]


def test_a_misspelled_rule_id_is_an_error_naming_the_line(ws):
    from zoudu.errors import ZouduError

    _rules(ws, "  signin.backfilled: warning", "  signin.backfiled: warning")
    with pytest.raises(ZouduError) as err:
        audit(ws, MONTH)
    assert "rules.yaml:" in err.value.one_line() and "signin.backfiled" in err.value.one_line()


# ----------------------------------------------------------------------------- liability (连带责任)


def test_supervisor_liability_and_own_violations_apart(ws):
    # recorded first: the clerk's clock (2026-11-26) may not go back behind the book's entries
    record.inspect(ws, "c001", "2026-11-05T19:40", [], ["c004", "c005", "c002"], "visit", None)
    record.inspect(ws, "c001", "2026-11-06T09:40", ["c004"], [], "visit", None)
    (report,) = record.report(ws, "c004", "conduct.drinking", "2026-11-04T12:00", "监督电话", None, None)
    from zoudu.ledger import record_policy

    record_policy.review(ws, report, "upheld", "c002", "查实")
    for cadre in ("c001", "c002", "c003", "c004", "c005", "c006"):
        book = Book(ws)
        for week in range(4):
            perfect_week(book, cadre, W45 + dt.timedelta(weeks=week), {"c004": "富溪村", "c005": "官山村",
                                                                        "c006": "尧家村"}.get(cadre, "石庄村"))
        book.day(cadre, "2026-11-30")
        book.write()
    result = audit(ws, MONTH)
    # found absent on Thursday evening: that night's sign-in is cancelled, so W45 has 3 nights of 4
    absent = {"c004", "c005", "c002"}
    assert {(v.rule, v.cadre) for v in result.violations} == {
        *((rule, c) for c in absent for rule in ("inspection.absent", "signin.missing", "week.nights")),
        ("conduct.drinking", "c004")}
    rows = {row.supervisor: row for row in result.liability}
    assert set(rows) == {"c001", "c002"}
    assert rows["c002"].subordinates == {"c004": 3, "c005": 3} and rows["c002"].violations == 6
    assert rows["c002"].own == 3  # c002 was absent too: shown apart, answered for by c001
    assert rows["c001"].subordinates == {"c002": 3} and rows["c001"].own == 0
    assert result.exit_code == 1


def test_liability_rules_come_from_rules_yaml(ws):
    _rules(ws, "liability_rules: [signin.missing, week.nights, week.township_days, inspection.absent]",
           "liability_rules: [conduct.drinking]")
    from zoudu.ledger import record_policy

    (report,) = record.report(ws, "c004", "conduct.drinking", "2026-11-06T12:00", "监督电话", None, None)
    record_policy.review(ws, report, "upheld", "c002", "查实")
    Book(ws).village("c004", "2026-11-06T09:00", "富溪村", recorded="2026-11-26T21:00").write()
    result = audit(ws, MONTH)
    assert [(row.supervisor, row.subordinates) for row in result.liability] == [("c002", {"c004": 1})]


# ----------------------------------------------------------------------------- the rule table


def test_every_rule_id_of_spec_5_has_exactly_one_row_and_check():
    ids = [row.id for row in TABLE]
    assert len(ids) == len(set(ids)) and all(callable(row.check) for row in TABLE)
    assert {"signin.missing", "signin.outside_window", "signin.wrong_place", "signin.backfilled",
            "village.no_witness", "village.not_assigned", "study.missed", "week.township_days", "week.nights",
            "week.village_days", "inspection.absent", "inspection.too_few", "conduct.drinking", "conduct.cards",
            "conduct.hospitality", "conduct.left_village", "conduct.reception"} <= set(ids)


def test_a_crashing_rule_becomes_an_error_finding_not_a_traceback(ws):
    def broken(ctx):
        raise KeyError("oops")

    table = tuple(row._replace(check=broken) if row.id == "signin.missing" else row for row in TABLE)
    result = audit(ws, MONTH, table=table)
    crashed = found(result, "signin.missing")
    assert len(crashed) == 1 and crashed[0].severity == "error" and crashed[0].cadre is None
    assert "KeyError" in crashed[0].message and crashed[0].evidence == ("ledgers/2026-11.yaml",)
    assert found(result, "inspection.too_few") and found(result, "week.nights")  # the others still ran
    assert result.exit_code == 1


def test_the_rule_table_does_not_grow_across_audits(ws):
    before = len(TABLE)
    first = audit(ws, MONTH)
    second = audit(ws, MONTH)
    assert len(TABLE) == before and len(first.violations) == len(second.violations)


def test_without_days_the_result_is_the_same_but_the_calendar(ws):
    perfect_week(Book(ws), "c003", W45, "石庄村", village_days=2).write()
    record.leave(ws, "c004", "2026-11-10", "2026-11-12", "病假", "c002", None)
    full, lean = audit(ws, MONTH), audit(ws, MONTH, days=False)
    assert all(len(c.days) == 30 for c in full.cadres) and all(c.days == () for c in lean.cadres)
    assert lean.violations == full.violations and lean.liability == full.liability
    assert [c.weeks for c in lean.cadres] == [c.weeks for c in full.cadres]
    assert [(c.leave_days, c.absences, c.township_days) for c in lean.cadres] == [
        (c.leave_days, c.absences, c.township_days) for c in full.cadres]
