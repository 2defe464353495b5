"""THE rule book (docs/audit-rules.md#the-rule-table): one row per rule id, saying everything zoudu knows
about the rule.

A row names the function that decides it (``area.function`` in ``zoudu/audit/rules/``,
a plain ``Month -> list[Violation]`` holding the rule's condition), the clerk's label,
the remark on the notice board, the default severity, whether it counts as commuting
(走读: the supervisor's joint liability by default), and the order in which the notice
names it. ``rules.yaml``'s checks, the recording commands (``--rule 饮酒``), the
notice and the renderers read it here; the audit binds each row to its function
(``zoudu.audit.rules.TABLE``). This module imports nothing of zoudu's but the
catalog, so every layer may read it.

Adding a rule: a fact in one stage (``audit.facts`` or ``audit.coverage``), a
function in the area's module, a row below, its translation, its tests.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from zoudu.i18n import N_, _


class Rule(NamedTuple):
    id: str
    check: Any  # "area.function" here; the function itself in zoudu.audit.rules.TABLE
    label: str  # the clerk's name for it (a msgid: shown through _())
    remark: str | None  # on the notice board, "{n}" times (a msgid); None: never on a cadre's row
    severity: str = "error"  # default, when rules.yaml lists no severity
    commuting: bool = False  # default liability_rules (连带责任)
    weight: int = 3  # the notice names lower weights first: what the public should read first


def _conduct(rule: str, label: str, remark: str) -> Rule:
    return Rule(rule, "conduct." + rule.split(".", 1)[1], label, remark, weight=0)


RULES: tuple[Rule, ...] = (
    Rule("signin.missing", "signin.missing", N_("missed sign-in"), N_("missed sign-in ×{n}"),
         commuting=True, weight=2),
    Rule("signin.outside_window", "signin.outside_window", N_("sign-in outside the time windows"),
         N_("sign-in at the wrong time ×{n}"), severity="warning"),
    Rule("signin.wrong_place", "signin.wrong_place", N_("sign-in at the wrong place"),
         N_("sign-in at the wrong place ×{n}")),
    Rule("signin.backfilled", "signin.backfilled", N_("late entry without approval"),
         N_("late sign-in without approval ×{n}"), severity="warning"),
    Rule("village.no_witness", "village.no_witness", N_("village entry without a villager's signature"),
         N_("village visit without witness ×{n}")),
    Rule("village.not_assigned", "village.not_assigned", N_("village entry outside the assigned village"),
         N_("village work outside own village ×{n}")),
    Rule("village.late", "village.late", N_("late village entry without approval"),
         N_("late village entry without approval ×{n}")),
    Rule("leave.late", "late.leave", N_("leave recorded after it began"),
         N_("leave recorded late ×{n}"), severity="warning"),
    Rule("study.missed", "signin.study_missed", N_("missed Friday afternoon study"), N_("missed Friday study ×{n}")),
    Rule("week.township_days", "week.township_days", N_("too few days working in the township"),
         N_("too few days in township, {n} week(s)"), commuting=True, weight=2),
    Rule("week.nights", "week.nights", N_("too few nights in the township"), N_("too few nights, {n} week(s)"),
         commuting=True, weight=2),
    Rule("week.village_days", "week.village_days", N_("too few days in villages"),
         N_("too few village days, {n} week(s)")),
    Rule("inspection.absent", "inspection.absent", N_("absent at a spot check"), N_("absent at spot check ×{n}"),
         commuting=True, weight=1),
    Rule("inspection.too_few", "inspection.too_few", N_("too few spot checks"), None),
    _conduct("conduct.drinking", N_("drinking while stationed in a village"), N_("drinking reported ×{n}")),
    _conduct("conduct.cards", N_("card games while stationed in a village"), N_("card games reported ×{n}")),
    _conduct("conduct.hospitality", N_("accepting special hospitality"), N_("special hospitality reported ×{n}")),
    _conduct("conduct.left_village", N_("leaving the village without cause"),
             N_("left the village without cause ×{n}")),
    _conduct("conduct.reception", N_("attending receptions in the township"), N_("attended a reception ×{n}")),
    # the policy cross-checked (docs/audit-rules.md#the-policy-cross-checked)
    Rule("signin.late", "signin.late", N_("late sign-in"), N_("late ×{n}"), severity="warning"),
    Rule("village.contradicted", "village.contradicted", N_("village entry contradicted by a spot check"),
         N_("village entry contradicted by a spot check ×{n}"), weight=1),
    Rule("leave.not_cancelled", "policy.leave_not_cancelled", N_("sign-in during leave not cancelled"),
         N_("signed in during leave without 销假 ×{n}"), severity="warning"),
    Rule("duty.missed", "policy.duty_missed", N_("missed duty"), N_("missed duty ×{n}"), weight=2),
    Rule("family.too_few", "policy.family_too_few", N_("no family meeting in the quarter"), None),
    # the spot-check draw (docs/trust-model.md#the-spot-check-draw)
    Rule("inspection.not_as_drawn", "drawn.not_as_drawn", N_("spot check not as drawn"), None),
)

BY_ID: dict[str, Rule] = {row.id: row for row in RULES}
assert len(BY_ID) == len(RULES), "one row per rule id"
RULE_IDS: tuple[str, ...] = tuple(BY_ID)
CONDUCT_RULES: tuple[str, ...] = tuple(rule for rule in RULE_IDS if rule.startswith("conduct."))
DEFAULT_SEVERITY: dict[str, str] = {row.id: row.severity for row in RULES if row.severity != "error"}
DEFAULT_LIABILITY: tuple[str, ...] = tuple(row.id for row in RULES if row.commuting)


def label(rule: str) -> str:
    """The clerk's name of ``rule``, translated (the id itself for an unknown one)."""
    row = BY_ID.get(rule)
    return _(row.label) if row else rule


def remark(rule: str, n: int) -> str:
    """The notice board's remark for ``n`` findings of ``rule``."""
    row = BY_ID.get(rule)
    if row is None or row.remark is None:
        return f"{rule} ×{n}"
    return _(row.remark).format(n=n)


def weight(rule: str) -> int:
    row = BY_ID.get(rule)
    return row.weight if row else 3
