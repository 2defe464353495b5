"""Entry point: picks the language, runs the Typer app, turns ZouduError into one line.

Kept tiny so that start-up pays only for what a command uses; the commands
themselves live in ``zoudu.commands``.
"""

from __future__ import annotations

import os
import sys


def _lang_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> None:
    from zoudu import i18n
    from zoudu.errors import ZouduError

    args = sys.argv[1:] if argv is None else argv
    i18n.set_explicit(_lang_from_argv(args))
    try:
        from zoudu.commands import app

        app(args=args, prog_name="zoudu")
    except ZouduError as e:
        print(f"zoudu: {i18n._('error')}: {e.one_line()}", file=sys.stderr)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # a bug must still be one clear line, not a traceback
        if os.environ.get("ZOUDU_DEBUG"):
            raise
        print(f"zoudu: {i18n._('internal error (please report it)')}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(3)
