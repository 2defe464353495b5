"""The cache table of docs/architecture.md names every kind of cache the code keeps, and only those: a
kind added, renamed or dropped in zoudu/ without its row (its key, what invalidates it) fails here."""

from __future__ import annotations

import re

from tests.conftest import REPO

# How the code names a kind: cache.cached/load/store/file_key/key_of("kind", ...), and the JSON states
# of chain.py and verify.py (_state_path(path, "kind"), "chain" by default).
USES = re.compile(r'\b(?:cached|load|store|file_key|key_of)\(\s*"([a-z0-9-]+)"'
                  r'|_state_path\([^,()]+,\s*"([a-z0-9-]+)"\)'
                  r'|def _state_path\([^)]*kind: str = "([a-z0-9-]+)"')


def kinds_in_code() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "zoudu").rglob("*.py"):
        for m in USES.finditer(path.read_text(encoding="utf-8")):
            found.add(next(g for g in m.groups() if g))
    return found


def kinds_in_table() -> set[str]:
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page.split("\n## Caches\n", 1)[1].split("\n## ", 1)[0]
    found: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            found |= set(re.findall(r"`([a-z0-9-]+)`", line.split("|")[1]))
    return found


def test_the_code_keeps_caches_of_several_kinds():
    assert len(kinds_in_code()) >= 5, kinds_in_code()


def test_every_kind_the_code_keeps_has_a_row():
    missing = kinds_in_code() - kinds_in_table()
    assert not missing, f"docs/architecture.md#caches has no row for {sorted(missing)}"


def test_every_row_is_a_kind_the_code_keeps():
    stale = kinds_in_table() - kinds_in_code()
    assert not stale, f"docs/architecture.md#caches names kinds the code no longer keeps: {sorted(stale)}"
