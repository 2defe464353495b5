"""``zoudu import FILE``: punches of an attendance terminal or DingTalk recorded as office sign-ins."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from zoudu.cli.common import BY_HELP, workspace
from zoudu.errors import visible
from zoudu.i18n import _

PROGRESS_ROWS = 2000  # an import of fewer rows is quick: no bar

part = typer.Typer()


@part.command("import", help=_("Record the punches of an attendance terminal's or DingTalk's export as sign-ins."))
def import_(
    file: str = typer.Argument(..., metavar="FILE", help=_("attlog.dat, the PC software's CSV/.xlsx, or DingTalk's .xlsx.")),
    fmt: Optional[str] = typer.Option(None, "--format", help=_("zkteco, zk-export, dingtalk or csv (default: from the content).")),
    mapping: Optional[str] = typer.Option(None, "--map", help=_("For --format csv: columns, e.g. name=姓名,badge=工号,time=打卡时间 (or date=…,clock=…).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Show what would be recorded; write nothing.")),
    skip_unknown: bool = typer.Option(False, "--skip-unknown", help=_("Leave out rows that match no cadre instead of refusing.")),
    approver: Optional[str] = typer.Option(None, "--approver", help=_("Who approves punches older than the import limit.")),
    reason: Optional[str] = typer.Option(None, "--reason", help=_("Why they are imported late.")),
    by: Optional[str] = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    from zoudu.ledger import describe, importing
    from zoudu.ledger.importers import printable
    from zoudu.render.progress import bar

    ws = workspace()
    # the bar stays while the import waits for the lock, and is gone before anything is printed
    with bar(_("Reading the punches"), least=PROGRESS_ROWS) as tick:
        plan = importing.plan(ws, file, fmt, mapping, skip_unknown, approver, reason, by, progress=tick)
        done = [] if dry_run else importing.run(ws, plan)
    settings, roster = ws.settings, ws.roster
    year = None
    if dry_run:
        for row in plan.rows:
            state = _("already recorded") if row.duplicate else _("late: a backfill") if row.late else _("new")
            fields = {"kind": "checkin", "at": row.at.isoformat(), "cadre": row.cadre.id, "place": settings.place}
            print(visible(f"{row.punch.where}  {row.cadre.name}  {describe.what(fields, settings, roster, year)}  [{state}]"))
        for punch in plan.unknown:
            print(f"{punch.where}  {printable(punch.badge or '')} {printable(punch.name or '')}  [{_('no such cadre: left out')}]")
        print(_("dry run ({format}): {new} to record, {dup} already recorded, {unknown} unknown; nothing written").format(
            format=plan.format, new=len(plan.entries), dup=sum(r.duplicate for r in plan.rows),
            unknown=len(plan.unknown)), file=sys.stderr)
        return
    for fields in done:
        print(visible(describe.line(fields, settings, roster, year=year)))
    late = sum(1 for row in plan.rows if row.late and not row.duplicate and not approver)
    if late:
        print(f"zoudu: {_('warning')}: " + _("{n} punch(es) are older than the import limit ({days} days) and "
                                          "count as backfills without --approver and --reason").format(
            n=late, days=settings.import_limit_days), file=sys.stderr)
    if plan.unknown:
        print(f"zoudu: {_('warning')}: " + _("{n} row(s) matched no cadre and were left out").format(
            n=len(plan.unknown)), file=sys.stderr)
    print(_("imported ({format}): {new} new, {dup} already recorded").format(
        format=plan.format, new=len(done), dup=len(plan.rows) - len(done)), file=sys.stderr)
