"""A cache of checked ``rules.yaml`` and roster, so a sign-in does not pay for YAML.

Parsing and checking these hand-written files needs PyYAML (10 ms to import) on
every command a clerk runs. The checked result is kept in the user's cache
folder, keyed by the SHA-256 of the file's bytes and of zoudu's own code, so any
edit to the file or upgrade of zoudu is a miss and the file is read again. The
cache is only an accelerator: any problem with it means "read the file".
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")
_CODE_KEY: str | None = None


def _cache_dir() -> Path | None:
    if os.environ.get("ZOUDU_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zoudu"


def _code_key() -> str:
    """Changes whenever zoudu's modules change (mtime and size of each)."""
    global _CODE_KEY
    if _CODE_KEY is None:
        here = Path(__file__).parent
        stamp = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(here.glob("*.py"))]
        _CODE_KEY = hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]
    return _CODE_KEY


def cached(kind: str, data: bytes, shown_as: str, build: Callable[[], T]) -> T:
    """``build()``'s result for these exact bytes, from the cache when it has it."""
    folder = _cache_dir()
    if folder is None:
        return build()
    key = hashlib.sha256(b"\0".join([kind.encode(), shown_as.encode(), _code_key().encode(), data])).hexdigest()
    path = folder / f"{kind}-{key}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # absent, unreadable or stale: read the file instead
        pass
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune(folder)
    except OSError:
        pass
    return value


def _prune(folder: Path, keep: int = 64) -> None:
    """Old versions of a file are never read again: keep only the newest few."""
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)
