"""The portable lock and append (Windows' way) forced on Linux with ZOUDU_PORTABLE_LOCK=1.

The concurrency, SIGKILL, full-disk and repair tests run through this branch too (the
``lock_branch`` fixture in tests/conftest.py); these check the branch is the one taken.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap

from tests.conftest import REPO, clean_env, make_workspace
from zoudu import system
from zoudu.ledger.append import workspace_lock
from zoudu.ledger.store import read_ledger

PROBE = textwrap.dedent("""
    import datetime as dt, sys
    from pathlib import Path
    from zoneinfo import ZoneInfo
    from zoudu.ledger import record
    from zoudu.ledger.workspace import Workspace
    ws = Workspace(Path(sys.argv[1]), clock=lambda: dt.datetime(2026, 11, 26, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    record.village(ws, "c003", "石庄村", "证人", False, "2026-11-03T10:00", "probe", None)
    print("filelock" in sys.modules)
""")


def _probe(root, portable: bool) -> str:
    env = clean_env()
    env.pop(system.PORTABLE_ENV, None)
    if portable:
        env[system.PORTABLE_ENV] = "1"
    r = subprocess.run([sys.executable, "-c", PROBE, str(root)], capture_output=True, text=True, encoding="utf-8",
                       env=env, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_the_switch_takes_filelock_and_posix_never_loads_it(tmp_path):
    ws = make_workspace(tmp_path / "w")
    assert _probe(ws.root, portable=True) == "True"
    assert _probe(ws.root, portable=False) == "False"  # 20 ms of import a clerk does not pay
    scan = read_ledger(ws.ledger_path("2026-11"), "x", check_chain=True)
    assert not scan.problems and len(scan.entries) == 2


def test_the_lock_is_its_own_file_never_a_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv(system.PORTABLE_ENV, "1")
    ws = make_workspace(tmp_path / "w")
    with workspace_lock(ws.ledgers) as held:
        assert held.path == ws.ledgers / ".lock" and held._lock.held_by_filelock


def test_a_portable_append_lands_at_the_end_however_the_file_grew(tmp_path, monkeypatch):
    """Without O_APPEND each write goes where the descriptor points: the branch seeks to the end itself."""
    monkeypatch.setenv(system.PORTABLE_ENV, "1")
    path = tmp_path / "2026-11.yaml"
    fd = system.open_append(path, create=True)
    try:
        assert not fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND  # as Windows' O_APPEND would behave
        system.append_bytes(fd, b"one\n")
        with open(path, "ab") as other:  # another writer, between two appends (the lock forbids it in zoudu)
            other.write(b"two\n")
        system.append_bytes(fd, b"three\n")
    finally:
        os.close(fd)
    assert path.read_bytes() == b"one\ntwo\nthree\n"


def test_portable_appends_from_several_processes_keep_one_chain(tmp_path, monkeypatch):
    monkeypatch.setenv(system.PORTABLE_ENV, "1")
    ws = make_workspace(tmp_path / "w")
    procs = [subprocess.Popen([sys.executable, "-c", PROBE, str(ws.root)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=clean_env(), cwd=REPO) for _ in range(6)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == b"True"
    scan = read_ledger(ws.ledger_path("2026-11"), "x", check_chain=True)
    assert not scan.problems and len(scan.entries) == 6
