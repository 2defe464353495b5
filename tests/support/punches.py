"""Punch files written by the tests, and the township they are imported into (badges set through
the CLI). Times are relative to the machine's clock, which the CLI records with."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.support.workspace import run_cli as zoudu
from tests.support.workspace import TZ, make_workspace

BADGES = (("c001", "1"), ("c002", "2"), ("c003", "3"), ("c004", "4"))


def now() -> dt.datetime:
    return dt.datetime.now(TZ)


def days_ago(n: int) -> dt.date:
    return now().date() - dt.timedelta(days=n)


def workday_ago(n: int) -> dt.date:
    """The latest Monday-to-Friday at least ``n`` days back."""
    day = days_ago(n)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def township(folder: Path) -> Path:
    """The small township (tests/support/workspace.py) with badge numbers 1-4 for c001-c004."""
    root = make_workspace(folder).root
    for cadre, badge in BADGES:
        r = zoudu("roster", "set", cadre, "--badge", badge, "--from", "2026-01-01", root=root)
        assert r.returncode == 0, r.stderr
    return root


def attlog(path: Path, rows: list[tuple[str, dt.datetime]]) -> Path:
    """A ZKTeco attlog.dat: badge, tab, time, tab, device 1 …"""
    path.write_text("".join(f"   {badge}\t{at:%Y-%m-%d %H:%M:%S}\t1\t0\t1\t0\n" for badge, at in rows),
                    encoding="ascii")
    return path


def entries(root: Path) -> list[dict]:
    out = []
    for path in sorted((root / "ledgers").glob("20*.yaml")):
        out += [json.loads(line[2:]) for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("- {")]
    return out


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ledgers").glob("*.yaml"))}


def violations(root: Path, month: str) -> list[dict]:
    r = zoudu("audit", "--month", month, "--format", "json", root=root)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)["violations"]


def save_xlsx(book, path) -> None:
    """openpyxl writes a temporary text file without naming its encoding (its own code, not zoudu's)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=EncodingWarning)
        book.save(path)
