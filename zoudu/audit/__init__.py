"""``zoudu audit``: a month checked against every rule of the policy (SPEC §4–6).

A pipeline of stages over plain data, like beancount's loader:
load (``audit.load``) → classify entries and cover the days (``audit.engine``) →
run the registered rules (``audit.rules``) → liability and per-cadre results (here).
The result is frozen data (``audit.result``); rendering lives elsewhere.

Public API (``publish`` and ``dossier`` build on it)::

    audit_month(ws, "2026-11", cadre=None) -> AuditResult
    to_json(result) -> dict   # the SPEC §6 object
"""

from __future__ import annotations

import datetime as dt
import gc
from typing import Any

from zoudu import model
from zoudu.audit.engine import Context, audited_span, cover_days, day_infos, weeks_of
from zoudu.audit.entries import classify
from zoudu.audit.load import ledger_file, load
from zoudu.audit.result import (
    LEAVE, MISSING, NOT_REQUIRED, OFFICE, SLOT_STATES, TRIP, VILLAGE,
    AuditResult, CadreResult, Day, Liability, Violation, Week,
)
from zoudu.audit.rules import REGISTRY, label, run_rules
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.timeparse import month_days, parse_month
from zoudu.audit.workdays import Calendar
from zoudu.ledger.workspace import Workspace

__all__ = [
    "audit_month", "to_json", "AuditResult", "CadreResult", "Day", "Liability", "Violation", "Week",
    "REGISTRY", "label", "SLOT_STATES", "OFFICE", "VILLAGE", "LEAVE", "TRIP", "MISSING", "NOT_REQUIRED",
]


def now_of(ws: Workspace) -> dt.datetime:
    """The workspace clock if it has one (tests, the demo generator), else the wall clock."""
    tz = ws.settings.tz
    moment = ws.clock() if ws.clock else dt.datetime.now(tz)
    return moment.astimezone(tz)


def audit_month(ws: Workspace, month: str, cadre: str | None = None, *,
                registry: tuple = REGISTRY, days: bool = True) -> AuditResult:
    """Audit ``month`` (``YYYY-MM``); ``cadre`` (an id or unique name) narrows the result to one cadre.

    ``registry`` is the rules to run (default: every rule of SPEC §5). ``days=False`` leaves
    ``CadreResult.days`` empty, for callers that show no calendar (the audit command).
    Raises ZouduError for a malformed month, a month that has not begun, an unknown cadre.
    Problems in the data (damaged lines, a missing file, an unknown year) are notices, not errors.
    """
    # The audit makes a few hundred thousand small objects and no reference cycles:
    # the cyclic collector would only walk them again and again (a quarter of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _audit_month(ws, month, cadre, registry, days)
    finally:
        if collecting:
            gc.enable()


def _audit_month(ws: Workspace, month: str, cadre: str | None, registry: tuple, want_days: bool) -> AuditResult:
    month = parse_month(month)
    settings, roster = ws.settings, ws.roster
    now = now_of(ws)
    days = month_days(month)
    if days[0] > now.date():
        raise ZouduError(_("the month {month} has not begun yet (today is {today})").format(
            month=month, today=now.date().isoformat()))
    only = None
    if cadre is not None:
        from zoudu.ledger.roster import find_cadre

        only = find_cadre(roster, cadre).id

    ctx = new_context(ws, month, now)
    month_infos, serving = ctx.month_days, ctx.cadres
    loaded = load(ws, month, ctx.days[0].date, ctx.days[-1].date)
    classify(ctx, loaded)
    cover_days(ctx, want_days)
    violations = run_rules(ctx, registry)

    notices = list(loaded.notices) + ctx.calendar.notices() + ctx.notices
    untrusted = None
    problems = list(loaded.problems)
    if loaded.chain is not None and loaded.chain.where is not None:
        # Said first and loudest: the lines the audit read may not be the lines that were recorded.
        untrusted = _("{where}: the hash chain of the ledger is broken here: this line, or one before it, was "
                      "edited, added, removed or moved outside zoudu, so this audit cannot be trusted. "
                      "Run 'zoudu verify'").format(where=loaded.chain.where)
        notices.insert(0, untrusted)
        problems.append(model.Problem(loaded.chain.shown, loaded.chain.first_break, _(
            "hash chain broken: this line was edited, or a line before it was removed, added or moved"), "chain"))
    if loaded.problems:
        notices.append(_("{n} damaged ledger line(s) were skipped (first: {where}: {message}); run 'zoudu verify'"
                         ).format(n=len(loaded.problems), where=loaded.problems[0].where,
                                  message=loaded.problems[0].message))
    if not all(month_infos[-1].due):
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
    liability = _liability(ctx, violations)
    cadres = _cadre_results(ctx, serving, violations)

    if only is not None:
        violations = [v for v in violations if v.cadre == only]
        cadres = [c for c in cadres if c.cadre == only]
        liability = [row for row in liability if row.supervisor == only]
    errors = sum(1 for v in violations if v.severity == "error")
    return AuditResult(
        month=month,
        violations=tuple(violations),
        cadres=tuple(cadres),
        liability=tuple(liability),
        notices=tuple(notices),
        entries=loaded.read,
        inspections=len(ctx.inspections),
        problems=tuple(problems),
        township=settings.township,
        errors=errors,
        warnings=len(violations) - errors,
        calendar_sources={year: ctx.calendar.source(year)
                          for year in sorted({ctx.days[0].date.year, ctx.days[-1].date.year})},
        untrusted=untrusted,
    )


def new_context(ws: Workspace, month: str, now: dt.datetime) -> Context:
    """The Context of ``month``'s audit before any line is read: its days (the month widened to
    the ISO weeks whose Thursday it holds), weeks, calendar, and the cadres serving on some day."""
    settings, roster = ws.settings, ws.roster
    days = month_days(month)
    calendar = Calendar(settings.calendar)
    start, end = audited_span(days)
    infos = day_infos(settings, calendar, days, start, end, now)
    serving = [c for c in roster.cadres
               if (c.since is None or c.since <= end) and (c.until is None or start <= c.until)]
    return Context(settings, calendar, roster, month, ledger_file(ws, month), infos,
                   [info for info in infos if info.in_month], weeks_of(infos, days, now), now, serving)


def _week_sunday(label: str) -> dt.date:
    year, week = label.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 7)


def _liability(ctx: Context, violations: list[Violation]) -> list[Liability]:
    """连带责任: each supervisor answers for their cadres' commuting violations."""
    counted = set(ctx.settings.liability_rules)
    by_id = ctx.roster.by_id
    answers: dict[str, dict[str, int]] = {}
    own: dict[str, int] = {}
    for v in violations:
        if v.rule not in counted or v.cadre is None or v.cadre not in by_id:
            continue
        own[v.cadre] = own.get(v.cadre, 0) + 1
        supervisor = by_id[v.cadre].supervisor
        if supervisor:
            subs = answers.setdefault(supervisor, {})
            subs[v.cadre] = subs.get(v.cadre, 0) + 1
    rows = []
    for c in ctx.roster.cadres:
        if c.id in answers:
            subs = answers[c.id]
            rows.append(Liability(c.id, c.name, subs, sum(subs.values()), own.get(c.id, 0)))
    return rows


def _cadre_results(ctx: Context, serving: list[model.Cadre], violations: list[Violation]) -> list[CadreResult]:
    """Each cadre's month; what belongs to a cadre is grouped once, not searched per cadre."""
    counts: dict[str, list[int]] = {}
    for v in violations:
        if v.cadre is not None:
            pair = counts.setdefault(v.cadre, [0, 0])
            pair[v.severity != "error"] += 1
    inspections: dict[str, list[tuple[str, bool]]] = {}
    for e in ctx.inspections:
        for cid in e.data.get("present") or ():
            inspections.setdefault(cid, []).append((e.where, True))
        for cid in e.data.get("absent") or ():
            inspections.setdefault(cid, []).append((e.where, False))
    backfills: dict[str, list[tuple[str, str | None, str | None, str]]] = {}
    for e in ctx.backfills:
        backfills.setdefault(e.cadre, []).append((e.id, e.data.get("approver"), e.data.get("reason"), e.where))
    voided: dict[str | None, list[tuple[str, str, str]]] = {}
    for e, void in ctx.voided:
        voided.setdefault(e.cadre, []).append((e.id, str(void.data.get("reason", "")), e.where))
    return [_cadre_result(ctx, c, counts.get(c.id, (0, 0)), inspections.get(c.id, ()), backfills.get(c.id, ()),
                          voided.get(c.id, ())) for c in serving]


def _cadre_result(ctx: Context, cadre: model.Cadre, counts, inspections, backfills, voided) -> CadreResult:
    cid = cadre.id
    found = ctx.by_cadre[cid]
    township, nights, village, leave_days, trip_days = found.month
    days = found.days
    weeks = [Week(week.label, available, t, n, v, week.monday, week.over)
             for week, (available, t, n, v) in zip(ctx.weeks, ctx.figures[cid])]
    return CadreResult(
        cadre=cid, name=cadre.name, post=cadre.post, supervisor=cadre.supervisor, team=cadre.team,
        errors=counts[0], warnings=counts[1],
        days=tuple(days), weeks=tuple(weeks),
        signins_required=found.required_slots,
        signins_made=ctx.checkins_made.get(cid, 0),
        signins_valid=found.office_slots,
        nights=nights, township_days=township, village_days=village,
        leave_days=leave_days, trip_days=trip_days,
        absences=len(found.missing) + len(found.study_missed),
        inspections=tuple(inspections),
        evaluations=dict(ctx.evaluations.get(cid, {})),
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
    }


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
            "leave_days": c.leave_days, "trip_days": c.trip_days,
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
    }
