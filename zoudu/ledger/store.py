"""The ledger files: ``ledgers/YYYY-MM.yaml``, one entry per line (``zoudu.ledger.lines`` holds the
line format and reads it), opened safely and read a block at a time.

Appends (``zoudu.ledger.append``) take one lock for the whole workspace, read the tail, write,
flush, fsync.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from zoudu import system
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.lines import genesis
from zoudu.ledger.lines.entry import Reading, blocks
from zoudu.model import Entry, Problem

HEADER = "# zoudu ledger {month}: append-only, one entry per line; correct a mistake with `zoudu void`.\n"
# ASCII digits only: ``\d`` would take "２０２６-１１" too and make a phantom month's file.
LEDGER_NAME = re.compile(r"([0-9]{4}-(?:0[1-9]|1[0-2]))\.yaml")
_TAIL_CHUNK = 64 * 1024
_BLOCK = 1 << 20  # bytes read and decoded at a time
# A write the file system refused for lack of room: said as "disk full".
_FULL = {"ENOSPC", "EDQUOT", "EFBIG"}
ROSTER_LOG = "roster.yaml"


# ----------------------------------------------------------------------------- reading


@dataclass(slots=True)
class Scan:
    """What reading one ledger file gave: entries, problems, and its chain head."""

    entries: list[Entry]
    problems: list[Problem]
    head: str


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """For reading many entries: a month's are a few hundred thousand small objects without
    reference cycles, which the cyclic collector would only walk again and again as they pile up
    (a quarter of an audit's time). It is put back as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def month_of_file(path: Path) -> str:
    """The month a ledger file holds; ``roster`` for the roster log, which is chained the same way."""
    if path.name == ROSTER_LOG:
        return "roster"
    m = LEDGER_NAME.fullmatch(path.name)
    if not m:
        raise ZouduError(_("not a ledger file name (expected YYYY-MM.yaml)"), str(path))
    return m.group(1)


def iter_blocks(path: Path, digest: Any = None) -> Iterator[tuple[int, list, bool]]:
    """The file's lines a block at a time (``lines.blocks``), reading a megabyte at a time:
    memory holds a block and its lines, never the whole file. ``digest`` (a hashlib-like object)
    is fed every byte read, so that it vouches for exactly what was read."""
    with open_ledger(path) as fh:
        yield from blocks(_chunks(fh, digest))


def _chunks(fh: Any, digest: Any) -> Iterator[bytes]:
    while block := fh.read(_BLOCK):
        if digest is not None:
            digest.update(block)
        yield block


def open_ledger(path: Path, mode: str = "rb"):
    """A ledger file opened for reading, refusing a symlink (it could lead out of the workspace) and
    anything but a regular file (a FIFO would hang), with one-line errors naming it."""
    shown = str(path)
    try:
        fd = system.open_regular(path, write="+" in mode, follow=False)
    except OSError as e:
        raise _open_error(e, path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ZouduError(_("a ledger must be a regular file"), shown)
        system.blocking(fd)
        return os.fdopen(fd, "rb+" if "+" in mode else "rb")
    except BaseException:
        os.close(fd)
        raise


def _open_error(e: OSError, path: Path) -> ZouduError:
    if e.errno == errno.ELOOP or path.is_symlink():
        return ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"), str(path))
    if e.errno == errno.ENOENT:
        return ZouduError(_("file not found"), str(path))
    return ZouduError(_("cannot read file: {error}").format(error=e.strerror), str(path))


def read_ledger(path: Path, shown_as: str, check_chain: bool = False, digest: Any = None) -> Scan:
    """Every entry of one file; damage becomes Problems with ``file:line``, never exceptions."""
    reading = read_file(path, shown_as, check_chain, digest)
    entries = list(reading)
    return Scan(entries, reading.problems, reading.head if check_chain else (
        entries[-1].hash if entries else genesis(reading.month)))


def read_file(path: Path, shown_as: str, check_chain: bool = False, digest: Any = None) -> Reading:
    """One ledger file read entry by entry, a block in memory at a time (``lines.Reading``):
    ``read_ledger`` keeps them all; ``verify`` checks them as they come and keeps none."""
    return Reading(iter_blocks(path, digest), shown_as, month_of_file(path), check_chain)

