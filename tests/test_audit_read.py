"""The audit reads every ledger line with one typed decoder (``zoudu.ledger.lines.typed.decode``: msgspec into
a ``Line``); a line it refuses falls back to the reader of every other command
(``zoudu.ledger.lines.entry.parse_line``). For any line at all, both paths must give the same
record and the same problems: property tests with hypothesis."""

from __future__ import annotations

from hypothesis import given, settings

from tests.support.ledger_lines import lines
from zoudu.ledger.lines import typed as read
from zoudu.ledger.lines import encode_line


@settings(max_examples=1500, deadline=None)
@given(lines())
def test_the_typed_decoder_gives_what_the_general_reader_gives(text):
    fast_problems: list = []
    general_problems: list = []
    fast = read.decode(text, "ledgers/2026-11.yaml", 7, fast_problems)
    general = read.general(text, "ledgers/2026-11.yaml", 7, general_problems)
    assert fast == general
    assert fast_problems == general_problems


def test_lines_the_tool_writes_take_the_typed_path():
    """The property above would hold if the typed decoder refused every line: this says it does not."""
    for kind, make in (("checkin", {"place": "党政办公室"}), ("village", {"village": "石庄村", "stay": True,
                                                                          "witness": "村民老王", "note": "走访"}),
                       ("leave", {"until": "2026-11-05T18:00:00+08:00", "leave_kind": "病假", "approver": "c001"})):
        line = encode_line({"id": "2026-11-0001", "kind": kind, "at": "2026-11-03T08:00:00+08:00",
                            "recorded": "2026-11-03T08:01:00+08:00", "by": "clerk", "cadre": "c003", "hash": "ab",
                            **make})
        decoded = read._DECODER.decode(line[2:].rstrip("\n").encode())
        assert decoded.kind == kind and decoded.cadre == "c003"


def test_where_is_always_where_the_line_was_read():
    line = encode_line({"id": "2026-11-0001", "kind": "checkin", "at": "2026-11-03T08:00:00+08:00",
                        "recorded": "2026-11-03T08:01:00+08:00", "by": "clerk", "cadre": "c003", "hash": "ab",
                        "place": "党政办公室", "where": "ledgers/forged.yaml:1"})
    assert read.decode(line.rstrip("\n"), "ledgers/2026-11.yaml", 12, []).where == "ledgers/2026-11.yaml:12"
