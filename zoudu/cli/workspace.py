"""``zoudu init`` and ``zoudu verify``: making a workspace and checking every ledger in it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from zoudu.cli.common import State, workspace
from zoudu.i18n import _

PROGRESS_MONTHS = 3  # verify of fewer months is quick: no bar

part = typer.Typer()



@part.command()
def init(
    directory: Optional[str] = typer.Argument(None, help=_("Folder to create (default: --root or here).")),
    township: Optional[str] = typer.Option(None, "--township", help=_("The township's name (乡镇名), as on the notice.")),
    county: Optional[str] = typer.Option(None, "--county", help=_("The county's name (县名).")),
    start: Optional[str] = typer.Option(None, "--from", help=_("The first day records are kept (default: today); "
                                                               "nothing before it is audited.")),
) -> None:
    """Create a workspace: default rules.yaml (the seed's policy), empty roster, ledgers/."""
    import sys

    from zoudu.ledger.workspace import locate
    from zoudu.ledger.create import init_workspace

    target = Path(directory) if directory else locate(State.root)
    records_from = _records_from(start)
    if sys.stdin.isatty() and sys.stdout.isatty():  # a clerk at a terminal is asked; a script gets placeholders
        if township is None:
            township = input(_("Township name (乡镇名): ")).strip() or None
        if county is None:
            county = input(_("County name (县名): ")).strip() or None
    init_workspace(target, township, county, records_from)
    print(_("created workspace in {path}").format(path=target))
    if township is None or county is None:
        print(_("rules.yaml has placeholders for the names: write township and county in it"), file=sys.stderr)
    root = str(target)
    quoted = root if root.replace("/", "").replace("-", "").replace("_", "").replace(".", "").isalnum() else repr(root)
    print(_("Next steps:"))
    print(_("  1. add the cadres:   zoudu --root {root} roster add c001 --name 刘建国 --post 党委书记 --team "
            "--since 2026-01-01").format(root=quoted))
    print(_("  2. set the supervision phone in {rules} (公示栏上的监督电话)").format(rules=str(target / "rules.yaml")))
    print(_("  3. each day:         zoudu --root {root} checkin 刘建国 --at \"8:02\"   "
            "or   zoudu --root {root} import 考勤机导出.dat").format(root=quoted))


def _records_from(text: str | None):
    """``--from`` as typed, else today in the default rules.yaml's time zone."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from zoudu.timeparse import parse_date

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return parse_date(text, today) if text is not None else today


@part.command()
def verify(
    repair: bool = typer.Option(False, "--repair", help=_("Set an incomplete last line aside in a side file (a complete one only lacking its line break keeps its entry).")),
    sealed: Optional[str] = typer.Option(None, "--sealed", help=_("Check that a month's chain still passes through this published hash.")),
    month: Optional[str] = typer.Option(None, "--month", help=_("The month of --sealed, YYYY-MM (default: any).")),
    pubkey: Optional[str] = typer.Option(None, "--pubkey", help=_("Check every signed seal with this public key file.")),
) -> None:
    """Check every ledger: parses, ids, the chain of hashes; say where and what is wrong."""
    from zoudu.ledger.verify import verify as run

    from zoudu.render.progress import bar

    ws = workspace()
    with bar(_("Checking the ledgers"), least=PROGRESS_MONTHS) as tick:
        report = run(ws, do_repair=repair, progress=tick)
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
    if pubkey is not None:
        from zoudu.ledger.seal_verify import verify_seals

        from zoudu.county import check_cosignature
        from zoudu.ledger.keys import load_public_key

        seals = verify_seals(ws, Path(pubkey))
        seals.problems.extend(check_cosignature(ws, load_public_key(Path(pubkey))))  # the county's witness
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


