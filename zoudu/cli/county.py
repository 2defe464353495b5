"""``zoudu checkpoint`` and ``zoudu county``: the township's signed checkpoint, and the county as its witness."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from zoudu.cli.common import workspace
from zoudu.i18n import _

part = typer.Typer()
county_app = typer.Typer(no_args_is_help=True, help=_("The county's witness: cosigns and checks the townships' checkpoints."))
part.add_typer(county_app, name="county")

COUNTY_DIR_HELP = _("The county's folder (default: here).")


@part.command()
def checkpoint() -> None:
    """Print the township's latest signed checkpoint (with the county's cosignature when it has one)."""
    from zoudu.county import latest_note
    from zoudu.errors import ZouduError

    note = latest_note(workspace())
    if note is None:
        raise ZouduError(_("no checkpoint yet: seal a month first ('zoudu seal --month M')"))
    print(note, end="")


@county_app.command("init")
def county_init(
    folder: Path = typer.Argument(..., metavar="DIR", help=_("The new county folder.")),
    county: str = typer.Option(..., "--county", help=_("The county's name.")),
) -> None:
    """Create a county workspace with the county's witness key (the private key outside the folder)."""
    from zoudu.county import county_init as make

    private, public = make(folder, county)
    print(_("private key (keep it secret, never send it): {path}").format(path=private))
    print(_("public key (give it to every township):"))
    print(public)


@county_app.command("add")
def county_add(
    name: str = typer.Argument(..., metavar="NAME", help=_("The township's name.")),
    path: Path = typer.Option(..., "--path", help=_("The township's copy: its workspace folder or a git clone.")),
    pubkey: Path = typer.Option(..., "--pubkey", help=_("The township's public key file.")),
    root: Optional[Path] = typer.Option(None, "--dir", help=COUNTY_DIR_HELP),
) -> None:
    """Register a township (once): where its copy is and its public key."""
    from zoudu.county import county_add as add, open_county

    folder = add(open_county(root or Path(".")), name, path, pubkey)
    print(_("registered {name}: {folder}").format(name=name, folder=folder))


def _each(names, root, act) -> None:
    import datetime as dt

    from zoudu.county import Outcome, open_county, registered
    from zoudu.errors import ZouduError, visible

    from zoudu.render.progress import bar

    county = open_county(root or Path("."))
    names = registered(county, list(names or []))
    outcomes = []
    with bar(_("Checking the townships"), least=2) as tick:  # a bar at a terminal; said after it is gone
        for done, name in enumerate(names):
            if tick is not None:
                tick(done, len(names))
            try:
                outcomes.append(act(county, name, dt.datetime.now(dt.timezone.utc)))
            except ZouduError as e:  # one township's damage is said and the others are still checked
                outcomes.append(Outcome(name, False, e.one_line()))
    for out in outcomes:
        print(visible(f"{out.township}: {out.message}"))
    if not all(out.ok for out in outcomes):
        raise typer.Exit(1)


@county_app.command("cosign")
def county_cosign(
    names: Optional[List[str]] = typer.Argument(None, metavar="NAME...", help=_("Townships (default: all).")),
    root: Optional[Path] = typer.Option(None, "--dir", help=COUNTY_DIR_HELP),
) -> None:
    """Check each township's seals and latest checkpoint against what was cosigned before, then cosign it."""
    from zoudu.county import cosign_township

    _each(names, root, cosign_township)


@county_app.command("verify")
def county_verify(
    names: Optional[List[str]] = typer.Argument(None, metavar="NAME...", help=_("Townships (default: all).")),
    root: Optional[Path] = typer.Option(None, "--dir", help=COUNTY_DIR_HELP),
) -> None:
    """Check every township against its key and what the county cosigned."""
    from zoudu.county import verify_township

    _each(names, root, lambda county, name, _now: verify_township(county, name))


@county_app.command("audit")
def county_audit(
    month: str = typer.Option(..., "--month", help=_("The month, YYYY-MM.")),
    fmt: str = typer.Option("table", "--format", help=_("table or json.")),
    root: Optional[Path] = typer.Option(None, "--dir", help=COUNTY_DIR_HELP),
) -> None:
    """Audit every township's copy afresh: cadres, errors per rule, commuting cadres, spot checks, seals."""
    import json

    from zoudu.county import open_county
    from zoudu.county_audit import county_month
    from zoudu.errors import ZouduError
    from zoudu.timeparse import parse_month

    if fmt not in ("table", "json"):
        raise ZouduError(_("--format must be table or json, not '{value}'").format(value=fmt))
    from zoudu.render.progress import bar

    with bar(_("Auditing the townships"), least=2) as tick:
        rows = county_month(open_county(root or Path(".")), parse_month(month), progress=tick)
    if fmt == "json":
        print(json.dumps({"month": month, "townships": [r.as_json() for r in rows]}, ensure_ascii=False))
    else:
        from zoudu.render.county import table

        table(rows)


@county_app.command("report")
def county_report(
    month: str = typer.Option(..., "--month", help=_("The month, YYYY-MM.")),
    output: Path = typer.Option(..., "-o", "--output", help=_("The HTML file to write.")),
    root: Optional[Path] = typer.Option(None, "--dir", help=COUNTY_DIR_HELP),
) -> None:
    """One self-contained HTML page: the month across townships and their trend over the months kept."""
    from zoudu.county import open_county, registered
    from zoudu.county_audit import county_month, months_kept
    from zoudu.errors import ZouduError
    from zoudu.render.county import report_page
    from zoudu.timeparse import parse_month

    if output.suffix.lower() not in (".html", ".htm"):
        raise ZouduError(_("the report is an HTML page: name the file .html"), str(output))
    from zoudu.render.progress import bar

    county = open_county(root or Path("."))
    month = parse_month(month)
    months = [m for m in months_kept(county, registered(county)) if m <= month]
    with bar(_("Auditing the townships' months"), least=2) as tick:
        rows = county_month(county, month)
        trend = {}
        for done, m in enumerate(months):
            if tick is not None:
                tick(done, len(months))
            trend[m] = county_month(county, m)
    page = report_page(county.name, month, rows, trend)
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as e:
        raise ZouduError(_("cannot write: {error}").format(error=e.strerror), str(output)) from None
    print(output)


@county_app.command("verify-notice")
def county_verify_notice(
    text: str = typer.Argument(..., metavar="TEXT", help=_("The text of the notice's QR code (a signed checkpoint); - reads it from stdin.")),
    root: Optional[Path] = typer.Option(None, "--dir", help=COUNTY_DIR_HELP),
) -> None:
    """Say whether the county cosigned exactly the checkpoint a notice carries."""
    import sys

    from zoudu.county import open_county, verify_notice
    from zoudu.errors import visible

    out = verify_notice(open_county(root or Path(".")), sys.stdin.read() if text == "-" else text)
    print(visible(f"{out.township}: {out.message}" if out.township else out.message))
    if not out.ok:
        raise typer.Exit(1)
