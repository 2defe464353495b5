"""One ledger line, both ways: how it is written, how every command reads it, and how the bytes
of a file are scanned for the few lines worth reading (docs/ledger-format.md#ledger-lines).

This package is the only code that reads a ledger line; here, the line format:
a line is ``- `` and a JSON object with sorted keys (``encode_line``). Each entry carries
``hash`` = sha256(previous hash + canonical JSON of the entry without its hash); a file's first
entry chains to a genesis value naming the month (``chain_hash``, ``genesis``). What the
pre-filters search for is written by ``field_needle`` from the entry kinds and field names
(``zoudu.model``), as ``encode_line`` writes them.

Reading has a fast path and a fallback, in this package and nowhere else:

* ``lines.entry.parse_line``: a line to an ``Entry`` (what verify, the recording commands and
  ``marks`` use): msgspec, then the standard library's JSON scanner, then checked YAML for a hand edit.
* ``lines.entry.Reading``: a file's lines one after another (``blocks``), each checked against
  the chain when asked; ``zoudu verify``, ``read_ledger`` and the audit's chain check run it.
* ``lines.typed.decode``: a line to the audit's typed ``Line``: msgspec decodes straight into the
  record; what it refuses goes through ``parse_line`` and gives the same record.
* ``lines.scan``: the byte pre-filters (``line_starts``, ``pick_days``, ``pick_mentions``) find
  lines without splitting a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

ITEM = "- "  # a line is a YAML list item: this, then the JSON object
_SEPARATORS = (", ", ": ")
# YAML 1.1 reads these differently from JSON inside a double-quoted scalar (line
# breaks are folded, non-printables are refused), so they are always escaped.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# No line zoudu writes comes near this (a text field holds at most 2,000 characters): a longer
# one is garbage, and reading further would only hold the workspace lock for nothing.
MAX_LINE = 1 << 20
BOM = "\ufeff"


def genesis(month: str) -> str:
    return hashlib.sha256(f"zoudu genesis {month}".encode()).hexdigest()


def chain_hash(prev: str, fields: dict[str, Any]) -> str:
    """The hash of an entry: its fields without ``hash``, chained to ``prev``."""
    body = {k: v for k, v in fields.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def _yaml_safe(text: str) -> str:
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encode_line(fields: dict[str, Any]) -> str:
    """One entry as one line: ``- {json}\\n`` that JSON and YAML read alike."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=_SEPARATORS)
    return f"{ITEM}{_yaml_safe(text)}\n"


def field_needle(key: str, value: str) -> bytes:
    """The bytes of the member ``key: value`` as ``encode_line`` writes it (``"kind": "void"``)."""
    member = json.dumps(key, ensure_ascii=False) + _SEPARATORS[1] + json.dumps(value, ensure_ascii=False)
    return _yaml_safe(member).encode("utf-8")


def kind_needle(kind: str) -> bytes:
    """How a line the tool writes names its kind (``model.VOID`` -> ``"kind": "void"``)."""
    return field_needle("kind", kind)


def kind_mark(kind: str) -> str:
    """``kind_needle`` as text, to look for in a decoded line."""
    return kind_needle(kind).decode("utf-8")


# A line as the tool writes most of them: its time first (``- {"at": "``); only a line with
# "approver" (which sorts before "at") starts otherwise.
TIME_FIRST = (ITEM + "{" + json.dumps("at") + _SEPARATORS[1] + '"').encode()


def stored_offset(offset: dt.timedelta) -> str:
    """A UTC offset as a stored time ends with it (``"+08:00"``)."""
    seconds = int(offset.total_seconds())
    return f"{'+' if seconds >= 0 else '-'}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"


