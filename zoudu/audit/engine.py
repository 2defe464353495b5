"""One pass over the entries, then one over the days: what covered each slot of each cadre.

The result (``Context``) is what every rule reads; rules never walk the ledger again.
SPEC §4: a morning or afternoon is covered by an office sign-in inside its window at
the configured place, or by a witnessed village entry that day; an evening (only
required on a workday followed by a workday) by an office sign-in inside its window
or a witnessed village stay (住村) that night; Friday afternoon, while the study
session is kept, only by the office. Approved leave or a trip (公出) covering a
slot's fixed time excuses it; a cancellation (销假) ends the leave at its time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from zoudu import model
from zoudu.audit.load import Loaded
from zoudu.audit.result import LEAVE, MISSING, NOT_REQUIRED, OFFICE, TRIP, VILLAGE
from zoudu.i18n import _
from zoudu.model import Cadre, Entry, Roster
from zoudu.settings import Settings
from zoudu.workdays import Calendar

MORNING, AFTERNOON, EVENING = 0, 1, 2


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
    states: dict[dt.date, tuple[str, str, str]] = field(default_factory=dict)
    serving: dict[dt.date, bool] = field(default_factory=dict)
    leave_kind: dict[dt.date, str] = field(default_factory=dict)
    missing: list[tuple[DayInfo, int]] = field(default_factory=list)  # (day, slot index), in the month
    study_missed: list[DayInfo] = field(default_factory=list)
    village: set[dt.date] = field(default_factory=set)
    nights: set[dt.date] = field(default_factory=set)
    township: set[dt.date] = field(default_factory=set)
    available: set[dt.date] = field(default_factory=set)  # workdays serving, day slots not excused
    evenings: set[dt.date] = field(default_factory=set)  # evenings required and not excused
    required_slots: int = 0


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
    checkins_valid: dict[str, int] = field(default_factory=dict)
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
    # coverage: cadre -> day -> evidence
    office: dict[str, dict[dt.date, list[str | None]]] = field(default_factory=dict)
    village_day: dict[str, dict[dt.date, str]] = field(default_factory=dict)
    village_night: dict[str, dict[dt.date, str]] = field(default_factory=dict)
    rejected: dict[str, dict[dt.date, list[str]]] = field(default_factory=dict)  # entries that covered nothing
    by_cadre: dict[str, CadreDays] = field(default_factory=dict)
    # (cadre, week label) -> (available, township days, nights, village days), each (required, actual)
    figures: dict[tuple[str, str], tuple] = field(default_factory=dict)
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


# ----------------------------------------------------------------------------- the entry pass


def classify(ctx: Context, loaded: Loaded) -> None:
    """The one loop over entries: each lands where the rules will look for it."""
    settings = ctx.settings
    tz = settings.tz
    place = settings.place
    grace = dt.timedelta(minutes=settings.backfill_grace_minutes)
    windows = [(i, settings.slots[name].start, settings.slots[name].end) for i, name in enumerate(model.SLOTS)]
    roster = ctx.roster.by_id
    span_first, span_last = ctx.days[0].date, ctx.days[-1].date
    month_first, month_last = ctx.month_first, ctx.month_last
    office, village_day, village_night, rejected = ctx.office, ctx.village_day, ctx.village_night, ctx.rejected
    made, valid = ctx.checkins_made, ctx.checkins_valid
    strangers: dict[str, str] = {}

    everything = loaded.history + loaded.neighbours + loaded.entries
    voids = {e.data.get("target"): e for e in everything if e.kind == model.VOID}
    cancels: dict[str, Entry] = {}
    leave_entries: list[Entry] = []

    for e in loaded.entries + loaded.neighbours:
        kind = e.kind
        void = voids.get(e.id) if voids else None
        if void is not None:
            if month_first <= e.at.astimezone(tz).date() <= month_last or e.file == ctx.file:
                ctx.voided.append((e, void))
            continue
        if kind == model.CHECKIN:
            local = e.at.astimezone(tz)
            day = local.date()
            if day < span_first or day > span_last:
                continue
            cadre = e.cadre
            if cadre not in roster:
                strangers.setdefault(cadre, e.where)
                continue
            clock = local.time()
            slot = None
            for i, start, end in windows:
                if start <= clock <= end:
                    slot = i
                    break
            data = e.data
            here = data.get("place", place) == place
            mine = month_first <= day <= month_last
            if here and slot is not None:
                per_day = office.get(cadre)
                if per_day is None:
                    per_day = office[cadre] = {}
                cover = per_day.get(day)
                if cover is None:
                    cover = per_day[day] = [None, None, None]
                if cover[slot] is None:
                    cover[slot] = e.where
                if mine:
                    valid[cadre] = valid.get(cadre, 0) + 1
            elif mine:
                rejected.setdefault(cadre, {}).setdefault(day, []).append(e.where)
            if mine:
                made[cadre] = made.get(cadre, 0) + 1
                if slot is None:
                    ctx.outside_window.append(e)
                if not here:
                    ctx.wrong_place.append((e, slot))
                late = e.recorded - e.at > grace
                if late or data.get("approver"):
                    ctx.backfills.append(e)
                    if late and not data.get("approver"):
                        ctx.backfilled.append(e)
        elif kind == model.VILLAGE:
            day = e.at.astimezone(tz).date()
            if day < span_first or day > span_last:
                continue
            cadre = e.cadre
            if cadre not in roster:
                strangers.setdefault(cadre, e.where)
                continue
            data = e.data
            mine = month_first <= day <= month_last
            if data.get("witness"):
                village_day.setdefault(cadre, {}).setdefault(day, e.where)
                if data.get("stay"):
                    village_night.setdefault(cadre, {}).setdefault(day, e.where)
                if mine:
                    assigned = roster[cadre].village
                    if assigned and data.get("village") != assigned:
                        ctx.not_assigned.append(e)
            elif mine:
                ctx.no_witness.append(e)
                rejected.setdefault(cadre, {}).setdefault(day, []).append(e.where)
        elif kind == model.LEAVE:
            leave_entries.append(e)
        elif kind == model.LEAVE_CANCEL:
            target = e.data.get("leave")
            if target not in cancels or e.at < cancels[target].at:
                cancels[target] = e
        elif kind == model.INSPECTION:
            if month_first <= e.at.astimezone(tz).date() <= month_last:
                ctx.inspections.append(e)
        elif kind == model.REPORT:
            if month_first <= e.at.astimezone(tz).date() <= month_last:
                ctx.reports.append(e)
        elif kind == model.EVALUATION:
            if e.data.get("month") == ctx.month and e.cadre:
                grades = ctx.evaluations.setdefault(e.cadre, {})
                for key in ("self", "peer", "public"):
                    if e.data.get(key):
                        grades[key] = e.data[key]

    for e in loaded.history:
        if e.id in voids:
            continue
        if e.kind == model.LEAVE:
            leave_entries.append(e)
        elif e.kind == model.LEAVE_CANCEL:
            target = e.data.get("leave")
            if target not in cancels or e.at < cancels[target].at:
                cancels[target] = e

    seen: set[str] = set()
    span_start = dt.datetime.combine(span_first, dt.time(0), tz)
    span_end = dt.datetime.combine(span_last + dt.timedelta(days=1), dt.time(0), tz)
    for e in leave_entries:
        if e.id in seen or e.cadre is None:
            continue
        seen.add(e.id)
        try:
            end = dt.datetime.fromisoformat(e.data["until"])
        except (KeyError, TypeError, ValueError):
            ctx.notices.append(_("{where}: a leave without a readable end ('until'); it was not counted").format(
                where=e.where))
            continue
        cancel = cancels.get(e.id)
        if cancel is not None and cancel.at < end:
            end = cancel.at
        if end < span_start or e.at >= span_end:
            continue
        kind = e.data.get("leave_kind") or "事假"
        ctx.leaves.setdefault(e.cadre, []).append(LeaveSpan(e.at, end, kind, e, cancel))

    for cadre, where in strangers.items():
        ctx.notices.append(_("{where}: '{cadre}' is not on the roster; their entries were not counted").format(
            where=where, cadre=cadre))


# ----------------------------------------------------------------------------- the day pass


def cover_days(ctx: Context) -> None:
    """For every cadre and every day looked at: what covered each slot, and what was missing."""
    empty: dict = {}
    for cadre in ctx.cadres:
        cid = cadre.id
        office = ctx.office.get(cid, empty)
        vday = ctx.village_day.get(cid, empty)
        stay = ctx.village_night.get(cid, empty)
        leaves = ctx.leaves.get(cid)
        since, until = cadre.since, cadre.until
        found = CadreDays(cadre)
        states, serving_map = found.states, found.serving
        for info in ctx.days:
            d = info.date
            serving = (since is None or since <= d) and (until is None or d <= until)
            serving_map[d] = serving
            if not serving:
                states[d] = (NOT_REQUIRED, NOT_REQUIRED, NOT_REQUIRED)
                continue
            covered = office.get(d)
            seen_village = d in vday
            excuse: list[str | None] = [None, None, None]
            if leaves:
                for i, t in enumerate(info.slot_at):
                    for span in leaves:
                        if span.start <= t <= span.end:
                            excuse[i] = TRIP if span.kind == model.TRIP_KIND else LEAVE
                            found.leave_kind[d] = span.kind
                            break
            slots: list[str] = []
            for i in (MORNING, AFTERNOON, EVENING):
                if covered is not None and covered[i] is not None:
                    state = OFFICE
                elif i == EVENING:
                    state = VILLAGE if d in stay else None
                elif seen_village and not (i == AFTERNOON and info.study):
                    state = VILLAGE
                else:
                    state = None
                if state is None:
                    if excuse[i] is not None:
                        state = excuse[i]
                    elif info.required[i] and info.due[i]:
                        state = MISSING
                        if info.in_month:
                            if i == AFTERNOON and info.study:
                                found.study_missed.append(info)
                            else:
                                found.missing.append((info, i))
                    else:
                        state = NOT_REQUIRED
                slots.append(state)
                if info.required[i] and info.due[i] and excuse[i] is None and info.in_month:
                    found.required_slots += 1
            states[d] = (slots[0], slots[1], slots[2])
            present = (OFFICE, VILLAGE)
            if slots[0] in present and slots[1] in present:
                found.township.add(d)
            if slots[2] in present:
                found.nights.add(d)
            if seen_village:
                found.village.add(d)
            if info.workday and excuse[MORNING] is None and excuse[AFTERNOON] is None:
                found.available.add(d)
            if info.required[EVENING] and excuse[EVENING] is None:
                found.evenings.add(d)
        ctx.by_cadre[cid] = found
        for week in ctx.weeks:
            ctx.figures[cid, week.label] = week_figures(ctx, found, week)


def prorate(quota: int, available: int, cap: int) -> int:
    """SPEC §4: below 5 available workdays, required = ceil(quota × available ÷ 5);
    never more than ``cap``, the days (or evenings) the rules make available that week."""
    required = quota if available >= 5 else math.ceil(quota * available / 5)
    return min(required, cap)


def week_figures(ctx: Context, found: CadreDays, week: WeekInfo) -> tuple[int, tuple[int, int], tuple[int, int],
                                                                         tuple[int, int]]:
    """(available, (required, actual) township days, nights, village days) of one cadre's week."""
    dates = [info.date for info in week.days]
    available = sum(1 for d in dates if d in found.available)
    evenings = sum(1 for d in dates if d in found.evenings)
    quota = ctx.settings.quota
    serving = found.serving
    township = sum(1 for d in dates if d in found.township and serving.get(d))
    nights = sum(1 for d in dates if d in found.nights and serving.get(d))
    village = sum(1 for d in dates if d in found.village and serving.get(d))
    return (
        available,
        (prorate(quota.township_days, available, available), township),
        (prorate(quota.nights, available, evenings), nights),
        (prorate(quota.village_days, available, available), village),
    )
