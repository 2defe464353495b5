"""Appending to a ledger and mending its end: the workspace lock, the tail read, one write + fsync, repair.

Appends take one exclusive lock for the whole workspace (``ledgers/.lock``, released by
the system even when the holder is killed; how is ``zoudu.system``'s); under it only the
tail of the file is read (cost independent of the ledger's size), the new lines are
written in one ``write`` and ``fsync``ed. A write the file system refuses is undone. The line format
itself is ``zoudu.ledger.store``'s.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path
from typing import Any, Callable

from zoudu import system
from zoudu.errors import UnsafeToAppend, ZouduError
from zoudu.i18n import _
from zoudu.model import Problem
from zoudu.ledger.lines import BOM, MAX_LINE, chain_hash, encode_line, genesis
from zoudu.ledger.lines.entry import decode_line, parse_line
from zoudu.ledger.store import HEADER, _FULL, _TAIL_CHUNK, month_of_file, open_ledger, read_ledger


class WorkspaceLock:
    """An exclusive lock across processes, held for a whole read-tail/append: ``ledgers/.lock``,
    a file of its own (never a ledger), taken as ``zoudu.system`` does on this system."""

    def __init__(self, ledgers: Path):
        self.path = ledgers / ".lock"
        self._lock = system.ExclusiveLock(self.path)

    def __enter__(self) -> "WorkspaceLock":
        try:
            self._lock.acquire()
        except OSError as e:
            if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):  # a place nothing can be written to
                raise write_error(e, str(self.path)) from None
            raise ZouduError(_("cannot open the lock file: {error}").format(error=e.strerror or e),
                             str(self.path)) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def workspace_lock(ledgers: Path) -> WorkspaceLock:
    """The one exclusive lock that every writer of the workspace takes."""
    return WorkspaceLock(ledgers)


class LineTooLong(UnsafeToAppend):
    """The last line of a ledger runs past ``MAX_LINE`` bytes: not a line zoudu wrote."""


def _tail(fh, size: int) -> tuple[bytes, bool]:
    """The last line (without its newline) and whether the file ends with a newline.

    Reads backwards from the end a chunk at a time, each chunk once, so the cost does not
    grow with the ledger; gives up past ``MAX_LINE`` bytes without a newline.
    """
    fh.seek(size - 1)
    clean = fh.read(1) == b"\n"
    end = size - 1 if clean else size
    pos, chunks = end, []
    while pos > 0:
        if end - pos > MAX_LINE:
            raise LineTooLong("")
        step = min(_TAIL_CHUNK, pos)
        pos -= step
        fh.seek(pos)
        chunk = fh.read(step)
        cut = chunk.rfind(b"\n")
        if cut != -1:
            chunks.append(chunk[cut + 1:])
            break
        chunks.append(chunk)
    last = b"".join(reversed(chunks))
    if len(last) > MAX_LINE:
        raise LineTooLong("")
    return last, clean


def _line_number(fh, offset_end: int) -> int:
    """The number of the line that holds byte ``offset_end - 1``, counted a megabyte at a time."""
    fh.seek(0)
    count, left = 1, offset_end
    while left > 0:
        block = fh.read(min(left, 1 << 20))
        if not block:
            break
        count += block.count(b"\n")
        left -= len(block)
    return count


def _last_entry(path: Path, shown_as: str, month: str) -> tuple[str, int, str | None]:
    """(hash, sequence number, recorded time) of the last entry, refusing a torn or garbled tail."""
    with open_ledger(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return genesis(month), 0, None
        try:
            last, clean = _tail(fh, size)
        except LineTooLong:
            raise LineTooLong(_(
                "the last line is too long (more than 1 MiB): not a zoudu ledger line; nothing was recorded. "
                "Run 'zoudu verify --repair' to set it aside"), shown_as) from None
        if not clean:
            line = _line_number(fh, size)
            raise UnsafeToAppend(_(
                "the last line is incomplete (a write was cut off); nothing was recorded. "
                "Run 'zoudu verify --repair' to set it aside"), f"{shown_as}:{line}")
        text = last.decode("utf-8", errors="replace")
        if not text.strip() or text.startswith("#") or text.startswith(BOM):
            # A comment or blank line at the end (a header, or a hand edit):
            # the rare slow path reads the whole file to find the last entry.
            scan = read_ledger(path, shown_as)
            if scan.problems:
                first = scan.problems[0]
                raise UnsafeToAppend(first.message, first.where)
            if not scan.entries:
                return genesis(month), 0, None
            last_entry = scan.entries[-1]
            return last_entry.hash, int(last_entry.id.rsplit("-", 1)[1]), last_entry.data.get("recorded")
        try:
            fields = decode_line(text, shown_as)
            return fields["hash"], int(str(fields["id"]).rsplit("-", 1)[1]), fields.get("recorded")
        except (ZouduError, KeyError, ValueError, IndexError, TypeError):
            line = _line_number(fh, size) - 1
            raise UnsafeToAppend(_(
                "the last entry cannot be read, so nothing can be chained to it; run 'zoudu verify'"),
                f"{shown_as}:{line}") from None


def write_error(e: OSError, shown_as: str) -> ZouduError:
    """A write the file system refused, as one line: a full disk said plainly, others as what they are."""
    name = errno.errorcode.get(e.errno or 0, "")
    if name in _FULL:
        return ZouduError(_("disk full: nothing was recorded"), shown_as)
    return ZouduError(_("the file system refused the write ({error}): nothing was recorded").format(
        error=e.strerror or name or e), shown_as)


def append(path: Path, shown_as: str, new: list[dict[str, Any]],
           clock: Callable[[], str] | None = None, header: str | None = None,
           finish: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Append entries (without id/hash) under the workspace lock; returns them complete.

    The caller holds ``workspace_lock``. One write, flush and fsync per call;
    a new file gets a header line and its folder is fsynced too. ``clock`` gives
    the recorded time, read here under the lock so that recorded times never go
    backwards within a file; an entry recorded before the last one (a clock set
    back) is refused. A write the file system refuses (a full disk, a file-size
    limit, a read-only mount) is undone: the file is cut back to its size before the
    write (a new file is removed) and the error is one line (ZouduError); nothing was
    recorded. ``finish`` completes each entry once its id and recorded time are set (before its hash).
    """
    month = month_of_file(path)
    if path.is_symlink():
        raise ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"), shown_as)
    created = not path.exists()
    prev, seq, last_recorded = (genesis(month), 0, None) if created else _last_entry(path, shown_as, month)
    if clock is not None:  # the recording commands: the time is taken here, and may not go back
        stamp = clock()
        new = [dict(f, recorded=stamp) if "recorded" in f else f for f in new]
        _check_clock(new, last_recorded, shown_as)
    done = _chained(new, month, prev, seq, finish)
    chunks = [(header or HEADER.format(month=month))] if created else []
    _write_once(path, shown_as, "".join(chunks + [encode_line(fields) for fields in done]).encode("utf-8"), created)
    return done


def _chained(new: list[dict[str, Any]], month: str, prev: str, seq: int,
             finish: Callable[[dict[str, Any]], dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The entries, numbered on from ``seq`` and each hashed on the one before (``prev``)."""
    done: list[dict[str, Any]] = []
    for fields in new:
        seq += 1
        fields = dict(fields, id=f"{month}-{seq:04d}")
        if finish is not None:  # e.g. a seal signs itself once its id and recorded time are known
            fields = finish(fields)
        fields["hash"] = chain_hash(prev, fields)
        prev = fields["hash"]
        done.append(fields)
    return done


def _write_once(path: Path, shown_as: str, data: bytes, created: bool) -> None:
    """``data`` appended in one write and synced; a write the file system refuses is undone (a new
    file removed) and raised as a one-line ZouduError."""
    try:
        fd = system.open_append(path, created)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"),
                             shown_as) from None
        raise write_error(e, shown_as) from None
    refused: OSError | None = None
    try:
        before = os.fstat(fd).st_size  # under the lock: nobody else writes meanwhile
        try:
            system.append_bytes(fd, data)
        except OSError as e:
            refused = e
            _undo(fd, before)
    finally:
        os.close(fd)
    if refused is not None:
        if created:  # removed once closed: Windows cannot remove a file that is still open
            try:
                os.unlink(path)
            except OSError:
                pass
        raise write_error(refused, shown_as) from None
    if created:
        system.sync_folder(path.parent)


def _undo(fd: int, before: int) -> None:
    """Cut a refused write back off: the file as it was."""
    try:
        os.ftruncate(fd, before)
        os.fsync(fd)
    except OSError:
        pass


def _check_clock(new: list[dict[str, Any]], last_recorded: str | None, shown_as: str) -> None:
    try:
        last = dt.datetime.fromisoformat(last_recorded) if last_recorded else None
    except (TypeError, ValueError):
        return  # a damaged time is verify's to name
    for fields in new:
        if last is None or "recorded" not in fields:
            continue
        moment = dt.datetime.fromisoformat(fields["recorded"])
        if moment < last:
            raise ZouduError(_("the clock is behind the ledger: its last entry was recorded at {last}, and this "
                               "machine says {now}; nothing was recorded (set the clock right)").format(
                last=last_recorded, now=fields["recorded"]), shown_as)


def repair(path: Path, shown_as: str) -> str | None:
    """Mend the end of a ledger; returns the side file's name when bytes were set aside.

    A last line that only lacks its newline (an editor dropped it), yet parses and chains to
    the entry before it, keeps its entry: the newline is added (its id is never reused).
    Otherwise the bytes after the last newline move to a side file, as does a last line
    longer than any zoudu writes: every complete line stays. The caller holds ``workspace_lock``.
    """
    month = month_of_file(path)
    with open_ledger(path, "rb+") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return None
        fh.seek(size - 1)
        clean = fh.read(1) == b"\n"
        try:
            last, clean = _tail(fh, size)
        except LineTooLong:
            last = None
        if clean and last is not None:
            return None
        if last is not None and _chains(fh, size - len(last), last, month):
            fh.seek(0, os.SEEK_END)
            fh.write(b"\n")
            fh.flush()
            os.fsync(fh.fileno())
            return ""
        cut = _last_newline(fh, size - (1 if clean else 0)) + 1
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        side = path.with_name(f"{path.name}.torn-{stamp}")
        with open(side, "wb") as out:
            fh.seek(cut)
            while True:
                block = fh.read(1 << 20)
                if not block:
                    break
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())
    return side.name


def _last_newline(fh, end: int) -> int:
    """Offset of the last newline before ``end`` (-1 when none), reading backwards."""
    pos = end
    while pos > 0:
        step = min(1 << 20, pos)
        pos -= step
        fh.seek(pos)
        cut = fh.read(step).rfind(b"\n")
        if cut != -1:
            return pos + cut
    return -1


def _chains(fh, start: int, last: bytes, month: str) -> bool:
    """Does ``last`` (a line without its newline, at ``start``) parse and chain to the entry before it?"""
    try:
        text = last.decode("utf-8")
    except UnicodeDecodeError:
        return False
    problems: list[Problem] = []
    if not text.startswith("- {") or (entry := parse_line(text, "", 0, problems)) is None:
        return False
    prev = genesis(month)
    end = start - 1  # the newline before the last line
    while end > 0:
        cut = _last_newline(fh, end)
        fh.seek(cut + 1)
        line = fh.read(end - cut - 1)
        end = cut
        try:
            before = line.decode("utf-8")
        except UnicodeDecodeError:
            return False
        if not before.strip() or before.startswith("#") or before.startswith(BOM):
            continue
        previous = parse_line(before, "", 0, problems)
        if previous is None:
            return False
        prev = previous.hash
        break
    try:
        return entry.data.get("hash") == chain_hash(prev, entry.data)
    except (TypeError, ValueError):
        return False
