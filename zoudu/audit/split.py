"""Reading a county-sized month on two cores.

The pass over the lines (``audit.entries``) is a fold whose stretches merge in line order
(``entries.merge``), so the work can be shared out and the result is the one a single pass
gives, line for line. At the size of a county (tens of thousands of entries a month), the
audit forks once after reading the month's file and checking its chain:

* the child scans the neighbouring months and the history (``load.read_others``), reads the
  lines it picked, then the last stretch of the month's lines, and sends back what it found
  (pickled, through a pipe);
* the parent reads the first stretch of the month's lines meanwhile, then merges:
  history and the month before, the parent's stretch, the child's stretch, the month after.

The split point weighs the child's scanning against the parent's lines (``head_share``), so
both finish at about the same time. If the child fails in any way (killed, out of memory, a
bug), the parent reads what it would have read itself: the result is never partial.

Serial, as before, where there is nothing to gain: a township's month, one usable CPU, no
``os.fork`` (Windows), or ``ZOUDU_JOBS=1`` in the environment.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle

from zoudu.audit.engine import Context
from zoudu.audit.entries import Partial, finish, merge, read_lines
from zoudu.audit.load import Loaded, Source, numbered, others_size, read_month, read_others
from zoudu.workspace import Workspace

# Below this many lines in the month's file, one process (a fork costs a few milliseconds).
PARALLEL_MIN_LINES = 20_000
# The cost model of head_share, in units of "reading one byte of the month's own lines"
# (measured at 64× a township month, bench/bench_audit.py, see tests/test_audit_split.py):
SCAN_WEIGHT = 0.19  # a byte of a neighbouring month, scanned for the crossing days
PICKED_WEIGHT = 0.13  # the same byte's share of the lines then read in full, and sent back
HISTORY_WEIGHT = 0.10  # a byte of an earlier month, scanned for leave and voids
SEND_WEIGHT = 0.29  # the child pickling what a byte of the month's lines yielded
RECEIVE_WEIGHT = 0.13  # the parent unpickling it


def jobs() -> int:
    """Processes the audit may use: 1 or 2."""
    wanted = os.environ.get("ZOUDU_JOBS", "").strip()
    if wanted == "1" or not hasattr(os, "fork"):
        return 1
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return 2 if usable >= 2 else 1


def head_share(month_bytes: int, neighbour_bytes: int, history_bytes: int) -> float:
    """The share of the month's lines the parent reads, so that both processes take as long:
    h·M + RECEIVE·(1-h)·M = first + (1+SEND)·(1-h)·M, where M is the month's bytes and
    ``first`` the child's scanning of the other months."""
    if month_bytes <= 0:
        return 1.0
    first = (SCAN_WEIGHT + PICKED_WEIGHT) * neighbour_bytes + HISTORY_WEIGHT * history_bytes
    share = (first + month_bytes * (1 + SEND_WEIGHT - RECEIVE_WEIGHT)) / (
        month_bytes * (2 + SEND_WEIGHT - RECEIVE_WEIGHT))
    return min(0.95, max(0.05, share))


def load_and_classify(ws: Workspace, ctx: Context, month: str, first: dt.date, last: dt.date) -> Loaded:
    """Read what the audit of ``month`` needs and fill ``ctx``, like ``load.load`` then
    ``entries.classify``; on two cores when the month has ``PARALLEL_MIN_LINES`` lines or more."""
    loaded = Loaded()
    read_month(ws, month, loaded)
    own = loaded.sources[0] if loaded.sources else None
    if own is None or own.parts is None or len(own.parts) < max(PARALLEL_MIN_LINES, 2) or jobs() < 2:
        earlier, later = read_others(ws, month, first, last)
        loaded.sources[:0] = earlier
        loaded.sources.extend(later)
        stretches = [(src, src.lines) for src in loaded.sources]
        finish(ctx, loaded, read_lines(ctx, stretches))
        return loaded

    parts = own.parts
    neighbours, history = others_size(ws, month)
    share = head_share(sum(map(len, parts)) + len(parts), neighbours, history)
    split = max(1, min(len(parts) - 1, round(len(parts) * share)))
    try:
        child = _start(lambda: _child_work(ws, ctx, month, first, last, own, split))
    except OSError:  # no process to spare (a limit on processes or memory): one process then
        child = None
    head = read_lines(ctx, [(own, numbered(parts, 0, split))])
    found = _collect(child) if child is not None else None
    if found is None:  # the child failed: read its share here
        found = _child_work(ws, ctx, month, first, last, own, split)
    earlier, tail, later = found
    merge(earlier, head)
    merge(earlier, tail)
    merge(earlier, later)
    finish(ctx, loaded, earlier)
    return loaded


def _child_work(ws: Workspace, ctx: Context, month: str, first: dt.date, last: dt.date, own: Source,
                split: int) -> tuple[Partial, Partial, Partial]:
    """The other months' lines and the month's lines from ``split`` on, as three stretches."""
    earlier, later = read_others(ws, month, first, last)
    before = read_lines(ctx, [(src, src.lines) for src in earlier])
    tail = read_lines(ctx, [(own, numbered(own.parts or [], split))])
    after = read_lines(ctx, [(src, src.lines) for src in later])
    return before, tail, after


def _start(work) -> tuple[int, int]:
    """Fork a child that runs ``work`` and writes its pickled result to a pipe: (pid, read end)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        code = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int]):
    """The child's result, or None if it did not finish cleanly."""
    pid, read_end = child
    chunks = []
    with os.fdopen(read_end, "rb") as inp:
        while True:
            chunk = inp.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _pid, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # a truncated or garbled payload: read it here instead
        return None
