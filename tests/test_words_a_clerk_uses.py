"""Words a clerk uses (docs/guide.md): `review --decision` takes 成立/属实/维持, 不成立/不属实 and 撤销; `--month`
takes `11月` (this year) and `2026年11月`; minutes late are whole minutes past the fixed time (08:10:01 is
10 minutes late), in the read-back and in the audit."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.support.cli import refused, township_by_cli

ID = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{4}) ")


@pytest.fixture
def root(tmp_path, cli) -> Path:
    """c001 secretary (discipline group: the team); c002 team under c001; c003 a cadre under c001 (石庄村)."""
    return township_by_cli(cli, tmp_path / "w")


def first_id(stdout: str) -> str:
    m = ID.match(stdout)
    assert m, stdout
    return m.group(1)


def audit(cli, root: Path, month: str = "2026-11") -> dict:
    r = cli("audit", "--month", month, "--format", "json", "--cadre", "c003", root=root)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def report(cli, root: Path, at: str) -> str:
    r = cli("report", "c003", "--rule", "conduct.drinking", "--at", at, "--source", "群众电话", root=root)
    assert r.returncode == 0, r.stderr
    return first_id(r.stdout)


@pytest.mark.parametrize("word, status", [("成立", "upheld"), ("属实", "upheld"), ("维持", "upheld"),
                                          ("不成立", "dismissed"), ("不属实", "dismissed")])
def test_a_report_is_decided_in_chinese(cli, root, word, status):
    target = report(cli, root, "2026-11-20 21:00")
    r = cli("review", target, "--decision", word, "--by", "c002", "--reason", "核实", root=root)
    assert r.returncode == 0, r.stderr
    assert [x["status"] for x in audit(cli, root)["reports"] if x["id"] == target] == [status]


def appeal(cli, root: Path) -> str:
    r = cli("appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03", "--slot", "morning",
            "--reason", "在村里开会", root=root)
    assert r.returncode == 0, r.stderr
    return first_id(r.stdout)


def status_of_the_finding(cli, root: Path) -> str:
    return next(v["status"] for v in audit(cli, root)["violations"]
                if v["rule"] == "signin.missing" and v["date"] == "2026-11-03" and v["slot"] == "morning")


def test_an_appeal_is_overturned_with_撤销_and_upheld_with_维持(cli, root):
    target = appeal(cli, root)
    r = cli("review", target, "--decision", "撤销", "--by", "c002", "--reason", "有会议记录", root=root)
    assert r.returncode == 0, r.stderr
    assert status_of_the_finding(cli, root) == "overturned"


def test_an_appeal_upheld_with_维持_stands(cli, root):
    target = appeal(cli, root)
    r = cli("review", target, "--decision", "维持", "--by", "c002", "--reason", "无证据", root=root)
    assert r.returncode == 0, r.stderr
    assert status_of_the_finding(cli, root) == "standing"


def test_a_word_that_does_not_fit_the_entry_is_refused_as_typed(cli, root):
    target = report(cli, root, "2026-11-20 21:00")
    refused(cli, root, "review", target, "--decision", "撤销", "--by", "c002", "--reason", "x", message="'撤销'")


def test_month_written_as_a_clerk_writes_it(cli, root):
    year = dt.date.today().year
    assert audit(cli, root, "1月")["month"] == f"{year}-01"
    assert audit(cli, root, "2026年11月")["month"] == "2026-11"
    r = cli("checkin", "c003", "--at", "2026-11-03 08:00", "--approver", "c002", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    entry = first_id(r.stdout)
    assert entry in cli("log", "--month", "2026年11月", root=root).stdout
    r = cli("evaluate", "c003", "--month", "1月", "--self", "优", root=root)
    assert r.returncode == 0, r.stderr
    assert f"{year}-01" in cli("log", "--id", first_id(r.stdout), root=root).stdout
    r = cli("log", "--month", "13月", root=root)
    assert r.returncode == 2 and "13月" in r.stderr


def test_minutes_late_are_whole_minutes_past_the_fixed_time(cli, root):
    r = cli("checkin", "c003", "--at", "2026-11-03 08:10:01", "--approver", "c002", "--reason", "停电",
            root=root, lang="zh")
    assert r.returncode == 0, r.stderr
    assert "迟到 10 分钟" in r.stdout, r.stdout
    late = [v for v in audit(cli, root)["violations"] if v["rule"] == "signin.late" and v["date"] == "2026-11-03"]
    assert late and "10 minute(s)" in late[0]["message"] and "11 minute" not in late[0]["message"]
    r = cli("checkin", "c003", "--at", "2026-11-04 08:10:59", "--approver", "c002", "--reason", "停电", root=root)
    assert "(late 10 min)" in r.stdout, r.stdout


def test_a_sign_in_seconds_past_the_window_reads_back_as_the_audit_decides(cli, tmp_path):
    """08:30:40 lies past a window that ends at 08:30: the read-back says so, as the audit does, never
    '30 minutes late' (the seconds count, in the read-back as in the audit)."""
    import json

    from tests.support.cli import township_by_cli

    root = township_by_cli(cli, tmp_path / "w")
    r = cli("checkin", "c003", "--at", "2026-11-03 08:30:40", "--approver", "c002", "--reason", "补", root=root)
    assert r.returncode == 0, r.stderr
    assert "late" not in r.stdout.split("\n")[0], r.stdout
    audited = json.loads(cli("audit", "--month", "2026-11", "--format", "json", root=root).stdout)
    assert any(v["rule"] == "signin.outside_window" and v["date"] == "2026-11-03" for v in audited["violations"])
