"""The one CSV writer of zoudu (the audit's and the notice's): cells a spreadsheet shows, never runs.

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading apostrophe; every cell holding a comma, a quote, a CR or an LF is
quoted (``"`` doubled), whatever the row terminator, so that no cell can split a row. Numbers are
written as they are. Otherwise the output is what ``csv.writer`` writes with minimal quoting.
"""

from __future__ import annotations

from typing import Iterable, TextIO

FORMULA = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = (",", '"', "\r", "\n")


def neutral(value: object) -> object:
    """Text that would run as a formula, with a leading apostrophe; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value


def field(value: object) -> str:
    text = "" if value is None else str(neutral(value))
    if any(c in text for c in _QUOTE):
        return '"' + text.replace('"', '""') + '"'
    return text


def row(cells: Iterable[object], terminator: str = "\r\n") -> str:
    items = [field(c) for c in cells]
    if items == [""]:  # a lone empty cell, as csv.writer writes it (not an empty row)
        items = ['""']
    return ",".join(items) + terminator


class Writer:
    """``writerow`` like ``csv.writer``'s, with every text cell neutralised and quoted as above."""

    def __init__(self, out: TextIO, lineterminator: str = "\r\n"):
        self.out = out
        self.terminator = lineterminator

    def writerow(self, cells: Iterable[object]) -> None:
        self.out.write(row(cells, self.terminator))
