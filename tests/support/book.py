"""Helpers for the audit tests: small ledgers written in the test itself, as real files.

Entries go through ``zoudu.ledger.append.append`` (ids, hash chain, one file per month),
so what the audit reads is exactly what the recording commands would have written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.support.workspace import TZ, Clock, make_workspace
from zoudu.audit import AuditResult, audit_month
from zoudu.ledger.append import append
from zoudu.ledger.workspace import Workspace


def at(text: str) -> str:
    """'2026-11-03T08:02' (or a date) -> the stored form, with the +08:00 offset."""
    if len(text) == 10:
        text += "T00:00"
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ).isoformat(timespec="seconds")


class Book:
    """Collects entries, then writes them to their months' files in one go."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ids: list[str] = []

    def add(self, kind: str, when: str, cadre: str | None = None, recorded: str | None = None,
            month: str | None = None, **fields: Any) -> "Book":
        entry = {"kind": kind, "at": at(when), "recorded": at(recorded or when), "by": "clerk", **fields}
        if cadre is not None:
            entry["cadre"] = cadre
        self.pending[month or when[:7]].append(entry)
        return self

    def checkin(self, cadre: str, when: str, **fields: Any) -> "Book":
        fields.setdefault("place", "党政办公室")
        return self.add("checkin", when, cadre, **fields)

    def village(self, cadre: str, when: str, village: str, witness: str | None = "村民老王", stay: bool = False,
                **fields: Any) -> "Book":
        if witness is not None:
            fields["witness"] = witness
        return self.add("village", when, cadre, village=village, stay=stay, **fields)

    def day(self, cadre: str, day: str, evening: bool = True) -> "Book":
        """Three office sign-ins on time."""
        self.checkin(cadre, f"{day}T08:00").checkin(cadre, f"{day}T14:30")
        if evening:
            self.checkin(cadre, f"{day}T19:30")
        return self

    def village_day(self, cadre: str, day: str, village: str, evening: bool = True) -> "Book":
        """A witnessed village visit by day, then the evening sign-in at the office."""
        self.village(cadre, f"{day}T10:00", village)
        if evening:
            self.checkin(cadre, f"{day}T19:30")
        return self

    def write(self) -> list[str]:
        ids: list[str] = []
        with self.ws.lock():
            for month, entries in sorted(self.pending.items()):
                path = self.ws.ledger_path(month)
                ids += [f["id"] for f in append(path, self.ws.shown(path), entries)]
        self.pending.clear()
        self.ids += ids
        return ids


def perfect_week(book: Book, cadre: str, monday: dt.date, village: str, village_days: int = 3,
                 nights: int = 4) -> Book:
    """A normal week (Mon-Fri workdays) meeting 543 exactly: 5 days, 4 nights, 3 village days."""
    for i in range(5):
        day = (monday + dt.timedelta(days=i)).isoformat()
        evening = i < nights
        if i < village_days:
            book.village_day(cadre, day, village, evening=evening)
        else:
            book.day(cadre, day, evening=evening)
    return book


def workspace_at(root: Path, now: str) -> Workspace:
    """The test township (conftest) with the clock set to ``now``."""
    clock = Clock(dt.datetime.fromisoformat(now).replace(tzinfo=TZ))
    return make_workspace(root, clock)


def found(result: AuditResult, rule: str | None = None, cadre: str | None = None) -> list:
    return [v for v in result.violations if (rule is None or v.rule == rule) and (cadre is None or v.cadre == cadre)]


def audit(ws: Workspace, month: str, cadre: str | None = None, **options: Any) -> AuditResult:
    """A fresh workspace object (rules.yaml and roster read anew), the same clock."""
    return audit_month(Workspace(ws.root, clock=ws.clock), month, cadre, **options)


def kept_audit(ws: Workspace, month: str, cadre: str | None = None, **options: Any) -> AuditResult:
    """As ``audit``, through ``zoudu.memo.stages`` as the commands audit: a closed month's result is kept."""
    from zoudu.memo import stages

    return stages.audit_month(Workspace(ws.root, clock=ws.clock), month, cadre, **options)
