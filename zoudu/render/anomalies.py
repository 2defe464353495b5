"""Anomalies as a table (``zoudu audit --anomalies``, the archive): questions to look into, not findings."""

from __future__ import annotations

from rich.table import Table

from zoudu.i18n import N_, _
from zoudu.render.text import cell

KIND_LABELS = {
    "witness.concentrated": N_("one witness for many cadres"),
    "witness.habitual": N_("the same witness most times"),
    "place.too_fast": N_("office and village too close in time"),
    "recorded.by_another": N_("sign-ins typed in by another cadre"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def title() -> str:
    return _("Anomalies: questions to look into, not violations (not on the notice, not counted in errors, "
             "liability or the exit status)")


def anomalies_table(rows, names: dict[str, str], month: str | None = None) -> Table:
    """``rows``: (month, kind, cadres, date or None, evidence, message); ``names``: cadre id -> name."""
    table = Table(title=title(), title_justify="left")
    for header in (_("when"), _("kind"), _("cadres"), _("question"), _("evidence")):
        table.add_column(header, overflow="fold")
    for row_month, kind, cadres, date, evidence, message in rows:
        who = "\n".join(f"{names.get(c, c)} ({c})" for c in cadres)
        table.add_row(cell(date or row_month or month or ""), cell(f"{kind_label(kind)}\n{kind}"), cell(who),
                      cell(message), cell("\n".join(evidence)))
    return table


def render_anomalies(result, roster=None, out=None) -> None:
    """The month's anomalies (an ``AuditResult``), with the audit's notices first."""
    from zoudu.render.console import console

    out = out or console()
    out.print(cell(_("Anomalies of {township}, {month}").format(township=result.township, month=result.month),
                   style="bold"))
    for notice in result.notices:
        out.print(cell(_("Warning: ") + notice, style="bold red" if notice == result.untrusted else "bold yellow"))
    if not result.anomalies:
        out.print(cell(_("No anomalies."), style="green"))
        return
    names = {c.id: c.name for c in roster.cadres} if roster is not None else {}
    names.update({c.cadre: c.name for c in result.cadres})
    out.print(anomalies_table([(result.month, a.kind, a.cadres, a.date.isoformat() if a.date else None,
                                a.evidence, a.message) for a in result.anomalies], names))
