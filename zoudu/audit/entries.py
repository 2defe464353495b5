"""The one pass over the ledger lines: each entry lands where the rules will look for it.

Office sign-ins and village entries are nine lines in ten. The tool writes them
with sorted keys in one fixed shape, so a compiled pattern takes the few fields
the audit needs straight from the line; the full entry (``zoudu.ledger.store.to_entry``)
is built only for what a rule will cite. Any other line — another kind, an
approved backfill, a line a person edited — takes the general path: JSON, or
checked YAML when JSON fails, exactly as ``zoudu.ledger.store.read_ledger`` reads it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Iterable

from zoudu import model
from zoudu.audit.engine import (
    AFTERNOON_OFFICE, EVENING_OFFICE, MORNING_OFFICE, VILLAGE_ENTRY, VILLAGE_STAY, Context, LeaveSpan,
)
from zoudu.audit.load import HISTORY, MONTH, Loaded, Numbered, Source, fixed_offset
from zoudu.i18n import _
from zoudu.ledger.store import parse_line as parse
from zoudu.model import Entry, Problem

DAY_SLOTS = MORNING_OFFICE | AFTERNOON_OFFICE  # what a witnessed village visit covers
MAX_GRACE_MINUTES = 100 * 366 * 24 * 60  # a backfill grace beyond a century is "for ever"

_TEXT = r'"([^"\\\x00-\x1f]*)"'  # a JSON string without escapes (a line with any takes the general path)
_SKIP = r'"[^"\\\x00-\x1f]*"'
_DATE = r'[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])'
_CLOCK = r'(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]'
_OFFSET = r'(?:[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]|Z)'
# An office sign-in or a village entry exactly as the tool writes it (keys sorted, times to the
# second with their offset, no escapes): groups at (and its date, clock, offset), cadre, id,
# then place and recorded (sign-in) or recorded, stay, village, witness (village). A line that matches is
# valid JSON whose times Python reads, but for an impossible day like 2026-02-30.
FAST_LINE = re.compile(
    r'- \{"at": "((' + _DATE + ')T(' + _CLOCK + ')(' + _OFFSET + r'))", "by": ' + _SKIP + r', "cadre": ' + _TEXT +
    r', "hash": ' + _SKIP + r', "id": ' + _TEXT + r', "kind": "(?:'
    r'checkin", "place": ' + _TEXT + r', "recorded": "(' + _DATE + 'T' + _CLOCK + _OFFSET + r')"'
    r'|village", (?:"note": ' + _SKIP + r', )?"recorded": "(' + _DATE + 'T' + _CLOCK + _OFFSET + r')", '
    r'"stay": (true|false), "village": ' + _TEXT + r'(?:, "witness": ' + _TEXT + r')?'
    r')\}')


@dataclass(slots=True)
class Partial:
    """What one stretch of ledger lines says. Stretches read apart (in another process, see
    ``audit.split``) and merged in line order (``merge``) give exactly what one pass gives."""

    count: int = 0  # entries read
    problems: list[Problem] = field(default_factory=list)
    marks: dict[str, dict[dt.date, int]] = field(default_factory=dict)
    village_day: dict[str, dict[dt.date, str]] = field(default_factory=dict)
    rejected: dict[str, dict[dt.date, list[tuple[str, int]]]] = field(default_factory=dict)
    checkins_made: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # sign-ins in the month
    outside_window: list[Entry] = field(default_factory=list)
    wrong_place: list[tuple[Entry, int | None]] = field(default_factory=list)
    backfills: list[Entry] = field(default_factory=list)
    backfilled: list[Entry] = field(default_factory=list)
    no_witness: list[Entry] = field(default_factory=list)
    not_assigned: list[Entry] = field(default_factory=list)
    inspections: list[Entry] = field(default_factory=list)
    reports: list[Entry] = field(default_factory=list)
    evaluations: dict[str, dict[str, str]] = field(default_factory=dict)
    voided: list[tuple[Entry, Entry]] = field(default_factory=list)
    leave_entries: list[Entry] = field(default_factory=list)
    cancels: dict[str, Entry] = field(default_factory=dict)  # leave id -> its earliest cancellation
    strangers: dict[str, str] = field(default_factory=dict)  # cadre id not on the roster -> first "file:line"


# merged by concatenation: every list field (a new one is merged without being named here)
_LISTS = tuple(f.name for f in fields(Partial) if f.type.startswith("list["))
# what the Context takes as found (the fields of the same name)
_FOUND = tuple(f.name for f in fields(Partial) if f.name in Context.__dataclass_fields__)


def merge(into: Partial, later: Partial) -> None:
    """Add ``later`` (the lines after ``into``'s) to ``into``, as if one pass had read both."""
    into.count += later.count
    for name in _LISTS:
        getattr(into, name).extend(getattr(later, name))
    for cadre, days in later.marks.items():
        mine = into.marks.get(cadre)
        if mine is None:
            into.marks[cadre] = days
        else:
            for day, bits in days.items():
                mine[day] = mine.get(day, 0) | bits
    for cadre, firsts in later.village_day.items():
        mine_first = into.village_day.get(cadre)
        if mine_first is None:
            into.village_day[cadre] = firsts
        else:
            for day, where in firsts.items():
                mine_first.setdefault(day, where)
    for cadre, per_day in later.rejected.items():
        mine_rejected = into.rejected.setdefault(cadre, {})
        for day, found in per_day.items():
            mine_rejected.setdefault(day, []).extend(found)
    for cadre, n in later.checkins_made.items():
        into.checkins_made[cadre] = into.checkins_made.get(cadre, 0) + n
    for cadre, grades in later.evaluations.items():
        into.evaluations.setdefault(cadre, {}).update(grades)
    for target, cancel in later.cancels.items():
        if target not in into.cancels or cancel.at < into.cancels[target].at:
            into.cancels[target] = cancel
    for cadre, where in later.strangers.items():
        into.strangers.setdefault(cadre, where)


def classify(ctx: Context, loaded: Loaded) -> None:
    """Read every source once, in one process; fill the Context's coverage and the rules' lists."""
    finish(ctx, loaded, read_lines(ctx, [(src, src.lines) for src in loaded.sources]))


def read_voids(src: Source) -> dict[str, Entry]:
    """The voids written in ``src``'s file, by the id they cancel. A void counts only in the file
    of the entry it names, where ``zoudu void`` writes it (``zoudu verify`` reports any other)."""
    voids: dict[str, Entry] = {}
    ignored: list[Problem] = []  # the main pass reports them
    for number, text, _complete in src.voids:
        # not the file's header comment, which mentions `zoudu void` (and would cost a YAML import)
        entry = parse(text, src.shown, number, ignored) if text and text[0] != "#" else None
        if entry is not None and entry.kind == model.VOID:
            voids.setdefault(str(entry.data.get("target")), entry)
    return voids


def read_lines(ctx: Context, stretches: Iterable[tuple[Source, Iterable[Numbered]]]) -> Partial:
    """One pass over stretches of lines (each of some source), in order."""
    found = Partial()
    settings = ctx.settings
    tz = settings.tz
    place = settings.place
    grace_minutes = settings.backfill_grace_minutes
    # clamped: rules.yaml's number may be past what a timedelta holds
    grace = dt.timedelta(minutes=max(-MAX_GRACE_MINUTES, min(grace_minutes, MAX_GRACE_MINUTES)))
    windows = [(i, settings.slots[name].start.isoformat(), settings.slots[name].end.isoformat())
               for i, name in enumerate(model.SLOTS)]
    # "HH:MM" -> slot for every minute a window holds whole, and "HH:MM:00" -> slot for its last
    # minute (a window ends on the minute: 08:30:00 is inside, 08:30:01 is not)
    window_minutes: dict[str, int] = {}
    window_ends: dict[str, int] = {}
    for i, name in enumerate(model.SLOTS):
        slot = settings.slots[name]
        minute = dt.datetime.combine(dt.date(2000, 1, 1), slot.start)
        last = dt.datetime.combine(dt.date(2000, 1, 1), slot.end)
        while minute < last:
            window_minutes[minute.strftime("%H:%M")] = i
            minute += dt.timedelta(minutes=1)
        window_ends[slot.end.strftime("%H:%M:%S")] = i
    roster = ctx.roster.by_id
    assigned_village = {c.id: c.village for c in ctx.roster.cadres}
    span_day = {info.date.isoformat(): info.date for info in ctx.days}
    in_month = {info.date for info in ctx.month_days}
    marks, village_day, rejected = found.marks, found.village_day, found.rejected
    bits = (MORNING_OFFICE, AFTERNOON_OFFICE, EVENING_OFFICE)
    made = found.checkins_made
    suffix = fixed_offset(tz, [info.date for info in ctx.days])
    fromiso = dt.datetime.fromisoformat
    problems = found.problems
    strangers = found.strangers
    cancels = found.cancels
    leave_entries = found.leave_entries
    voids: dict[str, Entry] = {}

    def local_day(at: str) -> tuple[dt.date | None, str]:
        if suffix is not None and len(at) == 25 and at.endswith(suffix):
            return span_day.get(at[:10]), at[11:19]
        local = fromiso(at).astimezone(tz)
        return span_day.get(local.date().isoformat()), local.strftime("%H:%M:%S")

    def on_checkin(shown: str, number: int, text: str, cadre: str, day: dt.date, clock: str, where_place: str,
                   approver: str | None, late: bool, entry: Entry | None) -> None:
        if cadre not in roster:
            strangers.setdefault(cadre, f"{shown}:{number}")
            return
        slot = None
        for i, start, end in windows:
            if start <= clock <= end:
                slot = i
                break
        here = where_place == place
        mine = day in in_month
        if here and slot is not None:
            per_day = marks.get(cadre)
            if per_day is None:
                per_day = marks[cadre] = {}
            per_day[day] = per_day.get(day, 0) | bits[slot]
        elif mine:
            # cited only for the slot whose window it falls in (outside every window: none)
            rejected.setdefault(cadre, {}).setdefault(day, []).append(
                (f"{shown}:{number}", 0 if slot is None else bits[slot]))
        if not mine:
            return
        made[cadre] += 1
        if slot is None or not here or late or approver:
            e = entry or parse(text, shown, number, problems)
            if e is None:
                return
            if slot is None:
                found.outside_window.append(e)
            if not here:
                found.wrong_place.append((e, slot))
            if late or approver:
                found.backfills.append(e)
                if late and not approver:
                    found.backfilled.append(e)

    def on_village(shown: str, number: int, text: str, cadre: str, day: dt.date, stay: bool, village: str,
                   witness: str | None, entry: Entry | None) -> None:
        if cadre not in roster:
            strangers.setdefault(cadre, f"{shown}:{number}")
            return
        mine = day in in_month
        e = entry
        if witness:
            village_day.setdefault(cadre, {}).setdefault(day, f"{shown}:{number}")
            per_day = marks.setdefault(cadre, {})
            per_day[day] = per_day.get(day, 0) | (VILLAGE_ENTRY | VILLAGE_STAY if stay else VILLAGE_ENTRY)
        elif mine:
            e = e or parse(text, shown, number, problems)
            if e is not None:
                found.no_witness.append(e)
            # a witnessed visit would have covered the day's slots, a witnessed stay the evening too
            rejected.setdefault(cadre, {}).setdefault(day, []).append(
                (f"{shown}:{number}", DAY_SLOTS | EVENING_OFFICE if stay else DAY_SLOTS))
        if mine:  # witnessed or not: in another village than the cadre's own
            assigned = roster[cadre].village
            if assigned and village != assigned:
                e = e or parse(text, shown, number, problems)
                if e is not None:
                    found.not_assigned.append(e)

    def on_voided(shown: str, number: int, text: str, target: str, role: str, entry: Entry | None) -> None:
        if role == MONTH:
            e = entry or parse(text, shown, number, problems)
            if e is not None:
                found.voided.append((e, voids[target]))

    fast_line = FAST_LINE.fullmatch
    count = 0
    for src, lines in stretches:
        shown, role = src.shown, src.role
        voids = read_voids(src)
        history = role == HISTORY
        month = role == MONTH
        for number, text, complete in lines:
            if not complete:
                if text is None or text.strip():
                    problems.append(Problem(shown, number, _(
                        "incomplete last line (a write was cut off); run 'zoudu verify --repair'"), "torn"))
                break
            if not history and text is not None:
                m = fast_line(text)
                if m is not None:
                    (at, date, clock, offset, cadre, eid, where_place, recorded, entered, stay, village,
                     witness) = m.groups()
                    try:
                        if offset == suffix:
                            day = span_day.get(date)
                            if day is None:
                                fromiso(at)  # another day, or an impossible one (2026-02-30): damage
                        else:
                            day, clock = local_day(at)
                        # Entered the same minute, or within the hour fewer whole minutes later than
                        # the grace: on time, without parsing two times (most are typed as they happen).
                        if entered is not None and entered[:10] != date:
                            fromiso(entered)  # a village entry's recorded time: 2026-11-31 is damage
                        late = recorded is not None and not (recorded[19:] == offset and (
                            recorded[:16] == at[:16] or recorded[:13] == at[:13]
                            and int(recorded[14:16]) - int(at[14:16]) < grace_minutes)) and (
                            fromiso(recorded) - fromiso(at) > grace)
                    except ValueError:
                        m = None  # the general path below says what is wrong, with file:line
                if m is not None:
                    count += 1
                    if eid in voids:
                        on_voided(shown, number, text, eid, role, None)
                        continue
                    if day is None:
                        continue
                    if recorded is not None:
                        if not late and where_place == place and cadre in roster:
                            # the common case, inline: on time, at the place, in a window
                            i = window_minutes.get(clock[:5])
                            if i is None:
                                i = window_ends.get(clock)
                            if i is not None:
                                per_day = marks.get(cadre)
                                if per_day is None:
                                    per_day = marks[cadre] = {}
                                per_day[day] = per_day.get(day, 0) | bits[i]
                                if day in in_month:
                                    made[cadre] += 1
                            else:
                                on_checkin(shown, number, text, cadre, day, clock, place, None, False, None)
                            continue
                        on_checkin(shown, number, text, cadre, day, clock, where_place, None, late, None)
                    elif witness and cadre in roster:
                        # the common case, inline: a witnessed visit or stay
                        per_cadre = village_day.get(cadre)
                        if per_cadre is None:
                            per_cadre = village_day[cadre] = {}
                        if day not in per_cadre:
                            per_cadre[day] = f"{shown}:{number}"
                        per_day = marks.get(cadre)
                        if per_day is None:
                            per_day = marks[cadre] = {}
                        per_day[day] = per_day.get(day, 0) | (
                            VILLAGE_ENTRY | VILLAGE_STAY if stay == "true" else VILLAGE_ENTRY)
                        if day in in_month:
                            assigned = assigned_village[cadre]
                            if assigned and village != assigned:
                                e = parse(text, shown, number, problems)
                                if e is not None:
                                    found.not_assigned.append(e)
                    else:
                        on_village(shown, number, text, cadre, day, stay == "true", village, witness or None, None)
                    continue
            if text is None:
                problems.append(Problem(shown, number, _("not valid UTF-8 text")))
                continue
            if not text or text[0] == "#" or text.isspace():
                continue
            count += 1
            e = parse(text, shown, number, problems)
            if e is None:
                continue
            kind = e.kind
            if e.id in voids:
                if kind != model.VOID:
                    on_voided(shown, number, text, e.id, role, e)
                continue
            if kind == model.LEAVE:
                leave_entries.append(e)
            elif kind == model.LEAVE_CANCEL:
                target = str(e.data.get("leave"))
                if target not in cancels or e.at < cancels[target].at:
                    cancels[target] = e
            elif history or kind == model.VOID:
                continue
            elif kind == model.CHECKIN:
                day, clock = local_day(e.data["at"])
                if day is not None:
                    data = e.data
                    on_checkin(shown, number, text, str(e.cadre), day, clock,
                               str(data.get("place", place)), data.get("approver"), e.recorded - e.at > grace, e)
            elif kind == model.VILLAGE:
                day, _clock = local_day(e.data["at"])
                if day is not None:
                    data = e.data
                    on_village(shown, number, text, str(e.cadre), day, bool(data.get("stay")),
                               str(data.get("village")), data.get("witness") or None, e)
            elif not month:
                continue
            elif kind == model.INSPECTION:
                if e.at.astimezone(tz).date() in in_month:
                    found.inspections.append(e)
            elif kind == model.REPORT:
                if e.at.astimezone(tz).date() in in_month:
                    found.reports.append(e)
            elif kind == model.EVALUATION:
                if e.data.get("month") == ctx.month and e.cadre:
                    grades = found.evaluations.setdefault(e.cadre, {})
                    for key in ("self", "peer", "public"):
                        if e.data.get(key):
                            grades[key] = e.data[key]
    found.count = count
    return found


def finish(ctx: Context, loaded: Loaded, found: Partial) -> None:
    """What the pass found, into the Context; leave spans and strangers said once for all lines."""
    loaded.read = found.count
    loaded.problems.extend(found.problems)
    for name in _FOUND:
        setattr(ctx, name, getattr(found, name))
    tz = ctx.settings.tz
    cancels = found.cancels

    seen: set[str] = set()
    span_start = dt.datetime.combine(ctx.days[0].date, dt.time(0), tz)
    span_end = dt.datetime.combine(ctx.days[-1].date + dt.timedelta(days=1), dt.time(0), tz)
    for e in found.leave_entries:
        if e.id in seen or e.cadre is None:
            continue
        seen.add(e.id)
        end = dt.datetime.fromisoformat(e.data["until"])  # checked by ledger.to_entry: aware, readable
        cancel = cancels.get(e.id)
        if cancel is not None and cancel.at < end:
            end = cancel.at
        if end < span_start or e.at >= span_end:
            continue
        kind = e.data.get("leave_kind") or "事假"
        ctx.leaves.setdefault(e.cadre, []).append(LeaveSpan(e.at, end, kind, e, cancel))

    for cadre, where in found.strangers.items():
        ctx.notices.append(_("{where}: '{cadre}' is not on the roster; their entries were not counted").format(
            where=where, cadre=cadre))
