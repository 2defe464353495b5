"""A usage mistake (missing argument, unknown option or command, bad --lang) is one line, in the clerk's language."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("args", [["--bogus"], ["checkin"], ["roster", "list", "--bogus"], ["audit", "--month"]])
def test_usage_errors_are_one_line(cli, root, args):
    r = cli(*args, root=root)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "--help" in r.stderr


def test_plain_zoudu_prints_help(cli):
    r = cli()
    assert r.returncode == 0 and "checkin" in r.stdout


def test_an_unknown_lang_is_refused_in_the_environment_language(cli, root):
    r = cli("--lang", "fr", "verify", root=root, lang="en")
    assert r.returncode == 2 and "--lang must be zh or en" in r.stderr


@pytest.mark.parametrize("args,chinese", [
    (["checkin"], "缺少 'CADRE...'"),
    (["--bogus"], "没有 --bogus 这个选项"),
    (["chekin"], "没有 chekin 这个命令；是不是要用 checkin？"),
    (["checkin", "c003", "--at"], "--at 后面要写上取值"),
])
def test_usage_errors_speak_chinese_too(cli, root, args, chinese):
    r = cli(*args, root=root, lang="")
    assert r.returncode == 2 and chinese in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
