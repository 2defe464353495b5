"""``zoudu log`` and the audit make one decision about an imported punch (docs/guide.md): a
terminal's punch imported within the import limit is shown as imported, never as a backfill, and
whatever the audit counts as a backfill the log marks as one."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.workspace import run_cli as zoudu
from tests.support.punches import attlog, days_ago, township, violations

LATE_MARK = "backfill, not approved: counts for nothing"


def _backfilled(root, day: dt.date, cadre: str) -> bool:
    return any(v["rule"] == "signin.backfilled" and v["cadre"] == cadre and v["date"] == day.isoformat()
               for v in violations(root, day.isoformat()[:7]))


def _logged(root, day: dt.date) -> list[str]:
    r = zoudu("log", "--day", day.isoformat(), "--cadre", "c003", root=root)
    assert r.returncode == 0, r.stderr
    return [line for line in r.stdout.splitlines() if line.strip()]


def test_a_terminal_punch_inside_the_import_limit_is_imported_not_a_backfill(tmp_path):
    root = township(tmp_path / "w")
    day = days_ago(2)  # hours after the punch: far past the 30-minute grace of a typed sign-in
    path = attlog(tmp_path / "attlog.dat", [("3", dt.datetime.combine(day, dt.time(8, 2)))])
    assert zoudu("import", str(path), root=root).returncode == 0
    [line] = _logged(root, day)
    assert "imported from zkteco" in line and LATE_MARK not in line, line
    assert not _backfilled(root, day, "c003")


@pytest.mark.parametrize("back, late", [(2, False), (12, True)])
def test_log_marks_exactly_what_the_audit_counts_as_a_backfill(tmp_path, back, late):
    root = township(tmp_path / "w")
    day = days_ago(back)
    path = attlog(tmp_path / "attlog.dat", [("3", dt.datetime.combine(day, dt.time(14, 31)))])
    assert zoudu("import", str(path), root=root).returncode == 0
    [line] = _logged(root, day)
    assert (LATE_MARK in line) is late is _backfilled(root, day, "c003"), line


def test_a_hand_made_csv_row_is_marked_like_the_audit_marks_it(tmp_path):
    root = township(tmp_path / "w")
    day = days_ago(3)
    path = tmp_path / "hand.csv"
    path.write_text(f"工号,打卡时间\n3,{day} 19:31:00\n", encoding="utf-8")
    r = zoudu("import", str(path), "--format", "csv", "--map", "badge=工号,time=打卡时间", root=root)
    assert r.returncode == 0, r.stderr
    [line] = _logged(root, day)
    assert LATE_MARK in line and _backfilled(root, day, "c003"), line
