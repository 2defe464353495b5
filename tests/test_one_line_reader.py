"""One module reads ledger lines (``zoudu.ledger.lines``): its fast path (msgspec, the chain
checked from the decoded values) and its fallback (the standard library's JSON scanner, checked
YAML, ``chain_hash``) give the same entries, problems and chain head for any line; and a damaged
line is named at the same ``file:line`` by ``zoudu verify`` and by the audit."""

from __future__ import annotations

import json
from unittest import mock

import msgspec
from hypothesis import given, settings, strategies as st

from tests.support.book import Book, audit, workspace_at
from tests.support.ledger_lines import lines
from zoudu.ledger.lines import entry as reader
from zoudu.ledger.lines.typed import decode
from zoudu.ledger.chain import check_chain
from zoudu.ledger.lines import chain_hash, encode_line, genesis
from zoudu.ledger.lines.entry import Reading, decode_line
from zoudu.ledger.verify import verify

SHOWN, MONTH = "ledgers/2026-11.yaml", "2026-11"


def refused(_text):
    raise msgspec.DecodeError("the fast path is off")


def read(texts: list[str], fast: bool) -> tuple[list, list, str]:
    """(entries, problems, chain head) of ``texts`` read as one file, the fast path on or off."""
    def run():
        reading = Reading([(1, texts, True)], SHOWN, MONTH, check_chain=True)
        return list(reading), reading.problems, reading.head

    if fast:
        return run()
    with mock.patch.object(reader, "_FAST", refused):
        return run()


@st.composite
def chained(draw) -> list[str]:
    """Lines of a month's file: each hashed onto the one before as a reader decodes it (so a hand
    edit in YAML chains too), some with the hash left wrong, some not entries at all."""
    texts, prev = [], genesis(MONTH)
    for text in draw(st.lists(lines(), max_size=8)):
        try:
            fields = decode_line(text, SHOWN)
            stored = chain_hash(prev, fields)
        except Exception:  # not an entry, or not JSON-able: left as it is
            texts.append(text)
            continue
        if draw(st.integers(0, 5)) and '"hash": "ab"' in text:
            text = text.replace('"hash": "ab"', f'"hash": "{stored}"', 1)
            prev = stored
        texts.append(text)
    return texts


@settings(max_examples=400, deadline=None)
@given(chained())
def test_the_fast_path_and_the_fallback_read_the_same_entries_and_chain(texts):
    assert read(texts, fast=True) == read(texts, fast=False)


@settings(max_examples=400, deadline=None)
@given(lines())
def test_one_line_gives_the_same_entry_and_record_every_way(text):
    fast_problems: list = []
    entry = reader.parse_line(text, SHOWN, 7, fast_problems)
    with mock.patch.object(reader, "_FAST", refused):
        slow_problems: list = []
        assert reader.parse_line(text, SHOWN, 7, slow_problems) == entry
        assert slow_problems == fast_problems
    record = decode(text, SHOWN, 7, [])
    assert (record is None) == (entry is None)
    if entry is not None:
        assert (record.id, record.kind, record.at, record.recorded, record.by, record.cadre, record.hash,
                record.where) == (entry.id, entry.kind, entry.at, entry.recorded, entry.by, entry.cadre, entry.hash,
                                  entry.where)


def test_a_line_the_tool_writes_reads_the_same_as_json_and_as_yaml():
    fields = {"id": "2026-11-0001", "kind": "village", "at": "2026-11-03T10:00:00+08:00",
              "recorded": "2026-11-03T10:00:00+08:00", "by": "clerk", "cadre": "c003", "village": "石庄村",
              "witness": "王某: 李某", "note": "走访, 调解\u2028#", "stay": False}
    fields["hash"] = chain_hash(genesis(MONTH), fields)
    text = encode_line(fields).rstrip("\n")
    as_yaml = decode_line(text.replace("- {", "-   {", 1), SHOWN)  # not "- {": the YAML reader takes it
    assert as_yaml == json.loads(text[2:]) == fields
    (entry,), problems, head = read([text], fast=True)
    assert entry.data == fields and not problems and head == fields["hash"]


def damaged_month(tmp_path):
    """A month with one damaged line of each kind between good ones; the chain runs on past them."""
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    book = Book(ws)
    for day in range(2, 9):
        book.checkin("c003", f"2026-11-{day:02d}T08:00")
    book.write()
    path = ws.ledger_path(MONTH)
    rows = path.read_bytes().split(b"\n")  # [header, 7 entries, ""]
    third, fifth = json.loads(rows[3][2:]), json.loads(rows[5][2:])
    no_offset = dict(third, at=third["at"][:19])
    # hashed right onto the fifth, but not an entry: the chain goes on from the fifth, as verify reads it
    no_by = {k: v for k, v in fifth.items() if k != "by"}
    no_by["hash"] = chain_hash(fifth["hash"], no_by)
    edited = rows[7].replace(b"08:00:00+08:00", b"08:00:01+08:00", 1)  # the time moved a second
    rows = [b"\xef\xbb\xbf" + rows[0], rows[1], b"- {this is not an entry", rows[2],
            encode_line(no_offset)[:-1].encode(), rows[3], b"\xff\xfe not text", rows[4], b"", b"# a comment",
            rows[5], encode_line(no_by)[:-1].encode(), rows[6], edited, b"- {kind: [checkin], at: 2026-11-09}",
            b'- {"at": "2026-11-09T08:0']
    path.write_bytes(b"\n".join(rows))
    return ws


def test_damage_is_named_at_the_same_line_by_verify_and_by_the_audit(tmp_path):
    ws = damaged_month(tmp_path)
    report = verify(ws, months=[MONTH])
    said = sorted((p.file, p.line, p.code) for p in report.problems if p.file == SHOWN)
    result = audit(ws, MONTH)
    assert sorted((p.file, p.line, p.code) for p in result.problems) == said
    assert said == [(SHOWN, 1, "damaged"), (SHOWN, 3, "damaged"), (SHOWN, 5, "damaged"), (SHOWN, 7, "damaged"),
                    (SHOWN, 12, "damaged"), (SHOWN, 14, "chain"), (SHOWN, 15, "damaged"), (SHOWN, 16, "torn")]
    check = check_chain(ws.ledger_path(MONTH), SHOWN)
    assert check.where == f"{SHOWN}:14"
