"""The seal on a published notice (公示封存): a month's entry count and chain head.

The footer of every notice carries ``2026-11:412:3fa9c2e81b07`` — the month, how
many entries its ledger held when the sheet was made, and the hash of the last
of them (a prefix on paper; the full value in HTML and CSV). Because each entry's
hash chains to the one before, that hash pins down every published entry.

``zoudu verify --sealed SEAL [--month M]`` then tells, long after, whether the
ledger still passes through the sealed hash. The chain alone cannot see lines
cut from the end of a file; the seal can. Entries appended after publication
(a late void, a late evaluation) are reported as late entries, not as damage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.store import read_ledger
from zoudu.model import Entry
from zoudu.timeparse import parse_month
from zoudu.ledger.workspace import Workspace

SHORT = 12  # hex digits of the head printed on paper: 48 bits, enough to catch any edit
MIN_HEX = SHORT  # no shorter than printed: 8 hex digits were ground in minutes
_HEX = re.compile(r"[0-9a-f]+")
_SHOWN_LATE = 5


@dataclass(frozen=True, slots=True)
class Seal:
    """What a published sheet seals: ``entries`` entries of ``month``, ending at ``head``."""

    month: str
    entries: int
    head: str

    @property
    def short(self) -> str:
        return self.head[:SHORT]

    @property
    def token(self) -> str:
        """The seal as printed on paper and typed back into ``zoudu verify --sealed``."""
        return f"{self.month}:{self.entries}:{self.short}"

    @property
    def full_token(self) -> str:
        return f"{self.month}:{self.entries}:{self.head}"

    def command(self) -> str:
        return f"zoudu verify --sealed {self.token}"


@dataclass(frozen=True, slots=True)
class SealCheck:
    """The outcome of checking a seal against the ledger as it is now."""

    ok: bool
    month: str | None
    message: str
    position: int | None = None       # how many entries the seal covers, if found
    late: tuple[Entry, ...] = ()       # entries appended after the sealed one


def parse_seal(text: str, month: str | None) -> tuple[str | None, int | None, str]:
    """``HEX``, ``MONTH:HEX`` or ``MONTH:COUNT:HEX`` -> (month, count, hex)."""
    raw = text.strip().lower()
    parts = raw.split(":")
    sealed_month: str | None = None
    count: int | None = None
    bad = ZouduError(_("not a seal: '{text}' (expected the seal printed on the notice, "
                       "like 2026-11:412:3fa9c2e81b07)").format(text=text))
    if len(parts) == 3:
        sealed_month, number, hexpart = parts
        if not number.isdigit():
            raise bad
        count = int(number)
    elif len(parts) == 2:
        sealed_month, hexpart = parts
    elif len(parts) == 1:
        hexpart = parts[0]
    else:
        raise bad
    if not _HEX.fullmatch(hexpart) or not MIN_HEX <= len(hexpart) <= 64:
        raise bad
    if sealed_month is not None:
        try:
            sealed_month = parse_month(sealed_month)
        except ZouduError:
            raise bad from None
    if month is not None:
        month = parse_month(month)
        if sealed_month is not None and sealed_month != month:
            raise ZouduError(_("the seal names {sealed}, but --month says {month}").format(
                sealed=sealed_month, month=month))
        sealed_month = month
    return sealed_month, count, hexpart


def seal_status(ws: Workspace, sealed: str, month: str | None = None) -> SealCheck:
    """Does a month's chain still pass through the sealed hash? Bad input raises ZouduError."""
    sealed_month, count, hexpart = parse_seal(sealed, month)
    months = [sealed_month] if sealed_month else ws.months()
    for m in months:
        path = ws.ledger_path(m)
        if not path.exists():
            return SealCheck(False, m, _(
                "{month}: the seal {seal} no longer holds: the month's ledger {path} is gone").format(
                month=m, seal=hexpart[:SHORT], path=ws.shown(path)))
        scan = read_ledger(path, ws.shown(path), check_chain=True)
        hits = [i for i, e in enumerate(scan.entries) if str(e.hash).startswith(hexpart)]
        if count is not None and len(hits) > 1:
            hits = [i for i in hits if i + 1 == count] or hits
        if len(hits) > 1:
            raise ZouduError(_("the seal {seal} fits {n} entries of {month}; give more of the hash").format(
                seal=hexpart, n=len(hits), month=m))
        if not hits:
            if sealed_month is None:
                continue
            return _broken(m, hexpart, count, scan.entries)
        return _found(m, hexpart, count, hits[0], scan.entries, scan.problems)
    return SealCheck(False, None, _(
        "no month's chain passes through the sealed hash {seal}: a published ledger was cut short or "
        "changed; give the month (--month) to name it").format(seal=hexpart[:SHORT]))


def _broken(month: str, hexpart: str, count: int | None, entries: list[Entry]) -> SealCheck:
    now = len(entries)
    if count is not None and now < count:
        message = _("{month}: the seal {seal} no longer holds: {published} entries were published, the ledger "
                    "now has {now}; {gone} entry(ies) were removed after publication").format(
            month=month, seal=hexpart[:SHORT], published=count, now=now, gone=count - now)
    else:
        message = _("{month}: the chain does not pass through the seal {seal}: check that it was copied "
                    "exactly from the notice; if it was, published entries were removed or changed "
                    "(the ledger now has {now} entries)").format(
            month=month, seal=hexpart[:SHORT], now=now)
    return SealCheck(False, month, message)


def _found(month: str, hexpart: str, count: int | None, index: int, entries: list[Entry],
           problems: list) -> SealCheck:
    sealed_entry = entries[index]
    position = index + 1
    before = [p for p in problems if p.line is not None and p.line <= sealed_entry.line]
    if before:
        first = before[0]
        return SealCheck(False, month, _(
            "{month}: the seal {seal} is in the chain, but the ledger is damaged before it: {where}: {problem}").format(
            month=month, seal=hexpart[:SHORT], where=first.where, problem=first.message), position)
    if count is not None and count != position:
        return SealCheck(False, month, _(
            "{month}: the sealed hash is entry {position}, but the notice says {count} entries").format(
            month=month, position=position, count=count), position)
    late = tuple(entries[index + 1:])
    if not late:
        return SealCheck(True, month, _(
            "{month}: the seal {seal} holds: the ledger is exactly the {n} entries published").format(
            month=month, seal=hexpart[:SHORT], n=position), position)
    shown = ", ".join(f"{e.id} ({e.kind}, {e.recorded.date().isoformat()})" for e in late[:_SHOWN_LATE])
    if len(late) > _SHOWN_LATE:
        shown += ", …"
    return SealCheck(True, month, _(
        "{month}: the seal {seal} holds for the {n} entries published; {late} late entry(ies) were added "
        "after publication (not damage): {entries}").format(
        month=month, seal=hexpart[:SHORT], n=position, late=len(late), entries=shown), position, late)


def check_seal(ws: Workspace, sealed: str, month: str | None) -> tuple[bool, str]:
    """For ``zoudu verify --sealed``: (still holds?, one line saying what was found)."""
    status = seal_status(ws, sealed, month)
    return status.ok, status.message


# -------------------------------------------------------------------- signed seals (docs/trust-model.md#keys-and-seals)
#
