"""Approvals (docs/audit-rules.md#late-evidence-and-approvals) through the real command line: who may approve a
backfill, a late village entry, a leave and a void; every refusal is exit 2, one line, and nothing written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from zoudu.ledger import approvals, record
from zoudu.ledger.settings import Approvals
from zoudu.ledger.workspace import Workspace
from tests.support.cli import refused, township_by_cli


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}


@pytest.fixture
def root(tmp_path, cli) -> Path:
    """c001 secretary; c002 team under c001; c003 team under c002; c004 under c003; c005 under c001 (not team)."""
    return township_by_cli(cli, tmp_path / "w", (
        ("c001", "--name", "书记", "--team"),
        ("c002", "--name", "乡长", "--team", "--supervisor", "c001"),
        ("c003", "--name", "副乡长", "--team", "--supervisor", "c002"),
        ("c004", "--name", "干部甲", "--supervisor", "c003", "--village", "石庄村"),
        ("c005", "--name", "干部乙", "--supervisor", "c001", "--village", "富溪村"),
    ))


def last_entry(root: Path, month: str) -> dict:
    lines = (root / "ledgers" / f"{month}.yaml").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[-1][2:])


def test_a_subordinate_cannot_approve_his_supervisors_backfill(cli, root):
    refused(cli, root, "checkin", "c002", "--at", "2026-11-03T08:00", "--approver", "c003", "--reason", "停电",
            message="is supervised by")
    # nor further down the tree
    refused(cli, root, "checkin", "c002", "--at", "2026-11-03T08:00", "--approver", "c004", "--reason", "停电",
            message="is supervised by")
    r = cli("checkin", "c003", "--at", "2026-11-03T08:00", "--approver", "c002", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    assert last_entry(root, "2026-11")["approver"] == "c002"


def test_the_secretarys_own_backfill_is_approved_by_another_team_member(cli, root):
    r = cli("checkin", "c001", "--at", "2026-11-03T08:00", "--approver", "c003", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr


def test_evening_leave_approved_afterwards_by_a_cadre_not_on_the_team_is_refused(cli, root):
    refused(cli, root, "leave", "c004", "--from", "2026-11-03T19:00", "--to", "2026-11-03T21:00",
            "--approver", "c005", message="not on the leadership team")
    r = cli("leave", "c004", "--from", "2026-11-03T19:00", "--to", "2026-11-03T21:00", "--approver", "c003",
            root=root)
    assert r.returncode == 0, r.stderr


def test_a_leave_longer_than_three_days_needs_the_party_secretary(cli, root):
    refused(cli, root, "leave", "c004", "--from", "2026-11-09", "--to", "2026-11-13", "--approver", "c003",
            message="only the party secretary 书记 (c001)")
    assert cli("leave", "c004", "--from", "2026-11-09", "--to", "2026-11-13", "--approver", "c001",
               root=root).returncode == 0
    # the secretary's own long leave: any other team member
    assert cli("leave", "c001", "--from", "2026-11-09", "--to", "2026-11-13", "--approver", "c003",
               root=root).returncode == 0


def test_an_approver_who_joins_later_cannot_approve(cli, root):
    assert cli("roster", "add", "c006", "--name", "新班子", "--team", "--supervisor", "c001", "--since", "2027-01-01",
               root=root).returncode == 0
    refused(cli, root, "leave", "c004", "--from", "2026-11-03", "--to", "2026-11-04", "--approver", "c006",
            message="not serving on the roster on 2026-11-03")


def test_a_late_village_entry_takes_an_approver_who_may_approve_it(cli, root):
    refused(cli, root, "village", "c004", "--village", "石庄村", "--witness", "王大爷", "--at", "2026-11-03T10:00",
            "--approver", "c005", "--reason", "日记迟交", message="not on the leadership team")
    refused(cli, root, "village", "c004", "--village", "石庄村", "--at", "2026-11-03T10:00", "--approver", "c003",
            message="both --approver and --reason")
    r = cli("village", "c004", "--village", "石庄村", "--witness", "王大爷", "--at", "2026-11-03T10:00",
            "--approver", "c003", "--reason", "日记迟交", root=root)
    assert r.returncode == 0, r.stderr
    entry = last_entry(root, "2026-11")
    assert (entry["approver"], entry["reason"]) == ("c003", "日记迟交")


def test_a_leave_is_bounded_and_the_overlap_check_reaches_past_twelve_months(cli, root):
    refused(cli, root, "leave", "c004", "--from", "2026-01-01", "--to", "2027-06-30", "--approver", "c001",
            message="at most 366 days")
    assert cli("leave", "c004", "--from", "2026-11-25", "--to", "2026-12-31", "--kind", "公出", "--approver", "c001",
               root=root).returncode == 0
    refused(cli, root, "leave", "c004", "--from", "2026-11-25", "--to", "2027-11-24", "--kind", "公出",
            "--approver", "c001", message="2026-11-0001")


def test_a_void_after_the_grace_needs_an_approver_not_concerned_by_the_entry(cli, root):
    # recorded on the evening of the check, long before now
    clerk = Workspace(root, clock=lambda: dt.datetime(2026, 11, 5, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai")))
    (absent_check,) = record.inspect(clerk, "c002", "2026-11-05T20:00", [], ["c003"], "visit", "c002")
    refused(cli, root, "void", absent_check, "--reason", "查错了", message="a void now needs --approver")
    refused(cli, root, "void", absent_check, "--reason", "查错了", "--approver", "c003",
            message="c003 (--approver) is concerned")
    refused(cli, root, "void", absent_check, "--reason", "查错了", "--by", "c003", "--approver", "c001",
            message="c003 (--by) is concerned")
    refused(cli, root, "void", absent_check, "--reason", "查错了", "--approver", "c005",
            message="not on the leadership team")
    r = cli("void", absent_check, "--reason", "查错了", "--approver", "c001", "--by", "c002", root=root)
    assert r.returncode == 0, r.stderr
    void = last_entry(root, "2026-11")
    assert (void["kind"], void["target"], void["reason"], void["approver"], void["by"]) == (
        "void", absent_check, "查错了", "c001", "c002")
    assert void["recorded"]


def test_a_typing_mistake_mended_at_once_needs_no_approver(cli, root):
    wrong = cli("checkin", "c004", root=root).stdout.split()[0]
    r = cli("void", wrong, "--reason", "点错人", root=root)
    assert r.returncode == 0, r.stderr


def test_may_approve_is_a_pure_function_the_audit_can_call(root):
    ws = Workspace(root)
    day = dt.date(2026, 11, 3)
    assert approvals.may_approve(ws.settings, ws.roster, "c002", "c003", approvals.BACKFILL, day) is None
    assert "supervised" in approvals.may_approve(ws.settings, ws.roster, "c003", "c002", approvals.BACKFILL, day)
    long = dt.timedelta(days=5)
    assert approvals.may_approve(ws.settings, ws.roster, "c002", "c004", approvals.LEAVE, day, long)
    # rules.yaml chooses: long leave by any team member, and another secretary
    relaxed = ws.settings._replace(approvals=Approvals(leave_long="team"))
    assert approvals.may_approve(relaxed, ws.roster, "c002", "c004", approvals.LEAVE, day, long) is None
    named = ws.settings._replace(approvals=Approvals(secretary="c002"))
    assert approvals.may_approve(named, ws.roster, "c002", "c004", approvals.LEAVE, day, long) is None


def test_the_approval_policy_is_read_from_rules_yaml(cli, root):
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("long: secretary", "long: team"), encoding="utf-8")
    assert cli("leave", "c004", "--from", "2026-11-09", "--to", "2026-11-13", "--approver", "c003",
               root=root).returncode == 0
    rules.write_text(rules.read_text(encoding="utf-8").replace("long: team", "long: boss"), encoding="utf-8")
    r = cli("checkin", "c004", root=root)
    assert r.returncode == 2 and "rules.yaml:" in r.stderr and "boss" in r.stderr


def test_a_cadre_cannot_approve_their_own_backfill(cli, root):
    refused(cli, root, "checkin", "c003", "--at", "2026-11-02T08:00", "--approver", "c003", "--reason", "self",
            message="cannot approve their own sign-in")
    refused(cli, root, "checkin", "c001", "c003", "--at", "2026-11-02T08:00", "--approver", "c003", "--reason", "x",
            message="cannot approve their own sign-in")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=-1, max_value=7), min_size=1, max_size=8), st.integers(0, 7), st.integers(0, 7))
def test_supervises_walks_up_the_chain_as_the_tree_walks_down(bosses, boss, cadre):
    """The approval check walks up one chain (cheap at any roster size); it agrees with the
    walk down the whole tree for every roster, cycles and dangling supervisors included."""
    from zoudu.model import Cadre, Roster

    cadres = [Cadre(f"c{i}", f"名{i}", "干部", True, None if b < 0 else f"c{b}", None, dt.date(2026, 1, 1))
              for i, b in enumerate(bosses)]
    roster = Roster.of(cadres)
    boss_id, cadre_id = f"c{boss}", f"c{cadre}"
    assert approvals._supervises(roster, boss_id, cadre_id) == (cadre_id in approvals._below(roster, boss_id))
