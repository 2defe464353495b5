"""The Windows branch of zoudu/system.py, run on Linux: what Windows refuses is refused here too.

Windows cannot open a folder as a file (so no folder fsync), ``os.set_blocking`` fails on
anything but a pipe, there is no ``fcntl`` and no ``O_NONBLOCK``. The test process is made to
behave so, then records, audits, verifies and publishes in-process as a clerk would.
"""

from __future__ import annotations

import errno
import os
import stat
import sys

import filelock  # noqa: F401 - loaded before fcntl is taken away, as on Windows it loads its own
import pytest

from tests.conftest import make_workspace
from zoudu import system
from zoudu.cli.main import main
from zoudu.ledger.store import read_ledger


@pytest.fixture
def windows(monkeypatch):
    """This process as Windows treats files (the parts zoudu meets)."""
    real_open = os.open

    def refuse_folders(path, flags, *args, **kwargs):
        if os.path.isdir(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    def only_pipes(fd, flag):
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Incorrect function")

    monkeypatch.setattr(system, "WINDOWS", True)
    monkeypatch.setattr(os, "open", refuse_folders)
    monkeypatch.setattr(os, "set_blocking", only_pipes)
    monkeypatch.setattr(system, "NONBLOCK", 0)  # os.O_NONBLOCK does not exist there
    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl fails, as on Windows
    monkeypatch.delenv(system.PORTABLE_ENV, raising=False)
    monkeypatch.setenv("USERPROFILE", "/nonexistent-profile")


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0
    out, err = capsys.readouterr()
    return code, out, err


def test_a_day_of_work_runs_through_the_windows_branch(tmp_path, windows, capsys):
    ws = make_workspace(tmp_path / "w")
    root = str(ws.root)
    # the first sign-in of a month creates its file: no folder fsync on Windows
    code, out, err = run(capsys, "--lang", "en", "--root", root, "checkin", "c003", "--at", "2026-11-03T08:00")
    assert code == 0 and "internal error" not in err, err
    code, out, err = run(capsys, "--lang", "en", "--root", root, "checkin", "c004", "--at", "2026-11-03T08:05")
    assert code == 0, err
    scan = read_ledger(ws.ledger_path("2026-11"), "x", check_chain=True)
    assert not scan.problems and len(scan.entries) == 2
    assert b"\r\n" not in ws.ledger_path("2026-11").read_bytes()
    for args in (("audit", "--month", "2026-11"), ("verify",), ("log", "--month", "2026-11")):
        code, out, err = run(capsys, "--lang", "en", "--root", root, *args)
        assert code in (0, 1) and "internal error" not in err and "error" not in err, (args, err)
    notice = tmp_path / "notice.html"
    notice.write_bytes(b"old")
    notice.chmod(0o444)  # Windows' read-only flag would stop the next publish: it is not copied there
    code, out, err = run(capsys, "--lang", "en", "--root", root, "publish", "--month", "2026-11",
                         "--format", "html", "-o", str(notice))
    assert code == 0, err
    assert notice.read_bytes().startswith(b"<!")
    assert notice.stat().st_mode & stat.S_IWUSR  # the next publish can replace it


def test_the_lock_is_a_file_of_its_own_taken_with_filelock(tmp_path, windows, capsys):
    ws = make_workspace(tmp_path / "w")
    code, out, err = run(capsys, "--lang", "en", "--root", str(ws.root), "checkin", "c003", "--at",
                         "2026-11-03T08:00")
    assert code == 0, err
    lock = system.ExclusiveLock(ws.ledgers / ".lock")
    lock.acquire()
    try:
        assert lock.held_by_filelock
    finally:
        lock.release()


def test_rules_read_where_set_blocking_works_only_on_pipes(tmp_path, windows):
    from zoudu.ledger.files import read_bytes

    path = tmp_path / "rules.yaml"
    path.write_bytes("时区: Asia/Shanghai\n".encode("utf-8"))
    assert read_bytes(path) == "时区: Asia/Shanghai\n".encode("utf-8")
    with pytest.raises(Exception) as caught:
        read_bytes(tmp_path)
    assert "is a folder" in str(caught.value)
