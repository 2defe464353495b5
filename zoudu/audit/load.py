"""Reading what a month's audit needs, and nothing more.

* the month's own ledger, whole (``read_ledger``);
* the neighbouring month's ledger where an audited ISO week crosses the boundary:
  only lines dated inside the crossing days, plus voids and leaves, are parsed;
* earlier months, for leave that began before the month and still runs: only
  lines whose kind is ``leave``, ``leave_cancel`` or ``void`` are parsed, found by
  a byte-level regular expression before any JSON is decoded (a void and a
  cancellation sit in the file of the leave they name, so they are found with it).

Memory grows with one month's entries, not with the number of months kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger import decode_line, read_ledger, to_entry
from zoudu.model import Entry, Problem
from zoudu.timeparse import shift_month
from zoudu.workspace import Workspace

# How far back a leave may have started and still run into the audited month
# (the same reach as ``zoudu leave cancel``).
LEAVE_LOOKBACK_MONTHS = 12

_STANDARD = b'- {"at": "'
_LEAVE_OR_VOID = re.compile(rb'^- \{.*"kind": "(?:leave|leave_cancel|void)".*$', re.M)
_KEEP_ALWAYS = (b'"kind": "void"', b'"kind": "leave')


@dataclass
class Loaded:
    entries: list[Entry] = field(default_factory=list)  # the month's own, in file order
    neighbours: list[Entry] = field(default_factory=list)  # dated near the month, from other files
    history: list[Entry] = field(default_factory=list)  # leave / cancel / void lines of earlier months
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    read: int = 0  # entries parsed, all files together


def _parse(text: str, shown: str, number: int, problems: list[Problem]) -> Entry | None:
    try:
        fields = None
        if text.startswith("- {"):
            try:
                fields = json.loads(text[2:])
            except ValueError:
                fields = None
        if not isinstance(fields, dict):
            fields = decode_line(text, f"{shown}:{number}")
        return to_entry(fields, shown, number)
    except ZouduError as e:
        problems.append(Problem(shown, number, e.message))
    except (KeyError, ValueError, TypeError) as e:
        problems.append(Problem(shown, number, _("entry lacks or mangles a field: {field}").format(field=e)))
    return None


def read_month(ws: Workspace, month: str, loaded: Loaded) -> None:
    path = ws.ledger_path(month)
    shown = ws.shown(path)
    if not path.exists():
        loaded.notices.append(_(
            "no ledger file for {month} ({path}): nothing was recorded that month, "
            "so every required sign-in is counted as missing").format(month=month, path=shown))
        return
    scan = read_ledger(path, shown)
    loaded.entries = scan.entries
    loaded.problems.extend(scan.problems)
    loaded.read += len(scan.entries)


def read_days(ws: Workspace, month: str, first: dt.date, last: dt.date, loaded: Loaded) -> None:
    """Entries of another month's file dated ``first``..``last`` (a day of slack each side
    for time zones), plus every void and leave line of that file."""
    path = ws.ledger_path(month)
    if not path.exists():
        return
    shown = ws.shown(path)
    low = (first - dt.timedelta(days=1)).isoformat().encode()
    high = (last + dt.timedelta(days=1)).isoformat().encode()
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            if raw.startswith(_STANDARD):
                day = raw[10:20]
                if not (low <= day <= high) and not any(k in raw for k in _KEEP_ALWAYS):
                    continue
            elif not raw.strip() or raw.startswith(b"#"):
                continue
            if not raw.endswith(b"\n"):
                break  # a torn last line: verify reports it; the audit reads what is whole
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                loaded.problems.append(Problem(shown, number, _("not valid UTF-8 text")))
                continue
            entry = _parse(text, shown, number, loaded.problems)
            if entry is not None:
                loaded.neighbours.append(entry)
                loaded.read += 1


def read_history(ws: Workspace, month: str, months_back: int, loaded: Loaded) -> None:
    """Leave, cancellation and void lines of the ``months_back`` months before ``month``."""
    for back in range(1, months_back + 1):
        path = ws.ledger_path(shift_month(month, -back))
        if not path.exists():
            continue
        shown = ws.shown(path)
        data = path.read_bytes()
        line, pos = 1, 0
        for m in _LEAVE_OR_VOID.finditer(data):
            line += data.count(b"\n", pos, m.start())
            pos = m.start()
            raw = m.group()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
            entry = _parse(text, shown, line, loaded.problems)
            if entry is not None:
                loaded.history.append(entry)
                loaded.read += 1


def load(ws: Workspace, month: str, first: dt.date, last: dt.date) -> Loaded:
    """Everything the audit of ``month`` needs, for the days ``first``..``last`` it looks at."""
    loaded = Loaded()
    read_month(ws, month, loaded)
    before, after = shift_month(month, -1), shift_month(month, 1)
    month_first = dt.date(int(month[:4]), int(month[5:7]), 1)
    if first < month_first:
        read_days(ws, before, first, month_first - dt.timedelta(days=1), loaded)
    next_first = dt.date(int(after[:4]), int(after[5:7]), 1)
    if last >= next_first:
        read_days(ws, after, next_first, last, loaded)
    # A leave of the month before is found by read_days when that file was read already.
    read_history(ws, before if first < month_first else month, LEAVE_LOOKBACK_MONTHS - (first < month_first),
                 loaded)
    return loaded


def ledger_file(ws: Workspace, month: str) -> str:
    return ws.shown(ws.ledger_path(month))

