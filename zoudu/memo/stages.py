"""The audit's and publish's stages wrapped from outside (docs/architecture.md#caches).

``zoudu.audit`` and ``zoudu.publish`` are plain functions that never look at a cache; the
functions here wrap them, as beancount's loader wraps its whole load: the commands (``zoudu.cli``)
call these, the stages do not know they are remembered. The storage is ``zoudu.memo.store``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Callable

import msgspec

from zoudu.memo.store import _cache_dir, file_stamp, key_of, load, pack, per_file, store, unpack

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
                return per_file("lines", path, shown, what, pick, list[tuple[int, Optional[str], bool]])

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
