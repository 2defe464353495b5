"""Every command's output survives a console that can only print GBK (a Chinese Windows, code page 936).

Names may hold characters GBK lacks (an emoji, 𠮷 from CJK extension B): they are printed as
``?``, the rest of the line stays readable, and no command fails for it. Real processes with
``PYTHONIOENCODING=gbk`` (strict), as Windows gives a pipe or a redirected file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tests.support.every_command import CADRE, FILE_FORMATS, commands, help_pages, make_township


def gbk(*args: str, root: Path, env: dict[str, str] | None = None, lang: str = "zh") -> subprocess.CompletedProcess:
    full = dict(clean_env(), PYTHONIOENCODING="gbk", ZOUDU_LANG=lang, **(env or {}))
    return subprocess.run([sys.executable, "-m", "zoudu", "--root", str(root), *args], capture_output=True,
                          env=full, timeout=120)


def said(r: subprocess.CompletedProcess) -> tuple[str, str]:
    """stdout and stderr read as GBK: they must be GBK, every byte of them."""
    return r.stdout.decode("gbk"), r.stderr.decode("gbk")


@pytest.fixture(scope="module")
def township(tmp_path_factory) -> Path:
    return make_township(tmp_path_factory.mktemp("gbk"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_prints_through_a_gbk_console(township, lang):
    env = {"XDG_CONFIG_HOME": str(township.parent / "config")}
    shown = []
    for args, codes in commands(township):
        r = gbk(*args, root=township, env=env, lang=lang)
        file_format = args[0] == "publish" and set(args) & FILE_FORMATS
        out = r.stdout.decode("utf-8") if file_format else r.stdout.decode("gbk")
        err = r.stderr.decode("gbk")
        assert r.returncode in codes, (args, r.returncode, err)
        assert "Traceback" not in err and "internal error" not in err and "内部错误" not in err, (args, err)
        shown.append(out + err)
    everything = "\n".join(shown)
    assert "王?" in everything  # the name, its emoji replaced
    assert "?村" in everything


def test_every_help_page_prints_through_a_gbk_console(township):
    for page in help_pages():
        r = gbk(*page, root=township)
        out, err = said(r)
        assert r.returncode == 0 and out.strip() and not err, (page, err)


def test_the_console_is_not_touched_when_it_can_print_everything(township):
    full = dict(clean_env(), PYTHONIOENCODING="utf-8", ZOUDU_LANG="zh")
    r = subprocess.run([sys.executable, "-m", "zoudu", "--root", str(township), "dossier", "c003"],
                       capture_output=True, env=full, timeout=120)
    assert r.returncode == 0 and CADRE in r.stdout.decode("utf-8")


def test_start_up_sets_replace_without_loading_more(township):
    """The console is set up before anything else and costs no import of its own."""
    probe = ("import sys; from zoudu.cli import main as m; before = set(sys.modules); "
             "from zoudu import system; system.console_never_fails(); "
             "print(sys.stdout.errors, sorted(set(sys.modules) - before - {'zoudu.system'}))")
    env = dict(clean_env(), PYTHONIOENCODING="gbk")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env, timeout=60, cwd=os.getcwd())
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode("gbk").split() == ["replace", "[]"]
