"""After midnight: a stay written between midnight and the end of the morning window is
the night before's; a cancellation (销假) at a time ends the leave at that time, so a sign-in at
that very time is not during leave."""

from __future__ import annotations

import pytest

from tests.support.book import Book, workspace_at
from tests.support.verdicts import audit_json, found, run, sheet_row


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def test_a_stay_written_at_one_in_the_morning_is_the_night_before(cli, ws):
    book = Book(ws).checkin("c003", "2026-11-03T08:00").checkin("c003", "2026-11-03T14:30")
    book.village("c003", "2026-11-04T01:00", "石庄村", stay=True)  # Tuesday night, signed after midnight
    book.checkin("c003", "2026-11-04T08:00").checkin("c003", "2026-11-04T14:30")
    book.write()
    obj = audit_json(cli, ws)
    assert not found(obj, "c003", "signin.missing", "2026-11-03")
    assert [v["slot"] for v in found(obj, "c003", "signin.missing", "2026-11-04")] == ["evening"]


def test_a_stay_written_after_the_morning_window_is_that_day(cli, ws):
    Book(ws).village("c003", "2026-11-04T09:00", "石庄村", stay=True).write()
    obj = audit_json(cli, ws)
    assert not found(obj, "c003", "signin.missing", "2026-11-04")
    assert [v["slot"] for v in found(obj, "c003", "signin.missing", "2026-11-03")] == [
        "morning", "afternoon", "evening"]


def leave_cancelled_at_eight(cli, ws):
    run(cli, ws, "leave", "c003", "--from", "2026-11-10", "--to", "2026-11-12", "--kind", "病假", "--approver", "c001")
    run(cli, ws, "leave", "cancel", "c003", "--at", "2026-11-11T08:00", "--by", "c003")


def test_a_sign_in_at_the_moment_of_the_cancellation_is_not_during_leave(cli, ws):
    Book(ws).checkin("c003", "2026-11-11T08:00").write()
    leave_cancelled_at_eight(cli, ws)
    obj = audit_json(cli, ws)
    assert not found(obj, "c003", "leave.not_cancelled")
    assert not found(obj, "c003", "signin.missing", "2026-11-11", "morning")
    assert "未销假" not in sheet_row(cli, ws, "c003")["备注"]


def test_a_sign_in_before_the_cancellation_is_during_leave(cli, ws):
    Book(ws).checkin("c003", "2026-11-11T07:59").write()
    leave_cancelled_at_eight(cli, ws)
    obj = audit_json(cli, ws)
    assert [v["date"] for v in found(obj, "c003", "leave.not_cancelled")] == ["2026-11-11"]
