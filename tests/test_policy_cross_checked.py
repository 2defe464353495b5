"""The policy cross-checked (docs/audit-rules.md#the-policy-cross-checked): each a scenario that raises it and a
near miss that does not, through the CLI on real files, in Chinese and in JSON.

The attendance is written as the recording commands write it, recorded at its own time
(``Book``), so no backfill rule interferes; spot checks, reports, appeals, reviews, duty
and meetings go through the real ``zoudu`` command. November 2026: Monday 2 to Sunday 8 is
ISO week 45; the wall clock stands after the month, so every day is due.
"""

from __future__ import annotations

import json

import pytest

from tests.support.book import Book, perfect_week, workspace_at
from tests.support.verdicts import audit_json, new_id, run
import datetime as dt

MONTH = "2026-11"
W45 = dt.date(2026, 11, 2)


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def audit_zh(cli, ws, month=MONTH) -> str:
    r = cli("audit", "--month", month, root=ws.root, lang="zh")
    assert r.returncode in (0, 1), r.stderr
    return r.stdout


def rules_of(obj, cadre=None, rule=None, status=None):
    return [v for v in obj["violations"] if (cadre is None or v["cadre"] == cadre)
            and (rule is None or v["rule"] == rule) and (status is None or v["status"] == status)]


def refused(cli, ws, *args):
    before = {p: p.read_bytes() for p in sorted((ws.root / "ledgers").glob("*.yaml"))}
    r = cli(*args, root=ws.root, lang="zh")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
    assert {p: p.read_bytes() for p in sorted((ws.root / "ledgers").glob("*.yaml"))} == before
    return r.stderr


# ----------------------------------------------------------------------------- 1. absent only when due


def test_absent_when_nothing_was_due_is_a_finding_not_a_violation(cli, ws):
    Book(ws).day("c003", "2026-11-05").write()
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-06T20:30", "--absent", "c003")  # Friday night
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-07T20:00", "--absent", "c003")  # Saturday
    obj = audit_json(cli, ws)
    assert not rules_of(obj, "c003", "inspection.absent")
    (c,) = [c for c in obj["cadres"] if c["cadre"] == "c003"]
    assert len(c["uncounted_findings"]) == 2
    assert not [row for row in obj["liability"] if row["subordinates"].get("c003")
                and "inspection.absent" in str(row)]
    # the public sheet does not count them as found absent either
    sheet = run(cli, ws, "publish", "--month", MONTH, "--format", "csv", "--date", "2026-12-01").stdout
    (row,) = [line for line in sheet.splitlines() if line.startswith("c003,")]
    header = next(line for line in sheet.splitlines() if line.lstrip("\ufeff").startswith("编号,")).lstrip("\ufeff")
    assert dict(zip(header.split(","), row.split(",")))["抽查不在岗"] == "0", (header, row)


def test_absent_on_a_night_the_543_counts_is_a_violation(cli, ws):
    Book(ws).day("c003", "2026-11-04").write()
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-04T22:30", "--absent", "c003")  # Wed night
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-05T08:10", "--absent", "c003")  # Thu morning
    obj = audit_json(cli, ws)
    found = rules_of(obj, "c003", "inspection.absent")
    assert [(v["date"], v["slot"]) for v in found] == [("2026-11-04", "evening"), ("2026-11-05", "morning")]
    assert "督查时不在岗" in audit_zh(cli, ws)


def test_absent_after_midnight_is_filed_under_the_night_before_and_can_be_appealed_there(cli, ws):
    Book(ws).day("c003", "2026-11-04").write()
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-05T03:00", "--absent", "c003")  # Wed night, 03:00
    found = rules_of(audit_json(cli, ws), "c003", "inspection.absent")
    assert [(v["date"], v["slot"]) for v in found] == [("2026-11-04", "evening")]
    r = run(cli, ws, "appeal", "c003", "--rule", "inspection.absent", "--date", "2026-11-04", "--slot", "evening",
            "--reason", "当晚在村里")
    found = rules_of(audit_json(cli, ws), "c003", "inspection.absent")
    assert [v["status"] for v in found] == ["appealed"], r.stdout


def test_absent_on_a_duty_day_is_a_violation(cli, ws):
    run(cli, ws, "duty", "c003", "--on", "2026-11-07", "--slots", "morning")
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-07T08:10", "--absent", "c003")
    assert [v["slot"] for v in rules_of(audit_json(cli, ws), "c003", "inspection.absent")] == ["morning"]


# ----------------------------------------------------------------------------- 2 + 9. reports


def test_only_an_upheld_report_while_stationed_is_a_breach(cli, ws):
    Book(ws).village("c003", "2026-11-04T20:00", "石庄村", stay=True).write()
    stationed = new_id(run(cli, ws, "report", "c003", "--rule", "conduct.drinking", "--at", "2026-11-04T21:30",
                           "--source", "监督电话"))
    wedding = new_id(run(cli, ws, "report", "c003", "--rule", "饮酒", "--at", "2026-11-07T12:00",
                         "--source", "监督电话", "--note", "县城婚宴"))
    pending = new_id(run(cli, ws, "report", "c004", "--rule", "conduct.cards", "--at", "2026-11-05T21:00",
                         "--source", "来信"))
    obj = audit_json(cli, ws)
    assert not [v for v in obj["violations"] if v["rule"].startswith("conduct.")]  # none decided yet
    assert {r["id"]: r["status"] for r in obj["reports"]} == {stationed: "pending", wedding: "pending",
                                                              pending: "pending"}
    run(cli, ws, "review", stationed, "--decision", "upheld", "--by", "c002", "--reason", "查实")
    run(cli, ws, "review", wedding, "--decision", "upheld", "--by", "c002", "--reason", "查实")
    obj = audit_json(cli, ws)
    (v,) = [v for v in obj["violations"] if v["rule"].startswith("conduct.")]
    assert (v["cadre"], v["date"]) == ("c003", "2026-11-04")
    reports = {r["id"]: r for r in obj["reports"]}
    assert reports[stationed]["stationed"] and reports[stationed]["status"] == "upheld"
    assert not reports[wedding]["stationed"] and reports[wedding]["status"] == "upheld"
    assert reports[pending]["status"] == "pending"
    assert set(reports[stationed]) >= {"id", "cadre", "rule", "at", "status", "stationed"}
    table = audit_zh(cli, ws)  # the leaders see every report and where it stands
    assert "群众举报及查处情况" in table and "待查" in table and "成立" in table
    sheet = cli("publish", "--month", MONTH, "--format", "csv", root=ws.root, lang="zh")
    assert "饮酒" in sheet.stdout and "打牌" not in sheet.stdout  # a pending report is never published


def test_a_dismissed_report_is_no_breach(cli, ws):
    Book(ws).village("c003", "2026-11-04T20:00", "石庄村", stay=True).write()
    rid = new_id(run(cli, ws, "report", "c003", "--rule", "conduct.drinking", "--at", "2026-11-04T21:30",
                     "--source", "监督电话"))
    run(cli, ws, "review", rid, "--decision", "dismissed", "--by", "c002", "--reason", "查无实据")
    obj = audit_json(cli, ws)
    assert not [v for v in obj["violations"] if v["rule"].startswith("conduct.")]
    assert obj["reports"][0]["status"] == "dismissed"


def test_a_report_is_decided_by_the_discipline_group_only(cli, ws):
    rid = new_id(run(cli, ws, "report", "c003", "--rule", "conduct.drinking", "--at", "2026-11-04T21:30",
                     "--source", "监督电话"))
    assert "督查组" in refused(cli, ws, "review", rid, "--decision", "upheld", "--by", "c004", "--reason", "x")
    refused(cli, ws, "review", rid, "--decision", "overturned", "--by", "c002", "--reason", "x")


# ----------------------------------------------------------------------------- 3. contradicted


def test_an_absent_finding_cancels_the_night_it_contradicts(cli, ws):
    Book(ws).day("c003", "2026-11-03").write()  # 19:30 sign-in
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T20:10", "--absent", "c003")
    obj = audit_json(cli, ws)
    assert [v["slot"] for v in rules_of(obj, "c003", "signin.missing") if v["date"] == "2026-11-03"] == ["evening"]
    assert rules_of(obj, "c003", "inspection.absent")


def test_a_contradicted_stay_raises_village_contradicted_citing_both_lines(cli, ws):
    Book(ws).village("c003", "2026-11-03T20:00", "石庄村", stay=True).write()
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T21:30", "--absent", "c003")
    obj = audit_json(cli, ws)
    (v,) = rules_of(obj, "c003", "village.contradicted")
    assert v["date"] == "2026-11-03" and len(v["evidence"]) == 2
    assert "2026-11-03" in [m["date"] for m in rules_of(obj, "c003", "signin.missing") if m["slot"] == "evening"]
    assert "抽查" in audit_zh(cli, ws)


def test_a_check_before_the_visit_or_on_another_cadre_contradicts_nothing(cli, ws):
    Book(ws).village("c003", "2026-11-03T10:00", "石庄村").write()
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T08:10", "--absent", "c004")
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T19:10", "--present", "c003")
    assert not rules_of(audit_json(cli, ws), rule="village.contradicted")


# ----------------------------------------------------------------------------- 4. leave not cancelled


def test_signing_in_during_open_leave_says_which_leave(cli, ws):
    Book(ws).add("leave", "2026-11-09T00:00", "c003", until="2026-11-13T23:59:59+08:00", leave_kind="病假",
                 approver="c001").write()
    Book(ws).day("c003", "2026-11-10", evening=False).write()
    obj = audit_json(cli, ws)
    found = rules_of(obj, "c003", "leave.not_cancelled")
    assert len(found) == 2 and found[0]["severity"] == "warning" and "2026-11-0001" in found[0]["message"]
    assert "销假" in audit_zh(cli, ws)


def test_after_cancelling_the_leave_signing_in_is_fine(cli, ws):
    Book(ws).add("leave", "2026-11-09T00:00", "c003", until="2026-11-13T23:59:59+08:00", leave_kind="病假",
                 approver="c001").write()
    Book(ws).add("leave_cancel", "2026-11-10T07:00", "c003", month="2026-11", leave="2026-11-0001").write()
    Book(ws).day("c003", "2026-11-10").write()
    assert not rules_of(audit_json(cli, ws), "c003", "leave.not_cancelled")


# ----------------------------------------------------------------------------- 5. late


def test_a_sign_in_after_the_tolerance_is_late_and_still_covers(cli, ws):
    Book(ws).checkin("c003", "2026-11-03T08:06").checkin("c003", "2026-11-03T14:35").write()
    obj = audit_json(cli, ws)
    (v,) = rules_of(obj, "c003", "signin.late")
    assert (v["date"], v["slot"], v["severity"]) == ("2026-11-03", "morning", "warning")
    assert not [m for m in rules_of(obj, "c003", "signin.missing") if m["date"] == "2026-11-03"
                and m["slot"] == "morning"]
    assert [c["late"] for c in obj["cadres"] if c["cadre"] == "c003"] == [1]
    assert "迟到" in audit_zh(cli, ws)


def test_the_tolerance_comes_from_rules_yaml(cli, ws):
    path = ws.root / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("late_tolerance_minutes: 5", "late_tolerance_minutes: 10"),
                    encoding="utf-8")
    Book(ws).checkin("c003", "2026-11-03T08:06").write()
    assert not rules_of(audit_json(cli, ws), "c003", "signin.late")


# ----------------------------------------------------------------------------- 6. duty


def test_an_uncovered_duty_slot_is_duty_missed(cli, ws):
    r = run(cli, ws, "duty", "c003", "c004", "--on", "2026-11-07", "--slots", "上午,afternoon")
    assert len(r.stdout.splitlines()) == 2 and all(line.startswith("2026-11-") for line in r.stdout.splitlines())
    assert "值班" in r.stdout  # read back in words
    Book(ws).checkin("c003", "2026-11-07T08:00").checkin("c003", "2026-11-07T14:30").write()
    obj = audit_json(cli, ws)
    assert not rules_of(obj, "c003", "duty.missed")
    assert [(v["date"], v["slot"]) for v in rules_of(obj, "c004", "duty.missed")] == [
        ("2026-11-07", "morning"), ("2026-11-07", "afternoon")]
    assert not [v for v in rules_of(obj, "c004", "signin.missing") if v["date"] == "2026-11-07"]
    assert "值班" in audit_zh(cli, ws)


def test_duty_on_a_workday_leaves_an_uncovered_slot_missed_and_counted_as_commuting(cli, ws):
    before = audit_json(cli, ws)
    run(cli, ws, "duty", "c004", "--on", "2026-11-24")  # a Tuesday: the slots were due anyway
    after = audit_json(cli, ws)
    assert not rules_of(after, "c004", "duty.missed")
    assert rules_of(after, "c004", "signin.missing") == rules_of(before, "c004", "signin.missing")
    assert after["liability"] == before["liability"]


def test_duty_refuses_an_unknown_slot(cli, ws):
    refused(cli, ws, "duty", "c003", "--on", "2026-11-07", "--slots", "noon")


# ----------------------------------------------------------------------------- 7. discipline group


def test_only_the_discipline_group_records_spot_checks(cli, ws):
    assert "督查组" in refused(cli, ws, "inspect", "--by", "c004", "--at", "2026-11-03T08:10", "--absent", "c003")
    path = ws.root / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "discipline_group: [c002]\n", encoding="utf-8")
    refused(cli, ws, "inspect", "--by", "c001", "--at", "2026-11-03T08:10", "--absent", "c003")
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T08:10", "--absent", "c003")


def test_too_few_counts_rounds_and_lands_with_the_group_leader(cli, ws):
    path = ws.root / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "discipline_group: [c002, c001]\n", encoding="utf-8")
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T08:10", "--present", "c003", "--present", "c004", "--present", "c005")
    obj = audit_json(cli, ws)
    (v,) = rules_of(obj, rule="inspection.too_few")
    assert v["cadre"] is None and v["actual"] == 1 and v["responsible"] == "c002"
    mine = cli("audit", "--month", MONTH, "--cadre", "c002", "--format", "json", root=ws.root)
    assert [v["rule"] for v in json.loads(mine.stdout)["violations"] if v["cadre"] is None] == ["inspection.too_few"]
    run(cli, ws, "inspect", "--by", "c001", "--at", "2026-11-20T20:10", "--present", "c003")
    assert not rules_of(audit_json(cli, ws), rule="inspection.too_few")


# ----------------------------------------------------------------------------- 8. appeals


def test_an_overturned_finding_counts_for_nothing_and_stays_visible(cli, ws):
    perfect_week(Book(ws), "c003", W45, "石庄村").write()
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T08:10", "--absent", "c003")
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-20T08:10", "--present", "c004")
    before = audit_json(cli, ws)
    (v,) = rules_of(before, "c003", "inspection.absent")
    assert v["status"] == "standing"
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "inspection.absent", "--date", "2026-11-03",
                     "--slot", "morning", "--reason", "在村里调解纠纷"))
    (v,) = rules_of(audit_json(cli, ws), "c003", "inspection.absent")
    assert v["status"] == "appealed"
    assert "申诉中" in audit_zh(cli, ws)
    sheet = cli("publish", "--month", MONTH, "--format", "csv", root=ws.root, lang="zh")
    (row,) = [line for line in sheet.stdout.splitlines() if line.startswith("c003,")]
    assert "申诉中1项" in row and "抽查不在岗1次" in row  # a pending appeal is marked on the sheet
    refused(cli, ws, "review", aid, "--decision", "overturned", "--by", "c003", "--reason", "x")  # own
    run(cli, ws, "review", aid, "--decision", "overturned", "--by", "c002", "--reason", "有村干部证明")
    after = audit_json(cli, ws)
    (v,) = rules_of(after, "c003", "inspection.absent")
    assert v["status"] == "overturned" and len(v["trace"]) == 2
    assert "撤销" in audit_zh(cli, ws)
    sheet = cli("publish", "--month", MONTH, "--format", "csv", root=ws.root, lang="zh")
    (row,) = [line for line in sheet.stdout.splitlines() if line.startswith("c003,")]
    assert "申诉中" not in row and "抽查不在岗1次" not in row  # overturned: not on the sheet as a violation
    c3 = [c for c in after["cadres"] if c["cadre"] == "c003"][0]
    c3_before = [c for c in before["cadres"] if c["cadre"] == "c003"][0]
    # the finding counts for nothing, and neither does what it cancelled (the morning it found empty)
    gone = [v for v in rules_of(before, "c003") if v["status"] == "standing" and v not in rules_of(after, "c003")
            and v["rule"] != "inspection.absent"]
    assert gone and {(v["rule"], v["date"]) for v in gone if v["rule"] == "signin.missing"} <= {
        ("signin.missing", "2026-11-02"), ("signin.missing", "2026-11-03")}
    assert c3["errors"] == c3_before["errors"] - 1 - len(gone)
    assert after["errors"] == before["errors"] - 1 - len(gone)
    assert sum(row["subordinates"].get("c003", 0) for row in after["liability"]) < \
        sum(row["subordinates"].get("c003", 0) for row in before["liability"])


def test_an_upheld_appeal_leaves_the_finding_standing(cli, ws):
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T08:10", "--absent", "c003")
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "inspection.absent", "--date", "2026-11-03",
                     "--reason", "不服"))
    run(cli, ws, "review", aid, "--decision", "upheld", "--by", "c001", "--reason", "维持")
    (v,) = rules_of(audit_json(cli, ws), "c003", "inspection.absent")
    assert v["status"] == "standing" and len(v["trace"]) == 2


def test_an_overturned_absence_is_no_absence_in_the_audit_or_on_the_sheet(cli, ws):
    def absences():
        (c,) = [c for c in audit_json(cli, ws)["cadres"] if c["cadre"] == "c003"]
        sheet = run(cli, ws, "publish", "--month", MONTH, "--format", "csv", "--date", "2026-12-01").stdout
        lines = [line.lstrip("\ufeff") for line in sheet.splitlines()]
        header = next(line for line in lines if line.startswith("编号,")).split(",")
        row = dict(zip(header, next(line for line in lines if line.startswith("c003,")).split(",")))
        return c["absences"], int(row["缺勤次数"])
    Book(ws).day("c004", "2026-11-04").write()  # a ledger for the month
    before = absences()
    target = [v for v in rules_of(audit_json(cli, ws), "c003", "signin.missing") if v["date"] == "2026-11-03"]
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03", "--reason", "停电"))
    run(cli, ws, "review", aid, "--decision", "overturned", "--by", "c001", "--reason", "核实")
    assert absences() == (before[0] - len(target), before[1] - len(target)) and len(target) == 3


def test_an_overturned_spot_check_gives_back_the_night_it_cancelled(cli, ws):
    Book(ws).day("c003", "2026-11-04").write()
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-04T22:30", "--absent", "c003")
    evening = [v for v in rules_of(audit_json(cli, ws), "c003", "signin.missing") if v["date"] == "2026-11-04"]
    assert [v["slot"] for v in evening] == ["evening"]  # the check cancelled the night
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "inspection.absent", "--date", "2026-11-04",
                     "--slot", "evening", "--reason", "当晚在乡政府加班，督查组找错了宿舍"))
    run(cli, ws, "review", aid, "--decision", "overturned", "--by", "c001", "--reason", "核实属实")
    obj = audit_json(cli, ws)
    assert [v["status"] for v in rules_of(obj, "c003", "inspection.absent")] == ["overturned"]
    assert not [v for v in rules_of(obj, "c003", "signin.missing") if v["date"] == "2026-11-04"]


def test_a_week_appeal_dated_in_the_weeks_other_month_reaches_the_finding(cli, ws):
    """W44 (26 Oct – 1 Nov) is audited with October, its Thursday's month; an appeal dated 1 Nov finds it."""
    before = [v for v in rules_of(audit_json(cli, ws, "2026-10"), "c003", "week.nights") if v["week"] == "2026-W44"]
    assert before
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "week.nights", "--date", "2026-11-01", "--reason", "出差"))
    assert aid.startswith("2026-10-")
    run(cli, ws, "review", aid, "--decision", "overturned", "--by", "c001", "--reason", "核实")
    after = [v for v in rules_of(audit_json(cli, ws, "2026-10"), "c003", "week.nights") if v["week"] == "2026-W44"]
    assert [v["status"] for v in after] == ["overturned"]


def test_an_appeal_for_a_day_the_cadre_was_not_serving_is_refused(cli, ws):
    refused(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", "2025-06-03", "--reason", "x")


# ----------------------------------------------------------------------------- 10. family meeting


def test_a_quarter_without_a_family_meeting(cli, ws):
    obj = audit_json(cli, ws, "2026-09")
    (v,) = rules_of(obj, rule="family.too_few")
    assert v["cadre"] is None
    assert not rules_of(audit_json(cli, ws, "2026-08"), rule="family.too_few")  # not a quarter's last month
    assert "家属会" in audit_zh(cli, ws, "2026-09")


def test_a_family_meeting_earlier_in_the_quarter_counts(cli, ws):
    r = run(cli, ws, "meeting", "--kind", "family", "--at", "2026-07-15T15:00", "--note", "通报543执行情况")
    assert r.stdout.startswith("2026-07-")
    assert not rules_of(audit_json(cli, ws, "2026-09"), rule="family.too_few")


# ----------------------------------------------------------------------------- 11. evaluations


def test_a_second_evaluation_replaces_the_first_and_both_are_kept(cli, ws):
    first = new_id(run(cli, ws, "evaluate", "c003", "--month", MONTH, "--public", "良"))
    r = run(cli, ws, "evaluate", "c003", "--month", MONTH, "--public", "优")
    assert first in r.stderr and "替换" in r.stderr
    obj = audit_json(cli, ws)
    evaluations = [c for c in obj["cadres"] if c["cadre"] == "c003"][0]["evaluations"]
    assert [(e["grade"], e["latest"]) for e in evaluations] == [("良", False), ("优", True)]


def test_a_first_evaluation_replaces_nothing(cli, ws):
    r = run(cli, ws, "evaluate", "c003", "--month", MONTH, "--public", "良")
    assert "替换" not in r.stderr


# ----------------------------------------------------------------------------- 12. no supervisor


def test_commuting_errors_without_a_supervisor_are_warned(cli, ws):
    run(cli, ws, "roster", "add", "c007", "--name", "赵六", "--village", "石庄村", "--since", "2026-01-01")
    obj = audit_json(cli, ws)
    assert obj["unsupervised"] == ["c007"]
    assert any("c007" in n for n in obj["notices"])
    assert "c001" not in obj["unsupervised"]  # the party secretary answers to nobody here
    r = cli("audit", "--month", MONTH, root=ws.root, lang="zh")
    assert "赵六" in r.stdout + r.stderr and "连带责任" in r.stdout + r.stderr


def test_an_appeal_of_a_township_finding_or_a_day_to_come_is_refused(cli, ws):
    assert "全乡" in refused(cli, ws, "appeal", "c003", "--rule", "inspection.too_few", "--date", "2026-11-03",
                            "--reason", "x")
    refused(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", "2030-01-02", "--reason", "x")
    refused(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03", "--slot", "noon",
            "--reason", "x")
    refused(cli, ws, "appeal", "c003", "--rule", "signin.nothing", "--date", "2026-11-03", "--reason", "x")
    refused(cli, ws, "review", "2026-11-0099", "--decision", "upheld", "--by", "c002", "--reason", "x")
