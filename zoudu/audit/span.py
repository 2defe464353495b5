"""The days an audit looks at (stage 0): the month widened to the ISO weeks whose Thursday
it holds, each day as the rules see it (workday, holiday, required slots, the study
afternoon, the slots' fixed times, whether their windows have closed), and the weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zoudu import model
from zoudu.audit.workdays import Calendar
from zoudu.ledger.settings import Settings
from zoudu.model import Cadre, Roster
from zoudu.timeparse import month_days


@dataclass(frozen=True, slots=True)
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
    audited: bool = True  # on or after the day records start (rules.yaml ``records_from``)


@dataclass(frozen=True, slots=True)
class WeekInfo:
    label: str  # 2026-W45
    monday: dt.date
    days: tuple[DayInfo, ...]
    over: bool  # the whole week has passed


@dataclass(frozen=True)
class Span:
    """What an audit of ``month`` looks at, before any line is read."""

    month: str
    file: str  # the month's ledger as evidence cites it
    days: tuple[DayInfo, ...]  # the month plus the audited weeks' overhang
    month_days: tuple[DayInfo, ...]
    weeks: tuple[WeekInfo, ...]
    now: dt.datetime
    cadres: tuple[Cadre, ...]  # serving on some day looked at
    calendar: Calendar

    @property
    def first(self) -> dt.date:
        return self.month_days[0].date

    @property
    def last(self) -> dt.date:
        return self.month_days[-1].date

    @property
    def over(self) -> bool:
        """Every slot of the month's last day has closed."""
        return all(self.month_days[-1].due)


def audited_span(month_days: list[dt.date]) -> tuple[dt.date, dt.date]:
    """First and last day to look at: the month, widened to whole ISO weeks whose Thursday is in it."""
    first, last = month_days[0], month_days[-1]
    monday = first - dt.timedelta(days=first.weekday())
    start = monday if monday + dt.timedelta(days=3) >= first else first
    sunday = last + dt.timedelta(days=6 - last.weekday())
    end = sunday if sunday - dt.timedelta(days=3) <= last else last
    return start, end


def span_of(settings: Settings, roster: Roster, month: str, file: str, now: dt.datetime) -> Span:
    days = month_days(month)
    calendar = Calendar(settings.calendar)
    start, end = audited_span(days)
    infos = day_infos(settings, calendar, days, start, end, now)
    serving = tuple(c for c in roster.cadres if c.serving_between(start, end))
    return Span(month, file, tuple(infos), tuple(info for info in infos if info.in_month),
                tuple(weeks_of(infos, days)), now, serving, calendar)


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
                             (workday, workday, workday and tomorrow), study, at, due,  # type: ignore[arg-type]
                             settings.records_from is None or day >= settings.records_from))
        day += dt.timedelta(days=1)
    return infos


def weeks_of(days: list[DayInfo], month_days: list[dt.date]) -> list[WeekInfo]:
    first, last = month_days[0], month_days[-1]
    weeks: list[WeekInfo] = []
    for i, info in enumerate(days):
        if info.date.weekday() == 0 and i + 7 <= len(days):
            thursday = info.date + dt.timedelta(days=3)
            if first <= thursday <= last:
                year, number, _day = info.date.isocalendar()
                week = tuple(days[i:i + 7])
                weeks.append(WeekInfo(f"{year}-W{number:02d}", info.date, week, all(week[-1].due)))
    return weeks
