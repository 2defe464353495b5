"""The line format: JSON that YAML reads the same way, hash chain, hand edits."""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings, strategies as st

from zoudu.ledger import record
from zoudu.ledger.lines import encode_line
from zoudu.ledger.lines.entry import decode_line
from zoudu.ledger.store import read_ledger

# Any text a person could type or paste: every plane, controls, YAML syntax, no lone surrogates.
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
yaml_syntax = st.sampled_from([": ", " #", "- ", "{", "[", "&a", "*a", "!!str", "'", '"', "\n", "\r\n", "yes", "no",
                               "on", "~", "null", "2026-11-03", "😀", "\u2028", "\u0085", "\ufeff", "\x7f", "\t"])
hostile = st.lists(st.one_of(any_text, yaml_syntax), max_size=6).map("".join)


@settings(max_examples=400)
@given(st.dictionaries(st.sampled_from(["name", "note", "witness", "village", "reason"]), hostile, max_size=5))
def test_json_and_yaml_read_every_line_alike(fields):
    line = encode_line(fields)
    assert line.count("\n") == 1 and line.endswith("\n")
    assert json.loads(line[2:]) == fields
    assert yaml.load(line, Loader=yaml.CSafeLoader) == [fields]
    assert yaml.safe_load(line) == [fields]


# What a command accepts: any text but the control codes that would drive a terminal
# (the commands refuse those; the line format itself carries them, see above).
typed = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n\r"), max_size=60)
typed_hostile = st.lists(st.one_of(typed, yaml_syntax.filter(lambda s: s not in ("\x7f", "\u0085"))),
                         max_size=6).map("".join)


def _a_name(s: str) -> bool:
    """A witness is a name: one line, no outer spaces, nothing that does not show (docs/trust-model.md)."""
    from zoudu.ledger.input_text import invisible_in

    return bool(s.strip()) and s == s.strip() and invisible_in(s) is None


@settings(max_examples=60, deadline=None)
@given(witness=typed_hostile.filter(_a_name), note=typed_hostile.filter(lambda s: s.strip()))
def test_hostile_text_round_trips_through_append_and_load(tmp_path_factory, witness, note):
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path_factory.mktemp("t") / "w")
    (entry_id,) = record.village(ws, "c003", "石庄村", witness, True, "2026-11-03T10:00", note, None)
    scan = read_ledger(ws.ledger_path("2026-11"), "ledgers/2026-11.yaml", check_chain=True)
    assert not scan.problems
    (entry,) = [e for e in scan.entries if e.id == entry_id]
    assert entry.data["witness"] == witness and entry.data["note"] == note
    whole = yaml.safe_load(ws.ledger_path("2026-11").read_text(encoding="utf-8"))
    assert whole[-1]["witness"] == witness and whole[-1]["note"] == note


def test_the_whole_file_is_a_yaml_list(ws):
    record.checkin(ws, ["c003", "c004"], "2026-11-03T08:00", None, None, None, None)
    record.void(ws, "2026-11-0001", "wrong cadre", None)
    text = ws.ledger_path("2026-11").read_text(encoding="utf-8")
    items = yaml.safe_load(text)
    assert [i["id"] for i in items] == ["2026-11-0001", "2026-11-0002", "2026-11-0003"]
    assert items[2]["kind"] == "void" and items[2]["target"] == "2026-11-0001"
    for item in items:
        assert {"at", "recorded", "by", "hash", "id", "kind"} <= set(item)


def test_a_line_reformatted_by_hand_is_still_read_and_still_verifies(ws):
    record.checkin(ws, ["c003"], "2026-11-03T08:00", None, None, None, None)
    path = ws.ledger_path("2026-11")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = json.loads(lines[-1][2:])
    # Same values, written the way a person would in YAML flow style: no JSON fast path.
    lines[-1] = "- {" + ", ".join(f"{k}: '{v}'" if isinstance(v, str) else f"{k}: {v}" for k, v in fields.items()) + "}\n"
    path.write_text("".join(lines), encoding="utf-8")
    scan = read_ledger(path, "ledgers/2026-11.yaml", check_chain=True)
    assert not scan.problems
    assert scan.entries[0].data == fields


def test_anchors_aliases_and_tags_in_a_hand_edited_line_are_refused(ws):
    record.checkin(ws, ["c003"], "2026-11-03T08:00", None, None, None, None)
    path = ws.ledger_path("2026-11")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("- {a: &x [1, 2], b: *x}\n- !!python/object:os.system {}\n")
    scan = read_ledger(path, "ledgers/2026-11.yaml")
    messages = [(p.line, p.message) for p in scan.problems]
    assert messages[0][0] == 3 and "anchors" in messages[0][1]
    assert messages[1][0] == 4 and "tags" in messages[1][1]


def test_decode_line_rejects_what_is_not_an_entry():
    import pytest

    from zoudu.errors import ZouduError

    with pytest.raises(ZouduError, match="x.yaml:7"):
        decode_line("just: text\n", "x.yaml:7")


scalar = st.one_of(hostile, st.integers(-10 ** 30, 10 ** 30), st.booleans(), st.none(),
                   st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile, inner, max_size=3),
                      max_leaves=6)


@settings(max_examples=400)
@given(st.dictionaries(st.sampled_from(["at", "by", "cadre", "id", "kind", "note", "present", "village", "zz"]),
                       values, max_size=7), hostile, st.sampled_from([" ", ", ", ": ", "x", "\u00a0"]),
       st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_the_fast_chain_check_vouches_for_the_values_and_nothing_else(fields, value, slip, prev):
    """``value_chain`` (verify's and the audit's fast check) says an entry chains only when
    ``chain_hash`` of its values says so: it may leave a line to the slow check (None), never
    pass one whose values were changed, were it by one space."""
    from zoudu.ledger.lines import chain_hash
    from zoudu.ledger.lines.entry import value_chain

    fields = dict(fields, id=fields.get("id", "2026-11-0001"))
    fields["hash"] = chain_hash(prev, fields)
    assert value_chain(fields, prev) in (None, fields["hash"])
    assert value_chain(json.loads(encode_line(fields)[2:]), prev) in (None, fields["hash"])
    for key in [k for k in fields if k != "hash"]:
        changed = dict(fields)
        changed[key] = value + slip if not isinstance(fields[key], str) else fields[key] + slip
        assert value_chain(changed, prev) is None
    assert value_chain(fields, "0" * 64 if prev != "0" * 64 else "1" * 64) is None
