"""The policy cross-checked (docs/audit-rules.md#the-policy-cross-checked): sign-ins during leave, duty (值班),
family meetings (家属会)."""

from __future__ import annotations

import datetime as dt

from zoudu import model
from zoudu.audit.result import MISSING, Violation
from zoudu.audit.rules.base import Month, hm, searched, slot_name
from zoudu.i18n import _


def leave_not_cancelled(month: Month) -> list[Violation]:
    """``leave.not_cancelled``: an office sign-in while an approved leave is still open (no 销假 yet)."""
    out: list[Violation] = []
    for s in month.facts.signins:
        if not s.in_month or not s.is_sign_in:
            continue
        for span in month.facts.leaves.get(s.cadre, ()):
            if not span.holds(s.entry.at):
                continue
            local = month.local(s.entry.at)
            message = _("sign-in on {day} at {time} during {kind} {leave} ({start} to {end}), which was not "
                        "cancelled (销假) first").format(
                day=local.date().isoformat(), time=hm(local), kind=span.kind, leave=span.entry.id,
                start=month.local(span.start).strftime("%Y-%m-%d %H:%M"),
                end=month.local(span.end).strftime("%Y-%m-%d %H:%M"))
            out.append(month.violation("leave.not_cancelled", s.cadre, message, (s.entry.where, span.entry.where),
                                       local.date(), model.SLOTS[s.window] if s.window is not None else None))
            break
    return out


def duty_missed(month: Month) -> list[Violation]:
    """``duty.missed``: a slot assigned as duty (值班) on a day it was not otherwise due, that nothing
    covered or excused."""
    out: list[Violation] = []
    for cid, covered in month.coverage.cadres.items():
        for day in covered.days:
            info = day.info
            if not info.in_month or not any(day.duty):
                continue
            for i, state in enumerate(day.slots):
                if not day.duty[i] or state != MISSING or info.required[i]:
                    continue  # a workday's slot uncovered is signin.missing, duty or not (it counts as commuting)
                slot = month.settings.slots[model.SLOTS[i]]
                iso = info.date.isoformat()
                message = _("duty (值班) on {day}, {slot}: no sign-in between {start} and {end}").format(
                    day=iso, slot=slot_name(slot.name), start=hm(slot.start), end=hm(slot.end))
                out.append(month.violation("duty.missed", cid, message,
                                           (searched(month, hm(slot.start), hm(slot.end), iso),), info.date,
                                           slot.name))
    return out


def family_too_few(month: Month) -> list[Violation]:
    """``family.too_few`` (no cadre): the audit of a quarter's last month, once it is over, finds no
    family meeting (干部家属会) in the quarter."""
    number = int(month.span.month[5:7])
    if number % 3 or not month.span.over or not month.span.month_days[-1].audited:
        return []
    if any(e.get("meeting_kind") == "family" for e in month.facts.meetings):
        return []
    first = dt.date(int(month.span.month[:4]), number - 2, 1)
    message = _("no family meeting (干部家属会) was held between {first} and {last}; one a quarter is "
                "required").format(first=first.isoformat(), last=month.span.last.isoformat())
    return [month.violation("family.too_few", None, message, (_("{file}: no family meeting recorded").format(
        file=month.span.file),), required=1, actual=0)]
