"""Holidays, make-up working days, weeks across month ends, cadres joining or leaving mid-week,
years the calendar does not know, missing files and months in progress."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.book import Book, audit, found, perfect_week, workspace_at
from zoudu.ledger import record
from zoudu.ledger import record_roster
from zoudu.errors import ZouduError


def cadre_of(result, cadre: str):
    (c,) = [c for c in result.cadres if c.cadre == cadre]
    return c


def week_of(result, cadre: str, label: str):
    (w,) = [w for w in cadre_of(result, cadre).weeks if w.week == label]
    return w


def days_with(result, rule: str, cadre: str) -> set[str]:
    return {v.date.isoformat() for v in found(result, rule, cadre) if v.date}


# ----------------------------------------------------------------------------- National Day 2026


@pytest.fixture
def october(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-11-02T09:00")
    book = Book(ws)
    # ISO week 40 (28 Sep - 4 Oct, audited in October: its Thursday is 1 Oct): three workdays.
    book.village_day("c003", "2026-09-28", "石庄村").village_day("c003", "2026-09-29", "石庄村")
    book.day("c003", "2026-09-30", evening=False)  # 30 Sep is followed by a holiday: no evening due
    # ISO week 41: holidays to 7 Oct, then Thursday 8, Friday 9 and the make-up Saturday 10.
    book.village_day("c003", "2026-10-08", "石庄村").village_day("c003", "2026-10-09", "石庄村")
    book.checkin("c003", "2026-10-09T14:30")  # Friday afternoon study
    book.write()
    return ws


def test_national_day_week_is_prorated(october):
    result = audit(october, "2026-10")
    w40 = week_of(result, "c003", "2026-W40")
    assert w40.available == 3
    assert w40.township_days == (3, 3) and w40.nights == (2, 2) and w40.village_days == (2, 2)
    assert not [v for v in found(result, cadre="c003") if v.week == "2026-W40"]
    assert not days_with(result, "signin.missing", "c003") & {f"2026-10-0{i}" for i in range(1, 8)}
    day = next(d for d in cadre_of(result, "c003").days if d.date == dt.date(2026, 10, 1))
    assert day.holiday and not day.workday and set(day.slots.values()) == {"not_required"}


def test_the_makeup_saturday_is_a_workday(october):
    result = audit(october, "2026-10")
    missing = [v for v in found(result, "signin.missing", "c003") if v.date == dt.date(2026, 10, 10)]
    assert [v.slot for v in missing] == ["morning", "afternoon"]  # Sunday 11 is off: no evening due on Saturday
    # Friday 9 is followed by the working Saturday: its evening is due (and was signed)
    assert not [v for v in found(result, "signin.missing", "c003") if v.date == dt.date(2026, 10, 9)]
    w41 = week_of(result, "c003", "2026-W41")
    assert w41.available == 3 and w41.nights == (2, 2) and w41.township_days == (3, 2)
    (short,) = [v for v in found(result, "week.township_days", "c003") if v.week == "2026-W41"]
    assert (short.required, short.actual) == (3, 2)


def test_a_week_belongs_to_the_month_of_its_thursday(october):
    september = audit(october, "2026-09")
    assert "2026-W40" not in {w.week for w in cadre_of(september, "c003").weeks}
    assert [w.week for w in cadre_of(september, "c003").weeks][-1] == "2026-W39"
    # the September audit still checks the slots of 28-30 September
    assert not days_with(september, "signin.missing", "c003") & {"2026-09-28", "2026-09-29", "2026-09-30"}
    assert "2026-09-20" in days_with(september, "signin.missing", "c003")  # a make-up Sunday


# ----------------------------------------------------------------------------- a week across two files


def test_a_week_crossing_the_month_end_reads_the_neighbour_file(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-08-03T09:00")
    perfect_week(Book(ws), "c003", dt.date(2026, 6, 29), "石庄村").write()  # Mon 29 Jun - Fri 3 Jul
    assert (ws.root / "ledgers" / "2026-06.yaml").exists() and (ws.root / "ledgers" / "2026-07.yaml").exists()
    result = audit(ws, "2026-07")
    w27 = week_of(result, "c003", "2026-W27")
    assert w27.township_days == (5, 5) and w27.nights == (4, 4) and w27.village_days == (3, 3)
    # and a shortfall cites both files
    short = [v for v in found(result, "week.village_days", "c004") if v.week == "2026-W27"]
    assert "ledgers/2026-06.yaml, ledgers/2026-07.yaml" in short[0].evidence[0]
    assert "2026-W27" not in {w.week for w in cadre_of(audit(ws, "2026-06"), "c003").weeks}


# ----------------------------------------------------------------------------- joining and leaving


def test_a_cadre_joining_mid_week_is_audited_for_their_days_only(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    record_roster.roster_add(ws, "c007", "赵六", "干部", False, "c002", "石庄村", "2026-11-04")  # a Wednesday
    book = Book(ws)
    book.village_day("c007", "2026-11-04", "石庄村").village_day("c007", "2026-11-05", "石庄村")
    book.checkin("c007", "2026-11-06T08:00").checkin("c007", "2026-11-06T14:30")
    book.write()
    result = audit(ws, "2026-11")
    assert not {d for d in days_with(result, "signin.missing", "c007") if d < "2026-11-07"}
    w45 = week_of(result, "c007", "2026-W45")
    assert w45.available == 3
    assert w45.township_days == (3, 3) and w45.nights == (2, 2) and w45.village_days == (2, 2)
    first = cadre_of(result, "c007").days
    assert not first[2].serving and first[3].serving  # 3 and 4 November


def test_a_cadre_who_left_is_not_audited_after(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    record_roster.roster_leave(ws, "c006", "2026-11-18")
    result = audit(ws, "2026-11")
    assert max(days_with(result, "signin.missing", "c006")) == "2026-11-18"
    assert "2026-W48" not in {v.week for v in found(result, cadre="c006")}  # not serving at all that week


# ----------------------------------------------------------------------------- unknown years, missing files


YEAR_2027 = """  years:
    2027:
      source: "国务院办公厅关于2027年部分节假日安排的通知"
      holidays: ["2027-01-01"]
      workdays: []"""


def test_a_year_nobody_knows_is_a_warning(tmp_path):
    ws = workspace_at(tmp_path / "w", "2027-02-01T09:00")
    result = audit(ws, "2027-01")
    assert any("2027" in n and "calendar.years" in n for n in result.notices)
    assert "2027-01-01" in days_with(result, "signin.missing", "c003")  # Monday to Friday assumed


def test_a_year_from_rules_yaml_is_used_and_no_warning(tmp_path):
    ws = workspace_at(tmp_path / "w", "2027-02-01T09:00")
    rules = ws.root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("  years: {}", YEAR_2027), encoding="utf-8")
    result = audit(ws, "2027-01")
    assert not any("calendar.years" in n for n in result.notices)
    assert "2027-01-01" not in days_with(result, "signin.missing", "c003")
    assert result.calendar_sources[2027] == "国务院办公厅关于2027年部分节假日安排的通知"


def test_december_2026_warns_about_the_days_of_2027_it_reaches(tmp_path):
    ws = workspace_at(tmp_path / "w", "2027-01-05T09:00")
    result = audit(ws, "2026-12")
    assert "2026-W53" in {w.week for w in cadre_of(result, "c003").weeks}  # 28 Dec - 3 Jan
    assert any("2027" in n for n in result.notices)


def test_a_past_month_without_a_ledger_is_audited_under_a_warning(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    result = audit(ws, "2026-10")
    assert any("ledgers/2026-10.yaml" in n for n in result.notices)
    assert result.entries == 0
    # everyone absent on every workday slot
    assert "2026-10-09" in days_with(result, "signin.missing", "c003")
    assert result.exit_code == 1


# ----------------------------------------------------------------------------- months in progress, bad months


def test_a_month_in_progress_checks_only_what_is_due(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-11-18T12:00")
    result = audit(ws, "2026-11")
    missing = found(result, "signin.missing", "c003")
    assert max(v.date for v in missing) == dt.date(2026, 11, 18)
    assert {v.slot for v in missing if v.date == dt.date(2026, 11, 18)} == {"morning"}
    assert {w.week: w.checked for w in cadre_of(result, "c003").weeks} == {
        "2026-W45": True, "2026-W46": True, "2026-W47": False, "2026-W48": False}
    assert not [v for v in found(result) if v.week in ("2026-W47", "2026-W48")]
    assert not found(result, "inspection.too_few")  # the month may still get its spot checks
    assert any("not over" in n for n in result.notices)


@pytest.mark.parametrize("month, message", [("2026-13", "not a valid month"), ("2026-12", "has not begun"),
                                            ("Nov", "not a valid month")])
def test_bad_months(tmp_path, month, message):
    ws = workspace_at(tmp_path / "w", "2026-11-18T12:00")
    with pytest.raises(ZouduError) as err:
        audit(ws, month)
    assert message in err.value.one_line()
