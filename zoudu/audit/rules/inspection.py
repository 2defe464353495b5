"""Spot checks by the discipline group (督查: 抽查/暗访)."""

from __future__ import annotations

import datetime as dt

import zoudu.audit.coverage as coverage  # by its own name, not through the package zoudu.audit, which imports this module
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, hm
from zoudu.i18n import _


def _on_leave(month: Month, cadre: str, moment: dt.datetime) -> bool:
    return any(span.holds(moment) for span in month.facts.leaves.get(cadre, ()))


def due_at(month: Month, cadre: str, moment: dt.datetime) -> tuple[dt.date, str] | None:
    """The day and slot of the cadre due at ``moment`` (``audit.coverage.due_at``), None if nothing was."""
    return coverage.due_at(month.settings, month.roster, month.span, month.facts.duties.get(cadre, {}), cadre, moment)


def absent(month: Month) -> list[Violation]:
    """``inspection.absent``: a spot check found the cadre absent when a slot or a duty was due
    (not while on leave or a trip); a finding when nothing was due is kept, not a violation."""
    out: list[Violation] = []
    for e in month.facts.inspections:
        local = month.local(e.at)
        for cid in e.get("absent") or ():
            if cid not in month.roster.by_id or _on_leave(month, cid, e.at):
                continue
            due = due_at(month, cid, e.at)
            if due is None:
                continue
            day, slot = due
            method = _("by phone") if e.get("method") == "phone" else _("in person")
            inspector = month.roster.get(str(e.get("inspector")))
            message = _("a spot check {method} by {inspector} on {day} at {time} found the cadre absent").format(
                method=method, inspector=f"{inspector.name} ({inspector.id})" if inspector else e.get("inspector"),
                day=local.date().isoformat(), time=hm(local))
            out.append(month.violation(coverage.ABSENT_RULE, cid, message, (e.where,), day, slot))
    return out


def rounds(month: Month) -> int:
    """Spot-check rounds of the month: one per day with a spot check, whatever the number
    of checks recorded that day or of cadres they found."""
    return len({month.local(e.at).date() for e in month.facts.inspections})


def too_few(month: Month) -> list[Violation]:
    """``inspection.too_few`` (no cadre): fewer spot-check rounds in the month than required, once it
    is over; it lands in the discipline group leader's archive."""
    required = month.settings.inspections_per_month
    actual = rounds(month)
    if actual >= required or not month.span.over or not month.span.month_days[-1].audited:
        return []
    message = _("{actual} spot check(s) in {month}; at least {required} are required").format(
        actual=actual, month=month.span.month, required=required)
    evidence = tuple(e.where for e in month.facts.inspections) or (
        _("{file}: no spot check between {first} and {last}").format(
            file=month.span.file, first=month.span.first.isoformat(), last=month.span.last.isoformat()),)
    return [month.violation("inspection.too_few", None, message, evidence, required=required, actual=actual)]
