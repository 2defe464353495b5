"""Rich tables of a cadre's archive (档案): figures per month, violations, liability, voids, backfills,
the 543 by week, every finding, leave, the field diary and the notices published."""

from __future__ import annotations

from zoudu.publish.dossier import Dossier
from zoudu.i18n import _
from zoudu.audit.rules.base import slot_name
from zoudu.i18n import N_
from zoudu.rulebook import label as rule_label
from zoudu.publish.sheet import EVALUATIONS, FIGURES
from zoudu.render.notice import printable

REPORT_STATUS = {"pending": N_("pending (not yet decided)"), "upheld": N_("upheld"), "dismissed": N_("dismissed")}
EVALUATION_KINDS = {"self": N_("self (自评)"), "peer": N_("peer (互评)"), "public": N_("public (群众评)")}
STATUS = {"standing": N_("standing"), "appealed": N_("appealed (pending)"), "overturned": N_("overturned")}


def render_dossier(d: Dossier, out=None) -> None:
    """The archive as tables, in the order the seed's archive keeps them: who, the figures by month,
    violations by rule, joint liability, corrections, then ``render_details``."""
    from zoudu.render.console import console

    out = out or console()
    _heading(d, out)
    out.print(_figures(d))
    _violations(d, out)
    _liability(d, out)
    _corrections(d, out)
    render_details(d, out, cell)


def cell(value: object, style: str = ""):
    """Data as a cell: never Rich markup ('[b]', ':phone:'), never an escape code."""
    from rich.text import Text

    return Text(printable(value), style=style)


def _table(title: str, **options):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    return Table(title=Text(title), box=box.SIMPLE_HEAD, header_style="bold", **options)


def _heading(d: Dossier, out) -> None:
    """Whose archive, of which months; their supervisor and village."""
    role = _("leadership team") if d.team else _("cadre")
    head = _("Archive of {name} ({id}), {post}, {role}; {start} to {end}").format(
        name=d.name, id=d.cadre, post=d.post or "—", role=role, start=d.start, end=d.end)
    out.print(cell(head, style="bold"))
    details = []
    if d.supervisor:
        details.append(_("Supervisor: {name} ({id})").format(name=d.supervisor_name, id=d.supervisor))
    if d.village:
        details.append(_("Assigned village: {village}").format(village=d.village))
    if details:
        out.print(cell("; ".join(details)))


def _figures(d: Dossier):
    """One row per figure, one column per month, so that many months still fit."""
    from rich.text import Text

    totals = d.totals
    figures = _table(_("Attendance by month"))
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
        figures.add_row(Text(_(label)), *(cell(m.evaluations.get(key, "—")) for m in d.months), "")
    return figures


def _violations(d: Dossier, out) -> None:
    """Violations by rule, one column per month."""
    from rich.text import Text

    rules = sorted({rule for m in d.months for rule in m.violations})
    if not rules:
        out.print(Text(_("No violations in these months.")))
        return
    table = _table(_("Violations by rule"))
    table.add_column(_("Rule"), overflow="fold")
    for m in d.months:
        table.add_column(m.month, justify="right")
    table.add_column(_("Total"), justify="right")
    for rule in rules:
        counts = [m.violations.get(rule, 0) for m in d.months]
        table.add_row(cell(rule_label(rule)), *(str(n or "") for n in counts), str(sum(counts)))
    out.print(table)


def _liability(d: Dossier, out) -> None:
    """Joint liability as a supervisor (连带责任)."""
    from rich.text import Text

    if any(m.liability for m in d.months):
        table = _table(_("Joint liability for supervised cadres"))
        table.add_column(_("Month"), no_wrap=True)
        table.add_column(_("Cadre"))
        table.add_column(_("Commuting violations"), justify="right")
        for m in d.months:
            for sub, n in sorted(m.liability.items()):
                table.add_row(m.month, cell(d.subordinates.get(sub, sub)), str(n))
        table.add_section()
        table.add_row(_("Total"), "", str(d.totals["liable"]), style="bold")
        out.print(table)
    elif d.team:
        out.print(Text(_("No joint liability: no supervised cadre committed a commuting violation.")))


def _corrections(d: Dossier, out) -> None:
    """Voided entries and backfilled sign-ins: the corrections made to the ledger (approvers by name)."""
    if not any(m.voided or m.backfills for m in d.months):
        return
    names = {**d.subordinates, **{r.approver: r.approver_name for m in d.months for r in m.leaves if r.approver}}
    table = _table(_("Corrections: voided entries and backfilled sign-ins"), expand=True)
    table.add_column(_("Month"), no_wrap=True)
    table.add_column(_("Entry"), no_wrap=True)
    table.add_column(_("Correction"), no_wrap=True)
    table.add_column(_("Approver"), no_wrap=True)
    table.add_column(_("Reason"), overflow="fold", ratio=1)
    table.add_column(_("Where"), overflow="fold", max_width=24)
    for m in d.months:
        for entry_id, reason, where in m.voided:
            table.add_row(m.month, cell(entry_id), _("voided"), "", cell(reason), cell(where))
        for entry_id, approver, reason, where in m.backfills:
            table.add_row(m.month, cell(entry_id), _("backfilled"), cell(names.get(approver, approver) or _("none")),
                          cell(reason or ""), cell(where))
    out.print(table)


def render_details(d: Dossier, out, t) -> None:
    """What the seed's archive keeps besides the figures: each week's 543, every finding, leave,
    the field diary, the notices published. Names and Chinese labels, never ids. ``t`` makes a cell."""
    from rich.text import Text

    out.print(_weeks(d))
    found = _findings(d, t)
    out.print(found if found.row_count else Text(_("No findings in these months.")))
    for shown in (_leave(d, t), _diary(d, t), _reports(d, t), _grades(d, t), _uncounted(d, t)):
        if shown.row_count:
            out.print(shown)
    asked = [(m.month, *a) for m in d.months for a in m.anomalies]
    if asked:
        from zoudu.render.anomalies import anomalies_table

        out.print(anomalies_table(asked, {d.cadre: d.name, **d.subordinates}))
    posted = _notices(d, t)
    out.print(posted if posted.row_count else Text(_("No notice of these months was published with a seal.")))


def _columns(title: str, *columns: str):
    """A table of the details: as wide as the console, every column folded."""
    table = _table(title, expand=True)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _weeks(d: Dossier):
    weeks = _columns(_("The 543 by week (required/actual)"), _("Week"), _("Available days"), _("Days in township"),
                     _("Nights stayed"), _("Days in villages"))
    for m in d.months:
        for w in (w for w in m.weeks if w.recorded):  # not a week wholly before records start
            short = any(need > got for need, got in (w.township_days, w.nights, w.village_days))
            weeks.add_row(w.week, str(w.available), *(f"{got}/{need}" for need, got in (
                w.township_days, w.nights, w.village_days)), style="red" if short else None)
    return weeks


def _findings(d: Dossier, t):
    found = _columns(_("Findings"), _("Date"), _("Rule"), _("What was found"), _("Evidence"), _("Status"))
    for m in d.months:
        for f in m.findings:
            when = f.date or f.week or m.month
            if f.slot:
                when += " " + slot_name(f.slot)
            found.add_row(t(when), t(rule_label(f.rule)), t(f.message), t("\n".join(f.evidence)),
                          t(_(STATUS.get(f.status, f.status))), style="red" if f.severity == "error" else None)
    return found


def _leave(d: Dossier, t):
    leave = _columns(_("Leave and trips"), _("Kind"), _("From"), _("To"), _("Approved by"), _("Cancelled (销假)"))
    for m in d.months:
        for r in m.leaves:
            leave.add_row(t(r.kind), t(r.start), t(r.end), t(r.approver_name), t(r.cancelled or "—"))
    return leave


def _diary(d: Dossier, t):
    diary = _columns(_("Field diary (民情日记)"), _("Date"), _("Village (where)"), _("Visit or stay"), _("Witness"),
                     _("Note"))
    for m in d.months:
        for day, village, stay, witness, note, _where in m.diary:
            diary.add_row(t(day), t(village), _("stay") if stay else _("visit"),
                          t(witness or _("no witness")), t(note or ""))
    return diary


def _reports(d: Dossier, t):
    reports = _columns(_("Reports (群众举报) and how they were decided"), _("Time"), _("Rule"), _("Status"),
                       _("While stationed"), _("Evidence"))
    for m in d.months:
        for _id, rule, at, status, stationed, where in m.reports:
            reports.add_row(t(at), t(rule_label(rule)), t(_(REPORT_STATUS.get(status, status))),
                            _("yes") if stationed else _("no"), t(where))
    return reports


def _grades(d: Dossier, t):
    grades = _columns(_("Evaluations, every one recorded (the latest of each kind counts)"), _("Month"), _("Kind"),
                      _("Grade"), _("Entry"))
    for m in d.months:
        for kind, grade, ident, _where in m.evaluation_history:
            grades.add_row(m.month, t(_(EVALUATION_KINDS.get(kind, kind))), t(grade), t(ident))
    return grades


def _uncounted(d: Dossier, t):
    kept = _columns(_("Spot checks that found the cadre absent when nothing was due (kept, not violations)"),
                    _("Month"), _("Evidence"))
    for m in d.months:
        for where in m.uncounted:
            kept.add_row(m.month, t(where))
    return kept


def _notices(d: Dossier, t):
    posted = _columns(_("Notices published"), _("Month"), _("Published"), _("Format"), _("Seal"))
    for m in d.months:
        for _id, date, fmt, _seal, code in m.notices:
            posted.add_row(m.month, t(date), t(fmt), t(code or _("not sealed")))
    return posted
