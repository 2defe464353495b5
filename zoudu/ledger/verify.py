"""``zoudu verify``: every ledger parsed, ids, hash chains, voids and cadres checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.store import open_ledger, read_file, read_ledger, without_cycle_collector
from zoudu.memo.states import Verified
from zoudu.ledger.append import repair
from zoudu.model import Entry, Problem
from zoudu.timeparse import months_between
from zoudu.ledger.workspace import ROSTER, Workspace



@dataclass
class Report:
    files: int = 0
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[tuple[str, str]] = field(default_factory=list)  # (ledger, side file)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)  # month -> (entries, chain head)
    through: dict[str, str | None] = field(default_factory=dict)  # month -> hash of its entry number N (asked)

    @property
    def clean(self) -> bool:
        return not self.problems


_ALLOWED = {kind: model.COMMON_FIELDS | fields for kind, fields in model.FIELDS.items()}
_KINDS = frozenset(model.KINDS)


def check_entries(month: str, entries: Iterable[Entry], roster: model.Roster) -> list[Problem]:
    """What the chain cannot see: ids, kinds, cadres, and what voids and cancellations name.
    Only the kind and line of each id are kept, not the entries."""
    problems: list[Problem] = []
    seen: dict[str, tuple[str, int]] = {}  # id -> (kind, line)
    voided: dict[str, int] = {}  # id -> the line of its void
    last_recorded = None
    prefix, known = f"{month}-", roster.by_id

    def bad(e: Entry, message: str) -> None:
        problems.append(Problem(e.file, e.line, message))

    for e in entries:
        entry_id, kind, _at, recorded, _by, cadre, data, _hash, _file, line = e  # one unpacking, not ten lookups
        if last_recorded is not None and recorded < last_recorded:
            bad(e, _("recorded at {at}, before the entry above it ({last}): written by hand, or the clock was "
                  "set back").format(at=recorded.isoformat(), last=last_recorded.isoformat()))
        else:
            last_recorded = recorded
        # an id is the month's, then decimal digits (of any script, as a regex's \d would take)
        if not (isinstance(entry_id, str) and entry_id.startswith(prefix) and entry_id[len(prefix):].isdecimal()):
            bad(e, _("entry id '{id}' does not belong to this month's file").format(id=entry_id))
        if entry_id in seen:
            bad(e, _("entry id '{id}' appears twice (first on line {line})").format(id=entry_id, line=seen[entry_id][1]))
        seen[entry_id] = (kind, line)
        named = type(kind) is str  # a hand edit may make it a list or a mapping
        allowed = _ALLOWED.get(kind) if named else None
        if not (named and kind in _KINDS):
            bad(e, _("unknown kind of entry '{kind}'").format(kind=kind))
        elif allowed is not None and not allowed.issuperset(data):
            unknown = sorted(set(data) - allowed)
            bad(e, _("a field verify does not know: '{key}' (written by hand, or by another program)").format(
                key=unknown[0]))
        if cadre and known.get(cadre) is None:
            bad(e, _("cadre '{cadre}' is not on the roster").format(cadre=cadre))
        if kind == model.SPOT_CHECK:
            for other in [*data.get("present", []), *data.get("absent", [])]:
                if roster.get(other) is None:
                    bad(e, _("cadre '{cadre}' is not on the roster").format(cadre=other))
        elif kind == model.VOID:
            target = data.get("target")
            if target not in seen:
                bad(e, _("void names entry '{id}', which is not earlier in this file").format(id=target))
            elif seen[target][0] == model.VOID:
                bad(e, _("void names entry '{id}', which is itself a void").format(id=target))
            elif target in voided:
                bad(e, _("entry '{id}' is voided twice (first on line {line})").format(id=target, line=voided[target]))
            else:
                voided[target] = line
        elif kind == model.APPROVAL:
            target = seen.get(data.get("target"))
            if target is None or target[0] not in (model.CHECKIN, model.VILLAGE):
                bad(e, _("approval names entry '{id}', which is not a sign-in or village entry earlier in this "
                         "file").format(id=data.get("target")))
        elif kind == model.LEAVE_CANCEL:
            leave = seen.get(data.get("leave"))
            if leave is None or leave[0] != model.LEAVE:
                bad(e, _("cancellation names leave '{id}', which is not earlier in this file").format(
                    id=data.get("leave")))
    return problems


def missing_months(months: list[str]) -> list[str]:
    """Months without a file between the first and the last that have one."""
    present = set(months)
    return [m for m in months_between(months[0], months[-1]) if m not in present] if months else []


def verify(ws: Workspace, do_repair: bool = False, months: list[str] | None = None, from_bytes: bool = False,
           through: dict[str, int] | None = None, progress: Callable[[int, int], None] | None = None) -> Report:
    """Check every ledger (or only ``months``), one month in memory at a time.

    A month whose file, roster and code are byte for byte as when it last verified clean is
    not parsed again (``zoudu.memo.states.Verified``, whose entries carry a keyed MAC): its bytes are hashed and
    its count and head reused. ``from_bytes`` checks every month asked from its bytes whatever
    is remembered (``publish``). ``through`` ({month: N}) also notes the hash of each such
    month's entry number N in ``Report.through`` (None when the file holds fewer).
    ``progress(done, total)`` is told of each month checked.
    """
    with without_cycle_collector():
        return _verify(ws, do_repair, months, from_bytes, through or {}, progress)


def _watched(entries: Iterable[Entry], number: int, seen: dict[str, str | None], month: str) -> Iterable[Entry]:
    """``entries`` as they come, noting the hash of entry number ``number`` in ``seen[month]``."""
    seen[month] = None
    for count, e in enumerate(entries, 1):
        if count == number:
            seen[month] = str(e.hash)
        yield e


def _verify(ws: Workspace, do_repair: bool, months: list[str] | None, from_bytes: bool,
            through: dict[str, int], progress: Callable[[int, int], None] | None) -> Report:
    report = Report()
    roster = _roster(ws, report)
    every = months is None
    for bad in ws.misnamed() if every else ():
        report.problems.append(Problem(ws.shown(bad), None, _(
            "not a ledger file name: a month's ledger is named YYYY-MM.yaml in ASCII digits; this file is "
            "read by nothing (rename it, or move it out of ledgers/)")))
    if do_repair:
        with ws.lock():
            for month in ws.months():
                path = ws.ledger_path(month)
                side = repair(path, ws.shown(path))
                if side is not None:
                    report.repaired.append((ws.shown(path), side))
    report.problems += check_roster(ws)
    found = ws.months()
    if every:
        months = found
        for month in missing_months(found):
            report.problems.append(Problem(ws.shown(ws.ledger_path(month)), None, _(
                "this month's ledger is missing, though months before and after it have one (deleted?)")))
    kept = Verified(ws.root / ROSTER, open_ledger)  # what verify found clean before (docs/architecture.md#caches)
    for done, month in enumerate(months):
        if progress is not None:
            progress(done, len(months))
        _verify_month(ws, month, report, roster, kept, from_bytes, through)
    if progress is not None:
        progress(len(months), len(months))
    report.problems.sort(key=lambda p: (p.file, p.line or 0))
    return report


def _roster(ws: Workspace, report: Report) -> model.Roster | None:
    """The roster the entries are checked against; None, with the problem noted, if it is damaged."""
    try:
        return ws.roster
    except ZouduError as e:  # a roster damaged by hand is damage verify names (exit 1), not bad usage
        where = re.fullmatch(r"(.*):(\d+)", e.location or "")
        report.problems.append(Problem(where.group(1), int(where.group(2)), e.message) if where
                               else Problem(e.location or ROSTER, None, e.message))
        return None


def _verify_month(ws: Workspace, month: str, report: Report, roster: model.Roster | None, kept: Verified,
                  from_bytes: bool, through: dict[str, int]) -> None:
    """One month's file into ``report``: remembered clean and unchanged, or read and checked."""
    path = ws.ledger_path(month)
    shown = ws.shown(path)
    known = None if from_bytes or month in through else kept.lookup(path)
    report.files += 1
    if known is not None:
        report.entries += known[0]
        report.heads[month] = known
        return
    read = _Counted()
    reading = read_file(path, shown, check_chain=True, digest=read)
    entries: Iterable[Entry] = reading
    if month in through:
        entries = _watched(reading, through[month], report.through, month)
    # checked as they are read: an entry is let go once checked (a block of the file in memory)
    if roster is not None:
        found = check_entries(month, entries, roster)
    else:  # a damaged roster (said above): the file is still read for damage of its own
        found = []
        for _entry in entries:
            pass
    problems = reading.problems + found
    report.entries += reading.count
    report.problems += problems
    report.heads[month] = (reading.count, reading.head)
    if not problems:
        kept.remember(path, read.size, read.hexdigest(), reading.count, reading.head)


class _Counted:
    """A SHA-256 that also counts the bytes it was fed."""

    def __init__(self) -> None:
        import hashlib

        self._sha = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes) -> None:
        self._sha.update(data)
        self.size += len(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def check_roster(ws: Workspace) -> list[Problem]:
    """The roster log's chain and clock (a hand-edited line is named); the old undated format is a problem."""
    from zoudu.ledger.files import read_bytes
    from zoudu.ledger.roster import is_log
    from zoudu.ledger.workspace import ROSTER

    path = ws.root / ROSTER
    if not path.exists():
        return [Problem(ROSTER, None, _("roster file not found"))]
    if not is_log(read_bytes(path)):
        return [Problem(ROSTER, None, _("the roster is in the old format, which nothing protects; "
                                        "convert it once with 'zoudu roster migrate'"))]
    scan = read_ledger(path, ROSTER, check_chain=True)
    problems = list(scan.problems)
    last = None
    for e in scan.entries:
        if last is not None and e.recorded < last:
            problems.append(Problem(e.file, e.line, _("recorded before the line above it: written by hand, or the "
                                                      "clock was set back")))
        last = e.recorded if last is None else max(last, e.recorded)
    return problems
