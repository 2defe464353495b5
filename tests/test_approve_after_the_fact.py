"""`zoudu approve ENTRY_ID --approver ID --reason R` (docs/guide.md): a backfilled sign-in, a late village entry
or a late imported punch approved after the fact, under the approval rules of docs/audit-rules.md. The audit then
counts the entry; an approval recorded after the month was sealed is late and changes nothing there."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.conftest import TZ
from tests.support.cli import THREE, refused, township_by_cli

NOW = dt.datetime.now(TZ)
ID = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{4}) ")


@pytest.fixture
def root(tmp_path, cli) -> Path:
    """c001 secretary; c002 team under c001; c003 a cadre under c001 (石庄村, badge 3 on the terminal)."""
    cadres = THREE[:2] + (THREE[2] + ("--badge", "3"),)
    return township_by_cli(cli, tmp_path / "w", cadres)


def first_id(stdout: str) -> str:
    m = ID.match(stdout)
    assert m, stdout
    return m.group(1)


def audit(cli, root: Path, month: str = "2026-11", env: dict | None = None) -> dict:
    r = cli("audit", "--month", month, "--format", "json", "--cadre", "c003", root=root, env=env)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def found(result: dict, rule: str, date: str, slot: str | None = None) -> list[dict]:
    return [v for v in result["violations"] if v["rule"] == rule and v["date"] == date
            and (slot is None or v["slot"] == slot)]


def test_a_backfilled_sign_in_approved_afterwards_counts(cli, root):
    late = first_id(cli("checkin", "c003", "--at", "2026-11-23 19:30", root=root).stdout)
    assert found(audit(cli, root), "signin.backfilled", "2026-11-23", "evening")
    r = cli("approve", late, "--approver", "c002", "--reason", "停电，纸质签到表为证", root=root)
    assert r.returncode == 0, r.stderr
    approval = first_id(r.stdout)
    assert approval.startswith("2026-11-") and approval != late  # in the file of the entry it approves
    result = audit(cli, root)
    assert not found(result, "signin.backfilled", "2026-11-23")
    assert not found(result, "signin.missing", "2026-11-23", "evening"), "the approved sign-in covers the evening"
    cited = [b for b in result["cadres"][0]["backfills"] if b["id"] == late]
    assert cited and cited[0]["approver"] == "c002" and cited[0]["reason"] == "停电，纸质签到表为证"
    assert approval in cited[0]["where"]
    log = cli("log", "--month", "2026-11", root=root).stdout
    assert approval in log and "counts for nothing" not in log
    assert cli("log", "--id", approval, root=root).returncode == 0
    assert cli("verify", root=root).returncode == 0


def test_a_late_village_entry_approved_afterwards_counts(cli, root):
    late = first_id(cli("village", "c003", "--village", "石庄村", "--witness", "李大爷", "--at", "2026-11-18 10:00",
                        root=root).stdout)
    assert found(audit(cli, root), "village.late", "2026-11-18")
    r = cli("approve", late, "--approver", "c001", "--reason", "民情日记迟交", root=root, lang="zh")
    assert r.returncode == 0, r.stderr
    assert "补批" in r.stdout
    result = audit(cli, root)
    assert not found(result, "village.late", "2026-11-18")
    assert not found(result, "signin.missing", "2026-11-18", "morning")


def test_a_late_imported_punch_approved_afterwards_counts(cli, root, tmp_path):
    attlog = tmp_path / "attlog.dat"
    attlog.write_text("     3\t2026-11-24 08:01:12\t1\t0\t1\t0\n", encoding="ascii")
    r = cli("import", str(attlog), "--format", "zkteco", root=root)
    assert r.returncode == 0, r.stderr
    punch = re.search(r"(2026-11-[0-9]{4})", r.stdout).group(1)
    assert "counts for nothing" in r.stdout and f"zoudu approve {punch} --approver" in r.stderr
    assert found(audit(cli, root), "signin.backfilled", "2026-11-24", "morning")
    r = cli("approve", punch, "--approver", "c002", "--reason", "考勤机导出晚了", root=root)
    assert r.returncode == 0, r.stderr
    result = audit(cli, root)
    assert not found(result, "signin.backfilled", "2026-11-24")
    assert not found(result, "signin.missing", "2026-11-24", "morning")


def test_refused_approvals_write_nothing(cli, root):
    late = first_id(cli("checkin", "c003", "--at", "2026-11-23 19:30", root=root).stdout)
    boss = first_id(cli("checkin", "c002", "--at", "2026-11-23 19:30", root=root).stdout)
    on_time = first_id(cli("checkin", "c003", root=root).stdout)
    approved = first_id(cli("checkin", "c003", "--at", "2026-11-24 08:00", "--approver", "c002", "--reason", "停电",
                            root=root).stdout)
    voided = first_id(cli("checkin", "c003", "--at", "2026-11-25 08:00", root=root).stdout)
    assert cli("void", voided, "--reason", "录错", "--approver", "c002", root=root).returncode == 0
    refused(cli, root, "approve", on_time, "--approver", "c002", "--reason", "x", message="in time")
    refused(cli, root, "approve", approved, "--approver", "c001", "--reason", "x", message="when it was recorded")
    refused(cli, root, "approve", voided, "--approver", "c002", "--reason", "x", message="void")
    refused(cli, root, "approve", "2026-11-0999", "--approver", "c002", "--reason", "x", message="no such entry")
    refused(cli, root, "approve", late, "--approver", "c003", "--reason", "x", message="c003")  # the cadre themself
    refused(cli, root, "approve", boss, "--approver", "c003", "--reason", "x", message="leadership team")
    first = cli("approve", late, "--approver", "c002", "--reason", "停电", root=root)
    assert first.returncode == 0, first.stderr
    refused(cli, root, "approve", late, "--approver", "c001", "--reason", "again",
            message=f"already approved (by {first_id(first.stdout)})")


def test_refusals_in_chinese(cli, root):
    on_time = first_id(cli("checkin", "c003", root=root).stdout)
    r = cli("approve", on_time, "--approver", "c002", "--reason", "x", root=root, lang="zh")
    assert r.returncode == 2 and "按时录入" in r.stderr


def test_an_approval_after_the_seal_is_late_and_changes_nothing(cli, root, tmp_path):
    key = {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}
    r = cli("keys", "init", root=root, env=key)
    assert r.returncode == 0, r.stderr
    pubkey = r.stdout.strip().splitlines()[-1]
    late = first_id(cli("checkin", "c003", "--at", "2026-11-23 19:30", root=root).stdout)
    r = cli("seal", "--month", "2026-11", root=root, env=key)
    assert r.returncode == 0, r.stderr
    before = audit(cli, root)
    assert found(before, "signin.backfilled", "2026-11-23", "evening")
    r = cli("approve", late, "--approver", "c002", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    assert "sealed" in r.stderr
    after = audit(cli, root)
    assert json.dumps(after["violations"], sort_keys=True) == json.dumps(before["violations"], sort_keys=True)
    r = cli("verify", "--pubkey", pubkey, root=root, env=key)
    assert r.returncode == 0, (r.stdout, r.stderr)
    # the log says what the audit does: approved after the seal, the sealed verdict stands
    logged = cli("log", "--id", late, root=root).stdout.splitlines()[0]
    assert "after the month was sealed" in logged and "verdict does not change" in logged, logged


def test_an_approval_reaches_the_audit_of_the_month_a_week_crosses_into(cli, root):
    """2026-W27 (June 29 to July 5) belongs to July; its Monday night is kept in June's file, and so is
    the approval of that late sign-in: July's audit counts the night once it is approved."""
    def monday_night() -> list:
        weeks = audit(cli, root, "2026-07")["cadres"][0]["weeks"]
        return next(w["nights"] for w in weeks if w["week"] == "2026-W27")

    late = first_id(cli("checkin", "c003", "--at", "2026-06-29 19:30", root=root).stdout)
    assert late.startswith("2026-06-")
    required, before = monday_night()
    r = cli("approve", late, "--approver", "c002", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    assert monday_night() == [required, before + 1]
