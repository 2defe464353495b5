"""Spot checks by the discipline group (督查: 抽查/暗访)."""

from __future__ import annotations

import datetime as dt

from zoudu.audit.coverage import EVENING, slot_span
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, hm
from zoudu.i18n import _


def _on_leave(month: Month, cadre: str, moment: dt.datetime) -> bool:
    return any(span.start <= moment <= span.end for span in month.facts.leaves.get(cadre, ()))


def due_at(month: Month, cadre: str, moment: dt.datetime) -> tuple[dt.date, str] | None:
    """The day and slot (``morning`` …) of the cadre due at ``moment``, None if nothing was
    (docs/audit-rules.md#the-policy-cross-checked): a day slot of a workday or a duty within its window;
    the evening of a night the 543 counts (or a duty evening) from the start of its window to the end
    of the next morning's window — a check at 03:00 found the cadre absent on the night before, and is
    filed under that evening."""
    local = moment.astimezone(month.settings.tz)
    infos = {info.date: info for info in month.span.days}
    duties = month.facts.duties.get(cadre, {})
    for day, slots in ((local.date(), (0, 1, 2)), (local.date() - dt.timedelta(days=1), (EVENING,))):
        info = infos.get(day)
        duty = duties.get(day, (False, False, False))
        for i in slots:
            if not (info is not None and info.required[i]) and not duty[i]:
                continue
            start, end = slot_span(month.settings, day, i)
            if start <= local <= end:
                return day, ("morning", "afternoon", "evening")[i]
    return None


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
            out.append(month.violation("inspection.absent", cid, message, (e.where,), day, slot))
    return out


def rounds(month: Month) -> int:
    """Spot-check rounds of the month: one per check event (inspector and time), whatever the
    number of cadres it found."""
    return len({(str(e.get("inspector")), e.at) for e in month.facts.inspections})


def too_few(month: Month) -> list[Violation]:
    """``inspection.too_few`` (no cadre): fewer spot-check rounds in the month than required, once it
    is over; it lands in the discipline group leader's archive."""
    required = month.settings.inspections_per_month
    actual = rounds(month)
    if actual >= required or not month.span.over:
        return []
    message = _("{actual} spot check(s) in {month}; at least {required} are required").format(
        actual=actual, month=month.span.month, required=required)
    evidence = tuple(e.where for e in month.facts.inspections) or (
        _("{file}: no spot check between {first} and {last}").format(
            file=month.span.file, first=month.span.first.isoformat(), last=month.span.last.isoformat()),)
    return [month.violation("inspection.too_few", None, message, evidence, required=required, actual=actual)]
