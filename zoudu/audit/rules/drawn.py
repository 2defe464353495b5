"""Spot checks against the month's draw (docs/trust-model.md#the-spot-check-draw)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from zoudu import model
from zoudu.audit.coverage import EVENING, slot_span
from zoudu.ledger.lines.typed import Line
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month
from zoudu.i18n import _
from zoudu.ledger.draw import Round, commitment_of, recompute, secret_of


class Drawn(NamedTuple):
    """The month's draw as its file records it: the first entry of each kind (None: not recorded)."""

    commit: Line | None
    draw: Line | None
    disclose: Line | None


def drawn(month: Month) -> Drawn:
    found: dict[str, Line] = {}
    for line in month.facts.draws:
        if line.get("month") == month.span.month:
            found.setdefault(line.kind, line)
    return Drawn(found.get(model.DRAW_COMMIT), found.get(model.DRAW), found.get(model.DRAW_DISCLOSE))


def rounds(month: Month) -> list[Round] | None:
    """The rounds drawn, recomputed from the disclosed secret; None when there is no disclosed draw
    or its secret does not match the commitment."""
    d = drawn(month)
    if d.commit is None or d.draw is None or d.disclose is None:
        return None
    secret = secret_of(d.disclose.get("secret"))
    if secret is None or commitment_of(secret) != d.commit.get("commitment"):
        return None
    return recompute(month.span.month, d.commit.get, d.draw.get, secret)


def not_as_drawn(month: Month) -> list[Violation]:
    """``inspection.not_as_drawn`` (no cadre): a night the draw chose passed with no spot check that
    night (from the evening window's start to the end of the next morning's) naming, present or
    absent, every cadre drawn for it; it lands in the discipline group leader's archive."""
    found = rounds(month)
    if not found or not month.span.over:
        return []
    d = drawn(month)
    out: list[Violation] = []
    for r in found:
        night = dt.date.fromisoformat(r.night)
        start, end = slot_span(month.settings, night, EVENING)
        checks = [e for e in month.facts.inspections if start <= e.at <= end]
        seen = {str(c) for e in checks for c in (*(e.get("present") or ()), *(e.get("absent") or ()))}
        missing = [c for c in r.cadres if c not in seen]
        if not missing:
            continue
        names = _(", ").join(f"{month.roster.get(c).name} ({c})" if month.roster.get(c) else c for c in missing)
        message = _("the draw chose the night of {night} and {n} cadre(s); no spot check that night checked "
                    "{names}").format(night=r.night, n=len(r.cadres), names=names)
        evidence = tuple(x.where for x in (d.draw, d.disclose) if x is not None) + tuple(e.where for e in checks)
        out.append(month.violation("inspection.not_as_drawn", None, message, evidence, night, "evening",
                                   required=len(r.cadres), actual=len(r.cadres) - len(missing)))
    return out


def notices(month: Month) -> list[str]:
    """What the audit says aside about the draw: a committed draw never disclosed once the month is
    over, and a disclosed secret that does not match its commitment."""
    d = drawn(month)
    if d.commit is None or not month.span.over:
        return []
    if d.disclose is None:
        return [_("{where}: the spot-check draw of {month} was committed but its secret was never disclosed: "
                  "nobody can check that the spot checks followed it ('zoudu draw disclose --month {month}')").format(
            where=d.commit.where, month=month.span.month)]
    secret = secret_of(d.disclose.get("secret"))
    if secret is None or commitment_of(secret) != d.commit.get("commitment"):
        return [_("{where}: the disclosed secret of the spot-check draw does not match its commitment ({commit}); "
                  "run 'zoudu draw verify --month {month}'").format(
            where=d.disclose.where, commit=d.commit.where, month=month.span.month)]
    return []
