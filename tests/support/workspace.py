"""A small township in a temp folder, a settable clock, and the real CLI (in this process, or in a subprocess)."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo
from zoudu.ledger import record_roster
from zoudu.ledger.create import init_workspace
from zoudu.ledger.workspace import Workspace

TZ = ZoneInfo("Asia/Shanghai")
PHONE = "0794-6321358"  # the test township's supervision phone (init writes a placeholder, which publish refuses)
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
    set_phone(root)
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


def set_phone(root: Path, phone: str = PHONE) -> None:
    """rules.yaml's supervision phone set to a real number, as a clerk does before the first publish."""
    from zoudu.ledger.settings import PLACEHOLDER_PHONE

    rules = root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert f'"{PLACEHOLDER_PHONE}"' in text
    rules.write_text(text.replace(f'"{PLACEHOLDER_PHONE}"', f'"{phone}"', 1), encoding="utf-8")


def run_cli(*args: str, root: Path | None = None, lang: str = "en", input: str | None = None,
            env: dict[str, str] | None = None, process: bool = False) -> subprocess.CompletedProcess:
    """The command line as a clerk runs it: in this process (Typer's app through ``main``, its
    output captured), or with ``process=True`` in a real subprocess. A real process is taken
    anyway where one is what is tested: from another thread (concurrent clerks), when the
    environment changes what a process is (``PYTHON*`` variables, a preloaded library), and for
    help pages (their words are fixed when the commands are first imported, in one language)."""
    argv = (["--root", str(root)] if root else []) + list(args)
    full_env = clean_env()
    if lang:
        full_env["ZOUDU_LANG"] = lang
    full_env.update(env or {})
    if process or threading.current_thread() is not threading.main_thread() or "--help" in args or any(
            k.startswith(("PYTHON", "LD_")) for k in (env or {})):
        return subprocess.run([sys.executable, "-m", "zoudu", *argv], capture_output=True, text=True,
                              encoding="utf-8", env=full_env, input=input, timeout=120)
    return _in_process(argv, full_env, input)


def _in_process(argv: list[str], full_env: dict[str, str], input: str | None) -> subprocess.CompletedProcess:
    """``zoudu.cli.main.main(argv)`` with its own environment, stdin, stdout and stderr; the exit
    status from its ``SystemExit``. What it changes of this process is put back afterwards."""
    from zoudu import i18n
    from zoudu.cli.main import main

    saved_env, saved_io = dict(os.environ), (sys.stdin, sys.stdout, sys.stderr)
    saved_lang = (i18n._explicit, i18n._translation, i18n._lang)
    out, err = io.BytesIO(), io.BytesIO()
    wout = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    werr = io.TextIOWrapper(err, encoding="utf-8", newline="", write_through=True)
    sys.stdout, sys.stderr = wout, werr
    sys.stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    os.environ.clear()
    os.environ.update(full_env)
    code = 0
    try:
        main(argv)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        wout.flush()
        werr.flush()
        wout.detach(), werr.detach()  # the captured bytes outlive the wrappers
        sys.stdin, sys.stdout, sys.stderr = saved_io
        os.environ.clear()
        os.environ.update(saved_env)
        i18n._explicit, i18n._translation, i18n._lang = saved_lang
    return subprocess.CompletedProcess(["zoudu", *argv], code, out.getvalue().decode("utf-8"),
                                       err.getvalue().decode("utf-8"))


def own_cache(monkeypatch, tmp_path: Path) -> Path:
    """Caches on, in a folder of this test's own (``ZOUDU_NO_CACHE`` unset): the folder zoudu keeps them in."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ZOUDU_NO_CACHE", raising=False)
    return tmp_path / "cache" / "zoudu"
