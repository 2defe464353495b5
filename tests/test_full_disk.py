"""A write the file system refuses (a full disk, a file-size limit) records nothing and says so in one line.

Real small file systems: a tmpfs of a few hundred KB mounted by the test when it may (root), else a
file-size limit (``ulimit -f``, RLIMIT_FSIZE) set in the CLI's own process. Both are real refusals
by the kernel, not mocks.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import clean_env, make_workspace, run_cli
from zoudu.ledger.store import read_ledger

CADRES = ("c001", "c002", "c003", "c004", "c005", "c006")


def _env() -> dict[str, str]:
    env = clean_env()
    env.update(ZOUDU_LANG="en", PYTHONDONTWRITEBYTECODE="1")
    return env


def cli_limited(root: Path, limit: int, *args: str) -> subprocess.CompletedProcess:
    """The real CLI with a file-size limit of ``limit`` bytes (what ``ulimit -f`` sets)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "zoudu", "--root", str(root), *args], capture_output=True,
                          text=True, encoding="utf-8", env=_env(), preexec_fn=cap, timeout=120)


@contextlib.contextmanager
def small_disk(parent: Path, size: str = "300k"):
    """A real tmpfs of ``size`` mounted at a fresh folder; None when mounting is not allowed here."""
    mount = parent / f"disk-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    ok = shutil.which("mount") and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                                                   str(mount)], capture_output=True).returncode == 0
    try:
        yield mount if ok else None
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(mount: Path, leave: int) -> Path:
    """Fill the file system up to ``leave`` free bytes with a plain file."""
    free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
    filler = mount / "filler"
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
    return filler


@pytest.mark.usefixtures("lock_branch")
def test_a_file_size_limit_mid_append_leaves_the_ledger_as_it_was(tmp_path):
    ws = make_workspace(tmp_path / "w")
    assert run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root).returncode == 0
    ledger = ws.ledger_path("2026-11")
    before = ledger.read_bytes()
    # room for a part of one more line, not for the four this sign-in writes
    r = cli_limited(ws.root, len(before) + 200, "checkin", *CADRES[:4], "--at", "2026-11-03T08:00")
    assert r.returncode == 2, r.stderr
    assert r.stdout == "" and r.stderr.count("\n") == 1 and "disk full: nothing was recorded" in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert ledger.read_bytes() == before
    # the ledger is not torn: the next sign-in lands and everything verifies
    r = run_cli("checkin", "c004", "--at", "2026-11-03T08:05", root=ws.root)
    assert r.returncode == 0 and [l.split()[0] for l in r.stdout.splitlines()] == ["2026-11-0002"], r.stderr
    assert run_cli("verify", root=ws.root).returncode == 0


@pytest.mark.usefixtures("lock_branch")
def test_a_new_months_file_refused_mid_write_is_not_left_behind(tmp_path):
    ws = make_workspace(tmp_path / "w")
    r = cli_limited(ws.root, 100, "checkin", *CADRES, "--at", "2026-11-03T08:00")
    assert r.returncode == 2 and "disk full" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert not ws.ledger_path("2026-11").exists()


def test_chinese_says_the_disk_is_full(tmp_path):
    ws = make_workspace(tmp_path / "w")
    env = dict(_env(), ZOUDU_LANG="zh")
    r = subprocess.run([sys.executable, "-m", "zoudu", "--root", str(ws.root), "checkin", "c003"],
                       capture_output=True, text=True, encoding="utf-8", env=env, timeout=120,
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100)))
    assert r.returncode == 2 and "磁盘已满，未记录任何内容" in r.stderr, r.stderr


@pytest.mark.usefixtures("lock_branch")
def test_a_full_disk_refuses_the_append_and_the_roster_edit(tmp_path):
    with small_disk(tmp_path) as mount:
        ws = make_workspace((mount or tmp_path) / "w")
        assert run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root).returncode == 0
        ledger, roster = ws.ledger_path("2026-11"), ws.root / "ledgers" / "roster.yaml"
        roster_before = roster.read_bytes()
        if mount is not None:  # a real full tmpfs
            filler = fill(mount, 0)

            def attempt(*args: str) -> subprocess.CompletedProcess:
                return run_cli(*args, root=ws.root)
        else:  # not allowed to mount here: a file-size limit just above what is on disk
            filler = None

            def attempt(*args: str) -> subprocess.CompletedProcess:
                return cli_limited(ws.root, max(ledger.stat().st_size, len(roster_before)) + 50, *args)
        for minute in range(10):  # the ledger's last page may still hold a few lines
            before = ledger.read_bytes()
            r = attempt("checkin", *CADRES, "--at", f"2026-11-03T08:{minute:02d}")
            if r.returncode != 0:
                break
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "disk full" in r.stderr, r.stderr
        assert ledger.read_bytes() == before
        for i in range(20):  # a roster rewrite needs room for the whole roster again
            r = attempt("roster", "add", f"c07{i:02d}", "--name", "新人" * 40, "--since", "2026-01-01")
            if r.returncode != 0:
                break
            roster_before = roster.read_bytes()
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "disk full" in r.stderr, r.stderr
        assert roster.read_bytes() == roster_before
        assert sorted(p.name for p in roster.parent.iterdir() if not p.name.startswith(".")) == [
            "2026-11.yaml", "roster.yaml"]
        if filler is not None:
            filler.unlink()
        assert run_cli("verify", root=ws.root).returncode == 0


@pytest.mark.usefixtures("lock_branch")
def test_a_read_only_place_is_said_as_such(tmp_path):
    with small_disk(tmp_path) as mount:
        ws = make_workspace((mount or tmp_path) / "w")
        assert run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root).returncode == 0
        ledger = ws.ledger_path("2026-11")
        before = ledger.read_bytes()
        as_root = os.geteuid() == 0
        if as_root and mount is not None:  # a read-only mount
            assert subprocess.run(["mount", "-o", "remount,ro", str(mount)], capture_output=True).returncode == 0
        elif not as_root:  # a file its user may not write (root writes anyway: hence the mount above)
            ledger.chmod(0o444)
        else:
            return  # root without mount: neither refusal can be made real here; the tests above still run
        try:
            r = run_cli("checkin", "c004", "--at", "2026-11-03T08:01", root=ws.root)
            assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
            assert "nothing was recorded" in r.stderr and "internal error" not in r.stderr
        finally:
            if as_root:
                subprocess.run(["mount", "-o", "remount,rw", str(mount)], capture_output=True)
            else:
                ledger.chmod(0o644)
        assert ledger.read_bytes() == before


@pytest.mark.usefixtures("lock_branch")
def test_appending_until_the_disk_fills_loses_no_acknowledged_entry(tmp_path):
    """Fault injection: sign-ins in a loop on a file system that fills up mid-write."""
    with small_disk(tmp_path, "256k") as mount:
        base = mount if mount is not None else tmp_path
        ws = make_workspace(base / "w")
        limit = None
        if mount is not None:
            filler = fill(mount, 24 * 1024)
        else:  # the same on a file-size limit: the ledger may grow to this many bytes
            filler, limit = None, 24 * 1024
        acknowledged: list[str] = []
        refused = 0
        for i in range(400):
            args = ("checkin", *CADRES[: 1 + i % 6], "--at", f"2026-11-{3 + i % 20:02d}T08:{i % 60:02d}")
            r = run_cli(*args, root=ws.root) if limit is None else cli_limited(ws.root, limit, *args)
            if r.returncode == 0:
                acknowledged += [l.split()[0] for l in r.stdout.splitlines()]
                continue
            assert r.returncode == 2 and "disk full" in r.stderr and r.stderr.count("\n") == 1, r.stderr
            refused += 1
            if refused >= 4:
                break
        assert refused >= 4 and len(acknowledged) > 10
        if filler is not None:
            filler.unlink()
        r = run_cli("verify", root=ws.root)
        assert r.returncode == 0, r.stdout
        scan = read_ledger(ws.ledger_path("2026-11"), "ledgers/2026-11.yaml", check_chain=True)
        assert not scan.problems
        assert [e.id for e in scan.entries] == acknowledged  # every acknowledged entry, in order, nothing else
