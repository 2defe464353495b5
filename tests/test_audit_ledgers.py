"""What the audit reads: damaged and hand-edited lines, strangers, voided cancellations,
and the lines it picks from other months' files."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_audit_support import Book, audit, workspace_at
from zoudu import record
from zoudu.audit.load import pick_days, pick_mentions

MONTH = "2026-11"


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def append_raw(ws, month: str, text: str) -> None:
    with open(ws.ledger_path(month), "a", encoding="utf-8") as fh:
        fh.write(text)


def morning(result, cadre: str, day: str) -> str:
    (c,) = [c for c in result.cadres if c.cadre == cadre]
    return next(d for d in c.days if d.date.isoformat() == day).slots["morning"]


def test_a_damaged_line_is_skipped_with_a_notice_and_the_rest_is_audited(ws):
    Book(ws).checkin("c003", "2026-11-03T08:00").checkin("c004", "2026-11-03T08:00").write()
    path = ws.ledger_path(MONTH)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2] + ["- {this is not an entry\n"] + lines[2:]), encoding="utf-8")
    result = audit(ws, MONTH)
    assert result.problems and result.problems[0].where == "ledgers/2026-11.yaml:3"
    assert any("ledgers/2026-11.yaml:3" in n and "zoudu verify" in n for n in result.notices)
    assert morning(result, "c003", "2026-11-03") == "office" and morning(result, "c004", "2026-11-03") == "office"


def test_a_torn_last_line_is_a_problem_not_a_crash(ws):
    Book(ws).checkin("c003", "2026-11-03T08:00").write()
    append_raw(ws, MONTH, '- {"at": "2026-11-03T08:0')
    result = audit(ws, MONTH)
    assert [p.code for p in result.problems] == ["torn"]
    assert morning(result, "c003", "2026-11-03") == "office"


def test_a_line_a_person_wrote_in_yaml_is_read(ws):
    Book(ws).checkin("c003", "2026-11-03T08:00").write()
    append_raw(ws, MONTH, "- {id: 2026-11-0099, kind: checkin, at: '2026-11-03T08:05:00+08:00', "
                          "recorded: '2026-11-03T08:05:00+08:00', by: clerk, cadre: c004, place: 党政办公室, "
                          "hash: x}\n")
    result = audit(ws, MONTH)
    assert morning(result, "c004", "2026-11-03") == "office"


def test_entries_for_someone_not_on_the_roster_are_named_once(ws):
    Book(ws).checkin("c099", "2026-11-03T08:00").checkin("c099", "2026-11-03T14:30").write()
    result = audit(ws, MONTH)
    (notice,) = [n for n in result.notices if "c099" in n]
    assert "ledgers/2026-11.yaml:2" in notice
    assert "c099" not in {c.cadre for c in result.cadres}


def test_a_voided_cancellation_restores_the_leave(ws):
    record.leave(ws, "c004", "2026-11-10", "2026-11-12", "病假", "c002", None)
    (cancel,) = record.leave_cancel(ws, "c004", "2026-11-11T12:00", None)
    record.void(ws, cancel, "销假录错", None)
    result = audit(ws, MONTH)
    (c,) = [c for c in result.cadres if c.cadre == "c004"]
    assert next(d for d in c.days if d.date == dt.date(2026, 11, 12)).slots["morning"] == "leave"


def test_a_leave_from_last_month_cancelled_this_month(ws):
    record.leave(ws, "c004", "2026-10-28", "2026-11-13", "病假", "c002", None)
    record.leave_cancel(ws, "c004", "2026-11-05T12:00", None)  # written beside the leave, in October's file
    result = audit(ws, MONTH)
    (c,) = [c for c in result.cadres if c.cadre == "c004"]
    slots = {d.date.day: d.slots for d in c.days}
    assert slots[4]["afternoon"] == "leave" and slots[5]["morning"] == "leave"
    assert slots[5]["afternoon"] == "missing" and slots[6]["morning"] == "missing"


def test_other_months_lines_are_picked_by_date_kind_and_shape():
    data = "\n".join([
        "# zoudu ledger 2026-09",
        '- {"at": "2026-09-27T08:00:00+08:00", "kind": "checkin"}',
        '- {"at": "2026-09-28T08:00:00+08:00", "kind": "checkin"}',
        '- {"at": "2026-09-10T08:00:00+08:00", "kind": "void", "target": "x"}',
        '- {"approver": "c001", "at": "2026-09-01T00:00:00+08:00", "kind": "leave"}',
        "- {kind: checkin, at: '2026-09-02T08:00:00+08:00'}",
        '- {"at": "2026-09-11T08:00:00+08:00", "kind": "leave_cancel", "leave": "y"}',
        "",
    ]).encode()
    picked = pick_days(data, {b"2026-09-28"})
    assert [n for n, _text, _complete in picked] == [3, 4, 5, 6, 7]
    mentions = pick_mentions(data, (b"leave", b"void"))
    assert [n for n, _text, _complete in mentions] == [4, 5, 7]


def test_a_time_stored_at_another_offset_is_read_in_the_workspace_zone(ws):
    # 2026-11-03 00:05 UTC is 08:05 in Shanghai; 2026-11-02 23:40 UTC is 07:40 on the 3rd
    with ws.lock():
        from zoudu.ledger import append

        path = ws.ledger_path(MONTH)
        append(path, ws.shown(path), [
            {"kind": "checkin", "cadre": "c003", "at": "2026-11-03T00:05:00+00:00",
             "recorded": "2026-11-03T00:05:30+00:00", "by": "clerk", "place": "党政办公室"},
            {"kind": "checkin", "cadre": "c004", "at": "2026-11-02T23:40:00+00:00",
             "recorded": "2026-11-02T23:41:00+00:00", "by": "clerk", "place": "党政办公室"},
        ])
    result = audit(ws, MONTH)
    assert morning(result, "c003", "2026-11-03") == "office"
    assert morning(result, "c004", "2026-11-03") == "office"
