"""Stage 5 of the audit, *review*: what the discipline group and the appeals decided
(docs/audit-rules.md#the-policy-cross-checked).

``contest`` marks each violation a cadre appealed, as ``audit.appeals`` decides it:
``appealed`` while the appeal is pending, ``overturned`` when the review overturned it (it
then counts for nothing, but stays visible with the appeal and the review cited),
``standing`` when upheld. ``reports`` lists
every report of the month with its status; ``unsupervised`` names the cadres whose
commuting errors no supervisor answers for.
"""

from __future__ import annotations

import dataclasses

from zoudu.audit.appeals import Rulings
from zoudu.audit.result import Report, Violation
from zoudu.audit.rules import Month
from zoudu.audit.rules.conduct import stationed, status
from zoudu.ledger.settings import Settings
from zoudu.model import Roster


def contest(settings: Settings, roster: Roster, rulings: Rulings, violations: list[Violation]) -> list[Violation]:
    """Each violation with what its appeal decided (``audit.appeals``: its status, the appeal and its
    review cited), and township-wide findings with whose archive they land in."""
    leader = next(iter(settings.inspectors(roster)), None)
    out = []
    for v in violations:
        if v.cadre is None and leader is not None:
            v = dataclasses.replace(v, responsible=leader)
        appeal = rulings.appeal(v.cadre, v.rule, v.date, v.slot, v.week)
        if appeal is not None:
            decision = rulings.review(appeal)
            trace = (appeal.where,) + ((decision.where,) if decision is not None else ())
            v = dataclasses.replace(v, status=rulings.status(appeal), trace=trace)
        out.append(v)
    return out


def reports(month: Month) -> tuple[Report, ...]:
    """Every report of the month: its status and whether it fell while the cadre was stationed."""
    from zoudu.audit.rules.conduct import witnessed

    found = []
    index = witnessed(month) if month.facts.reports else {}
    for e in month.facts.reports:
        if e.cadre is None:
            continue
        review = month.facts.decisions.get(e.id)
        found.append(Report(e.id, str(e.cadre), str(e.get("rule")), e.at, status(month, e),
                            stationed(month, str(e.cadre), e.at, index), e.where, str(e.get("source") or ""),
                            str(e.get("note") or ""), review.where if review is not None else None))
    return tuple(found)


def unsupervised(settings: Settings, roster: Roster, violations: list[Violation]) -> tuple[str, ...]:
    """Cadres with counted commuting errors whom nobody answers for: no supervisor, and not on the
    leadership team (a team member without one answers to the party secretary, who answers to nobody)."""
    from zoudu.ledger.approvals import secretary

    counted = set(settings.liability_rules)
    head = secretary(settings, roster)
    found: dict[str, None] = {}
    for v in violations:
        cadre = roster.get(v.cadre) if v.cadre else None
        if (cadre is not None and v.counts and v.severity == "error" and v.rule in counted
                and not cadre.supervisor and (head is None or cadre.id != head.id)
                and not (cadre.team and head is not None)):
            found[cadre.id] = None
    return tuple(found)
