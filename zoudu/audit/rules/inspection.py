"""Spot checks by the discipline group (督查: 抽查/暗访)."""

from __future__ import annotations

import datetime as dt

from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, hm
from zoudu.i18n import _


def _on_leave(month: Month, cadre: str, moment: dt.datetime) -> bool:
    return any(span.start <= moment <= span.end for span in month.facts.leaves.get(cadre, ()))


def absent(month: Month) -> list[Violation]:
    """``inspection.absent``: a spot check found the cadre absent (not while on leave or a trip)."""
    out: list[Violation] = []
    for e in month.facts.inspections:
        local = month.local(e.at)
        for cid in e.get("absent") or ():
            if cid not in month.roster.by_id or _on_leave(month, cid, e.at):
                continue
            method = _("by phone") if e.get("method") == "phone" else _("in person")
            inspector = month.roster.get(str(e.get("inspector")))
            message = _("a spot check {method} by {inspector} on {day} at {time} found the cadre absent").format(
                method=method, inspector=f"{inspector.name} ({inspector.id})" if inspector else e.get("inspector"),
                day=local.date().isoformat(), time=hm(local))
            slot = month.settings.slot_of(local.time())
            out.append(month.violation("inspection.absent", cid, message, (e.where,), local.date(),
                                       slot.name if slot else None))
    return out


def too_few(month: Month) -> list[Violation]:
    """``inspection.too_few`` (no cadre): fewer spot checks in the month than required, once it is over."""
    required = month.settings.inspections_per_month
    actual = len(month.facts.inspections)
    if actual >= required or not month.span.over:
        return []
    message = _("{actual} spot check(s) in {month}; at least {required} are required").format(
        actual=actual, month=month.span.month, required=required)
    evidence = tuple(e.where for e in month.facts.inspections) or (
        _("{file}: no spot check between {first} and {last}").format(
            file=month.span.file, first=month.span.first.isoformat(), last=month.span.last.isoformat()),)
    return [month.violation("inspection.too_few", None, message, evidence, required=required, actual=actual)]
