"""The byte pre-filters: the lines worth reading found in a file's bytes without splitting it,
searched for as ``encode_line`` writes them (docs/architecture.md#the-audit-pipeline)."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from zoudu.ledger.lines import TIME_FIRST, kind_needle


Numbered = tuple[int, "str | None", bool]  # (line number, text or None if not UTF-8, complete)


def line_starts(data: bytes | bytearray, needles: Iterable[bytes], end: int | None = None) -> list[int]:
    """Where the lines of ``data`` (its first ``end`` bytes) that contain one of ``needles`` begin,
    in order: found over the whole text, not by splitting it into lines."""
    end = len(data) if end is None else end
    starts: set[int] = set()
    for needle in needles:
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
    return sorted(starts)


def _finds(data: bytes | bytearray, needle: bytes, end: int) -> Iterator[int]:
    hit = data.find(needle, 0, end)
    while hit >= 0:
        yield hit
        hit = data.find(needle, hit + len(needle), end)


def numbered_starts(data: bytes | bytearray, starts: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(offset, line number) of each of ``starts`` (sorted offsets where lines begin)."""
    line, pos = 1, 0
    for start in starts:
        line += data.count(b"\n", pos, start)
        pos = start
        yield start, line


def lines_at(data: bytes | bytearray, starts: list[int], end: int | None = None) -> list[Numbered]:
    """The whole lines beginning at ``starts`` (sorted), with their line numbers; ``data`` holds
    the file's ``end`` bytes (all of it if None)."""
    end = len(data) if end is None else end
    out: list[Numbered] = []
    for start, line in numbered_starts(data, starts):
        stop = data.find(b"\n", start, end)
        raw = data[start:end] if stop < 0 else data[start:stop]
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        out.append((line, text, stop >= 0))
    return out


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


_TIME_FIRST = re.escape(TIME_FIRST)
_OTHER_START = b"(?!" + _TIME_FIRST + rb"|#|\n|$)"  # after a newline: a line not starting with its time


def pick_days(data: bytes | bytearray, days: set[bytes], offset: bytes | None = None,
              slack: set[bytes] = frozenset(), end: int | None = None, kinds: Iterable[str] = (),
              early: tuple[bytes, int, str] | None = None) -> list[Numbered]:
    """Lines dated on one of ``days`` (``b"2026-09-28"``), lines of ``kinds`` (whatever their date),
    and every line that does not start with its time the way the tool writes it (spot checks,
    approved entries, hand edits), which are parsed to find out. Found by scanning the bytes
    (the first ``end`` of ``data``, all if None).

    With ``offset`` (the workspace's, like ``b"+08:00"``), a line dated on a ``slack`` day is
    picked only if its time carries another offset (its local day may then be one of ``days``).
    With ``early`` (a day, an hour and a kind), the entries of that kind dated that day up to that
    hour are picked too (a stay written then covers the evening before)."""
    end = len(data) if end is None else end
    # one scan: a line dated on one of the days, on a slack day at another offset, an entry of the
    # early hours, or not starting the way the tool writes a line (nor a comment, nor blank)
    choices = [_TIME_FIRST + b"(?:" + b"|".join(sorted(days)) + b")"] if days else []
    if slack:
        others = b"|".join(sorted(slack))
        if offset is None:
            choices.append(_TIME_FIRST + b"(?:" + others + b")")
        else:
            choices.append(_TIME_FIRST + b"(?:" + others + b')T[0-9:]{8}(?!' + re.escape(offset) + b'")')
    if early is not None:
        hours = b"|".join(b"%02d" % hour for hour in range(early[1] + 1))
        choices.append(_TIME_FIRST + early[0] + b"T(?:" + hours + b")[^\n]*" + re.escape(kind_needle(early[2])))
    choices.append(_OTHER_START)
    pattern = re.compile(b"\n(?:" + b"|".join(choices) + b")")
    starts = {m.start() + 1 for m in pattern.finditer(data, 0, end)}  # endpos: the bytes past end are not seen
    dated = len(TIME_FIRST)
    if end and not data.startswith((b"#", TIME_FIRST), 0, end) or \
            bytes(data[dated:min(dated + 10, end)]) in days | slack:
        starts.add(0)
    elif early is not None and pattern.match(b"\n" + bytes(data[:min(4096, end)]).split(b"\n", 1)[0]):
        starts.add(0)
    starts.update(line_starts(data, [kind_needle(kind) for kind in kinds], end))
    return lines_at(data, sorted(starts), end)


def pick_mentions(data: bytes | bytearray, needles: Iterable[bytes], end: int | None = None) -> list[Numbered]:
    """Lines that contain one of ``needles`` (in the first ``end`` bytes of ``data``), found
    without splitting the file."""
    return lines_at(data, line_starts(data, needles, end), end)
