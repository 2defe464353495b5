"""The Typer app: global options, then the commands each module of ``zoudu.cli`` declares on its own ``part``.

Command modules never import this one (datasette's way: the app gathers the
parts), so imports run one way: main -> app -> command modules -> core.
"""

from __future__ import annotations

from typing import Optional

import typer

from zoudu import i18n
from zoudu.cli import audit, county, draw, importing, keys, log, policy, publish, record, workspace
from zoudu.cli.common import State
from zoudu.errors import ZouduError
from zoudu.i18n import _

# Each command's summary is its docstring (English, the msgid): tools/i18n.py finds every
# command's docstring, and _said says it in the clerk's language on every help page.


def _said(commands) -> None:
    """Each command's help in the clerk's language: its ``help=``, else its docstring, through the catalog."""
    import inspect

    for info in commands:
        text = info.help if info.help is not None else inspect.getdoc(info.callback) if info.callback else None
        if text:
            info.help = _(text)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help=_("zoudu (走读): the township's ledger of sign-ins, village work, leave and spot checks."),
)

for module in (workspace, record, policy, importing, log, audit, publish, keys, draw, county):
    app.registered_commands.extend(module.part.registered_commands)
    app.registered_groups.extend(module.part.registered_groups)
_said(app.registered_commands)
for group in app.registered_groups:
    _said(group.typer_instance.registered_commands)


@app.callback()
def _global(
    root: Optional[str] = typer.Option(None, "--root", help=_("Workspace folder (default: $ZOUDU_ROOT, else here).")),
    lang: Optional[str] = typer.Option(None, "--lang", help=_("Language: zh or en (default: rules.yaml's locale).")),
) -> None:
    State.root = root
    if lang is not None:
        if i18n.normalise(lang) is None:
            raise ZouduError(_("--lang must be zh or en, not '{lang}'").format(lang=lang))
        i18n.set_explicit(lang)
