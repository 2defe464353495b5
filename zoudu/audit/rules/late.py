"""Evidence that came late: a leave recorded after it began
(docs/audit-rules.md#late-evidence-and-approvals). Late sign-ins and village
entries are decided where they are read (``audit.facts``: ``SignIn.late``, ``Visit.late``)."""

from __future__ import annotations

import datetime as dt

from zoudu.audit.result import Violation
from zoudu.audit.rules.base import Month, duration
from zoudu.i18n import _


def began(month: Month, start: dt.datetime) -> dt.datetime:
    """When a leave begins to excuse anything: its time, or for a leave given by dates (from
    00:00) the fixed time of that day's morning slot, the first it excuses."""
    if start.time() == dt.time(0):
        return dt.datetime.combine(start.date(), month.settings.slots["morning"].time, start.tzinfo)
    return start


def leave(month: Month) -> list[Violation]:
    """``leave.late`` (docs/audit-rules.md#late-evidence-and-approvals): a leave (or trip) recorded after it
    began, to the minute; it still excuses what it covers (a warning by default: it has its approver)."""
    out: list[Violation] = []
    first, last = month.span.month_days[0].date, month.span.month_days[-1].date
    for cadre, spans in month.facts.leaves.items():
        for span in spans:
            e = span.entry
            start = month.local(span.start)
            begins = began(month, start)
            if not (first <= start.date() <= last) or e.recorded <= begins:
                continue
            minutes = -(-int((e.recorded - begins).total_seconds()) // 60)
            message = _("{kind} from {start} was recorded {delay} after it began ({recorded}), approved by "
                        "{approver}").format(
                kind=span.kind, start=start.strftime("%Y-%m-%d %H:%M"), delay=duration(minutes),
                recorded=month.local(e.recorded).strftime("%Y-%m-%d %H:%M"), approver=_named(month, e.get("approver")))
            out.append(month.violation("leave.late", cadre, message, (e.where,), start.date()))
    return out


def _named(month: Month, cadre_id) -> str:
    """A cadre as a clerk reads one: by name."""
    found = month.roster.get(str(cadre_id)) if cadre_id else None
    return found.name if found else (cadre_id or "-")
