"""The township's private key is readable by its owner alone, on POSIX and on Windows (no mode bits there).

POSIX: mode 0600, and a key others may read is refused by seal. Windows: the file's
inherited access entries are dropped with ``icacls`` (a real process here: a stand-in on PATH
that records what it was asked), and a key outside the user's profile is said.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import filelock  # noqa: F401 - loaded as it would be on Windows, before the branch is taken
import pytest

from tests.conftest import make_workspace
from zoudu import system
from zoudu.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(["--lang", "en", *args])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def township(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path / "w")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("ZOUDU_KEY", raising=False)
    return ws


def test_posix_key_is_its_owners_alone_and_a_loosened_one_is_refused(township, capsys, monkeypatch):
    old = os.umask(0)  # even with nothing masked
    try:
        code, out, err = run(capsys, "--root", str(township.root), "keys", "init")
    finally:
        os.umask(old)
    assert code == 0 and err == "", err
    key = next((Path(os.environ["XDG_CONFIG_HOME"])).rglob("township.key"))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key.chmod(0o644)
    code, out, err = run(capsys, "--root", str(township.root), "seal", "--month", "2026-10")
    assert code == 2 and "chmod 600" in err and len(err.strip().splitlines()) == 1, err  # one line, nothing sealed
    key.chmod(0o600)
    code, out, err = run(capsys, "--root", str(township.root), "seal", "--month", "2026-10")
    assert code == 0 and err == "", err


@pytest.fixture
def windows(monkeypatch, tmp_path):
    """Windows as the key meets it: no mode bits, a profile folder, icacls on PATH."""
    monkeypatch.setattr(system, "WINDOWS", True)
    profile = tmp_path / "Users" / "clerk"
    profile.mkdir(parents=True)
    monkeypatch.setenv("USERPROFILE", str(profile))
    monkeypatch.setenv("USERNAME", "clerk")
    tools = tmp_path / "bin"
    tools.mkdir()
    icacls = tools / "icacls"
    icacls.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/asked"\n', encoding="utf-8")
    icacls.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    return profile, tools


def test_windows_key_under_the_profile_is_cut_to_its_owner(township, windows, capsys, monkeypatch):
    profile, tools = windows
    key = profile / "AppData" / "zoudu" / "township.key"
    monkeypatch.setenv("ZOUDU_KEY", str(key))
    code, out, err = run(capsys, "--root", str(township.root), "keys", "init")
    assert code == 0 and err == "", err
    assert (tools / "asked").read_text(encoding="utf-8").split("\n")[:-1] == [
        str(key), "/inheritance:r", "/grant:r", "clerk:F"]


def test_windows_key_outside_the_profile_is_said(township, windows, capsys, monkeypatch, tmp_path):
    key = tmp_path / "U盘" / "township.key"  # a USB stick: readable by whoever holds it
    monkeypatch.setenv("ZOUDU_KEY", str(key))
    code, out, err = run(capsys, "--root", str(township.root), "keys", "init")
    assert code == 0 and "outside your user profile" in err
    code, out, err = run(capsys, "--root", str(township.root), "seal", "--month", "2026-10")
    assert code == 0 and "outside your user profile" in err


def test_windows_refusing_to_cut_the_access_list_is_said(township, windows, capsys, monkeypatch):
    profile, tools = windows
    (tools / "icacls").write_text("#!/bin/sh\nexit 5\n", encoding="utf-8")
    monkeypatch.setenv("ZOUDU_KEY", str(profile / "township.key"))
    code, out, err = run(capsys, "--root", str(township.root), "keys", "init")
    assert code == 0 and "did not let the private key's file be limited to its owner" in err


def test_windows_keeps_the_key_in_the_roaming_profile_by_default(township, windows, capsys, monkeypatch):
    profile, tools = windows
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("APPDATA", str(profile / "AppData" / "Roaming"))
    code, out, err = run(capsys, "--root", str(township.root), "keys", "init")
    assert code == 0 and err == "", err
    (key,) = (profile / "AppData" / "Roaming" / "zoudu").rglob("township.key")
    assert str(key) in out
