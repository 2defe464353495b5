"""Village-stay discipline (五不准): reported breaches."""

from __future__ import annotations

from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, hm
from zoudu.i18n import _
from zoudu.rulebook import label


def reported(month: Month, rule: str) -> list[Violation]:
    """``conduct.*``: each report of ``rule`` against a cadre on the roster."""
    out: list[Violation] = []
    for e in month.facts.reports:
        if e.get("rule") != rule or e.cadre not in month.roster.by_id:
            continue
        local = month.local(e.at)
        message = _("reported on {day} at {time}: {what} (source: {source})").format(
            day=local.date().isoformat(), time=hm(local), what=label(rule), source=e.get("source"))
        if e.get("note"):
            message += " — " + str(e.get("note"))
        out.append(month.violation(rule, e.cadre, message, (e.where,), local.date()))
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
