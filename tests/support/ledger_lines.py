"""Hypothesis strategies for ledger lines: entries of every kind the audit reads, as the tool
writes them, and hand edits of them (a field of another type, a time retyped, YAML)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from zoudu.ledger.lines import encode_line

TZ = dt.timezone(dt.timedelta(hours=8))
OFFSETS = [TZ, dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=9, minutes=30))]
CLOCKS = st.sampled_from([(7, 29, 59), (7, 30, 0), (8, 0, 0), (8, 30, 0), (8, 30, 1), (14, 0, 0), (20, 30, 1),
                          (23, 59, 59), (0, 0, 0), (12, 0, 0)])
TEXT = st.text(alphabet=st.sampled_from(list('党政办公室石庄村老王 "\\\t\n:{}#-\'&*!%@`|>?,[]') + ["\u2028", "\x7f"]),
               max_size=8)
ODD = st.one_of(st.none(), st.integers(-3, 3), st.booleans(), TEXT, st.lists(TEXT, max_size=2))
CADRES = st.sampled_from(["c003", "c004", "c001", "c099"])


@st.composite
def moments(draw) -> dt.datetime:
    day = dt.date(2026, 10, 25) + dt.timedelta(days=draw(st.integers(0, 45)))
    hour, minute, second = draw(CLOCKS)
    local = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)
    return local.astimezone(draw(st.sampled_from(OFFSETS)))


def stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


KINDS = {
    "checkin": lambda draw: {"place": draw(st.one_of(st.sampled_from(["党政办公室", "县城"]), TEXT)),
                             **({"approver": "c001", "reason": draw(TEXT)} if draw(st.booleans()) else {})},
    "village": lambda draw: {"village": draw(st.sampled_from(["石庄村", "富溪村"])), "stay": draw(st.booleans()),
                             **({"witness": draw(st.one_of(st.just("村民老王"), st.just(""), TEXT))}
                                if draw(st.booleans()) else {}),
                             **({"note": draw(TEXT)} if draw(st.booleans()) else {})},
    "leave": lambda draw: {"until": stamp(draw(moments())), "leave_kind": draw(st.sampled_from(["病假", "公出"])),
                           "approver": "c001"},
    "leave_cancel": lambda draw: {"leave": "2026-11-0003"},
    "void": lambda draw: {"target": f"2026-11-{draw(st.integers(1, 9)):04d}", "reason": draw(TEXT)},
    "inspection": lambda draw: {"present": ["c003"], "absent": ["c004"], "method": "phone", "inspector": "c002"},
    "report": lambda draw: {"rule": "conduct.cards", "source": draw(TEXT), "note": draw(TEXT)},
    "evaluation": lambda draw: {"month": "2026-11", "self": "优", "peer": "良", "public": draw(TEXT)},
}


@st.composite
def lines(draw) -> str:
    at = draw(moments())
    recorded = (at + dt.timedelta(seconds=draw(st.sampled_from([0, 59, 1800, 1801, 86400 * 2, -60])))).astimezone(
        draw(st.sampled_from(OFFSETS)))
    kind = draw(st.sampled_from(sorted(KINDS)))
    fields = {"id": f"2026-11-{draw(st.integers(1, 40)):04d}", "kind": kind, "at": stamp(at),
              "recorded": stamp(recorded), "by": draw(st.one_of(st.just("clerk"), TEXT)), "cadre": draw(CADRES),
              "hash": "ab", **KINDS[kind](draw)}
    if draw(st.integers(0, 4)) == 0:  # a hand edit: a field of another type, or missing, or a null
        key = draw(st.sampled_from(sorted(fields)))
        choice = draw(st.integers(0, 2))
        if choice == 0:
            fields[key] = draw(ODD)
        elif choice == 1:
            del fields[key]
        else:
            fields[draw(st.sampled_from(["place", "reason", "stay", "witness", "present", "self", "where"]))] = \
                draw(ODD)
    line = encode_line(fields).rstrip("\n")
    damage = draw(st.integers(0, 6))
    if damage == 0:  # a hand edit of a time
        key = draw(st.sampled_from(["at", "recorded"]))
        text = fields.get(key)
        if isinstance(text, str) and len(text) >= 19:
            line = line.replace(f'"{key}": "{text}"', f'"{key}": "' + draw(st.sampled_from([
                text[:19], text.replace("T0", "T"), "2026-11-31" + text[10:], "2026-02-30" + text[10:],
                text[:11] + "24" + text[13:], text.replace("+", "z+"), text[:19] + ".123456789" + text[19:],
                text.lower()])) + '"', 1)
    elif damage == 1:  # a raw control character or a broken escape
        line = line.replace('"by": "', draw(st.sampled_from(['"by": "\t', '"by": "\\q'])), 1)
    elif damage == 2:  # reformatted by hand as YAML flow, or with a duplicate key
        line = draw(st.sampled_from([line.replace('": ', '":  '), line.replace('{"at"', '{at'),
                                     line.replace('{"at": ', '{"kind": "checkin", "at": ')]))
    return line
