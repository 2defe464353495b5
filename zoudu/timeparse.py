"""Times, dates, months and clock times as people type them, checked strictly.

Accepted (docs/guide.md#typing-times-names-and-rules): ISO 8601 (``2026-11-03T08:02``, ``2026-11-03 08:02``, with an
offset or not), ``2026/11/04 8:00``, ``2026.11.04 08:00``, ``2026年11月4日 08:00``,
``2026年11月4日 8时30分``, ``11月4日 8:00`` (this year), ``今天 8:00``, ``昨天 19:30``,
``8:00`` (today). Full-width digits, colon and space are folded with NFKC first;
after that only ASCII digits count (``\\d`` and ``int()`` would take any script's
digits: ``٢٠٢٦`` is refused). Years outside 2000–2100 are refused where typed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from zoudu.errors import ZouduError
from zoudu.i18n import _

YEARS = (2000, 2100)
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")

# A clock time as typed: 8:00, 08:00:00, 8时, 8时30分, 8点30, 8点半
_HM = r"(?P<h>[0-9]{1,2})(?:(?::(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?)|(?:[时點点](?:(?P<m2>[0-9]{1,2})分?|(?P<half>半))?))"
_OFFSET = r"(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2})?"
_YMD = r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<mo>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
_YMD_ZH = r"(?P<y>[0-9]{4})年(?P<mo>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]"
_MD_ZH = r"(?P<mo>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]"
_REL = r"(?P<rel>今天|今日|昨天|昨日|前天)"

_TIME_PATTERNS = (
    _YMD + r"(?:T|\s+)" + _HM + _OFFSET,
    _YMD_ZH + r"\s*" + _HM,
    _MD_ZH + r"\s*" + _HM,
    _REL + r"\s*" + _HM,
    _HM,
)
_DATE_PATTERNS = (_YMD, _YMD_ZH, _MD_ZH, _REL)
_MONTH_PATTERNS = (
    r"(?P<y>[0-9]{4})[-/.](?P<mo>[0-9]{1,2})",
    r"(?P<y>[0-9]{4})年(?P<mo>[0-9]{1,2})月?",
    r"(?P<y>)(?P<mo>[0-9]{1,2})月",  # this year
)


@functools.cache
def _forms(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compiled when first used: most commands a clerk runs parse no typed time at all."""
    return tuple(re.compile(p) for p in patterns)


_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}

TIME_HINT = "2026-11-03 08:02"
TIME_FORMATS = "2026-11-03 08:02, 2026/11/3 8:02, 11月3日 8:02, 今天 8:02, 8:02"
DATE_FORMATS = "2026-11-03, 2026/11/3, 2026年11月3日, 11月3日, 今天"


def normalise(text: str) -> str:
    """What a person typed, folded: full-width digits, colon and space become ASCII (NFKC)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _foreign_digits(text: str) -> bool:
    return any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text)


def _bad_time(text: str) -> ZouduError:
    return ZouduError(_("not a valid time: '{text}' (expected like {hint})").format(text=text, hint=TIME_HINT))


def _bad_date(text: str) -> ZouduError:
    return ZouduError(_("not a valid date: '{text}' (expected like 2026-11-03)").format(text=text))


def no_such_day(year: int, month: int, day: int) -> ZouduError:
    from zoudu.i18n import current

    written = f"{year}-{month:02d}-{day:02d}" if current() == "en" else f"{year}年{month}月{day}日"
    return ZouduError(_("{date} does not exist").format(date=written))


def _day(m: re.Match, today: dt.date, bad) -> dt.date:
    """The day a match names: written out, this year's, or counted back from today."""
    groups = m.groupdict()
    if groups.get("rel"):
        return today - dt.timedelta(days=_BACK[groups["rel"]])
    if groups.get("mo") is None:
        return today
    year = int(groups["y"]) if groups.get("y") else today.year
    month, day = int(groups["mo"]), int(groups["d"])
    if not (YEARS[0] <= year <= YEARS[1]):
        raise ZouduError(_("the year {year} is outside {first}–{last}").format(
            year=year, first=YEARS[0], last=YEARS[1]))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise bad
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise no_such_day(year, month, day) from None


def _today(tz: dt.tzinfo, now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(tz)).astimezone(tz)


def parse_time(text: str, tz: dt.tzinfo, now: dt.datetime | None = None) -> dt.datetime:
    """A time as people write it; no offset means ``tz``; ``now`` (default: the clock) for 今天 and 8:00."""
    raw = normalise(text)
    bad = _bad_time(text)
    if _foreign_digits(raw):
        raise bad
    for form in _forms(_TIME_PATTERNS):
        m = form.fullmatch(raw)
        if m is None:
            continue
        g = m.groupdict()
        day = _day(m, _today(tz, now).date(), bad)
        hour = int(g["h"])
        minute = 30 if g.get("half") else int(g.get("m") or g.get("m2") or 0)
        second = int(g.get("s") or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise bad
        zone: dt.tzinfo = tz
        if g.get("tz"):
            offset = g["tz"]
            if offset == "Z":
                zone = dt.timezone.utc
            else:
                sign = -1 if offset[0] == "-" else 1
                hh, mm = int(offset[1:3]), int(offset[-2:])
                if hh > 23 or mm > 59:
                    raise bad
                zone = dt.timezone(sign * dt.timedelta(hours=hh, minutes=mm))
        value = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)
        return value.astimezone(tz).replace(microsecond=0)
    raise bad


def parse_date(text: str, today: dt.date | None = None) -> dt.date:
    """A day as people write it (``2026-11-03``, ``2026/11/3``, ``2026年11月3日``, ``11月3日``, ``今天``)."""
    raw = normalise(text)
    bad = _bad_date(text)
    if _foreign_digits(raw):
        raise bad
    for form in _forms(_DATE_PATTERNS):
        m = form.fullmatch(raw)
        if m is not None:
            return _day(m, today or dt.date.today(), bad)
    raise bad


def parse_file_date(text: str) -> dt.date:
    """A day written in a file (roster, rules.yaml): ISO ``YYYY-MM-DD`` only, so it means the same every day."""
    raw = text.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise _bad_date(text)
    m = _forms(_DATE_PATTERNS)[0].fullmatch(raw)
    return _day(m, dt.date(2000, 1, 1), _bad_date(text))


def is_date_only(text: str) -> bool:
    """Whether ``text`` names a day and no time (a leave bound meaning the whole day)."""
    raw = normalise(text)
    return any(form.fullmatch(raw) for form in _forms(_DATE_PATTERNS))


def parse_month(text: str, today: dt.date | None = None) -> str:
    """``YYYY-MM`` (also ``2026/11``, ``2026年11月``, ``11月`` of this year (``today``'s), full-width
    digits), returned as ``YYYY-MM``."""
    raw = normalise(text)
    bad = ZouduError(_("not a valid month: '{text}' (expected like 2026-11)").format(text=text))
    if _foreign_digits(raw):
        raise bad
    for form in _forms(_MONTH_PATTERNS):
        m = form.fullmatch(raw)
        if m is None:
            continue
        year = int(m.group("y")) if m.group("y") else (today or dt.date.today()).year
        month = int(m.group("mo"))
        if not 1 <= month <= 12:
            raise bad
        if not (YEARS[0] <= year <= YEARS[1]):
            raise ZouduError(_("the year {year} is outside {first}–{last}").format(
                year=year, first=YEARS[0], last=YEARS[1]))
        return f"{year:04d}-{month:02d}"
    raise bad


def parse_clock(text: str) -> dt.time:
    raw = normalise(text)
    m = _CLOCK.fullmatch(raw)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ZouduError(_("not a valid clock time: '{text}' (expected like 08:00)").format(text=text))
    return dt.time(int(m.group(1)), int(m.group(2)))


def said(value: dt.datetime | dt.date, year: int | None = None) -> str:
    """A time or day as a clerk reads it: ``12月3日 12:00`` (with the year when it is not ``year``)."""
    from zoudu.i18n import current

    day = value.date() if isinstance(value, dt.datetime) else value
    if current() == "en":
        text = day.isoformat()
    else:
        text = f"{day.month}月{day.day}日"
        if year is not None and day.year != year:
            text = f"{day.year}年{text}"
    if isinstance(value, dt.datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


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


def fixed_offset(tz: dt.tzinfo, first: dt.date, last: dt.date) -> dt.timedelta | None:
    """The zone's one UTC offset over the days ``first``..``last``; None if daylight saving time
    changes it. A stored time with that offset can then be read as local time without conversion."""
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    offsets = {dt.datetime.combine(day, dt.time(hour), tz).utcoffset() for day in days for hour in (0, 12)}
    return offsets.pop() if len(offsets) == 1 else None
