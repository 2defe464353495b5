"""What the audit reads of other months' files (leave, cancellation and void lines of the earlier
months; the crossing days of the neighbours) is kept in the cache while the file is unchanged,
and read again as soon as it changes: a void or a cancellation written later is never missed."""

from __future__ import annotations

import pytest

from tests.support.book import Book, found, kept_audit as audit, workspace_at
from tests.support.workspace import own_cache
from zoudu.memo import store as cache

MONTH = "2026-11"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    own_cache(monkeypatch, tmp_path)
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def missing_on(result, cadre: str, day: str) -> int:
    return sum(1 for v in found(result, "signin.missing", cadre) if v.date.isoformat() == day)


def test_a_void_written_to_an_earlier_month_after_an_audit_counts(ws):
    # a long leave recorded in September, running into November
    ids = Book(ws).add("leave", "2026-09-20T08:00", "c003", until="2026-11-20T23:59:00+08:00",
                       leave_kind="病假", approver="c001").write()
    first = audit(ws, MONTH)
    assert missing_on(first, "c003", "2026-11-03") == 0  # excused
    assert list((ws.root.parent / "cache" / "zoudu").glob("lines-*.msgpack"))  # kept for the next audit
    again = audit(ws, MONTH)
    assert again.violations == first.violations
    Book(ws).add("void", "2026-09-20T08:05", None, target=ids[0], reason="录错").write()
    after = audit(ws, MONTH)
    assert missing_on(after, "c003", "2026-11-03") == 3  # the leave is void: the file changed, read again


def test_a_cancellation_written_later_counts(ws):
    ids = Book(ws).add("leave", "2026-10-20T08:00", "c004", until="2026-11-20T23:59:00+08:00",
                       leave_kind="病假", approver="c001").write()  # the secretary: a long leave
    assert missing_on(audit(ws, MONTH), "c004", "2026-11-10") == 0
    Book(ws).add("leave_cancel", "2026-11-09T12:00", "c004", month="2026-10", leave=ids[0]).write()
    assert missing_on(audit(ws, MONTH), "c004", "2026-11-10") == 3


def test_a_planted_lines_entry_is_ignored(ws):
    Book(ws).add("leave", "2026-09-20T08:00", "c003", until="2026-11-20T23:59:00+08:00",
                 leave_kind="病假", approver="c001").write()
    first = audit(ws, MONTH)
    folder = ws.root.parent / "cache" / "zoudu"
    for entry in folder.glob("lines-*.msgpack"):
        entry.write_bytes(b"\x93garbage")
    for entry in folder.glob("audit-*.msgpack"):  # the month's whole result: read the lines again
        entry.unlink()
    assert audit(ws, MONTH).violations == first.violations
    path = ws.ledger_path("2026-09")
    key = cache.file_key("lines", path, ws.shown(path), "history+meeting")
    assert key is not None and cache.load("lines", *key, list)  # read again and kept anew
