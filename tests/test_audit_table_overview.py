"""The audit table opens with an overview (per cadre: errors, warnings, of which rules) before the details,
and a finding overturned on appeal is shown as overturned in the level column, never as an error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import township_by_cli

ID = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{4}) ")


@pytest.fixture
def root(tmp_path, cli) -> Path:
    """c001 secretary; c002 team under c001; c003 a cadre under c001 (石庄村)."""
    root = township_by_cli(cli, tmp_path / "w")
    r = cli("appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03", "--slot", "morning",
            "--reason", "在村里开会", root=root)
    assert r.returncode == 0, r.stderr
    r = cli("review", ID.match(r.stdout).group(1), "--decision", "overturned", "--by", "c002", "--reason", "有记录",
            root=root)
    assert r.returncode == 0, r.stderr
    return root


def table(cli, root: Path, lang: str) -> str:
    r = cli("audit", "--month", "2026-11", "--cadre", "c003", root=root, lang=lang, env={"COLUMNS": "200"})
    assert r.returncode == 1, r.stderr
    return r.stdout


def test_the_overview_comes_before_the_details(cli, root):
    text = table(cli, root, "en")
    overview, details = text.index("Overview"), text.index("张伟 (c003): ")
    assert overview < details
    row = next(line for line in text[overview:details].splitlines() if "c003" in line)
    errors = re.search(r"张伟 \(c003\): ([0-9]+) error", text).group(1)
    assert re.search(rf"│\s*{errors}\s*│", row), row  # the same count as the details say
    assert "missed sign-in ×" in row and "too few nights in the township ×" in text[overview:details]


def test_the_overview_in_chinese(cli, root):
    text = table(cli, root, "zh")
    overview, details = text.index("概览"), text.index("张伟（c003）：")
    assert overview < details and "缺签到 ×" in text[overview:details]


@pytest.mark.parametrize("lang, error, overturned", [("en", "error", "overturned"), ("zh", "错误", "撤销")])
def test_an_overturned_finding_is_not_shown_as_an_error(cli, root, lang, error, overturned):
    text = table(cli, root, lang)
    details = text[text.index("c003", text.index("c003") + 1):]  # past the overview
    rows = [line for line in details.splitlines() if line.startswith("│ 2026-11-03")]
    first = next(line for line in rows if "2026-11-03 morning" in line or "2026-11-03 上午" in line)
    level = first.split("│")[3]
    assert overturned in level and error not in level, first
    other = next(line for line in rows if line is not first)
    assert error in other.split("│")[3]
