"""Caches in ~/.cache/zoudu are data, never code: msgpack read back with its type, each entry
checked against its key, kind, source bytes and shape. A planted pickle, garbage, an entry
copied from another key or a forged roster is ignored: the file on disk decides."""

from __future__ import annotations

import pickle

import msgspec
import pytest

from tests.conftest import make_workspace
from tests.support.workspace import own_cache
from zoudu.memo import store as cache
from zoudu.ledger.roster import load_roster
from zoudu.ledger.settings import Settings, load_settings


class Planted:
    """Unpickling this creates a file: proof that a cache ran code."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def township(tmp_path, monkeypatch):
    own_cache(monkeypatch, tmp_path)
    return make_workspace(tmp_path / "township")


def roster_key(ws) -> tuple[str, str]:
    return cache.key_of("roster", ws.roster.path, (ws.root / "ledgers" / "roster.yaml").read_bytes())


def entry_path(kind: str, key: str):
    return cache._cache_dir() / f"{kind}-{key}.msgpack"


def read_roster(ws):
    return load_roster(ws.root / "ledgers" / "roster.yaml", "ledgers/roster.yaml")


def test_a_second_read_comes_from_the_cache_and_equals_the_file(township):
    first = read_roster(township)
    key, _source = roster_key(township)
    assert entry_path("roster", key).exists()
    assert read_roster(township) == first
    rules = township.root / "rules.yaml"
    assert load_settings(rules) == load_settings(rules)


@pytest.mark.parametrize("where", ["pickle", "msgpack"])
def test_a_planted_pickle_runs_no_code(township, tmp_path, where):
    marker = tmp_path / "pwned"
    key, _source = roster_key(township)
    folder = cache._cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(Planted(str(marker)))
    if where == "pickle":  # where zoudu kept its caches before
        (folder / f"roster-{key}.pickle").write_bytes(payload)
    else:
        entry_path("roster", key).write_bytes(payload)
    roster = read_roster(township)
    assert not marker.exists()
    assert [c.id for c in roster.cadres] == ["c001", "c002", "c003", "c004", "c005", "c006"]


def test_garbage_in_the_cache_is_ignored(township):
    key, _source = roster_key(township)
    folder = cache._cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for garbage in (b"", b"\xff" * 100, msgspec.msgpack.encode([2, "roster", key])):
        entry_path("roster", key).write_bytes(garbage)
        assert len(read_roster(township).cadres) == 6


def test_a_forged_roster_entry_is_ignored(township):
    """An entry with the right key and source hash, but a cadre taken out: the file has six."""
    real = read_roster(township)
    key, source = roster_key(township)
    forged = tuple(c for c in real.cadres if c.id != "c004")
    cache.store("roster", key, source, forged)
    assert [c.id for c in read_roster(township).cadres] == [c.id for c in real.cadres]


def test_an_entry_of_another_key_or_kind_is_ignored(township):
    read_roster(township)
    key, source = roster_key(township)
    rules_key, rules_source = cache.key_of("rules", "rules.yaml", (township.root / "rules.yaml").read_bytes())
    # a rules entry renamed as the roster's: the envelope names another kind and key
    load_settings(township.root / "rules.yaml")
    entry_path("roster", key).write_bytes(entry_path("rules", rules_key).read_bytes())
    assert len(read_roster(township).cadres) == 6
    # a value of another shape under the right envelope
    cache.store("roster", key, source, {"not": "cadres"})
    assert len(read_roster(township).cadres) == 6
    assert cache.load("roster", key, "0" * 64, Settings) is None  # built from other bytes: foreign


def test_an_edit_of_the_file_is_a_miss(township):
    before = read_roster(township)
    path = township.root / "ledgers" / "roster.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("王五", "王六"), encoding="utf-8")
    after = read_roster(township)
    assert [c.name for c in after.cadres] != [c.name for c in before.cadres]
    assert "王六" in [c.name for c in after.cadres]


def test_remembered_positions_of_marked_entries_follow_the_file(township):
    """``ledger.marks`` remembers where a file's entries of a kind are (seals, publications); an
    append is a miss, and a position planted in the cache gives only what the file holds there."""
    from zoudu.ledger import marks, record

    ws = township
    record.checkin(ws, ["c003"], "2026-11-26T08:01", None, None, None, None)
    path = ws.ledger_path("2026-11")
    shown = ws.shown(path)
    first = marks.marked_entries(path, shown, ("checkin",))
    assert [e.cadre for e in first] == ["c003"]
    assert cache.file_key("marks", path, shown, "checkin") is not None
    record.checkin(ws, ["c004"], "2026-11-26T08:02", None, None, None, None)
    assert [e.cadre for e in marks.marked_entries(path, shown, ("checkin",))] == ["c003", "c004"]
    # planted: offsets of the header line and of no line at all; and an entry of another kind
    key, source = cache.file_key("marks", path, shown, "seal")
    cache.store("marks", key, source, [(0, 1), (10 ** 9, 99)])
    assert marks.marked_entries(path, shown, ("seal",)) == []
    key, source = cache.file_key("marks", path, shown, "checkin")
    stored = cache.load("marks", key, source, list[tuple[int, int]])
    cache.store("marks", key, source, stored[:1] + [(0, 1)])
    assert [e.cadre for e in marks.marked_entries(path, shown, ("checkin",))] == ["c003"]


def test_a_seal_line_cut_off_before_its_line_break_is_no_seal(township):
    """A torn last line is set aside by ``verify --repair``, never read as an entry: the remembered
    positions of seal lines give only whole lines."""
    from zoudu.ledger import marks, record

    ws = township
    record.checkin(ws, ["c003"], "2026-11-26T08:01", None, None, None, None)
    path = ws.ledger_path("2026-11")
    whole = path.read_bytes()
    path.write_bytes(whole[:-1])  # the last line, without its line break
    assert marks.marked_entries(path, ws.shown(path), ("checkin",)) == []
    path.write_bytes(whole)
    assert len(marks.marked_entries(path, ws.shown(path), ("checkin",))) == 1
