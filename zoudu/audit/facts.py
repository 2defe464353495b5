"""Stage 2 of the audit, *facts*: what the ledger lines say, per cadre and day, voids applied.

``gather(span, settings, roster, sources)`` reads every source once (``zoudu.ledger.lines.decode``)
and returns ``Facts``: office sign-ins and village entries of the audited days
(with their local day and time, window, place, delay, the approver the line names),
leave entries and their cancellations (销假), spot checks, reports and evaluations of the
month, the approvals recorded after the fact, the entries voided in the month's file, and
where the ledger is damaged. Each kind of entry has its reader (``READERS``: kind -> the
function that keeps its facts, and the files it is read in).

Facts decide nothing: whether evidence came late and who may approve it is decided with
the rules (``audit.rules.late.decided``), and each other condition by a rule
(``audit.rules``). Every fact keeps its entry (``Line``), so a rule can cite ``file:line``
and read any field of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, NamedTuple

import msgspec

from zoudu import model
from zoudu.audit.load import HISTORY, MONTH, NEIGHBOUR, Source
from zoudu.ledger.lines.typed import Line, decode
from zoudu.audit.span import Span
from zoudu.i18n import _
from zoudu.ledger.lateness import is_imported
from zoudu.ledger.settings import Settings
from zoudu.model import Problem, Roster
from zoudu.timeparse import fixed_offset


class SignIn(NamedTuple):
    """An office sign-in (签到) of a cadre on the roster, on a day the audit looks at.

    As gathered, ``approver`` is the one the line names and ``late`` is False; whether it came
    late, and whether its approver may approve it, is decided by ``audit.rules.late.decided``."""

    entry: Line
    cadre: str
    day: dt.date  # local day of its time
    clock: dt.time  # local time of day, to the second
    window: int | None  # index (model.SLOTS) of the slot window it lies in; None: outside every window
    place: str  # where it was made (the configured place when the line names none)
    delay: dt.timedelta  # recorded minus its time
    approver: Any  # who approved it as a backfill (None: nobody, or one the policy does not allow)
    in_month: bool
    imported: bool = False  # a terminal's punch (``zoudu.ledger.lateness.is_imported``), not a hand-made CSV's
    late: bool = False  # a backfill (补签): entered later than the grace (a punch: the import limit) after its time
    refused: str | None = None  # why the approver named on the line may not approve it (then ``approver`` is None)
    approval: Line | None = None  # the ``zoudu approve`` entry that approved it after the fact

    @property
    def counts(self) -> bool:
        """Evidence only when on time or approved by one who may (docs/audit-rules.md#late-evidence-and-approvals)."""
        return not self.late or self.approver is not None

    @property
    def is_sign_in(self) -> bool:
        """False for a terminal's punch outside every window (out for lunch, off home): kept in the
        ledger, but no sign-in, not counted as one made, not on the notice (docs/guide.md)."""
        return not (self.imported and self.window is None)


class Visit(NamedTuple):
    """A village entry (民情日记: 下村, or 住村 with ``stay``) of a cadre on the roster.

    As gathered, ``approver`` is the one the line names and ``late`` is False (decided by
    ``audit.rules.late.decided``, as for ``SignIn``)."""

    entry: Line
    cadre: str
    day: dt.date
    stay: bool
    village: str
    witness: Any  # the villager who signed (None: nobody)
    in_month: bool
    late: bool = False  # copied from the diary later than ``village_late_days`` after its time
    approver: Any = None  # who approved it as late (None: nobody, or one the policy does not allow)
    refused: str | None = None  # why the approver named on the line may not approve it
    approval: Line | None = None  # the ``zoudu approve`` entry that approved it after the fact
    daytime: bool = True  # it covers the day's slots: a stay, or a visit by day (``DayHours.daytime``)

    @property
    def counts(self) -> bool:
        """Evidence only when witnessed, and on time or approved by one who may
        (docs/audit-rules.md#late-evidence-and-approvals)."""
        return bool(self.witness) and (not self.late or self.approver is not None)


class LeaveSpan(NamedTuple):
    """An approved leave or trip (请假/公出) from ``start`` to ``end`` (its cancellation's time, 销假)."""

    start: dt.datetime
    end: dt.datetime
    kind: str
    entry: Line
    cancel: Line | None = None

    def holds(self, moment: dt.datetime) -> bool:
        """Whether the leave holds at ``moment``: a cancellation (销假) ends it at its time, so at that
        very time the cadre is back; a leave not cut short holds to its end, inclusive."""
        if self.cancel is not None and self.end == self.cancel.at:
            return self.start <= moment < self.end
        return self.start <= moment <= self.end


@dataclass(frozen=True)
class Facts:
    attendance: tuple[SignIn | Visit, ...]  # in the order read
    # cadre -> spans that touch the audited days: made by ``audit.rules.late.decided`` from ``leave_entries``
    # and ``cancels`` once each leave's approver is checked (empty as gathered)
    leaves: dict[str, tuple[LeaveSpan, ...]]
    inspections: tuple[Line, ...]  # spot checks (督查) dated in the month
    reports: tuple[Line, ...]  # reported breaches (五不准) dated in the month
    evaluations: dict[str, dict[str, Any]]  # cadre -> self/peer/public -> grade, for the month
    voided: tuple[tuple[Line, Line], ...]  # (entry of the month's file, the void that cancels it)
    strangers: dict[str, str]  # cadre id not on the roster -> where first seen
    problems: tuple[Problem, ...]  # damaged lines, in the order read
    count: int  # entries read
    notices: tuple[str, ...] = field(default=())
    duties: dict[str, dict[dt.date, tuple[bool, bool, bool]]] = field(default_factory=dict)  # cadre -> day -> slots
    appeals: tuple[Line, ...] = ()  # appeals (申诉) in the month's file
    decisions: dict[str, Line] = field(default_factory=dict)  # appeal or report id -> its (first) review
    meetings: tuple[Line, ...] = ()  # meetings (家属会) of the month's quarter
    evaluation_history: dict[str, tuple[Line, ...]] = field(default_factory=dict)  # cadre -> every evaluation
    draws: tuple[Line, ...] = ()  # the spot-check draw's entries in the month's file, in the order read
    leave_entries: tuple[Line, ...] = ()  # every leave (请假/公出) read, in the order read
    cancels: dict[str, Line] = field(default_factory=dict)  # leave id -> its earliest cancellation (销假)
    approvals: dict[str, Line] = field(default_factory=dict)  # entry id -> the ``zoudu approve`` naming it

    @property
    def signins(self) -> Iterable[SignIn]:
        return (f for f in self.attendance if type(f) is SignIn)

    @property
    def visits(self) -> Iterable[Visit]:
        return (f for f in self.attendance if type(f) is Visit)


def read_voids(src: Source) -> dict[str, Line]:
    """The voids written in ``src``'s file, by the id they cancel. A void counts only in the file
    of the entry it names, where ``zoudu void`` writes it (``zoudu verify`` reports any other)."""
    voids: dict[str, Line] = {}
    ignored: list[Problem] = []  # the main pass reports them
    for number, text, _complete in src.voids:
        # not the file's header comment, which mentions `zoudu void` (and would cost a YAML import)
        line = decode(text, src.shown, number, ignored) if text and text[0] != "#" else None
        if line is not None and line.kind == model.VOID:
            voids.setdefault(str(line.get("target")), line)
    return voids


def gather(span: Span, settings: Settings, roster: Roster, sources: Iterable[Source]) -> Facts:
    """Every source's lines, once, in order: the facts of the audited days."""
    read = _Reading(span, settings, roster)
    for src in sources:
        read.source(src)
    return read.facts()


ANY_FILE = frozenset({MONTH, NEIGHBOUR, HISTORY})  # leave and meetings: whenever they were recorded
DATED = frozenset({MONTH, NEIGHBOUR})  # what happened on an audited day: the month's file and its neighbour's
OWN_MONTH = frozenset({MONTH})  # what the month's file records of the month


class _Reading:
    """What ``gather`` has read so far: one collection per kind of fact, filled by ``READERS``."""

    def __init__(self, span: Span, settings: Settings, roster: Roster) -> None:
        self.span, self.settings, self.tz = span, settings, settings.tz
        self.windows = [(i, settings.slots[name].start, settings.slots[name].end) for i, name in enumerate(model.SLOTS)]
        self.on_roster = roster.by_id
        self.span_day = {info.date for info in span.days if info.audited}  # nothing before records start
        self.in_month = {info.date for info in span.month_days if info.audited}
        self.quarter = _quarter(span.month)
        self.fixed = _fixed_offset(self.tz, span)
        self.hours = DayHours.of(settings)
        self.attendance: list[SignIn | Visit] = []
        self.leave_entries: list[Line] = []
        self.cancels: dict[str, Line] = {}
        self.inspections: list[Line] = []
        self.reports: list[Line] = []
        self.evaluations: dict[str, dict[str, Any]] = {}
        self.voided: list[tuple[Line, Line]] = []
        self.strangers: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.duties: dict[str, dict[dt.date, list[bool]]] = {}
        self.appeals: list[Line] = []
        self.draws: list[Line] = []
        self.decisions: dict[str, Line] = {}
        self.meetings: list[Line] = []
        self.history_of: dict[str, list[Line]] = {}
        self.approvals: dict[str, Line] = {}  # entry id -> the approval that names it

    def source(self, src: Source) -> None:
        """One file's lines, in order, each entry to the reader of its kind (voided ones to none)."""
        shown, problems = src.shown, self.problems
        voids = read_voids(src)
        month = src.role == MONTH
        readers = {kind: reader for kind, (reader, roles) in READERS.items() if src.role in roles}
        for number, text, complete in src.lines:
            if not complete:
                if text is None or text.strip():
                    problems.append(Problem(shown, number, _(
                        "incomplete last line (a write was cut off); run 'zoudu verify --repair'"), "torn"))
                break
            if text is None:
                problems.append(Problem(shown, number, _("not valid UTF-8 text")))
                continue
            if not text or text[0] == "#" or text.isspace():
                continue
            self.count += 1
            line = decode(text, shown, number, problems)
            if line is None:
                continue
            if line.id in voids:
                if month and line.kind != model.VOID:
                    self.voided.append((line, voids[line.id]))
                continue
            reader = readers.get(line.kind)
            if reader is not None:
                reader(self, line)

    def leave(self, line: Line) -> None:
        self.leave_entries.append(line)

    def leave_cancel(self, line: Line) -> None:
        """The earliest cancellation (销假) of each leave."""
        target = str(line.get("leave"))
        if target not in self.cancels or line.at < self.cancels[target].at:
            self.cancels[target] = line

    def meeting(self, line: Line) -> None:
        """A meeting held in the month's quarter, by the month's end."""
        held = line.at.astimezone(self.tz).date()
        if _quarter(held.strftime("%Y-%m")) == self.quarter and held <= self.span.last:
            self.meetings.append(line)

    def approval(self, line: Line) -> None:
        """A late entry approved after the fact: the approval lies in the file of the entry it approves."""
        self.approvals.setdefault(str(line.target), line)

    def _dated(self, line: Line, stay: bool = False) -> tuple[dt.datetime, dt.date] | None:
        """(local time, day) of a sign-in or village entry of a cadre on the roster on an audited day;
        None otherwise (a cadre not on the roster is noted where first seen)."""
        at = line.at
        # most times carry the workspace's own offset: local as written, no conversion
        local = at if self.fixed is not None and at.utcoffset() == self.fixed else at.astimezone(self.tz)
        day = local.date()
        if stay and local.time() <= self.hours.night_ends:
            day -= ONE_DAY  # a stay written after midnight is the night before's
        if day not in self.span_day:
            return None
        cadre = str(line.cadre)
        if cadre not in self.on_roster:
            self.strangers.setdefault(cadre, line.where)
            return None
        return local, day

    def sign_in(self, line: Line) -> None:
        """An office sign-in: its time of day, the slot window it lies in, its place and delay."""
        dated = self._dated(line)
        if dated is None:
            return
        local, day = dated
        clock = local.time().replace(microsecond=0, tzinfo=None)
        window = None
        for i, start, end in self.windows:
            if start <= clock <= end:
                window = i
                break
        place = self.settings.place if line.place is msgspec.UNSET else str(line.place)
        self.attendance.append(SignIn(line, str(line.cadre), day, clock, window, place, line.recorded - line.at,
                                      line.approver, day in self.in_month, is_imported(line.source)))

    def visit(self, line: Line) -> None:
        """A village entry (下村, or 住村 with ``stay``): where, who witnessed it, whether by day."""
        stay = bool(line.stay)
        dated = self._dated(line, stay)
        if dated is None:
            return
        local, day = dated
        self.attendance.append(Visit(line, str(line.cadre), day, stay, str(line.village), line.witness or None,
                                     day in self.in_month, approver=line.approver,
                                     daytime=self.hours.daytime(local, stay)))

    def _of_month(self, line: Line) -> bool:
        return line.at.astimezone(self.tz).date() in self.in_month

    def spot_check(self, line: Line) -> None:
        if self._of_month(line):
            self.inspections.append(line)

    def report(self, line: Line) -> None:
        if self._of_month(line):
            self.reports.append(line)

    def duty(self, line: Line) -> None:
        """The slots a cadre on the roster is on duty for on a day (none named: every slot)."""
        if line.cadre in self.on_roster and line.date:
            day = dt.date.fromisoformat(str(line.date))
            mark = self.duties.setdefault(str(line.cadre), {}).setdefault(day, [False, False, False])
            for slot in line.slots or model.SLOTS:
                if slot in model.SLOTS:
                    mark[model.SLOTS.index(slot)] = True

    def draw(self, line: Line) -> None:
        self.draws.append(line)

    def appeal(self, line: Line) -> None:
        self.appeals.append(line)

    def review(self, line: Line) -> None:
        """A decision is made once: a later review (only written by hand or by an older zoudu) changes nothing."""
        target = str(line.get("target"))
        if target not in self.decisions or line.recorded < self.decisions[target].recorded:
            self.decisions[target] = line

    def evaluation(self, line: Line) -> None:
        """The month's grades per cadre (a later one of a kind replaces an earlier), and every evaluation."""
        if line.get("month") == self.span.month and line.cadre:
            self.history_of.setdefault(line.cadre, []).append(line)
            grades = self.evaluations.setdefault(line.cadre, {})
            for key in ("self", "peer", "public"):
                if line.get(key):
                    grades[key] = line.get(key)

    def facts(self) -> Facts:
        notices = tuple(_("{where}: '{cadre}' is not on the roster; their entries were not counted").format(
            where=where, cadre=cadre) for cadre, where in self.strangers.items())
        return Facts(tuple(self.attendance), {}, tuple(self.inspections), tuple(self.reports), self.evaluations,
                     tuple(self.voided), self.strangers, tuple(self.problems), self.count, notices,
                     duties={c: {d: (m[0], m[1], m[2]) for d, m in days.items()} for c, days in self.duties.items()},
                     appeals=tuple(self.appeals), decisions=self.decisions, meetings=tuple(self.meetings),
                     evaluation_history={c: tuple(lines) for c, lines in self.history_of.items()},
                     draws=tuple(self.draws), leave_entries=tuple(self.leave_entries), cancels=self.cancels,
                     approvals=self.approvals)


# Each kind of entry: the reader that keeps its facts, and the files it is read in. A kind not here
# (a void, a seal, a publication) is counted and otherwise left alone.
READERS: dict[str, tuple[Callable[[_Reading, Line], None], frozenset[str]]] = {
    model.LEAVE: (_Reading.leave, ANY_FILE),
    model.LEAVE_CANCEL: (_Reading.leave_cancel, ANY_FILE),
    model.MEETING: (_Reading.meeting, ANY_FILE),
    model.APPROVAL: (_Reading.approval, DATED),
    model.CHECKIN: (_Reading.sign_in, DATED),
    model.VILLAGE: (_Reading.visit, DATED),
    model.SPOT_CHECK: (_Reading.spot_check, OWN_MONTH),
    model.REPORT: (_Reading.report, OWN_MONTH),
    model.DUTY: (_Reading.duty, OWN_MONTH),
    model.APPEAL: (_Reading.appeal, OWN_MONTH),
    model.REVIEW: (_Reading.review, OWN_MONTH),
    model.EVALUATION: (_Reading.evaluation, OWN_MONTH),
    **{kind: (_Reading.draw, OWN_MONTH) for kind in model.DRAW_KINDS},
}


ONE_DAY = dt.timedelta(days=1)


class DayHours(NamedTuple):
    """When a village entry's time places the cadre in the village by day, and when a night ends."""

    day_starts: dt.time  # the morning window's start
    day_ends: dt.time  # the evening window's start
    night_ends: dt.time  # the morning window's end: a stay written before it is the night before's

    @classmethod
    def of(cls, settings: Settings) -> "DayHours":
        slots = settings.slots
        return cls(slots["morning"].start, slots["evening"].start, slots["morning"].end)

    def daytime(self, local: dt.datetime, stay: bool) -> bool:
        """Whether an entry at ``local`` covers the day slots of its day: a visit when its time lies
        from the morning window's start to the evening window's; a stay always (dated by its evening)."""
        return stay or self.day_starts <= local.time().replace(tzinfo=None) < self.day_ends


def _quarter(month: str) -> str:
    """``2026-11`` -> ``2026-Q4``."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def _fixed_offset(tz: dt.tzinfo, span: Span) -> dt.timedelta | None:
    """The zone's one UTC offset over the audited days (a day of slack each side); None if it changes."""
    return fixed_offset(tz, span.days[0].date - dt.timedelta(days=1), span.days[-1].date + dt.timedelta(days=1))


def leave_spans(span: Span, tz: dt.tzinfo, entries: list[Line], cancels: dict[str, Line]
                ) -> dict[str, tuple[LeaveSpan, ...]]:
    """Each cadre's leave that touches the audited days, each leave once, ended by its cancellation."""
    seen: set[str] = set()
    start = dt.datetime.combine(span.days[0].date, dt.time(0), tz)
    stop = dt.datetime.combine(span.days[-1].date + dt.timedelta(days=1), dt.time(0), tz)
    out: dict[str, list[LeaveSpan]] = {}
    for e in entries:
        if e.id in seen or e.cadre is None:
            continue
        seen.add(e.id)
        end = e.until
        cancel = cancels.get(e.id)
        if cancel is not None and cancel.at < end:
            end = cancel.at
        if end < start or e.at >= stop:
            continue
        out.setdefault(e.cadre, []).append(LeaveSpan(e.at, end, e.get("leave_kind") or "事假", e, cancel))
    return {cadre: tuple(spans) for cadre, spans in out.items()}
