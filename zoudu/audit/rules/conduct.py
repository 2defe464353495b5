"""Village-stay discipline (五不准): reported breaches."""

from __future__ import annotations

import datetime as dt

from zoudu.audit.coverage import visit_span
from zoudu.audit.dated import RosterByDay
from zoudu.audit.facts import Visit
from zoudu.ledger.lines.typed import Line
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, hm
from zoudu.i18n import _
from zoudu.rulebook import label


def witnessed(month: Month) -> dict[str, list[Visit]]:
    """Each cadre's witnessed village entries, found once for every report."""
    out: dict[str, list[Visit]] = {}
    for v in month.facts.visits:
        if v.witness:
            out.setdefault(v.cadre, []).append(v)
    return out


def stationed(month: Month, cadre: str, moment: dt.datetime, index: dict[str, list[Visit]] | None = None) -> bool:
    """Stationed (驻村) at ``moment``: assigned to a village that day (``assigned``), or with a witnessed
    village entry or stay that day, or the witnessed stay of the night before while it lasts."""
    return assigned(month, cadre, moment) or _diarised(month, cadre, moment, index)


def assigned(month: Month, cadre: str, moment: dt.datetime) -> bool:
    """Stationed by assignment: a workday or duty day the cadre serves with an assigned
    village, not on leave or a trip at ``moment``, and not in the Friday study afternoon."""
    local = month.local(moment)
    info = next((d for d in month.span.days if d.date == local.date()), None)
    if info is None or not info.audited:
        return False
    if not info.workday and not any(month.facts.duties.get(cadre, {}).get(info.date, ())):
        return False
    stood = RosterByDay(month.roster).cadre(cadre, info.date)
    if stood is None or not stood.village or not stood.serving_on(info.date):
        return False
    if any(span.holds(moment) for span in month.facts.leaves.get(cadre, ())):
        return False
    slots = month.settings.slots
    clock = local.time().replace(tzinfo=None)
    return not (info.study and slots["afternoon"].start <= clock < slots["evening"].start)


def _diarised(month: Month, cadre: str, moment: dt.datetime, index: dict[str, list[Visit]] | None) -> bool:
    """A witnessed village entry or stay that day, or the witnessed stay of the night before while it
    lasts (to the end of the morning window)."""
    day = month.local(moment).date()
    for v in (index if index is not None else witnessed(month)).get(cadre, ()):
        if v.day == day:
            return True
        if v.stay and v.day == day - dt.timedelta(days=1):
            start, end = visit_span(month.settings, v)
            if start <= moment <= end:
                return True
    return False


def status(month: Month, report: Line) -> str:
    """``pending``, ``upheld`` or ``dismissed``: the latest review of the report (查处)."""
    decision = month.facts.decisions.get(report.id)
    return str(decision.get("decision")) if decision is not None and decision.get("decision") in (
        "upheld", "dismissed") else "pending"


def reported(month: Month, rule: str) -> list[Violation]:
    """``conduct.*``: each UPHELD report of ``rule`` against a cadre on the roster that falls while
    the cadre is stationed (docs/audit-rules.md#the-policy-cross-checked); other reports are listed
    (``reports``), not breaches."""
    upheld = [e for e in month.facts.reports if e.get("rule") == rule and status(month, e) == "upheld"]
    index = witnessed(month) if upheld else {}
    out: list[Violation] = []
    for e in month.facts.reports:
        if e.get("rule") != rule or e.cadre not in month.roster.by_id:
            continue
        if status(month, e) != "upheld" or not stationed(month, e.cadre, e.at, index):
            continue
        local = month.local(e.at)
        message = _("reported on {day} at {time}: {what} (source: {source})").format(
            day=local.date().isoformat(), time=hm(local), what=label(rule), source=e.get("source"))
        if e.get("note"):
            message += " — " + str(e.get("note"))
        review = month.facts.decisions[e.id]
        out.append(month.violation(rule, e.cadre, message, (e.where, review.where), local.date()))
    return out


def drinking(month: Month) -> list[Violation]:
    return reported(month, "conduct.drinking")


def cards(month: Month) -> list[Violation]:
    return reported(month, "conduct.cards")


def hospitality(month: Month) -> list[Violation]:
    return reported(month, "conduct.hospitality")


def left_village(month: Month) -> list[Violation]:
    return reported(month, "conduct.left_village")


def reception(month: Month) -> list[Violation]:
    return reported(month, "conduct.reception")
