"""The key a closed month's result is kept under (``zoudu.ledger.cache``): everything its audit
reads, so that equal keys mean equal results, and nothing it does not read, so that the running
month's sign-ins leave last month's result in use."""

from __future__ import annotations

from zoudu.audit.span import Span
from zoudu.ledger.workspace import Workspace


def closed_key(ws: Workspace, span: Span, want_days: bool, view=None) -> tuple[str, str] | None:
    """The cache key of a closed month's result (every slot and week it checks is over): what
    it was read from (the stamps of every ledger file the audit may open, the settings and
    roster in use), zoudu's code, the holiday library, the language. None: not cached."""
    if not span.over or not all(span.days[-1].due):
        return None
    import msgspec

    from zoudu import i18n
    from zoudu.audit.load import file_stamp
    from zoudu.ledger import cache
    from zoudu.timeparse import shift_month

    if cache._cache_dir() is None:
        return None
    month = span.month
    paths = [ws.ledger_path(shift_month(month, back)) for back in range(-12, 1)]
    # the settings and roster the audit uses, as values (not the files, which may have changed since)
    try:
        used = [msgspec.msgpack.encode(ws.settings), msgspec.msgpack.encode(ws.roster.cadres),
                msgspec.msgpack.encode(ws.roster.changes)]  # the dated log: who supervised whom, when
    except (TypeError, ValueError, OverflowError):  # a number msgpack cannot hold: not cached
        return None
    parts = [file_stamp(p) for p in paths] + [next_month_part(ws, span), *used, library_stamp(),
                                              i18n.current().encode(),
                                              str(want_days).encode(),
                                              repr(view and (view.cuts, view.rules, view.seal)).encode(),
                                              str(ws.root.resolve()).encode()]
    return cache.key_of("audit", month, parts)


def next_month_part(ws: Workspace, span: Span) -> bytes:
    """What the audit reads of the next month's file, for the key: the lines it picks there (the
    days of the last week that cross into it, the village entries of the early hours after the
    last day looked at, and its leave, void and meeting lines), not the file's stamp. That file is
    the running month's for most of the next month, appended to at every sign-in: a sign-in after
    those days leaves the closed month's result in use; a stay written after midnight does not."""
    import hashlib

    import msgspec

    from zoudu.audit.load import Loaded, Reader, read_next

    loaded = Loaded()
    read_next(ws, span.month, span.days[-1].date, loaded, Reader())
    # no file and a file with nothing the audit picks are the same to it
    lines = [item for source in loaded.sources for item in source.lines]
    return hashlib.sha256(msgspec.msgpack.encode(lines)).digest()


def library_stamp() -> bytes:
    import importlib.util

    spec = importlib.util.find_spec("chinese_calendar")
    if spec is None or spec.origin is None:
        return b"-"
    import os

    st = os.stat(spec.origin)
    return f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}".encode()
