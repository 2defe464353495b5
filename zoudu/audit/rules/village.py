"""Village work (下村/住村, signed in the field diary 民情日记)."""

from __future__ import annotations

from zoudu.audit.dated import RosterByDay
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, duration, hm
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

def contradicted(month: Month) -> list[Violation]:
    """``village.contradicted``: a witnessed village entry or stay during which a spot check found the
    cadre absent (docs/audit-rules.md#the-policy-cross-checked); it covers nothing, and both lines are cited."""
    out: list[Violation] = []
    tz = month.settings.tz
    for cid, covered in month.coverage.cadres.items():
        for entry, check in covered.contradicted:
            day = entry.at.astimezone(tz).date()
            if not any(info.date == day for info in month.span.month_days):
                continue
            found = check.at.astimezone(tz)
            what = _("village stay") if entry.get("stay") else _("village visit")
            message = _("{what} in {village} on {day} (witness: {witness}) is contradicted by a spot check on "
                        "{check_day} at {time} that found the cadre absent").format(
                what=what, village=entry.get("village"), day=day.isoformat(), witness=entry.get("witness"),
                check_day=found.date().isoformat(), time=hm(found))
            out.append(month.violation("village.contradicted", cid, message, (entry.where, check.where), day,
                                       "evening" if entry.get("stay") else None))
    return out
