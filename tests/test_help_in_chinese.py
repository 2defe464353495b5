"""Every help page speaks the clerk's language, Typer's own words included; --lang anywhere
(docs/guide.md#typing-times-names-and-rules)."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from zoudu.cli.app import app

ENGLISH = ("Show this message and exit", "Options", "Usage", "Arguments", "Commands", "[required]", "default:")


def every_command() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = [()]
    for info in app.registered_commands:
        found.append((info.name or info.callback.__name__.replace("_", "-"),))
    for group in app.registered_groups:
        found.append((group.name,))
        for info in group.typer_instance.registered_commands:
            found.append((group.name, info.name or info.callback.__name__.replace("_", "-")))
    return found


@pytest.mark.parametrize("command", every_command(), ids=lambda c: " ".join(c) or "zoudu")
def test_no_help_page_has_typers_english_in_chinese(command, tmp_path):
    r = run_cli(*command, "--help", lang="zh")
    assert r.returncode == 0, r.stderr
    for word in ENGLISH:
        assert word not in r.stdout, f"{word!r} in zoudu {' '.join(command)} --help"
    assert "用法" in r.stdout
    # the summary is Chinese too: some CJK in the first paragraph after the usage line
    summary = r.stdout.split("\n\n")[1]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in summary), summary
    english = run_cli(*command, "--help", lang="en")
    assert "Usage" in english.stdout and "Show this message and exit" in english.stdout


def test_time_and_date_options_say_how_to_write_them():
    for command in (("checkin",), ("village",), ("leave",), ("inspect",), ("report",), ("roster", "add"),
                    ("log",)):
        r = run_cli(*command, "--help", lang="zh")
        assert "2026-11-03" in r.stdout and "写法如" in r.stdout, command


def test_lang_is_accepted_anywhere_on_the_line(tmp_path):
    root = tmp_path / "w"
    run_cli("init", str(root), "--township", "东岭乡", "--county", "某县", lang="zh")
    for argv in (("--lang", "en", "checkin", "nobody"), ("checkin", "--lang", "en", "nobody"),
                 ("checkin", "nobody", "--lang", "en"), ("checkin", "nobody", "--lang=en")):
        r = run_cli("--root", str(root), *argv, lang="")
        assert r.returncode == 2 and "unknown cadre" in r.stderr, argv
    assert "Show this message" in run_cli("checkin", "--help", "--lang", "en", lang="").stdout
    bad = run_cli("checkin", "c1", "--lang", "fr", root=root, lang="")
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
