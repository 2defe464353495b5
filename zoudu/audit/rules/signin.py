"""Office sign-ins (三定点: fixed time, place and count) and the Friday study session."""

from __future__ import annotations

import datetime as dt

from zoudu import model
from zoudu.audit.coverage import AFTERNOON
from zoudu.audit.facts import SignIn
from zoudu.audit.result import MISSING, Violation
from zoudu.audit.rules.base import Month, duration, hm, searched, slot_name
from zoudu.i18n import _


def missing(month: Month) -> list[Violation]:
    """``signin.missing``: a required slot nothing covered or excused (not the Friday study afternoon)."""
    out: list[Violation] = []
    severity = month.settings.severity_of("signin.missing")
    day_template = _("{slot}: no office sign-in between {start} and {end} and no witnessed village entry on {day}")
    night_template = _("{slot}: no office sign-in between {start} and {end} and no witnessed village stay "
                       "on the night of {day}")
    slots = [(slot.name, night_template if slot.name == "evening" else day_template, hm(slot.start), hm(slot.end))
             for slot in (month.settings.slots[name] for name in model.SLOTS)]
    names = [slot_name(name) for name in model.SLOTS]
    for cid, covered in month.coverage.cadres.items():
        for day in covered.days:
            info = day.info
            if not info.in_month or MISSING not in day.slots:
                continue
            for i, state in enumerate(day.slots):
                if state != MISSING or (i == AFTERNOON and info.study) or (day.duty[i] and not info.required[i]):
                    # a duty slot on a rest day is duty.missed; on a workday it is due anyway: signin.missing
                    continue
                name, template, start, end = slots[i]
                iso = info.date.isoformat()
                message = template.format(slot=names[i], start=start, end=end, day=iso)
                bit = 1 << i
                rejected = (where for where, would in covered.rejected.get(info.date, ()) if would & bit)
                out.append(Violation("signin.missing", severity, cid, info.date, name, None, None, None, message,
                                     (searched(month, start, end, iso), *rejected)))
    return out


def study_missed(month: Month) -> list[Violation]:
    """``study.missed``: a Friday afternoon (study session) without an office sign-in."""
    out: list[Violation] = []
    slot = month.settings.slots["afternoon"]
    for cid, covered in month.coverage.cadres.items():
        for day in covered.days:
            info = day.info
            if not (info.in_month and info.study and day.slots[AFTERNOON] == MISSING):
                continue
            iso = info.date.isoformat()
            message = _("Friday afternoon study session: no office sign-in between {start} and {end} on {day}").format(
                start=hm(slot.start), end=hm(slot.end), day=iso)
            village = covered.village_where.get(info.date)
            evidence = (searched(month, hm(slot.start), hm(slot.end), iso),
                        *(where for where, would in covered.rejected.get(info.date, ()) if would & 2),
                        *((village,) if village else ()))
            out.append(month.violation("study.missed", cid, message, evidence, info.date, "afternoon"))
    return out


def outside_window(month: Month) -> list[Violation]:
    """``signin.outside_window``: a sign-in outside every slot's window. A terminal's punch is
    not one: people punch when they leave for lunch; it is kept and covers nothing."""
    windows = ", ".join(f"{hm(s.start)}–{hm(s.end)}" for s in month.settings.slots.values())
    out: list[Violation] = []
    for s in month.facts.signins:
        if s.in_month and s.window is None and s.is_sign_in:
            local = month.local(s.entry.at)
            message = _("sign-in at {time} on {day} lies outside every sign-in window ({windows})").format(
                time=hm(local), day=local.date().isoformat(), windows=windows)
            out.append(month.violation("signin.outside_window", s.cadre, message, (s.entry.where,), local.date()))
    return out


def wrong_place(month: Month) -> list[Violation]:
    """``signin.wrong_place``: a sign-in anywhere but the configured place."""
    expected = month.settings.place
    out: list[Violation] = []
    for s in month.facts.signins:
        if s.in_month and s.place != expected:
            local = month.local(s.entry.at)
            message = _("sign-in at '{place}' on {day} at {time}; sign-ins count only at '{expected}'").format(
                place=s.entry.get("place"), day=local.date().isoformat(), time=hm(local), expected=expected)
            out.append(month.violation("signin.wrong_place", s.cadre, message, (s.entry.where,), local.date(),
                                       model.SLOTS[s.window] if s.window is not None else None))
    return out


def backfilled(month: Month) -> list[Violation]:
    """``signin.backfilled``: entered later than the grace after its time, with no approver (a
    terminal's punch outside every window is no sign-in: late or not, it raises nothing)."""
    out: list[Violation] = []
    for s in month.facts.signins:
        if not (s.in_month and s.late and not s.approver and s.is_sign_in):
            continue
        e = s.entry
        local = month.local(e.at)
        late = int((e.recorded - e.at).total_seconds() // 60)
        message = _("sign-in for {day} {time} was entered {delay} later ({recorded}) with no approver "
                    "(allowed: {grace} minutes)").format(
            day=local.date().isoformat(), time=hm(local), delay=duration(late),
            recorded=month.local(e.recorded).strftime("%Y-%m-%d %H:%M"),
            grace=month.settings.backfill_grace_minutes)
        message += _("; it counts for nothing")
        if s.refused:
            message += _("; the approver named ({approver}) may not approve it: {why}").format(
                approver=e.approver, why=s.refused)
        slot = month.settings.slot_of(local.time())
        out.append(month.violation("signin.backfilled", s.cadre, message, (e.where,), local.date(),
                                   slot.name if slot else None))
    return out



def _seconds(clock: dt.time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def late(month: Month) -> list[Violation]:
    """``signin.late`` (定时间): inside a slot's window at the place, but later than the slot's fixed
    time plus ``late_tolerance_minutes``; it still covers the slot."""
    tolerance = dt.timedelta(minutes=month.settings.late_tolerance_minutes)
    slots = [month.settings.slots[name] for name in model.SLOTS]
    first: dict[tuple[str, dt.date, int], SignIn] = {}  # a slot's first sign-in decides
    for s in month.facts.signins:
        if s.in_month and s.window is not None and s.place == month.settings.place:
            key = (s.cadre, s.day, s.window)
            if key not in first or s.clock < first[key].clock:
                first[key] = s
    limits = [_seconds(slot.time) + int(tolerance.total_seconds()) for slot in slots]
    out: list[Violation] = []
    for s in first.values():
        slot = slots[s.window]
        if _seconds(s.clock) <= limits[s.window]:
            continue
        minutes = (_seconds(s.clock) - _seconds(slot.time)) // 60  # whole minutes past the fixed time: 10 min 1 s is 10
        message = _("{slot} sign-in at {time} on {day}, {late} after the fixed time {fixed} "
                    "(tolerance: {n} minutes)").format(
            slot=slot_name(slot.name), time=hm(s.clock), day=s.day.isoformat(), late=duration(minutes),
            fixed=hm(slot.time), n=month.settings.late_tolerance_minutes)
        out.append(month.violation("signin.late", s.cadre, message, (s.entry.where,), s.day, slot.name))
    return out
