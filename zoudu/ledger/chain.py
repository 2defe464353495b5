"""The hash chain of the audited month's ledger, checked on every audit, cheaply.

What is checked: every complete line of the audited month's own file
(``ledgers/YYYY-MM.yaml``), exactly as ``zoudu verify`` checks it
(``zoudu.ledger.lines.Reading`` with ``check_chain``): each entry's ``hash`` must be
``chain_hash`` of the entry before it (the first chains to ``genesis(month)``); a line
that cannot be read, a comment or a blank line is passed over; an incomplete last line is
left to the audit's own "torn line" problem. The first line whose hash does not match is
reported. What is not checked: the neighbouring months' files, of which the audit reads
only the days of the weeks that cross into them, and earlier months, of which it reads
only leave and void lines; ``zoudu verify`` checks every file.

Cost: verifying a line means canonical JSON and a SHA-256 (a few µs), too slow to repeat
for a whole month on every audit. So the state of the check after the last complete line
(its length in bytes, the SHA-256 of those bytes, the chain head, the line count and the
first break found) is kept in the user's cache folder (``zoudu.memo.states``' ``chain`` state:
``~/.cache/zoudu``, off with ``ZOUDU_NO_CACHE``), keyed by the ledger's path. The next audit hashes the file's
first ``length`` bytes (about 1 GB/s); if they are unchanged it verifies only the lines
appended since, else the whole file again. The ledger is append-only, so the usual case is
a few new lines. Any problem with the cache means "verify the whole file": it is only an
accelerator, and it cannot hide an edit, since any change to the cached bytes is a miss.

Each line is read and checked by ``zoudu.ledger.lines.Reading``, the reader ``zoudu verify``
runs: a line the tool wrote in one go (the canonical JSON rebuilt from its decoded values,
``lines.value_chain``), anything else the long way (``lines.chain_hash`` decides).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from zoudu.memo import states as memo
from zoudu.ledger.lines import genesis
from zoudu.ledger.lines.entry import Reading, blocks
from zoudu.ledger.store import month_of_file

_CHUNK = 1 << 20  # bytes decoded at a time


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What checking one file's chain found."""

    shown: str  # the file as evidence cites it
    first_break: int | None  # line number of the first entry whose hash does not match
    checked: int  # lines verified by this call (the rest came from the cache)
    resumed: bool  # the cache vouched for a prefix of the file

    @property
    def where(self) -> str | None:
        return None if self.first_break is None else f"{self.shown}:{self.first_break}"


def check_chain(path: Path, shown: str, data: bytes | None = None) -> ChainCheck:
    """Check the hash chain of the ledger file at ``path`` (its bytes ``data`` if already read)."""
    month = month_of_file(path)
    if data is None:
        data = path.read_bytes()
    end = data.rfind(b"\n") + 1  # complete lines only: a torn tail is not part of the chain yet
    start, prev, number, first_break = 0, genesis(month), 0, None
    digest = hashlib.sha256()
    state = memo.chain_state(path)
    if state is not None and state["length"] <= end:
        digest.update(memoryview(data)[:state["length"]])
        if digest.copy().hexdigest() == state["sha256"]:
            start, prev, number, first_break = state["length"], state["head"], state["lines"], state["break"]
        else:
            digest = hashlib.sha256()
    if start == 0:
        digest.update(memoryview(data)[:end])
    else:
        digest.update(memoryview(data)[start:end])
    checked = 0
    if end > start:
        prev, number, found, checked = _verify(data, start, end, shown, month, prev, number)
        if first_break is None:
            first_break = found
    if start == 0 or end != start:  # something new to remember
        memo.keep_chain_state(path, end, digest.hexdigest(), prev, number, first_break)
    return ChainCheck(shown, first_break, checked, start > 0)


def _verify(data: bytes, start: int, end: int, shown: str, month: str, prev: str, number: int
            ) -> tuple[str, int, int | None, int]:
    """(chain head, last line number, first break, lines looked at) over ``data[start:end]``
    (whole lines), read as ``zoudu verify`` reads a file (``lines.Reading``), a megabyte at a time
    so that memory does not grow with the file. A damaged line is passed over (the audit reports
    it); like ``zoudu verify``, the chain goes on past it."""
    chunks = (data[pos:min(end, pos + _CHUNK)] for pos in range(start, end, _CHUNK))
    reading = Reading(blocks(chunks, number + 1), shown, month, check_chain=True, head=prev)
    for _entry in reading:
        pass
    first_break = next((p.line for p in reading.problems if p.code == "chain"), None)
    checked = data.count(b"\n", start, end)
    return str(reading.head), number + checked, first_break, checked

