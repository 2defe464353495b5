"""Rich tables of a cadre's archive (档案): figures per month, violations, liability, voids, backfills."""

from __future__ import annotations

from zoudu.publish.dossier import Dossier
from zoudu.i18n import _
from zoudu.publish.notice import EVALUATIONS, FIGURES, remark_text
from zoudu.render.notice import printable


def render_dossier(d: Dossier, out=None) -> None:
    from rich import box
    from zoudu.render.console import console
    from rich.table import Table
    from rich.text import Text

    out = out or console()

    def t(value: object, style: str = "") -> Text:
        """Data as a cell: never Rich markup ('[b]', ':phone:'), never an escape code."""
        return Text(printable(value), style=style)

    role = _("leadership team") if d.team else _("cadre")
    head = _("Archive of {name} ({id}), {post}, {role}; {start} to {end}").format(
        name=d.name, id=d.cadre, post=d.post or "—", role=role, start=d.start, end=d.end)
    out.print(t(head, style="bold"))
    details = []
    if d.supervisor:
        details.append(_("Supervisor: {name} ({id})").format(name=d.supervisor_name, id=d.supervisor))
    if d.village:
        details.append(_("Assigned village: {village}").format(village=d.village))
    if details:
        out.print(t("; ".join(details)))

    # Figures: one row per figure, one column per month, so that many months still fit.
    totals = d.totals
    figures = Table(title=Text(_("Attendance by month")), box=box.SIMPLE_HEAD, header_style="bold")
    figures.add_column(_("Figure"))
    for m in d.months:
        figures.add_column(m.month, justify="right", no_wrap=True)
    figures.add_column(_("Total"), justify="right", no_wrap=True, style="bold")
    for key, label in FIGURES:
        figures.add_row(Text(_(label)), *(str(m.figures[key]) for m in d.months), str(totals[key]))
    figures.add_section()
    figures.add_row(Text(_("Errors")), *(str(m.errors) for m in d.months), str(totals["errors"]),
                    style="red" if totals["errors"] else None)
    figures.add_row(Text(_("Warnings")), *(str(m.warnings) for m in d.months), str(totals["warnings"]))
    figures.add_section()
    for key, label in EVALUATIONS:
        figures.add_row(Text(_(label)), *(t(m.evaluations.get(key, "—")) for m in d.months), "")
    out.print(figures)

    # Violations by rule, one column per month.
    rules = sorted({rule for m in d.months for rule in m.violations})
    if rules:
        table = Table(title=Text(_("Violations by rule")), box=box.SIMPLE_HEAD, header_style="bold")
        table.add_column(_("Rule"), no_wrap=True)
        table.add_column(_("What"), overflow="fold")
        for m in d.months:
            table.add_column(m.month, justify="right")
        table.add_column(_("Total"), justify="right")
        for rule in rules:
            counts = [m.violations.get(rule, 0) for m in d.months]
            table.add_row(t(rule), t(remark_text(rule, sum(counts))), *(str(n or "") for n in counts),
                          str(sum(counts)))
        out.print(table)
    else:
        out.print(Text(_("No violations in these months.")))

    # Joint liability as a supervisor (连带责任).
    if any(m.liability for m in d.months):
        table = Table(title=Text(_("Joint liability for supervised cadres")), box=box.SIMPLE_HEAD,
                      header_style="bold")
        table.add_column(_("Month"), no_wrap=True)
        table.add_column(_("Cadre"))
        table.add_column(_("Commuting violations"), justify="right")
        for m in d.months:
            for sub, n in sorted(m.liability.items()):
                table.add_row(m.month, t(f"{d.subordinates.get(sub, sub)} ({sub})"), str(n))
        table.add_section()
        table.add_row(_("Total"), "", str(totals["liable"]), style="bold")
        out.print(table)
    elif d.team:
        out.print(Text(_("No joint liability: no supervised cadre committed a commuting violation.")))

    # Voided entries and backfilled sign-ins: the corrections made to the ledger.
    if any(m.voided or m.backfills for m in d.months):
        table = Table(title=Text(_("Corrections: voided entries and backfilled sign-ins")), box=box.SIMPLE_HEAD,
                      header_style="bold", expand=True)
        table.add_column(_("Month"), no_wrap=True)
        table.add_column(_("Entry"), no_wrap=True)
        table.add_column(_("Correction"), no_wrap=True)
        table.add_column(_("Approver"), no_wrap=True)
        table.add_column(_("Reason"), overflow="fold", ratio=1)
        table.add_column(_("Where"), overflow="fold", max_width=24)
        for m in d.months:
            for entry_id, reason, where in m.voided:
                table.add_row(m.month, t(entry_id), _("voided"), "", t(reason), t(where))
            for entry_id, approver, reason, where in m.backfills:
                table.add_row(m.month, t(entry_id), _("backfilled"), t(approver or _("none")), t(reason or ""),
                              t(where))
        out.print(table)
