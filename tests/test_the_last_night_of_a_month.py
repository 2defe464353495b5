"""The last night of a month, signed after midnight: a stay written between midnight and the end
of the morning window on the 1st sits in the next month's ledger file, and covers the evening of
the month's last day. The audit of that month reads the early hours of the next month's file for
it (docs/choices.md#the-last-night-of-a-month); a sealed month reads them only as far as its seal
counted, and a closed month's kept result is not used once such a stay is added."""

from __future__ import annotations

import pytest

from tests.support.book import Book, workspace_at
from tests.support.verdicts import audit_json, cadre_of, found, week_of
from tests.support.workspace import own_cache

NOVEMBER = "2026-11"  # Monday 30 November is its last day; its week (Thursday 3 December) is December's


@pytest.fixture
def ws(tmp_path, monkeypatch):
    own_cache(monkeypatch, tmp_path)
    return workspace_at(tmp_path / "w", "2026-12-05T09:00")


def last_day_in_the_office(ws) -> Book:
    return Book(ws).checkin("c003", "2026-11-30T08:00").checkin("c003", "2026-11-30T14:30")


def evening_missing(obj, day="2026-11-30") -> bool:
    return bool(found(obj, "c003", "signin.missing", day, "evening"))


def test_a_stay_signed_at_one_on_the_first_covers_the_months_last_evening(cli, ws):
    book = last_day_in_the_office(ws)
    book.village("c003", "2026-12-01T01:00", "石庄村", stay=True)  # in ledgers/2026-12.yaml
    book.write()
    obj = audit_json(cli, ws, NOVEMBER)
    assert not evening_missing(obj)
    assert not found(obj, "c003", "signin.missing", "2026-11-30")
    assert not [v for v in obj["violations"] if v["cadre"] == "c003" and v["date"] == "2026-12-01"]


def test_a_stay_on_the_first_after_the_morning_window_is_the_firsts_own(cli, ws):
    book = last_day_in_the_office(ws)
    book.village("c003", "2026-12-01T09:00", "石庄村", stay=True)  # the evening of 1 December
    book.write()
    assert evening_missing(audit_json(cli, ws, NOVEMBER))


def test_a_crossing_week_reads_the_night_after_its_last_day(cli, ws):
    """October 2026 ends on a Saturday: its last week runs to Sunday 1 November, whose night a stay
    written at 01:00 on Monday 2 November covers (it is the week's fourth night)."""
    book = Book(ws)
    for day in ("2026-10-26", "2026-10-27", "2026-10-28"):
        book.village_day("c003", day, "石庄村")
    book.day("c003", "2026-10-29", evening=False).day("c003", "2026-10-30", evening=False)
    book.write()
    before = audit_json(cli, ws, "2026-10")
    assert week_of(before, "c003", "2026-W44")["nights"] == [4, 3]
    Book(ws).village("c003", "2026-11-02T01:00", "石庄村", stay=True).write()
    after = audit_json(cli, ws, "2026-10")
    assert week_of(after, "c003", "2026-W44")["nights"] == [4, 4]
    assert "2026-W44" not in [v["week"] for v in found(after, "c003", "week.nights")]


def test_a_stay_added_after_a_closed_months_result_was_kept_is_seen(cli, ws, monkeypatch):
    import zoudu.audit as audit_pkg

    last_day_in_the_office(ws).write()
    before = audit_json(cli, ws, NOVEMBER)
    assert evening_missing(before)
    runs = []
    real = audit_pkg._audit
    monkeypatch.setattr(audit_pkg, "_audit", lambda *a, **k: runs.append(1) or real(*a, **k))
    Book(ws).checkin("c003", "2026-12-03T08:00").write()  # later in the next month: the kept result stands
    assert audit_json(cli, ws, NOVEMBER) == before and runs == []
    Book(ws).village("c003", "2026-12-01T01:00", "石庄村", stay=True).write()
    after = audit_json(cli, ws, NOVEMBER)
    assert runs == [1]
    assert not evening_missing(after)
    assert cadre_of(after, "c003")["nights"] == cadre_of(before, "c003")["nights"] + 1


@pytest.fixture
def key(tmp_path) -> dict[str, str]:
    return {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}


def sealed_township(cli, tmp_path, key):
    from tests.support.cli import township_by_cli

    root = township_by_cli(cli, tmp_path / "t")
    for at in ("2026-11-30 08:00", "2026-11-30 14:30"):
        r = cli("checkin", "c003", "--at", at, "--approver", "c001", "--reason", "停电", root=root)
        assert r.returncode == 0, r.stderr
    assert cli("keys", "init", root=root, env=key).returncode == 0
    return root


def stay_at_one(cli, root):
    r = cli("village", "c003", "--village", "石庄村", "--witness", "村民老王", "--stay", "--at", "2026-12-01 01:00",
            "--approver", "c001", "--reason", "日记补录", root=root)  # approved: late or not, whenever this runs
    assert r.returncode == 0, r.stderr


class Audited:
    def __init__(self, cli, root):
        self.cli, self.root = cli, root

    def __call__(self) -> dict:
        import json

        r = self.cli("audit", "--month", NOVEMBER, "--format", "json", root=self.root)
        assert r.returncode in (0, 1), r.stderr
        return json.loads(r.stdout)


def test_a_sealed_month_counts_the_stay_recorded_before_its_seal(cli, tmp_path, key):
    root = sealed_township(cli, tmp_path, key)
    stay_at_one(cli, root)
    audited = Audited(cli, root)
    unsealed = audited()
    assert not evening_missing(unsealed)
    assert cli("seal", "--month", NOVEMBER, root=root, env=key).returncode == 0
    sealed = audited()
    assert sealed["rules"].startswith("ledgers/rules/")
    assert sealed["violations"] == unsealed["violations"]


def test_a_stay_recorded_after_the_seal_changes_no_sealed_verdict(cli, tmp_path, key):
    root = sealed_township(cli, tmp_path, key)
    audited = Audited(cli, root)
    assert cli("seal", "--month", NOVEMBER, root=root, env=key).returncode == 0
    sealed = audited()
    assert evening_missing(sealed)
    stay_at_one(cli, root)
    after = audited()
    assert after["violations"] == sealed["violations"]
    assert evening_missing(after)


def test_a_stay_stored_at_another_utc_offset_covers_the_evening_too(cli, ws):
    """01:00 on the 1st in Beijing, written as 17:00 UTC the day before (a hand edit or another
    tool): in the next month's file, read for the month's last evening as the audit reads any time."""
    book = last_day_in_the_office(ws)
    book.pending["2026-12"].append({"kind": "village", "at": "2026-11-30T17:00:00+00:00",
                                    "recorded": "2026-11-30T17:05:00+00:00", "by": "clerk", "cadre": "c003",
                                    "village": "石庄村", "witness": "村民老王", "stay": True})
    book.write()
    assert not evening_missing(audit_json(cli, ws, NOVEMBER))

