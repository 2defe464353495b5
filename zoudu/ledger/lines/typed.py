"""A ledger line decoded straight into the audit's typed ``Line`` (msgspec); what the fast path
refuses goes through ``entry.parse_line`` and gives the same record (docs/architecture.md#the-audit-pipeline)."""

from __future__ import annotations

from typing import Any

import msgspec

from zoudu.ledger.lines.entry import _ISO, parse_line
from zoudu.model import LEAVE, Problem


class Line(msgspec.Struct, kw_only=True):
    """One ledger entry as the audit reads it. Every kind's fields, unused ones left at their
    default; ``at``/``recorded``/``until`` are aware datetimes once read.

    ``place`` and ``reason`` are ``UNSET`` when the line has no such key (a ``null`` there
    means something else: a sign-in without a place is at the configured place)."""

    id: str
    kind: str
    at: Any  # str as decoded, then dt.datetime
    recorded: Any
    by: str
    hash: str
    cadre: str | None = None
    # checkin
    place: str | msgspec.UnsetType = msgspec.UNSET
    approver: str | None = None
    reason: str | msgspec.UnsetType = msgspec.UNSET
    # village
    village: str | None = None
    witness: str | None = None
    stay: bool = False
    note: str | None = None
    # leave, leave_cancel, void
    until: Any = None
    leave_kind: str | None = None
    leave: str | None = None
    target: str | None = None
    # inspection, report, evaluation
    present: list[str] | None = None
    absent: list[str] | None = None
    method: str | None = None
    inspector: str | None = None
    rule: str | None = None
    source: Any = None  # a report's source (text), or an imported punch's (format, device, file, sha256)
    month: str | None = None
    self_grade: str | None = msgspec.field(default=None, name="self")
    peer: str | None = None
    public: str | None = None
    # duty, appeal, review, meeting
    slots: list[str] | None = None
    date: str | None = None
    slot: str | None = None
    decision: str | None = None
    meeting_kind: str | None = None
    # the spot-check draw (draw_commit, draw, draw_disclose; ``month`` above)
    commitment: Any = None
    rounds: Any = None
    per_round: Any = None
    randomness: Any = None
    pool: Any = None
    secret: Any = None
    drawn: Any = None
    # where it was read: set by ``decode``, never taken from the line
    where: str = ""

    def get(self, key: str) -> Any:
        """A field by its stored name, None when absent (like ``dict.get`` on the stored fields)."""
        value = getattr(self, _ATTR.get(key, key), None)
        return None if value is msgspec.UNSET else value


_ATTR = {"self": "self_grade"}  # stored name -> attribute, where they differ
# (attribute, stored name) of every field a line may carry
_FIELDS = [(attr, "self" if attr == "self_grade" else attr) for attr in Line.__struct_fields__ if attr != "where"]
_DECODER = msgspec.json.Decoder(Line)


def decode(text: str, shown: str, number: int, problems: list[Problem]) -> Line | None:
    """One line (``- {...}``) to a Line; damage becomes a Problem (with ``file:line``) and None.

    msgspec checks each field's type while it decodes; a line it refuses (reformatted by hand,
    YAML, a number where text belongs) goes to ``general``, which gives the same record. Times
    are read by ``datetime.fromisoformat`` on both ways; a time without its UTC offset is damage."""
    if text.startswith("- {"):
        try:
            line = _DECODER.decode(text[2:])
            at, recorded = _ISO(line.at), _ISO(line.recorded)
            if at.tzinfo is not None and recorded.tzinfo is not None:
                line.at, line.recorded = at, recorded
                if line.kind != LEAVE:
                    line.where = f"{shown}:{number}"
                    return line
                until = _ISO(line.until)
                if until.tzinfo is not None:
                    line.until = until
                    line.where = f"{shown}:{number}"
                    return line
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError, TypeError):
            pass
    return general(text, shown, number, problems)


def general(text: str, shown: str, number: int, problems: list[Problem]) -> Line | None:
    """The fallback: ``parse_line``'s Entry as a Line, its fields as written."""
    entry = parse_line(text, shown, number, problems)
    if entry is None:
        return None
    data = entry.data
    values = {attr: data[key] for attr, key in _FIELDS if key in data}
    values.update(id=entry.id, kind=entry.kind, at=entry.at, recorded=entry.recorded, by=entry.by,
                  hash=entry.hash, cadre=entry.cadre)
    if entry.kind == LEAVE:
        values["until"] = _ISO(data["until"])  # checked by parse_line: readable and aware
    line = Line(**values)  # values as written: a Struct checks types only when it decodes
    line.where = entry.where
    return line


