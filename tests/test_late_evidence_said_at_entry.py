"""Late evidence is said at entry (docs/guide.md): a sign-in or village entry that will count for nothing unless
approved (docs/audit-rules.md) is read back as such, never as on time, and stderr gives the `zoudu approve` command.
The read-back, `zoudu log` and the audit decide lateness by one rule: they follow rules.yaml together."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.conftest import TZ
from tests.support.cli import township_by_cli

NOW = dt.datetime.now(TZ)
TWO_DAYS_AGO = (NOW - dt.timedelta(days=2)).date()  # typed in two days late: past a 30-minute grace
TEN_DAYS_AGO = (NOW - dt.timedelta(days=10)).date()  # copied from the diary ten days late: past 7 days


@pytest.fixture
def root(tmp_path, cli) -> Path:
    """c001 secretary; c002 team under c001; c003 a cadre under c001 (石庄村)."""
    return township_by_cli(cli, tmp_path / "w")


def new_id(stdout: str) -> str:
    m = re.match(r"([0-9]{4}-[0-9]{2}-[0-9]{4}) ", stdout)
    assert m, stdout
    return m.group(1)


def test_a_late_sign_in_is_read_back_as_an_unapproved_backfill_with_the_approve_command(cli, root):
    r = cli("checkin", "c003", "--at", f"{TWO_DAYS_AGO} 19:30", root=root, lang="zh")
    assert r.returncode == 0, r.stderr
    entry = new_id(r.stdout)
    line = r.stdout.splitlines()[0]
    assert "准时" not in line and "迟到" not in line
    assert "补录" in line and "未经批准" in line and "不计" in line
    assert f"zoudu approve {entry} --approver … --reason …" in r.stderr


def test_the_same_in_english(cli, root):
    r = cli("checkin", "c003", "--at", f"{TWO_DAYS_AGO} 08:02", root=root, lang="en")
    assert r.returncode == 0, r.stderr
    entry = new_id(r.stdout)
    line = r.stdout.splitlines()[0]
    assert "on time" not in line
    assert "backfill, not approved: counts for nothing" in line
    assert f"zoudu approve {entry} --approver … --reason …" in r.stderr


def test_a_late_village_entry_is_read_back_as_counting_for_nothing(cli, root):
    r = cli("village", "c003", "--village", "石庄村", "--witness", "李大爷", "--at", f"{TEN_DAYS_AGO} 10:00",
            root=root, lang="zh")
    assert r.returncode == 0, r.stderr
    entry = new_id(r.stdout)
    assert "补录" in r.stdout and "不计" in r.stdout
    assert f"zoudu approve {entry} --approver" in r.stderr


def test_a_sign_in_on_time_or_approved_at_entry_asks_for_nothing(cli, root):
    r = cli("checkin", "c003", root=root, lang="en")  # now: on time, whatever the window
    assert r.returncode == 0, r.stderr
    assert "zoudu approve" not in r.stderr and "counts for nothing" not in r.stdout
    r = cli("checkin", "c003", "--at", f"{TWO_DAYS_AGO} 08:00", "--approver", "c002", "--reason", "停电",
            root=root, lang="en")
    assert r.returncode == 0, r.stderr
    assert "zoudu approve" not in r.stderr and "counts for nothing" not in r.stdout
    assert "(on time)" in r.stdout and "backfill approved by" in r.stdout


def test_log_says_it_too_never_on_time(cli, root):
    entry = new_id(cli("checkin", "c003", "--at", f"{TWO_DAYS_AGO} 19:30", root=root).stdout)
    r = cli("log", "--day", TWO_DAYS_AGO.isoformat(), root=root, lang="zh")
    line = next(x for x in r.stdout.splitlines() if x.startswith(entry))
    assert "准时" not in line and "不计" in line


def audit(cli, root: Path, month: str) -> dict:
    r = cli("audit", "--month", month, "--format", "json", "--cadre", "c003", root=root)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def test_read_back_log_and_audit_follow_the_same_limits_in_rules_yaml(cli, root):
    """With a village limit of 30 days and a grace of 7 days, the same entries are on time for all three."""
    rules = root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^village_late_days: *7", "village_late_days: 30", text)
    text = re.sub(r"(?m)^backfill_grace_minutes: *30", "backfill_grace_minutes: 10080", text)
    assert "village_late_days: 30" in text and "backfill_grace_minutes: 10080" in text
    rules.write_text(text, encoding="utf-8")
    r = cli("village", "c003", "--village", "石庄村", "--witness", "李大爷", "--at", f"{TEN_DAYS_AGO} 10:00",
            root=root)
    assert r.returncode == 0 and "zoudu approve" not in r.stderr and "counts for nothing" not in r.stdout
    r = cli("checkin", "c003", "--at", f"{TWO_DAYS_AGO} 08:00", root=root)
    assert r.returncode == 0 and "zoudu approve" not in r.stderr and "(on time)" in r.stdout
    for day in (TEN_DAYS_AGO, TWO_DAYS_AGO):
        listed = cli("log", "--day", day.isoformat(), root=root).stdout
        assert listed and "counts for nothing" not in listed and "without approval" not in listed
    for day in {TEN_DAYS_AGO.strftime("%Y-%m"), TWO_DAYS_AGO.strftime("%Y-%m")}:
        rules_raised = {v["rule"] for v in audit(cli, root, day)["violations"]}
        assert not rules_raised & {"village.late", "signin.backfilled"}
