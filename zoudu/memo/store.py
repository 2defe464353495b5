"""The storage of every cache (docs/architecture.md#caches), and the helpers the ledger's readers call.

Everything is kept in the user's cache folder (``~/.cache/zoudu``; none with
``ZOUDU_NO_CACHE``): DATA, never code. A value is kept as msgpack (``msgspec``) and read
back with its type (``schema``): a cache file can hold values of that shape and nothing
else, so it cannot run code (a pickle would) and cannot smuggle in another type.

Each entry is an envelope naming its format version, its kind, its key and the SHA-256 of
the source bytes it was built from; the key is the SHA-256 of the kind, the file as shown,
the code key (zoudu's modules AND its compiled translations) and the source bytes, so any
edit to the source, upgrade of zoudu or recompiled catalog is a miss. The settings a value
depends on are among its source bytes (``rules``: they are the source; ``audit``,
``printed``: as values). An entry is used only if the envelope decodes, every field matches
what is asked for, the value decodes as ``schema`` and ``check`` (a cheap look at the
source bytes, e.g. the roster's number of changes) accepts it. Anything else (garbage, a
foreign or planted file, a pickle) is ignored and the value worked out again: a cache is
only an accelerator.

Every entry (and every JSON state, ``zoudu.memo.states``) carries an HMAC-SHA256 under
a random key kept in the cache folder (``secret.key``, mode 0600, made on first use): a
file written by hand, or copied from another account's cache, is not used. The key is only
as secret as the account that owns the cache (docs/trust-model.md#what-is-not-protected);
``publish`` therefore trusts no cache for the month it publishes and checks that month's
file from its bytes.

This module imports nothing of zoudu but ``zoudu.system`` (and ``KINDS``): the ledger's modules
call it, so it must not reach the audit, publishing or the ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any, Callable, TypeVar

import msgspec

from zoudu import system
from zoudu.memo import KINDS

T = TypeVar("T")
FORMAT = 3  # the envelope's layout; 1 was pickle, never read; 2 kept times in UTC
_CODE_KEY: str | None = None
_KEEP = 1024  # entries kept: a few per ledger file (picks, marks, results), for years of months
_SECRET_FILE = "secret.key"
_SECRET_BYTES = 32
_TAG = 32  # bytes of HMAC-SHA256 after each msgpack entry
_SECRET: tuple[tuple, bytes] | None = None  # ((the cache folder, the key file's stamp), its key)


def _cache_dir() -> Path | None:
    if os.environ.get("ZOUDU_NO_CACHE"):
        return None
    return system.user_folder("cache") / "zoudu"


def _secret() -> bytes | None:
    """This cache folder's MAC key (made on first use, mode 0600); None when there is no cache or
    no usable key (a key readable by others, not a regular file): then no entry is trusted."""
    global _SECRET
    folder = _cache_dir()
    if folder is None:
        return None
    path = folder / _SECRET_FILE
    if _SECRET is not None and _SECRET[0] == (folder, _stamp(path)):  # the same file, unchanged since read
        return _SECRET[1]
    try:
        found = _read_secret(path)
        if found is None:
            # absent, or unusable (cut short, readable by others, not a file): a new key, and every
            # entry kept under the old one is simply not used again
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = folder / f"{_SECRET_FILE}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(os.urandom(_SECRET_BYTES))
                    fh.flush()
                    os.fsync(fh.fileno())
                if os.path.lexists(path):
                    os.replace(tmp, path)
                else:
                    try:
                        os.link(tmp, path)  # never replaces a key another process has just made
                    except FileExistsError:
                        pass
            finally:
                tmp.unlink(missing_ok=True)
            found = _read_secret(path)
    except OSError:
        return None
    if found is not None:
        _SECRET = ((folder, _stamp(path)), found)
    return found


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells a key file from the one read before (a key loosened or replaced since is read again)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_mode)


def _read_secret(path: Path) -> bytes | None:
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (os.name == "posix" and st.st_mode & 0o077):
            return None
        data = os.read(fd, _SECRET_BYTES + 1)
    finally:
        os.close(fd)
    return data if len(data) == _SECRET_BYTES else None


def mac(data: bytes) -> bytes | None:
    """HMAC-SHA256 of ``data`` under this cache's key; None when there is no key."""
    key = _secret()
    return None if key is None else hmac.new(key, data, hashlib.sha256).digest()


def _code_key() -> str:
    """Changes whenever zoudu's modules or compiled translations change (name, mtime and size of
    each ``.py`` and ``.mo`` of the package): a kept output never shows words the catalog no longer has."""
    global _CODE_KEY
    if _CODE_KEY is None:
        here = Path(__file__).resolve().parents[1]  # the package zoudu
        stamp = []
        for p in sorted(p for p in here.rglob("*") if p.suffix in (".py", ".mo")):
            st = p.stat()
            stamp.append((str(p.relative_to(here)), st.st_mtime_ns, st.st_size))
        _CODE_KEY = hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]
    return _CODE_KEY


_ENVELOPE: Any = None


def _envelope_type():
    global _ENVELOPE
    if _ENVELOPE is not None:
        return _ENVELOPE

    class Envelope(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
        format: int
        kind: str
        key: str
        source: str  # SHA-256 of the source bytes
        value: msgspec.Raw

    _ENVELOPE = Envelope
    return Envelope


def key_of(kind: str, shown_as: str, data: bytes | list[bytes]) -> tuple[str, str]:
    """(cache key, SHA-256 of the source bytes). ``data`` may be several sources (their hashes chained)."""
    if kind not in KINDS:
        raise ValueError(f"not a kind of cache: {kind}")
    parts = data if isinstance(data, list) else [data]
    source = hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).hexdigest()
    key = hashlib.sha256("\0".join([kind, shown_as, _code_key(), source]).encode()).hexdigest()
    return key, source


def load(kind: str, key: str, source: str, schema: Any) -> Any:
    """The cached value of ``kind`` under ``key`` as ``schema``; None when absent or not to be trusted."""
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        raw = (folder / f"{kind}-{key}.msgpack").read_bytes()
        body, tag = raw[:-_TAG], raw[-_TAG:]
        good = mac(body)
        if good is None or len(raw) <= _TAG or not hmac.compare_digest(good, tag):
            return None  # written by hand, or under another key
        envelope = msgspec.msgpack.decode(body, type=_envelope_type())
        if (envelope.format, envelope.kind, envelope.key, envelope.source) != (FORMAT, kind, key, source):
            return None  # copied from another key, another kind or another version: foreign
        return unpack(envelope.value, schema)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError, RecursionError):
        return None


def pack(value: Any) -> bytes:
    """``value`` as msgpack, each time as ISO text with its UTC offset: msgpack's own timestamp is
    UTC, and a leave from 00:00 Beijing time would come back as 16:00 the day before."""
    return msgspec.msgpack.encode(msgspec.to_builtins(value, builtin_types=(bytes, bytearray)))


def unpack(data: bytes, schema: Any) -> Any:
    """What ``pack`` kept, read back as ``schema`` (a DecodeError or ValidationError if it is not one)."""
    return msgspec.convert(msgspec.msgpack.decode(data), type=schema)


def store(kind: str, key: str, source: str, value: Any) -> None:
    """Keep ``value`` (atomically: a temporary file renamed); failures are ignored."""
    folder = _cache_dir()
    if folder is None:
        return
    try:
        Envelope = _envelope_type()
        data = msgspec.msgpack.encode(Envelope(FORMAT, kind, key, source, msgspec.Raw(pack(value))))
        tag = mac(data)
        if tag is None:
            return
        data += tag
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{kind}-{key}.msgpack"
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        system.replace(tmp, path, durable=False)
        _prune(folder)
    except (OSError, TypeError, ValueError, OverflowError, msgspec.EncodeError):  # e.g. an int msgpack cannot hold
        pass


def _cached(kind: str, data: bytes, shown_as: str, build: Callable[[], T], schema: Any,
            check: Callable[[T], bool] | None = None, rebuild: Callable[[Any], T] | None = None,
            keep: Callable[[T], Any] | None = None) -> T:
    """``build()``'s result for these exact bytes, from the cache when it has a trustworthy copy.

    ``schema`` is the type stored; ``keep(value)`` turns the value into it and ``rebuild(stored)``
    back (both identity by default); ``check(value)`` may refuse a decoded value."""
    if _cache_dir() is None:
        return build()
    key, source = key_of(kind, shown_as, data)
    stored = load(kind, key, source, schema)
    if stored is not None:
        try:
            value = rebuild(stored) if rebuild else stored
            if check is None or check(value):
                return value
        except (ValueError, TypeError, KeyError):
            pass
    value = build()
    store(kind, key, source, keep(value) if keep else value)
    return value


def _prune(folder: Path, keep: int = _KEEP) -> None:
    """Old versions of a file are never read again: keep only the newest few."""
    entries = sorted(folder.glob("*.msgpack"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)


def file_stamp(path: Path) -> bytes:
    """What changes whenever the file does: its identity and change times (device, inode, size,
    modification and status-change times in ns); b"-" if there is none. Any write to the file
    changes its modification and status-change times, and setting a modification time back
    (``touch -d``) sets the status-change time to now, so an edit is always a miss."""
    try:
        st = os.stat(path)
    except OSError:
        return b"-"
    return repr((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)).encode()


def file_key(kind: str, path: Path, shown_as: str, params: str = "") -> tuple[str, str] | None:
    """(cache key, source stamp) for what ``kind`` yields from the file at ``path`` with ``params``
    (large ledger files read in part: keyed on the file's stamp, not its bytes). None if the cache
    is off or the file cannot be looked at."""
    if _cache_dir() is None:
        return None
    stamp = file_stamp(path)
    if stamp == b"-":
        return None
    return key_of(kind, f"{shown_as}\0{params}", hashlib.sha256(stamp).digest())


# ----------------------------------------------------------------------------- files read by the ledger


def rules(data: bytes, shown_as: str, build: Callable[[], Any], schema: Any) -> Any:
    """``build()`` (rules.yaml's bytes ``data`` parsed and checked, a ``schema``) for these exact bytes."""
    return _cached("rules", data, shown_as, build, schema, check=lambda settings: settings.path == shown_as)


def roster(data: bytes, shown_as: str, build: Callable[[], Any], count: Callable[[], int],
           rebuild: Callable[[Any], Any], schema: Any) -> Any:
    """``build()`` (the roster log's bytes ``data`` parsed) for these exact bytes: its changes (a
    ``schema``) are kept and ``rebuild(changes)`` replays them; read back only with ``count()`` changes."""
    return _cached("roster", data, shown_as, build, schema,
                   check=lambda found: len(found.changes) == count(), keep=lambda found: found.changes,
                   rebuild=rebuild)


def per_file(kind: str, path: Path, shown: str, what: str, build: Callable[[], T], schema: Any) -> T:
    """``build()`` (``what`` it finds in the file at ``path``) while that file is unchanged: kept
    under the file's stamp, taken before it is read (``marks`` and ``lines``)."""
    key = file_key(kind, path, shown, what)
    if key is not None:
        stored = load(kind, *key, schema)
        if stored is not None:
            return stored
    found = build()
    if key is not None:
        store(kind, *key, found)
    return found


def marks(path: Path, shown: str, kinds: tuple[str, ...], scan: Callable[[], list[tuple[int, int]]]
          ) -> list[tuple[int, int]]:
    """``scan()`` (where the file's lines of ``kinds`` are) while the file at ``path`` is unchanged."""
    return per_file("marks", path, shown, ",".join(kinds), scan, list[tuple[int, int]])
