"""Outside a workspace (docs/guide.md) the error names --root DIR, ZOUDU_ROOT and cd, and the workspace folder
found just below (run from its parent) or above (run inside ledgers/); it never advises 'zoudu init' then."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import township_by_cli


def run_in(folder: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
    """The real command line started in ``folder``, with no --root and no ZOUDU_ROOT."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    env["ZOUDU_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "zoudu", *args], cwd=folder, capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=120)


@pytest.fixture
def root(tmp_path, cli) -> Path:
    return township_by_cli(cli, tmp_path / "石庄乡台账")


def one_line_refusal(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    return r.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_from_the_parent_folder_the_workspace_below_is_named(root, lang):
    said = one_line_refusal(run_in(root.parent, "log", "--month", "2026-11", lang=lang))
    assert str(root) in said
    assert f"--root {root}" in said and f"ZOUDU_ROOT={root}" in said and f"cd {root}" in said
    assert "zoudu init" not in said


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_inside_ledgers_the_workspace_above_is_named(root, lang):
    said = one_line_refusal(run_in(root / "ledgers", "audit", "--month", "2026-11", lang=lang))
    assert f"--root {root}" in said and f"ZOUDU_ROOT={root}" in said and f"cd {root}" in said
    assert "zoudu init" not in said


def test_far_from_any_workspace_the_ways_to_name_one_are_said(tmp_path):
    empty = tmp_path / "空"
    empty.mkdir()
    said = one_line_refusal(run_in(empty, "log"))
    assert "--root DIR" in said and "ZOUDU_ROOT" in said and "cd" in said
    said = one_line_refusal(run_in(empty, "log", lang="zh"))
    assert "--root" in said and "ZOUDU_ROOT" in said and "cd" in said and "台账" in said
