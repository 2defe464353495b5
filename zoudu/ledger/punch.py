"""Which imported sign-ins are a terminal's own record, and how late any sign-in may be entered.

One decision, read by the audit (what counts) and by ``zoudu log`` (what is shown as a
backfill), so the two never disagree. A punch read from an attendance terminal's or
DingTalk's export (``zkteco``, ``zk-export``, ``dingtalk``) is the device's record: imported
within ``import_limit_days`` of its time it is no backfill. Anything else — typed with
``checkin``, or read from a generic ``--format csv`` file, which anyone can write — is held
to ``backfill_grace_minutes``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

TERMINALS = frozenset({"zkteco", "zk-export", "dingtalk"})


def from_terminal(source: Any) -> bool:
    """An entry's ``source`` names a terminal's or DingTalk's export (not a hand-made CSV)."""
    return isinstance(source, dict) and source.get("format") in TERMINALS


def allowed_delay(settings, source: Any) -> dt.timedelta:
    """How long after its time a sign-in may be recorded and still need no approver."""
    if from_terminal(source):
        return dt.timedelta(days=settings.import_limit_days)
    return dt.timedelta(minutes=settings.backfill_grace_minutes)
