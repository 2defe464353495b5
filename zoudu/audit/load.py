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

Other months' lines are picked out by scanning the file's bytes (the pre-filters of
``zoudu.ledger.lines``, for the entry kinds named here) before any JSON is decoded, so a year
of history costs a scan, not a parse;
those files are read one after the other into one reused buffer (``Reader``). Memory grows
with one month's entries, not with the number of months kept.

A source yields ``(line number, text or None if not UTF-8, complete)`` like
the lines of ``zoudu.ledger.lines.blocks``; the engine parses each line once.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from zoudu import model
from zoudu.ledger.lines import scan as line_scan
from zoudu.ledger.chain import ChainCheck, check_chain
from zoudu.ledger.lines import field_needle, kind_mark, kind_needle, stored_offset
from zoudu.ledger.lines.scan import Numbered, numbered, pick_mentions
from zoudu.i18n import _
from zoudu.model import Problem
from zoudu.timeparse import fixed_offset, shift_month
from zoudu.ledger.workspace import Workspace

# How far back a leave may have started and still run into the audited month
# (the same reach as ``zoudu leave cancel``).
LEAVE_LOOKBACK_MONTHS = 12

MONTH, NEIGHBOUR, HISTORY = "month", "neighbour", "history"
# Needed whatever their date: leave and its cancellation and voids (any line naming them, a
# hand-written one too), and meetings.
_ALWAYS = (model.LEAVE.encode(), model.VOID.encode(), kind_needle(model.MEETING))
# The same, in the days picked from a neighbouring month (a leave starts with "approver", so it is
# found anyway); and approvals, which sit in the file of the entry they approve.
_DATELESS = (model.LEAVE_CANCEL, model.VOID, model.MEETING, model.APPROVAL)


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


def pick_days(data: bytes | bytearray, days: set[bytes], offset: bytes | None = None,
              slack: set[bytes] = frozenset(), end: int | None = None,
              early: tuple[bytes, int] | None = None) -> list[Numbered]:
    """``lines.pick_days`` with the kinds the audit needs whatever their date; with ``early`` (a day
    and an hour), the village entries of that day up to that hour too (a stay written then covers
    the evening before)."""
    return line_scan.pick_days(data, days, offset, slack, end, _DATELESS,
                                 None if early is None else (*early, model.VILLAGE))


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
    return [item for item in lines if item[1] is not None and model.VOID in item[1]]


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
    voids = pick_mentions(data, [model.VOID.encode()])
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
    zone = fixed_offset(ws.settings.tz, first - dt.timedelta(days=1), last + dt.timedelta(days=1))
    offset = None if zone is None else stored_offset(zone)
    offset_bytes = offset.encode() if offset else None
    early = ((last + dt.timedelta(days=1)).isoformat().encode(), ws.settings.slots["morning"].end.hour) if night else None

    def pick() -> list[Numbered]:
        data, end = reader.read(path)
        found = pick_days(data, days, offset_bytes, slack, end, early)
        return found if days or early is None else _of_the_night(found, slack)

    what = f"days+meeting+approval {sorted(days)} {sorted(slack)} {offset}" + (f" early {early}" if early else "")
    lines = reader.picked(path, ws.shown(path), what, pick)
    loaded.sources.append(Source(ws.shown(path), NEIGHBOUR, lines, _mentioning_void(lines)))


_NIGHT_KINDS = tuple(kind_mark(kind) for kind in (model.VOID, model.APPROVAL))


def _of_the_night(found: list[Numbered], slack: set[bytes]) -> list[Numbered]:
    """Of the lines picked in a file none of whose days are audited, those that can bear on the
    audited month's last evening: entries dated the day before the file's first day or its first
    day (``slack``: a stay of the early hours, or one stored at another UTC offset), the voids and
    approvals that may name them, and lines that cannot be read (the audit names them); the
    file's leave and meetings are for the audits of its own days."""
    dated = tuple(field_needle("at", day.decode() + "T")[:-1].decode() for day in sorted(slack))
    return [item for item in found if item[1] is None or not item[2]
            or any(mark in item[1] for mark in dated + _NIGHT_KINDS)]


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
_AFTER_SEAL = tuple(kind_mark(kind) for kind in (model.APPEAL, model.REVIEW, model.DRAW_DISCLOSE))


def _cut(src: Source, last: int) -> Source:
    """``src`` without the lines after line ``last`` (recorded after the seal: late, not evidence),
    but for appeals and reviews."""
    def kept(item) -> bool:
        return item[0] <= last or (item[1] is not None and any(mark in item[1] for mark in _AFTER_SEAL))

    return Source(src.shown, src.role, (item for item in src.lines if kept(item)),
                  [item for item in src.voids if item[0] <= last])


def ledger_file(ws: Workspace, month: str) -> str:
    return ws.shown(ws.ledger_path(month))
