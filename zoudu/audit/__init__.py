"""``zoudu audit``: a month checked against every rule of the policy (SPEC §4–6).

A pipeline of named stages, each returning a value (like beancount's loader)::

    span     = span_of(...)                      # audit.span: the days and weeks looked at
    sources  = load(...)                         # audit.load: which lines of which files
    facts    = gather(span, ..., sources)        # audit.read + audit.facts: what the lines say
    coverage = cover(span, settings, facts)      # audit.coverage: what covered each slot
    found    = run(Month(...), TABLE)            # audit.rules: one function per rule id
    result   = AuditResult(...)                  # here: liability, per-cadre figures

The result is frozen data (``audit.result``); rendering lives elsewhere.

Public API (``publish`` and ``dossier`` build on it)::

    audit_month(ws, "2026-11", cadre=None) -> AuditResult
    to_json(result) -> dict   # the SPEC §6 object
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from typing import Any

from msgspec import UNSET

from zoudu import model
from zoudu.audit.coverage import cover, day_record, not_serving, week_figures
from zoudu.audit.facts import gather
from zoudu.audit.load import ledger_file, load
from zoudu.audit.result import (
    LEAVE, MISSING, NOT_REQUIRED, OFFICE, SLOT_STATES, TRIP, VILLAGE,
    AuditResult, CadreResult, Day, Liability, Violation, Week,
)
from zoudu.audit.rules import TABLE, Month, Rule, label, run
from zoudu.audit.review import contest, reports, unsupervised
from zoudu.audit.rules.signin import grace, import_limit, is_backfill
from zoudu.audit.span import Span, span_of
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.timeparse import month_days, parse_month
from zoudu.ledger.workspace import Workspace

__all__ = [
    "audit_month", "to_json", "AuditResult", "CadreResult", "Day", "Liability", "Violation", "Week",
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

    ``table`` is the rules to run (default: every rule of SPEC §5). ``days=False`` leaves
    ``CadreResult.days`` empty, for callers that show no calendar (the audit command).
    Raises ZouduError for a malformed month, a month that has not begun, an unknown cadre.
    Problems in the data (damaged lines, a missing file, an unknown year) are notices, not errors.
    """
    # The audit makes a few hundred thousand small objects and no reference cycles:
    # the cyclic collector would only walk them again and again (a quarter of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _audit_month(ws, month, cadre, table, days)
    finally:
        if collecting:
            gc.enable()


def _audit_month(ws: Workspace, month: str, cadre: str | None, table: tuple[Rule, ...],
                 want_days: bool) -> AuditResult:
    month = parse_month(month)
    settings, roster = ws.settings, ws.roster
    now = now_of(ws)
    if month_days(month)[0] > now.date():
        raise ZouduError(_("the month {month} has not begun yet (today is {today})").format(
            month=month, today=now.date().isoformat()))
    only = None
    if cadre is not None:
        from zoudu.ledger.roster import find_cadre

        only = find_cadre(roster, cadre).id

    span = span_of(settings, roster, month, ledger_file(ws, month), now)
    key = _closed_key(ws, span, want_days) if table is TABLE else None
    result = _from_cache(key)
    if result is None:
        result = _audit(ws, span, table, want_days)
        if key is not None:
            from zoudu.ledger import cache

            cache.store("audit", *key, result)
    return _narrow(result, only) if only is not None else result


def _closed_key(ws: Workspace, span: Span, want_days: bool) -> tuple[str, str] | None:
    """The cache key of a closed month's result (every slot and week it checks is over): what
    it was read from (the stamps of every ledger file the audit may open, the settings and
    roster in use), zoudu's code, the holiday library, the language. None: not cached."""
    if not span.over or not all(span.days[-1].due):
        return None
    import msgspec

    from zoudu import i18n
    from zoudu.audit.load import file_stamp
    from zoudu.ledger import cache
    from zoudu.timeparse import shift_month

    if cache._cache_dir() is None:
        return None
    month = span.month
    paths = [ws.ledger_path(shift_month(month, back)) for back in range(-12, 2)]
    # the settings and roster the audit uses, as values (not the files, which may have changed since)
    try:
        used = [msgspec.msgpack.encode(ws.settings), msgspec.msgpack.encode(ws.roster.cadres),
                msgspec.msgpack.encode(ws.roster.changes)]  # the dated log: who supervised whom, when
    except (TypeError, ValueError, OverflowError):  # a number msgpack cannot hold: not cached
        return None
    parts = [file_stamp(p) for p in paths] + [*used, _library_stamp(), i18n.current().encode(),
                                              str(want_days).encode(),
                                              str(ws.root.resolve()).encode()]
    return cache.key_of("audit", month, parts)


def _library_stamp() -> bytes:
    import importlib.util

    spec = importlib.util.find_spec("chinese_calendar")
    if spec is None or spec.origin is None:
        return b"-"
    import os

    st = os.stat(spec.origin)
    return f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}".encode()


def _from_cache(key: tuple[str, str] | None) -> AuditResult | None:
    if key is None:
        return None
    from zoudu.ledger import cache

    return cache.load("audit", *key, AuditResult)


def _narrow(result: AuditResult, only: str) -> AuditResult:
    """The result of one cadre: their violations, figures, liability."""
    import dataclasses

    violations = tuple(v for v in result.violations if v.cadre == only or (v.cadre is None and v.responsible == only))
    errors = sum(1 for v in violations if v.severity == "error" and v.counts)
    return dataclasses.replace(
        result, violations=violations, cadres=tuple(c for c in result.cadres if c.cadre == only),
        liability=tuple(row for row in result.liability if row.supervisor == only), errors=errors,
        warnings=sum(1 for v in violations if v.counts) - errors,
        reports=tuple(r for r in result.reports if r.cadre == only),
        unsupervised=tuple(c for c in result.unsupervised if c == only))


def _audit(ws: Workspace, span: Span, table: tuple[Rule, ...], want_days: bool) -> AuditResult:
    """The stages, in order, over the whole roster."""
    settings, roster, now, month = ws.settings, ws.roster, span.now, span.month
    loaded = load(ws, month, span.days[0].date, span.days[-1].date)
    facts = gather(span, settings, roster, loaded.sources)
    coverage = cover(span, settings, facts)
    month_view = Month(settings, roster, span, facts, coverage)
    violations = contest(settings, roster, facts, run(month_view, table))

    notices = list(loaded.notices) + span.calendar.notices() + list(facts.notices)
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
    if not span.over:
        notices.append(_("the month is not over: only sign-ins due by {now} are checked, and only weeks "
                         "that have ended").format(now=now.strftime("%Y-%m-%d %H:%M")))

    order = {c.id: i for i, c in enumerate(roster.cadres)}
    slot_order = {name: i for i, name in enumerate(model.SLOTS)}

    def sort_key(v: Violation) -> tuple:
        # a week's shortfall follows that week's daily findings
        when = v.date or (_week_sunday(v.week) if v.week else dt.date.max)
        return (order.get(v.cadre, len(order)) if v.cadre else len(order), when, v.week or "",
                slot_order.get(v.slot or "", 3), v.rule)

    violations.sort(key=sort_key)
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
        reports=reports(month_view),
        unsupervised=alone,
    )


def _week_sunday(label: str) -> dt.date:
    year, week = label.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 7)


def _liability(settings, roster: model.Roster, violations: list[Violation]) -> list[Liability]:
    """连带责任: each supervisor answers for their cadres' commuting violations."""
    counted = set(settings.liability_rules)
    by_id = roster.by_id
    answers: dict[str, dict[str, int]] = {}
    own: dict[str, int] = {}
    for v in violations:
        if v.rule not in counted or v.cadre is None or v.cadre not in by_id or not v.counts:
            continue
        own[v.cadre] = own.get(v.cadre, 0) + 1
        supervisor = by_id[v.cadre].supervisor
        if supervisor:
            subs = answers.setdefault(supervisor, {})
            subs[v.cadre] = subs.get(v.cadre, 0) + 1
    rows = []
    for c in roster.cadres:
        if c.id in answers:
            subs = answers[c.id]
            rows.append(Liability(c.id, c.name, subs, sum(subs.values()), own.get(c.id, 0)))
    return rows


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
    allowed, imported_within = grace(month), import_limit(month)
    for s in facts.signins:
        if s.in_month:
            made[s.cadre] = made.get(s.cadre, 0) + 1
            if is_backfill(s, allowed, imported_within) or s.approver:
                backfills.setdefault(s.cadre, []).append((s.entry.id, s.approver, s.entry.get("reason"),
                                                          s.entry.where))
    from zoudu.audit.rules.inspection import due_at

    late: dict[str, int] = {}
    for v in violations:
        if v.rule == "signin.late" and v.cadre is not None and v.counts:
            late[v.cadre] = late.get(v.cadre, 0) + 1
    uncounted: dict[str, list[str]] = {}
    for e in facts.inspections:
        for cid in e.get("absent") or ():
            on_leave = any(span.start <= e.at <= span.end for span in facts.leaves.get(cid, ()))
            if cid in month.roster.by_id and not on_leave and due_at(month, cid, e.at) is None:
                uncounted.setdefault(cid, []).append(e.where)
    history: dict[str, tuple[tuple[str, str, str, str], ...]] = {
        cid: tuple((key, str(line.get(key)), line.id, line.where) for line in lines
                   for key in ("self", "peer", "public") if line.get(key))
        for cid, lines in facts.evaluation_history.items()}
    voided: dict[str | None, list[tuple[str, str, str]]] = {}
    for e, void in facts.voided:
        reason = void.reason if void.reason is not UNSET else ""
        voided.setdefault(e.cadre, []).append((e.id, str(reason), e.where))
    return [dataclasses.replace(
        _cadre_result(month, c, counts.get(c.id, (0, 0)), inspections.get(c.id, ()), backfills.get(c.id, ()),
                      voided.get(c.id, ()), made.get(c.id, 0), want_days),
        late=late.get(c.id, 0), uncounted=tuple(uncounted.get(c.id, ())), evaluation_history=history.get(c.id, ()))
        for c in month.span.cadres]


def _cadre_result(month: Month, cadre: model.Cadre, counts, inspections, backfills, voided, made: int,
                  want_days: bool) -> CadreResult:
    covered = month.coverage.cadres[cadre.id]
    quota = month.settings.quota
    weeks = []
    for week, count in zip(month.span.weeks, covered.weeks):
        figures = week_figures(count, quota)
        weeks.append(Week(week.label, figures.available, figures.township_days, figures.nights,
                          figures.village_days, week.monday, week.over))
    mine = covered.month_days()
    days: tuple[Day, ...] = ()
    if want_days:
        served = {d.info.date: d for d in mine}
        days = tuple(day_record(served[info.date]) if info.date in served else not_serving(info)
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
        absences=sum(d.slots.count(MISSING) for d in mine),
        inspections=tuple(inspections),
        evaluations=dict(month.facts.evaluations.get(cadre.id, {})),
        backfills=tuple(backfills),
        voided=tuple(voided),
        village=cadre.village, since=cadre.since, until=cadre.until,
    )


# ----------------------------------------------------------------------------- JSON (SPEC §6)


def violation_json(v: Violation) -> dict[str, Any]:
    return {
        "cadre": v.cadre, "rule": v.rule, "severity": v.severity,
        "date": v.date.isoformat() if v.date else None, "slot": v.slot, "week": v.week,
        "required": v.required, "actual": v.actual, "message": v.message, "evidence": list(v.evidence),
        "status": v.status, "trace": list(v.trace), "responsible": v.responsible,
    }


def _evaluations_json(history: tuple[tuple[str, str, str, str], ...]) -> list[dict[str, Any]]:
    """Every evaluation of the month, in order; ``latest`` marks the one of each kind that counts."""
    last = {kind: i for i, (kind, *_rest) in enumerate(history)}
    return [{"kind": kind, "grade": grade, "id": eid, "evidence": where, "latest": last[kind] == i}
            for i, (kind, grade, eid, where) in enumerate(history)]


def to_json(result: AuditResult) -> dict[str, Any]:
    """The SPEC §6 object, with a few extra fields (notices, counts, per-week figures)."""
    return {
        "month": result.month,
        "violations": [violation_json(v) for v in result.violations],
        "cadres": [{
            "cadre": c.cadre, "name": c.name, "supervisor": c.supervisor, "errors": c.errors, "warnings": c.warnings,
            "post": c.post, "team": c.team,
            "signins_required": c.signins_required, "signins_made": c.signins_made,
            "signins_valid": c.signins_valid, "absences": c.absences,
            "township_days": c.township_days, "nights": c.nights, "village_days": c.village_days,
            "leave_days": c.leave_days, "trip_days": c.trip_days, "late": c.late,
            "uncounted_findings": list(c.uncounted),
            "evaluations": _evaluations_json(c.evaluation_history),
            "weeks": [{"week": w.week, "available": w.available, "township_days": list(w.township_days),
                       "nights": list(w.nights), "village_days": list(w.village_days), "checked": w.checked}
                      for w in c.weeks],
        } for c in result.cadres],
        "liability": [{"supervisor": row.supervisor, "name": row.name, "subordinates": dict(row.subordinates),
                       "violations": row.violations, "own": row.own} for row in result.liability],
        "notices": list(result.notices),
        "untrusted": result.untrusted is not None,  # the ledger's hash chain is broken: see notices
        "entries": result.entries,
        "inspections": result.inspections,
        "errors": result.errors,
        "warnings": result.warnings,
        "problems": [{"where": p.where, "message": p.message} for p in result.problems],
        "reports": [{"id": r.id, "cadre": r.cadre, "rule": r.rule, "at": r.at.isoformat(), "status": r.status,
                     "stationed": r.stationed, "evidence": [r.where, *([r.review] if r.review else [])]}
                    for r in result.reports],
        "unsupervised": list(result.unsupervised),
    }
