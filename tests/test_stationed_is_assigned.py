"""A cadre with an assigned village is stationed on every workday and duty day they serve,
not on leave or a trip (Friday afternoon aside): an upheld ``conduct.*`` report of such a day is a
violation, ``conduct.reception`` included, diary entry or not."""

from __future__ import annotations

import pytest

from tests.support.book import workspace_at
from tests.support.verdicts import audit_json, found, new_id, run


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def upheld(cli, ws, cadre, rule, at):
    rid = new_id(run(cli, ws, "report", cadre, "--rule", rule, "--at", at, "--source", "监督电话"))
    run(cli, ws, "review", rid, "--decision", "upheld", "--by", "c001" if cadre == "c002" else "c002", "--reason", "查实")
    return rid


def test_a_reception_on_a_workday_without_any_village_entry_is_a_violation(cli, ws):
    upheld(cli, ws, "c003", "conduct.reception", "2026-11-04T12:00")  # Wednesday, no diary at all
    upheld(cli, ws, "c003", "conduct.drinking", "2026-11-05T21:30")  # Thursday night
    obj = audit_json(cli, ws)
    assert [v["date"] for v in found(obj, "c003", "conduct.reception")] == ["2026-11-04"]
    assert [v["date"] for v in found(obj, "c003", "conduct.drinking")] == ["2026-11-05"]
    assert all(r["stationed"] for r in obj["reports"])


def test_a_duty_day_is_stationed_too(cli, ws):
    run(cli, ws, "duty", "c003", "--on", "2026-11-07")
    upheld(cli, ws, "c003", "conduct.cards", "2026-11-07T15:00")
    assert [v["date"] for v in found(audit_json(cli, ws), "c003", "conduct.cards")] == ["2026-11-07"]


def test_not_stationed_on_leave_at_the_weekend_on_friday_afternoon_or_without_a_village(cli, ws):
    run(cli, ws, "leave", "c003", "--from", "2026-11-10", "--to", "2026-11-10", "--kind", "事假", "--approver", "c001")
    upheld(cli, ws, "c003", "conduct.reception", "2026-11-10T12:00")  # on leave
    upheld(cli, ws, "c003", "conduct.reception", "2026-11-07T12:00")  # Saturday
    upheld(cli, ws, "c003", "conduct.reception", "2026-11-06T15:00")  # Friday afternoon: the study session
    upheld(cli, ws, "c002", "conduct.reception", "2026-11-04T12:00")  # a leader with no village
    obj = audit_json(cli, ws)
    assert not [v for v in obj["violations"] if v["rule"].startswith("conduct.")]
    assert not any(r["stationed"] for r in obj["reports"])
