"""The rules of SPEC §5, each a plain function ``Context -> list[Violation]``.

``REGISTRY`` is the one list of them, an immutable tuple built once: a rule is
added by writing a function and naming it there, never by appending at run time.
A rule's severity comes from ``rules.yaml``; a rule set to ``off`` is not run.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Callable

from zoudu import model
from zoudu.audit.engine import AFTERNOON_OFFICE, Context
from zoudu.audit.result import Violation
from zoudu.i18n import N_, _, current

Rule = Callable[[Context], list[Violation]]

# A clerk's name for each rule, shown beside its id.
LABELS = {
    "signin.missing": N_("missed sign-in"),
    "signin.outside_window": N_("sign-in outside the time windows"),
    "signin.wrong_place": N_("sign-in at the wrong place"),
    "signin.backfilled": N_("late entry without approval"),
    "village.no_witness": N_("village entry without a villager's signature"),
    "village.not_assigned": N_("village entry outside the assigned village"),
    "study.missed": N_("missed Friday afternoon study"),
    "week.township_days": N_("too few days working in the township"),
    "week.nights": N_("too few nights in the township"),
    "week.village_days": N_("too few days in villages"),
    "inspection.absent": N_("absent at a spot check"),
    "inspection.too_few": N_("too few spot checks"),
    "conduct.drinking": N_("drinking while stationed in a village"),
    "conduct.cards": N_("card games while stationed in a village"),
    "conduct.hospitality": N_("accepting special hospitality"),
    "conduct.left_village": N_("leaving the village without cause"),
    "conduct.reception": N_("attending receptions in the township"),
}
SLOT_NAMES = {"morning": N_("morning"), "afternoon": N_("afternoon"), "evening": N_("evening")}


def label(rule: str) -> str:
    return _(LABELS[rule]) if rule in LABELS else rule


def slot_name(slot: str) -> str:
    return _(SLOT_NAMES[slot]) if slot in SLOT_NAMES else slot


def hm(value: dt.time | dt.datetime) -> str:
    """``20:30``, or ``20:30:30`` when the seconds are not zero (a window ends on the second:
    a sign-in at 20:30:30 is outside the window ending 20:30, and must not read as inside it)."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _violation(ctx: Context, rule: str, cadre: str | None, message: str, evidence: tuple[str, ...],
               date: dt.date | None = None, slot: str | None = None, week: str | None = None,
               required: int | None = None, actual: int | None = None) -> Violation:
    return Violation(rule, ctx.settings.severity_of(rule), cadre, date, slot, week, required, actual, message,
                     evidence)


def _local(ctx: Context, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ctx.settings.tz)


# ----------------------------------------------------------------------------- sign-ins (三定点)


def signin_missing(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    severity = ctx.settings.severity_of("signin.missing")
    day_template = _("{slot}: no office sign-in between {start} and {end} and no witnessed village entry on {day}")
    night_template = _("{slot}: no office sign-in between {start} and {end} and no witnessed village stay "
                       "on the night of {day}")
    searched_template = _("{file}: no sign-in between {start} and {end} on {day}")
    # (name, template, start, end) of each slot, translated once
    slots = [(slot.name, night_template if slot.name == "evening" else day_template, hm(slot.start), hm(slot.end))
             for slot in (ctx.settings.slots[name] for name in model.SLOTS)]
    names = [slot_name(name) for name in model.SLOTS]
    for cid, found in ctx.by_cadre.items():
        rejected = ctx.rejected.get(cid, {})
        for info, i in found.missing:
            name, template, start, end = slots[i]
            day = info.date.isoformat()
            message = template.format(slot=names[i], start=start, end=end, day=day)
            searched = searched_template.format(file=ctx.file, start=start, end=end, day=day)
            bit = 1 << i  # MORNING_OFFICE, AFTERNOON_OFFICE, EVENING_OFFICE
            out.append(Violation("signin.missing", severity, cid, info.date, name, None, None, None, message,
                                 (searched, *(where for where, slots in rejected.get(info.date, ()) if slots & bit))))
    return out


def study_missed(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    slot = ctx.settings.slots["afternoon"]
    for cid, found in ctx.by_cadre.items():
        rejected = ctx.rejected.get(cid, {})
        for info in found.study_missed:
            day = info.date.isoformat()
            message = _("Friday afternoon study session: no office sign-in between {start} and {end} on {day}").format(
                start=hm(slot.start), end=hm(slot.end), day=day)
            searched = _("{file}: no sign-in between {start} and {end} on {day}").format(
                file=ctx.file, start=hm(slot.start), end=hm(slot.end), day=day)
            evidence = (searched, *(where for where, slots in rejected.get(info.date, ()) if slots & AFTERNOON_OFFICE),
                        *_village_that_day(ctx, cid, info.date))
            out.append(_violation(ctx, "study.missed", cid, message, evidence, info.date, "afternoon"))
    return out


def _village_that_day(ctx: Context, cid: str, day: dt.date) -> tuple[str, ...]:
    where = ctx.village_day.get(cid, {}).get(day)
    return (where,) if where else ()


def signin_outside_window(ctx: Context) -> list[Violation]:
    windows = ", ".join(f"{hm(s.start)}–{hm(s.end)}" for s in ctx.settings.slots.values())
    out: list[Violation] = []
    for e in ctx.outside_window:
        local = _local(ctx, e.at)
        message = _("sign-in at {time} on {day} lies outside every sign-in window ({windows})").format(
            time=hm(local), day=local.date().isoformat(), windows=windows)
        out.append(_violation(ctx, "signin.outside_window", e.cadre, message, (e.where,), local.date()))
    return out


def signin_wrong_place(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for e, slot in ctx.wrong_place:
        local = _local(ctx, e.at)
        message = _("sign-in at '{place}' on {day} at {time}; sign-ins count only at '{expected}'").format(
            place=e.data.get("place"), day=local.date().isoformat(), time=hm(local), expected=ctx.settings.place)
        out.append(_violation(ctx, "signin.wrong_place", e.cadre, message, (e.where,), local.date(),
                              model.SLOTS[slot] if slot is not None else None))
    return out


def duration(minutes: int) -> str:
    """35069 -> "24 day(s) 8 hour(s) 29 minute(s)" (24天8小时29分钟): a clerk reads days, not minutes."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, _("{n} day(s)")), (hours, _("{n} hour(s)")), (mins, _("{n} minute(s)"))]
    shown = [unit.format(n=n) for n, unit in parts if n] or [_("{n} minute(s)").format(n=0)]
    return ("" if current().startswith("zh") else " ").join(shown)


def signin_backfilled(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for e in ctx.backfilled:
        local = _local(ctx, e.at)
        late = int((e.recorded - e.at).total_seconds() // 60)
        message = _("sign-in for {day} {time} was entered {delay} later ({recorded}) with no approver "
                    "(allowed: {grace} minutes)").format(
            day=local.date().isoformat(), time=hm(local), delay=duration(late),
            recorded=_local(ctx, e.recorded).strftime("%Y-%m-%d %H:%M"), grace=ctx.settings.backfill_grace_minutes)
        slot = ctx.settings.slot_of(local.time())
        out.append(_violation(ctx, "signin.backfilled", e.cadre, message, (e.where,), local.date(),
                              slot.name if slot else None))
    return out


# ----------------------------------------------------------------------------- village work (民情日记)


def village_no_witness(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for e in ctx.no_witness:
        day = _local(ctx, e.at).date()
        message = _("village entry in {village} on {day} has no villager's witness signature, so it counts for "
                    "nothing").format(village=e.data.get("village"), day=day.isoformat())
        out.append(_violation(ctx, "village.no_witness", e.cadre, message, (e.where,), day))
    return out


def village_not_assigned(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for e in ctx.not_assigned:
        day = _local(ctx, e.at).date()
        assigned = ctx.roster.by_id[e.cadre].village
        message = _("village entry in {village} on {day}, but the assigned village is {assigned}").format(
            village=e.data.get("village"), day=day.isoformat(), assigned=assigned)
        out.append(_violation(ctx, "village.not_assigned", e.cadre, message, (e.where,), day))
    return out


# ----------------------------------------------------------------------------- "543"


def _week_files(ctx: Context, first: dt.date, last: dt.date) -> str:
    months = sorted({f"{d.year:04d}-{d.month:02d}" for d in (first, last)})
    return ", ".join(f"ledgers/{m}.yaml" for m in months)


def _week_rule(ctx: Context, rule: str, index: int, counted: str) -> list[Violation]:
    messages = {
        "week.township_days": _("{week} ({first} to {last}): {actual} day(s) working in the township, "
                                "{required} required"),
        "week.nights": _("{week} ({first} to {last}): {actual} night(s) in the township, {required} required"),
        "week.village_days": _("{week} ({first} to {last}): {actual} day(s) in villages, {required} required"),
    }
    severity = ctx.settings.severity_of(rule)
    out: list[Violation] = []
    for w, week in enumerate(ctx.weeks):
        if not week.over:
            continue
        first, last = week.days[0].date.isoformat(), week.days[-1].date.isoformat()
        # what every finding of this week shares, said once
        message = messages[rule].replace("{week}", week.label).replace("{first}", first).replace("{last}", last)
        searched = _("{files}: searched {first} to {last}; counted: {days}").format(
            files=_week_files(ctx, week.days[0].date, week.days[-1].date), first=first, last=last, days="{days}")
        dates = [(info.date, info.date.isoformat()) for info in week.days]
        for cid, found in ctx.by_cadre.items():
            required, actual = ctx.figures[cid][w][index]
            if actual >= required:
                continue
            days = getattr(found, counted)
            evidence = searched.replace("{days}", ", ".join(iso for d, iso in dates if d in days) or "—")
            out.append(Violation(rule, severity, cid, None, None, week.label, required, actual,
                                 message.format(actual=actual, required=required), (evidence,)))
    return out


week_township_days = partial(_week_rule, rule="week.township_days", index=1, counted="township")
week_nights = partial(_week_rule, rule="week.nights", index=2, counted="nights")
week_village_days = partial(_week_rule, rule="week.village_days", index=3, counted="village")


# ----------------------------------------------------------------------------- spot checks (督查)


def _on_leave(ctx: Context, cid: str, moment: dt.datetime) -> bool:
    return any(span.start <= moment <= span.end for span in ctx.leaves.get(cid, ()))


def inspection_absent(ctx: Context) -> list[Violation]:
    out: list[Violation] = []
    for e in ctx.inspections:
        local = _local(ctx, e.at)
        for cid in e.data.get("absent") or ():
            if cid not in ctx.roster.by_id or _on_leave(ctx, cid, e.at):
                continue
            method = _("by phone") if e.data.get("method") == "phone" else _("in person")
            inspector = ctx.roster.get(str(e.data.get("inspector")))
            message = _("a spot check {method} by {inspector} on {day} at {time} found the cadre absent").format(
                method=method, inspector=f"{inspector.name} ({inspector.id})" if inspector else e.data.get("inspector"),
                day=local.date().isoformat(), time=hm(local))
            slot = ctx.settings.slot_of(local.time())
            out.append(_violation(ctx, "inspection.absent", cid, message, (e.where,), local.date(),
                                  slot.name if slot else None))
    return out


def inspection_too_few(ctx: Context) -> list[Violation]:
    required = ctx.settings.inspections_per_month
    actual = len(ctx.inspections)
    if actual >= required or not all(ctx.month_days[-1].due):
        return []
    message = _("{actual} spot check(s) in {month}; at least {required} are required").format(
        actual=actual, month=ctx.month, required=required)
    evidence = tuple(e.where for e in ctx.inspections) or (
        _("{file}: no spot check between {first} and {last}").format(
            file=ctx.file, first=ctx.month_first.isoformat(), last=ctx.month_last.isoformat()),)
    return [_violation(ctx, "inspection.too_few", None, message, evidence, required=required, actual=actual)]


# ----------------------------------------------------------------------------- village-stay discipline (五不准)


def conduct(ctx: Context, rule: str) -> list[Violation]:
    out: list[Violation] = []
    for e in ctx.reports:
        if e.data.get("rule") != rule or e.cadre not in ctx.roster.by_id:
            continue
        local = _local(ctx, e.at)
        message = _("reported on {day} at {time}: {what} (source: {source})").format(
            day=local.date().isoformat(), time=hm(local), what=label(rule), source=e.data.get("source"))
        if e.data.get("note"):
            message += " — " + str(e.data["note"])
        out.append(_violation(ctx, rule, e.cadre, message, (e.where,), local.date()))
    return out


# ----------------------------------------------------------------------------- the registry

REGISTRY: tuple[tuple[str, Rule], ...] = (
    ("signin.missing", signin_missing),
    ("signin.outside_window", signin_outside_window),
    ("signin.wrong_place", signin_wrong_place),
    ("signin.backfilled", signin_backfilled),
    ("village.no_witness", village_no_witness),
    ("village.not_assigned", village_not_assigned),
    ("study.missed", study_missed),
    ("week.township_days", week_township_days),
    ("week.nights", week_nights),
    ("week.village_days", week_village_days),
    ("inspection.absent", inspection_absent),
    ("inspection.too_few", inspection_too_few),
) + tuple((rule, partial(conduct, rule=rule)) for rule in model.CONDUCT_RULES)

assert tuple(rule for rule, _fn in REGISTRY) == model.RULE_IDS, "every rule id of SPEC §5 has exactly one check"


def run_rules(ctx: Context, registry: tuple[tuple[str, Rule], ...] = REGISTRY) -> list[Violation]:
    """Every rule not switched off; a rule that crashes becomes an error-level finding."""
    found: list[Violation] = []
    for rule, check in registry:
        if ctx.settings.severity_of(rule) == "off":
            continue
        try:
            found.extend(check(ctx))
        except Exception as e:  # noqa: BLE001 - one broken check must not hide the others' findings
            found.append(Violation(
                rule, "error", None, None, None, None, None, None,
                _("the check for {rule} failed ({error}); its findings are missing from this audit").format(
                    rule=rule, error=f"{type(e).__name__}: {e}"),
                (ctx.file,)))
    return found
