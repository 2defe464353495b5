"""Stage 3 of the audit, *coverage*: what covered each slot of each cadre's day
(docs/audit-rules.md#what-covers-a-slot).

A morning or afternoon is covered by an office sign-in inside its window at the
configured place, or by a witnessed village entry that day; an evening (required
only on a workday followed by a workday) by an office sign-in inside its window or
a witnessed village stay (住村) that night; Friday afternoon, while the study
session is kept, only by the office. Approved leave or a trip (公出) covering a
slot's fixed time excuses it. A required slot nothing covers or excuses is
``MISSING``: the rules (``audit.rules``) say which finding that is.

Per cadre it also counts each audited week's available days and evenings, township
days, nights and village days (the "543" figures, ``week_figures``), and the month's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from zoudu import model
from zoudu.audit.appeals import Rulings
from zoudu.audit.facts import Facts, LeaveSpan, SignIn, Visit
from zoudu.ledger.lines.typed import Line
from zoudu.audit.result import LEAVE, MISSING, NOT_REQUIRED, OFFICE, TRIP, VILLAGE, Day
from zoudu.audit.span import DayInfo, Span
from zoudu.ledger.settings import Quota, Settings
from zoudu.model import Cadre, Roster

MORNING, AFTERNOON, EVENING = 0, 1, 2
PRESENT = (OFFICE, VILLAGE)


@dataclass(frozen=True, slots=True)
class Presence:
    """What one cadre's ledger shows for one day: which windows an office sign-in covered,
    a witnessed village entry, a witnessed stay that night."""

    office: tuple[bool, bool, bool] = (False, False, False)
    village: bool = False  # a witnessed village entry dated that day (a village day of the 543)
    stay: bool = False
    daytime: bool = False  # a witnessed village entry by day (a visit's time in the day): it covers the day slots


NOBODY = Presence()


@dataclass(frozen=True, slots=True)
class CadreDay:
    """One cadre's day as covered: each slot's state, and what the 543 counts."""

    info: DayInfo
    slots: tuple[str, str, str]  # OFFICE | VILLAGE | LEAVE | TRIP | MISSING | NOT_REQUIRED
    township: bool  # both day slots covered by presence
    night: bool  # the evening covered by presence (夜宿)
    village: bool  # a witnessed village entry that day
    leave_kind: str | None
    available: bool  # a workday with neither day slot excused
    evening: bool  # an evening the 543 counts, not excused
    required: int  # slots due and not excused
    at_office: int  # of those, covered by an office sign-in
    duty: tuple[bool, bool, bool] = (False, False, False)  # slots assigned as duty (值班) that day
    cleared: tuple[bool, bool, bool] = (False, False, False)  # missing slots whose finding was overturned


@dataclass
class WeekCount:
    available: int = 0
    evenings: int = 0
    township: int = 0
    nights: int = 0
    village: int = 0


@dataclass(frozen=True)
class CadreCoverage:
    cadre: Cadre
    days: tuple[CadreDay, ...]  # the days served, of every day looked at
    weeks: tuple[WeekCount, ...]  # per audited week (span.weeks)
    rejected: dict[dt.date, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    village_where: dict[dt.date, str] = field(default_factory=dict)  # first witnessed village entry
    # witnessed village entries a spot check found the cadre absent during: (the entry, the check)
    contradicted: tuple[tuple[Line, Line], ...] = ()

    def month_days(self) -> list[CadreDay]:
        return [d for d in self.days if d.info.in_month]


@dataclass(frozen=True)
class Coverage:
    cadres: dict[str, CadreCoverage]  # serving cadres, in roster order


def absent_findings(settings: Settings, roster: Roster, span: Span, facts: Facts, rulings: Rulings
                    ) -> dict[str, list[tuple[dt.datetime, Line]]]:
    """Per cadre: the moments a spot check of the month found them absent (not while on leave, and
    not where the finding it makes was overturned on appeal: then it counts for nothing, so it
    cancels nothing either)."""
    out: dict[str, list[tuple[dt.datetime, Line]]] = {}
    tz = settings.tz
    for e in facts.inspections:
        moment = e.at.astimezone(tz)
        for cid in e.get("absent") or ():
            if any(span_.holds(e.at) for span_ in facts.leaves.get(cid, ())):
                continue
            due = due_at(settings, roster, span, facts.duties.get(cid, {}), cid, e.at)
            if due is not None and rulings.overturned(cid, ABSENT_RULE, *due):
                continue
            out.setdefault(str(cid), []).append((moment, e))
    return out


ABSENT_RULE = "inspection.absent"  # the finding of a spot check that found the cadre absent when due


def due_at(settings: Settings, roster: Roster, span: Span, duties: dict[dt.date, tuple[bool, bool, bool]],
           cadre: str, moment: dt.datetime) -> tuple[dt.date, str] | None:
    """The day and slot (``morning`` …) of the cadre due at ``moment``, None if nothing was (docs/audit-rules.md): a day
    slot of a workday or a duty (``duties``: the cadre's) within its window; the evening of a night the 543 counts (or
    a duty evening) from the start of its window to the end of the next morning's window — a check at 03:00
    found the cadre absent on the night before, and is filed under that evening; and the working hours
    of a workday the cadre serves, filed under the day slot they belong to. Nothing before records start."""
    local = moment.astimezone(settings.tz)
    infos = {info.date: info for info in span.days if info.audited}
    for day, slots in ((local.date(), (0, 1, 2)), (local.date() - dt.timedelta(days=1), (EVENING,))):
        info = infos.get(day)
        duty = duties.get(day, (False, False, False))
        for i in slots:
            if not (info is not None and info.required[i]) and not duty[i]:
                continue
            start, end = slot_span(settings, day, i)
            if start <= local <= end:
                return day, model.SLOTS[i]
    return _in_working_hours(settings, roster, cadre, local, infos.get(local.date()))


def _in_working_hours(settings: Settings, roster: Roster, cadre: str, local: dt.datetime,
                      info) -> tuple[dt.date, str] | None:
    """(the day, its morning or afternoon) when ``local`` lies in the working hours of a workday the
    cadre serves; None otherwise."""
    clock = local.time().replace(tzinfo=None)
    if info is None or not info.workday or not any(start <= clock <= end for start, end in settings.hours):
        return None
    found = roster.get(cadre)
    if found is None or not found.serving_on(info.date):
        return None
    # filed under the half of the day it belongs to: the afternoon from its window's start
    return info.date, "afternoon" if clock >= settings.slots["afternoon"].start else "morning"


def slot_span(settings: Settings, day: dt.date, i: int) -> tuple[dt.datetime, dt.datetime]:
    """When slot ``i`` of ``day`` holds the cadre (docs/audit-rules.md#the-policy-cross-checked): a day slot
    its window; the evening from the start of its window to the end of the next morning's window."""
    tz = settings.tz
    slot = settings.slots[model.SLOTS[i]]
    start = dt.datetime.combine(day, slot.start, tz)
    if i == EVENING:
        return start, dt.datetime.combine(day + dt.timedelta(days=1), settings.slots["morning"].end, tz)
    return start, dt.datetime.combine(day, slot.end, tz)


def visit_span(settings: Settings, visit: Visit) -> tuple[dt.datetime, dt.datetime]:
    """Where a witnessed entry places the cadre (docs/audit-rules.md#the-policy-cross-checked): a visit from its
    time to the start of that day's evening window; a stay from the start of the evening window to the
    end of the next morning's."""
    if visit.stay:
        return slot_span(settings, visit.day, EVENING)
    return visit.entry.at, dt.datetime.combine(visit.day, settings.slots["evening"].start, settings.tz)


def _found_absent(absent: list[tuple[dt.datetime, Line]], span: tuple[dt.datetime, dt.datetime]) -> Line | None:
    return next((check for moment, check in absent if span[0] <= moment <= span[1]), None)


def presence(settings: Settings, facts: Facts,
             absent: dict[str, list[tuple[dt.datetime, Line]]] | None = None
             ) -> tuple[dict[str, dict[dt.date, Presence]], dict[str, dict[dt.date, list[tuple[str, int]]]],
                        dict[str, dict[dt.date, str]], dict[str, list[tuple[Line, Line]]]]:
    """Per cadre and day: what covered; the entries that covered nothing, with the slots
    (as bits 1, 2, 4) they would have covered; the first witnessed village entry; the witnessed
    entries a spot check contradicts (an absent finding cancels the coverage it contradicts)."""
    marks: dict[str, dict[dt.date, list]] = {}
    rejected: dict[str, dict[dt.date, list[tuple[str, int]]]] = {}
    village_where: dict[str, dict[dt.date, str]] = {}
    contradicted: dict[str, list[tuple[Line, Line]]] = {}
    absent = absent or {}
    place = settings.place
    for fact in facts.attendance:
        found_absent = absent.get(fact.cadre)
        if found_absent:
            if type(fact) is SignIn:
                span = slot_span(settings, fact.day, fact.window) if fact.window is not None else None
            else:
                span = visit_span(settings, fact) if fact.witness else None
            check = _found_absent(found_absent, span) if span is not None else None
            if check is not None:
                if type(fact) is Visit:
                    contradicted.setdefault(fact.cadre, []).append((fact.entry, check))
                if fact.in_month:
                    rejected.setdefault(fact.cadre, {}).setdefault(fact.day, []).append(
                        (fact.entry.where, (1 << fact.window) if type(fact) is SignIn else 7 if fact.stay else 3))
                continue
        if type(fact) is SignIn:
            if fact.place == place and fact.window is not None and fact.counts:
                marks.setdefault(fact.cadre, {}).setdefault(fact.day, [False] * 6)[fact.window] = True
            elif fact.in_month:  # cited only for the slot whose window it falls in
                rejected.setdefault(fact.cadre, {}).setdefault(fact.day, []).append(
                    (fact.entry.where, 0 if fact.window is None else 1 << fact.window))
        elif fact.counts:
            village_where.setdefault(fact.cadre, {}).setdefault(fact.day, fact.entry.where)
            mark = marks.setdefault(fact.cadre, {}).setdefault(fact.day, [False] * 6)
            mark[3] = True
            mark[4] = mark[4] or fact.stay
            mark[5] = mark[5] or fact.daytime
            if not fact.daytime and fact.in_month:  # by night it covers no day slot: cited where one is missing
                rejected.setdefault(fact.cadre, {}).setdefault(fact.day, []).append((fact.entry.where, 3))
        elif fact.in_month:
            # a witnessed visit would have covered the day's slots, a witnessed stay the evening too
            rejected.setdefault(fact.cadre, {}).setdefault(fact.day, []).append(
                (fact.entry.where, 7 if fact.stay else 3))
    found = {cadre: {day: Presence((m[0], m[1], m[2]), m[3], m[4], m[5]) for day, m in days.items()}
             for cadre, days in marks.items()}
    return found, rejected, village_where, contradicted


@lru_cache(maxsize=4096)
def states(seen: Presence, study: bool, need: tuple[bool, bool, bool],
           excuse: tuple[str | None, str | None, str | None]) -> tuple[str, str, str]:
    """What covers a slot (docs/audit-rules.md#what-covers-a-slot) for one day of one cadre: the state of each slot."""
    out = []
    for i in (MORNING, AFTERNOON, EVENING):
        if seen.office[i]:
            state = OFFICE
        elif i == EVENING:
            state = VILLAGE if seen.stay else None
        elif seen.daytime and not (i == AFTERNOON and study):  # Friday study: the office only
            state = VILLAGE
        else:
            state = None
        if state is None:
            state = excuse[i] if excuse[i] is not None else MISSING if need[i] else NOT_REQUIRED
        out.append(state)
    return out[0], out[1], out[2]


def excuses(info: DayInfo, leaves: tuple[LeaveSpan, ...]) -> tuple[tuple[str | None, str | None, str | None],
                                                                   str | None]:
    """Which slots leave excuses (LEAVE or TRIP: a span holding the slot's fixed time), and the
    leave's kind (the last one that excused a slot)."""
    excused: list[str | None] = [None, None, None]
    kind = None
    for span in leaves:
        if span.start <= info.slot_at[2] and span.end >= info.slot_at[0]:
            state = TRIP if span.kind == model.TRIP_KIND else LEAVE
            for i in (MORNING, AFTERNOON, EVENING):
                if excused[i] is None and span.holds(info.slot_at[i]):
                    excused[i], kind = state, span.kind
    return (excused[0], excused[1], excused[2]), kind


NONE3 = (False, False, False)


def cover_day(info: DayInfo, seen: Presence, leaves: tuple[LeaveSpan, ...],
              duty: tuple[bool, bool, bool] = NONE3, cleared: tuple[bool, bool, bool] = NONE3) -> CadreDay:
    """One cadre's day; a duty slot (值班) is due like a workday's. A missing slot whose finding was
    overturned on appeal (``cleared``) counts as present in every figure; so does the Friday study
    afternoon for the township day (missing it is ``study.missed`` alone)."""
    need = ((info.required[0] or duty[0]) and info.due[0], (info.required[1] or duty[1]) and info.due[1],
            (info.required[2] or duty[2]) and info.due[2])
    excused, kind = excuses(info, leaves) if leaves else ((None, None, None), None)
    slots = states(seen, info.study, need, excused)
    present = [state in PRESENT or (state == MISSING and cleared[i]) for i, state in enumerate(slots)]
    if info.study and slots[AFTERNOON] == MISSING:
        present[AFTERNOON] = True
    required = sum(1 for i in range(3) if need[i] and excused[i] is None)
    at_office = sum(1 for i in range(3) if need[i] and excused[i] is None and slots[i] == OFFICE)
    return CadreDay(info, slots, present[0] and present[1], present[2], seen.village,
                    kind, info.workday and excused[0] is None and excused[1] is None,
                    info.required[2] and excused[2] is None, required, at_office, duty, cleared)


def cover(span: Span, settings: Settings, roster: Roster, facts: Facts, rulings: Rulings) -> Coverage:
    """For every serving cadre and every day looked at: what covered each slot (a slot whose
    missing finding was overturned on appeal counts as covered, ``rulings``)."""
    found, rejected, village_where, contradicted = presence(settings, facts,
                                                            absent_findings(settings, roster, span, facts, rulings))
    overturned = rulings.cleared(SLOT_RULES)
    week_of_day = {info.date: index for index, week in enumerate(span.weeks) for info in week.days}
    same: dict[tuple[dt.date, Presence], CadreDay] = {}
    out: dict[str, CadreCoverage] = {}
    for cadre in span.cadres:
        seen = found.get(cadre.id, {})
        leaves = facts.leaves.get(cadre.id, ())
        duties = facts.duties.get(cadre.id, {})
        cleared = overturned.get(cadre.id, {})
        days = []
        weeks = [WeekCount() for _week in span.weeks]
        for info in span.days:
            if not (info.audited and cadre.serving_on(info.date)):  # before records start: as if not serving
                continue
            duty = duties.get(info.date)
            if leaves or duty or info.date in cleared:
                day = cover_day(info, seen.get(info.date, NOBODY), leaves, duty or NONE3, cleared.get(info.date, NONE3))
            else:  # the same day seen the same way covers the same for every cadre: worked out once
                looked = (info.date, seen.get(info.date, NOBODY))
                day = same.get(looked)
                if day is None:
                    day = same[looked] = cover_day(info, looked[1], ())
            days.append(day)
            week = week_of_day.get(info.date)
            if week is not None:
                count = weeks[week]
                count.available += day.available
                count.evenings += day.evening
                count.township += day.township
                count.nights += day.night
                count.village += day.village
        out[cadre.id] = CadreCoverage(cadre, tuple(days), tuple(weeks),
                                      {d: tuple(items) for d, items in rejected.get(cadre.id, {}).items()},
                                      village_where.get(cadre.id, {}), tuple(contradicted.get(cadre.id, ())))
    return Coverage(out)


SLOT_RULES = ("signin.missing", "duty.missed")  # the findings of one slot left uncovered


def prorate(quota: int, available: int, cap: int) -> int:
    """docs/audit-rules.md#the-543-week: below 5 available workdays, required = ceil(quota × available ÷ 5);
    never more than ``cap``, the days (or evenings) the rules make available that week."""
    required = quota if available >= 5 else -(-quota * available // 5)  # whole numbers: no float to overflow
    return min(required, cap)


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """One week's "543" of one cadre: (required, actual) for each count."""

    available: int
    township_days: tuple[int, int]
    nights: tuple[int, int]
    village_days: tuple[int, int]


def week_figures(count: WeekCount, quota: Quota) -> WeekFigures:
    a = count.available
    return WeekFigures(a, (prorate(quota.township_days, a, a), count.township),
                       (prorate(quota.nights, a, count.evenings), count.nights),
                       (prorate(quota.village_days, a, a), count.village))


def day_record(day: CadreDay) -> Day:
    """The month's calendar cell of one cadre (``AuditResult``'s ``Day``)."""
    info = day.info
    overturned = tuple(name for name, state, cleared in zip(model.SLOTS, day.slots, day.cleared)
                       if state == MISSING and cleared)  # from overturned_slots, as every figure
    return Day(info.date, info.workday, info.holiday, True, dict(zip(model.SLOTS, day.slots)), day.village,
               day.night, day.leave_kind, overturned)


def not_serving(info: DayInfo, before_records: bool = False) -> Day:
    """A day the cadre is not looked at: not serving, or (``before_records``) serving before records start."""
    return Day(info.date, info.workday, info.holiday, False, dict(zip(model.SLOTS, (NOT_REQUIRED,) * 3)),
               False, False, None, before_records=before_records)
