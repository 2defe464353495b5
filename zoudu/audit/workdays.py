"""The working calendar (工作日历): which days are workdays, and which are holidays.

Three sources, most specific first:

1. ``rules.yaml`` ``calendar.holidays`` / ``calendar.workdays``: single days the
   township adds (a local holiday, an extra working Saturday);
2. ``rules.yaml`` ``calendar.years``: a whole year's arrangement copied from the
   State Council's announcement, with its source. It is what a year the library
   does not know yet is audited with; where the library knows the year too, the
   days listed in rules.yaml win and the other days are the library's;
3. the ``chinesecalendar`` library: statutory holidays and make-up working days
   (调休) as published, 2004 to the last year the installed version knows.

A year known to none of them is audited as Monday to Friday, and every result
says so (``Calendar.notices``): never a silent assumption.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from zoudu.i18n import _
from zoudu.ledger.settings import CalendarSettings

LIBRARY = "chinesecalendar"


def _library_day(day: dt.date) -> tuple[bool, bool] | None:
    """(workday, statutory holiday) from chinesecalendar, or None if it does not know the year."""
    try:
        import chinese_calendar
        from chinese_calendar.constants import holidays
    except ImportError:  # pragma: no cover - a dependency; kept so a broken install still audits, with a notice
        return None
    try:
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None
    return workday, (not workday and day in holidays)


class Calendar:
    """Answers ``is_workday`` / ``is_holiday`` for any day, remembering what it had to assume."""

    def __init__(self, settings: CalendarSettings | None = None):
        self.settings = settings or CalendarSettings()
        self._days: dict[dt.date, tuple[bool, bool]] = {}
        self._unknown_years: set[int] = set()

    def _look_up(self, day: dt.date) -> tuple[bool, bool]:
        cal = self.settings
        if day in cal.holidays:
            return False, True
        if day in cal.workdays:
            return True, False
        arrangement = cal.years.get(day.year)
        if arrangement is not None:
            if day in arrangement.holidays:
                return False, True
            if day in arrangement.workdays:
                return True, False
        known = _library_day(day)
        if known is not None:
            return known
        if arrangement is None:
            self._unknown_years.add(day.year)
        return day.weekday() < 5, False

    def _day(self, day: dt.date) -> tuple[bool, bool]:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = self._look_up(day)
        return found

    def is_workday(self, day: dt.date) -> bool:
        """Monday to Friday minus statutory holidays, plus make-up working days (调休)."""
        return self._day(day)[0]

    def is_holiday(self, day: dt.date) -> bool:
        """A statutory or local holiday (节假日), as opposed to an ordinary weekend."""
        return self._day(day)[1]

    def source(self, year: int) -> str | None:
        """Where the calendar of ``year`` comes from, or None if nobody knows it."""
        arrangement = self.settings.years.get(year)
        if arrangement is not None:
            return arrangement.source
        if _library_day(dt.date(year, 6, 1)) is not None:
            return LIBRARY
        return None

    def check(self, days: Iterable[dt.date]) -> None:
        """Look every day up now, so that ``notices`` knows every year they touch."""
        for day in days:
            self._day(day)

    @property
    def unknown_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._unknown_years))

    def notices(self) -> list[str]:
        """One warning per year that neither the library nor rules.yaml knows."""
        return [
            _("the holiday arrangement for {year} is unknown (neither the {library} library nor "
              "rules.yaml calendar.years has it): Monday to Friday were taken as workdays. "
              "Add the State Council's arrangement for {year} under calendar.years in rules.yaml"
              ).format(year=year, library=LIBRARY)
            for year in self.unknown_years
        ]
