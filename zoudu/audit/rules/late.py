"""Evidence that came late (docs/audit-rules.md#late-evidence-and-approvals).

``decided`` is the stage after ``audit.facts.gather``: it decides which sign-ins and village
entries came late (补录, the rule ``zoudu.ledger.lateness`` shares with the read-back and
``zoudu log``) and whether the approver named on the line, or by a later ``zoudu approve``,
may approve them (``zoudu.ledger.approvals``, checked again here: an approver the policy does
not allow counts as none); a leave whose approver may not approve it excuses nothing.
``leave`` is the rule for a leave recorded after it began."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from zoudu import model
from zoudu.audit.dated import RosterByDay
from zoudu.audit.facts import Facts, SignIn, Visit, leave_spans
from zoudu.ledger.lines.typed import Line
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, duration
from zoudu.audit.span import Span
from zoudu.i18n import _
from zoudu.ledger import approvals, lateness
from zoudu.ledger.settings import Settings
from zoudu.model import Roster


def decided(span: Span, settings: Settings, roster: Roster, facts: Facts) -> Facts:
    """``facts`` with lateness decided: each late sign-in or village entry marked, with its approver
    only if they may approve it; the leaves whose approver may approve them, as spans, and a notice
    for each other."""
    judge = Lateness(settings, roster)
    limits, approved_later = judge.limits, facts.approvals
    attendance = list(facts.attendance)
    for i, fact in enumerate(attendance):
        if type(fact) is SignIn:
            late = limits.late(model.CHECKIN, fact.delay, fact.imported)
        else:
            late = limits.late(model.VILLAGE, fact.entry.recorded - fact.entry.at)
        if late:
            attendance[i] = judge.approved_after(judge.late(fact), approved_later.get(fact.entry.id))
    kept, notices = [], list(facts.notices)
    for e in facts.leave_entries:  # the approval re-checked: a leave its approver may not approve excuses nothing
        refused = judge.leave_refused(e)
        if refused:
            notices.append(_("{where}: the leave's approver ({approver}) may not approve it: {why}; it excuses "
                             "nothing").format(where=e.where, approver=e.approver, why=refused))
        else:
            kept.append(e)
    return dataclasses.replace(facts, attendance=tuple(attendance), notices=tuple(notices),
                               leaves=leave_spans(span, settings.tz, kept, facts.cancels))


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

    def late(self, fact: SignIn | Visit) -> SignIn | Visit:
        """``fact``, which came late, with its approver if they may approve it (else why not)."""
        kind = approvals.BACKFILL if type(fact) is SignIn else approvals.VILLAGE
        approver, refused = self.approved(fact.entry, kind, fact.day)
        return fact._replace(late=True, approver=approver, refused=refused)

    def approved(self, line: Line, kind: str, day: dt.date) -> tuple[Any, str | None]:
        """(the approver if they may approve, else None; why not)."""
        who = line.approver
        if not who:
            return None, None
        refused = self._check(str(who), line.cadre, kind, day)
        return (None, refused) if refused else (who, None)


def began(month: Month, start: dt.datetime) -> dt.datetime:
    """When a leave begins to excuse anything: its time, or for a leave given by dates (from
    00:00) the fixed time of that day's morning slot, the first it excuses."""
    if start.time() == dt.time(0):
        return dt.datetime.combine(start.date(), month.settings.slots["morning"].time, start.tzinfo)
    return start


def leave(month: Month) -> list[Violation]:
    """``leave.late`` (docs/audit-rules.md#late-evidence-and-approvals): a leave (or trip) recorded after it
    began, to the minute; it still excuses what it covers (a warning by default: it has its approver)."""
    out: list[Violation] = []
    first, last = month.span.month_days[0].date, month.span.month_days[-1].date
    for cadre, spans in month.facts.leaves.items():
        for span in spans:
            e = span.entry
            start = month.local(span.start)
            begins = began(month, start)
            if not (first <= start.date() <= last) or e.recorded <= begins:
                continue
            minutes = -(-int((e.recorded - begins).total_seconds()) // 60)
            message = _("{kind} from {start} was recorded {delay} after it began ({recorded}), approved by "
                        "{approver}").format(
                kind=span.kind, start=start.strftime("%Y-%m-%d %H:%M"), delay=duration(minutes),
                recorded=month.local(e.recorded).strftime("%Y-%m-%d %H:%M"), approver=_named(month, e.get("approver")))
            out.append(month.violation("leave.late", cadre, message, (e.where,), start.date()))
    return out


def _named(month: Month, cadre_id) -> str:
    """A cadre as a clerk reads one: by name."""
    found = month.roster.get(str(cadre_id)) if cadre_id else None
    return found.name if found else (cadre_id or "-")
