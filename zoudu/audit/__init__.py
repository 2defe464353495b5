"""``zoudu audit``: a month checked against every rule of the policy (docs/audit-rules.md).

A pipeline of named stages, each returning a value (like beancount's loader)::

    span     = span_of(...)                      # audit.span: the days and weeks looked at
    sources  = load(...)                         # audit.load: which lines of which files
    facts    = gather(span, ..., sources)        # ledger.lines + audit.facts: what the lines say
    facts    = decided(span, ..., facts)         # audit.rules.late: which evidence came late, who may approve it
    rulings  = Rulings.of(facts)                 # audit.appeals: what each appeal decided
    coverage = cover(span, ..., facts, rulings)  # audit.coverage: what covered each slot
    found    = run(Month(...), TABLE)            # audit.rules: one function per rule id
    found    = contest(..., rulings, found)      # audit.review: each finding's status on appeal
    result   = AuditResult(...)                  # here: liability, per-cadre figures

The result is frozen data (``audit.result``); rendering lives elsewhere.

Public API (``publish`` and ``dossier`` build on it)::

    audit_month(ws, "2026-11", cadre=None) -> AuditResult
    to_json(result) -> dict   # the object of docs/audit-rules.md#what-the-audit-prints

The stages are plain functions; ``zoudu.memo.stages`` wraps ``prepare`` and ``whole`` from outside to
remember a closed month's result (docs/architecture.md#caches).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable, NamedTuple

import msgspec
from msgspec import UNSET

from zoudu import model
from zoudu.audit.anomalies import find as find_anomalies
from zoudu.audit.appeals import Rulings
from zoudu.audit.coverage import cover, day_record, not_serving, week_figures
from zoudu.audit.dated import RosterByDay
from zoudu.audit.facts import gather
from zoudu.audit.load import Reader, ledger_file, load
from zoudu.audit.result import (
    LEAVE, MISSING, NOT_REQUIRED, OFFICE, SLOT_STATES, TRIP, VILLAGE,
    Anomaly, AuditResult, CadreResult, Day, Liability, Violation, Week, narrow, split, to_json, violation_json,
)
from zoudu.audit.rules import TABLE, Month, Rule, label, run
from zoudu.audit.rules.drawn import notices as draw_notices
from zoudu.audit.rules.late import decided
from zoudu.audit.review import contest, reports, unsupervised
from zoudu.audit.sealed import SealedView, sealed_view
from zoudu.audit.span import Span, span_of
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.timeparse import month_days, parse_month
from zoudu.ledger.store import without_cycle_collector
from zoudu.ledger.workspace import Workspace

__all__ = [
    "audit_month", "rendered", "Rendered", "prepare", "Prepared", "whole", "render_result", "narrow", "split", "to_json", "violation_json", "Anomaly", "AuditResult", "CadreResult", "Day", "Liability", "Violation", "Week",
    "TABLE", "Rule", "label", "SLOT_STATES", "OFFICE", "VILLAGE", "LEAVE", "TRIP", "MISSING", "NOT_REQUIRED",
]


def now_of(ws: Workspace) -> dt.datetime:
    """The workspace clock if it has one (tests, the demo generator), else the wall clock."""
    tz = ws.settings.tz
    moment = ws.clock() if ws.clock else dt.datetime.now(tz)
    return moment.astimezone(tz)


def audit_month(ws: Workspace, month: str, cadre: str | None = None, *,
                table: tuple[Rule, ...] = TABLE, days: bool = True) -> AuditResult:
    """Audit ``month`` (``YYYY-MM``); ``cadre`` (an id or unique name) narrows the result to one cadre.

    ``table`` is the rules to run (default: every rule of docs/audit-rules.md#the-rule-table).
    ``days=False`` leaves ``CadreResult.days`` empty, for callers that show no calendar (the audit command).
    Raises ZouduError for a malformed month, a month that has not begun, an unknown cadre.
    Problems in the data (damaged lines, a missing file, an unknown year) are notices, not errors.
    The commands call ``zoudu.memo.stages.audit_month``, which remembers a closed month's result.
    """
    with without_cycle_collector():
        prepared = prepare(ws, month, cadre)
        result = whole(prepared, table, days)
        return narrow(result, prepared.only) if prepared.only is not None else result


class Rendered(msgspec.Struct, frozen=True):
    """An audit as a command shows it: the text, the notices it says aside, its exit status."""

    text: str
    notices: tuple[str, ...]
    untrusted: str | None
    exit_code: int


def rendered(ws: Workspace, month: str, cadre: str | None, form: str,
             render: Callable[[AuditResult], str]) -> Rendered:
    """``render(audit_month(ws, month, cadre, days=False))`` with its notices and exit status.
    ``form`` names ``render`` and its options (``zoudu.memo.stages.rendered`` remembers by it)."""
    with without_cycle_collector():
        return render_result(audit_month(ws, month, cadre, days=False), render)


def render_result(result: AuditResult, render: Callable[[AuditResult], str]) -> Rendered:
    return Rendered(render(result), tuple(result.notices), result.untrusted, result.exit_code)


class Prepared(NamedTuple):
    """A month made ready to audit."""

    ws: Workspace  # the workspace as audited (a sealed month's view: its rules and roster)
    span: Span
    only: str | None  # the one cadre asked for
    view: SealedView | None  # a sealed month: its rules, roster and lines as sealed


def prepare(ws: Workspace, month: str, cadre: str | None = None) -> Prepared:
    """The month checked (well formed, begun), its sealed view if any, its span, the cadre asked for."""
    month = parse_month(month)
    now = now_of(ws)
    if month_days(month)[0] > now.date():
        raise ZouduError(_("the month {month} has not begun yet (today is {today})").format(
            month=month, today=now.date().isoformat()))
    view = sealed_view(ws, month)  # a sealed month: its rules, roster and lines as sealed
    today = ws.roster
    # the workspace as audited, one value throughout: a sealed month's view, else the rules and roster as read now
    ws = view.ws if view is not None else ws.replace(settings=ws.settings, roster=today)
    settings, roster = ws.settings, ws.roster
    only = None
    if cadre is not None:
        from zoudu.ledger.roster import find_cadre

        # an id on today's roster is taken as it is (a sealed month's roster may predate them: no part)
        only = cadre if today.get(cadre) is not None else find_cadre(roster, cadre).id
    return Prepared(ws, span_of(settings, roster, month, ledger_file(ws, month), now), only, view)


def whole(prepared: Prepared, table: tuple[Rule, ...] = TABLE, days: bool = True,
          reader: Reader | None = None) -> AuditResult:
    """The month's result over the whole roster; ``reader`` reads the other months' files."""
    return _audit(prepared.ws, prepared.span, table, days, prepared.view, reader)


def _audit(ws: Workspace, span: Span, table: tuple[Rule, ...], want_days: bool, view: SealedView | None,
           reader: Reader | None) -> AuditResult:
    """The stages, in order, over the whole roster."""
    settings, roster, month = ws.settings, ws.roster, span.month
    loaded = load(ws, month, span.days[0].date, span.days[-1].date, view.cuts if view is not None else None,
                  reader)
    facts = decided(span, settings, roster, gather(span, settings, roster, loaded.sources))
    rulings = Rulings.of(facts)
    coverage = cover(span, settings, roster, facts, rulings)
    month_view = Month(settings, roster, span, facts, coverage)
    violations = contest(settings, roster, rulings, run(month_view, table))

    notices = list(loaded.notices) + span.calendar.notices() + list(facts.notices)
    notices += draw_notices(month_view)
    untrusted = None
    problems = list(loaded.problems) + list(facts.problems)
    if loaded.chain is not None and loaded.chain.where is not None:
        # Said first and loudest: the lines the audit read may not be the lines that were recorded.
        untrusted = _("{where}: the hash chain of the ledger is broken here: this line, or one before it, was "
                      "edited, added, removed or moved outside zoudu, so this audit cannot be trusted. "
                      "Run 'zoudu verify'").format(where=loaded.chain.where)
        notices.insert(0, untrusted)
        problems.append(model.Problem(loaded.chain.shown, loaded.chain.first_break, _(
            "hash chain broken: this line was edited, or a line before it was removed, added or moved"), "chain"))
    damaged = list(loaded.problems) + list(facts.problems)
    if damaged:
        notices.append(_("{n} damaged ledger line(s) were skipped (first: {where}: {message}); run 'zoudu verify'"
                         ).format(n=len(damaged), where=damaged[0].where, message=damaged[0].message))
    notices += _scope_notices(span, view)

    _in_order(violations, roster)
    liability = _liability(settings, roster, violations)
    cadres = _cadre_results(month_view, violations, want_days)
    alone = unsupervised(settings, roster, violations)
    for cid in alone:
        notices.append(_("{name} ({id}) has commuting errors but no supervisor: nobody bears the joint liability; "
                         "name a supervisor with 'zoudu roster set'").format(name=roster.by_id[cid].name, id=cid))

    errors = sum(1 for v in violations if v.severity == "error" and v.counts)
    return AuditResult(
        month=month,
        violations=tuple(violations),
        cadres=tuple(cadres),
        liability=tuple(liability),
        notices=tuple(notices),
        entries=facts.count,
        inspections=len(facts.inspections),
        problems=tuple(problems),
        township=settings.township,
        errors=errors,
        warnings=sum(1 for v in violations if v.counts) - errors,
        calendar_sources={year: span.calendar.source(year)
                          for year in sorted({span.days[0].date.year, span.days[-1].date.year})},
        untrusted=untrusted,
        rules=view.rules if view is not None else "rules.yaml",
        reports=reports(month_view),
        unsupervised=alone,
        anomalies=find_anomalies(settings, roster, facts),
    )


def _in_order(violations: list[Violation], roster) -> None:
    """By cadre (roster order, township-wide last), then day, week, slot and rule: a week's shortfall
    follows that week's daily findings."""
    order = {c.id: i for i, c in enumerate(roster.cadres)}
    slot_order = {name: i for i, name in enumerate(model.SLOTS)}

    def sort_key(v: Violation) -> tuple:
        when = v.date or (_week_sunday(v.week) if v.week else dt.date.max)
        return (order.get(v.cadre, len(order)) if v.cadre else len(order), when, v.week or "",
                slot_order.get(v.slot or "", 3), v.rule)

    violations.sort(key=sort_key)


def _scope_notices(span: Span, view) -> list[str]:
    """What the audit says of its own scope: a sealed month's view, a month not over yet."""
    said = []
    if view is not None:
        said.append(_("{month} is sealed ({seal}): audited under the rules it was sealed with ({rules}) and "
                      "only the entries recorded before the seal").format(
            month=span.month, seal=view.seal, rules=view.rules))
    if not span.over:
        said.append(_("the month is not over: only sign-ins due by {now} are checked, and only weeks "
                      "that have ended").format(now=span.now.strftime("%Y-%m-%d %H:%M")))
    return said


def _week_sunday(label: str) -> dt.date:
    year, week = label.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 7)


def _liability(settings, roster: model.Roster, violations: list[Violation]) -> list[Liability]:
    """连带责任: each supervisor answers for their cadres' commuting violations."""
    counted = set(settings.liability_rules)
    by_id = roster.by_id
    dated = RosterByDay(roster)  # the supervisor of the day of the finding (a week's: its Thursday)
    answers: dict[str, dict[str, int]] = {}
    own: dict[str, int] = {}
    for v in violations:
        if v.rule not in counted or v.cadre is None or v.cadre not in by_id or not v.counts:
            continue
        own[v.cadre] = own.get(v.cadre, 0) + 1
        day = v.date or (_week_sunday(v.week) - dt.timedelta(days=3) if v.week else None)
        supervisor = answers_to(settings, dated, v.cadre, day)
        if supervisor:
            subs = answers.setdefault(supervisor, {})
            subs[v.cadre] = subs.get(v.cadre, 0) + 1
    rows = []
    for c in roster.cadres:
        if c.id in answers:
            subs = answers[c.id]
            rows.append(Liability(c.id, c.name, subs, sum(subs.values()), own.get(c.id, 0),
                                  {sub: by_id[sub].name for sub in subs}))
    return rows


def _backfill(fact) -> tuple[str, str | None, str | None, str]:
    """(entry id, approver, reason, where) of a late or approved sign-in or village entry; approved after
    the fact (``zoudu approve``), the approval's reason, and where both lines are."""
    entry, approval = fact.entry, fact.approval
    if approval is None:
        return entry.id, fact.approver, entry.get("reason"), entry.where
    return entry.id, fact.approver, approval.get("reason"), f"{entry.where}, {approval.where} ({approval.id})"
def answers_to(settings, dated: RosterByDay, cadre: str, day: dt.date | None) -> str | None:
    """Whom the cadre answers to on ``day``: their supervisor; a leadership team member with none, the
    party secretary (the top of the tree); the secretary, nobody."""
    from zoudu.ledger.approvals import secretary

    stood = dated.cadre(cadre, day)
    if stood.supervisor or not stood.team:
        return stood.supervisor
    head = secretary(settings, dated.on(day) if day is not None else dated.roster)
    return head.id if head is not None and head.id != cadre else None


def _cadre_results(month: Month, violations: list[Violation], want_days: bool) -> list[CadreResult]:
    """Each cadre's month; what belongs to a cadre is grouped once, not searched per cadre."""
    facts = month.facts
    counts: dict[str, list[int]] = {}
    for v in violations:
        if v.cadre is not None and v.counts:
            pair = counts.setdefault(v.cadre, [0, 0])
            pair[v.severity != "error"] += 1
    inspections: dict[str, list[tuple[str, bool]]] = {}
    for e in facts.inspections:
        for cid in e.get("present") or ():
            inspections.setdefault(cid, []).append((e.where, True))
        for cid in e.get("absent") or ():
            inspections.setdefault(cid, []).append((e.where, False))
    backfills: dict[str, list[tuple[str, str | None, str | None, str]]] = {}
    made: dict[str, int] = {}
    times = _signin_times(month)
    diary: dict[str, list[tuple]] = {}
    for v in facts.visits:
        if v.in_month and (v.late or v.entry.approver):  # a diary entry copied late: its approver is evidence
            backfills.setdefault(v.cadre, []).append(_backfill(v))
        if v.in_month:
            diary.setdefault(v.cadre, []).append((v.day, v.village, v.stay, v.witness, v.entry.get("note"),
                                                  v.entry.where))
    for s in facts.signins:
        if s.in_month:
            made[s.cadre] = made.get(s.cadre, 0) + s.is_sign_in
            if s.late or s.approver or s.entry.approver:
                backfills.setdefault(s.cadre, []).append(_backfill(s))
    from zoudu.audit.rules.inspection import due_at

    late: dict[str, int] = {}
    for v in violations:
        if v.rule == "signin.late" and v.cadre is not None and v.counts:
            late[v.cadre] = late.get(v.cadre, 0) + 1
    uncounted: dict[str, list[str]] = {}
    for e in facts.inspections:
        for cid in e.get("absent") or ():
            on_leave = any(span.holds(e.at) for span in facts.leaves.get(cid, ()))
            if cid in month.roster.by_id and not on_leave and due_at(month, cid, e.at) is None:
                uncounted.setdefault(cid, []).append(e.where)
    history: dict[str, tuple[tuple[str, str, str, str], ...]] = {
        cid: tuple((key, str(line.get(key)), line.id, line.where) for line in lines
                   for key in ("self", "peer", "public") if line.get(key))
        for cid, lines in facts.evaluation_history.items()}
    voided: dict[str | None, list[tuple[str, str, str]]] = {}
    for e, void in facts.voided:
        reason = void.reason if void.reason is not UNSET else ""
        for cid in _concerned(e, month.roster):
            voided.setdefault(cid, []).append((e.id, str(reason), e.where))
    return [dataclasses.replace(
        _cadre_result(month, c, counts.get(c.id, (0, 0)), inspections.get(c.id, ()), backfills.get(c.id, ()),
                      voided.get(c.id, ()), made.get(c.id, 0), want_days),
        signins=tuple(times.get(c.id, ())), leaves=_leaves_of(month, c.id), diary=tuple(diary.get(c.id, ())),
        late=late.get(c.id, 0), uncounted=tuple(uncounted.get(c.id, ())), evaluation_history=history.get(c.id, ()))
        for c in month.span.cadres]


def _concerned(e, roster: model.Roster) -> list[str | None]:
    """Whose archive a voided entry goes to (docs/ledger-format.md#corrections-are-entries): the cadre
    it concerns — for a spot check the inspector and every cadre it named — and the cadre who recorded
    it (``--by``), each once."""
    found: list[str | None] = [e.cadre] if e.cadre else []
    if e.kind == model.SPOT_CHECK:
        found += [e.get("inspector"), *(e.get("present") or ()), *(e.get("absent") or ())]
    if e.by in roster.by_id:
        found.append(e.by)
    out = list(dict.fromkeys(str(c) for c in found if c))
    return out or [None]


def _signin_times(month: Month) -> dict[str, list[tuple[dt.date, str, str]]]:
    """Each cadre's office sign-ins of the month as made, in time order: (day, "HH:MM", flag), flag
    "void" when it counts for nothing (late and unapproved, outside every window, elsewhere), "late"
    when after the slot's fixed time plus the lateness tolerance (rules.yaml, default 5 minutes)."""
    settings = month.settings
    tolerance = dt.timedelta(minutes=getattr(settings, "late_tolerance_minutes", 5))
    fixed = [settings.slots[name].time for name in model.SLOTS]
    out: dict[str, list[tuple[dt.date, str, str]]] = {}
    # a terminal's punch outside every window is no sign-in (a clock-out for lunch): not on the notice
    shown = (s for s in month.facts.signins if s.in_month and s.is_sign_in)
    for s in sorted(shown, key=lambda s: (s.day, s.clock)):
        flag = ""
        if not s.counts or s.window is None or s.place != settings.place:
            flag = "void"
        elif (dt.datetime.combine(s.day, s.clock) - dt.datetime.combine(s.day, fixed[s.window])) > tolerance:
            flag = "late"
        out.setdefault(s.cadre, []).append((s.day, s.clock.strftime("%H:%M"), flag))
    return out


def _leaves_of(month: Month, cadre: str) -> tuple:
    """The cadre's leave and trips that touch the month, in order, with their 销假."""
    first = dt.datetime.combine(month.span.month_days[0].date, dt.time(0), month.settings.tz)
    last = dt.datetime.combine(month.span.month_days[-1].date, dt.time(23, 59, 59), month.settings.tz)
    out = []
    for span in sorted(month.facts.leaves.get(cadre, ()), key=lambda span: span.start):
        if span.end < first or span.start > last:
            continue
        cancelled = span.cancel.at if span.cancel is not None and span.cancel.at < span.entry.until else None
        out.append((span.kind, span.start, span.entry.until, cancelled, span.entry.get("approver"), span.entry.id))
    return tuple(out)


def covered_absences(month: Month, cadre: str) -> int:
    """Slots of the month nothing covered or excused, but for those overturned on appeal."""
    return sum(1 for d in month.coverage.cadres[cadre].month_days()
               for state, cleared in zip(d.slots, d.cleared) if state == MISSING and not cleared)


def _cadre_result(month: Month, cadre: model.Cadre, counts, inspections, backfills, voided, made: int,
                  want_days: bool) -> CadreResult:
    covered = month.coverage.cadres[cadre.id]
    quota = month.settings.quota
    weeks = []
    for week, count in zip(month.span.weeks, covered.weeks):
        figures = week_figures(count, quota)
        weeks.append(Week(week.label, figures.available, figures.township_days, figures.nights,
                          figures.village_days, week.monday, week.over, any(info.audited for info in week.days)))
    mine = covered.month_days()
    days: tuple[Day, ...] = ()
    if want_days:
        served = {d.info.date: d for d in mine}
        days = tuple(day_record(served[info.date]) if info.date in served
                     else not_serving(info, not info.audited and cadre.serving_on(info.date))
                     for info in month.span.month_days)
    return CadreResult(
        cadre=cadre.id, name=cadre.name, post=cadre.post, supervisor=cadre.supervisor, team=cadre.team,
        errors=counts[0], warnings=counts[1],
        days=days, weeks=tuple(weeks),
        signins_required=sum(d.required for d in mine),
        signins_made=made,
        signins_valid=sum(d.at_office for d in mine),
        nights=sum(d.night for d in mine), township_days=sum(d.township for d in mine),
        village_days=sum(d.village for d in mine),
        leave_days=sum(1 for d in mine if d.leave_kind is not None and d.info.workday
                       and d.leave_kind != model.TRIP_KIND),
        trip_days=sum(1 for d in mine if d.leave_kind == model.TRIP_KIND and d.info.workday),
        absences=covered_absences(month, cadre.id),
        inspections=tuple(inspections),
        evaluations=dict(month.facts.evaluations.get(cadre.id, {})),
        backfills=tuple(backfills),
        voided=tuple(voided),
        village=cadre.village, since=cadre.since, until=cadre.until,
    )
