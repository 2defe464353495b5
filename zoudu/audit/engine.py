"""The audit's working state (``Context``), its calendar of days and weeks, and the pass over
the days: what covered each slot of each cadre (the pass over the lines is ``audit.entries``).

The Context is what every rule reads; rules never walk the ledger again.
SPEC §4: a morning or afternoon is covered by an office sign-in inside its window at
the configured place, or by a witnessed village entry that day; an evening (only
required on a workday followed by a workday) by an office sign-in inside its window
or a witnessed village stay (住村) that night; Friday afternoon, while the study
session is kept, only by the office. Approved leave or a trip (公出) covering a
slot's fixed time excuses it; a cancellation (销假) ends the leave at its time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zoudu import model
from zoudu.audit.result import LEAVE, MISSING, NOT_REQUIRED, OFFICE, TRIP, VILLAGE
from zoudu.model import Cadre, Entry, Roster
from zoudu.ledger.settings import Settings
from zoudu.audit.workdays import Calendar

MORNING, AFTERNOON, EVENING = 0, 1, 2
NONE_REQUIRED = (NOT_REQUIRED, NOT_REQUIRED, NOT_REQUIRED)
# What one day of one cadre's ledger shows, as bits of one int (Context.marks).
MORNING_OFFICE, AFTERNOON_OFFICE, EVENING_OFFICE = 1, 2, 4  # a valid office sign-in in that window
VILLAGE_ENTRY, VILLAGE_STAY = 8, 16  # a witnessed village entry that day; a witnessed stay that night


@dataclass(slots=True)
class DayInfo:
    """A calendar day as the rules see it, the same for every cadre."""

    date: dt.date
    workday: bool
    holiday: bool
    in_month: bool
    required: tuple[bool, bool, bool]  # which slots the rules ask for
    study: bool  # Friday afternoon: only the office covers it
    slot_at: tuple[dt.datetime, dt.datetime, dt.datetime]  # the fixed times (定时间)
    due: tuple[bool, bool, bool]  # the slot's window has closed by now


@dataclass(slots=True)
class LeaveSpan:
    start: dt.datetime
    end: dt.datetime
    kind: str
    entry: Entry
    cancel: Entry | None = None


@dataclass(slots=True)
class CadreDays:
    """What the day pass found for one cadre, over every day the audit looks at."""

    cadre: Cadre
    leave_kind: dict[dt.date, str] = field(default_factory=dict)
    missing: list[tuple[DayInfo, int]] = field(default_factory=list)  # (day, slot index), in the month
    study_missed: list[DayInfo] = field(default_factory=list)
    village: set[dt.date] = field(default_factory=set)
    nights: set[dt.date] = field(default_factory=set)
    township: set[dt.date] = field(default_factory=set)
    required_slots: int = 0
    office_slots: int = 0  # of those, covered by an office sign-in (each slot once)
    days: list = field(default_factory=list)  # the month's Day records
    month: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])  # township, nights, village, leave, trip


@dataclass(slots=True)
class WeekInfo:
    label: str  # 2026-W45
    monday: dt.date
    days: list[DayInfo]
    over: bool  # the whole week has passed


@dataclass
class Context:
    """Everything the rules read. Built once per audit; rules only look."""

    settings: Settings
    calendar: Calendar
    roster: Roster
    month: str
    file: str  # the month's ledger as evidence cites it
    days: list[DayInfo]  # every day looked at: the month plus the audited weeks' overhang
    month_days: list[DayInfo]
    weeks: list[WeekInfo]
    now: dt.datetime
    cadres: list[Cadre]  # serving on some day looked at
    # entries of the month, by what they say
    checkins_made: dict[str, int] = field(default_factory=dict)
    outside_window: list[Entry] = field(default_factory=list)
    wrong_place: list[tuple[Entry, int | None]] = field(default_factory=list)
    backfills: list[Entry] = field(default_factory=list)  # late entries, approved or not
    backfilled: list[Entry] = field(default_factory=list)  # late and unapproved: the violation
    no_witness: list[Entry] = field(default_factory=list)
    not_assigned: list[Entry] = field(default_factory=list)
    inspections: list[Entry] = field(default_factory=list)
    reports: list[Entry] = field(default_factory=list)
    evaluations: dict[str, dict[str, str]] = field(default_factory=dict)
    voided: list[tuple[Entry, Entry]] = field(default_factory=list)  # (voided entry, the void)
    leaves: dict[str, list[LeaveSpan]] = field(default_factory=dict)
    # coverage: cadre -> day -> what was found that day, as bits (MORNING_OFFICE ... VILLAGE_STAY)
    marks: dict[str, dict[dt.date, int]] = field(default_factory=dict)
    # cadre -> day -> "file:line" of the first witnessed village entry (evidence)
    village_day: dict[str, dict[dt.date, str]] = field(default_factory=dict)
    # entries that covered nothing: cadre -> day -> ("file:line", the slots it would have covered,
    # as bits MORNING_OFFICE | AFTERNOON_OFFICE | EVENING_OFFICE): evidence for those slots only
    rejected: dict[str, dict[dt.date, list[tuple[str, int]]]] = field(default_factory=dict)
    by_cadre: dict[str, CadreDays] = field(default_factory=dict)
    # cadre -> for each audited week: (available, township days, nights, village days),
    # each of the last three (required, actual)
    figures: dict[str, list[tuple]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def in_month(self, day: dt.date) -> bool:
        return self.month_first <= day <= self.month_last

    @property
    def month_first(self) -> dt.date:
        return self.month_days[0].date

    @property
    def month_last(self) -> dt.date:
        return self.month_days[-1].date


# ----------------------------------------------------------------------------- calendar


def audited_span(month_days: list[dt.date]) -> tuple[dt.date, dt.date]:
    """First and last day to look at: the month, widened to whole ISO weeks whose Thursday is in it."""
    first, last = month_days[0], month_days[-1]
    monday = first - dt.timedelta(days=first.weekday())
    start = monday if monday + dt.timedelta(days=3) >= first else first
    sunday = last + dt.timedelta(days=6 - last.weekday())
    end = sunday if sunday - dt.timedelta(days=3) <= last else last
    return start, end


def day_infos(settings: Settings, calendar: Calendar, month_days: list[dt.date], start: dt.date, end: dt.date,
              now: dt.datetime) -> list[DayInfo]:
    tz = settings.tz
    slots = [settings.slots[name] for name in model.SLOTS]
    infos: list[DayInfo] = []
    day = start
    first, last = month_days[0], month_days[-1]
    while day <= end:
        workday = calendar.is_workday(day)
        tomorrow = calendar.is_workday(day + dt.timedelta(days=1))
        study = settings.study_session and day.weekday() == 4 and workday
        at = tuple(dt.datetime.combine(day, s.time, tz) for s in slots)
        due = tuple(dt.datetime.combine(day, s.end, tz) < now for s in slots)
        infos.append(DayInfo(day, workday, calendar.is_holiday(day), first <= day <= last,
                             (workday, workday, workday and tomorrow), study, at, due))  # type: ignore[arg-type]
        day += dt.timedelta(days=1)
    return infos


def weeks_of(days: list[DayInfo], month_days: list[dt.date], now: dt.datetime) -> list[WeekInfo]:
    first, last = month_days[0], month_days[-1]
    weeks: list[WeekInfo] = []
    for i, info in enumerate(days):
        if info.date.weekday() == 0 and i + 7 <= len(days):
            thursday = info.date + dt.timedelta(days=3)
            if first <= thursday <= last:
                year, number, _day = info.date.isocalendar()
                week = days[i:i + 7]
                over = all(week[-1].due)
                weeks.append(WeekInfo(f"{year}-W{number:02d}", info.date, week, over))
    return weeks


# ----------------------------------------------------------------------------- the day pass


def _states(mark: int, study: bool, need: tuple[bool, bool, bool],
            excuse: tuple[str | None, str | None, str | None]) -> tuple:
    """SPEC §4 for one day of one cadre: (morning, afternoon, evening) states, township day?,
    night?, missing slot indexes, required slots (due and not excused), and how many of those
    an office sign-in covered."""
    states = []
    missing = []
    for i, office in enumerate((MORNING_OFFICE, AFTERNOON_OFFICE, EVENING_OFFICE)):
        if mark & office:
            state = OFFICE
        elif i == EVENING:
            state = VILLAGE if mark & VILLAGE_STAY else None
        elif mark & VILLAGE_ENTRY and not (i == AFTERNOON and study):  # Friday study: the office only
            state = VILLAGE
        else:
            state = None
        if state is None:
            if excuse[i] is not None:
                state = excuse[i]
            elif need[i]:
                state = MISSING
                missing.append(i)
            else:
                state = NOT_REQUIRED
        states.append(state)
    present = (OFFICE, VILLAGE)
    required = sum(1 for i in range(3) if need[i] and excuse[i] is None)
    at_office = sum(1 for i in range(3) if need[i] and excuse[i] is None and states[i] == OFFICE)
    return (tuple(states), states[0] in present and states[1] in present, states[2] in present, tuple(missing),
            required, at_office)


def _table() -> list[tuple]:
    """``_states`` of every day without leave, by mark (5 bits) and day kind (study, 3 needs)."""
    table = []
    for kind in range(16):
        study, need = bool(kind & 1), (bool(kind & 2), bool(kind & 4), bool(kind & 8))
        table.extend(_states(mark, study, need, (None, None, None)) for mark in range(32))
    return table


_TABLE = _table()


def cover_days(ctx: Context, want_days: bool = True) -> None:
    """For every cadre and every day looked at: what covered each slot, and what was missing.

    One loop over cadres × days; a day without leave is looked up in a table of every case
    (``_TABLE``), a day with leave is worked out (``_states``). The loop also counts each
    audited week's days, nights and village days, and builds the month's ``Day`` records.
    Identical slot maps are shared (read-only). ``want_days=False`` skips the Day records
    (the command line shows none of them).
    """
    from zoudu.audit.result import Day

    empty: dict = {}
    shared: dict[tuple[str, str, str], dict[str, str]] = {}
    week_of_day: dict[dt.date, int] = {}
    for index, week in enumerate(ctx.weeks):
        for info in week.days:
            week_of_day[info.date] = index
    plan = []
    for info in ctx.days:
        need = (info.required[0] and info.due[0], info.required[1] and info.due[1], info.required[2] and info.due[2])
        kind = info.study + 2 * need[0] + 4 * need[1] + 8 * need[2]
        plan.append((info, info.date, info.in_month, info.workday, info.holiday, info.required[2],
                     week_of_day.get(info.date), 32 * kind, need))
    table = _TABLE
    quota = ctx.settings.quota
    not_serving = dict(zip(model.SLOTS, NONE_REQUIRED))
    for cadre in ctx.cadres:
        cid = cadre.id
        marks = ctx.marks.get(cid, empty)
        leaves = ctx.leaves.get(cid)
        since, until = cadre.since, cadre.until
        found = CadreDays(cadre)
        leave_kind = found.leave_kind
        missing_list, study_missed = found.missing, found.study_missed
        township_days, night_days, village_days = found.township, found.nights, found.village
        days = found.days
        counts = [[0, 0, 0, 0, 0] for _week in ctx.weeks]  # available, evenings, township, nights, village
        month = found.month  # township, nights, village, leave days, trip days
        required_slots = office_slots = 0
        for info, d, in_month, workday, holiday, evening_rule, week, kind, need in plan:
            if (since is not None and d < since) or (until is not None and d > until):
                if in_month and want_days:
                    days.append(Day(d, workday, holiday, False, not_serving, False, False, None))
                continue
            mark = marks.get(d, 0)
            leave = None
            if leaves is None:
                triple, township, night, missing, required, at_office = table[kind + mark]
                available, evening = workday, evening_rule
            else:
                e0 = e1 = e2 = None
                t0, t1, t2 = info.slot_at
                for span in leaves:
                    start, end = span.start, span.end
                    if start <= t2 and end >= t0:
                        state = TRIP if span.kind == model.TRIP_KIND else LEAVE
                        if e0 is None and start <= t0 <= end:
                            e0, leave = state, span.kind
                        if e1 is None and start <= t1 <= end:
                            e1, leave = state, span.kind
                        if e2 is None and start <= t2 <= end:
                            e2, leave = state, span.kind
                if leave is None:
                    triple, township, night, missing, required, at_office = table[kind + mark]
                    available, evening = workday, evening_rule
                else:
                    leave_kind[d] = leave
                    triple, township, night, missing, required, at_office = _states(mark, info.study, need, (e0, e1, e2))
                    available, evening = workday and e0 is None and e1 is None, evening_rule and e2 is None
            in_village = mark & VILLAGE_ENTRY != 0
            if week is not None:
                c = counts[week]
                c[0] += available
                c[1] += evening
                c[2] += township
                c[3] += night
                c[4] += in_village
            if township:
                township_days.add(d)
            if night:
                night_days.add(d)
            if in_village:
                village_days.add(d)
            if in_month:
                for i in missing:
                    if i == AFTERNOON and info.study:
                        study_missed.append(info)
                    else:
                        missing_list.append((info, i))
                required_slots += required
                office_slots += at_office
                if want_days:
                    slots = shared.get(triple)
                    if slots is None:
                        slots = shared[triple] = dict(zip(model.SLOTS, triple))
                    days.append(Day(d, workday, holiday, True, slots, in_village, night, leave))
                month[0] += township
                month[1] += night
                month[2] += in_village
                if leave is not None and workday:
                    month[4 if leave == model.TRIP_KIND else 3] += 1
        found.required_slots, found.office_slots = required_slots, office_slots
        ctx.by_cadre[cid] = found
        ctx.figures[cid] = [(
            available,
            (prorate(quota.township_days, available, available), township),
            (prorate(quota.nights, available, evenings), nights),
            (prorate(quota.village_days, available, available), village),
        ) for available, evenings, township, nights, village in counts]


def prorate(quota: int, available: int, cap: int) -> int:
    """SPEC §4: below 5 available workdays, required = ceil(quota × available ÷ 5);
    never more than ``cap``, the days (or evenings) the rules make available that week."""
    required = quota if available >= 5 else -(-quota * available // 5)  # whole numbers: no float to overflow
    return min(required, cap)
