"""CI drives the demo township through a real Windows CPython under wine (tools/windows_smoke.sh)
after the test suite; the run itself is .ci/run's second step, these tests hold its frame."""

from __future__ import annotations

import os
import subprocess

from tests.support.workspace import REPO

SMOKE = REPO / "tools" / "windows_smoke.sh"


def test_ci_runs_the_windows_smoke_after_the_suite():
    steps = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert "set -euo pipefail" in steps
    assert steps.index("bash tools/test.sh") < steps.index("bash tools/windows_smoke.sh") == len(steps) - 1


def test_the_smoke_s_downloads_are_kept_out_of_git():
    for path in (".cache/windows-smoke/prefix/system.reg", ".cache/wheels/win_amd64/x.whl"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO).returncode == 0, path


def test_the_smoke_fails_loudly_in_one_line_and_touches_nothing_without_a_usable_python(tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHON="/bin/false", ZOUDU_SMOKE_CACHE=str(cache))
    r = subprocess.run(["bash", str(SMOKE)], capture_output=True, text=True, encoding="utf-8", env=env)
    assert r.returncode == 1
    assert r.stderr.splitlines() == ["windows_smoke: FAILED: /bin/false has no pip (set PYTHON=... to a Python with pip)"]
    assert not cache.exists()


def test_the_smoke_checks_every_command_the_spec_names():
    """Each command runs through the `zoudu EXPECTED-EXIT ARGS` helper, which fails on another exit code
    or on an internal error."""
    runs = [line.split("#")[0].split()[1:] for line in SMOKE.read_text(encoding="utf-8").splitlines()
            if line.startswith("zoudu ")]
    commands = [(int(args[0]), args[1]) for args in runs]
    assert (1, "audit") in commands
    for name in ("verify", "publish", "checkin", "log", "dossier", "keys", "seal"):
        assert (0, name) in commands
    assert ["0", "verify", "--pubkey", "keys/township.pub"] in runs
    assert sum(1 for code, name in commands if name == "checkin") == 2
