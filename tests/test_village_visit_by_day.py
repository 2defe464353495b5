"""A village visit covers a day's slots only when its time lies between the morning
window's start and the evening window's start; a signature in the night covers no day slot."""

from __future__ import annotations

import pytest

from tests.support.book import Book, workspace_at
from tests.support.verdicts import audit_json, found


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def day_slots_missing(obj, day):
    return [v["slot"] for v in found(obj, "c003", "signin.missing", day) if v["slot"] != "evening"]


def test_a_signature_at_two_in_the_morning_covers_no_day_slot(cli, ws):
    Book(ws).village("c003", "2026-11-03T02:00", "石庄村").write()
    obj = audit_json(cli, ws)
    missing = found(obj, "c003", "signin.missing", "2026-11-03", "morning")
    assert day_slots_missing(obj, "2026-11-03") == ["morning", "afternoon"]
    assert "ledgers/2026-11.yaml:2" in missing[0]["evidence"]  # the entry is cited


def test_a_visit_in_the_evening_covers_no_day_slot(cli, ws):
    Book(ws).village("c003", "2026-11-03T19:00", "石庄村").write()
    assert day_slots_missing(audit_json(cli, ws), "2026-11-03") == ["morning", "afternoon"]


def test_a_visit_by_day_covers_both_day_slots(cli, ws):
    Book(ws).village("c003", "2026-11-03T07:30", "石庄村").village("c003", "2026-11-04T18:59", "石庄村").write()
    obj = audit_json(cli, ws)
    assert day_slots_missing(obj, "2026-11-03") == [] and day_slots_missing(obj, "2026-11-04") == []
