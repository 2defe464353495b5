"""What the audit reads: damaged and hand-edited lines, strangers, voided cancellations,
and the lines it picks from other months' files."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings, strategies as st

from tests.conftest import run_cli
from zoudu.ledger.workspace import Workspace
from tests.support.book import perfect_week, Book, audit, found, workspace_at
from zoudu.ledger import record
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
    (cancel,) = record.leave_cancel(ws, "c004", "2026-11-11T12:00", "c004")
    record.void(ws, cancel, "销假录错", None)
    result = audit(ws, MONTH)
    (c,) = [c for c in result.cadres if c.cadre == "c004"]
    assert next(d for d in c.days if d.date == dt.date(2026, 11, 12)).slots["morning"] == "leave"


def test_a_leave_from_last_month_cancelled_this_month(ws):
    record.leave(ws, "c004", "2026-10-28", "2026-11-13", "病假", "c001", None)  # > 3 days: the secretary
    record.leave_cancel(ws, "c004", "2026-11-05T12:00", "c004")  # written beside the leave, in October's file
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
        from zoudu.ledger.append import append

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


# Lines shaped like the tool's but with what Python cannot read as a time (or as an entry):
# each is a damaged line, reported with file:line, counting for nothing; never a crash.
HOSTILE_TIMES = [
    '"at": "2026-11-04T8:00:00+08:00"',  # one-digit hour
    '"at": "2026-11-04T08:00:00"',  # no offset: could be any hour
    '"at": "2026-11-31T08:00:00+08:00"',  # no such day
    '"at": "2026-11-04T25:00:00+08:00"',
    '"at": "2026-11-04T08:00:00+08:00", "recorded": "2026-11-04T08:00:00"',
    '"at": "2026-11-04T08:00:00+08:00", "recorded": "2026-02-30T08:00:00+08:00"',
]


@pytest.mark.parametrize("times", HOSTILE_TIMES)
def test_a_sign_in_whose_time_cannot_be_read_is_damage_not_a_crash(ws, times):
    Book(ws).checkin("c003", "2026-11-03T08:00").write()
    fields = {"at": "", "by": "clerk", "cadre": "c004", "hash": "x", "id": "2026-11-0099", "kind": "checkin",
              "place": "党政办公室", "recorded": "2026-11-04T08:00:00+08:00"}
    line = "- " + json.dumps(fields, ensure_ascii=False).replace('"at": ""', times.split(", ")[0])
    if ", " in times:  # the recorded time too
        line = line.replace('"recorded": "2026-11-04T08:00:00+08:00"', times.split(", ")[1])
    append_raw(ws, MONTH, line + "\n")
    result = audit(ws, MONTH)
    assert [p.where for p in result.problems if p.code != "chain"] == ["ledgers/2026-11.yaml:3"]
    assert morning(result, "c004", "2026-11-04") == "missing"
    assert morning(result, "c003", "2026-11-03") == "office"
    done = run_cli("audit", "--month", MONTH, "--format", "json", root=ws.root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert run_cli("verify", root=ws.root).returncode == 1


@pytest.mark.parametrize("line", [
    '- {"at": "2026-11-04T08:00:00+08:00", "by": "cl\\qerk", "cadre": "c004", "hash": "x", "id": "2026-11-0099", '
    '"kind": "checkin", "place": "党政办公室", "recorded": "2026-11-04T08:00:00+08:00"}',  # not a JSON escape
    "- {? [a, b] : c}",  # YAML, but a list as a key
])
def test_a_line_neither_json_nor_an_entry_is_damage_not_a_crash(ws, line):
    Book(ws).checkin("c003", "2026-11-03T08:00").write()
    append_raw(ws, MONTH, line + "\n")
    result = audit(ws, MONTH)
    assert [p.where for p in result.problems if p.code != "chain"] == ["ledgers/2026-11.yaml:3"]
    assert morning(result, "c004", "2026-11-04") == "missing"
    assert run_cli("audit", "--month", MONTH, root=ws.root).returncode == 1


def test_a_leave_whose_end_has_no_offset_is_not_counted(ws):
    record.leave(ws, "c004", "2026-11-10", "2026-11-12", "病假", "c002", None)
    path = ws.ledger_path(MONTH)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"until": "2026-11-12T23:59:59+08:00"', '"until": "2026-11-12T23:59:59"'),
                    encoding="utf-8")
    assert '"until": "2026-11-12T23:59:59"' in path.read_text(encoding="utf-8")
    result = audit(ws, MONTH)
    assert any("until" in n for n in result.notices)
    assert morning(result, "c004", "2026-11-11") == "missing"
    # one rule for every reader: verify reports the line, recording another leave does not crash
    assert run_cli("verify", root=ws.root).returncode == 1
    done = run_cli("leave", "c004", "--from", "2026-11-20", "--to", "2026-11-21", "--approver", "c002",
                   root=ws.root)
    assert done.returncode in (0, 2) and "internal error" not in done.stderr, done.stderr


def test_a_raw_tab_is_read_as_yaml_as_verify_reads_it(ws):
    """JSON forbids a raw tab inside a string, YAML allows it: a hand edit, read by the general path."""
    Book(ws).checkin("c003", "2026-11-03T08:00").write()
    append_raw(ws, MONTH, '- {"at": "2026-11-04T08:00:00+08:00", "by": "clerk", "cadre": "c004", "hash": "x", '
                          '"id": "2026-11-0099", "kind": "checkin", "place": "党政\t办公室", '
                          '"recorded": "2026-11-04T08:00:00+08:00"}\n')
    result = audit(ws, MONTH)
    assert [p.code for p in result.problems] == ["chain"]
    assert [v.evidence for v in found(result, "signin.wrong_place", "c004")] == [("ledgers/2026-11.yaml:3",)]


LINE_PIECES = [b'- {"at": "2026-09-27T08:00:00+08:00", "kind": "checkin"}',
               b'- {"at": "2026-09-28T08:00:00+08:00", "kind": "checkin"}',
               b'- {"at": "2026-09-29T23:30:00+00:00", "kind": "checkin"}',
               b'- {"at": "2026-09-10T08:00:00+08:00", "kind": "void", "target": "x"}',
               b'- {"approver": "c001", "at": "2026-09-01T00:00:00+08:00", "kind": "leave"}',
               b"- {kind: checkin, at: '2026-09-02T08:00:00+08:00'}", b"# a comment", b"", b"   ",
               b'- {"at": "2026-09-11T08:00:00+08:00", "kind": "leave_cancel", "leave": "y"}', b"\xff\xfe"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=12), st.booleans(),
       st.binary(max_size=40).map(lambda junk: junk + b'\n- {"at": "2026-09-28 leave void\n'))
def test_picking_from_a_reused_buffer_sees_only_the_file(pieces, newline_at_end, junk):
    """The other months' files are read into one buffer (load.Reader): what lies past a file's
    end (an earlier, longer file's bytes) must never be picked."""
    data = b"\n".join(pieces) + (b"\n" if newline_at_end and pieces else b"")
    buffer = bytearray(data + junk)
    days, slack = {b"2026-09-28", b"2026-09-29"}, {b"2026-09-27", b"2026-09-30"}
    assert pick_days(buffer, days, b"+08:00", slack, len(data)) == pick_days(data, days, b"+08:00", slack)
    assert pick_mentions(buffer, (b"leave", b"void"), len(data)) == pick_mentions(data, (b"leave", b"void"))


def test_the_reader_reads_each_file_whole_into_one_buffer(tmp_path):
    from zoudu.audit.load import Reader

    long, short = tmp_path / "long.yaml", tmp_path / "short.yaml"
    long.write_bytes(b"x" * 5000 + b"\n")
    short.write_bytes(b"- {}\n")
    reader = Reader()
    buffer, end = reader.read(long)
    assert bytes(buffer[:end]) == long.read_bytes()
    again, end = reader.read(short)
    assert again is buffer and bytes(again[:end]) == b"- {}\n"  # the same memory, used again


def test_a_ledger_written_for_a_test_verifies(tmp_path):
    from zoudu.ledger.verify import verify

    ws = workspace_at(tmp_path / "w", "2026-11-30T22:00")
    book = Book(ws)
    perfect_week(book, "c003", dt.date(2026, 11, 2), "石庄村")
    ids = book.write()
    assert len(ids) == 3 + 3 + 3 + 2  # three village visits, their evenings, two office days (one evening)
    report = verify(Workspace(ws.root))
    assert not report.problems and report.entries == len(ids)
