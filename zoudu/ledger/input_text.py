"""What a clerk types, checked before it is kept: free text, labels compared as names, and names
that show every character they hold (docs/ledger-format.md)."""

from __future__ import annotations

import re

from zoudu.errors import ZouduError
from zoudu.i18n import _

MAX_TEXT = 2000
# Control characters other than tab and line breaks would reach the clerk's
# terminal as escape sequences (colours, cleared screens, changed titles).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text(value: str | None, what: str, required: bool = True) -> str | None:
    """Free text from the command line, kept exactly; refuses what no file could hold."""
    if value is None or value == "":
        if required:
            raise ZouduError(_("{what} must not be empty").format(what=what))
        return None
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ZouduError(_("{what} is not valid UTF-8 text").format(what=what))
    if len(value) > MAX_TEXT:
        raise ZouduError(_("{what} is too long (more than {n} characters)").format(what=what, n=MAX_TEXT))
    if not value.strip():
        raise ZouduError(_("{what} must not be empty").format(what=what))
    if _CONTROL.search(value):
        raise ZouduError(_("{what} contains a control character (such as an escape code)").format(what=what))
    return value


def label(value: str | None, what: str, required: bool = True) -> str | None:
    """A name that is compared, not just kept (a place, a village): one line, no outer spaces."""
    value = text(value, what, required)
    if value is None:
        return None
    if "\n" in value or "\r" in value:
        raise ZouduError(_("{what} must be on one line").format(what=what))
    return value.strip()


# Characters a name cannot show but a comparison sees: "张\u200b伟" passes as 张伟 to the eye. Besides the
# categories below: fillers that render as nothing (Hangul U+115F, U+1160, U+3164, U+FFA0, braille blank),
# a combining grapheme joiner, Khmer's invisible vowels and the variation selectors.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5") | frozenset(
    chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)))


def invisible_in(value: str) -> str | None:
    """The first character of ``value`` that would not show in a name (any space but ' ' too), or None."""
    import unicodedata

    for ch in value:
        if ch == " ":
            continue
        if ch in _INVISIBLE or unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            return ch
    return None


def name_text(value: str | None, what: str, required: bool = True) -> str | None:
    """A name (of a cadre, a witness, a village, a place): one line, no outer spaces, and no character
    that does not show (zero-width, control, other spaces, fillers), so that two names that look
    the same are the same."""
    value = text(value, what, required)
    if value is None:
        return None
    if "\n" in value or "\r" in value:
        raise ZouduError(_("{what} must be on one line").format(what=what))
    hidden = invisible_in(value)
    if hidden is not None:
        raise ZouduError(_("{what} contains an invisible character (U+{code:04X}): a name must be written as it "
                           "shows").format(what=what, code=ord(hidden)))
    return label(value, what, required)
