"""Every text file and pipe names its encoding: a Windows office's default is GBK (cp936), not UTF-8.

tools/test.sh runs the suite with ``-X warn_default_encoding -W error::EncodingWarning``; these
tests also find the calls that no test runs (a static look at the source) and run every
command with the warning made an error.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, clean_env
from tests.support.every_command import commands, make_township

FOLDERS = ("zoudu", "tests", "tools", "bench")
OPENERS = ("open", "fdopen")
TEMPORARY = ("NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile")
RUNNERS = ("run", "Popen", "check_output", "call", "check_call")


def _literal(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _literal(node.body), _literal(node.orelse)
        return a + b if a is not None and b is not None else None
    return None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def text_calls_without_encoding(source: str) -> list[tuple[int, str]]:
    """(line, what) of each call that would read or write text in the system's default encoding."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else None
        named = _keyword(node, "encoding") is not None
        if name in OPENERS and not (owner == "os" and name == "open"):
            method = isinstance(f, ast.Attribute) and name == "open" and owner not in ("io", "builtins")
            mode = _keyword(node, "mode")
            at = 0 if method else 1
            if mode is None and len(node.args) > at:
                mode = node.args[at]
            modes = ["r"] if mode is None else _literal(mode)
            if modes is None:
                found.append((node.lineno, f"{name}() with a mode that is not written out"))
            elif any("b" not in m for m in modes) and not named and len(node.args) <= at + 2:
                found.append((node.lineno, f"{name}() in text mode without encoding"))
        elif name == "read_text" and not named and not node.args:
            found.append((node.lineno, "read_text() without encoding"))
        elif name == "write_text" and not named and len(node.args) < 2:
            found.append((node.lineno, "write_text() without encoding"))
        elif name in RUNNERS:
            text = _keyword(node, "text") or _keyword(node, "universal_newlines")
            if text is not None and not (isinstance(text, ast.Constant) and text.value is False) and not named:
                found.append((node.lineno, f"{name}(text=True) without encoding"))
        elif name == "TextIOWrapper" and not named:
            found.append((node.lineno, "TextIOWrapper() without encoding"))
        elif name in TEMPORARY and not named:
            mode = _literal(_keyword(node, "mode") or (node.args[0] if node.args else ast.Constant("w+b")))
            if mode is None or any("b" not in m for m in mode):
                found.append((node.lineno, f"{name}() in text mode without encoding"))
    return found


def test_no_text_is_read_or_written_in_the_default_encoding():
    found = [f"{path.relative_to(REPO)}:{line}: {what}"
             for folder in FOLDERS for path in sorted((REPO / folder).rglob("*.py"))
             for line, what in text_calls_without_encoding(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("call", ["open(p)", "open(p, 'w')", "p.read_text()", "p.write_text(t)", "p.open()",
                                  "subprocess.run(a, text=True)", "os.fdopen(fd, mode)",
                                  "io.TextIOWrapper(b)", "tempfile.NamedTemporaryFile('w')"])
def test_the_look_finds_each_kind_of_call(call):
    assert text_calls_without_encoding(call)


@pytest.mark.parametrize("call", ["open(p, 'rb')", "open(p, encoding='utf-8')", "p.read_text('utf-8')",
                                  "p.write_text(t, encoding='gbk')", "p.open('wb')", "os.open(p, 0)",
                                  "subprocess.run(a, text=True, encoding='utf-8')", "subprocess.run(a)",
                                  "os.fdopen(fd, 'rb+' if w else 'rb')", "tempfile.NamedTemporaryFile()"])
def test_the_look_passes_what_names_its_encoding_or_is_binary(call):
    assert not text_calls_without_encoding(call)


def test_every_command_runs_with_the_encoding_warning_an_error(tmp_path):
    root = make_township(tmp_path)
    env = dict(clean_env(), ZOUDU_LANG="zh", XDG_CONFIG_HOME=str(tmp_path / "config"))
    for args, codes in commands(root):
        r = subprocess.run([sys.executable, "-X", "warn_default_encoding", "-W", "error::EncodingWarning",
                            "-m", "zoudu", "--root", str(root), *args], capture_output=True, env=env, timeout=120)
        err = r.stderr.decode("utf-8")
        assert r.returncode in codes and "EncodingWarning" not in err and "内部错误" not in err, (args, err)
