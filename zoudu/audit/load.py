"""Reading what a month's audit needs, and nothing more.

* the month's own ledger, every line, and its hash chain (``zoudu.ledger.chain``);
* the neighbouring month's ledger where an audited ISO week crosses the boundary:
  only the lines dated on the crossing days (a day of slack for time zones), plus
  its void and leave lines;
* the next month's ledger, whether or not a week crosses: the village entries of the early hours
  after the last day looked at (a stay written after midnight covers that evening,
  docs/choices.md#the-last-night-of-a-month), with that file's void and approval lines;
* earlier months, for leave that began before the month and still runs: only the
  lines that mention ``leave`` or ``void`` (a void and a cancellation sit in the
  file of the leave they name, so they are found with it).

Other months' lines are picked out by scanning the file's bytes (the regex engine and
``bytes.find``) before any JSON is decoded, so a year of history costs a scan, not a parse;
those files are read one after the other into one reused buffer (``Reader``). Memory grows
with one month's entries, not with the number of months kept.

A source yields ``(line number, text or None if not UTF-8, complete)`` like
the lines of ``zoudu.ledger.store.iter_blocks``; the engine parses each line once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from zoudu.ledger.chain import ChainCheck, check_chain
from zoudu.i18n import _
from zoudu.model import Problem
from zoudu.timeparse import shift_month
from zoudu.ledger.workspace import Workspace

# How far back a leave may have started and still run into the audited month
# (the same reach as ``zoudu leave cancel``).
LEAVE_LOOKBACK_MONTHS = 12

MONTH, NEIGHBOUR, HISTORY = "month", "neighbour", "history"
_ALWAYS = (b"leave", b"void", b'"kind": "meeting"')  # leave, leave_cancel, void, meetings: needed whatever their date
# The same, in a line the tool wrote (a leave starts with "approver", so it is found anyway).
_KINDS = (b'"kind": "leave_cancel"', b'"kind": "void"', b'"kind": "meeting"', b'"kind": "approval"')


Numbered = tuple[int, "str | None", bool]  # (line number, text or None if not UTF-8, complete)


@dataclass
class Source:
    """Lines of one ledger file to read, and why they are read."""

    shown: str  # the file as evidence cites it
    role: str  # MONTH, NEIGHBOUR or HISTORY
    lines: Iterable[Numbered]
    voids: list[Numbered]  # every line that may be a void, read before the others


@dataclass
class Loaded:
    sources: list[Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    read: int = 0  # entries parsed, all files together (the engine counts them)
    chain: ChainCheck | None = None  # the hash chain of the month's own file (None: no file)


def _lines_at(data: bytes | bytearray, starts: list[int], end: int | None = None) -> list[Numbered]:
    """The whole lines beginning at ``starts`` (sorted), with their line numbers; ``data`` holds
    the file's ``end`` bytes (all of it if None)."""
    end = len(data) if end is None else end
    out: list[Numbered] = []
    line, pos = 1, 0
    for start in starts:
        line += data.count(b"\n", pos, start)
        pos = start
        stop = data.find(b"\n", start, end)
        raw = data[start:end] if stop < 0 else data[start:stop]
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        out.append((line, text, stop >= 0))
    return out


def _line_starts(data: bytes | bytearray, needle: bytes, end: int | None = None) -> set[int]:
    """Start offsets of the lines that contain ``needle`` (in the first ``end`` bytes)."""
    end = len(data) if end is None else end
    starts: set[int] = set()
    if len(needle) < 8:
        # measured: the regex engine finds a short word twice as fast as bytes.find (it skips
        # ahead to the word's first byte); a long needle is found faster by bytes.find
        hits: Iterable[int] = (m.start() for m in re.compile(re.escape(needle)).finditer(data, 0, end))
    else:
        hits = _finds(data, needle, end)
    line_end = -1
    for hit in hits:
        if hit < line_end:  # on the line already taken
            continue
        starts.add(data.rfind(b"\n", 0, hit) + 1)
        line_end = data.find(b"\n", hit, end)
        if line_end < 0:
            break
    return starts


def _finds(data: bytes | bytearray, needle: bytes, end: int) -> Iterator[int]:
    hit = data.find(needle, 0, end)
    while hit >= 0:
        yield hit
        hit = data.find(needle, hit + len(needle), end)


_OTHER_START = re.compile(rb'\n(?!- \{"at": "|#|\n|$)')


def pick_days(data: bytes | bytearray, days: set[bytes], offset: bytes | None = None,
              slack: set[bytes] = frozenset(), end: int | None = None,
              early: tuple[bytes, int] | None = None) -> list[Numbered]:
    """Lines dated on one of ``days`` (``b"2026-09-28"``), lines mentioning leave or void, and
    every line that does not start with its time the way the tool writes it (spot checks,
    approved entries, hand edits), which are parsed to find out. Found by scanning the bytes
    (the first ``end`` of ``data``, all if None).

    With ``offset`` (the workspace's, like ``b"+08:00"``), a line dated on a ``slack`` day is
    picked only if its time carries another offset (its local day may then be one of ``days``).
    With ``early`` (a day and an hour), the village entries of that day up to that hour are picked
    too (a stay written then covers the evening before)."""
    end = len(data) if end is None else end
    # one scan: a line dated on one of the days, on a slack day at another offset, a village entry
    # of the early hours, or not starting the way the tool writes a line (nor a comment, nor blank)
    choices = [b'- \\{"at": "(?:' + b"|".join(sorted(days)) + b")"] if days else []
    if slack:
        others = b"|".join(sorted(slack))
        if offset is None:
            choices.append(b'- \\{"at": "(?:' + others + b")")
        else:
            choices.append(b'- \\{"at": "(?:' + others + b')T[0-9:]{8}(?!' + re.escape(offset) + b'")')
    if early is not None:
        hours = b"|".join(b"%02d" % hour for hour in range(early[1] + 1))
        choices.append(b'- \\{"at": "' + early[0] + b"T(?:" + hours + b')[^\n]*"kind": "village"')
    choices.append(_OTHER_START.pattern[2:])
    pattern = re.compile(b"\n(?:" + b"|".join(choices) + b")")
    starts = {m.start() + 1 for m in pattern.finditer(data, 0, end)}  # endpos: the bytes past end are not seen
    if end and not data.startswith((b"#", b'- {"at": "'), 0, end) or bytes(data[10:min(20, end)]) in days | slack:
        starts.add(0)
    elif early is not None and pattern.match(b"\n" + bytes(data[:min(4096, end)]).split(b"\n", 1)[0]):
        starts.add(0)
    for needle in _KINDS:
        starts |= _line_starts(data, needle, end)
    return _lines_at(data, sorted(starts), end)


def pick_mentions(data: bytes | bytearray, needles: Iterable[bytes], end: int | None = None) -> list[Numbered]:
    """Lines that contain one of ``needles`` (in the first ``end`` bytes of ``data``), found
    without splitting the file."""
    starts: set[int] = set()
    for needle in needles:
        starts |= _line_starts(data, needle, end)
    return _lines_at(data, sorted(starts), end)


class Reader:
    """Reads the other months' files into one buffer, used again for each: a fresh 47 MB
    ``bytes`` costs more in page faults than reading the file into memory already touched."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def read(self, path: Path) -> tuple[bytearray, int]:
        """The buffer and how many of its bytes are the file's (the rest is an earlier file's)."""
        with open(path, "rb", buffering=0) as fh:
            want = os.fstat(fh.fileno()).st_size + 1
            if len(self.buffer) < want:
                self.buffer = bytearray(want)
            count = 0
            while True:
                if count == len(self.buffer):  # the file grew while read: room for more
                    self.buffer.extend(bytes(len(self.buffer)))
                got = fh.readinto(memoryview(self.buffer)[count:])
                if not got:
                    return self.buffer, count
                count += got

    def picked(self, path: Path, shown: str, what: str, pick: Callable[[], list[Numbered]]) -> list[Numbered]:
        """``pick()``'s lines (``what`` says which) of another month's file at ``path``; a hook, so
        that ``zoudu.memo.stages`` can keep them while the file is unchanged."""
        return pick()


def _mentioning_void(lines: list[tuple[int, str | None, bool]]) -> list[tuple[int, str | None, bool]]:
    return [item for item in lines if item[1] is not None and "void" in item[1]]


def numbered(parts: list[bytes], first: int = 1) -> Iterator[Numbered]:
    """The lines of a file (or of a stretch of it beginning at line ``first``) split at its
    newlines, decoded one at a time: a month's lines are held as UTF-8 bytes (a third of what
    the same text takes as Python strings with Chinese in it). The last part is what follows
    the last newline: an incomplete line unless empty."""
    last = len(parts) - 1
    for index, raw in enumerate(parts):
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if index == last:
            if raw:
                yield index + first, text, False
            return
        yield index + first, text, True


def month_bytes(ws: Workspace, month: str, loaded: Loaded) -> tuple[Path, str, bytes] | None:
    """The month's file as read (path, as evidence cites it, bytes); None, with a notice, if none."""
    path = ws.ledger_path(month)
    shown = ws.shown(path)
    if not path.exists():
        loaded.notices.append(_(
            "no ledger file for {month} ({path}): nothing was recorded that month, "
            "so every required sign-in is counted as missing").format(month=month, path=shown))
        return None
    return path, shown, path.read_bytes()


def month_source(shown: str, data: bytes, start: int = 0, stop: int | None = None) -> Source:
    """The month's lines from byte ``start`` to ``stop`` (both where a line begins, or the end),
    with the voids of the whole file."""
    voids = _lines_at(data, sorted(_line_starts(data, b"void")))
    whole = start == 0 and (stop is None or stop >= len(data))
    parts = (data if whole else data[start:stop]).split(b"\n")
    first = 1 if start == 0 else data.count(b"\n", 0, start) + 1
    return Source(shown, MONTH, numbered(parts, first), voids)


def read_month(ws: Workspace, month: str, loaded: Loaded) -> None:
    found = month_bytes(ws, month, loaded)
    if found is not None:
        path, shown, data = found
        loaded.chain = check_chain(path, shown, data)
        loaded.sources.append(month_source(shown, data))


def fixed_offset(tz: dt.tzinfo, days: Iterable[dt.date]) -> str | None:
    """The UTC offset as stored times write it (``"+08:00"``) when ``tz`` keeps one offset over
    ``days``; None if daylight saving time changes it. A stored time with that suffix can then be
    read as local time without conversion."""
    offsets = {dt.datetime.combine(day, dt.time(hour), tz).utcoffset() for day in days for hour in (0, 12)}
    if len(offsets) != 1:
        return None
    seconds = int(offsets.pop().total_seconds())  # type: ignore[union-attr]
    return f"{'+' if seconds >= 0 else '-'}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"


def read_days(ws: Workspace, month: str, first: dt.date, last: dt.date, loaded: Loaded, reader: Reader,
              night: bool = False) -> None:
    """Lines of another month's file dated ``first``..``last`` (a day of slack each side; none when
    ``last`` is before ``first``), plus its leave and void lines; with ``night``, the village entries
    of the early hours of the day after ``last`` (to the end of the morning window)."""
    path = ws.ledger_path(month)
    if not path.exists():
        return
    days = {(first + dt.timedelta(days=i)).isoformat().encode() for i in range((last - first).days + 1)}
    slack = {(first - dt.timedelta(days=1)).isoformat().encode(), (last + dt.timedelta(days=1)).isoformat().encode()}
    offset = fixed_offset(ws.settings.tz, [first - dt.timedelta(days=1) + dt.timedelta(days=i)
                                           for i in range((last - first).days + 3)])
    offset_bytes = offset.encode() if offset else None
    early = ((last + dt.timedelta(days=1)).isoformat().encode(), ws.settings.slots["morning"].end.hour) if night else None

    def pick() -> list[Numbered]:
        data, end = reader.read(path)
        return pick_days(data, days, offset_bytes, slack, end, early)

    what = f"days+meeting+approval {sorted(days)} {sorted(slack)} {offset}" + (f" early {early}" if early else "")
    lines = reader.picked(path, ws.shown(path), what, pick)
    loaded.sources.append(Source(ws.shown(path), NEIGHBOUR, lines, _mentioning_void(lines)))


def read_next(ws: Workspace, month: str, last: dt.date, loaded: Loaded, reader: Reader) -> None:
    """What the audit of ``month`` reads of the next month's file, for the days up to ``last``: the
    days of a week that crosses into it, and the night after ``last`` (a stay written after midnight)."""
    after = shift_month(month, 1)
    read_days(ws, after, dt.date(int(after[:4]), int(after[5:7]), 1), last, loaded, reader, night=True)


def history_months(month: str, first: dt.date) -> list[str]:
    """The earlier months whose leave, cancellation and void lines the audit of ``month`` reads,
    newest first: twelve, less the month before when its crossing days are read anyway."""
    month_first = dt.date(int(month[:4]), int(month[5:7]), 1)
    nearest = 2 if first < month_first else 1
    return [shift_month(month, -back) for back in range(nearest, LEAVE_LOOKBACK_MONTHS + 1)]


def read_history(ws: Workspace, months: list[str], reader: Reader | None = None) -> list[Source]:
    """Leave, cancellation and void lines of ``months`` (each file that exists)."""
    reader = reader or Reader()
    sources = []
    for month in months:
        path: Path = ws.ledger_path(month)
        if path.exists():
            lines = reader.picked(path, ws.shown(path), "history+meeting", lambda: _mentions(reader, path))
            sources.append(Source(ws.shown(path), HISTORY, lines, _mentioning_void(lines)))
    return sources


def _mentions(reader: Reader, path: Path) -> list[Numbered]:
    data, end = reader.read(path)
    return pick_mentions(data, _ALWAYS, end)


def read_others(ws: Workspace, month: str, first: dt.date, last: dt.date, history: slice = slice(None),
                reader: Reader | None = None) -> tuple[list[Source], list[Source], list[Source]]:
    """What the audit of ``month`` reads besides the month's own file, for the days
    ``first``..``last``, in the order it is read: (the earlier months, ``history`` of them; the
    month before; the month after). History first, then the month before, the month, the month
    after: a leave is met before the days it excuses (the engine does not depend on it)."""
    before = shift_month(month, -1)
    month_first = dt.date(int(month[:4]), int(month[5:7]), 1)
    reader, earlier, later = reader or Reader(), Loaded(), Loaded()
    older = read_history(ws, history_months(month, first)[history], reader)
    if first < month_first:
        read_days(ws, before, first, month_first - dt.timedelta(days=1), earlier, reader)
    read_next(ws, month, last, later, reader)
    return older, earlier.sources, later.sources


def load(ws: Workspace, month: str, first: dt.date, last: dt.date, cuts: dict[str, int] | None = None,
         reader: Reader | None = None) -> Loaded:
    """Everything the audit of ``month`` needs, for the days ``first``..``last`` it looks at.
    ``cuts`` (a sealed month): each file is read only up to the last line its seal covered.
    ``reader`` reads the other months' files (a new ``Reader`` if None)."""
    loaded = Loaded()
    read_month(ws, month, loaded)
    older, earlier, later = read_others(ws, month, first, last, reader=reader)
    loaded.sources[:0] = older + earlier
    loaded.sources.extend(later)
    if cuts is not None:
        loaded.sources = [_cut(src, cuts.get(src.shown, 0)) for src in loaded.sources]
    return loaded


# What a sealed month still takes from after its seal: appeals and their reviews (申诉/复核, and the
# decisions on reports) are the process of contesting a verdict, not evidence of attendance; the
# seal freezes the evidence, so a finding can still be contested once the notice is posted.
# The disclosed secret of the month's spot-check draw is bound by its commitment, recorded before:
# it decides which checks the draw asked for, and nothing about attendance.
_AFTER_SEAL = ('"kind": "appeal"', '"kind": "review"', '"kind": "draw_disclose"')


def _cut(src: Source, last: int) -> Source:
    """``src`` without the lines after line ``last`` (recorded after the seal: late, not evidence),
    but for appeals and reviews."""
    def kept(item) -> bool:
        return item[0] <= last or (item[1] is not None and any(mark in item[1] for mark in _AFTER_SEAL))

    return Source(src.shown, src.role, (item for item in src.lines if kept(item)),
                  [item for item in src.voids if item[0] <= last])


def ledger_file(ws: Workspace, month: str) -> str:
    return ws.shown(ws.ledger_path(month))
