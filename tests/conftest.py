"""Shared fixtures: real workspaces in temp folders, and the real CLI in a subprocess (helpers in tests/support/)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from zoudu import i18n
from zoudu.ledger.workspace import Workspace

from tests.support.workspace import REPO, TZ, Clock, clean_env, make_workspace, run_cli  # noqa: F401 - re-exported

_WARN_ENCODING = "PYTHONWARNDEFAULTENCODING"


def pytest_configure(config):
    """The suite runs in parallel workers (pytest-xdist, tools/test.sh), each warning of a default
    encoding as the main process does under ``-X warn_default_encoding``: the flag reaches a worker's
    interpreter through the environment, set here for the workers and taken away again inside each
    one, so that the commands the tests start run in the environment they always had."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.pop(_WARN_ENCODING, None)
    elif sys.flags.warn_default_encoding and config.getoption("dist", "no") != "no":
        os.environ[_WARN_ENCODING] = "1"


@pytest.fixture(autouse=True)
def english():
    """Messages in English inside the test process, unless a test asks otherwise."""
    i18n.set_explicit("en")
    yield
    i18n.set_explicit(None)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 26, 21, 0, tzinfo=TZ))


@pytest.fixture
def ws(tmp_path: Path, clock: Clock) -> Workspace:
    return make_workspace(tmp_path / "township", clock)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The small township's folder, for tests of the CLI (a test file may define its own)."""
    return make_workspace(tmp_path / "w").root


@pytest.fixture(params=["native", "portable"])
def lock_branch(request, monkeypatch) -> str:
    """Runs a test twice: with this system's own locking and appending (flock, O_APPEND) and
    with the portable branch Windows takes (filelock, seek then write), forced by
    ZOUDU_PORTABLE_LOCK for this process and the commands it starts."""
    from zoudu.system import PORTABLE_ENV

    if request.param == "portable":
        monkeypatch.setenv(PORTABLE_ENV, "1")
    else:
        monkeypatch.delenv(PORTABLE_ENV, raising=False)
    return request.param
