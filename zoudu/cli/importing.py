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
    trust_badge: bool = typer.Option(False, "--trust-badge", help=_("Go by the badge number when a row's name is another cadre's.")),
) -> None:
    from zoudu.ledger import describe, importing
    from zoudu.ledger.importers import printable
    from zoudu.render.progress import bar

    ws = workspace()
    done, partial = [], None
    # the bar stays while the import waits for the lock, and is gone before anything is printed
    with bar(_("Reading the punches"), least=PROGRESS_ROWS) as tick:
        plan = importing.plan(ws, file, fmt, mapping, skip_unknown, approver, reason, by, trust_badge,
                              progress=tick)
        if not dry_run:
            try:
                done = importing.run(ws, plan)
            except importing.PartialImport as e:
                partial = e
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
            unknown=len(plan.unknown)) + _clock_outs(plan), file=sys.stderr)
        return
    if partial is not None:  # what was written is listed before the error says so
        for fields in partial.done:
            print(visible(_said(describe, fields, settings, roster)))
        raise partial
    for fields in done:
        print(visible(_said(describe, fields, settings, roster)))
    _late_warning(plan, settings, approver)
    _approve_hint(done, settings)
    if plan.unknown:
        print(f"zoudu: {_('warning')}: " + _("{n} row(s) matched no cadre and were left out").format(
            n=len(plan.unknown)), file=sys.stderr)
    print(_("imported ({format}): {new} new, {dup} already recorded").format(
        format=plan.format, new=len(done), dup=len(plan.rows) - len(done)) + _clock_outs(plan), file=sys.stderr)


def _late_warning(plan, settings, approver) -> None:
    """How many rows came too late to count without an approver: a CSV's by the typed grace, a
    terminal's by the import limit (``ledger/lateness.py``)."""
    late = sum(1 for row in plan.rows if row.late and not row.duplicate and not approver)
    if late and plan.format == "csv":
        print(f"zoudu: {_('warning')}: " + _("{n} row(s) were recorded more than {minutes} minutes after their "
                                          "time: a CSV file is not a terminal's record, so they are backfills "
                                          "that count for nothing without --approver and --reason").format(
            n=late, minutes=settings.backfill_grace_minutes), file=sys.stderr)
    elif late:
        print(f"zoudu: {_('warning')}: " + _("{n} punch(es) are older than the import limit ({days} days) and "
                                          "count as backfills without --approver and --reason").format(
            n=late, days=settings.import_limit_days), file=sys.stderr)


def _approve_hint(done, settings) -> None:
    """The command that approves the late entries just recorded (each counts once approved)."""
    from zoudu.ledger import lateness

    unapproved = [str(f["id"]) for f in done if lateness.unapproved(f, settings)]
    if unapproved:
        print(f"zoudu: {_('warning')}: " + _("they count for nothing unless approved: zoudu approve {id} "
                                          "--approver … --reason … (and so for {ids})").format(
            id=unapproved[0], ids=", ".join(unapproved[:10]) + (", …" if len(unapproved) > 10 else "")),
            file=sys.stderr)


def _said(describe, fields, settings, roster) -> str:
    """The entry read back as ``zoudu log`` lists it: a backfill is marked as one, never as on time."""
    return describe.line(fields, settings, roster)


def _clock_outs(plan) -> str:
    if not plan.clock_outs:
        return ""
    return _(", {n} clock-out(s) not recorded (leaving is no sign-in)").format(n=plan.clock_outs)
