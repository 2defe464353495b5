"""``zoudu publish`` (the notice-board sheet, 公示) and ``zoudu dossier`` (a cadre's archive, 档案).

Each opens the workspace, makes one library call, renders.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Optional

import typer

from zoudu.commands import app, workspace
from zoudu.errors import ZouduError
from zoudu.i18n import _

PUBLISH_FORMATS = ("terminal", "html", "md", "csv")
DOSSIER_FORMATS = ("table", "json")


def _write(data: bytes, output: Optional[str]) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    try:
        path.write_bytes(data)
    except OSError as e:
        raise ZouduError(_("cannot write the file: {reason}").format(reason=e.strerror or e), output) from None
    print(_("wrote {path}").format(path=output), file=sys.stderr)


@app.command()
def publish(
    month: str = typer.Option(..., "--month", help=_("The month to publish, YYYY-MM.")),
    fmt: str = typer.Option("terminal", "--format", help=_("terminal, html, md or csv.")),
    output: Optional[str] = typer.Option(None, "-o", "--output", help=_("Write to this file instead of stdout.")),
    on: Optional[str] = typer.Option(None, "--date", help=_("Date of publication (default: today).")),
) -> None:
    """The monthly attendance notice (公示) for the notice board, sealed with the ledger's chain head."""
    if fmt not in PUBLISH_FORMATS:
        raise ZouduError(_("--format must be terminal, html, md or csv, not '{value}'").format(value=fmt))
    from zoudu import notice_render
    from zoudu.notice import notice_sheet
    from zoudu.timeparse import parse_date, parse_month

    month = parse_month(month)
    published = parse_date(on) if on else None
    ws = workspace()
    sheet = notice_sheet(ws, month, published)
    for notice in sheet.notices:
        print(f"zoudu: {_('warning')}: {notice}", file=sys.stderr)
    if fmt == "html":
        data = notice_render.html_page(sheet).encode("utf-8")
    elif fmt == "md":
        data = notice_render.markdown(sheet).encode("utf-8")
    elif fmt == "csv":
        data = notice_render.csv_bytes(sheet)
    elif output is not None:
        from rich.console import Console

        buf = io.StringIO()
        notice_render.terminal(sheet, Console(file=buf, width=120, highlight=False, color_system=None))
        data = buf.getvalue().encode("utf-8")
    else:
        notice_render.terminal(sheet)
        return
    _write(data, output)


@app.command()
def dossier(
    cadre: str = typer.Argument(..., metavar="CADRE", help=_("Cadre id or unique name.")),
    start: Optional[str] = typer.Option(None, "--from", help=_("First month, YYYY-MM (default: the first ledger).")),
    end: Optional[str] = typer.Option(None, "--to", help=_("Last month, YYYY-MM (default: the last ledger).")),
    fmt: str = typer.Option("table", "--format", help=_("table or json.")),
) -> None:
    """One cadre's archive (档案) across months: attendance, violations, liability, evaluations."""
    if fmt not in DOSSIER_FORMATS:
        raise ZouduError(_("--format must be table or json, not '{value}'").format(value=fmt))
    from zoudu.dossier import dossier as build, to_json

    record = build(workspace(), cadre, start, end)
    if fmt == "json":
        sys.stdout.write(json.dumps(to_json(record), ensure_ascii=False) + "\n")
        return
    from zoudu.dossier_render import render_dossier

    render_dossier(record)
