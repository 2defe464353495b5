"""Working hours: in rules.yaml's working hours (default 08:00–12:00 and 14:30–17:30 on
workdays) a serving cadre not on leave or a trip is due at work, so a spot check that finds them
absent then is ``inspection.absent``, counted on the notice."""

from __future__ import annotations

import pytest

from tests.support.book import Book, workspace_at
from tests.support.cli import snapshot
from tests.support.verdicts import audit_json, cadre_of, found, run, sheet_row


@pytest.fixture
def ws(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    Book(ws).day("c003", "2026-11-03").write()  # signed in at 08:00 and 14:30, then gone
    return ws


def inspect(cli, ws, at, cadre="c003"):
    run(cli, ws, "inspect", "--by", "c002", "--at", at, "--absent", cadre)


def test_absent_at_half_past_ten_is_a_violation_on_the_notice(cli, ws):
    inspect(cli, ws, "2026-11-03T10:30")
    inspect(cli, ws, "2026-11-03T16:00")
    obj = audit_json(cli, ws)
    assert [(v["date"], v["slot"]) for v in found(obj, "c003", "inspection.absent")] == [
        ("2026-11-03", "morning"), ("2026-11-03", "afternoon")]
    assert not cadre_of(obj, "c003")["uncounted_findings"]
    assert any("c003" in row["subordinates"] for row in obj["liability"])
    row = sheet_row(cli, ws, "c003")
    assert row["抽查不在岗"] == "2" and "抽查不在岗2次" in row["备注"]


def test_outside_working_hours_or_on_leave_it_is_kept_not_counted(cli, ws):
    inspect(cli, ws, "2026-11-03T12:45")  # the lunch break
    inspect(cli, ws, "2026-11-07T10:30")  # Saturday
    run(cli, ws, "leave", "c004", "--from", "2026-11-04", "--to", "2026-11-04", "--kind", "事假", "--approver", "c002")
    inspect(cli, ws, "2026-11-04T10:30", "c004")
    obj = audit_json(cli, ws)
    assert not found(obj, rule="inspection.absent")
    assert len(cadre_of(obj, "c003")["uncounted_findings"]) == 2


def test_working_hours_come_from_rules_yaml(cli, ws):
    rules = ws.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert 'working_hours: [["08:00", "12:00"], ["14:30", "17:30"]]' in text  # init's template names them
    rules.write_text(text.replace('working_hours: [["08:00", "12:00"], ["14:30", "17:30"]]',
                                  'working_hours: [["09:00", "11:00"]]'), encoding="utf-8")
    inspect(cli, ws, "2026-11-03T10:30")
    inspect(cli, ws, "2026-11-03T11:30")
    obj = audit_json(cli, ws)
    assert [v["slot"] for v in found(obj, "c003", "inspection.absent")] == ["morning"]


@pytest.mark.parametrize("value, said", [
    ('[["12:00", "08:00"]]', "working_hours"),
    ('[["08:00"]]', "working_hours"),
    ('[["08:00", "12:00"], ["11:00", "17:30"]]', "working_hours"),
    ('"08:00-12:00"', "working_hours"),
    ('[["8点", "12:00"]]', "working_hours"),
    ('[]', "working_hours"),
])
def test_bad_working_hours_are_one_line_naming_the_key(cli, ws, value, said):
    rules = ws.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace('working_hours: [["08:00", "12:00"], ["14:30", "17:30"]]',
                                  f"working_hours: {value}"), encoding="utf-8")
    before = snapshot(ws.root)
    r = cli("audit", "--month", "2026-11", root=ws.root)
    assert r.returncode == 2 and said in r.stderr and "rules.yaml:" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert snapshot(ws.root) == before
