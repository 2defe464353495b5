"""A closed month's audit result is kept in the cache (dossier and publish read many months): it is
used only while every file the audit may read, the settings and roster in use, the code and the
language are as they were. A month still running is never cached."""

from __future__ import annotations

import pytest

from tests.support.book import Book, found, kept_audit as audit, workspace_at
from tests.support.workspace import own_cache
from zoudu import i18n
from zoudu.ledger import record_roster

MONTH = "2026-11"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    own_cache(monkeypatch, tmp_path)
    return workspace_at(tmp_path / "w", "2026-12-10T09:00")


def entries(ws) -> list:
    return sorted((ws.root.parent / "cache" / "zoudu").glob("audit-*.msgpack"))


def test_a_closed_month_is_kept_and_read_back_equal(ws):
    Book(ws).day("c003", "2026-11-03").write()
    first = audit(ws, MONTH)
    assert len(entries(ws)) == 1
    assert audit(ws, MONTH) == first
    one = audit(ws, MONTH, "c003")
    assert one.cadres == tuple(c for c in first.cadres if c.cadre == "c003")
    assert one.violations == tuple(v for v in first.violations if v.cadre == "c003")


def test_an_entry_appended_later_is_seen(ws):
    before = audit(ws, MONTH)
    Book(ws).checkin("c003", "2026-11-03T08:00").write()
    after = audit(ws, MONTH)
    assert len(found(after, "signin.missing", "c003")) == len(found(before, "signin.missing", "c003")) - 1


def test_a_change_of_an_earlier_month_is_seen(ws):
    before = audit(ws, MONTH)
    Book(ws).add("leave", "2026-09-20T08:00", "c003", until="2026-11-20T23:59:00+08:00", leave_kind="病假",
                 approver="c001").write()
    assert len(found(audit(ws, MONTH), "signin.missing", "c003")) < len(found(before, "signin.missing", "c003"))


def test_rules_and_roster_changes_are_seen(ws):
    before = audit(ws, MONTH)
    rules = ws.root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("signin.outside_window: warning",
                                                               "signin.missing: warning"), encoding="utf-8")
    changed = audit(ws, MONTH)
    assert {v.severity for v in found(changed, "signin.missing")} == {"warning"} != {
        v.severity for v in found(before, "signin.missing")}
    record_roster.roster_add(ws, "c007", "新人", "干部", False, "c001", "石庄村", "2026-01-01")
    assert "c007" in {c.cadre for c in audit(ws, MONTH).cadres}


def test_each_language_has_its_own_result(ws):
    try:
        i18n.set_explicit("zh")
        zh = audit(ws, MONTH)
        i18n.set_explicit("en")
        en = audit(ws, MONTH)
    finally:
        i18n.set_explicit("en")
    assert zh.violations[0].message != en.violations[0].message
    assert "no office sign-in" in en.violations[0].message


def test_a_month_still_running_is_not_cached(tmp_path, monkeypatch):
    own_cache(monkeypatch, tmp_path)
    running = workspace_at(tmp_path / "w", "2026-11-20T09:00")
    audit(running, MONTH)
    assert not list((tmp_path / "cache" / "zoudu").glob("audit-*.msgpack"))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_closed_months_output_is_remembered_and_follows_every_change(cli, tmp_path, fmt):
    """``zoudu audit --format json|csv`` of a closed month is remembered whole (``zoudu.memo.stages.rendered``):
    the second run prints the same bytes, notices and exit status as the first; an entry
    appended since, or another language, is a miss, and gives what an audit without any
    cache gives."""
    from tests.support.cli import township_by_cli

    root = township_by_cli(cli, tmp_path / "w")
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ("audit", "--month", MONTH, "--format", fmt)
    first = cli(*args, root=root, env=cache)
    assert first.returncode == 1 and first.stdout
    assert list((tmp_path / "cache" / "zoudu").glob("shown-*.msgpack"))
    again = cli(*args, root=root, env=cache)
    assert (again.stdout, again.stderr, again.returncode) == (first.stdout, first.stderr, first.returncode)
    assert cli("checkin", "c003", "--at", "2026-11-03T08:00", "--approver", "c002", "--reason", "系统故障",
               root=root).returncode == 0
    after = cli(*args, root=root, env=cache)
    fresh = cli(*args, root=root, env={"ZOUDU_NO_CACHE": "1"})
    assert after.stdout != first.stdout
    assert (after.stdout, after.stderr, after.returncode) == (fresh.stdout, fresh.stderr, fresh.returncode)
    chinese = cli(*args, root=root, env=cache, lang="zh")
    assert chinese.stdout == cli(*args, root=root, env={"ZOUDU_NO_CACHE": "1"}, lang="zh").stdout != after.stdout


def test_each_cadres_part_of_a_kept_month_is_their_part_of_the_whole(tmp_path, monkeypatch):
    """One cadre of a closed month (the dossier's read) comes from the per-cadre copy kept next to
    the whole result: for every cadre it equals the whole result narrowed to them, liability
    both ways, reports and the unsupervised included."""
    import subprocess
    import sys

    from tests.conftest import REPO
    from zoudu import audit as audit_pkg
    from zoudu.memo import stages as memo
    from zoudu.ledger.workspace import Workspace

    own_cache(monkeypatch, tmp_path)
    root = tmp_path / "gen"
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_month.py"), str(root), "--scale", "1"], check=True,
                   capture_output=True)
    ws = Workspace(root)
    whole = audit_pkg.audit_month(ws, "2026-10", days=False)
    parts = audit_pkg.split(whole)
    assert set(parts) == {c.cadre for c in whole.cadres}
    assert any(p.liability for p in parts.values()) and any(p.reports for p in parts.values())
    for cadre, part in parts.items():
        assert part == audit_pkg.narrow(whole, cadre), cadre
    first = {c: memo.audit_month(ws, "2026-10", c, days=False) for c in list(parts)[:8]}
    assert list((tmp_path / "cache" / "zoudu").glob("audit-split-*.msgpack"))
    def never(*args, **kwargs):
        raise AssertionError("one cadre's part was worked out again instead of read from its copy")

    monkeypatch.setattr(memo, "_whole", never)
    monkeypatch.setattr(audit_pkg, "whole", never)
    for cadre, part in first.items():
        again = memo.audit_month(ws, "2026-10", cadre, days=False)
        assert part == parts[cadre] == again
        # times come back with the offset they were recorded with (msgpack's own timestamps are UTC)
        assert [str(t) for c in again.cadres for leave in c.leaves for t in leave[1:3]] == [
            str(t) for c in part.cadres for leave in c.leaves for t in leave[1:3]]


def test_the_next_months_sign_ins_after_the_crossing_week_keep_the_months_result(ws, monkeypatch):
    """The key of a closed month holds what its audit reads of the next month's file (the days of
    the last week that cross into it, its leave and voids), not that file's stamp: that file is
    the running month's and grows at every sign-in; only what the closed month reads changes it."""
    import zoudu.audit as audit_pkg

    october = "2026-10"  # its last week, Mon 26 Oct - Sun 1 Nov, is October's: the audit reads 1 November
    Book(ws).checkin("c003", "2026-11-01T08:00").write()
    before = audit(ws, october)
    runs = []
    real = audit_pkg.whole
    monkeypatch.setattr(audit_pkg, "whole", lambda *a, **k: runs.append(1) or real(*a, **k))
    Book(ws).checkin("c003", "2026-11-05T08:00").checkin("c004", "2026-11-06T08:00").write()
    assert audit(ws, october) == before and runs == []
    Book(ws).checkin("c004", "2026-11-01T14:30").write()  # a day of the crossing week
    audit(ws, october)
    assert runs == [1]
    Book(ws).add("leave", "2026-11-20T08:00", "c004", until="2026-11-21T23:59:00+08:00", leave_kind="病假",
                 approver="c001").write()  # the next month's leave lines are read whatever their date
    audit(ws, october)
    assert runs == [1, 1]
