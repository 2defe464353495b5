"""A cadre's archive (干部住乡工作情况档案) across months, from the monthly audits.

Per month: the notice figures, violations by rule, the three evaluations, the
joint liability (连带责任) the cadre bears as a supervisor, voided entries with
their reasons and backfilled sign-ins with their approvers. Plain data; the
terminal rendering is in ``zoudu.render.dossier``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

from zoudu.errors import DamagedLedger, ZouduError
from zoudu.i18n import _
from zoudu.publish.sheet import FIGURES, build_row
from zoudu.ledger.roster import find_cadre
from zoudu.timeparse import month_days, months_between, parse_month
from zoudu.ledger.workspace import Workspace

FIGURE_KEYS = tuple(key for key, _label in FIGURES)


@dataclass(frozen=True, slots=True)
class MonthRecord:
    """One month of one cadre's archive."""

    month: str
    figures: dict[str, int]  # FIGURE_KEYS -> value, as on the notice
    errors: int
    warnings: int
    violations: dict[str, int]  # rule -> count
    evaluations: dict[str, str]
    liability: dict[str, int]  # subordinate id -> commuting violations they answer for (连带责任)
    liable: int  # the total of ``liability``
    voided: tuple[tuple[str, str, str], ...]  # (entry id, reason, where)
    backfills: tuple[tuple[str, str | None, str | None, str], ...]  # (entry id, approver, reason, where)
    weeks: tuple = ()  # audit Weeks: the "543" of each week audited in the month
    findings: tuple[Finding, ...] = ()
    leaves: tuple[LeaveRecord, ...] = ()
    diary: tuple[tuple[str, str, bool, str | None, str | None, str], ...] = ()  # (day, village, stay, witness, note, where)
    notices: tuple[tuple[str, str, str, str | None, str | None], ...] = ()  # (publication id, date, format, seal id, code)
    # reports against the cadre (群众举报), whatever their status: (id, rule, time, status, stationed, where)
    reports: tuple[tuple[str, str, str, str, bool, str], ...] = ()
    evaluation_history: tuple[tuple[str, str, str, str], ...] = ()  # every evaluation: (kind, grade, id, where)
    uncounted: tuple[str, ...] = ()  # spot checks that found the cadre absent when nothing was due (file:line)
    # questions the audit asks about the cadre, never violations: (kind, cadres, date or None, evidence, message)
    anomalies: tuple[tuple[str, tuple[str, ...], str | None, tuple[str, ...], str], ...] = ()


class Finding(NamedTuple):
    """One violation of the cadre, as the archive keeps it."""

    rule: str
    severity: str
    date: str | None
    slot: str | None
    week: str | None
    message: str
    evidence: tuple[str, ...]
    status: str  # standing | appealed | overturned


class LeaveRecord(NamedTuple):
    """A leave or trip: its kind, span as approved, who approved it (name), its 销假 if any."""

    id: str
    kind: str
    start: str
    end: str
    approver: str | None
    approver_name: str
    cancelled: str | None


@dataclass(frozen=True, slots=True)
class Dossier:
    cadre: str
    name: str
    post: str
    team: bool
    supervisor: str | None
    village: str | None
    start: str
    end: str
    months: tuple[MonthRecord, ...]
    subordinates: dict[str, str]  # id -> name, of everyone named in ``liability``
    supervisor_name: str = ""
    missing: tuple[str, ...] = ()  # months of the asked range that have no ledger file

    @property
    def totals(self) -> dict[str, Any]:
        figures = {key: sum(m.figures[key] for m in self.months) for key in FIGURE_KEYS}
        rules: Counter[str] = Counter()
        for m in self.months:
            rules.update(m.violations)
        return {
            **figures,
            "errors": sum(m.errors for m in self.months),
            "warnings": sum(m.warnings for m in self.months),
            "violations": dict(sorted(rules.items())),
            "liable": sum(m.liable for m in self.months),
            "voided": sum(len(m.voided) for m in self.months),
            "backfills": sum(len(m.backfills) for m in self.months),
        }


def dossier(ws: Workspace, token: str, start: str | None = None, end: str | None = None,
            progress: Callable[[int, int], None] | None = None,
            audit: Callable[..., Any] | None = None) -> Dossier:
    """The archive of one cadre (id or unique name) over the months from ``start`` to ``end``.

    Without bounds, every month that has a ledger. Bad months, an unknown cadre
    and a range in which the cadre has no record raise ZouduError. ``progress(done, total)``
    is told of each month audited. ``audit`` is ``audit_month`` (``zoudu.audit``'s by default; the
    command gives ``zoudu.memo.stages``', which reads a closed month's part of each cadre kept apart).
    """
    if audit is None:
        from zoudu.audit import audit_month as audit

    start = parse_month(start) if start else None
    end = parse_month(end) if end else None
    if start and end and start > end:
        raise ZouduError(_("--from {start} is after --to {end}").format(start=start, end=end))
    cadre = find_cadre(ws.roster, token)
    now = ws.clock() if ws.clock else dt.datetime.now(ws.settings.tz)
    this_month = now.astimezone(ws.settings.tz).strftime("%Y-%m")
    months = [m for m in ws.months()
              if (start is None or m >= start) and (end is None or m <= end) and m <= this_month]
    first, last = start or (months[0] if months else "…"), end or (months[-1] if months else "…")
    if not months:
        raise ZouduError(_("no ledger between {start} and {end}: nothing to put in the archive").format(
            start=first, end=last))
    records = []
    names: dict[str, str] = {}
    published = _publications(ws)
    for done, month in enumerate(months):
        if progress is not None:
            progress(done, len(months))
        days = month_days(month)
        if not cadre.serving_between(days[0], days[-1]):
            continue
        # the cadre's part only, figures without a calendar (a closed month's comes from its per-cadre copy)
        result = audit(ws, month, cadre.id, days=False)
        if result.untrusted:
            # The archive is where liability is written down: never from an edited ledger.
            raise DamagedLedger(_("the archive cannot be compiled from a ledger that does not verify: {problem}").format(
                problem=result.untrusted))
        record = _month_record(ws, cadre.id, month, result, published.get(month, ()), names)
        if record is not None:
            records.append(record)
    if progress is not None:
        progress(len(months), len(months))
    asked = months_between(start, end) if start and end else []
    missing = tuple(m for m in asked if m not in months and m <= this_month)
    if not records:
        raise ZouduError(_("{name} ({id}) has no record between {start} and {end}: not on the roster in "
                           "any month that has a ledger").format(name=cadre.name, id=cadre.id, start=first, end=last))
    boss = ws.roster.get(cadre.supervisor) if cadre.supervisor else None
    return Dossier(cadre.id, cadre.name, cadre.post, cadre.team, cadre.supervisor, cadre.village,
                   records[0].month, records[-1].month, tuple(records), names, boss.name if boss else "",
                   missing)


def _month_record(ws: Workspace, cadre: str, month: str, result, notices, names: dict[str, str]) -> MonthRecord | None:
    """The cadre's month in the archive, from the month's audit ``result`` narrowed to them (None: not
    in it) and the notices it was published in; the names of the cadres they answer for go to ``names``."""
    mine = next((c for c in result.cadres if c.cadre == cadre), None)
    if mine is None:
        return None
    mine_all = [v for v in result.violations if v.cadre == cadre]
    own = [v for v in mine_all if v.counts]  # the figures: not what was overturned on appeal
    row = build_row(mine, mine_all)  # as on the notice: it leaves out what was overturned, checks included
    liability = next((row_ for row_ in result.liability if row_.supervisor == cadre), None)
    subs = dict(liability.subordinates) if liability else {}
    for sub in subs:
        found = ws.roster.get(sub)
        names[sub] = found.name if found else sub
    return MonthRecord(
        month=month, figures={key: getattr(row, key) for key in FIGURE_KEYS},
        errors=mine.errors, warnings=mine.warnings, violations=dict(sorted(Counter(v.rule for v in own).items())),
        evaluations=dict(mine.evaluations), liability=subs, liable=liability.violations if liability else 0,
        voided=tuple(mine.voided), backfills=tuple(mine.backfills),
        weeks=tuple(w for w in mine.weeks if w.checked),
        findings=tuple(Finding(v.rule, v.severity, v.date.isoformat() if v.date else None, v.slot, v.week,
                               v.message, tuple(v.evidence) + tuple(v.trace), v.status) for v in mine_all),
        leaves=tuple(LeaveRecord(ident, kind, _when(start), _when(end), approver, _name(ws, approver),
                                 _when(cancelled) if cancelled else None)
                     for kind, start, end, cancelled, approver, ident in mine.leaves),
        diary=tuple((day.isoformat(), village, stay, witness, note, where)
                    for day, village, stay, witness, note, where in mine.diary),
        notices=tuple(notices),
        reports=tuple((r.id, r.rule, _when(r.at.astimezone(ws.settings.tz)), r.status, r.stationed, r.where)
                      for r in result.reports if r.cadre == cadre),
        evaluation_history=tuple(mine.evaluation_history), uncounted=tuple(mine.uncounted),
        anomalies=tuple((a.kind, tuple(a.cadres), a.date.isoformat() if a.date else None, tuple(a.evidence),
                         a.message) for a in result.anomalies if cadre in a.cadres),
    )


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _name(ws: Workspace, cadre_id: str | None) -> str:
    found = ws.roster.get(cadre_id) if cadre_id else None
    return found.name if found else (cadre_id or "")


def _publications(ws: Workspace) -> dict[str, list[tuple[str, str, str, str | None, str | None]]]:
    """Each month's notices as published (recorded by ``publish``), with the seal they carried."""
    from zoudu import model
    from zoudu.ledger.seals import seal_entries

    out: dict[str, list[tuple[str, str, str, str | None, str | None]]] = {}
    for e in seal_entries(ws, (model.PUBLICATION,)):
        data = e.data
        out.setdefault(str(data.get("month")), []).append(
            (e.id, str(data.get("date")), str(data.get("format")), data.get("seal"), data.get("code")))
    return out


def to_json(d: Dossier) -> dict[str, Any]:
    return {
        "cadre": d.cadre, "name": d.name, "post": d.post, "team": d.team, "supervisor": d.supervisor,
        "supervisor_name": d.supervisor_name or None,
        "village": d.village, "from": d.start, "to": d.end,
        "months": [{
            "month": m.month, **m.figures, "errors": m.errors, "warnings": m.warnings,
            "violations": m.violations, "evaluations": m.evaluations,
            "liability": {"subordinates": m.liability, "violations": m.liable} if m.liability else None,
            "voided": [{"id": i, "reason": r, "where": w} for i, r, w in m.voided],
            "backfills": [{"id": i, "approver": a, "reason": r, "where": w} for i, a, r, w in m.backfills],
            "weeks": [{"week": w.week, "available": w.available, "township_days": list(w.township_days),
                       "nights": list(w.nights), "village_days": list(w.village_days)} for w in m.weeks],
            "findings": [f._asdict() | {"evidence": list(f.evidence)} for f in m.findings],
            "leaves": [r._asdict() for r in m.leaves],
            "diary": [{"date": day, "village": village, "stay": stay, "witness": witness, "note": note,
                       "where": where} for day, village, stay, witness, note, where in m.diary],
            "notices": [{"id": i, "date": date, "format": fmt, "seal": seal, "code": code}
                        for i, date, fmt, seal, code in m.notices],
            "reports": [{"id": i, "rule": rule, "at": at, "status": status, "stationed": stationed, "where": where}
                        for i, rule, at, status, stationed, where in m.reports],
            "evaluation_history": [{"kind": kind, "grade": grade, "id": i, "where": where}
                                   for kind, grade, i, where in m.evaluation_history],
            "uncounted_findings": list(m.uncounted),
            "anomalies": [{"kind": kind, "cadres": list(cadres), "date": date, "evidence": list(evidence),
                           "message": message} for kind, cadres, date, evidence, message in m.anomalies],
        } for m in d.months],
        "totals": d.totals,
        "missing_months": list(d.missing),
    }
