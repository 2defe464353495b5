"""The few entries of a kind that commands look for across every month (seals, publications).

Finding them means reading every ledger file; a file that has not changed holds the
same ones. So the scan is remembered per file: ``zoudu.memo.store`` keeps (``marks``), under the file's stamp
(device, inode, size, modification and status-change times: any write is a miss), the
byte offset and line number of each line that names one of the kinds, and only those
lines are read again. The cache holds numbers, never entries: each line is parsed from
the file as it stands and kept only if it is an entry of those kinds.
"""

from __future__ import annotations

from pathlib import Path

from zoudu.memo import store as memo
from zoudu.ledger.lines import kind_needle
from zoudu.ledger.lines.entry import parse_line
from zoudu.ledger.lines.scan import line_starts, numbered_starts
from zoudu.ledger.store import open_ledger
from zoudu.model import Entry

_Offsets = list[tuple[int, int]]  # (byte offset of the line, its line number)


def _scan(path: Path, kinds: tuple[str, ...]) -> _Offsets:
    """Where lines naming one of ``kinds`` as their kind start (as the recording commands write them)."""
    with open_ledger(path) as fh:
        data = fh.read()
    return list(numbered_starts(data, line_starts(data, [kind_needle(kind) for kind in kinds])))


def offsets(path: Path, shown: str, kinds: tuple[str, ...]) -> _Offsets:
    """The (offset, line) of every line of ``path`` that may hold an entry of ``kinds``; [] without the file."""
    if not path.exists():
        return []
    return memo.marks(path, shown, kinds, lambda: _scan(path, kinds))


def marked_entries(path: Path, shown: str, kinds: tuple[str, ...]) -> list[Entry]:
    """The entries of ``kinds`` in one ledger file, in line order (damaged lines are skipped, as
    ``read_ledger`` skips them; ``verify`` names them)."""
    where = offsets(path, shown, kinds)
    if not where:
        return []
    found: list[Entry] = []
    with open_ledger(path) as fh:
        for offset, number in where:
            fh.seek(offset)
            raw = fh.readline()
            if not raw.endswith(b"\n"):
                continue  # cut off before its line break: torn, not an entry (verify --repair sets it aside)
            try:
                text = raw.decode("utf-8").rstrip("\n")
            except UnicodeDecodeError:
                continue
            entry = parse_line(text, shown, number, [])
            if entry is not None and entry.kind in kinds:
                found.append(entry)
    return found
