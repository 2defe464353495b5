"""Recording the policy's cross-checks (docs/audit-rules.md#the-policy-cross-checked): duty (值班), appeals (申诉),
reviews (复核/查处), meetings (家属会), and who may record a spot check or decide a report (the discipline
group)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger import approvals
from zoudu.ledger.append import append
from zoudu.ledger.input_text import text
from zoudu.ledger.record import base, cadres_of, entry_file, entry_in, now, when, write
from zoudu.ledger.roster import find_cadre
from zoudu.ledger.store import read_ledger
from zoudu.ledger.workspace import Workspace
from zoudu.timeparse import iso, month_of, parse_date


TOWNSHIP_RULES = ("inspection.too_few", "family.too_few", "inspection.not_as_drawn")  # raised with no cadre


def in_group(ws: Workspace, cadre_id: str, what: str) -> None:
    """Refuse (exit 2) anyone outside the discipline group (督查组) recording ``what``."""
    group = ws.settings.inspectors(ws.roster)
    if cadre_id not in group:
        who = ws.roster.get(cadre_id)
        raise ZouduError(_("{name} ({id}) is not in the discipline group (督查组: {group}) and cannot {what}").format(
            name=who.name if who else cadre_id, id=cadre_id, group=", ".join(group) or "—", what=what))


def slots_of(value: str | None) -> list[str]:
    """``morning,afternoon`` (or 上午,下午,晚上) -> the slot names; None: all three."""
    if value is None:
        return list(model.SLOTS)
    names = {"上午": "morning", "下午": "afternoon", "晚上": "evening", "早上": "morning"}
    found: list[str] = []
    for part in value.replace("，", ",").split(","):
        part = names.get(part.strip(), part.strip())
        if part not in model.SLOTS:
            raise ZouduError(_("unknown slot '{slot}' (morning, afternoon, evening)").format(slot=part))
        if part not in found:
            found.append(part)
    if not found:
        raise ZouduError(_("name at least one slot"))
    return found


def duty(ws: Workspace, tokens: list[str], on: str, slots: str | None, by: str | None) -> list[str]:
    """Assign duty (值班) on a day: each slot assigned is due like a workday's."""
    day = parse_date(on, now(ws).date())
    moment = dt.datetime.combine(day, dt.time(0), ws.settings.tz)
    chosen = slots_of(slots)
    cadres = cadres_of(ws, tokens, moment)
    entries = []
    for cadre in cadres:
        fields = base(ws, model.DUTY, moment, by, cadre.id)
        fields.update({"date": day.isoformat(), "slots": chosen})
        entries.append(fields)
    return write(ws, month_of(moment), entries)


def appeal(ws: Workspace, token: str, rule: str, date: str, slot: str | None, reason: str,
           by: str | None) -> list[str]:
    """A cadre contests a finding (申诉); kept in the file of the finding's month."""
    from zoudu.ledger.names import rule_id
    from zoudu.rulebook import RULE_IDS

    rule = rule_id(rule, RULE_IDS)
    if rule in TOWNSHIP_RULES:
        raise ZouduError(_("{rule} is a township-wide finding (no cadre): it cannot be appealed by a cadre").format(
            rule=rule))
    day = parse_date(date, now(ws).date())
    if day > now(ws).date():
        raise ZouduError(_("the day {day} has not come yet: there is no finding to appeal").format(day=day))
    if rule.startswith("week."):  # a week is audited in the month of its Thursday: filed there
        day_in_file = day + dt.timedelta(days=3 - day.weekday())
    else:
        day_in_file = day
    moment = dt.datetime.combine(day_in_file, dt.time(0), ws.settings.tz)
    cadre = find_cadre(ws.roster, token, day)
    if not cadre.serving_on(day):
        raise ZouduError(_("{name} ({id}) was not on the roster on {day}: there is no finding to appeal").format(
            name=cadre.name, id=cadre.id, day=day))
    if slot is not None and slot not in model.SLOTS:
        raise ZouduError(_("unknown slot '{slot}' (morning, afternoon, evening)").format(slot=slot))
    fields = base(ws, model.APPEAL, now(ws), by, cadre.id)
    fields.update({"rule": rule, "date": day.isoformat(), "reason": text(reason, _("reason"))})
    if slot is not None:
        fields["slot"] = slot
    _not_overturned(ws, month_of(moment), fields)
    return write(ws, month_of(moment), [fields])


def _not_overturned(ws: Workspace, month: str, fields: dict[str, Any]) -> None:
    """Refuses an appeal of a finding already overturned on review: it is gone, and an appeal left
    undecided would bring it back (the latest appeal decides, docs/audit-rules.md#the-policy-cross-checked)."""
    path = ws.ledger_path(month)
    if not path.exists():
        return
    entries = read_ledger(path, ws.shown(path)).entries
    voided = {e.data.get("target") for e in entries if e.kind == model.VOID}
    same = {e.id for e in entries if e.kind == model.APPEAL and e.id not in voided and e.cadre == fields["cadre"]
            and all(e.data.get(k) == fields.get(k) for k in ("rule", "date", "slot"))}
    for e in entries:
        if e.kind == model.REVIEW and e.id not in voided and e.data.get("target") in same \
                and e.data.get("decision") == "overturned":
            raise ZouduError(_("this finding was already overturned on appeal ({appeal}, review {review}): there is "
                               "nothing left to appeal").format(appeal=e.data.get("target"), review=e.id))


# The words a clerk writes a decision in: the finding (or the allegation) stands, is dismissed, is overturned.
DECISION_WORDS = {"成立": "upheld", "属实": "upheld", "维持": "upheld",
                  "不成立": "dismissed", "不属实": "dismissed", "撤销": "overturned"}


def review(ws: Workspace, target_id: str, decision: str, reviewer: str, reason: str) -> list[str]:
    """Decides an appeal (upheld / overturned) or a report (upheld / dismissed); written in the file of
    the entry it decides. A report is decided by the discipline group; an appeal by someone who may
    approve for the cadre (not the cadre, not their subordinate)."""
    reason = text(reason, _("reason"))
    typed, decision = decision, DECISION_WORDS.get(decision.strip(), decision) if decision else decision
    month, path = entry_file(ws, target_id)
    who = find_cadre(ws.roster, reviewer, now(ws).date())
    with ws.lock():
        entries, target = entry_in(ws, path, target_id)
        voided = {e.data.get("target") for e in entries if e.kind == model.VOID}
        if target_id in voided:
            raise ZouduError(_("{id} is void; it cannot be reviewed").format(id=target_id))
        first = next((e for e in entries if e.kind == model.REVIEW and e.data.get("target") == target_id
                      and e.id not in voided), None)
        if first is not None:
            raise ZouduError(_("{id} was already decided by {review}: {decision}, by {who} on {day}; a decision is "
                               "made once (void {review} first if it was recorded in error)").format(
                id=target_id, review=first.id, decision=first.data.get("decision"), who=first.by,
                day=first.recorded.astimezone(ws.settings.tz).date().isoformat()))
        if target.kind == model.APPEAL:
            if decision not in model.APPEAL_DECISIONS:
                raise ZouduError(_("an appeal is decided upheld (成立/维持) or overturned (撤销), not '{d}'").format(d=typed))
            refusal = approvals.may_approve(ws.settings, ws.roster, who.id, target.cadre, approvals.VOID,
                                            now(ws).date())
            if refusal:
                raise ZouduError(refusal)
        elif target.kind == model.REPORT:
            if decision not in model.REPORT_DECISIONS:
                raise ZouduError(_("a report is decided upheld (成立/属实) or dismissed (不成立/不属实), not '{d}'").format(
                    d=typed))
            in_group(ws, who.id, _("decide a report"))
            if who.id == target.cadre:
                raise ZouduError(_("{name} ({id}) cannot decide a report about themself").format(
                    name=who.name, id=who.id))
        else:
            raise ZouduError(_("{id} is neither an appeal nor a report; only those are reviewed").format(id=target_id))
        fields: dict[str, Any] = base(ws, model.REVIEW, now(ws), who.id, target.cadre)
        fields.update({"target": target_id, "decision": decision, "reason": reason})
        return [f["id"] for f in append(path, ws.shown(path), [fields], clock=lambda: iso(now(ws)))]


def meeting(ws: Workspace, kind: str, at: str | None, note: str | None, by: str | None) -> list[str]:
    """A meeting, such as the quarterly family meeting (干部家属会)."""
    kind = {"家属会": "family", "干部家属会": "family"}.get(kind, kind)
    if kind not in model.MEETING_KINDS:
        raise ZouduError(_("--kind must be one of {kinds}, not '{kind}'").format(
            kinds=", ".join(model.MEETING_KINDS), kind=kind))
    moment = when(ws, at)
    fields = base(ws, model.MEETING, moment, by, None)
    fields["meeting_kind"] = kind
    if note is not None:
        fields["note"] = text(note, _("note"))
    return write(ws, month_of(moment), [fields])


def earlier_evaluations(ws: Workspace, cadre_id: str, month: str, kinds: list[str]) -> list[str]:
    """Ids of evaluations of the cadre's month that a new one of ``kinds`` replaces (not voided)."""
    path = ws.ledger_path(month)
    if not path.exists():
        return []
    entries = read_ledger(path, ws.shown(path)).entries
    voided = {e.data.get("target") for e in entries if e.kind == model.VOID}
    return [e.id for e in entries if e.kind == model.EVALUATION and e.cadre == cadre_id and e.id not in voided
            and e.data.get("month") == month and any(e.data.get(k) for k in kinds)]


__all__ = ["duty", "appeal", "review", "meeting", "in_group", "earlier_evaluations"]
