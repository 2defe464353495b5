"""An entry said in words, as the clerk reads it: ``张伟 11月30日 上午签到 08:02（准时）``.

Used by ``zoudu log`` and by every recording command after it writes, so what
the clerk typed is read back in the same words it is listed with later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from zoudu import model
from zoudu.i18n import N_, _
from zoudu.timeparse import said

SLOT_SIGNIN = {"morning": N_("morning sign-in"), "afternoon": N_("afternoon sign-in"),
               "evening": N_("evening sign-in")}
EVALUATIONS = {"self": N_("self"), "peer": N_("peer"), "public": N_("public")}
LATE_TOLERANCE_MINUTES = 5  # docs/audit-rules.md default; rules.yaml's value when it has one


def slot_of(settings, at: dt.datetime) -> str | None:
    """The slot whose window holds this time, or None (outside every window)."""
    clock = at.astimezone(settings.tz).time().replace(microsecond=0, tzinfo=None)  # to the second, as the audit
    for name, slot in settings.slots.items():
        if slot.contains(clock):
            return name
    return None


def minutes_late(settings, at: dt.datetime, slot: str) -> int:
    local = at.astimezone(settings.tz)
    fixed = dt.datetime.combine(local.date(), settings.slots[slot].time, local.tzinfo)
    seconds = int((local - fixed).total_seconds())
    tolerance = getattr(settings, "late_tolerance_minutes", LATE_TOLERANCE_MINUTES)
    # as the audit decides (signin.late): late past the tolerance to the second; said in whole minutes
    return seconds // 60 if seconds > tolerance * 60 else 0


def name_of(roster, cadre_id: str | None) -> str:
    if cadre_id is None:
        return ""
    cadre = roster.get(cadre_id)
    return cadre.name if cadre is not None else cadre_id


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def what(fields: Mapping[str, Any], settings, roster, year: int | None = None,
         approval: Mapping[str, Any] | None = None) -> str:
    """What the entry is, after the cadre's name: ``11月30日 上午签到 08:02（准时）``.

    A sign-in or village entry recorded too late and not approved (at entry, or by ``approval``,
    the ``zoudu approve`` entry that names it) is said to count for nothing, never to be on time."""
    from zoudu.ledger import lateness

    kind = fields.get("kind")
    unapproved = approval is None and lateness.unapproved(fields, settings)
    at = _time(fields["at"]).astimezone(settings.tz)
    day = said(at.date(), year)
    clock = f"{at.hour:02d}:{at.minute:02d}"
    if kind == model.CHECKIN:
        return _sign_in(fields, settings, at, day, clock, unapproved) + _late_said(fields, roster, unapproved, approval)
    if kind == model.VILLAGE:
        return (_village(fields, day, clock + _night_before(fields, settings, at, year))
                + _late_said(fields, roster, unapproved, approval))
    if kind == model.LEAVE:
        until = _time(fields["until"]).astimezone(settings.tz)
        return _("{kind} {start} to {end} (approved by {name})").format(
            kind=fields.get("leave_kind", ""), start=said(at, year), end=said(until, year),
            name=name_of(roster, fields.get("approver")))
    if kind == model.LEAVE_CANCEL:
        return _("{at} leave ended (销假) ({leave})").format(at=said(at, year), leave=fields.get("leave"))
    if kind == model.SPOT_CHECK:
        present = "、".join(name_of(roster, c) for c in fields.get("present", [])) or "—"
        absent = "、".join(name_of(roster, c) for c in fields.get("absent", [])) or "—"
        method = _("by phone") if fields.get("method") == "phone" else _("in person")
        return _("{at} spot check {method} by {name}: present {present}; absent {absent}").format(
            at=said(at, year), method=method, name=name_of(roster, fields.get("inspector")), present=present,
            absent=absent)
    if kind == model.REPORT:
        from zoudu.rulebook import label

        return _("{at} report: {rule} (source {source})").format(
            at=said(at, year), rule=label(str(fields.get("rule"))), source=fields.get("source", ""))
    if kind == model.EVALUATION:
        grades = " ".join(f"{_(EVALUATIONS[k])} {fields[k]}" for k in ("self", "peer", "public") if fields.get(k))
        return _("evaluation of {month}: {grades}").format(month=fields.get("month"), grades=grades)
    if kind == model.VOID:
        return _("voids {target} ({reason})").format(target=fields.get("target"), reason=fields.get("reason", ""))
    if kind == model.APPROVAL:
        return _("approval of {target} by {name} ({reason})").format(
            target=fields.get("target"), name=name_of(roster, fields.get("approver")), reason=fields.get("reason", ""))
    if kind in (model.DUTY, model.APPEAL, model.REVIEW, model.MEETING):
        return _policy_entry(fields, kind, day, clock)
    if kind in model.DRAW_KINDS:  # docs/trust-model.md#the-spot-check-draw
        words = {model.DRAW_COMMIT: _("{day} {clock} spot-check draw of {month}: commitment"),
                 model.DRAW: _("{day} {clock} spot-check draw of {month}: public value {value}"),
                 model.DRAW_DISCLOSE: _("{day} {clock} spot-check draw of {month}: secret disclosed")}[kind]
        return words.format(day=day, clock=clock, month=fields.get("month"), value=fields.get("randomness"))
    return f"{day} {clock} {kind}"


def _sign_in(fields: Mapping[str, Any], settings, at: dt.datetime, day: str, clock: str, unapproved: bool) -> str:
    """An office sign-in in words: its slot and whether on time (a backfill not approved: neither)."""
    slot = slot_of(settings, at)
    if slot is None:
        text = f"{day} {_('sign-in')} {clock}" + _(" (outside every window)")
    elif unapproved:  # neither on time nor late: it is no sign-in until approved
        text = f"{day} {_(SLOT_SIGNIN[slot])} {clock}"
    else:
        late = minutes_late(settings, at, slot)
        text = f"{day} {_(SLOT_SIGNIN[slot])} {clock}" + (
            _(" (late {n} min)").format(n=late) if late else _(" (on time)"))
    if fields.get("place") and fields.get("place") != settings.place:
        text += " " + _("at {place}").format(place=fields["place"])
    if fields.get("source"):
        text += " " + _("imported from {format}").format(format=fields["source"].get("format", "?"))
    return text


def _village(fields: Mapping[str, Any], day: str, clock: str) -> str:
    """A field-diary entry (下村/住村) in words, with its witness."""
    word = _("village stay") if fields.get("stay") else _("village visit")
    text = f"{day} {clock} {word} {fields.get('village', '')}"
    if fields.get("witness"):
        return text + " " + _("witness {name}").format(name=fields["witness"])
    return text + " " + _("(no witness)")


def _night_before(fields: Mapping[str, Any], settings, at: dt.datetime, year: int | None) -> str:
    """After a stay's time: the evening it covers, when written between midnight and the end of the
    morning window (the night before's, as the audit counts it: docs/choices.md#coverage)."""
    if not fields.get("stay") or at.time().replace(tzinfo=None) > settings.slots["morning"].end:
        return ""
    return _(", counted for the evening of {day}").format(day=said(at.date() - dt.timedelta(days=1), year))


def _late_said(fields: Mapping[str, Any], roster, unapproved: bool, approval: Mapping[str, Any] | None) -> str:
    """What follows a sign-in or village entry about its approval as a backfill (补录)."""
    if unapproved:
        return _(" (backfill, not approved: counts for nothing)")
    if approval is not None and approval.get(AFTER_SEAL):
        return " " + _("backfill approved by {name} ({id}) after the month was sealed: the sealed month's "
                       "verdict does not change").format(name=name_of(roster, approval.get("approver")),
                                                         id=approval.get("id"))
    if approval is not None:
        return " " + _("backfill approved afterwards by {name} ({id})").format(
            name=name_of(roster, approval.get("approver")), id=approval.get("id"))
    if fields.get("approver"):
        return " " + _("backfill approved by {name}").format(name=name_of(roster, fields["approver"]))
    return ""


def _policy_entry(fields: Mapping[str, Any], kind: str, day: str, clock: str) -> str:
    """Duty, appeal, review and meeting entries (docs/audit-rules.md) in words."""
    from zoudu.rulebook import label

    if kind == model.DUTY:
        return _("duty (值班) on {day}: {slots}").format(day=_day(fields.get("date")), slots=_(", ").join(
            _(SLOT_WORDS.get(s, s)) for s in fields.get("slots") or ()))
    if kind == model.APPEAL:
        return _("appeal against {rule} of {day} ({reason})").format(
            rule=label(str(fields.get("rule"))), day=_day(fields.get("date")), reason=fields.get("reason", ""))
    if kind == model.REVIEW:
        return _("review of {target}: {decision} ({reason})").format(
            target=fields.get("target"), decision=_(DECISIONS.get(str(fields.get("decision")), "?")), reason=fields.get("reason", ""))
    return _("{day} {clock} family meeting (干部家属会)").format(day=day, clock=clock)


def _day(text: Any) -> str:
    """A day stored as ``2026-11-21``, said as a clerk reads it (``11月21日``)."""
    try:
        return said(dt.date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


DECISIONS = {"upheld": N_("upheld"), "overturned": N_("overturned"), "dismissed": N_("dismissed")}
SLOT_WORDS = {"morning": N_("morning"), "afternoon": N_("afternoon"), "evening": N_("evening")}


def line(fields: Mapping[str, Any], settings, roster, voided_by: str | None = None, year: int | None = None,
         approval: Mapping[str, Any] | None = None) -> str:
    """``ID 张伟 11月30日 上午签到 08:02（准时）``: the id first, as the contract wants."""
    name = name_of(roster, fields.get("cadre"))
    text = f"{fields['id']} " + (f"{name} " if name else "") + what(fields, settings, roster, year, approval)
    if voided_by:
        text += " " + _("[void: {void}]").format(void=voided_by)
    return " ".join(text.split())


AFTER_SEAL = "_after_seal"  # marks an approval recorded after its month's seal (it changes no verdict)


def approvals_of(entries, sealed: int | None = None) -> dict[str, Mapping[str, Any]]:
    """The approvals after the fact (``zoudu approve``) of a file's entries, by the id they approve;
    voided ones left out. ``sealed``: how many of the file's entries its month's seal counted (an
    approval beyond them is late for the sealed month, as the audit reads it)."""
    voided = {e.data.get("target") for e in entries if e.kind == model.VOID}
    found: dict[str, Mapping[str, Any]] = {}
    for position, e in enumerate(entries, 1):
        if e.kind == model.APPROVAL and e.id not in voided:
            late = sealed is not None and position > sealed
            found.setdefault(str(e.data.get("target")), dict(e.data, **{AFTER_SEAL: True}) if late else e.data)
    return found


def _sealed_count(ws, month: str) -> int | None:
    """How many entries of ``month``'s file its seal counted, or None when the month is not sealed."""
    from zoudu.ledger.seals import is_sealed

    seal = is_sealed(ws, month)
    return None if seal is None else int((seal.data.get("files") or {}).get(month, [0])[0])


def listing(ws, day: dt.date | None, month: str | None, cadre: str | None) -> list[str]:
    """``zoudu log``: the entries of a day or a month (of one cadre), one line each, id first."""
    from zoudu.ledger.store import read_ledger
    from zoudu.timeparse import month_of

    month = month or month_of(day)
    path = ws.ledger_path(month)
    if not path.exists():
        return []
    settings, roster = ws.settings, ws.roster
    entries = read_ledger(path, ws.shown(path)).entries
    voided = {e.data.get("target"): e.id for e in entries if e.kind == model.VOID}
    approved = approvals_of(entries, _sealed_count(ws, month))
    lines = []
    year = int(month[:4])
    for e in entries:
        if day is not None and e.at.astimezone(settings.tz).date() != day:
            continue
        if cadre is not None and e.cadre != cadre:
            continue
        lines.append(line(e.data, settings, roster, voided.get(e.id), year, approved.get(e.id)))
    return lines


def whole(ws, entry_id: str) -> list[str]:
    """``zoudu log --id``: the entry in words, then every field as stored, then where it is."""
    import json

    from zoudu.errors import ZouduError
    from zoudu.ledger.store import read_ledger
    from zoudu.timeparse import parse_month

    try:
        month = parse_month(entry_id[:7])
    except ZouduError:
        raise ZouduError(_("no such entry: '{id}'").format(id=entry_id)) from None
    path = ws.ledger_path(month)
    entries = read_ledger(path, ws.shown(path)).entries if path.exists() else []
    target = next((e for e in entries if e.id == entry_id), None)
    if target is None:
        raise ZouduError(_("no such entry: '{id}'").format(id=entry_id))
    voided = next((e.id for e in entries if e.kind == model.VOID and e.data.get("target") == entry_id), None)
    out = [line(target.data, ws.settings, ws.roster, voided, int(month[:4]),
                approvals_of(entries, _sealed_count(ws, month)).get(entry_id))]
    for key in sorted(target.data):
        value = target.data[key]
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        out.append(f"  {key}: {' '.join(str(shown).split())}")
    out.append(f"  {_('where')}: {target.where}")
    return out


READ_BACK_BYTES = 512 * 1024  # a township's month whole; at county scale the last few days


def month_entries(ws, month: str, cadres: set[str] | None = None,
                  limit: int | None = READ_BACK_BYTES) -> list[dict[str, Any]]:
    """The entries of a month file that concern these cadres (all when None), and every void.

    Only the last ``limit`` bytes are read (the whole file when None), and only the
    lines that name the cadres are decoded, so what a recording command does after
    its append costs the same on a full month as on an empty one.
    """
    path = ws.ledger_path(month)
    data = _tail(path, limit)
    if cadres is None:
        return _decode_lines(ws, path, data)
    return _concerning(ws, path, data, cadres)


def _concerning(ws, path, data: bytes, cadres: set[str]) -> list[dict[str, Any]]:
    """The lines of ``data`` that name these cadres, and the voids of those lines (a void sits in
    the file of what it cancels), in the order of the file."""
    from zoudu.ledger.lines import field_needle

    mine = _decode_lines(ws, path, data, [field_needle("cadre", c) for c in cadres])
    ids = {str(e["id"]) for e in mine if "id" in e}
    voids = [e for e in _decode_lines(ws, path, data, [field_needle("target", i) for i in sorted(ids)])
             if e.get("kind") == model.VOID and str(e.get("target")) in ids] if ids else []
    seen = {e.get("id") for e in mine}  # a void may name the cadre too
    return mine + [v for v in voids if v.get("id") not in seen]


def _tail(path, limit: int | None) -> bytes:
    try:
        with open(path, "rb") as fh:
            if limit is not None:
                fh.seek(0, 2)
                size = fh.tell()
                if size > limit:
                    fh.seek(size - limit)
                    data = fh.read()
                    return data[data.find(b"\n") + 1:]  # from the first whole line
                fh.seek(0)
            return fh.read()
    except OSError:
        return b""


def _void_targets(entries: list[dict[str, Any]]) -> dict[str, str]:
    return {str(e.get("target")): str(e.get("id")) for e in entries if e.get("kind") == model.VOID}


def warnings(ws, new: list[dict[str, Any]], entries: list[dict[str, Any]]) -> list[str]:
    """What the clerk should look at again, though it is recorded (docs/guide.md): said on stderr, exit 0."""
    from zoudu.ledger import lateness

    settings, roster = ws.settings, ws.roster
    voided = _void_targets(entries)
    said_list: list[str] = []
    new_ids = {f.get("id") for f in new}
    for f in new:
        kind, cadre = f.get("kind"), f.get("cadre")
        name = name_of(roster, cadre)
        at = _time(f["at"]).astimezone(settings.tz)
        if lateness.unapproved(f, settings):
            said_list.append(_("{name}: {id} was recorded later than the rules allow after its time ({at}) and "
                               "counts for nothing unless approved: zoudu approve {id} --approver … --reason …").format(
                name=name, id=f.get("id"), at=said(at)))
        if kind == model.CHECKIN:
            slot = slot_of(settings, at)
            if slot is None:
                said_list.append(_("{name}: {at} is outside every sign-in window; it covers no slot").format(
                    name=name, at=said(at)))
            else:
                for other in entries:
                    if (other.get("kind") == model.CHECKIN and other.get("cadre") == cadre
                            and other.get("id") != f.get("id") and other.get("id") not in voided
                            and other.get("id") not in new_ids):
                        when = _time(other["at"]).astimezone(settings.tz)
                        if when.date() == at.date() and slot_of(settings, when) == slot:
                            said_list.append(_("{name} already signed in for this slot: {id} at {at}; "
                                               "void one if it is a mistake").format(
                                name=name, id=other.get("id"), at=said(when)))
                            break
            for leave in entries:
                if (leave.get("kind") == model.LEAVE and leave.get("cadre") == cadre
                        and leave.get("id") not in voided):
                    start, end = _time(leave["at"]), _time(leave["until"])
                    for c in entries:
                        if (c.get("kind") == model.LEAVE_CANCEL and c.get("leave") == leave.get("id")
                                and c.get("id") not in voided):
                            end = min(end, _time(c["at"]))
                    if start <= at < end:
                        said_list.append(_("{name} is on approved leave then ({leave}, {start} to {end}): "
                                           "record the cancellation (zoudu leave cancel) if the leave ended").format(
                            name=name, leave=leave.get("id"), start=said(start.astimezone(settings.tz)),
                            end=said(end.astimezone(settings.tz))))
                        break
        elif kind == model.VILLAGE:
            if not f.get("witness"):
                said_list.append(_("{name}: a village entry without a witness covers nothing; "
                                   "add the villager who signed the field diary").format(name=name))
            cadre_row = roster.get(cadre) if cadre else None
            own = cadre_row.village if cadre_row else None
            here = str(f.get("village", ""))
            if own and here != own and _resembles(here, own):
                said_list.append(_("{name}'s village is {own}, not {village}: is it the same?").format(
                    name=name, own=own, village=here))
    return said_list


def _resembles(a: str, b: str) -> bool:
    import difflib

    return a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= 0.6


def read_back(ws, ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The entries just written (by id) and, for the warnings, the entries of their cadres before them.

    Reads a bounded tail of each file (``READ_BACK_BYTES``): the new lines are at its end.
    """
    from zoudu.ledger.lines import field_needle
    from zoudu.timeparse import shift_month

    months = sorted({i[:7] for i in ids})
    wanted = set(ids)
    new: list[dict[str, Any]] = []
    tails: dict[str, bytes] = {}
    for month in months:
        path = ws.ledger_path(month)
        tails[month] = _tail(path, READ_BACK_BYTES)
        found = [e for e in _decode_lines(ws, path, tails[month], [field_needle("id", i) for i in ids])
                 if e.get("id") in wanted]
        new.extend(found)
    order = {i: n for n, i in enumerate(ids)}
    new.sort(key=lambda f: order.get(f.get("id"), 0))
    cadres = {str(f["cadre"]) for f in new if f.get("cadre")}
    context: list[dict[str, Any]] = []
    if cadres:
        for month in months:
            context.extend(_concerning(ws, ws.ledger_path(month), tails[month], cadres))
        if any(f.get("kind") == model.CHECKIN for f in new):  # a leave is kept in the month it starts
            for month in sorted({shift_month(m, -1) for m in months} - set(months)):
                context.extend(month_entries(ws, month, cadres))
    return new, context


def _line_at(data: bytes, start: int) -> bytes:
    end = data.find(b"\n", start)
    return data[start:] if end < 0 else data[start:end]


def _decode_lines(ws, path, data: bytes, needles: list[bytes] | None = None) -> list[dict[str, Any]]:
    from zoudu.errors import ZouduError
    from zoudu.ledger.lines.entry import decode_line
    from zoudu.ledger.lines.scan import line_starts

    if needles is None:
        lines = data.split(b"\n")
    else:  # only the lines that may concern them, found without splitting the tail into lines
        lines = [_line_at(data, start) for start in line_starts(data, needles)]
    shown = ws.shown(path)
    out = []
    for raw in lines:
        if not raw.startswith(b"- {"):
            continue
        try:
            out.append(decode_line(raw.decode("utf-8"), shown))
        except (ZouduError, UnicodeDecodeError):
            continue  # damage is verify's to report; a read-back says what it can
    return out
