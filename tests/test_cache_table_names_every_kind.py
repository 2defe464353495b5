"""The cache table of docs/architecture.md names every kind of cache zoudu keeps, and only those: the
kinds are ``zoudu.memo.KINDS``, the package that owns every cache; a kind added, renamed or dropped
there without its row (its key, what invalidates it) fails here, and so does a cache kept elsewhere."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO
from zoudu import memo
from zoudu.memo import store

# How memo's modules name a kind where they keep one: a msgpack entry (_cached, per_file, load, store, file_key, key_of)
# or a JSON state (_read_state, _keep_state).
USES = re.compile(r'\b(?:_cached|per_file|load|store|file_key|key_of|_read_state|_keep_state)\(\s*"([a-z0-9-]+)"')


MEMO = REPO / "zoudu" / "memo"  # the package that keeps every cache


def kinds_used() -> set[str]:
    found: set[str] = set()
    for path in MEMO.glob("*.py"):
        found |= set(USES.findall(path.read_text(encoding="utf-8")))
    return found


def kinds_in_table() -> set[str]:
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page.split("\n## Caches\n", 1)[1].split("\n## ", 1)[0]
    found: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            found |= set(re.findall(r"`([a-z0-9-]+)`", line.split("|")[1]))
    return found


def test_the_module_lists_the_kinds_it_keeps():
    assert kinds_used() == set(memo.KINDS), kinds_used() ^ set(memo.KINDS)
    assert len(memo.KINDS) >= 5


def test_every_kind_has_a_row():
    missing = set(memo.KINDS) - kinds_in_table()
    assert not missing, f"docs/architecture.md#caches has no row for {sorted(missing)}"


def test_every_row_is_a_kind_the_module_keeps():
    stale = kinds_in_table() - set(memo.KINDS)
    assert not stale, f"docs/architecture.md#caches names kinds zoudu no longer keeps: {sorted(stale)}"


def test_a_kind_not_listed_is_refused():
    with pytest.raises(ValueError):
        store.key_of("roster-v1", "ledgers/roster.yaml", b"")


def test_no_other_module_keeps_a_cache():
    """Only zoudu/memo/ looks at the cache folder or keeps an entry; the audit's modules do not name it."""
    assert MEMO.is_dir() and not (REPO / "zoudu" / "memo.py").exists()
    for path in (REPO / "zoudu").rglob("*.py"):
        if MEMO in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(REPO)
        assert 'user_folder("cache")' not in text and "_cache_dir" not in text, where
        assert not re.search(r"memo\.(?:load|store|key_of|file_key|_cached)\(", text), where
        assert not re.search(r"from zoudu\.memo\.store import [^\n]*\b(?:load|store|key_of|file_key|_cached)\b",
                             text), where
        if path.relative_to(REPO / "zoudu").parts[0] == "audit":
            assert "import memo" not in text and "from zoudu.memo" not in text, where
            # "cache" only in functools' in-process memo of a pure function, or a pointer to the table
            assert all("lru_cache" in line or "architecture.md#caches" in line
                       for line in text.splitlines() if "cache" in line.lower()), where
