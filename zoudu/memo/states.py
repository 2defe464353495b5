"""The JSON states of a check over one ledger file (docs/architecture.md#caches): ``chain`` (how far
``zoudu.ledger.chain`` checked a file's hash chain) and ``verified`` (a month ``zoudu verify`` found
clean). Each is kept by the file's absolute path, names the format, the code key and the path, and
carries the MAC of ``zoudu.memo.store``. Imports nothing of zoudu but the storage and ``zoudu.system``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import BinaryIO, Callable

from zoudu import system
from zoudu.memo.store import FORMAT, _cache_dir, _code_key, mac

_STATES_KEPT = 64  # JSON states kept of each kind (one per ledger file looked at recently)


def _state_bytes(state: dict) -> bytes:
    import json

    return json.dumps({k: v for k, v in state.items() if k != "mac"}, sort_keys=True).encode()


def _signed_state(state: dict) -> dict | None:
    """``state`` (a JSON object) with its MAC; None when there is no key (then it is not kept)."""
    tag = mac(_state_bytes(state))
    return None if tag is None else dict(state, mac=tag.hex())


def _state_ok(state: dict) -> bool:
    """Was ``state`` kept by ``_signed_state`` under this cache's key, unchanged since?"""
    tag, given = mac(_state_bytes(state)), state.get("mac")
    return tag is not None and isinstance(given, str) and hmac.compare_digest(tag.hex(), given)


def _state_path(kind: str, path: Path) -> Path | None:
    folder = _cache_dir()
    if folder is None:
        return None
    key = hashlib.sha256(str(path.absolute()).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return folder / f"{kind}-{key}.json"


def _read_state(kind: str, path: Path) -> dict | None:
    """The state of ``kind`` kept for ``path``: None when absent, unreadable, not an object, not
    kept by zoudu under this cache's key (written by hand), or by another version or code."""
    import json

    where = _state_path(kind, path)
    if where is None:
        return None
    try:
        with open(where, "rb") as fh:
            state = json.loads(fh.read(1 << 16))
        if not (isinstance(state, dict) and _state_ok(state)):
            return None
        if (state.get("format"), state.get("code"), state.get("path")) != (FORMAT, _code_key(), str(path.absolute())):
            return None
        return state
    except Exception:  # absent, unreadable, not JSON: worked out again
        return None


def _keep_state(kind: str, path: Path, state: dict) -> None:
    import json

    where = _state_path(kind, path)
    if where is None:
        return
    signed = _signed_state(dict(state, format=FORMAT, code=_code_key(), path=str(path.absolute())))
    if signed is None:
        return
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp = where.with_name(f"{where.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(signed), encoding="utf-8")
        system.replace(tmp, where, durable=False)
        states = sorted(where.parent.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in states[_STATES_KEPT:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass


def chain_state(path: Path) -> dict | None:
    """How far the hash chain of the ledger file at ``path`` was checked (``zoudu.ledger.chain``):
    ``length`` bytes whose SHA-256 is ``sha256``, ending at chain head ``head`` after ``lines``
    lines, the first break ``break``. The caller hashes the file's first ``length`` bytes and uses
    the state only if they are unchanged."""
    state = _read_state("chain", path)
    if state is None:
        return None
    try:
        if (not isinstance(state["length"], int) or state["length"] < 0 or not isinstance(state["lines"], int)
                or not isinstance(state["head"], str) or not isinstance(state["sha256"], str)
                or not (state["break"] is None or isinstance(state["break"], int))):
            return None
    except KeyError:
        return None
    return state


def keep_chain_state(path: Path, length: int, sha256: str, head: str, lines: int, first_break: int | None) -> None:
    _keep_state("chain", path, {"length": length, "sha256": sha256, "head": head, "lines": lines,
                                "break": first_break})


class Verified:
    """What ``zoudu verify`` found clean, per ledger file (the ``verified`` JSON state).

    Keyed by the file's path and checked against its size and SHA-256, the roster's SHA-256 and
    zoudu's code: any change is a miss and the month is verified in full. ``roster`` is the roster
    file's path; ``open_file`` opens a ledger file for reading in binary."""

    def __init__(self, roster: Path, open_file: Callable[[Path], BinaryIO]) -> None:
        self._open = open_file
        try:
            self.roster = hashlib.sha256(roster.read_bytes()).hexdigest()
        except OSError:
            self.roster = None

    def _digest(self, path: Path) -> tuple[int, str]:
        digest = hashlib.sha256()
        size = 0
        with self._open(path) as fh:
            while block := fh.read(1 << 22):
                digest.update(block)
                size += len(block)
        return size, digest.hexdigest()

    def lookup(self, path: Path) -> tuple[int, str] | None:
        """(entries, chain head) of the file at ``path`` if it was found clean as it stands."""
        if self.roster is None:
            return None
        state = _read_state("verified", path)
        try:
            if state is None or state["roster"] != self.roster or state["size"] != path.stat().st_size:
                return None
            if self._digest(path) != (state["size"], state["sha256"]):
                return None
            entries, head = state["entries"], state["head"]
            if not (isinstance(entries, int) and isinstance(head, str)):
                return None
            return entries, head
        except (KeyError, TypeError, OSError):
            return None

    def remember(self, path: Path, size: int, digest: str, entries: int, head: str) -> None:
        """Keep what was found clean for the bytes read (``size`` and their SHA-256 ``digest``)."""
        if self.roster is not None:
            _keep_state("verified", path, {"roster": self.roster, "size": size, "sha256": digest,
                                           "entries": entries, "head": head})
