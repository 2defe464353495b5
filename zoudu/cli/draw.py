"""``zoudu draw``: the spot-check draw nobody can steer (docs/guide.md#the-spot-check-draw)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import typer

from zoudu.cli.common import workspace
from zoudu.errors import ZouduError
from zoudu.i18n import _

part = typer.Typer()
draw_app = typer.Typer(
    invoke_without_command=True,
    help=_("The spot-check draw: commit before the month, draw with dice at the meeting, disclose after."))
part.add_typer(draw_app, name="draw")

MONTH_HELP = _("The month drawn, YYYY-MM.")
MEMBER_HELP = _("Id of a member of the discipline group (督查组).")


def _names(ws, cadres: tuple[str, ...], night: str) -> str:
    from zoudu.render.text import printable

    roster = ws.roster.on(dt.date.fromisoformat(night))
    shown = []
    for cid in cadres:
        cadre = roster.get(cid)
        shown.append(printable(f"{cadre.name} ({cid})" if cadre else cid))
    return _(", ").join(shown) if shown else "—"


def _print_rounds(ws, rounds) -> None:
    for number, r in enumerate(rounds, 1):
        print(_("round {n}: the night of {night}: {cadres}").format(n=number, night=r.night,
                                                                    cadres=_names(ws, r.cadres, r.night)))


@draw_app.callback()
def draw(
    ctx: typer.Context,
    month: Optional[str] = typer.Option(None, "--month", help=MONTH_HELP),
    randomness: Optional[str] = typer.Option(None, "--randomness",
                                             help=_("The public random value: the dice rolled at the monthly meeting.")),
    by: Optional[str] = typer.Option(None, "--by", help=MEMBER_HELP),
) -> None:
    """Record the public random value and print, for the discipline group only, the nights and cadres drawn."""
    if ctx.invoked_subcommand is not None:
        return
    if month is None or randomness is None or by is None:
        raise ZouduError(_("zoudu draw needs --month, --randomness and --by (or a command: commit, disclose, "
                           "verify)"))
    from zoudu.ledger import draw as core

    ws = workspace()
    entry_id, rounds = core.draw(ws, month, randomness, by)
    print(_("recorded {id}: the public value of the draw of {month}").format(id=entry_id, month=month))
    print(_("for the discipline group only, until the secret is disclosed:"))
    _print_rounds(ws, rounds)


@draw_app.command("commit")
def commit(
    month: str = typer.Option(..., "--month", help=MONTH_HELP),
    by: str = typer.Option(..., "--by", help=MEMBER_HELP),
) -> None:
    """Before the month: record the commitment to a fresh secret, kept outside the workspace."""
    from zoudu.ledger import draw as core

    entry_id, path = core.commit(workspace(), month, by)
    print(_("recorded {id}: the commitment of the draw of {month}").format(id=entry_id, month=month))
    print(_("the secret (keep it within the discipline group until the month is over):"))
    print(path)


@draw_app.command("disclose")
def disclose(
    month: str = typer.Option(..., "--month", help=MONTH_HELP),
    by: Optional[str] = typer.Option(None, "--by", help=MEMBER_HELP),
) -> None:
    """After the month: record the secret, so that anyone can recompute the draw."""
    from zoudu.ledger import draw as core

    ws = workspace()
    entry_id, rounds = core.disclose(ws, month, by)
    print(_("recorded {id}: the secret of the draw of {month}").format(id=entry_id, month=month))
    _print_rounds(ws, rounds)


@draw_app.command("verify")
def verify(month: str = typer.Option(..., "--month", help=MONTH_HELP)) -> None:
    """Recompute the draw from the ledger alone; exit 1 on any mismatch."""
    from zoudu.ledger import draw as core
    from zoudu.render.text import printable

    ok, bad = core.verify(workspace(), month)
    for line in ok:
        print(printable(line))
    for line in bad:
        print(printable(line))
    if bad:
        raise typer.Exit(1)
    print(_("the draw of {month} verifies").format(month=month))
