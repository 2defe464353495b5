"""The rule table bound to its functions: each row of ``zoudu.rulebook`` with the function that decides it.

The rule book says everything about a rule (label, remark, severity, commuting) and names
its function as ``area.function``; here each name becomes the function of the area's module
(``signin``, ``village``, ``week``, ``inspection``, ``conduct``), and ``run`` applies them.
"""

from __future__ import annotations

from typing import Callable

from zoudu import rulebook
from zoudu.audit.result import Violation
from zoudu.audit.rules import conduct, drawn, inspection, late, policy, signin, village, week
from zoudu.audit.rules.base import Month, duration, hm, slot_name
from zoudu.i18n import _
from zoudu.rulebook import BY_ID, CONDUCT_RULES, DEFAULT_LIABILITY, DEFAULT_SEVERITY, RULE_IDS, Rule, label, remark, weight

Check = Callable[[Month], list[Violation]]
AREAS = {"signin": signin, "village": village, "week": week, "inspection": inspection, "conduct": conduct,
         "late": late, "policy": policy, "drawn": drawn}


def _bound(row: Rule) -> Rule:
    area, function = row.check.split(".")
    return row._replace(check=getattr(AREAS[area], function))


TABLE: tuple[Rule, ...] = tuple(_bound(row) for row in rulebook.RULES)


def run(month: Month, table: tuple[Rule, ...] = TABLE) -> list[Violation]:
    """Every rule not switched off; a rule that crashes becomes an error-level finding."""
    found: list[Violation] = []
    for row in table:
        if month.settings.severity_of(row.id) == "off":
            continue
        try:
            found.extend(row.check(month))
        except Exception as e:  # noqa: BLE001 - one broken check must not hide the others' findings
            found.append(Violation(
                row.id, "error", None, None, None, None, None, None,
                _("the check for {rule} failed ({error}); its findings are missing from this audit").format(
                    rule=row.id, error=f"{type(e).__name__}: {e}"),
                (month.span.file,)))
    return found


__all__ = ["TABLE", "BY_ID", "Rule", "Month", "RULE_IDS", "CONDUCT_RULES", "DEFAULT_SEVERITY",
           "DEFAULT_LIABILITY", "label", "remark", "weight", "run", "duration", "hm", "slot_name"]
