"""Entry point: picks the language, runs the Typer app, turns ZouduError into one line.

Kept tiny so that start-up pays only for what a command uses; the commands
themselves live in ``zoudu.cli.record``.
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


_GLOBAL_WITH_VALUE = ("--root", "--lang")


def _hoist_lang(argv: list[str]) -> list[str]:
    """``--lang X`` is accepted anywhere on the line: moved to the front, where the app reads it."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == "--lang" and i + 1 < len(argv):
            front = [arg, argv[i + 1]]
            i += 2
            continue
        if arg.startswith("--lang="):
            front = [arg]
            i += 1
            continue
        rest.append(arg)
        i += 1
    return front + rest


# Options that take several values after one flag (docs/guide.md#commands-at-a-glance:
# ``inspect --present ID... --absent ID...``).
_MANY = {"inspect": ("--present", "--absent")}


def _spread_many(argv: list[str]) -> list[str]:
    """``--present a b --absent c`` said as Click reads it: ``--present a --present b --absent c``."""
    flags = next((_MANY[a] for a in argv if a in _MANY), ())
    if not flags:
        return argv
    out: list[str] = []
    current = None
    for arg in argv:
        if arg in flags:
            current = arg
            out.append(arg)
            continue
        if arg.startswith("-"):
            current = None
        elif current is not None and out and out[-1] != current:
            out.append(current)  # one more value of the same option
        out.append(arg)
    return out


def _click_words() -> list[tuple[str, str]]:
    """Typer's and Click's own words on a help page, and what the clerk reads instead."""
    from zoudu.i18n import _

    return [
        ("Usage: ", _("Usage: ")),
        ("[OPTIONS]", _("[OPTIONS]")),
        ("COMMAND [ARGS]...", _("COMMAND [ARGS]...")),
        ("Show this message and exit.", _("Show this message and exit.")),
        ("[required]", _("[required]")),
        ("; required]", "; " + _("required") + "]"),
        ("[default: ", "[" + _("default: ")),
    ]


_SECTIONS = ("Options", "Arguments", "Commands")


def translate_help(text: str) -> str:
    """A help page with Typer's English words said in the clerk's language (nothing changes in English)."""
    import re

    from zoudu import i18n
    from zoudu.i18n import _

    if i18n.current() == "en":
        return text
    for english, said in _click_words():
        text = text.replace(english, said)
    titles = {"Options": _("Options"), "Arguments": _("Arguments"), "Commands": _("Commands")}
    return re.sub(r"^(Options|Arguments|Commands):$", lambda m: titles[m.group(1)] + "：", text, flags=re.M)


def _translated_help_pages() -> None:
    """Every help page (``--help``, a bare group) passes through ``translate_help``."""
    from typer._click import core

    if getattr(core.Context.get_help, "_zoudu", False):
        return
    original = core.Context.get_help

    def get_help(self) -> str:
        return translate_help(original(self))

    get_help._zoudu = True  # type: ignore[attr-defined]
    core.Context.get_help = get_help


def _command_name(argv: list[str]) -> str | None:
    """The subcommand a clerk asked for, skipping the global options before it."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _GLOBAL_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            if arg.split("=", 1)[0] in _GLOBAL_WITH_VALUE:
                continue
            return None  # --help and the like: the whole app
        return arg
    return None


def _app_for(argv: list[str]):
    """The Typer app, trimmed to the one command asked for.

    Typer inspects the signature of every registered command before it runs
    any, which costs about a millisecond a command on each start-up; a clerk
    signing in pays only for ``checkin``. Help and mistakes get the whole app.
    """
    import copy

    from zoudu.cli.app import app

    name = _command_name(argv)
    commands = [c for c in app.registered_commands if (c.name or c.callback.__name__.replace("_", "-")) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    trimmed = copy.copy(app)
    trimmed.registered_commands = commands
    trimmed.registered_groups = groups
    return trimmed


def _usage_message(e) -> str:
    """Click's usage errors are English; the common ones are said again through our catalog."""
    import re

    from typer._click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchOption

    from zoudu.i18n import _

    if isinstance(e, NoSuchOption):
        return _("there is no option {option}").format(option=e.option_name)
    if isinstance(e, MissingParameter) and e.param is not None and e.ctx is not None:
        return _("{name} is missing").format(name=e.param.get_error_hint(e.ctx))
    if isinstance(e, BadParameter) and e.param is not None and e.ctx is not None:
        return _("the value given for {name} is not right: {detail}").format(
            name=e.param.get_error_hint(e.ctx), detail=e.message)
    if isinstance(e, BadOptionUsage) and "requires an argument" in e.message:
        return _("{option} needs a value").format(option=e.option_name)
    # Click names the closest command first ("Did you mean 'checkin', 'checkpoint'?"): the clerk gets that one
    unknown = re.match(r"No such command '(.+?)'\.(?: Did you mean '(.+?)'(?:, '.+?')*\?)?", e.message)
    if unknown:
        said = _("there is no command {command}").format(command=unknown.group(1))
        return said + (_("; did you mean {command}?").format(command=unknown.group(2)) if unknown.group(2) else "")
    return e.format_message()


def main(argv: list[str] | None = None) -> None:
    from zoudu import i18n
    from zoudu.errors import ZouduError

    from zoudu.errors import visible

    from zoudu import system

    system.console_never_fails()
    system.write_errors_not_signals()
    args = _spread_many(_hoist_lang(sys.argv[1:] if argv is None else argv))
    i18n.set_explicit(_lang_from_argv(args))
    try:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

        _translated_help_pages()

        try:
            code = _app_for(args)(args=args, prog_name="zoudu", standalone_mode=False)
        except NoArgsIsHelpError as e:  # plain "zoudu": help, not an error
            print(e.ctx.get_help() if e.ctx else "")
            code = 0
        except UsageError as e:  # one line, like every other error, in the clerk's language
            hint = f"{e.ctx.command_path} --help" if e.ctx else "zoudu --help"
            print(visible(f"zoudu: {i18n._('error')}: {_usage_message(e)} ({hint})"), file=sys.stderr)
            code = e.exit_code
        except ClickException as e:
            print(visible(f"zoudu: {i18n._('error')}: {e.format_message()}"), file=sys.stderr)
            code = e.exit_code
        sys.exit(code if isinstance(code, int) else 0)
    except ZouduError as e:
        print(f"zoudu: {i18n._('error')}: {e.one_line()}", file=sys.stderr)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except MemoryError:
        said = i18n._("not enough memory: a file is far larger than any ledger; run 'zoudu verify' to find it")
        print(f"zoudu: {i18n._('error')}: {said}", file=sys.stderr)
        sys.exit(2)
    except Exception as e:  # a bug must still be one clear line, not a traceback
        if os.environ.get("ZOUDU_DEBUG"):
            raise
        print(visible(f"zoudu: {i18n._('internal error (please report it)')}: {type(e).__name__}: {e}"),
              file=sys.stderr)
        sys.exit(3)
