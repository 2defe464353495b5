"""Spot checks by the discipline group (督查: 抽查/暗访)."""

from __future__ import annotations

import datetime as dt

from zoudu.audit.coverage import EVENING, slot_span
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, hm
from zoudu.i18n import _


def _on_leave(month: Month, cadre: str, moment: dt.datetime) -> bool:
    return any(span.holds(moment) for span in month.facts.leaves.get(cadre, ()))


SLOT_IDS = ("morning", "afternoon", "evening")


def due_at(month: Month, cadre: str, moment: dt.datetime) -> tuple[dt.date, str] | None:
    """The day and slot (``morning`` …) of the cadre due at ``moment``, None if nothing was (docs/audit-rules.md): a day
    slot of a workday or a duty within its window; the evening of a night the 543 counts (or a duty
    evening) from the start of its window to the end of the next morning's window — a check at 03:00
    found the cadre absent on the night before, and is filed under that evening; and the working hours
    of a workday the cadre serves, filed under the day slot they belong to. Nothing before records start."""
    local = moment.astimezone(month.settings.tz)
    infos = {info.date: info for info in month.span.days if info.audited}
    duties = month.facts.duties.get(cadre, {})
    for day, slots in ((local.date(), (0, 1, 2)), (local.date() - dt.timedelta(days=1), (EVENING,))):
        info = infos.get(day)
        duty = duties.get(day, (False, False, False))
        for i in slots:
            if not (info is not None and info.required[i]) and not duty[i]:
                continue
            start, end = slot_span(month.settings, day, i)
            if start <= local <= end:
                return day, SLOT_IDS[i]
    return _in_working_hours(month, cadre, local, infos.get(local.date()))


def _in_working_hours(month: Month, cadre: str, local: dt.datetime, info) -> tuple[dt.date, str] | None:
    """(the day, its morning or afternoon) when ``local`` lies in the working hours of a workday the
    cadre serves; None otherwise."""
    clock = local.time().replace(tzinfo=None)
    if info is None or not info.workday or not any(start <= clock <= end for start, end in month.settings.hours):
        return None
    found = month.roster.get(cadre)
    if found is None or not found.serving_on(info.date):
        return None
    # filed under the half of the day it belongs to: the afternoon from its window's start
    return info.date, "afternoon" if clock >= month.settings.slots["afternoon"].start else "morning"


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
