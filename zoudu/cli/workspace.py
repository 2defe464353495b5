"""``zoudu init`` and ``zoudu verify``: making a workspace and checking every ledger in it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from zoudu.cli.common import State, workspace
from zoudu.i18n import _

part = typer.Typer()



@part.command()
def init(directory: Optional[str] = typer.Argument(None, help=_("Folder to create (default: --root or here)."))) -> None:
    """Create a workspace: default rules.yaml (the seed's policy), empty roster, ledgers/."""
    from zoudu.ledger.workspace import locate
    from zoudu.ledger.create import init_workspace

    target = Path(directory) if directory else locate(State.root)
    init_workspace(target)
    print(_("created workspace in {path}").format(path=target))


@part.command()
def verify(
    repair: bool = typer.Option(False, "--repair", help=_("Set an incomplete last line aside in a side file (a complete one only lacking its line break keeps its entry).")),
    sealed: Optional[str] = typer.Option(None, "--sealed", help=_("Check that a month's chain still passes through this published hash.")),
    month: Optional[str] = typer.Option(None, "--month", help=_("The month of --sealed (default: any).")),
) -> None:
    """Check every ledger: parses, ids, the chain of hashes; say where and what is wrong."""
    from zoudu.ledger.verify import verify as run

    ws = workspace()
    report = run(ws, do_repair=repair)
    from zoudu.errors import visible

    for ledger, side in report.repaired:
        if side:
            print(_("{ledger}: incomplete last line moved to {side}").format(ledger=ledger, side=side))
        else:
            print(_("{ledger}: the last entry lacked only its line break; added it, the entry is kept").format(
                ledger=ledger))
    for p in report.problems:
        print(visible(f"{p.where}: {p.message}"))
    if sealed is not None:
        from zoudu.publish.seal import check_seal

        ok, message = check_seal(ws, sealed, month)
        print(message)
        if not ok:
            raise typer.Exit(1)
    if report.problems:
        print(_("{n} problem(s) in {files} ledger(s)").format(n=len(report.problems), files=report.files))
        raise typer.Exit(1)
    print(_("{files} ledger(s), {entries} entries: all intact").format(files=report.files, entries=report.entries))


