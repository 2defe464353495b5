"""A changed translation reaches a closed month's kept output with no cache cleared by hand:
the compiled catalog is part of every cache's code key (docs/architecture.md#caches)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo

from tests.support.cli import township_by_cli

MONTH = "2026-11"


def test_a_recompiled_message_reaches_a_closed_months_kept_json(cli, tmp_path):
    root = township_by_cli(cli, tmp_path / "w")
    package = tmp_path / "copy" / "zoudu"
    shutil.copytree(Path(__import__("zoudu").__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    env.update(PYTHONPATH=str(package.parent), XDG_CACHE_HOME=str(tmp_path / "cache"), ZOUDU_LANG="zh")

    def audit() -> str:
        r = subprocess.run([sys.executable, "-m", "zoudu", "--root", str(root), "audit", "--month", MONTH,
                            "--format", "json"], capture_output=True, text=True, encoding="utf-8", env=env,
                           cwd=tmp_path, timeout=120)
        assert r.returncode == 1, r.stderr
        return r.stdout

    where = subprocess.run([sys.executable, "-c", "import zoudu; print(zoudu.__file__)"], capture_output=True,
                           text=True, encoding="utf-8", env=env, cwd=tmp_path).stdout
    assert where.strip() == str(package / "__init__.py")
    first = audit()
    assert list((tmp_path / "cache" / "zoudu").glob("shown-*.msgpack"))  # the closed month is kept
    mo = package / "locale" / "zh_CN" / "LC_MESSAGES" / "zoudu.mo"
    with open(mo, "rb") as fh:
        catalog = read_mo(fh)
    template = ("{slot}: no office sign-in between {start} and {end} and no witnessed village entry on {day}")
    message = next(m for m in catalog if m.id == template)  # the words of every signin.missing
    assert "无群众签字的下村记录" in message.string and "无群众签字的下村记录" in first
    message.string = message.string.replace("无群众签字的下村记录", "【改过的译文】")
    with open(mo, "wb") as fh:
        write_mo(fh, catalog)
    again = audit()
    assert "【改过的译文】" in again and "无群众签字的下村记录" not in again
