"""What every rule reads (``Month``: the stages' results, read-only) and the helpers rules share."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from zoudu.audit.coverage import Coverage
from zoudu.audit.facts import Facts
from zoudu.audit.result import Violation
from zoudu.audit.span import Span
from zoudu.i18n import N_, _, current
from zoudu.ledger.settings import Settings
from zoudu.model import Roster


class Month(NamedTuple):
    """The audited month as the rules see it: each field is a stage's returned value."""

    settings: Settings
    roster: Roster
    span: Span
    facts: Facts
    coverage: Coverage

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.settings.tz)

    def violation(self, rule: str, cadre: str | None, message: str, evidence: tuple[str, ...],
                  date: dt.date | None = None, slot: str | None = None, week: str | None = None,
                  required: int | None = None, actual: int | None = None) -> Violation:
        return Violation(rule, self.settings.severity_of(rule), cadre, date, slot, week, required, actual, message,
                         evidence)


SLOT_NAMES = {"morning": N_("morning"), "afternoon": N_("afternoon"), "evening": N_("evening")}


def slot_name(slot: str) -> str:
    return _(SLOT_NAMES[slot]) if slot in SLOT_NAMES else slot


def hm(value: dt.time | dt.datetime) -> str:
    """``20:30``, or ``20:30:30`` when the seconds are not zero (a window ends on the second:
    a sign-in at 20:30:30 is outside the window ending 20:30, and must not read as inside it)."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def duration(minutes: int) -> str:
    """35069 -> "24 day(s) 8 hour(s) 29 minute(s)" (24天8小时29分钟): a clerk reads days, not minutes."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, _("{n} day(s)")), (hours, _("{n} hour(s)")), (mins, _("{n} minute(s)"))]
    shown = [unit.format(n=n) for n, unit in parts if n] or [_("{n} minute(s)").format(n=0)]
    return ("" if current().startswith("zh") else " ").join(shown)


def searched(month: Month, start: str, end: str, day: str) -> str:
    """Evidence for an absence: the window searched."""
    return _("{file}: no sign-in between {start} and {end} on {day}").format(
        file=month.span.file, start=start, end=end, day=day)
