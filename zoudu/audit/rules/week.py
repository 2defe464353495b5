""""543" (五四三): each ISO week at least 5 days in the township, 4 nights, 3 village days
(prorated in a short week: ``coverage.week_figures``). A week is checked once it is over."""

from __future__ import annotations

import datetime as dt
from functools import partial

from zoudu.audit.coverage import week_figures
from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month
from zoudu.i18n import _

_MESSAGES = {
    "week.township_days": lambda: _("{week} ({first} to {last}): {actual} day(s) working in the township, "
                                    "{required} required"),
    "week.nights": lambda: _("{week} ({first} to {last}): {actual} night(s) in the township, {required} required"),
    "week.village_days": lambda: _("{week} ({first} to {last}): {actual} day(s) in villages, {required} required"),
}


def _files(first: dt.date, last: dt.date) -> str:
    months = sorted({f"{d.year:04d}-{d.month:02d}" for d in (first, last)})
    return ", ".join(f"ledgers/{m}.yaml" for m in months)


def _short(month: Month, rule: str, figure: str, counted: str) -> list[Violation]:
    """Every over week of every cadre whose ``figure`` (actual) falls short of its required."""
    severity = month.settings.severity_of(rule)
    quota = month.settings.quota
    out: list[Violation] = []
    for w, week in enumerate(month.span.weeks):
        if not week.over:
            continue
        first, last = week.days[0].date.isoformat(), week.days[-1].date.isoformat()
        message = _MESSAGES[rule]().replace("{week}", week.label).replace("{first}", first).replace("{last}", last)
        searched = _("{files}: searched {first} to {last}; counted: {days}").format(
            files=_files(week.days[0].date, week.days[-1].date), first=first, last=last, days="{days}")
        dates = {info.date for info in week.days}
        for cid, covered in month.coverage.cadres.items():
            required, actual = getattr(week_figures(covered.weeks[w], quota), figure)
            if actual >= required:
                continue
            days = ", ".join(d.info.date.isoformat() for d in covered.days
                             if d.info.date in dates and getattr(d, counted)) or "—"
            out.append(Violation(rule, severity, cid, None, None, week.label, required, actual,
                                 message.format(actual=actual, required=required), (searched.replace("{days}", days),)))
    return out


township_days = partial(_short, rule="week.township_days", figure="township_days", counted="township")
nights = partial(_short, rule="week.nights", figure="nights", counted="night")
village_days = partial(_short, rule="week.village_days", figure="village_days", counted="village")
