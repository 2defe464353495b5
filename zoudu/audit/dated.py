"""The roster as it stood on each audited day (docs/choices.md#the-roster-of-the-day:
the audit of a day uses the roster of that day).

``RosterByDay(roster)`` replays the dated log once per distinct state: days between
two changes share one ``Roster``. A roster without a log (the old undated format)
is the same on every day.
"""

from __future__ import annotations

import bisect
import datetime as dt

from zoudu.model import Cadre, Roster


class RosterByDay:
    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self._days = sorted({c.day for c in roster.changes})
        self._states: dict[int, Roster] = {}

    def on(self, day: dt.date) -> Roster:
        if not self._days or day >= self._days[-1]:
            return self.roster  # after the last change: the roster as it stands
        index = bisect.bisect_right(self._days, day)
        state = self._states.get(index)
        if state is None:
            state = self._states[index] = self.roster.on(day)
        return state

    def cadre(self, cadre_id: str, day: dt.date | None) -> Cadre | None:
        """The cadre as they stood on ``day`` (None: as they stand now)."""
        roster = self.on(day) if day is not None else self.roster
        return roster.get(cadre_id) or self.roster.get(cadre_id)
