"""The real command line run inside the test process (``zoudu.cli.main.main``): what a clerk
sees on stdout and stderr and the exit status, without a new interpreter for every command."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import NamedTuple


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def zoudu(*args: str, root: Path | None = None, lang: str = "en") -> Ran:
    from zoudu import i18n
    from zoudu.cli.main import main

    argv = (["--root", str(root)] if root else []) + ["--lang", lang, *args]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            i18n.set_explicit("en")  # the language the other tests of this process expect
    return Ran(code, out.getvalue(), err.getvalue())
