"""A generic ``--format csv`` file is the clerk's assertion, not a terminal's record (docs/trust-model.md):
its rows follow the rules of typed sign-ins (a backfill past the grace covers nothing, a time
outside the windows is a finding); ``import --approver`` is checked at entry like ``checkin
--approver``; a row whose badge and name are different cadres is refused unless ``--trust-badge``."""

from __future__ import annotations

import datetime as dt

from tests.support.workspace import run_cli as zoudu
from tests.support.punches import attlog, days_ago, entries, ledger_bytes, township, violations, workday_ago

MAP = ("--format", "csv", "--map", "badge=工号,time=打卡时间")


def hand_made(path, rows: list[tuple[str, dt.datetime]]):
    path.write_text("工号,打卡时间\n" + "".join(f"{badge},{at:%Y-%m-%d %H:%M:%S}\n" for badge, at in rows),
                    encoding="utf-8")
    return path


def _found(root, day: dt.date, rule: str, slot: str | None = None) -> list[dict]:
    return [v for v in violations(root, day.isoformat()[:7]) if v["rule"] == rule and v["cadre"] == "c003"
            and v["date"] == day.isoformat() and (slot is None or v.get("slot") == slot)]


def test_a_csv_row_typed_in_days_later_is_a_backfill_that_covers_nothing(tmp_path):
    root = township(tmp_path / "w")
    day = workday_ago(3)
    at = dt.datetime.combine(day, dt.time(8, 1))
    r = zoudu("import", str(hand_made(tmp_path / "hand.csv", [("3", at)])), *MAP, root=root)
    assert r.returncode == 0, r.stderr
    assert "CSV file is not a terminal" in r.stderr
    assert "backfill, not approved: counts for nothing" in r.stdout  # read back as the log lists it
    assert "zoudu approve " in r.stderr  # and the command that approves it
    assert _found(root, day, "signin.backfilled") and _found(root, day, "signin.missing", "morning")


def test_the_same_punch_from_a_terminal_covers_the_slot(tmp_path):
    root = township(tmp_path / "w")
    day = workday_ago(3)
    at = dt.datetime.combine(day, dt.time(8, 1))
    assert zoudu("import", str(attlog(tmp_path / "attlog.dat", [("3", at)])), root=root).returncode == 0
    assert not _found(root, day, "signin.backfilled") and not _found(root, day, "signin.missing", "morning")


def test_an_approved_csv_backfill_counts(tmp_path):
    root = township(tmp_path / "w")
    day = workday_ago(3)
    path = hand_made(tmp_path / "hand.csv", [("3", dt.datetime.combine(day, dt.time(8, 1)))])
    r = zoudu("import", str(path), *MAP, "--approver", "c002", "--reason", "考勤机停电, 纸质签到表", root=root)
    assert r.returncode == 0, r.stderr
    assert entries(root)[0]["approver"] == "c002"
    assert not _found(root, day, "signin.backfilled") and not _found(root, day, "signin.missing", "morning")


def test_a_csv_row_outside_the_windows_is_a_finding_as_typed(tmp_path):
    root = township(tmp_path / "w")
    day = days_ago(1)
    path = hand_made(tmp_path / "hand.csv", [("3", dt.datetime.combine(day, dt.time(12, 3)))])
    assert zoudu("import", str(path), *MAP, "--approver", "c002", "--reason", "补录", root=root).returncode == 0
    assert _found(root, day, "signin.outside_window")


def test_the_approver_is_checked_at_entry(tmp_path):
    root = township(tmp_path / "w")
    old = dt.datetime.combine(days_ago(3), dt.time(8, 1))
    path = hand_made(tmp_path / "hand.csv", [("3", old)])
    before = ledger_bytes(root)
    for approver, said in (("c004", "not on the leadership team"),  # 王五: a cadre, not on the team
                           ("c003", "cannot approve for themself"),
                           ("c099", "c099")):
        r = zoudu("import", str(path), *MAP, "--approver", approver, "--reason", "补录", root=root)
        assert r.returncode == 2 and said in r.stderr and r.stdout == "", (approver, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
        assert ledger_bytes(root) == before
    # a terminal's export within the import limit approves nothing, but a bad approver is still refused
    recent = attlog(tmp_path / "attlog.dat", [("3", dt.datetime.combine(days_ago(1), dt.time(8, 1)))])
    r = zoudu("import", str(recent), "--approver", "c004", "--reason", "补录", root=root)
    assert r.returncode == 2 and ledger_bytes(root) == before


def test_a_row_whose_badge_and_name_are_different_cadres_is_refused(tmp_path):
    root = township(tmp_path / "w")
    at = dt.datetime.combine(days_ago(1), dt.time(8, 1))
    path = tmp_path / "hand.csv"
    path.write_text(f"工号,姓名,打卡时间\n3,李四,{at}\n3,王五,{at}\n4,张伟,{at}\n", encoding="utf-8")
    args = ("--format", "csv", "--map", "badge=工号,name=姓名,time=打卡时间")
    before = ledger_bytes(root)
    r = zoudu("import", str(path), *args, root=root)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "hand.csv:3" in r.stderr and "hand.csv:4" in r.stderr and "hand.csv:2" not in r.stderr
    assert "王五" in r.stderr and "--trust-badge" in r.stderr
    assert ledger_bytes(root) == before
    # the same from a terminal's export
    export = tmp_path / "导出.csv"
    export.write_text(f"部门,姓名,考勤号码,日期时间,机器号\n党政办,王五,3,{at},1\n", encoding="utf-8")
    r = zoudu("import", str(export), root=root)
    assert r.returncode == 2 and "导出.csv:2" in r.stderr and ledger_bytes(root) == before
    trusted = zoudu("import", str(path), *args, "--trust-badge", root=root)
    assert trusted.returncode == 0, trusted.stderr
    assert [e["cadre"] for e in entries(root)] == ["c003", "c004"]  # the badge decides; 3 twice is one punch
