"""The hash chain of the audited month's ledger, checked on every audit, cheaply.

What is checked: every complete line of the audited month's own file
(``ledgers/YYYY-MM.yaml``), exactly as ``zoudu verify`` checks it
(``zoudu.ledger.store.read_ledger(..., check_chain=True)``): each entry's ``hash`` must be
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

A line the tool wrote is checked first by a fast path that rebuilds the canonical JSON from
the line's text (drop the hash, tighten the separators, escape non-ASCII as ``\\uXXXX``):
if the SHA-256 of that text matches the line's hash the line is good. When it does not
(a hand edit, a note with ``", "`` in it, a character outside the BMP) the line is decoded
and checked with ``zoudu.ledger.store.chain_hash``, which decides.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from zoudu.memo import states as memo
from zoudu.ledger.store import chain_hash, fast_fields, genesis, month_of_file, parse_line, value_chain
from zoudu.model import Problem

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
        prev, number, found, checked = _verify(data, start, end, shown, prev, number)
        if first_break is None:
            first_break = found
    if start == 0 or end != start:  # something new to remember
        memo.keep_chain_state(path, end, digest.hexdigest(), prev, number, first_break)
    return ChainCheck(shown, first_break, checked, start > 0)


def _verify(data: bytes, start: int, end: int, shown: str, prev: str, number: int
            ) -> tuple[str, int, int | None, int]:
    """(chain head, last line number, first break, lines looked at) over ``data[start:end]``
    (whole lines), read a megabyte at a time so that memory does not grow with the file."""
    first_break = None
    ignored: list[Problem] = []
    head = prev
    checked = 0
    pos = start
    while pos < end:
        stop = data.rfind(b"\n", pos, min(end, pos + _CHUNK)) + 1
        if stop <= pos:  # one line longer than a chunk
            stop = data.find(b"\n", pos, end) + 1
        piece = data[pos:stop]
        pos = stop
        try:
            lines: list = piece.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            lines = piece.split(b"\n")
        del piece
        lines.pop()  # after the last newline: nothing
        checked += len(lines)
        for text in lines:
            number += 1
            if not isinstance(text, str):
                try:
                    text = text.decode("utf-8")
                except UnicodeDecodeError:
                    continue  # not UTF-8: the audit reports the line; it chains nothing
            if text.startswith('- {"'):
                # fast path: the canonical JSON rebuilt from the decoded values (store.value_chain)
                fields = fast_fields(text)
                found = value_chain(fields, head) if fields is not None else None
                if found is not None:
                    head = found
                    continue
            if not text.strip() or text.startswith("#"):
                continue
            entry = parse_line(text, shown, number, ignored)
            if entry is None:
                continue  # damaged: the audit reports it; like ``zoudu verify``, the chain goes on past it
            fields = entry.data
            stored_hash = fields.get("hash", "")
            try:
                good = stored_hash == chain_hash(head, fields)
            except (TypeError, ValueError):  # not JSON-able (a hand edit in YAML): it cannot match
                good = False
            if not good and first_break is None:
                first_break = number
            head = str(stored_hash)
    return head, number, first_break, checked
