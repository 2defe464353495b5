"""Every command that records something: checks its input, then appends.

Each function validates everything before taking the lock, re-checks what
depends on the ledger under the lock, appends, and returns the new entry ids.
Bad input raises ZouduError and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

from zoudu import model
from zoudu.ledger import approvals
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.store import read_ledger
from zoudu.ledger.append import append
from zoudu.model import Cadre, Entry
from zoudu.ledger.roster import find_cadre
from zoudu.timeparse import is_date_only, iso, said, month_days, month_of, parse_date, parse_month, parse_time, shift_month
from zoudu.ledger.input_text import name_text, text
from zoudu.ledger.workspace import Workspace

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
LEAVE_LOOKBACK_MONTHS = 12


def now(ws: Workspace) -> dt.datetime:
    return ws.now()


def when(ws: Workspace, value: str | None, allow_future: bool = False) -> dt.datetime:
    at = now(ws) if value is None else parse_time(value, ws.settings.tz, now(ws))
    if not allow_future and at > now(ws) + FUTURE_TOLERANCE:
        raise ZouduError(_("the time {at} is in the future").format(at=said(at)))
    return at


def serving(cadre: Cadre, at: dt.datetime) -> Cadre:
    if not cadre.serving_on(at.date()):
        raise ZouduError(_("{name} ({id}) is not on the roster on {day} (serving {since} to {until})").format(
            name=cadre.name, id=cadre.id, day=at.date(), since=cadre.since or "…", until=cadre.until or "…"))
    return cadre


def recorder(ws: Workspace, by: str | None) -> str:
    """Who records: a cadre named with --by, else the operating-system user."""
    if by:
        return find_cadre(ws.roster, by).id
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def base(ws: Workspace, kind: str, at: dt.datetime, by: str | None, cadre: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {"kind": kind, "at": iso(at), "recorded": iso(now(ws)), "by": recorder(ws, by)}
    if cadre is not None:
        fields["cadre"] = cadre
    return fields


def write(ws: Workspace, month: str, entries: list[dict[str, Any]]) -> list[str]:
    path = ws.ledger_path(month)
    with ws.lock():
        done = append(path, ws.shown(path), entries, clock=lambda: iso(now(ws)))
    return [f["id"] for f in done]


def cadres_of(ws: Workspace, tokens: Iterable[str], at: dt.datetime) -> list[Cadre]:
    from zoudu.ledger.names import split_names

    found: list[Cadre] = []
    for token in split_names(list(tokens)):
        cadre = serving(find_cadre(ws.roster, token, at.date()), at)
        if cadre in found:
            raise ZouduError(_("{name} ({id}) is named twice").format(name=cadre.name, id=cadre.id))
        found.append(cadre)
    if not found:
        raise ZouduError(_("name at least one cadre"))
    return found


# ----------------------------------------------------------------------------- roster


def checkin(ws: Workspace, tokens: list[str], at: str | None, place: str | None,
            approver: str | None, reason: str | None, by: str | None) -> list[str]:
    """Office sign-in (签到) for one or more cadres at the same time."""
    moment = when(ws, at)
    cadres = cadres_of(ws, tokens, moment)
    extra: dict[str, Any] = {"place": name_text(place, _("place")) if place is not None else ws.settings.place}
    if (approver is None) != (reason is None):
        raise ZouduError(_("a backfilled sign-in needs both --approver and --reason"))
    if approver is not None:
        approving = find_cadre(ws.roster, approver, moment.date())
        if approving in cadres:
            raise ZouduError(_("{name} ({id}) cannot approve their own sign-in").format(
                name=approving.name, id=approving.id))
        for cadre in cadres:
            approve(ws, approving.id, cadre.id, approvals.BACKFILL, moment.date())
        extra["approver"] = approving.id
        extra["reason"] = text(reason, _("reason"))
    entries = [dict(base(ws, model.CHECKIN, moment, by, c.id), **extra) for c in cadres]
    return write(ws, month_of(moment), entries)


def village(ws: Workspace, token: str, village_name: str, witness: str | None, stay: bool,
            at: str | None, note: str | None, by: str | None,
            approver: str | None = None, reason: str | None = None) -> list[str]:
    """A village visit (下村) or overnight stay (住村) copied from the field diary (民情日记).

    Copied later than ``village_late_days`` after its time it is late (village.late) and
    counts only with an approver who may approve it (``--approver`` and ``--reason``).
    """
    moment = when(ws, at)
    cadre = serving(find_cadre(ws.roster, token, moment.date()), moment)
    if (approver is None) != (reason is None):
        raise ZouduError(_("a late village entry needs both --approver and --reason"))
    fields = base(ws, model.VILLAGE, moment, by, cadre.id)
    if approver is not None:
        approving = find_cadre(ws.roster, approver, moment.date())
        approve(ws, approving.id, cadre.id, approvals.VILLAGE, moment.date())
        fields["approver"] = approving.id
        fields["reason"] = text(reason, _("reason"))
    fields["village"] = name_text(village_name, _("village visited"))
    fields["stay"] = bool(stay)
    if witness is not None:
        fields["witness"] = name_text(witness, _("witness"))
    if note is not None:
        fields["note"] = text(note, _("note"))
    return write(ws, month_of(moment), [fields])


def _bound(ws: Workspace, value: str, end: bool) -> dt.datetime:
    """A leave bound: a full time, or a date meaning the start or end of that day."""
    if is_date_only(value):
        day = parse_date(value, now(ws).date())
        clock = dt.time(23, 59, 59) if end else dt.time(0, 0)
        return dt.datetime.combine(day, clock, ws.settings.tz)
    return parse_time(value, ws.settings.tz, now(ws))


class Leave(NamedTuple):
    """A cadre's leave as it stands: its entry, where it is kept, and when it now ends."""

    entry: Entry
    path: Path
    end: dt.datetime  # ``until``, or the time of its cancellation (销假)


def leaves_of(ws: Workspace, cadre_id: str | None, last_month: str, months: int = LEAVE_LOOKBACK_MONTHS) -> list[Leave]:
    """The cadre's leaves (every cadre's, ``cadre_id`` None) recorded in ``last_month`` and the months
    before it (voided ones left out).

    A leave is kept in the month it starts; a void or cancellation in the file of the
    leave it names, so each file answers for its own leaves.
    """
    found: list[Leave] = []
    for back in range(months):
        path = ws.ledger_path(shift_month(last_month, -back))
        if not path.exists():
            continue
        entries = read_ledger(path, ws.shown(path)).entries
        voided = {e.data.get("target") for e in entries if e.kind == model.VOID}
        ends = {e.data.get("leave"): e.at for e in entries
                if e.kind == model.LEAVE_CANCEL and e.id not in voided}
        for e in entries:
            if e.kind == model.LEAVE and e.cadre and cadre_id in (None, e.cadre) and e.id not in voided:
                until = dt.datetime.fromisoformat(e.data["until"])
                found.append(Leave(e, path, min(until, ends.get(e.id, until))))
    return found


def leave(ws: Workspace, token: str, start: str, end: str, kind: str | None, approver: str,
          by: str | None) -> list[str]:
    """Approved leave (请假) or an official trip (公出); refused if it overlaps another."""
    begin, finish = _bound(ws, start, False), _bound(ws, end, True)
    if finish <= begin:
        raise ZouduError(_("the leave ends ({end}) before it starts ({start})").format(
            end=said(finish), start=said(begin)))
    cadre = serving(find_cadre(ws.roster, token, begin.date()), begin)
    kind = kind or "事假"
    if kind not in model.LEAVE_KINDS:
        raise ZouduError(_("unknown kind of leave '{kind}' (one of {kinds})").format(
            kind=kind, kinds="/".join(model.LEAVE_KINDS)))
    if finish - begin > dt.timedelta(days=approvals.MAX_LEAVE_DAYS):
        raise ZouduError(_("a leave may last at most {n} days; this one lasts {days} (record a longer absence "
                           "on the roster)").format(n=approvals.MAX_LEAVE_DAYS, days=(finish - begin).days))
    approving = find_cadre(ws.roster, text(approver, _("approver")), begin.date())
    if approving.id == cadre.id:
        raise ZouduError(_("a cadre cannot approve their own leave"))
    approve(ws, approving.id, cadre.id, approvals.LEAVE, begin.date(), finish - begin)
    fields = base(ws, model.LEAVE, begin, by, cadre.id)
    fields.update({"until": iso(finish), "leave_kind": kind, "approver": approving.id})
    path = ws.ledger_path(month_of(begin))
    with ws.lock():
        for other in leaves_of(ws, cadre.id, month_of(finish), _reach(month_of(begin), month_of(finish))):
            if other.entry.at < finish and begin < other.end:
                raise ZouduError(_("{name} ({id}) is already on leave then: {leave} ({start} to {end}); "
                                   "cancel or void it first").format(
                    name=cadre.name, id=cadre.id, leave=other.entry.id, start=said(other.entry.at),
                    end=said(other.end)))
        return [f["id"] for f in append(path, ws.shown(path), [fields], clock=lambda: iso(now(ws)))]


def _reach(first: str, last: str) -> int:
    """Months to look back from ``last`` for a leave that may overlap one starting in ``first``:
    every month from a bounded leave's earliest possible start (MAX_LEAVE_DAYS before)."""
    start = month_of(dt.datetime.strptime(first + "-01", "%Y-%m-%d") - dt.timedelta(days=approvals.MAX_LEAVE_DAYS + 1))
    count = 1
    while shift_month(last, -(count - 1)) > start:
        count += 1
    return count


def leave_cancel(ws: Workspace, token: str, at: str | None, by: str | None,
                 tell: Callable[[str], None] | None = None) -> list[str]:
    """销假: ends the cadre's leave that is open at ``at``; written beside the leave.

    Ended only by its cadre, its approver or someone who may approve it (``by``, required).
    ``tell`` hears which leave was ended, once the cancellation is written, so the clerk sees it.
    """
    moment = when(ws, at)
    cadre = find_cadre(ws.roster, token, moment.date())
    if not by:
        raise ZouduError(_("say who ends the leave with --by: the cadre, the leave's approver, or someone who may "
                           "approve it"))
    who = find_cadre(ws.roster, by, moment.date())
    with ws.lock():
        for other in leaves_of(ws, cadre.id, month_of(moment), LEAVE_LOOKBACK_MONTHS + 2):
            if other.entry.at <= moment < other.end:
                if who.id not in (cadre.id, other.entry.data.get("approver")):
                    until = dt.datetime.fromisoformat(str(other.entry.data["until"]))
                    refusal = approvals.may_approve(ws.settings, ws.roster, who.id, cadre.id, approvals.LEAVE,
                                                    other.entry.at.date(), until - other.entry.at)
                    if refusal:
                        raise ZouduError(_("{name} ({id}) may not end leave {leave}: only its cadre, its approver or "
                                           "someone who may approve it may ({why})").format(
                            name=who.name, id=who.id, leave=other.entry.id, why=refusal))
                fields = base(ws, model.LEAVE_CANCEL, moment, who.id, cadre.id)
                fields["leave"] = other.entry.id
                done = [f["id"] for f in append(other.path, ws.shown(other.path), [fields],
                                                clock=lambda: iso(now(ws)))]
                if tell:
                    tell(_("ends leave {leave} ({start} to {end}) at {at}").format(
                        leave=other.entry.id, start=said(other.entry.at), end=said(other.end), at=said(moment)))
                return done
    raise ZouduError(_("{name} ({id}) has no open leave at {at}").format(name=cadre.name, id=cadre.id, at=said(moment)))


def inspect(ws: Workspace, inspector: str, at: str | None, present: list[str], absent: list[str],
            method: str, by: str | None) -> list[str]:
    """A spot check (抽查/暗访) by the discipline group and what it found."""
    moment = when(ws, at)
    leader = find_cadre(ws.roster, inspector)
    group = ws.settings.inspectors(ws.roster)
    if leader.id not in group:  # only the discipline group (督查组) records spot checks
        raise ZouduError(_("{name} ({id}) is not in the discipline group (督查组: {group}) and cannot {what}").format(
            name=leader.name, id=leader.id, group=", ".join(group) or "—", what=_("record a spot check")))
    method = {"实地": "visit", "暗访": "visit", "走访": "visit", "电话": "phone"}.get(method, method)
    if method not in ("visit", "phone"):
        raise ZouduError(_("--method must be visit or phone, not '{m}'").format(m=method))
    from zoudu.ledger.names import split_names

    present, absent = split_names(list(present)), split_names(list(absent))  # "甲，乙" is two cadres
    found = cadres_of(ws, present + absent, moment)
    if leader in found:
        raise ZouduError(_("{name} ({id}) cannot inspect themself").format(name=leader.name, id=leader.id))
    fields = base(ws, model.SPOT_CHECK, moment, by, None)
    fields.update({
        "inspector": leader.id,
        "method": method,
        "present": [c.id for c in found[: len(present)]],
        "absent": [c.id for c in found[len(present):]],
    })
    return write(ws, month_of(moment), [fields])


def report(ws: Workspace, token: str, rule: str, at: str | None, source: str, note: str | None,
           by: str | None) -> list[str]:
    """A reported breach of village-stay discipline (五不准)."""
    from zoudu.rulebook import CONDUCT_RULES
    from zoudu.ledger.names import rule_id

    rule = rule_id(rule, CONDUCT_RULES)  # the id, or its label: 饮酒
    moment = when(ws, at)
    cadre = serving(find_cadre(ws.roster, token, moment.date()), moment)
    fields = base(ws, model.REPORT, moment, by, cadre.id)
    fields.update({"rule": rule, "source": text(source, _("source"))})
    if note is not None:
        fields["note"] = text(note, _("note"))
    return write(ws, month_of(moment), [fields])


def evaluate(ws: Workspace, token: str, month: str, grades: dict[str, str | None], by: str | None) -> list[str]:
    """The three evaluations (三点评: 自评/互评/群众评) of one cadre's month."""
    month = parse_month(month)
    given = {k: v for k, v in grades.items() if v is not None}
    if not given:
        raise ZouduError(_("give at least one of --self, --peer, --public"))
    for key, grade in given.items():
        if grade not in model.GRADES:
            raise ZouduError(_("--{key} must be one of 优/良/中/差, not '{grade}'").format(key=key, grade=grade))
    cadre = find_cadre(ws.roster, token)
    days = month_days(month)
    if days[0] > now(ws).date():
        raise ZouduError(_("{month} has not begun: it cannot be evaluated yet").format(month=month))
    if not cadre.serving_between(days[0], days[-1]):
        raise ZouduError(_("{name} ({id}) is not on the roster in {month}").format(
            name=cadre.name, id=cadre.id, month=month))
    fields = base(ws, model.EVALUATION, now(ws), by, cadre.id)
    if "public" in given and fields["by"] in (cadre.id, cadre.name):
        # the public's word is recorded by whoever collected it, never by the cadre it judges
        raise ZouduError(_("{name} ({id}) cannot record the public's evaluation of themself").format(
            name=cadre.name, id=cadre.id))
    fields.update({"month": month, **given})
    return write(ws, month, [fields])


def concerned(entry: Entry) -> list[str]:
    """The cadres an entry concerns: its cadre, and for a spot check everyone it named."""
    found = [entry.cadre] if entry.cadre else []
    if entry.kind == model.SPOT_CHECK:
        found += [str(c) for c in list(entry.data.get("present", [])) + list(entry.data.get("absent", []))]
    return list(dict.fromkeys(found))


def void(ws: Workspace, entry_id: str, reason: str, by: str | None, approver: str | None = None) -> list[str]:
    """Cancels an earlier entry (作废); written to the file of the entry it cancels.

    Without an approver only within the backfill grace after the voided entry was
    recorded (a typing mistake mended at once); later, an approver who may approve
    voids for every cadre it concerns. Neither the recorder (--by) nor the approver
    may be one of them.
    """
    reason = text(reason, _("reason"))
    month, path = entry_file(ws, entry_id)
    approving = find_cadre(ws.roster, approver, now(ws).date()).id if approver else None
    with ws.lock():
        entries, target = entry_in(ws, path, entry_id)
        if target.kind == model.VOID:
            raise ZouduError(_("{id} is itself a void; it cannot be voided. To restore {target}, record it again "
                               "as it was ('zoudu log --id {target}' shows it)").format(
                id=entry_id, target=target.data.get("target")))
        if target.kind in (model.SEAL, model.PUBLICATION):
            raise ZouduError(_("{id} is a seal or a publication; it cannot be voided").format(id=entry_id))
        if target.kind in model.DRAW_KINDS:  # docs/trust-model.md#the-spot-check-draw
            raise ZouduError(_("{id} is part of a spot-check draw; it cannot be voided").format(id=entry_id))
        earlier = next((e for e in entries if e.kind == model.VOID and e.data.get("target") == entry_id), None)
        if earlier is not None:
            raise ZouduError(_("{id} is already void (by {void})").format(id=entry_id, void=earlier.id))
        names = concerned(target)
        recorder_id = find_cadre(ws.roster, by).id if by else None
        for who, role in ((recorder_id, "--by"), (approving, "--approver")):
            if who is not None and who in names:
                raise ZouduError(_("{who} ({role}) is concerned by {id} and cannot void it").format(
                    who=who, role=role, id=entry_id))
        today = now(ws)
        if approving is None:
            grace = dt.timedelta(minutes=ws.settings.backfill_grace_minutes)
            if today - target.recorded > grace:
                raise ZouduError(_("{id} was recorded at {at}, more than {n} minutes ago: a void now needs "
                                   "--approver").format(id=entry_id, at=iso(target.recorded),
                                                        n=ws.settings.backfill_grace_minutes))
        else:
            for cadre in names or [None]:
                approve(ws, approving, cadre, approvals.VOID, today.date())
        fields = base(ws, model.VOID, today, by, target.cadre)
        fields.update({"target": entry_id, "reason": reason})
        if approving is not None:
            fields["approver"] = approving
        return [f["id"] for f in append(path, ws.shown(path), [fields], clock=lambda: iso(now(ws)))]


def entry_file(ws: Workspace, entry_id: str) -> tuple[str, Path]:
    """The month and ledger file an entry id names (``2026-11-0012`` is in ledgers/2026-11.yaml)."""
    month = entry_id[:7]
    try:
        parse_month(month)
    except ZouduError:
        raise ZouduError(_("no such entry: '{id}'").format(id=entry_id)) from None
    return month, ws.ledger_path(month)


def entry_in(ws: Workspace, path: Path, entry_id: str) -> tuple[list[Entry], Entry]:
    """Every entry of the ledger file at ``path`` and the one ``entry_id`` names (read under the
    caller's lock); ZouduError when there is none."""
    entries = read_ledger(path, ws.shown(path)).entries if path.exists() else []
    target = next((e for e in entries if e.id == entry_id), None)
    if target is None:
        raise ZouduError(_("no such entry: '{id}'").format(id=entry_id))
    return entries, target


def approve(ws: Workspace, approver: str, cadre: str | None, kind: str, day: dt.date,
            length: dt.timedelta | None = None) -> None:
    """Refuse (exit 2, nothing written) an approval that ``rules.yaml``'s policy does not allow."""
    refusal = approvals.may_approve(ws.settings, ws.roster, approver, cadre, kind, day, length)
    if refusal:
        raise ZouduError(refusal)


def approve_late(ws: Workspace, entry_id: str, approver: str, reason: str, by: str | None) -> list[str]:
    """补批: approves after the fact a sign-in or village entry recorded late without an approver, under
    the same policy as an approver named at entry (on the roster of the entry's day); written to the
    file of the entry it approves. The audit then counts the entry as if approved at entry; a sealed
    month is audited as sealed, so an approval recorded after its seal changes nothing there."""
    from zoudu.ledger import lateness

    reason = text(reason, _("reason"))
    _month, path = entry_file(ws, entry_id)
    approving = find_cadre(ws.roster, text(approver, _("approver")))
    with ws.lock():
        entries, target = entry_in(ws, path, entry_id)
        if target.kind not in (model.CHECKIN, model.VILLAGE):
            raise ZouduError(_("{id} is not a sign-in or a village entry; only those are approved with "
                               "'zoudu approve'").format(id=entry_id))
        voids = {e.data.get("target"): e.id for e in entries if e.kind == model.VOID}
        if entry_id in voids:
            raise ZouduError(_("{id} is void (by {void}); it cannot be approved").format(id=entry_id, void=voids[entry_id]))
        day = target.at.astimezone(ws.settings.tz).date()
        kind = approvals.BACKFILL if target.kind == model.CHECKIN else approvals.VILLAGE
        named = target.data.get("approver")
        if named and not approvals.may_approve(ws.settings, ws.roster, str(named), target.cadre, kind, day):
            raise ZouduError(_("{id} was approved when it was recorded (by {approver})").format(
                id=entry_id, approver=named))
        earlier = next((e for e in entries if e.kind == model.APPROVAL and e.data.get("target") == entry_id
                        and e.id not in voids), None)
        if earlier is not None:
            raise ZouduError(_("{id} is already approved (by {approval})").format(id=entry_id, approval=earlier.id))
        if not lateness.late(target.data, ws.settings):
            raise ZouduError(_("{id} was recorded in time: it counts without an approval").format(id=entry_id))
        if approving.id == target.cadre:
            raise ZouduError(_("{name} ({id}) cannot approve their own entry").format(
                name=approving.name, id=approving.id))
        approve(ws, approving.id, target.cadre, kind, day)
        fields = base(ws, model.APPROVAL, now(ws), by, target.cadre)
        fields.update({"target": entry_id, "approver": approving.id, "reason": reason})
        return [f["id"] for f in append(path, ws.shown(path), [fields], clock=lambda: iso(now(ws)))]
