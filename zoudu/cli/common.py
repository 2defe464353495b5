"""What every command module shares: the workspace the clerk named, and how recorded ids are printed."""

from __future__ import annotations

import sys
from typing import Optional

from zoudu.errors import visible
from zoudu.i18n import _

BY_HELP = _("Cadre id of who records this (default: the operating-system user).")


class State:
    root: Optional[str] = None


def workspace():
    from zoudu.ledger.workspace import Workspace, locate

    ws = Workspace(locate(State.root))
    ws.settings  # noqa: B018 - read rules.yaml first: it picks the language of every later message
    return ws


def recorded(ids: list[str], ws=None) -> None:
    """Every recording command prints the new entries' ids, one per line, on stdout.

    With the workspace, each line goes on to say the entry in words (the id still
    first: the contract), and what deserves a second look is warned on stderr.
    """
    lines = ids
    if ws is not None:
        from zoudu.ledger import describe

        new, context = describe.read_back(ws, ids)
        if len(new) == len(ids):
            lines = [describe.line(f, ws.settings, ws.roster) for f in new]
            for f in new:
                target = next((e for e in context if f.get("kind") == "void" and e.get("id") == f.get("target")), None)
                if target is not None:
                    print(visible(_("it voids: {entry}").format(entry=describe.line(target, ws.settings, ws.roster))),
                          file=sys.stderr)
            for warning in describe.warnings(ws, new, context):
                print(visible(f"zoudu: {_('warning')}: {warning}"), file=sys.stderr)
    for line in lines:
        print(visible(line))
    print(_("recorded: {n} entry(ies)").format(n=len(ids)), file=sys.stderr)


def time_help(what: str) -> str:
    """An option's help followed by how a time is written."""
    from zoudu.timeparse import TIME_FORMATS

    return _join(what, _("Written like {formats}.").format(formats=TIME_FORMATS))


def date_help(what: str) -> str:
    """An option's help followed by how a day is written."""
    from zoudu.timeparse import DATE_FORMATS

    return _join(what, _("Written like {formats}.").format(formats=DATE_FORMATS))


def bound_help(what: str) -> str:
    """A leave bound: a time, or a day meaning the whole day."""
    from zoudu.timeparse import DATE_FORMATS, TIME_FORMATS

    return _join(what, _("Written like {formats}.").format(formats=TIME_FORMATS + "; " + DATE_FORMATS))


def _join(first: str, second: str) -> str:
    """Two sentences: a space after an English full stop, none after a Chinese one."""
    return first + ("" if first.endswith(("。", "）")) else " ") + second


def warn_placeholders(ws) -> None:
    """A workspace still headed with init's placeholder names is said on stderr (audit, publish)."""
    from zoudu.ledger.create import placeholder_names

    for line in placeholder_names(ws.settings):
        print(visible(f"zoudu: {_('warning')}: {line}"), file=sys.stderr)
