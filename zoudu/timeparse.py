"""Times, dates, months and clock times as people type them, checked strictly."""

from __future__ import annotations

import datetime as dt
import re

from zoudu.errors import ZouduError
from zoudu.i18n import _

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def parse_time(text: str, tz: dt.tzinfo) -> dt.datetime:
    """ISO 8601 (``2026-11-03T08:02``, ``2026-11-03 08:02``); no offset means ``tz``."""
    raw = text.strip()
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ZouduError(_("not a valid time: '{text}' (expected like 2026-11-03T08:02)").format(text=text)) from None
    if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", raw):
        raise ZouduError(_("not a valid time: '{text}' (expected like 2026-11-03T08:02)").format(text=text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz).replace(microsecond=0)


def parse_date(text: str) -> dt.date:
    raw = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ZouduError(_("not a valid date: '{text}' (expected like 2026-11-03)").format(text=text))
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ZouduError(_("not a valid date: '{text}' (expected like 2026-11-03)").format(text=text)) from None


def parse_month(text: str) -> str:
    """``YYYY-MM`` checked and returned as written."""
    m = _MONTH.fullmatch(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise ZouduError(_("not a valid month: '{text}' (expected like 2026-11)").format(text=text))
    return text.strip()


def parse_clock(text: str) -> dt.time:
    m = _CLOCK.fullmatch(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ZouduError(_("not a valid clock time: '{text}' (expected like 08:00)").format(text=text))
    return dt.time(int(m.group(1)), int(m.group(2)))


def month_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_days(month: str) -> list[dt.date]:
    year, mon = int(month[:4]), int(month[5:7])
    first = dt.date(year, mon, 1)
    nxt = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return [first + dt.timedelta(days=i) for i in range((nxt - first).days)]


def months_between(first: str, last: str) -> list[str]:
    """``first`` to ``last`` inclusive, as ``YYYY-MM``."""
    count = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
    return [shift_month(first, i) for i in range(count + 1)]


def shift_month(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def iso(value: dt.datetime) -> str:
    """How times are stored: seconds, with the offset."""
    return value.isoformat(timespec="seconds")
