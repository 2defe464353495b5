"""Evidence cites only what bears on the finding; times keep their seconds when they matter;
settings at the edge of what the loader allows do not crash the audit."""

from __future__ import annotations

import pytest

from tests.support.book import Book, found, workspace_at
from zoudu.audit import audit_month
from zoudu.ledger.workspace import Workspace

MONTH = "2026-11"
FILE = "ledgers/2026-11.yaml"


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def audit(ws, **settings):
    fresh = Workspace(ws.root, clock=ws.clock)
    if settings:
        fresh = fresh.replace(settings=fresh.settings._replace(**settings))
    return audit_month(fresh, MONTH)


def missing(result, cadre: str, day: str) -> dict[str, tuple[str, ...]]:
    """slot -> evidence of that day's signin.missing findings."""
    return {v.slot: v.evidence for v in found(result, "signin.missing", cadre) if v.date.isoformat() == day}


def test_a_wrong_place_sign_in_is_cited_only_for_its_own_slot(ws):
    (wrong,) = Book(ws).checkin("c003", "2026-11-03T08:00", place="县城家中").write()
    result = audit(ws)
    slots = missing(result, "c003", "2026-11-03")
    assert set(slots) == {"morning", "afternoon", "evening"}
    line = f"{FILE}:2"
    assert line in slots["morning"]
    assert line not in slots["afternoon"] and line not in slots["evening"]
    (v,) = found(result, "signin.wrong_place", "c003")
    assert v.evidence == (line,)


def test_an_evening_sign_in_at_the_wrong_place_is_cited_for_the_evening_only(ws):
    Book(ws).checkin("c003", "2026-11-03T19:30", place="县城家中").write()
    slots = missing(audit(ws), "c003", "2026-11-03")
    assert f"{FILE}:2" in slots["evening"]
    assert f"{FILE}:2" not in slots["morning"] and f"{FILE}:2" not in slots["afternoon"]


def test_a_sign_in_outside_every_window_is_cited_by_its_own_finding_only(ws):
    Book(ws).checkin("c003", "2026-11-03T11:00").checkin("c004", "2026-11-03T11:00", place="县城家中").write()
    result = audit(ws)
    for cadre, line in (("c003", f"{FILE}:2"), ("c004", f"{FILE}:3")):
        slots = missing(result, cadre, "2026-11-03")
        assert set(slots) == {"morning", "afternoon", "evening"}
        assert not any(line in evidence for evidence in slots.values())
        (v,) = found(result, "signin.outside_window", cadre)
        assert v.evidence == (line,)


def test_a_village_visit_without_witness_is_cited_for_the_day_not_the_night(ws):
    Book(ws).village("c003", "2026-11-03T10:00", "石庄村", witness=None).write()
    slots = missing(audit(ws), "c003", "2026-11-03")
    line = f"{FILE}:2"
    assert line in slots["morning"] and line in slots["afternoon"] and line not in slots["evening"]


def test_a_village_stay_without_witness_is_cited_for_the_night_too(ws):
    Book(ws).village("c003", "2026-11-03T21:00", "石庄村", witness=None, stay=True).write()
    slots = missing(audit(ws), "c003", "2026-11-03")
    assert all(f"{FILE}:2" in slots[slot] for slot in ("morning", "afternoon", "evening"))


def test_a_rejected_sign_in_on_friday_afternoon_is_cited_for_the_study_session(ws):
    Book(ws).checkin("c003", "2026-11-06T14:30", place="县城家中").checkin("c003", "2026-11-06T08:00",
                                                                        place="县城家中").write()
    result = audit(ws)
    (study,) = [v for v in found(result, "study.missed", "c003") if v.date.isoformat() == "2026-11-06"]
    assert f"{FILE}:2" in study.evidence and f"{FILE}:3" not in study.evidence


@pytest.mark.parametrize("clock, shown, not_shown", [
    ("20:30:30", "20:30:30", None),
    ("20:31:00", "20:31", "20:31:00"),
    ("06:59:59", "06:59:59", None),
])
def test_outside_window_shows_seconds_when_they_matter(ws, clock, shown, not_shown):
    Book(ws).checkin("c003", f"2026-11-03T{clock}").write()
    (v,) = found(audit(ws), "signin.outside_window", "c003")
    assert f"at {shown} " in v.message and "20:30)" in v.message
    if not_shown:
        assert not_shown not in v.message


def test_the_last_second_of_a_window_is_inside_it(ws):
    Book(ws).checkin("c003", "2026-11-03T20:30:00").write()
    result = audit(ws)
    assert not found(result, "signin.outside_window", "c003")
    assert "evening" not in missing(result, "c003", "2026-11-03")


@pytest.mark.parametrize("minutes", [99999999999999999999, 10 ** 9, -99999999999999999999])
def test_a_huge_backfill_grace_does_not_crash_the_audit(ws, minutes):
    Book(ws).checkin("c003", "2026-11-03T08:00", recorded="2026-11-20T08:00").write()
    result = audit(ws, backfill_grace_minutes=minutes)
    backfilled = found(result, "signin.backfilled", "c003")
    assert bool(backfilled) == (minutes < 0)
    assert ("morning" in missing(result, "c003", "2026-11-03")) == (minutes < 0)  # a backfill covers nothing


def test_a_huge_weekly_quota_is_prorated_in_whole_numbers():
    from zoudu.audit.coverage import prorate

    assert prorate(10 ** 400, 3, 10 ** 401) == 3 * 10 ** 400 // 5
    assert prorate(5, 3, 5) == 3 and prorate(4, 3, 2) == 2 and prorate(3, 1, 5) == 1


def test_a_grace_the_loader_refuses_is_a_usage_error_not_a_crash(cli, ws):
    rules = ws.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("backfill_grace_minutes: 30", "backfill_grace_minutes: 99999999999999999999"),
                     encoding="utf-8")
    assert rules.read_text(encoding="utf-8") != text
    r = cli("audit", "--month", MONTH, "--format", "json", root=ws.root)
    assert r.returncode in (0, 1, 2), r.stderr
    assert "Traceback" not in r.stderr and "OverflowError" not in r.stderr


def test_a_late_entry_is_reported_in_days_and_hours_not_thousands_of_minutes():
    from zoudu import i18n
    from zoudu.audit.rules.base import duration

    assert duration(35069) == "24 day(s) 8 hour(s) 29 minute(s)"
    assert duration(45) == "45 minute(s)"
    i18n.set_explicit("zh")
    assert duration(35069) == "24天8小时29分钟"
