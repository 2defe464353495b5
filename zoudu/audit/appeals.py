"""What the appeals decided (申诉 and its 复核), in one place (docs/audit-rules.md#the-policy-cross-checked).

A finding is named by its cadre, rule, day (a week's finding: any day of that week) and slot.
The latest appeal naming it decides it (an appeal without a slot names every slot of its day),
through that appeal's first review: ``appealed`` while none is recorded, ``overturned``, or
``standing``. An overturned finding counts for nothing, and everything that counts asks
``Rulings`` for it: the review stage marks each finding's status (``review.contest``; the
figures, the liability, the notice and the dossier read that status), and the coverage counts
an overturned missing slot as present and lets an overturned spot check's absence cancel no
evidence (``audit.coverage``).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from zoudu import model
from zoudu.ledger.lines.typed import Line

APPEALED, OVERTURNED, STANDING = "appealed", "overturned", "standing"


def _week_of(day: dt.date) -> str:
    year, week, _day = day.isocalendar()
    return f"{year}-W{week:02d}"


class Rulings:
    """The month's appeals (``facts.appeals``) and the reviews of them (``facts.decisions``)."""

    def __init__(self, appeals: Iterable[Line], decisions: dict[str, Line]) -> None:
        self._latest_first = tuple(reversed(sorted(appeals, key=lambda a: a.recorded)))
        self._decisions = decisions

    @classmethod
    def of(cls, facts) -> "Rulings":
        return cls(facts.appeals, facts.decisions)

    def appeal(self, cadre: str | None, rule: str, day: dt.date | None, slot: str | None,
               week: str | None = None) -> Line | None:
        """The latest appeal naming the finding (None: it was not appealed)."""
        if cadre is None:
            return None
        return next((a for a in self._latest_first if _names(a, cadre, rule, day, slot, week)), None)

    def review(self, appeal: Line) -> Line | None:
        """The review that decided ``appeal`` (None: not decided yet)."""
        return self._decisions.get(appeal.id)

    def status(self, appeal: Line | None) -> str:
        """What ``appeal`` makes of the finding it names."""
        if appeal is None:
            return STANDING
        decision = self.review(appeal)
        if decision is None:
            return APPEALED
        return OVERTURNED if decision.get("decision") == OVERTURNED else STANDING

    def overturned(self, cadre: str | None, rule: str, day: dt.date, slot: str | None) -> bool:
        return self.status(self.appeal(cadre, rule, day, slot)) == OVERTURNED

    def cleared(self, rules: tuple[str, ...]) -> dict[str, dict[dt.date, tuple[bool, bool, bool]]]:
        """Per cadre and day: the slots whose finding of one of ``rules`` was overturned."""
        decided: dict[tuple[str, dt.date, int, str], bool] = {}
        for appeal in reversed(self._latest_first):  # oldest first: the latest naming a slot is written last
            rule, day = str(appeal.get("rule")), _day(appeal)
            if rule not in rules or appeal.cadre is None or day is None:
                continue
            overturned = self.status(appeal) == OVERTURNED
            for i in _slots(appeal):
                decided[(str(appeal.cadre), day, i, rule)] = overturned
        out: dict[str, dict[dt.date, list[bool]]] = {}
        for (cadre, day, i, _rule), overturned in decided.items():
            if overturned:
                out.setdefault(cadre, {}).setdefault(day, [False, False, False])[i] = True
        return {c: {d: (m[0], m[1], m[2]) for d, m in days.items()} for c, days in out.items()}


def _day(appeal: Line) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(appeal.get("date")))
    except ValueError:
        return None


def _slots(appeal: Line) -> range | tuple[int, ...]:
    """The slots (indexes of ``model.SLOTS``) an appeal names: its slot, or without one every slot."""
    slot = appeal.get("slot")
    if slot is None:
        return range(len(model.SLOTS))
    return (model.SLOTS.index(slot),) if slot in model.SLOTS else ()


def _names(appeal: Line, cadre: str, rule: str, day: dt.date | None, slot: str | None, week: str | None) -> bool:
    """Whether ``appeal`` names the finding: its cadre and rule, its day (a week's finding: a day of
    its week), and its slot unless the appeal names none."""
    if cadre != appeal.cadre or rule != appeal.get("rule"):
        return False
    named = _day(appeal)
    if named is None:
        return False
    if day is not None:
        if day != named:
            return False
    elif week is None or week != _week_of(named):
        return False
    wanted = appeal.get("slot")
    return wanted is None or slot == wanted
