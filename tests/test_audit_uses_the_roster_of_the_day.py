"""The audit of a day uses the roster of that day (docs/choices.md#the-roster-of-the-day): a supervisor changed from a
date is liable from that date only; the village assigned is the one of that day. Through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.cli import township_by_cli


@pytest.fixture
def root(tmp_path, cli) -> Path:
    """c001 secretary; c002 team under c001; c003 a cadre under c001 (石庄村)."""
    return township_by_cli(cli, tmp_path / "w")


def audit(cli, root: Path) -> dict:
    r = cli("audit", "--month", "2026-11", "--format", "json", root=root)
    assert r.returncode == 1, r.stderr
    return json.loads(r.stdout)


def test_a_supervisor_changed_from_a_date_is_liable_from_that_date_only(cli, root):
    before = audit(cli, root)
    rows = {row["supervisor"]: row for row in before["liability"]}
    assert "c003" in rows["c001"]["subordinates"] and "c002" not in rows
    r = cli("roster", "set", "c003", "--supervisor", "c002", "--from", "2026-11-16", root=root)
    assert r.returncode == 0, r.stderr
    after = audit(cli, root)
    rows = {row["supervisor"]: row for row in after["liability"]}
    counted = {"signin.missing", "week.nights", "week.township_days", "inspection.absent"}
    mine = [v for v in after["violations"] if v["cadre"] == "c003" and v["rule"] in counted]
    early = [v for v in mine if (v["date"] or "") < "2026-11-16" and v["date"]]
    late = [v for v in mine if v["date"] and v["date"] >= "2026-11-16"]
    assert early and late
    assert rows["c001"]["subordinates"]["c003"] >= len(early)
    assert rows["c002"]["subordinates"]["c003"] >= len(late)
    assert rows["c001"]["subordinates"]["c003"] + rows["c002"]["subordinates"]["c003"] == len(mine)


def test_the_village_assigned_is_the_one_of_that_day(cli, root):
    assert cli("roster", "set", "c003", "--village", "富溪村", "--from", "2026-11-16", root=root).returncode == 0
    for day in ("2026-11-10", "2026-11-17"):
        r = cli("village", "c003", "--village", "石庄村", "--witness", "王大爷", "--at", f"{day} 10:00",
                "--approver", "c001", "--reason", "日记周末交回", root=root)
        assert r.returncode == 0, r.stderr
    result = audit(cli, root)
    outside = [v["date"] for v in result["violations"] if v["rule"] == "village.not_assigned"]
    assert outside == ["2026-11-17"]
