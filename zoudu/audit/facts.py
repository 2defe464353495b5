"""Stage 2 of the audit, *facts*: what the ledger lines say, per cadre and day, voids applied.

``gather(span, settings, roster, sources)`` reads every source once (``zoudu.ledger.lines.decode``)
and returns ``Facts``: office sign-ins and village entries of the audited days
(with their local day and time, window, place, delay, approver), leave spans (a
cancellation 销假 applied), spot checks, reports and evaluations of the month, the
entries voided in the month's file, and where the ledger is damaged. Facts decide
nothing: a rule (``audit.rules``) holds each condition. Every fact keeps its entry
(``Line``), so a rule can cite ``file:line`` and read any field of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple

import msgspec

from zoudu import model
from zoudu.audit.dated import RosterByDay
from zoudu.audit.load import HISTORY, MONTH, Source
from zoudu.ledger.lines import Line, decode
from zoudu.audit.span import Span
from zoudu.i18n import _
from zoudu.ledger import approvals, lateness
from zoudu.ledger.lateness import is_imported
from zoudu.ledger.settings import Settings
from zoudu.model import Problem, Roster
from zoudu.timeparse import fixed_offset


class SignIn(NamedTuple):
    """An office sign-in (签到) of a cadre on the roster, on a day the audit looks at."""

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


class Visit(NamedTuple):
    """A village entry (民情日记: 下村, or 住村 with ``stay``) of a cadre on the roster."""

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
    leaves: dict[str, tuple[LeaveSpan, ...]]  # cadre -> spans that touch the audited days
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
    tz = settings.tz
    windows = [(i, settings.slots[name].start, settings.slots[name].end) for i, name in enumerate(model.SLOTS)]
    on_roster = roster.by_id
    span_day = {info.date for info in span.days if info.audited}  # nothing before records start
    in_month = {info.date for info in span.month_days if info.audited}
    attendance: list[SignIn | Visit] = []
    leave_entries: list[Line] = []
    cancels: dict[str, Line] = {}
    inspections: list[Line] = []
    reports: list[Line] = []
    evaluations: dict[str, dict[str, Any]] = {}
    voided: list[tuple[Line, Line]] = []
    strangers: dict[str, str] = {}
    problems: list[Problem] = []
    count = 0
    duties: dict[str, dict[dt.date, list[bool]]] = {}
    appeals: list[Line] = []
    draws: list[Line] = []
    decisions: dict[str, Line] = {}
    meetings: list[Line] = []
    history_of: dict[str, list[Line]] = {}
    approved_later: dict[str, Line] = {}  # entry id -> the approval that names it
    quarter = _quarter(span.month)
    fixed = _fixed_offset(tz, span)
    late = Lateness(settings, roster)
    limits = late.limits
    hours = DayHours.of(settings)
    for src in sources:
        shown, role = src.shown, src.role
        voids = read_voids(src)
        history, month = role == HISTORY, role == MONTH
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
            count += 1
            line = decode(text, shown, number, problems)
            if line is None:
                continue
            kind = line.kind
            if line.id in voids:
                if kind != model.VOID and month:
                    voided.append((line, voids[line.id]))
                continue
            if kind == model.LEAVE:
                leave_entries.append(line)
            elif kind == model.LEAVE_CANCEL:
                target = str(line.get("leave"))
                if target not in cancels or line.at < cancels[target].at:
                    cancels[target] = line
            elif kind == model.MEETING:
                held = line.at.astimezone(tz).date()
                if _quarter(held.strftime("%Y-%m")) == quarter and held <= span.last:
                    meetings.append(line)
            elif kind == model.APPROVAL:
                if not history:  # a late entry approved after the fact: in the file of the entry it approves
                    approved_later.setdefault(str(line.target), line)
                continue
            elif history or kind == model.VOID:
                continue
            elif kind == model.CHECKIN or kind == model.VILLAGE:
                at = line.at
                # most times carry the workspace's own offset: local as written, no conversion
                local = at if fixed is not None and at.utcoffset() == fixed else at.astimezone(tz)
                day = local.date()
                if kind == model.VILLAGE and line.stay and local.time() <= hours.night_ends:
                    day -= ONE_DAY  # a stay written after midnight is the night before's
                if day not in span_day:
                    continue
                cadre = str(line.cadre)
                if cadre not in on_roster:
                    strangers.setdefault(cadre, line.where)
                    continue
                if kind == model.CHECKIN:
                    clock = local.time().replace(microsecond=0, tzinfo=None)
                    window = None
                    for i, start, end in windows:
                        if start <= clock <= end:
                            window = i
                            break
                    place = settings.place if line.place is msgspec.UNSET else str(line.place)
                    delay, imported = line.recorded - line.at, is_imported(line.source)
                    is_late = limits.late(kind, delay, imported)
                    approver, refused = late.approved(line, approvals.BACKFILL, day) if is_late else (
                        line.approver, None)
                    attendance.append(SignIn(line, cadre, day, clock, window, place, delay,
                                             approver, day in in_month, imported, is_late, refused))
                else:
                    is_late = limits.late(kind, line.recorded - line.at)
                    approver, refused = late.approved(line, approvals.VILLAGE, day) if is_late else (
                        line.approver, None)
                    attendance.append(Visit(line, cadre, day, bool(line.stay), str(line.village),
                                            line.witness or None, day in in_month, is_late, approver, refused,
                                            daytime=hours.daytime(local, bool(line.stay))))
            elif not month:
                continue
            elif kind == model.SPOT_CHECK:
                if line.at.astimezone(tz).date() in in_month:
                    inspections.append(line)
            elif kind == model.REPORT:
                if line.at.astimezone(tz).date() in in_month:
                    reports.append(line)
            elif kind == model.DUTY:
                if line.cadre in on_roster and line.date:
                    day = dt.date.fromisoformat(str(line.date))
                    mark = duties.setdefault(str(line.cadre), {}).setdefault(day, [False, False, False])
                    for slot in line.slots or model.SLOTS:
                        if slot in model.SLOTS:
                            mark[model.SLOTS.index(slot)] = True
            elif kind in model.DRAW_KINDS:
                draws.append(line)
            elif kind == model.APPEAL:
                appeals.append(line)
            elif kind == model.REVIEW:
                target = str(line.get("target"))
                # a decision is made once: a later review (only written by hand or by an older zoudu) changes nothing
                if target not in decisions or line.recorded < decisions[target].recorded:
                    decisions[target] = line
            elif kind == model.EVALUATION:
                if line.get("month") == span.month and line.cadre:
                    history_of.setdefault(line.cadre, []).append(line)
                    grades = evaluations.setdefault(line.cadre, {})
                    for key in ("self", "peer", "public"):
                        if line.get(key):
                            grades[key] = line.get(key)
    if approved_later:
        attendance = [late.approved_after(f, approved_later.get(f.entry.id)) for f in attendance]
    notices = tuple(_("{where}: '{cadre}' is not on the roster; their entries were not counted").format(
        where=where, cadre=cadre) for cadre, where in strangers.items())
    kept = []
    for e in leave_entries:  # the approval re-checked: a leave its approver may not approve excuses nothing
        refused = late.leave_refused(e)
        if refused:
            notices += (_("{where}: the leave's approver ({approver}) may not approve it: {why}; it excuses "
                          "nothing").format(where=e.where, approver=e.approver, why=refused),)
        else:
            kept.append(e)
    leave_entries = kept
    return Facts(tuple(attendance), leave_spans(span, tz, leave_entries, cancels), tuple(inspections),
                 tuple(reports), evaluations, tuple(voided), strangers, tuple(problems), count, notices,
                 duties={c: {d: (m[0], m[1], m[2]) for d, m in days.items()} for c, days in duties.items()},
                 appeals=tuple(appeals), decisions=decisions, meetings=tuple(meetings),
                 evaluation_history={c: tuple(lines) for c, lines in history_of.items()},
                 draws=tuple(draws))


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


class Lateness:
    """How late evidence may come (rules.yaml) and who may approve it (``ledger.approvals``,
    checked again here: an approver the policy does not allow counts as none)."""

    def __init__(self, settings: Settings, roster: Roster) -> None:
        self.limits = lateness.limits(settings)  # the rule the read-back and ``zoudu log`` use too
        self.settings, self.roster = settings, roster
        self.dated = RosterByDay(roster)
        self._plain: dict[int, Roster] = {}  # per roster state: the same cadres without the log (no replay)
        self._seen: dict[tuple, str | None] = {}

    def _check(self, approver: str, cadre: str | None, kind: str, day: dt.date,
               length: dt.timedelta | None = None) -> str | None:
        """``approvals.may_approve`` on the roster of ``day``, worked out once per roster state."""
        state = self.dated.on(day)
        key = (approver, cadre, kind, day, None if length is None else approvals.policy(self.settings, kind, length))
        if key not in self._seen:
            plain = self._plain.get(id(state))
            if plain is None:
                plain = self._plain[id(state)] = Roster.of(state.cadres, state.path)
            self._seen[key] = approvals.may_approve(self.settings, plain, approver, cadre, kind, day, length)
        return self._seen[key]

    def leave_refused(self, line: Line) -> str | None:
        """Why the leave's approver may not approve it (None: they may, or it names none)."""
        if not line.approver or line.cadre is None or not isinstance(line.until, dt.datetime):
            return None
        day = line.at.astimezone(self.settings.tz).date()
        return self._check(str(line.approver), line.cadre, approvals.LEAVE, day, line.until - line.at)

    def approved_after(self, fact: SignIn | Visit, approval: Line | None) -> SignIn | Visit:
        """``fact`` as an approval recorded after it (``zoudu approve``) leaves it: counted as if approved
        at entry when its approver may approve it on the entry's day (checked again, as at entry)."""
        if approval is None or not fact.late or fact.approver is not None or not approval.approver:
            return fact
        kind = approvals.BACKFILL if type(fact) is SignIn else approvals.VILLAGE
        refused = self._check(str(approval.approver), fact.cadre, kind, fact.day)
        if refused:
            return fact._replace(refused=fact.refused or refused)
        return fact._replace(approver=approval.approver, refused=None, approval=approval)

    def approved(self, line: Line, kind: str, day: dt.date) -> tuple[Any, str | None]:
        """(the approver if they may approve, else None; why not)."""
        who = line.approver
        if not who:
            return None, None
        refused = self._check(str(who), line.cadre, kind, day)
        return (None, refused) if refused else (who, None)


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
