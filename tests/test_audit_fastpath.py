"""The line pass reads nine lines in ten through a fixed-shape pattern (``entries.FAST_LINE``)
instead of parsing them: for any lines at all, that shortcut must find exactly what parsing
every line finds. Property tests with hypothesis, against the pass with the pattern disabled."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.conftest import TZ, Clock, make_workspace
from zoudu.audit import entries, new_context
from zoudu.audit.entries import read_lines
from zoudu.audit.load import month_source
from zoudu.ledger.store import encode_line

MONTH = "2026-11"
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
NEVER = re.compile(r"(?!)")  # a pattern that matches no line: every line parsed in full

OFFSETS = [dt.timezone(dt.timedelta(hours=8)), dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)),
           dt.timezone(dt.timedelta(hours=9, minutes=30))]
# around the windows' edges (07:30-08:30, 14:00-15:00, 19:00-20:30) and elsewhere
CLOCKS = st.sampled_from([(7, 29, 59), (7, 30, 0), (8, 0, 0), (8, 30, 0), (8, 30, 1), (8, 31, 0), (13, 59, 59),
                          (14, 0, 0), (15, 0, 0), (15, 0, 1), (19, 0, 0), (20, 30, 0), (20, 30, 1), (23, 59, 59),
                          (0, 0, 0), (12, 0, 0)])
TEXT = st.text(alphabet=st.sampled_from(list('党政办公室石庄村老王 "\\\t\n:{}#-\'&*!%@`|>?,[]') + ["\u2028", "\x7f"]),
               max_size=8)
PLACES = st.one_of(st.sampled_from(["党政办公室", "县城", "党政办公室 ", ""]), TEXT)
VILLAGES = st.one_of(st.sampled_from(["石庄村", "富溪村", "官山村"]), TEXT)
CADRES = st.sampled_from(["c003", "c004", "c005", "c001", "c099"])


@st.composite
def moments(draw) -> dt.datetime:
    day = dt.date(2026, 10, 25) + dt.timedelta(days=draw(st.integers(0, 45)))  # the span and beyond
    hour, minute, second = draw(CLOCKS)
    local = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)
    return local.astimezone(draw(st.sampled_from(OFFSETS)))


def stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


@st.composite
def lines(draw) -> str:
    at = draw(moments())
    # entered late by around the grace (30 minutes), mostly at the same offset as the event
    # (8 hours and 10 minutes late, written at UTC, reads like 10 minutes at +08:00)
    late = draw(st.sampled_from([0, 59, 60, 29 * 60 + 59, 30 * 60, 30 * 60 + 1, 30 * 60 + 59, 31 * 60, 3600 + 120,
                                 8 * 3600 + 600, 86400 * 2, -60]))
    offset = at.tzinfo if draw(st.integers(0, 3)) else draw(st.sampled_from(OFFSETS))
    recorded = (at + dt.timedelta(seconds=late)).astimezone(offset)
    fields = {"id": f"2026-11-{draw(st.integers(1, 40)):04d}", "at": stamp(at), "recorded": stamp(recorded),
              "by": draw(st.one_of(st.just("clerk"), TEXT)), "cadre": draw(CADRES), "hash": "ab"}
    if draw(st.booleans()):
        fields.update(kind="checkin", place=draw(PLACES))
        if draw(st.integers(0, 5)) == 0:
            fields["approver"] = "c001"
    else:
        fields.update(kind="village", village=draw(VILLAGES), stay=draw(st.booleans()))
        witness = draw(st.one_of(st.none(), st.just("村民老王"), st.just(""), TEXT))
        if witness is not None:
            fields["witness"] = witness
        if draw(st.booleans()):
            fields["note"] = draw(TEXT)
    if draw(st.integers(0, 9)) == 0:
        fields = {"id": fields["id"], "kind": "void", "at": fields["at"], "recorded": fields["recorded"],
                  "by": "clerk", "hash": "ab", "target": f"2026-11-{draw(st.integers(1, 40)):04d}"}
    line = encode_line(fields).rstrip("\n")
    damage = draw(st.integers(0, 5))
    if damage == 0:  # a hand edit of a time: the event's or the entry's
        key = draw(st.sampled_from(["at", "recorded"]))
        stamp_text = fields[key]
        line = line.replace(f'"{key}": "{stamp_text}"', f'"{key}": "' + draw(st.sampled_from([
            stamp_text[:19], stamp_text.replace("T0", "T"), "2026-11-31" + stamp_text[10:],
            "2026-02-30" + stamp_text[10:], stamp_text[:11] + "24" + stamp_text[13:]])) + '"', 1)
    elif damage == 1:  # a raw control character or a broken escape
        line = line.replace('"by": "', draw(st.sampled_from(['"by": "\t', '"by": "\\q'])), 1)
    return line


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("fast") / "township", Clock(NOW))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(lines(), min_size=5, max_size=30))
def test_the_shortcut_finds_what_parsing_every_line_finds(township, monkeypatch, written):
    data = ("# zoudu ledger 2026-11\n" + "\n".join(written) + "\n").encode()
    ctx = new_context(township, MONTH, NOW)

    def read() -> str:
        src = month_source(f"ledgers/{MONTH}.yaml", data)
        return repr(read_lines(ctx, [(src, src.lines)]))

    fast = read()
    monkeypatch.setattr(entries, "FAST_LINE", NEVER)
    assert read() == fast
    monkeypatch.undo()


def test_lines_the_tool_writes_take_the_shortcut(township):
    """The property above would hold with a pattern that never matches: this says it does match."""
    signin = encode_line({"id": "2026-11-0001", "kind": "checkin", "at": "2026-11-03T08:00:00+08:00",
                          "recorded": "2026-11-03T08:01:00+08:00", "by": "clerk", "cadre": "c003", "hash": "ab",
                          "place": "党政办公室"})
    visit = encode_line({"id": "2026-11-0002", "kind": "village", "at": "2026-11-03T10:00:00+08:00",
                         "recorded": "2026-11-03T18:00:00+08:00", "by": "clerk", "cadre": "c003", "hash": "ab",
                         "village": "石庄村", "stay": True, "witness": "村民老王", "note": "走访"})
    assert entries.FAST_LINE.fullmatch(signin.rstrip("\n")) and entries.FAST_LINE.fullmatch(visit.rstrip("\n"))


@pytest.mark.parametrize("at, recorded", [
    ("2026-11-03T08:00:00+08:00", "2026-11-03T08:00:59+08:00"),
    ("2026-11-03T08:00:00+08:00", "2026-11-03T08:29:59+08:00"),
    ("2026-11-03T08:00:00+08:00", "2026-11-03T08:30:00+08:00"),  # exactly the grace: on time
    ("2026-11-03T08:00:00+08:00", "2026-11-03T08:30:01+08:00"),  # a second past it: a backfill
    ("2026-11-03T08:00:59+08:00", "2026-11-03T08:30:58+08:00"),
    ("2026-11-03T08:00:00+08:00", "2026-11-03T08:10:00+00:00"),  # reads like 10 minutes; is 8 h 10 min
    ("2026-11-03T00:10:00+00:00", "2026-11-03T08:15:00+08:00"),  # another offset, 5 minutes
    ("2026-11-03T08:20:00+08:00", "2026-11-03T08:10:00+08:00"),  # entered before it happened
    ("2026-11-03T19:50:00+08:00", "2026-11-04T00:10:00+08:00"),
])
def test_the_shortcut_for_on_time_entries_agrees_at_its_edges(township, monkeypatch, at, recorded):
    line = encode_line({"id": "2026-11-0001", "kind": "checkin", "at": at, "recorded": recorded, "by": "clerk",
                        "cadre": "c003", "hash": "ab", "place": "党政办公室"})
    data = ("# zoudu ledger 2026-11\n" + line).encode()
    ctx = new_context(township, MONTH, NOW)

    def read():
        src = month_source(f"ledgers/{MONTH}.yaml", data)
        return read_lines(ctx, [(src, src.lines)])

    fast = read()
    monkeypatch.setattr(entries, "FAST_LINE", NEVER)
    slow = read()
    assert repr(fast) == repr(slow)
    late = dt.datetime.fromisoformat(recorded) - dt.datetime.fromisoformat(at) > dt.timedelta(minutes=30)
    assert bool(fast.backfilled) == late
