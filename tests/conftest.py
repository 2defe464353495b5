"""Shared fixtures: real workspaces in temp folders, and the real CLI in a subprocess (helpers in tests/support/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zoudu import i18n
from zoudu.ledger.workspace import Workspace

from tests.support.workspace import REPO, TZ, Clock, make_workspace, run_cli  # noqa: F401 - re-exported

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
