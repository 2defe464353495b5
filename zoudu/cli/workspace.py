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
    repair: bool = typer.Option(False, "--repair", help=_("Set an incomplete last line aside in a side file.")),
    sealed: Optional[str] = typer.Option(None, "--sealed", help=_("Check that a month's chain still passes through this published hash.")),
    month: Optional[str] = typer.Option(None, "--month", help=_("The month of --sealed (default: any).")),
    pubkey: Optional[str] = typer.Option(None, "--pubkey", help=_("Check every signed seal with this public key file.")),
) -> None:
    """Check every ledger: parses, ids, the chain of hashes; say where and what is wrong."""
    from zoudu.ledger.verify import verify as run

    ws = workspace()
    report = run(ws, do_repair=repair)
    for ledger, side in report.repaired:
        print(_("{ledger}: incomplete last line moved to {side}").format(ledger=ledger, side=side))
    for p in report.problems:
        print(f"{p.where}: {p.message}")
    if sealed is not None:
        from zoudu.publish.seal import check_seal

        ok, message = check_seal(ws, sealed, month)
        print(message)
        if not ok:
            raise typer.Exit(1)
    if pubkey is not None:
        from zoudu.publish.seal import verify_seals

        seals = verify_seals(ws, Path(pubkey))
        report.problems += seals.problems
        for p in seals.problems:
            print(f"{p.where}: {p.message}")
        for line in seals.late:
            print(_("late (added after a seal, not damage): {entry}").format(entry=line))
        print(_("{n} signed seal(s) checked").format(n=seals.seals))
    if report.problems:
        print(_("{n} problem(s) in {files} ledger(s)").format(n=len(report.problems), files=report.files))
        raise typer.Exit(1)
    print(_("{files} ledger(s), {entries} entries: all intact").format(files=report.files, entries=report.entries))


