"""Village work (下村/住村, signed in the field diary 民情日记)."""

from __future__ import annotations

from zoudu.audit.dated import RosterByDay
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import duration
from zoudu.audit.rules.base import Month
from zoudu.i18n import _


def no_witness(month: Month) -> list[Violation]:
    """``village.no_witness``: a village entry no villager signed (it covers nothing)."""
    out: list[Violation] = []
    for v in month.facts.visits:
        if v.in_month and not v.witness:
            message = _("village entry in {village} on {day} has no villager's witness signature, so it counts for "
                        "nothing").format(village=v.entry.get("village"), day=v.day.isoformat())
            out.append(month.violation("village.no_witness", v.cadre, message, (v.entry.where,), v.day))
    return out


def not_assigned(month: Month) -> list[Violation]:
    """``village.not_assigned``: a village entry (witnessed or not) outside the cadre's own village."""
    out: list[Violation] = []
    dated = RosterByDay(month.roster)  # the village assigned on that day
    for v in month.facts.visits:
        assigned = dated.cadre(v.cadre, v.day).village
        if v.in_month and assigned and v.village != assigned:
            message = _("village entry in {village} on {day}, but the assigned village is {assigned}").format(
                village=v.entry.get("village"), day=v.day.isoformat(), assigned=assigned)
            out.append(month.violation("village.not_assigned", v.cadre, message, (v.entry.where,), v.day))
    return out


def late(month: Month) -> list[Violation]:
    """``village.late``: a village entry copied from the diary later than ``village_late_days``
    after its time with no approver who may approve it (it covers nothing)."""
    out: list[Violation] = []
    for v in month.facts.visits:
        if not (v.in_month and v.late and not v.approver):
            continue
        e = v.entry
        minutes = int((e.recorded - e.at).total_seconds() // 60)
        message = _("village entry in {village} on {day} was entered {delay} later ({recorded}) with no approver "
                    "(allowed: {days} day(s)), so it counts for nothing").format(
            village=e.get("village"), day=v.day.isoformat(), delay=duration(minutes),
            recorded=month.local(e.recorded).strftime("%Y-%m-%d %H:%M"), days=month.settings.village_late_days)
        if v.refused:
            message += _("; the approver named ({approver}) may not approve it: {why}").format(
                approver=e.approver, why=v.refused)
        out.append(month.violation("village.late", v.cadre, message, (e.where,), v.day))
    return out

