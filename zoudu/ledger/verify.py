"""``zoudu verify``: every ledger parsed, ids, hash chains, voids and cadres checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zoudu import model
from zoudu.i18n import _
from zoudu.ledger.store import read_ledger, repair
from zoudu.model import Entry, Problem
from zoudu.timeparse import months_between
from zoudu.ledger.workspace import Workspace

_ID = re.compile(r"(\d{4}-\d{2})-(\d+)")


@dataclass
class Report:
    files: int = 0
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[tuple[str, str]] = field(default_factory=list)  # (ledger, side file)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)  # month -> (entries, chain head)

    @property
    def clean(self) -> bool:
        return not self.problems


def check_entries(month: str, entries: list[Entry], roster: model.Roster) -> list[Problem]:
    """What the chain cannot see: ids, kinds, cadres, and what voids and cancellations name."""
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    voided: dict[str, Entry] = {}
    last_recorded = None
    for e in entries:
        def bad(message: str) -> None:
            problems.append(Problem(e.file, e.line, message))

        if last_recorded is not None and e.recorded < last_recorded:
            bad(_("recorded at {at}, before the entry above it ({last}): written by hand, or the clock was set "
                  "back").format(at=e.recorded.isoformat(), last=last_recorded.isoformat()))
        last_recorded = e.recorded if last_recorded is None else max(last_recorded, e.recorded)

        m = _ID.fullmatch(str(e.id))
        if not m or m.group(1) != month:
            bad(_("entry id '{id}' does not belong to this month's file").format(id=e.id))
        if e.id in seen:
            bad(_("entry id '{id}' appears twice (first on line {line})").format(id=e.id, line=seen[e.id].line))
        seen[e.id] = e
        if e.kind not in model.KINDS:
            bad(_("unknown kind of entry '{kind}'").format(kind=e.kind))
        named = [e.cadre] if e.cadre else []
        if e.kind == model.INSPECTION:
            named += list(e.data.get("present", [])) + list(e.data.get("absent", []))
        for cadre in named:
            if roster.get(cadre) is None:
                bad(_("cadre '{cadre}' is not on the roster").format(cadre=cadre))
        if e.kind == model.VOID:
            target = e.data.get("target")
            if target not in seen:
                bad(_("void names entry '{id}', which is not earlier in this file").format(id=target))
            elif seen[target].kind == model.VOID:
                bad(_("void names entry '{id}', which is itself a void").format(id=target))
            elif target in voided:
                bad(_("entry '{id}' is voided twice (first on line {line})").format(id=target, line=voided[target].line))
            else:
                voided[target] = e
        if e.kind == model.LEAVE_CANCEL:
            leave = seen.get(e.data.get("leave"))
            if leave is None or leave.kind != model.LEAVE:
                bad(_("cancellation names leave '{id}', which is not earlier in this file").format(
                    id=e.data.get("leave")))
    return problems


def missing_months(months: list[str]) -> list[str]:
    """Months without a file between the first and the last that have one."""
    present = set(months)
    return [m for m in months_between(months[0], months[-1]) if m not in present] if months else []


def verify(ws: Workspace, do_repair: bool = False) -> Report:
    report = Report()
    roster = ws.roster
    if do_repair:
        with ws.lock():
            for month in ws.months():
                path = ws.ledger_path(month)
                side = repair(path, ws.shown(path))
                if side:
                    report.repaired.append((ws.shown(path), side))
    report.problems += check_roster(ws)
    months = ws.months()
    for month in missing_months(months):
        report.problems.append(Problem(ws.shown(ws.ledger_path(month)), None, _(
            "this month's ledger is missing, though months before and after it have one (deleted?)")))
    for month in months:
        path = ws.ledger_path(month)
        shown = ws.shown(path)
        scan = read_ledger(path, shown, check_chain=True)
        report.files += 1
        report.entries += len(scan.entries)
        report.problems += scan.problems
        report.problems += check_entries(month, scan.entries, roster)
        report.heads[month] = (len(scan.entries), scan.head)
    report.problems.sort(key=lambda p: (p.file, p.line or 0))
    return report


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
