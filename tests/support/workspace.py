"""A small township in a temp folder, a settable clock, and the real CLI in a subprocess."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo
from zoudu.ledger import record_roster
from zoudu.ledger.create import init_workspace
from zoudu.ledger.workspace import Workspace

TZ = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parent.parent.parent


class Clock:
    """A settable clock for recording: tests say what 'now' is."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, text: str) -> None:
        self.moment = dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def make_workspace(root: Path, clock: Clock | None = None) -> Workspace:
    """A small township: two leaders, four cadres (two of them named 张伟)."""
    init_workspace(root, "石庄乡", "崇仁县")
    ws = Workspace(root, clock=clock or Clock(dt.datetime(2026, 11, 26, 21, 0, tzinfo=TZ)))
    # The roster is set up before anything else is recorded: its log's clock never goes back.
    now, ws.clock.moment = ws.clock.moment, dt.datetime(2026, 1, 1, 9, 0, tzinfo=TZ)
    for args in (
        ("c001", "刘书记", "党委书记", True, None, None),
        ("c002", "纪委书记", "纪委书记", True, "c001", None),
        ("c003", "李四", "干部", False, "c001", "石庄村"),
        ("c004", "王五", "干部", False, "c002", "富溪村"),
        ("c005", "张伟", "干部", False, "c002", "官山村"),
        ("c006", "张伟", "干部", False, "c002", "尧家村"),
    ):
        cadre_id, name, post, team, sup, village = args
        record_roster.roster_add(ws, cadre_id, name, post, team, sup, village, "2026-01-01")
    ws.clock.moment = now
    return Workspace(root, clock=ws.clock)


# Chooses how zoudu locks and appends (tests/test_portable_lock.py), not what a command does: kept.
KEPT = ("ZOUDU_PORTABLE_LOCK",)


def clean_env() -> dict[str, str]:
    """This process's environment without the ZOUDU_ settings a test might have left (but the lock switch)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_") or k in KEPT}


def run_cli(*args: str, root: Path | None = None, lang: str = "en", input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess, as a clerk would run it."""
    full_env = clean_env()
    if lang:
        full_env["ZOUDU_LANG"] = lang
    full_env.update(env or {})
    argv = [sys.executable, "-m", "zoudu"] + (["--root", str(root)] if root else []) + list(args)
    return subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", env=full_env, input=input, timeout=120)
