"""What an audit finds: plain, frozen data (no Rich), shared with ``publish`` and ``dossier``."""

from __future__ import annotations

import datetime as dt
from typing import Any
import dataclasses
from dataclasses import dataclass, field

from zoudu.model import Problem

# What covers a slot, as Day.slots says it.
OFFICE = "office"
VILLAGE = "village"
LEAVE = "leave"
TRIP = "trip"
MISSING = "missing"
NOT_REQUIRED = "not_required"
SLOT_STATES = (OFFICE, VILLAGE, LEAVE, TRIP, MISSING, NOT_REQUIRED)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule (违规). ``evidence`` cites ``file:line`` of the entries it rests on,
    or, for something absent, says which window was searched."""

    rule: str
    severity: str  # "error" | "warning"
    cadre: str | None
    date: dt.date | None
    slot: str | None
    week: str | None  # "2026-W45"
    required: int | None
    actual: int | None
    message: str
    evidence: tuple[str, ...]
    status: str = "standing"  # "standing" | "appealed" (pending) | "overturned" (counts for nothing)
    trace: tuple[str, ...] = ()  # the appeal and its review (file:line), when contested
    responsible: str | None = None  # for a township-wide finding: whose archive it lands in

    @property
    def counts(self) -> bool:
        """Counted in errors, warnings, liability and the exit status (not overturned on appeal)."""
        return self.status != "overturned"


@dataclass(frozen=True, slots=True)
class Report:
    """A reported breach (举报) and where it stands: only an upheld one while stationed is a violation."""

    id: str
    cadre: str
    rule: str
    at: dt.datetime
    status: str  # "pending" | "upheld" | "dismissed"
    stationed: bool
    where: str
    source: str = ""
    note: str = ""
    review: str | None = None  # the review's file:line


@dataclass(frozen=True, slots=True)
class Day:
    """One cadre's day. ``slots``: slot -> office | village | leave | trip | missing | not_required.

    ``slots`` is read-only: days with the same three states share one dict."""

    date: dt.date
    workday: bool
    holiday: bool
    serving: bool
    slots: dict[str, str]
    village: bool  # a witnessed village entry that day (下村/住村, 民情日记)
    night: bool  # the evening covered by presence (夜宿)
    leave_kind: str | None
    overturned: tuple[str, ...] = ()  # missing slots whose finding was overturned on appeal (counted as covered)
    before_records: bool = False  # serving, but before the day records start (rules.yaml ``records_from``)


@dataclass(frozen=True, slots=True)
class Week:
    """The "543" quota of one ISO week: (required, actual) for days, nights, village days."""

    week: str
    available: int
    township_days: tuple[int, int]
    nights: tuple[int, int]
    village_days: tuple[int, int]
    start: dt.date | None = None  # Monday
    checked: bool = True  # False while the week is not over yet
    recorded: bool = True  # False for a week wholly before records start (rules.yaml ``records_from``)


@dataclass(frozen=True, slots=True)
class CadreResult:
    cadre: str
    name: str
    post: str
    supervisor: str | None
    team: bool
    errors: int
    warnings: int
    days: tuple[Day, ...]
    weeks: tuple[Week, ...]
    signins_required: int  # office sign-ins the rules asked for (slots due, not excused)
    signins_made: int  # office sign-in entries, valid or not (not voided; not a terminal's punch outside the windows)
    signins_valid: int  # due slots covered by a sign-in in the window at the configured place
    nights: int
    township_days: int
    village_days: int
    leave_days: int  # workdays touched by leave (请假)
    trip_days: int  # workdays touched by an official trip (公出)
    absences: int  # required slots left uncovered
    inspections: tuple[tuple[str, bool], ...]  # (evidence where, found present?)
    evaluations: dict[str, str]  # "self" / "peer" / "public" -> 优/良/中/差
    backfills: tuple[tuple[str, str | None, str | None, str], ...]  # (entry id, approver, reason, where)
    voided: tuple[tuple[str, str, str], ...]  # (voided entry id, reason, where of the voided entry)
    village: str | None = None  # assigned village (所包村)
    since: dt.date | None = None
    until: dt.date | None = None
    # every office sign-in of the month as made: (day, "HH:MM", "" | "late" | "void": counted for nothing)
    signins: tuple[tuple[dt.date, str, str], ...] = ()
    # leave and trips touching the month: (kind, start, end as approved, cancelled at (销假) or None, approver, id)
    leaves: tuple[tuple[str, dt.datetime, dt.datetime, dt.datetime | None, str | None, str], ...] = ()
    # the field diary (民情日记) of the month: (day, village, stay?, witness or None, note or None, where)
    diary: tuple[tuple[dt.date, str, bool, str | None, str | None, str], ...] = ()
    late: int = 0  # office sign-ins later than the fixed time plus the tolerance (signin.late, counted)
    uncounted: tuple[str, ...] = ()  # absent findings when nothing was due: kept, not violations (file:line)
    # every evaluation of the month, in order: (self/peer/public, grade, entry id, where); the latest counts
    evaluation_history: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A pattern worth a question (``audit.anomalies``): never a violation, never on the notice,
    never in liability or the exit status. ``evidence`` cites ``file:line`` like a violation's."""

    kind: str  # "witness.concentrated" | "witness.habitual" | "place.too_fast" | "recorded.by_another"
    cadres: tuple[str, ...]
    date: dt.date | None  # None: the month as a whole
    evidence: tuple[str, ...]
    message: str  # a question, not an accusation


@dataclass(frozen=True, slots=True)
class Liability:
    """Joint liability (连带责任) of one leadership team member for the cadres they supervise."""

    supervisor: str
    name: str
    subordinates: dict[str, int]  # cadre id -> commuting violations
    violations: int  # total over subordinates
    own: int  # the supervisor's own commuting violations, shown apart
    names: dict[str, str] = field(default_factory=dict)  # subordinate id -> name, for the table


@dataclass(frozen=True, slots=True)
class AuditResult:
    month: str
    violations: tuple[Violation, ...]
    cadres: tuple[CadreResult, ...]
    liability: tuple[Liability, ...]
    notices: tuple[str, ...]
    entries: int  # ledger entries read
    inspections: int  # spot checks in the month (not voided)
    problems: tuple[Problem, ...]
    township: str = ""
    errors: int = 0
    warnings: int = 0
    calendar_sources: dict[int, str | None] = field(default_factory=dict)
    # The notice that the month's hash chain is broken (also first in ``notices``): the
    # ledger was changed outside zoudu, and nothing above can be trusted.
    untrusted: str | None = None
    rules: str = "rules.yaml"  # the rules text audited under: a sealed month's, kept under ledgers/rules/
    reports: tuple[Report, ...] = ()  # every report of the month, with its status
    unsupervised: tuple[str, ...] = ()  # cadres (not the party secretary) with commuting errors and no supervisor
    anomalies: tuple[Anomaly, ...] = ()  # questions, not verdicts: in nothing above (docs/anomalies.md)

    @property
    def exit_code(self) -> int:
        """0 when no violation is at error level and the ledger's hash chain holds, else 1."""
        return 1 if self.errors or self.untrusted else 0


# --------------------------------------------------------------------- JSON (docs/audit-rules.md#what-the-audit-prints)


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
    """The object of docs/audit-rules.md#what-the-audit-prints, with a few extra fields (notices, counts,
    per-week figures)."""
    return {
        "month": result.month,
        "rules": result.rules,  # the rules text the month was audited under
        "violations": [violation_json(v) for v in result.violations],
        "cadres": [{
            "cadre": c.cadre, "name": c.name, "supervisor": c.supervisor, "errors": c.errors, "warnings": c.warnings,
            "post": c.post, "team": c.team,
            "signins_required": c.signins_required, "signins_made": c.signins_made,
            "signins_valid": c.signins_valid, "absences": c.absences,
            "township_days": c.township_days, "nights": c.nights, "village_days": c.village_days,
            "leave_days": c.leave_days, "trip_days": c.trip_days, "late": c.late,
            "backfills": [{"id": i, "approver": a, "reason": r, "where": w} for i, a, r, w in c.backfills],
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
        "anomalies": [anomaly_json(a) for a in result.anomalies],
    }


def anomaly_json(a: Anomaly) -> dict[str, Any]:
    return {"kind": a.kind, "cadres": list(a.cadres), "date": a.date.isoformat() if a.date else None,
            "evidence": list(a.evidence), "message": a.message}


# ----------------------------------------------------------------------------- one cadre's part


def narrow(result: AuditResult, only: str) -> AuditResult:
    """The result of one cadre: their violations, figures, liability."""
    violations = tuple(v for v in result.violations if v.cadre == only or (v.cadre is None and v.responsible == only))
    errors = sum(1 for v in violations if v.severity == "error" and v.counts)
    return dataclasses.replace(
        result, violations=violations, cadres=tuple(c for c in result.cadres if c.cadre == only),
        # the liability they bear as a supervisor, and their supervisor's for them (连带责任 both ways)
        liability=tuple(row if row.supervisor == only else dataclasses.replace(
            row, subordinates={only: row.subordinates[only]}, violations=row.subordinates[only],
            names={only: row.names.get(only, only)})
            for row in result.liability if row.supervisor == only or only in row.subordinates), errors=errors,
        warnings=sum(1 for v in violations if v.counts) - errors,
        reports=tuple(r for r in result.reports if r.cadre == only),
        unsupervised=tuple(c for c in result.unsupervised if c == only),
        anomalies=tuple(a for a in result.anomalies if only in a.cadres))


def split(result: AuditResult) -> dict[str, AuditResult]:
    """``narrow(result, c)`` for every cadre ``c`` of the result, in one pass over it."""
    mine: dict[str, list[Violation]] = {}
    for v in result.violations:
        owner = v.cadre if v.cadre is not None else v.responsible
        if owner is not None:
            mine.setdefault(owner, []).append(v)
    heads: dict[str, list[Liability]] = {}
    under: dict[str, list[Liability]] = {}
    for row in result.liability:
        heads.setdefault(row.supervisor, []).append(row)
        for sub in row.subordinates:
            under.setdefault(sub, []).append(row)
    reports: dict[str, list] = {}
    for r in result.reports:
        reports.setdefault(r.cadre, []).append(r)
    unsupervised = set(result.unsupervised)
    asked: dict[str, list] = {}
    for a in result.anomalies:
        for cadre in a.cadres:
            asked.setdefault(cadre, []).append(a)
    order = {id(row): i for i, row in enumerate(result.liability)}
    parts = {}
    for c in result.cadres:
        only = c.cadre
        violations = tuple(mine.get(only, ()))
        errors = sum(1 for v in violations if v.severity == "error" and v.counts)
        found = under.get(only, []) + heads.get(only, [])
        rows = sorted({id(row): row for row in found}.values(), key=lambda row: order[id(row)])
        parts[only] = dataclasses.replace(
            result, violations=violations, cadres=(c,),
            liability=tuple(row if row.supervisor == only else dataclasses.replace(
                row, subordinates={only: row.subordinates[only]}, violations=row.subordinates[only],
                names={only: row.names.get(only, only)}) for row in rows),
            errors=errors, warnings=sum(1 for v in violations if v.counts) - errors,
            reports=tuple(reports.get(only, ())), unsupervised=(only,) if only in unsupervised else (),
            anomalies=tuple(asked.get(only, ())))
    return parts
