"""Data as text a terminal shows and never obeys: what every renderer puts in a cell."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """Text with control characters (an escape code, a NUL) shown as U+FFFD instead of acted on.

    A name read from a hand-edited roster could otherwise clear a terminal or hide a line;
    tabs become spaces, and line breaks are kept for the caller to fold.
    """
    return _CONTROL.sub("\ufffd", str(text).replace("\t", " "))


def cell(value: object, style: str = ""):
    """A table cell from data: ``rich.text.Text``, so '[/]', '[link=…]' or '[black on black]' in a
    name print as typed and are never read as Rich markup; control characters replaced."""
    from rich.text import Text

    if isinstance(value, Text):
        return value
    return Text(printable("" if value is None else value), style=style)
