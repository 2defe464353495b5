"""``zoudu log``: what was recorded, one entry a line, each with its id (to void it, say)."""

from __future__ import annotations

from typing import Optional

import typer

from zoudu.cli.common import date_help, workspace
from zoudu.errors import ZouduError
from zoudu.errors import visible
from zoudu.i18n import _

part = typer.Typer()


@part.command("log", help=_("List the entries of a day or a month, one a line with its id; --id shows one entry."))
def log(
    day: Optional[str] = typer.Option(None, "--day", help=date_help(_("The day to list (default: today)."))),
    month: Optional[str] = typer.Option(None, "--month", help=_("The month to list, YYYY-MM (also 2026年11月).")),
    cadre: Optional[str] = typer.Option(None, "--cadre", help=_("Only this cadre (id or unique name).")),
    entry_id: Optional[str] = typer.Option(None, "--id", help=_("Show this one entry whole, e.g. 2026-11-0013.")),
) -> None:
    from zoudu.ledger import describe
    from zoudu.ledger.record import now
    from zoudu.ledger.roster import find_cadre
    from zoudu.timeparse import parse_date, parse_month

    ws = workspace()
    if entry_id is not None:
        if day or month or cadre:
            raise ZouduError(_("--id shows one entry: it takes no --day, --month or --cadre"))
        print("\n".join(visible(line) for line in describe.whole(ws, entry_id)))
        return
    if day is not None and month is not None:
        raise ZouduError(_("give --day or --month, not both"))
    today = now(ws).date()
    the_month = parse_month(month) if month is not None else None
    the_day = parse_date(day, today) if day is not None else None if the_month else today
    who = find_cadre(ws.roster, cadre).id if cadre else None
    lines = describe.listing(ws, the_day, the_month, who)
    for line in lines:
        print(visible(line))
    if not lines:
        import sys

        print(_("nothing recorded there"), file=sys.stderr)
