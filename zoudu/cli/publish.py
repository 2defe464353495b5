"""``zoudu publish`` (the notice-board sheet, 公示) and ``zoudu dossier`` (a cadre's archive, 档案).

Each opens the workspace, makes one library call, renders.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from zoudu import system
from zoudu.cli.common import date_help, warn_placeholders, workspace
from zoudu.errors import ZouduError
from zoudu.i18n import _

PROGRESS_MONTHS = 3  # a dossier of fewer months is quick: no bar

part = typer.Typer()

PUBLISH_FORMATS = ("terminal", "html", "md", "csv")
# ``-o FILE`` without ``--format``: the format its name ends with (.txt: the terminal's table as plain text)
FORMAT_OF_SUFFIX = {".html": "html", ".htm": "html", ".md": "md", ".csv": "csv", ".txt": "terminal"}
DOSSIER_FORMATS = ("table", "json")


def _target(ws, output: str) -> Path:
    """Where ``-o`` really writes (symlinks and '..' resolved); never over the workspace's own files.

    A notice written over a ledger or over rules.yaml would destroy the very records it
    publishes: anything inside ``ledgers/`` (the roster, the lock, every month) and
    ``rules.yaml`` itself are refused before anything is computed or written.
    """
    from zoudu.ledger.workspace import RULES

    try:
        named = Path(output).expanduser()
        target = named.resolve()
        ledgers = ws.ledgers.resolve()
        rules = (ws.root / RULES).resolve()
        folder = named.parent.resolve()
        _name_fits(target)
        if target == rules or target == ledgers or ledgers in target.parents:
            raise ZouduError(_("refusing to write the notice over the workspace's own files (ledgers/ and "
                               "rules.yaml); choose a file outside them"), output)
        if named.is_symlink() and target.parent != folder:
            # The notice goes where it was named: a link planted there must not carry it elsewhere.
            raise ZouduError(_("refusing to write through a symbolic link that leads out of its folder (to {target}); "
                               "name the file itself").format(target=target), output)
        if target.exists() and not target.is_file():
            # A FIFO, a device (/dev/null as root) or a folder is never replaced by a notice.
            raise ZouduError(_("cannot write the file: it is not a regular file (a folder, a pipe or a device); "
                               "choose a file name"), output)
    except (OSError, RuntimeError, ValueError) as e:  # a symlink loop, an unreadable folder, a name too long
        raise ZouduError(_("cannot write the file: {reason}").format(
            reason=getattr(e, "strerror", None) or e), _shown_name(output)) from None
    return target


_TEMP_EXTRA = len(".") + len(".4294967295.ffffffff.tmp")  # what _write's temporary name adds


def _name_fits(target: Path) -> None:
    """Refuse (exit 2) a file name longer than its folder allows, with room for the temporary name."""
    try:
        longest = os.pathconf(target.parent, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    except (OSError, ValueError):
        longest = 255
    size = len(os.fsencode(target.name))
    if size + _TEMP_EXTRA > longest:
        raise ZouduError(_("the file name is too long ({n} bytes; at most {most} here)").format(
            n=size, most=max(longest - _TEMP_EXTRA, 1)), _shown_name(str(target)))


def _shown_name(name: str) -> str:
    """A file name as an error shows it: a very long one cut short, so that the message stays one line."""
    return name if len(name) <= 80 else name[:40] + "…" + name[-20:]


def _write(data: bytes, output: Optional[str], target: Optional[Path] = None) -> None:
    """To stdout, or to ``target`` through a temporary file beside it and a rename.

    A full disk or a crash then leaves either the old file or the new one, never half a
    notice; the temporary file is removed when the write fails.
    """
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = target or Path(output)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        # An existing notice keeps its permissions; a new one gets what the umask allows.
        mode = system.file_mode(target)
        fd = system.open_private(temp)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            system.keep_mode(temp, mode)
            system.replace(temp, target, durable=False)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise ZouduError(_("cannot write the file: {reason}").format(reason=e.strerror or e), output) from None
    print(_("wrote {path}").format(path=output), file=sys.stderr)


@part.command()
def publish(
    month: str = typer.Option(..., "--month", help=_("The month to publish, YYYY-MM.")),
    fmt: Optional[str] = typer.Option(None, "--format", help=_(
        "terminal, html, md or csv (default: from the -o file's extension, .html .htm .md .csv .txt; "
        "else terminal).")),
    output: Optional[str] = typer.Option(None, "-o", "--output", help=_("Write to this file instead of stdout.")),
    on: Optional[str] = typer.Option(None, "--date", help=date_help(_("Date of publication (default: today)."))),
) -> None:
    """The monthly attendance notice (公示) for the notice board, sealed with the ledger's chain head."""
    if fmt is None:
        fmt = format_of(output)
    if fmt not in PUBLISH_FORMATS:
        raise ZouduError(_("--format must be terminal, html, md or csv, not '{value}'").format(value=fmt))
    from zoudu.memo import stages as memo
    from zoudu.render import notice as notice_render
    from zoudu.publish.notice import notice_sheet
    from zoudu.timeparse import parse_date, parse_month

    month = parse_month(month)
    published = parse_date(on) if on else None
    ws = workspace()
    target = _target(ws, output) if output is not None else None
    from zoudu.ledger.publications import check_publication_key

    check_publication_key(ws, month)  # a key publishing needs and would refuse is said before any sheet
    if fmt == "terminal" and output is None:
        sheet = notice_sheet(ws, month, published, calendar=False, audit=memo.audit_month)
        notice_render.terminal(sheet)
        _recorded(ws, month, fmt, sheet.published)
        _warn(sheet.notices)
        warn_placeholders(ws)
        return
    # a closed month's notice is remembered as printed (zoudu.memo.stages.printed); only HTML draws calendars
    sheet = memo.printed(ws, month, published, fmt, _sheet_bytes(fmt), calendar=fmt == "html")
    # every refusal (placeholders, the date, an unknown year, a damaged ledger) came above, before any seal;
    # a month sealed now is printed again, so that its notice carries the seal's checkpoint
    if _sealed_first(ws, month, ids_out=sys.stdout if output is not None else sys.stderr):
        sheet = memo.printed(ws, month, published, fmt, _sheet_bytes(fmt), calendar=fmt == "html")
    _write(sheet.data, output, target)
    _recorded(ws, month, fmt, sheet.published, ids_out=sys.stdout if output is not None else sys.stderr)
    _warn(sheet.notices)
    warn_placeholders(ws)


def format_of(output: Optional[str]) -> str:
    """The format ``-o FILE`` asks for by its extension; the terminal's table without a file."""
    if output is None:
        return "terminal"
    suffix = Path(output).suffix.lower()
    if suffix not in FORMAT_OF_SUFFIX:
        raise ZouduError(_("cannot tell the format from the file name (use .html, .htm, .md, .csv or .txt, "
                           "or give --format terminal, html, md or csv)"), output)
    return FORMAT_OF_SUFFIX[suffix]


def _sheet_bytes(fmt: str):
    """What prints the sheet in ``fmt`` (the terminal's table at 120 columns, for a file)."""
    from zoudu.render import notice as notice_render
    from zoudu.render.notice_html import html_page

    def terminal(sheet) -> bytes:
        from rich.console import Console

        buf = io.StringIO()
        notice_render.terminal(sheet, Console(file=buf, width=120, highlight=False, color_system=None))
        return buf.getvalue().encode("utf-8")

    return {"html": lambda sheet: html_page(sheet).encode("utf-8"),
            "md": lambda sheet: notice_render.markdown(sheet).encode("utf-8"),
            "csv": notice_render.csv_bytes, "terminal": terminal}[fmt]


def _sealed_first(ws, month: str, ids_out) -> bool:
    """The month is sealed before its notice is written (the notice carries the seal's checkpoint);
    the seal's id is said at once, whatever happens to the sheet after. Whether a seal was made."""
    from zoudu.ledger.record import recorder
    from zoudu.ledger.publications import seal_for_notice

    sealed = seal_for_notice(ws, month, recorder(ws, None))
    if sealed is not None:
        print(sealed, file=ids_out)
    return sealed is not None


def _recorded(ws, month: str, fmt: str, published, ids_out=sys.stderr) -> None:
    """Publishing is recorded (and seals the month first if it is not sealed); the new ids go to stdout
    when the sheet went to a file, else to stderr (the sheet owns stdout)."""
    from zoudu.ledger.record import recorder
    from zoudu.ledger.publications import record_publication

    ids = record_publication(ws, month, fmt, published, recorder(ws, None))
    if ids is None:
        print(f"zoudu: {_('warning')}: {_('no signing key: the month was not sealed and the publication not recorded (zoudu keys init)')}",
              file=sys.stderr)
    for entry_id in ids or []:
        print(entry_id, file=ids_out)


def _warn(notices) -> None:
    """Warnings after the sheet is out, so that a failed write stays one line."""
    from zoudu.render import notice as notice_render

    for notice in notices:
        print(f"zoudu: {_('warning')}: {notice_render.printable(' '.join(str(notice).splitlines()))}", file=sys.stderr)


@part.command()
def dossier(
    cadre: str = typer.Argument(..., metavar="CADRE", help=_("Cadre id or unique name.")),
    start: Optional[str] = typer.Option(None, "--from", help=_("First month, YYYY-MM (default: the first ledger).")),
    end: Optional[str] = typer.Option(None, "--to", help=_("Last month, YYYY-MM (default: the last ledger).")),
    fmt: str = typer.Option("table", "--format", help=_("table or json.")),
) -> None:
    """One cadre's archive (档案) across months: attendance, violations, liability, evaluations."""
    if fmt not in DOSSIER_FORMATS:
        raise ZouduError(_("--format must be table or json, not '{value}'").format(value=fmt))
    from zoudu.memo.stages import audit_month
    from zoudu.publish.dossier import dossier as build, to_json

    from zoudu.render.progress import bar

    with bar(_("Auditing the months"), least=PROGRESS_MONTHS) as tick:
        record = build(workspace(), cadre, start, end, progress=tick, audit=audit_month)
    for month in record.missing:
        print(_("note: {month} has no ledger file; it is not in the archive").format(month=month), file=sys.stderr)
    if fmt == "json":
        sys.stdout.write(json.dumps(to_json(record), ensure_ascii=False) + "\n")
        return
    from zoudu.render.dossier import render_dossier

    render_dossier(record)
