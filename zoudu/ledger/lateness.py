"""When evidence is late (补录): the one rule the audit, the read-back and ``zoudu log`` share.

An office sign-in recorded later than ``backfill_grace_minutes`` after its time (a
terminal's punch: ``import_limit_days``), or a village entry recorded later than
``village_late_days`` after its time, is late: it counts only with an approver, named
when it is recorded or by a later ``zoudu approve``.

A terminal's punch is one read from an attendance terminal's or DingTalk's export
(``zkteco``, ``zk-export``, ``dingtalk``): the device's own record. A generic
``--format csv`` file, which anyone can write, is the clerk's assertion and is held to the
grace of a typed sign-in (docs/trust-model.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, NamedTuple

from zoudu import model

MAX_GRACE_MINUTES = 100 * 366 * 24 * 60  # a backfill grace beyond a century is "for ever"


class Limits(NamedTuple):
    """How long after its time an entry may be recorded and still be on time."""

    grace: dt.timedelta  # an office sign-in typed in
    imported: dt.timedelta  # a terminal's punch read in by ``zoudu import``
    village: dt.timedelta  # a village entry copied from the field diary

    def late(self, kind: str, delay: dt.timedelta, imported: bool = False) -> bool:
        """Whether an entry of ``kind`` recorded ``delay`` after its time is late."""
        if kind == model.CHECKIN:
            return delay > (self.imported if imported else self.grace)
        if kind == model.VILLAGE:
            return delay > self.village
        return False


def limits(settings) -> Limits:
    minutes = settings.backfill_grace_minutes  # clamped: rules.yaml's number may be past a timedelta
    return Limits(dt.timedelta(minutes=max(-MAX_GRACE_MINUTES, min(minutes, MAX_GRACE_MINUTES))),
                  dt.timedelta(days=settings.import_limit_days), dt.timedelta(days=settings.village_late_days))


TERMINALS = frozenset({"zkteco", "zk-export", "dingtalk"})


def is_imported(source: Any) -> bool:
    """A terminal's punch read in by ``zoudu import`` (its ``source`` names a terminal's format),
    not a hand-made CSV's row."""
    return isinstance(source, dict) and source.get("format") in TERMINALS


def late(fields: Mapping[str, Any], settings) -> bool:
    """Whether a stored sign-in or village entry (its fields) was recorded late, approver or not."""
    kind = fields.get("kind")
    if kind not in (model.CHECKIN, model.VILLAGE) or "recorded" not in fields:  # not recorded yet (a dry run)
        return False
    delay = dt.datetime.fromisoformat(fields["recorded"]) - dt.datetime.fromisoformat(fields["at"])
    return limits(settings).late(kind, delay, is_imported(fields.get("source")))


def unapproved(fields: Mapping[str, Any], settings) -> bool:
    """Late and recorded without an approver: it counts for nothing unless ``zoudu approve`` approves it."""
    return not fields.get("approver") and late(fields, settings)
