"""Every cache zoudu keeps, in one module: what is kept, under which key, how it is checked.

The stages of the audit and of publishing (``zoudu.audit``, ``zoudu.publish``) are plain
functions that never look at a cache. The functions at the end of this module wrap them
from outside, as beancount's loader wraps its whole load: the commands call these, the
stages do not know they are remembered. ``KINDS`` lists every kind;
docs/architecture.md#caches has the table of each kind, its key and what invalidates it
(``tests/test_cache_table_names_every_kind.py`` holds the two together).

Storage. Everything is kept in the user's cache folder (``~/.cache/zoudu``; none with
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

Every entry (and every JSON state, ``chain`` and ``verified``) carries an HMAC-SHA256 under
a random key kept in the cache folder (``secret.key``, mode 0600, made on first use): a
file written by hand, or copied from another account's cache, is not used. The key is only
as secret as the account that owns the cache (docs/trust-model.md#what-is-not-protected);
``publish`` therefore trusts no cache for the month it publishes and checks that month's
file from its bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any, Callable, TypeVar

import msgspec

from zoudu import system

T = TypeVar("T")
FORMAT = 3  # the envelope's layout; 1 was pickle, never read; 2 kept times in UTC
_CODE_KEY: str | None = None
_KEEP = 1024  # entries kept: a few per ledger file (picks, marks, results), for years of months
_SECRET_FILE = "secret.key"
_SECRET_BYTES = 32
_TAG = 32  # bytes of HMAC-SHA256 after each msgpack entry
_SECRET: tuple[tuple, bytes] | None = None  # ((the cache folder, the key file's stamp), its key)
_STATES_KEPT = 64  # JSON states kept of each kind (one per ledger file looked at recently)

# Every kind of cache, and what it keeps (msgpack files ``KIND-KEY.msgpack``, JSON states
# ``KIND-HASH.json``). docs/architecture.md#caches has a row for each, and no other.
KINDS: dict[str, str] = {
    "rules": "rules.yaml as checked (a sign-in then does not import PyYAML)",
    "roster": "the roster log's changes, replayed when read",
    "lines": "the lines the audit picks from another month's file",
    "marks": "where a file's lines of some kinds are (byte offset, line number)",
    "audit": "a closed month's whole audit result",
    "audit-split": "each cadre's part of a closed month's result",
    "shown": "zoudu audit's output of a closed month as printed",
    "printed": "a closed month's notice as printed",
    "chain": "how far the audited month's own file is chain-checked (JSON)",
    "verified": "a month verify found clean (JSON)",
}


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


def _code_key() -> str:
    """Changes whenever zoudu's modules or compiled translations change (name, mtime and size of
    each ``.py`` and ``.mo`` of the package): a kept output never shows words the catalog no longer has."""
    global _CODE_KEY
    if _CODE_KEY is None:
        here = Path(__file__).resolve().parent
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


# ----------------------------------------------------------------------------- JSON states
# ``chain`` and ``verified`` are states of a check over one ledger file, kept by its absolute
# path: each names the format, the code key and the path, and carries the MAC.


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
    zoudu's code: any change is a miss and the month is verified in full."""

    def __init__(self, ws) -> None:
        from zoudu.ledger.workspace import ROSTER

        try:
            self.roster = hashlib.sha256((ws.root / ROSTER).read_bytes()).hexdigest()
        except OSError:
            self.roster = None

    @staticmethod
    def _digest(path: Path) -> tuple[int, str]:
        from zoudu.ledger.store import open_ledger

        digest = hashlib.sha256()
        size = 0
        with open_ledger(path) as fh:
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


# ----------------------------------------------------------------------------- files read by the ledger


def rules(data: bytes, shown_as: str, build: Callable[[], Any]) -> Any:
    """``build()`` (rules.yaml's bytes ``data`` parsed and checked) for these exact bytes."""
    from zoudu.ledger.settings import Settings

    return _cached("rules", data, shown_as, build, Settings, check=lambda settings: settings.path == shown_as)


def roster(data: bytes, shown_as: str, build: Callable[[], Any], count: Callable[[], int],
           rebuild: Callable[[Any], Any]) -> Any:
    """``build()`` (the roster log's bytes ``data`` parsed) for these exact bytes: its changes are
    kept and ``rebuild(changes)`` replays them; read back only with ``count()`` changes."""
    from zoudu.model import RosterChange

    return _cached("roster", data, shown_as, build, tuple[RosterChange, ...],
                   check=lambda found: len(found.changes) == count(), keep=lambda found: found.changes,
                   rebuild=rebuild)


def marks(path: Path, shown: str, kinds: tuple[str, ...], scan: Callable[[], list[tuple[int, int]]]
          ) -> list[tuple[int, int]]:
    """``scan()`` (where the file's lines of ``kinds`` are) while the file at ``path`` is unchanged."""
    key = file_key("marks", path, shown, ",".join(kinds))  # the file's stamp, taken before it is read
    if key is not None:
        stored = load("marks", *key, list[tuple[int, int]])
        if stored is not None:
            return stored
    found = scan()
    if key is not None:
        store("marks", *key, found)
    return found


_KEPT_READER: Any = None


def _lines_reader():
    """A ``zoudu.audit.load.Reader`` whose picks from other months' files are kept while each file
    is unchanged: the audit of a month then does not grow with the months kept (``lines``)."""
    global _KEPT_READER
    if _KEPT_READER is None:
        from typing import Optional

        from zoudu.audit.load import Reader

        class KeptReader(Reader):
            def picked(self, path: Path, shown: str, what: str, pick: Callable[[], list]) -> list:
                found = file_key("lines", path, shown, what)  # the file's stamp, taken before it is read
                if found is not None:
                    stored = load("lines", *found, list[tuple[int, Optional[str], bool]])
                    if stored is not None:
                        return stored
                lines = pick()
                if found is not None:
                    store("lines", *found, lines)
                return lines

        _KEPT_READER = KeptReader
    return _KEPT_READER()


# ----------------------------------------------------------------------------- the audit and publish


def audit_month(ws, month: str, cadre: str | None = None, *, table=None, days: bool = True):
    """``zoudu.audit.audit_month``, a closed month's result kept (``audit``) and one cadre's part
    of it kept apart (``audit-split``, what the dossier reads). ``table`` None: every rule."""
    from zoudu import audit
    from zoudu.ledger.store import without_cycle_collector

    table = audit.TABLE if table is None else table
    with without_cycle_collector():
        prepared = audit.prepare(ws, month, cadre)
        key = _result_key(prepared, days) if table is audit.TABLE else None
        if prepared.only is not None and key is not None:
            return _one_of_closed(prepared, days, key)
        result = _whole(prepared, table, days, key)
        return audit.narrow(result, prepared.only) if prepared.only is not None else result


def rendered(ws, month: str, cadre: str | None, form: str, render: Callable[[Any], str]):
    """``zoudu.audit.rendered``: a closed month's rendering of the whole roster is a function of its
    result's key and of ``form`` (which names ``render`` and its options): it is kept (``shown``),
    so a second ``zoudu audit --format json`` of a closed month reads one file instead of
    decoding and encoding every violation again."""
    from zoudu import audit
    from zoudu.ledger.store import without_cycle_collector

    with without_cycle_collector():
        prepared = audit.prepare(ws, month, cadre)
        key = _result_key(prepared, False)
        shown = None if key is None or prepared.only is not None else key_of("shown", form, key[0].encode())
        if shown is not None:
            found = load("shown", *shown, audit.Rendered)
            if found is not None:
                return found
        result = _whole(prepared, audit.TABLE, False, key)
        if prepared.only is not None:
            result = audit.narrow(result, prepared.only)
        out = audit.render_result(result, render)
        if shown is not None:
            store("shown", *shown, out)
        return out


def result_key(ws, month: str, days: bool = True) -> str | None:
    """The key the month's whole result is kept under (what it is read from, the code, the language):
    equal keys, equal results. None for a month that is not closed (it is not kept)."""
    from zoudu import audit

    key = _result_key(audit.prepare(ws, month, None), days)
    return None if key is None else key[0]


def printed(ws, month: str, published, form: str, render: Callable[[Any], bytes], calendar: bool):
    """``zoudu.publish.notice.printed``, verified every time: a closed month's notice is a function
    of its result's key, its seal (entry count and chain head, verified here), the date it carries,
    ``rules.yaml`` as it stands (the sheet's header and footer), the county's cosignature it
    carries and ``form`` (which names ``render``): it is kept (``printed``), so printing it again
    costs the verification, not the audit and the layout."""
    import datetime as dt

    from zoudu import audit
    from zoudu.publish import notice
    from zoudu.publish.qr import notice_checkpoint

    with notice.steady(ws):
        month, seal = notice.verified(ws, month, published)
        date = published or notice.today(ws)
        prepared = audit.prepare(ws, month, None)
        key = _result_key(prepared, calendar)
        carried = notice_checkpoint(ws, month) if calendar else None  # with the county's cosignature, if any
        where = None if key is None else _printed_key(ws, form, date, seal, key[0], carried.note if carried else "")
        if where is not None:
            found = load("printed", *where, tuple[bytes, dt.date, tuple[str, ...]])
            if found is not None:
                return notice.Printed(*found)
        result = notice.known_calendar(_whole(prepared, audit.TABLE, calendar, key))
    out = notice.print_sheet(ws, result, seal, date, carried, render)
    if where is not None:
        store("printed", *where, tuple(out))
    return out


def _printed_key(ws, form: str, date, seal, key: str, checkpoint: str) -> tuple[str, str] | None:
    try:
        settings = msgspec.msgpack.encode(ws.settings)
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
        return None
    return key_of("printed", f"{form} {date.isoformat()} {seal.entries} {seal.head}",
                  [key.encode(), settings, checkpoint.encode("utf-8")])


def _whole(prepared, table, days: bool, key: tuple[str, str] | None):
    """The month's whole result: kept (under ``key``, a closed month's) or worked out, then kept."""
    from zoudu import audit

    result = None if key is None else load("audit", *key, audit.AuditResult)
    if result is None:
        result = audit.whole(prepared, table, days, _lines_reader())
        if key is not None:
            store("audit", *key, result)
    return result


def _one_of_closed(prepared, days: bool, key: tuple[str, str]):
    """One cadre's result of a closed month (the dossier reads a year of them): kept per cadre,
    next to the whole result, so that one cadre's month is decoded without everyone's."""
    from zoudu import audit

    only = prepared.only
    where = key_of("audit-split", prepared.span.month, key[0].encode())
    stored = load("audit-split", *where, dict[str, bytes])  # each cadre's part packed apart
    if stored is not None and only in stored:
        try:
            return unpack(stored[only], audit.AuditResult)
        except (msgspec.DecodeError, msgspec.ValidationError):
            pass
    whole = _whole(prepared, audit.TABLE, days, key)
    parts = audit.split(whole)
    try:
        store("audit-split", *where, {c: pack(r) for c, r in parts.items()})
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):  # a value msgpack cannot hold
        pass
    return parts[only] if only in parts else audit.narrow(whole, only)


def _result_key(prepared, days: bool) -> tuple[str, str] | None:
    """The key of a closed month's result (every slot and week it checks is over): everything its
    audit reads, so that equal keys mean equal results, and nothing it does not read, so that the
    running month's sign-ins leave last month's result in use. That is the stamps of every ledger
    file the audit may open, the lines it picks from the next month's, the settings and roster in
    use (as values), the code and translations (every key's), the holiday library, the language,
    with or without the calendar, the sealed view and the workspace. None: not kept."""
    from zoudu import i18n
    from zoudu.audit.load import LEAVE_LOOKBACK_MONTHS
    from zoudu.timeparse import shift_month

    ws, span, view = prepared.ws, prepared.span, prepared.view
    if not span.over or not all(span.days[-1].due) or _cache_dir() is None:
        return None
    # the month's own file and every earlier one the audit may read (the month before included)
    paths = [ws.ledger_path(shift_month(span.month, back)) for back in range(-LEAVE_LOOKBACK_MONTHS, 1)]
    try:  # the settings and roster the audit uses, as values (not the files, which may have changed since)
        used = [msgspec.msgpack.encode(ws.settings), msgspec.msgpack.encode(ws.roster.cadres),
                msgspec.msgpack.encode(ws.roster.changes)]  # the dated log: who supervised whom, when
    except (TypeError, ValueError, OverflowError):  # a number msgpack cannot hold: not kept
        return None
    parts = [file_stamp(p) for p in paths] + [_next_month_part(ws, span), *used, _library_stamp(),
                                              i18n.current().encode(), str(days).encode(),
                                              repr(view and (view.cuts, view.rules, view.seal)).encode(),
                                              str(ws.root.resolve()).encode()]
    return key_of("audit", span.month, parts)


def _next_month_part(ws, span) -> bytes:
    """What the audit reads of the next month's file, for the key: the lines it picks there (the
    days of the last week that cross into it, the village entries of the early hours after the
    last day looked at, and its leave, void and meeting lines), not the file's stamp. That file is
    the running month's for most of the next month, appended to at every sign-in: a sign-in after
    those days leaves the closed month's result in use; a stay written after midnight does not."""
    from zoudu.audit.load import Loaded, read_next

    loaded = Loaded()
    read_next(ws, span.month, span.days[-1].date, loaded, _lines_reader())
    # no file and a file with nothing the audit picks are the same to it
    lines = [item for source in loaded.sources for item in source.lines]
    return hashlib.sha256(msgspec.msgpack.encode(lines)).digest()


def _library_stamp() -> bytes:
    import importlib.util

    spec = importlib.util.find_spec("chinese_calendar")
    if spec is None or spec.origin is None:
        return b"-"
    st = os.stat(spec.origin)
    return f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}".encode()
