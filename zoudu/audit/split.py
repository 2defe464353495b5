"""Reading a county-sized month on two cores.

The pass over the lines (``audit.entries``) is a fold whose stretches merge in line order
(``entries.merge``), so the work can be shared out and the result is the one a single pass
gives, line for line. At the size of a county (tens of thousands of entries a month), the
audit forks once, right after reading the month's file into memory:

* the child scans the neighbouring months and the newer half of the earlier months
  (``load.read_others``), reads the lines it picked, then the last stretch of the month's
  lines (from the bytes it shares with the parent), and sends back what it found (pickled,
  through a pipe);
* the parent meanwhile checks the month's hash chain, reads the first stretch and scans the
  older half of the earlier months, then merges everything in the order one pass reads it.

The split point weighs the child's scanning against the parent's lines (``head_share``), so
both finish at about the same time. If the child fails in any way (killed, out of memory, a
bug), the parent reads what it would have read itself: the result is never partial.

Serial, as before, where there is nothing to gain: a township's month, one usable CPU, no
``os.fork`` (Windows), or ``ZOUDU_JOBS=1`` in the environment.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any, Callable

from zoudu.audit.engine import Context
from zoudu.audit.entries import Partial, classify, finish, merge, read_lines
from zoudu.audit.load import (
    Loaded, Source, file_size, history_months, load, month_bytes, month_source, others_size, read_history,
    read_others,
)
from zoudu.chaincheck import check_chain
from zoudu.workspace import Workspace

# Below this size of the month's file (about 18,000 entries), one process: a fork costs a few
# milliseconds, and a township's month (2,000 entries) is read in a tenth of a second.
PARALLEL_MIN_BYTES = 5_000_000
# The cost model of head_share, in units of "reading one byte of the month's own lines"
# (measured at 64× a township month with bench/bench_audit.py; a wrong guess costs speed, not results):
SCAN_WEIGHT = 0.19  # child: a byte of a neighbouring month, scanned for the crossing days
PICKED_WEIGHT = 0.13  # child: the same byte's share of the lines then read in full, and sent back
HISTORY_WEIGHT = 0.10  # either: a byte of an earlier month, scanned for leave and voids
SPLIT_WEIGHT = 0.11  # either: a byte of the month split into lines
SEND_WEIGHT = 0.29  # child: pickling what a byte of the month's lines yielded
RECEIVE_WEIGHT = 0.13  # parent: unpickling it
CHECK_WEIGHT = 0.11  # parent: a byte of the month, for its hash chain and its voids
REPEAT_WEIGHT = 0.085  # child: a byte of the month, for its voids and the line number its stretch starts at


def jobs() -> int:
    """Processes the audit may use: 1 or 2."""
    wanted = os.environ.get("ZOUDU_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) <= 1:
        return 1
    if not hasattr(os, "fork"):
        return 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return 1  # a program with threads (zoudu used as a library): forking it is not safe
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return 2 if usable >= 2 else 1


def head_share(month_bytes: int, neighbour_bytes: int, child_history: int = 0, parent_history: int = 0) -> float:
    """The share of the month's bytes the parent reads, so that both processes take as long.

    parent: CHECK·M + HISTORY·Hp + (1+SPLIT)·h·M + RECEIVE·(1-h)·M
    child:  first + HISTORY·Hc + REPEAT·M + (1+SPLIT+SEND)·(1-h)·M
    where M is the month's bytes, ``first`` the child's scanning of the neighbouring months,
    and Hc, Hp the earlier months' bytes each process scans."""
    if month_bytes <= 0:
        return 1.0
    first = ((SCAN_WEIGHT + PICKED_WEIGHT) * neighbour_bytes
             + HISTORY_WEIGHT * (child_history - parent_history)) / month_bytes
    parent_line, child_line = 1 + SPLIT_WEIGHT, 1 + SPLIT_WEIGHT + SEND_WEIGHT
    share = (first + REPEAT_WEIGHT + child_line - CHECK_WEIGHT - RECEIVE_WEIGHT) / (
        parent_line + child_line - RECEIVE_WEIGHT)
    return min(0.95, max(0.05, share))


def history_cut(sizes: list[int]) -> int:
    """How many of the earlier months (newest first) the child scans: about half the bytes."""
    running = [0]
    for size in sizes:
        running.append(running[-1] + size)
    return min(range(len(sizes) + 1), key=lambda count: abs(2 * running[count] - running[-1]))


def cut(data: bytes, share: float) -> int:
    """Where the parent's stretch of ``data`` ends: the start of the line after ``share`` of its bytes."""
    newline = data.find(b"\n", int(len(data) * share))
    return len(data) if newline < 0 else newline + 1


def load_and_classify(ws: Workspace, ctx: Context, month: str, first: dt.date, last: dt.date) -> Loaded:
    """Read what the audit of ``month`` needs and fill ``ctx``, like ``load.load`` then
    ``entries.classify``; on two cores when the month's file has ``PARALLEL_MIN_BYTES`` or more."""
    found = None
    if file_size(ws.ledger_path(month)) >= PARALLEL_MIN_BYTES and jobs() >= 2:
        loaded = Loaded()
        found = month_bytes(ws, month, loaded)
    if found is None:  # one process: the plain load, then one pass
        loaded = load(ws, month, first, last)
        classify(ctx, loaded)
        return loaded

    path, shown, data = found
    neighbours, history = others_size(ws, month, first)
    newest = history_cut(history)  # how many of the earlier months (newest first) the child scans
    offset = cut(data, head_share(len(data), neighbours, sum(history[:newest]), sum(history[newest:])))
    try:
        child: Child | None = Child(lambda: _child_work(ws, ctx, month, first, last, shown, data, offset, newest))
    except OSError:  # no process to spare (a limit on processes or memory): one process then
        child = None
    try:
        # meanwhile: the chain of the whole file, the month's first stretch, the oldest months
        loaded.chain = check_chain(path, shown, data)
        own = month_source(shown, data, 0, offset)
        head = _read(ctx, [own])
        oldest = _read(ctx, read_history(ws, history_months(month, first)[newest:]))
        done = child.result() if child is not None else None
    finally:
        if child is not None:
            child.close()  # stopped and reaped, whatever happened here
    if done is None:  # the child failed: read its share here
        done = _child_work(ws, ctx, month, first, last, shown, data, offset, newest)
    # in the order one pass reads them: earlier months (newest first), the month before,
    # the month's two stretches, the month after
    newer, before, tail, after = done
    for later in (oldest, before, head, tail, after):
        merge(newer, later)
    finish(ctx, loaded, newer)
    return loaded


def _child_work(ws: Workspace, ctx: Context, month: str, first: dt.date, last: dt.date, shown: str, data: bytes,
                offset: int, newest: int) -> tuple[Partial, Partial, Partial, Partial]:
    """The child's share, as stretches in reading order: the ``newest`` earlier months, the
    month before, the month's lines from byte ``offset`` on, the month after."""
    newer, before, after = read_others(ws, month, first, last, slice(0, newest))
    return _read(ctx, newer), _read(ctx, before), _read(ctx, [month_source(shown, data, offset)]), _read(ctx, after)


def _read(ctx: Context, sources: list[Source]) -> Partial:
    """One pass over every line of ``sources``, in order."""
    return read_lines(ctx, [(src, src.lines) for src in sources])


class Child:
    """One forked process that runs ``work()`` and sends back its result, pickled, through a pipe.

    The child closes every file it inherited but the pipe (the workspace lock among them: only
    the parent holds it), dies silently on Ctrl-C, and never runs the parent's exit handlers.
    ``result()`` waits for it; ``close()`` stops and reaps it if the parent gave up first.
    """

    def __init__(self, work: Callable[[], object]):
        import signal  # here: a township's audit never forks, and these cost every audit 2 ms

        read_end, write_end = os.pipe()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # no Ctrl-C mid-fork
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:
            _child_main(work, write_end, mask)  # never returns
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(write_end)
        self.pid: int | None = pid
        self.read_end: int | None = read_end

    def result(self) -> Any:
        """What ``work()`` returned, or None if the child did not finish cleanly."""
        import pickle

        assert self.read_end is not None and self.pid is not None
        received = bytearray()
        with os.fdopen(self.read_end, "rb") as pipe:
            self.read_end = None
            while chunk := pipe.read(1 << 20):
                received += chunk
        status = None
        try:
            _pid, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): the length prefix decides
            pass
        self.pid = None
        if status is not None and not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            return None
        if len(received) < 8 or int.from_bytes(received[:8], "little") != len(received) - 8:
            return None  # cut short
        try:
            return pickle.loads(memoryview(received)[8:])
        except Exception:  # garbled: the caller does the work itself
            return None

    def close(self) -> None:
        import signal

        if self.read_end is not None:
            os.close(self.read_end)
            self.read_end = None
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = None


def _child_main(work: Callable[[], object], write_end: int, mask: set) -> None:
    import pickle
    import signal

    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child at once, without a word
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.closerange(3, write_end)
        os.closerange(write_end + 1, _MAX_FD)
        payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as out:
            out.write(len(payload).to_bytes(8, "little"))
            out.write(payload)
        code = 0
    finally:
        os._exit(code)


_MAX_FD = 1 << 20
