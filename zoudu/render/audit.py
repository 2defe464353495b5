"""The audit as Rich tables a clerk reads at a glance.

Notices first (an unknown calendar year, a missing ledger), then a short overview
(per cadre: errors, warnings, and which rules), then the violations grouped by cadre, the per-cadre summary with each week's "543" against its quota,
the township-wide findings, and supervisor liability (连带责任).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from zoudu.audit import AuditResult, label
from zoudu.audit.rules.base import slot_name
from zoudu.i18n import _
from zoudu.model import Roster
from zoudu.render.console import console
from zoudu.render.text import cell


WIDE = 120  # below this, each week's three figures are stacked instead of side by side


def _severity(severity: str) -> Text:
    if severity == "error":
        return Text(_("error"), style="bold red")
    return Text(_("warning"), style="yellow")


def _when(v) -> str:
    if v.week:
        return v.week
    if v.date:
        return v.date.isoformat() + (" " + slot_name(v.slot) if v.slot else "")
    return ""


def _figure(pair: tuple[int, int]) -> Text:
    required, actual = pair
    return Text(f"{actual}/{required}", style="red" if actual < required else "")


def render_audit(result: AuditResult, roster: Roster | None = None, out: Console | None = None) -> None:
    out = out or console()
    out.print(cell(_("Audit of {township}, {month}").format(township=result.township, month=result.month),
                   style="bold"))
    for notice in result.notices:
        loud = notice == result.untrusted
        out.print(cell(_("Warning: ") + notice, style="bold red" if loud else "bold yellow"))
    out.print(cell(_("{entries} ledger entries read; {inspections} spot check(s); {errors} error(s), "
                     "{warnings} warning(s)").format(entries=result.entries, inspections=result.inspections,
                                                     errors=result.errors, warnings=result.warnings)))

    names = {c.cadre: c.name for c in result.cadres}
    grouped: dict[str | None, list] = {}
    for v in result.violations:
        grouped.setdefault(v.cadre, []).append(v)

    if not result.violations:
        out.print(Text(_("No violations."), style="green"))
    else:
        out.print(_overview_table(result))
    for cadre, found in grouped.items():
        if cadre is None:
            continue
        c = next((c for c in result.cadres if c.cadre == cadre), None)
        title = _("{name} ({id}): {errors} error(s), {warnings} warning(s)").format(
            name=names.get(cadre, cadre), id=cadre, errors=c.errors if c else 0, warnings=c.warnings if c else 0)
        out.print(_violations_table(cell(title), found))
    if None in grouped:
        out.print(_violations_table(_("Township-wide"), grouped[None]))

    if result.reports:
        out.print(_reports_table(result))
    out.print(_summary_table(result, stacked=out.width < WIDE))
    out.print(_liability_table(result))


def _violations_table(title: str, found: list) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column(_("when"), no_wrap=True)
    table.add_column(_("rule"), overflow="fold")
    table.add_column(_("level"), no_wrap=True)
    table.add_column(_("what was found"), overflow="fold")  # fold: never cut evidence with "…"
    table.add_column(_("evidence"), overflow="fold")
    for v in found:
        if v.status == "overturned":  # it counts for nothing: never shown as an error or a warning
            level = Text(_("overturned"), style="cyan")
        else:
            level = _severity(v.severity)
            if v.status == "appealed":  # an appeal pending: the finding counts until it is decided
                level.append("\n" + _("appealed"), style="cyan")
        table.add_row(cell(_when(v)), cell(f"{label(v.rule)}\n{v.rule}"), level, cell(v.message),
                      cell("\n".join((*v.evidence, *v.trace))))
    return table


def _overview_table(result: AuditResult) -> Table:
    """Before the details: each cadre with a finding that counts, their errors and warnings, and of
    which rules (errors first, the most frequent first); the township-wide findings last."""
    table = Table(title=_("Overview"), title_justify="left")
    table.add_column(_("cadre"), no_wrap=True)
    table.add_column(_("name"), no_wrap=True)
    table.add_column(_("errors"), justify="right")
    table.add_column(_("warnings"), justify="right")
    table.add_column(_("findings (times)"), overflow="fold")
    kinds: dict[str | None, dict[str, list]] = {}
    for v in result.violations:
        if v.counts:
            kinds.setdefault(v.cadre, {}).setdefault(v.rule, [v.severity == "error", 0])[1] += 1
    names = {c.cadre: c.name for c in result.cadres}
    for cadre, rules in sorted(kinds.items(), key=lambda item: item[0] is None):
        errors = sum(n for is_error, n in rules.values() if is_error)
        warnings = sum(n for is_error, n in rules.values() if not is_error)
        said = _(", ").join(f"{label(rule)} ×{n}" for rule, (_e, n) in
                            sorted(rules.items(), key=lambda item: (not item[1][0], -item[1][1], item[0])))
        table.add_row(cell(cadre or "—"), cell(names.get(cadre, "") if cadre else _("Township-wide")),
                      Text(str(errors), style="red" if errors else ""), cell(warnings), cell(said))
    return table


def _reports_table(result: AuditResult) -> Table:
    """Every report (举报) of the month and where it stands: for the leaders, never published as fact."""
    table = Table(title=_("Reports (举报) and their review"), title_justify="left")
    for header in (_("when"), _("cadre"), _("rule"), _("status"), _("stationed"), _("evidence")):
        table.add_column(header, overflow="fold")
    names = {c.cadre: c.name for c in result.cadres}
    states = {"pending": _("pending"), "upheld": _("upheld"), "dismissed": _("dismissed")}
    for r in result.reports:
        table.add_row(cell(r.at.strftime("%Y-%m-%d %H:%M")), cell(f"{names.get(r.cadre, r.cadre)} ({r.cadre})"),
                      cell(label(r.rule)), cell(states.get(r.status, r.status)),
                      cell(_("yes") if r.stationed else _("no")), cell("\n".join(filter(None, (r.where, r.review)))))
    return table


def _summary_table(result: AuditResult, stacked: bool = False) -> Table:
    table = Table(title=_("Per cadre, each week (543): days in the township, nights, days in villages — "
                          "actual/required"), title_justify="left")
    table.add_column(_("cadre"), no_wrap=True, min_width=4)
    table.add_column(_("name"), no_wrap=True, min_width=4)
    table.add_column(_("errors"), justify="right", min_width=4, overflow="fold")
    table.add_column(_("warnings"), justify="right", min_width=4, overflow="fold")
    # a week wholly before the records start was not audited: no column of 0/0
    weeks = [w for w in result.cadres[0].weeks if w.recorded] if result.cadres else []
    if any(not w.checked for w in weeks):
        table.caption = _("* the week has not ended yet: shown, not checked")
        table.caption_justify = "left"
    for w in weeks:
        table.add_column((w.week[5:] if stacked else w.week) + ("" if w.checked else " *"), no_wrap=True)
    for header in (_("valid sign-ins"), _("missed"), _("leave/trip days")):
        table.add_column(header, justify="right", min_width=4, overflow="fold")
    for c in result.cadres:
        cells: list = [cell(c.cadre), cell(c.name), Text(str(c.errors), style="red" if c.errors else ""),
                       cell(c.warnings)]
        for w in (w for w in c.weeks if w.recorded):
            week = Text()
            for pair in (w.township_days, w.nights, w.village_days):
                if len(week):
                    week.append("\n" if stacked else " ")
                week.append_text(_figure(pair))
            cells.append(week)
        cells += [cell(f"{c.signins_valid}/{c.signins_made}"), cell(c.absences), cell(f"{c.leave_days}/{c.trip_days}")]
        table.add_row(*cells)
    return table


def _liability_table(result: AuditResult) -> Table:
    table = Table(title=_("Supervisor liability (连带责任): commuting violations of the cadres each one supervises"),
                  title_justify="left")
    table.add_column(_("supervisor"), no_wrap=True)
    table.add_column(_("name"), no_wrap=True)
    table.add_column(_("answers for"))
    table.add_column(_("total"), justify="right")
    table.add_column(_("own violations"), justify="right")
    names = {c.cadre: c.name for c in result.cadres}
    for row in result.liability:
        subs = ", ".join(f"{row.names.get(cid) or names.get(cid, cid)} ({cid}) ×{n}"
                         for cid, n in row.subordinates.items())
        table.add_row(cell(row.supervisor), cell(row.name), cell(subs), cell(row.violations), cell(row.own))
    for cid in result.unsupervised:  # commuting errors nobody answers for
        table.add_row("—", "", cell(_("{name} ({id}): no supervisor, nobody bears the joint liability").format(
            name=names.get(cid, cid), id=cid), style="bold yellow"), "", "")
    if not result.liability and not result.unsupervised:
        table.add_row("—", "", cell(_("no commuting violations")), "0", "0")
    return table
