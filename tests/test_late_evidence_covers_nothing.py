"""Late evidence covers nothing unless approved (docs/audit-rules.md#late-evidence-and-approvals), through the real
command line on real files: a sign-in or village entry typed in late without a (valid) approver raises its rule and
leaves the slot missing; with an approver the policy allows it counts; a leave recorded after it began raises
leave.late and still excuses. Everything here is typed in on the day of the test, weeks after its time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.cli import township_by_cli


@pytest.fixture
def root(tmp_path, cli) -> Path:
    """c001 secretary; c002 team under c001; c003 a cadre under c001 (石庄村)."""
    return township_by_cli(cli, tmp_path / "w")


def audit(cli, root: Path, lang: str = "en") -> dict:
    r = cli("audit", "--month", "2026-11", "--format", "json", "--cadre", "c003", root=root, lang=lang)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def found(result: dict, rule: str, date: str, slot: str | None = None) -> list[dict]:
    return [v for v in result["violations"] if v["rule"] == rule and v["date"] == date
            and (slot is None or v["slot"] == slot)]


def test_an_unapproved_late_sign_in_leaves_the_slot_missing(cli, root):
    assert cli("checkin", "c003", "--at", "2026-11-23 19:30", root=root).returncode == 0
    result = audit(cli, root)
    assert found(result, "signin.backfilled", "2026-11-23", "evening")
    assert found(result, "signin.missing", "2026-11-23", "evening"), "the late sign-in must cover nothing"
    assert "counts for nothing" in found(result, "signin.backfilled", "2026-11-23")[0]["message"]


def test_an_approved_late_sign_in_counts_and_names_its_approver(cli, root):
    r = cli("checkin", "c003", "--at", "2026-11-23 19:30", "--approver", "c002", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    result = audit(cli, root)
    assert not found(result, "signin.backfilled", "2026-11-23")
    assert not found(result, "signin.missing", "2026-11-23", "evening")
    backfills = result["cadres"][0]["backfills"]
    assert [b["approver"] for b in backfills] == ["c002"]


def test_an_approver_the_policy_no_longer_allows_counts_as_none(cli, root):
    r = cli("checkin", "c003", "--at", "2026-11-23 19:30", "--approver", "c002", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    # the roster as it stood that day (changed from November on): c002 left the leadership team
    r = cli("roster", "set", "c002", "--no-team", "--from", "2026-11-01", root=root)
    assert r.returncode == 0, r.stderr
    result = audit(cli, root)
    backfilled = found(result, "signin.backfilled", "2026-11-23", "evening")
    assert backfilled and "c002" in backfilled[0]["message"]
    assert found(result, "signin.missing", "2026-11-23", "evening")


def test_a_late_village_stay_without_approver_covers_nothing(cli, root):
    r = cli("village", "c003", "--village", "石庄村", "--witness", "王大爷", "--stay", "--at", "2026-11-17 20:10",
            root=root)
    assert r.returncode == 0, r.stderr
    result = audit(cli, root)
    assert found(result, "village.late", "2026-11-17")
    assert found(result, "signin.missing", "2026-11-17", "evening")
    assert found(result, "signin.missing", "2026-11-17", "morning")
    # the same in Chinese: the rule's label and message translated
    zh = audit(cli, root, lang="zh_CN")
    message = found(zh, "village.late", "2026-11-17")[0]["message"]
    assert "石庄村" in message and "批准" in message


def test_a_late_village_stay_with_approver_counts(cli, root):
    r = cli("village", "c003", "--village", "石庄村", "--witness", "王大爷", "--stay", "--at", "2026-11-17 20:10",
            "--approver", "c001", "--reason", "日记周末才交回", root=root)
    assert r.returncode == 0, r.stderr
    result = audit(cli, root)
    assert not found(result, "village.late", "2026-11-17")
    assert not found(result, "signin.missing", "2026-11-17")
    assert [b["approver"] for b in result["cadres"][0]["backfills"]] == ["c001"]  # shown as evidence


def test_a_leave_recorded_after_it_began_is_late_and_still_excuses(cli, root):
    r = cli("leave", "c003", "--from", "2026-11-18", "--to", "2026-11-18", "--kind", "病假", "--approver", "c001",
            root=root)
    assert r.returncode == 0, r.stderr
    result = audit(cli, root)
    late = found(result, "leave.late", "2026-11-18")
    assert late and late[0]["severity"] == "warning"
    assert not found(result, "signin.missing", "2026-11-18")


def test_a_leave_recorded_before_it_began_is_not_late(cli, root):
    r = cli("leave", "c003", "--from", "2027-01-05", "--to", "2027-01-06", "--kind", "事假", "--approver", "c001",
            root=root)
    assert r.returncode == 0, r.stderr
    r = cli("audit", "--month", "2026-11", "--format", "json", root=root)
    assert not [v for v in json.loads(r.stdout)["violations"] if v["rule"] == "leave.late"]


def test_a_leave_whose_approver_the_policy_does_not_allow_excuses_nothing(cli, root):
    r = cli("leave", "c003", "--from", "2026-11-18", "--to", "2026-11-18", "--kind", "事假", "--approver", "c002",
            root=root)
    assert r.returncode == 0, r.stderr
    assert not found(audit(cli, root), "signin.missing", "2026-11-18")
    # the roster of that day, as later recorded: c002 was not on the leadership team then
    assert cli("roster", "set", "c002", "--no-team", "--from", "2026-11-01", root=root).returncode == 0
    result = audit(cli, root)
    assert found(result, "signin.missing", "2026-11-18", "morning")
    assert any("c002" in notice and "excuses nothing" in notice for notice in result["notices"])


def test_a_sick_leave_typed_twenty_minutes_into_the_morning_is_late():
    """The demo's c018 phoned in sick on 16 November; the clerk typed the leave at 08:20, after the
    08:00 it began excusing: leave.late (a warning), the leave still excuses the morning."""
    from tests.conftest import REPO, run_cli

    r = run_cli("audit", "--month", "2026-11", "--format", "json", "--cadre", "c018", root=REPO)
    found_ = [v for v in json.loads(r.stdout)["violations"] if v["rule"] == "leave.late"]
    assert [(v["date"], v["severity"]) for v in found_] == [("2026-11-16", "warning")]
    assert "20 min" in found_[0]["message"]
    assert not [v for v in json.loads(r.stdout)["violations"] if v["date"] == "2026-11-16" and v["rule"] == "signin.missing"]
