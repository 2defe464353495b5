"""A stay written after midnight is read back with the evening it covers, as the audit counts it
(docs/choices.md#coverage): after `zoudu village --stay` and in `zoudu log`, "…01:00，计入 11月3日晚"."""

from __future__ import annotations

import pytest

from tests.support.cli import township_by_cli

STAY = ("village", "c003", "--village", "石庄村", "--witness", "村民老王", "--stay",
        "--approver", "c001", "--reason", "日记补录")  # approved: late or not, whenever this runs


@pytest.fixture
def root(cli, tmp_path):
    return township_by_cli(cli, tmp_path / "w")


def recorded(cli, root, *args, lang="zh") -> str:
    r = cli(*args, root=root, lang=lang)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_stay_at_one_in_the_morning_is_read_back_with_the_evening_before(cli, root):
    out = recorded(cli, root, *STAY, "--at", "2026-11-04 01:00")
    assert "11月4日 01:00，计入 11月3日晚" in out
    listed = recorded(cli, root, "log", "--day", "2026-11-04")
    assert "11月4日 01:00，计入 11月3日晚" in listed


def test_a_stay_on_the_first_names_the_last_evening_of_the_month_before(cli, root):
    out = recorded(cli, root, *STAY, "--at", "2026-11-01 02:30")
    assert "11月1日 02:30，计入 10月31日晚" in out
    assert "counted for the evening of 2026-10-31" in recorded(cli, root, "log", "--month", "2026-11", lang="en")


def test_the_english_read_back_says_it_too(cli, root):
    out = recorded(cli, root, *STAY, "--at", "2026-11-04 08:30", lang="en")
    assert "08:30, counted for the evening of 2026-11-03" in out


def test_a_stay_after_the_morning_window_and_a_visit_at_night_say_nothing_of_it(cli, root):
    out = recorded(cli, root, *STAY, "--at", "2026-11-04 08:31")
    assert "计入" not in out
    visit = [a for a in STAY if a != "--stay"]
    out = recorded(cli, root, *visit, "--at", "2026-11-05 01:00")
    assert "计入" not in out
