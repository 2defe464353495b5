"""Publishing a closed month works out its audit's key and its audit from one preparation of the
month (``zoudu.audit.prepare``: its sealed view, its span), not two; the notice it prints, kept or
not, is the one the plain stages print (docs/architecture.md#caches)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_workspace
from tests.support.workspace import own_cache
from zoudu import audit
from zoudu.memo import stages as memo
from zoudu.ledger import record
from zoudu.publish import notice
from zoudu.render.notice import csv_bytes

PUBLISHED = dt.date(2026, 11, 2)


@pytest.fixture
def ws(tmp_path, clock, monkeypatch):
    own_cache(monkeypatch, tmp_path)
    clock.set("2026-10-12T08:00")
    ws = make_workspace(tmp_path / "w", clock)
    record.checkin(ws, ["c003"], "2026-10-12T08:00", None, None, None, None)
    clock.set("2026-11-10T09:00")  # October and its last audited week are over
    return ws


def test_a_closed_months_notice_prepares_the_month_once(ws, monkeypatch):
    plain = notice.printed(ws, "2026-10", PUBLISHED, "csv", csv_bytes, calendar=False)
    calls = []
    real = audit.prepare
    monkeypatch.setattr(audit, "prepare", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    first = memo.printed(ws, "2026-10", PUBLISHED, "csv", csv_bytes, calendar=False)
    assert calls == ["2026-10"]  # worked out: the key and the audit share one preparation
    assert list((ws.root.parent / "cache" / "zoudu").glob("printed-*.msgpack"))
    again = memo.printed(ws, "2026-10", PUBLISHED, "csv", csv_bytes, calendar=False)
    assert calls == ["2026-10", "2026-10"]  # read back: the key's preparation only
    assert first == again == plain
