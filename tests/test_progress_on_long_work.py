"""Long work shows a progress bar on stderr in a terminal, and nothing at all in a pipe.

verify of many months, an import of thousands of rows and a dossier that audits months tell
the CLI each step; the bar is drawn only when stderr is a terminal (a real one: tmux).
"""

from __future__ import annotations

import datetime as dt
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import REPO, make_workspace, run_cli
from zoudu.ledger import record
from zoudu.ledger.append import workspace_lock
from zoudu.ledger.verify import verify
from zoudu.publish.dossier import dossier

MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
NAMES = ("刘书记", "纪委书记", "李四", "王五")  # the unique names of tests/support/workspace.py's roster
ROWS = 625 * len(NAMES)


@pytest.fixture
def months(tmp_path):
    ws = make_workspace(tmp_path / "w")
    for month in MONTHS:
        ws.clock.set(f"{month}-05T09:00")
        record.checkin(ws, ["c003"], f"{month}-03T08:00", None, None, None, None)
    ws.clock.set("2026-11-26T21:00")
    return ws


@pytest.fixture
def punches(tmp_path) -> tuple[Path, Path]:
    """A workspace and an export of 2500 punches of yesterday (four cadres, a minute apart)."""
    ws = make_workspace(tmp_path / "p")
    day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(6, 0))
    rows = ["员工,日期,时间"] + [f"{name},{day.isoformat()},{(start + dt.timedelta(minutes=i)):%H:%M}"
                              for name in NAMES for i in range(ROWS // len(NAMES))]
    export = tmp_path / "打卡.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ws.root, export


IMPORT = ("import", "--format", "csv", "--map", "name=员工,date=日期,clock=时间")


def test_verify_and_dossier_tell_each_month(months):
    seen: list[tuple[int, int]] = []
    report = verify(months, progress=lambda done, total: seen.append((done, total)))
    assert report.files == len(MONTHS) and not report.problems
    assert seen == [(i, len(MONTHS)) for i in range(len(MONTHS) + 1)]
    seen.clear()
    dossier(months, "c003", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(MONTHS), len(MONTHS)) and len(seen) == len(MONTHS) + 1


def test_nothing_more_is_printed_into_a_pipe(months, punches):
    r = run_cli("verify", root=months.root)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    r = run_cli("dossier", "c003", root=months.root)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    root, export = punches
    r = run_cli(*IMPORT, str(export), root=root)
    assert r.returncode == 0, r.stderr
    # the summary (after the CSV's backfill warning: its rows are the clerk's, typed a day late),
    # and no bar: no cursor movement, no carriage return
    assert r.stderr.endswith(f"imported (csv): {ROWS} new, 0 already recorded\n")
    assert "\r" not in r.stderr and "\x1b" not in r.stderr and len(r.stderr.splitlines()) == 3  # and how to approve


def test_no_bar_module_is_loaded_for_a_pipe(months):
    probe = ("import sys; from zoudu.cli.main import main\n"
             "try:\n    main(['--root', sys.argv[1], 'verify'])\nexcept SystemExit:\n    pass\n"
             "print('rich.progress' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", probe, str(months.root)], capture_output=True, text=True,
                       encoding="utf-8", cwd=REPO, timeout=120)
    assert r.stderr.strip() == "False"


def _pane(server: str) -> str:
    return subprocess.run(["tmux", "-L", server, "capture-pane", "-p", "-t", "zoudu"], capture_output=True,
                          text=True, encoding="utf-8").stdout


def _wait_for(server: str, text: str) -> str:
    deadline = time.monotonic() + 120  # a bound on waiting, not an assertion about speed
    while time.monotonic() < deadline:
        screen = _pane(server)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"never shown: {text!r}\n{_pane(server)}")


def test_a_large_import_shows_its_bar_in_a_real_terminal(punches, tmp_path):
    assert shutil.which("tmux"), "tools/test.sh installs tmux"
    root, export = punches
    server = f"zoudu-{tmp_path.name}"
    out = tmp_path / "out.txt"
    command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "zoudu", "--root", str(root), *IMPORT,
                                                  str(export)))
    script = f"cd {shlex.quote(str(REPO))} && ZOUDU_LANG=en {command} > {shlex.quote(str(out))}; echo EXIT=$?; sleep 600"
    # the lock held here keeps the import waiting, its bar on the screen, until the test has seen it
    with workspace_lock(root / "ledgers"):
        subprocess.run(["tmux", "-L", server, "new-session", "-d", "-s", "zoudu", "-x", "150", "-y", "20", script],
                       check=True)
        try:
            screen = _wait_for(server, f"{ROWS}/{ROWS}")
            assert "Reading the punches" in screen and "━" in screen
        except BaseException:
            subprocess.run(["tmux", "-L", server, "kill-server"])
            raise
    try:
        screen = _wait_for(server, "EXIT=")
        assert "EXIT=0" in screen and f"imported (csv): {ROWS} new" in screen
        assert "Reading the punches" not in screen  # the bar is cleared once the work is done
        assert len(out.read_text(encoding="utf-8").splitlines()) == ROWS  # stdout, a file: the lines alone
    finally:
        subprocess.run(["tmux", "-L", server, "kill-server"])
