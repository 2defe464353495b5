"""The monthly attendance notice (出勤情况公示) as plain data, computed from the audit.

``notice_sheet`` refuses a month whose ledger does not verify, audits it, and
seals what it publishes (see ``zoudu.publish.seal``). ``build_sheet`` is the pure part:
settings + audit result + seal -> ``NoticeSheet``, which every renderer
(terminal, HTML, Markdown, CSV in ``zoudu.render.notice``) draws without
computing anything of its own, so all formats show the same figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, NamedTuple

from zoudu import i18n
from zoudu.errors import DamagedLedger, ZouduError
from zoudu.i18n import N_, _
from zoudu.publish.qr import notice_checkpoint
from zoudu.publish.seal import Seal
from zoudu.timeparse import month_days, parse_month
from zoudu.ledger.workspace import Workspace

# What a day of the calendar grid shows (one mark per day, plus the night).
PRESENT, VILLAGE, LEAVE, TRIP, REST, HOLIDAY = "present", "village", "leave", "trip", "rest", "holiday"
ABSENT, OFF, FUTURE, UNRECORDED = "absent", "off", "future", "unrecorded"
OVERTURNED = "overturned"  # a missing slot whose finding was overturned on appeal: no absence, not a presence either
MARKS = (PRESENT, VILLAGE, LEAVE, TRIP, REST, HOLIDAY, ABSENT, OVERTURNED, OFF, FUTURE, UNRECORDED)
NIGHT = "night"

# Symbols per language: a villager reads one character faster than a figure.
_SYMBOLS = {
    "zh_CN": {PRESENT: "到", VILLAGE: "村", NIGHT: "宿", LEAVE: "假", TRIP: "公", REST: "休", HOLIDAY: "节",
              ABSENT: "缺", OVERTURNED: "撤", OFF: "—", FUTURE: "·", UNRECORDED: "未"},
    "en": {PRESENT: "P", VILLAGE: "V", NIGHT: "N", LEAVE: "L", TRIP: "T", REST: "R", HOLIDAY: "H",
           ABSENT: "A", OVERTURNED: "O", OFF: "—", FUTURE: "·", UNRECORDED: "U"},
}
_SLOT_LETTERS = {
    "zh_CN": {"morning": "早", "afternoon": "午", "evening": "晚"},
    "en": {"morning": "m", "afternoon": "a", "evening": "e"},
}
_WEEKDAYS = {
    "zh_CN": ("一", "二", "三", "四", "五", "六", "日"),
    "en": ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
}

# Short remarks, one per rule, counted: what the public reads in the last column (every kind).


def symbols() -> dict[str, str]:
    return _SYMBOLS["en" if i18n.current() == "en" else "zh_CN"]


def slot_letters() -> dict[str, str]:
    return _SLOT_LETTERS["en" if i18n.current() == "en" else "zh_CN"]


def weekday_names() -> tuple[str, ...]:
    return _WEEKDAYS["en" if i18n.current() == "en" else "zh_CN"]


def legend() -> list[tuple[str, str]]:
    """(mark, explanation) in the order the legend shows them."""
    letters = " ".join(slot_letters().values())
    return [
        (PRESENT, _("signed in at the office")),
        (VILLAGE, _("village work, signed by a villager")),
        (NIGHT, _("night stayed in the township")),
        (LEAVE, _("approved leave")),
        (TRIP, _("official trip")),
        (REST, _("rest day")),
        (HOLIDAY, _("public holiday")),
        (ABSENT, _("required sign-in missing (small letters say which: {slots})").format(slots=letters)),
        (OVERTURNED, _("missing sign-in whose finding was overturned on appeal: counted as present")),
        (OFF, _("not on the roster")),
        (UNRECORDED, _("before the township's records began")),
        (FUTURE, _("not yet due")),
    ]


def remark_text(rule: str, n: int) -> str:
    """The remark for ``n`` findings of ``rule``: the rule table's (``zoudu.audit.rules``)."""
    from zoudu.rulebook import remark

    return remark(rule, n)


def _chinese() -> bool:
    return i18n.current() != "en"


def long_date(day: dt.date) -> str:
    """2026年11月1日 in Chinese, 2026-11-01 in English."""
    return f"{day.year}年{day.month}月{day.day}日" if _chinese() else day.isoformat()


def month_title(month: str) -> str:
    """2026年11月 in Chinese, 2026-11 in English."""
    return f"{int(month[:4])}年{int(month[5:7])}月" if _chinese() else month


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class DayMark:
    """One cell of a cadre's calendar grid."""

    date: dt.date
    mark: str  # one of MARKS
    night: bool
    missing: tuple[str, ...]  # slots left uncovered that day (not those overturned on appeal)
    times: tuple[tuple[str, str], ...] = ()  # the office sign-ins made that day: ("08:02", "" | "late" | "void")
    leave_kind: str | None = None  # 病假, 事假, 公出 …: the leave or trip that excused a slot that day
    overturned: tuple[str, ...] = ()  # missing slots whose finding was overturned on appeal


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """One cadre's line on the notice, with the figures exactly as the audit gives them."""

    cadre: str
    name: str
    post: str
    signins_required: int
    signins_made: int
    signins_valid: int
    nights: int
    township_days: int
    village_days: int
    leave_days: int
    trip_days: int
    absences: int
    checks_present: int
    checks_absent: int
    evaluations: dict[str, str]
    errors: int
    warnings: int
    violations: tuple[tuple[str, int], ...]  # (rule, count), most frequent first
    remark: str
    days: tuple[DayMark, ...]
    leaves: tuple[str, ...] = ()  # each leave or trip of the month in words, with its 销假
    late: int = 0  # sign-ins inside a window but after the slot's time plus the tolerance (迟到)


# The figures every format shows, in order: (field of NoticeRow, column header).
FIGURES: tuple[tuple[str, str], ...] = (
    ("signins_required", N_("Sign-ins due")),
    ("signins_made", N_("Sign-ins made")),
    ("signins_valid", N_("Valid sign-ins")),
    ("nights", N_("Nights stayed")),
    ("township_days", N_("Days in township")),
    ("village_days", N_("Days in villages")),
    ("leave_days", N_("Leave days")),
    ("trip_days", N_("Trip days")),
    ("absences", N_("Absences")),
    ("checks_present", N_("Spot checks: present")),
    ("checks_absent", N_("Spot checks: absent")),
)
EVALUATIONS: tuple[tuple[str, str], ...] = (
    ("self", N_("Self evaluation")),
    ("peer", N_("Peer evaluation")),
    ("public", N_("Public evaluation")),
)


@dataclass(frozen=True, slots=True)
class NoticeSheet:
    """The whole notice: header, one row per cadre, footer and seal."""

    month: str
    township: str
    county: str
    title: str
    published: dt.date
    period_days: int
    compiled_by: str
    supervision_phone: str
    seal: Seal
    inspections: int  # spot checks held in the month
    rows: tuple[NoticeRow, ...]
    place: str = ""
    slot_times: tuple[str, ...] = ()
    quota: tuple[int, int, int] = (5, 4, 3)  # "543": days in township, nights, village days a week
    as_of: dt.date | None = None  # set when the month was not over: the figures run to this day
    notices: tuple[str, ...] = ()  # the audit's warnings (unknown calendar year, skipped lines ...)
    checkpoint: Any = None  # the month's signed checkpoint (``publish.qr.NoticeCheckpoint``), HTML only

    @property
    def period_end(self) -> dt.date:
        return self.published + dt.timedelta(days=self.period_days - 1)

    @property
    def subtitle(self) -> str:
        text = _("{county} {township}, attendance of {month}").format(
            county=self.county, township=self.township, month=month_title(self.month))
        if self.as_of is not None:
            text += _(" (the month is not over: figures up to {date})").format(date=long_date(self.as_of))
        return text

    def footer_lines(self, full_hash: bool = False) -> list[str]:
        """The footer as lines of text, for the formats that have no layout of their own."""
        lines = [
            _("Supervision phone: {phone}").format(phone=self.supervision_phone or "—"),
            _("Published {date}; on display for {days} days, until {end}").format(
                date=long_date(self.published), days=self.period_days, end=long_date(self.period_end)),
            _("Compiled by: {who}").format(who=self.compiled_by),
            _("Spot checks this month: {n}").format(n=self.inspections),
            _("Seal: {seal} (the {month} ledger, {n} entries)").format(
                seal=self.seal.token, month=self.month, n=self.seal.entries),
        ]
        if full_hash:
            lines.append(_("Chain head: {hash}").format(hash=self.seal.head))
        return lines


def sheet_title(township: str, month: str) -> str:
    """石庄乡干部2026年11月出勤情况公示."""
    return _("{township} cadre attendance notice, {month}").format(township=township, month=month_title(month))


def day_mark(day, as_of: dt.date | None = None, times: tuple[tuple[str, str], ...] = ()) -> DayMark:
    """One audit ``Day`` -> the mark the calendar shows (``as_of``: the last day audited), with the
    times of the sign-ins made that day."""
    overturned = tuple(getattr(day, "overturned", ()))  # counted as covered by every figure: no absence
    missing = tuple(slot for slot, state in day.slots.items() if state == "missing" and slot not in overturned)
    states = set(day.slots.values())
    if not day.serving:
        mark = UNRECORDED if day.before_records else OFF
    elif as_of is not None and day.date > as_of:
        mark = FUTURE
    elif missing:
        mark = ABSENT
    elif overturned:
        mark = OVERTURNED
    elif day.village:
        mark = VILLAGE
    elif "office" in states:
        mark = PRESENT
    elif "trip" in states or (day.leave_kind == "公出"):
        mark = TRIP
    elif "leave" in states or day.leave_kind:
        mark = LEAVE
    elif day.night:
        mark = PRESENT
    elif day.holiday:
        mark = HOLIDAY
    else:
        mark = REST
    return DayMark(day.date, mark, bool(day.night and day.serving), missing, times, day.leave_kind, overturned)


def leave_text(kind: str, start: dt.datetime, end: dt.datetime, cancelled: dt.datetime | None) -> str:
    """病假 11月10日–11月12日（11月11日 12:00 销假）: a leave as the public reads it."""
    def day(moment: dt.datetime) -> str:
        return f"{moment.month}月{moment.day}日" if _chinese() else moment.strftime("%m-%d")

    text = f"{kind} {day(start)}–{day(end)}" if start.date() != end.date() else f"{kind} {day(start)}"
    if cancelled is not None:
        text += _(" (leave cancelled {when})").format(when=f"{day(cancelled)} {cancelled.strftime('%H:%M')}")
    return text


def build_row(cadre, violations, as_of: dt.date | None = None) -> NoticeRow:
    """One audit ``CadreResult`` and the cadre's violations -> a notice row."""
    from zoudu.rulebook import weight  # what the public should read first: the rule table says

    pending = sum(1 for v in violations if v.status == "appealed")  # marked, not hidden
    # overturned on appeal: counts for nothing, neither as a finding nor as an absence on the sheet
    cleared_checks = {w for v in violations if not v.counts and v.rule == "inspection.absent" for w in v.evidence}
    violations = [v for v in violations if v.counts]
    counts = Counter(v.rule for v in violations)
    severity = {v.rule: v.severity for v in violations}
    ordered = sorted(counts.items(), key=lambda kv: (severity[kv[0]] != "error", weight(kv[0]), -kv[1], kv[0]))
    separator = _("; ")
    # every kind of finding, none hidden behind a count
    remark = separator.join(remark_text(rule, n) for rule, n in ordered) or _("no violations")
    if pending:
        remark += separator + _("appeal pending ×{n}").format(n=pending)
    present = sum(1 for _where, found in cadre.inspections if found)
    # found absent when a slot or a duty was due: a finding when nothing was due is kept in the archive only
    absent = sum(1 for where, found in cadre.inspections
                 if not found and where not in cadre.uncounted and where not in cleared_checks)
    times: dict[dt.date, list[tuple[str, str]]] = {}
    for day, clock, flag in cadre.signins:
        times.setdefault(day, []).append((clock, flag))
    return NoticeRow(
        cadre=cadre.cadre, name=cadre.name, post=cadre.post,
        signins_required=cadre.signins_required, signins_made=cadre.signins_made,
        signins_valid=cadre.signins_valid, nights=cadre.nights, township_days=cadre.township_days,
        village_days=cadre.village_days, leave_days=cadre.leave_days, trip_days=cadre.trip_days,
        absences=cadre.absences, checks_present=present, checks_absent=absent,
        evaluations=dict(cadre.evaluations), errors=cadre.errors, warnings=cadre.warnings,
        violations=tuple(ordered), remark=remark,
        days=tuple(day_mark(d, as_of, tuple(times.get(d.date, ()))) for d in cadre.days),
        leaves=tuple(leave_text(kind, start, end, cancelled)  # local times, as recorded
                     for kind, start, end, cancelled, _approver, _id in cadre.leaves),
        late=sum(1 for _day, _time, flag in cadre.signins if flag == "late"),
    )


def build_sheet(settings, result, seal: Seal, published: dt.date, as_of: dt.date | None = None) -> NoticeSheet:
    """Pure: the settings, one month's audit result and the seal -> the sheet.

    ``as_of`` is the day the audit ran when that lies inside the month (the month
    is not over): later days are shown as not yet due, and the sheet says so.
    """
    days = month_days(result.month)
    if as_of is not None and as_of >= days[-1]:
        as_of = None
    by_cadre: dict[str, list] = {}
    for v in result.violations:
        if v.cadre is not None:
            by_cadre.setdefault(v.cadre, []).append(v)
    rows = tuple(build_row(c, by_cadre.get(c.cadre, []), as_of) for c in result.cadres)
    return NoticeSheet(
        month=result.month, township=settings.township, county=settings.county,
        title=sheet_title(settings.township, result.month), published=published,
        period_days=settings.notice.period_days, compiled_by=settings.notice.compiled_by,
        supervision_phone=settings.supervision_phone, seal=seal, inspections=result.inspections, rows=rows,
        place=settings.place, slot_times=tuple(s.time.strftime("%H:%M") for s in settings.slots.values()),
        quota=(settings.quota.township_days, settings.quota.nights, settings.quota.village_days), as_of=as_of,
        notices=tuple(result.notices) + _phone_notice(settings),
    )


def _phone_notice(settings) -> tuple[str, ...]:
    """The public must be able to call: a sheet without a number gets a warning (init's placeholder
    number is refused before anything is printed, see ``verified``)."""
    if not settings.supervision_phone.strip():
        return (_("rules.yaml has no supervision phone: set the real number before posting the notice"),)
    return ()


def today(ws: Workspace) -> dt.date:
    moment = ws.clock() if ws.clock else dt.datetime.now(ws.settings.tz)
    return moment.astimezone(ws.settings.tz).date()


@contextmanager
def steady(ws: Workspace) -> Iterator[None]:
    """The writers' lock, so that the seal and the figures describe the same entries.

    A read-only copy of a workspace (the county reading a township's ledgers) has no
    writers and cannot take the lock: it is read as it is.
    """
    lock = ws.lock()
    try:
        lock.__enter__()
    except ZouduError:
        yield
        return
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def notice_sheet(ws: Workspace, month: str, published: dt.date | None = None, calendar: bool = True,
                 audit: Callable[..., Any] | None = None) -> NoticeSheet:
    """The month's notice, sealed; refuses a month without a ledger or whose ledger is damaged.

    An explicit ``published`` date must not lie before the month's last day. Without one the
    notice is dated today, and a month not yet over is marked as such (see ``build_sheet``).
    ``calendar=False`` leaves each row's day-by-day calendar empty (only the HTML sheet draws it).
    ``audit`` is ``audit_month`` (``zoudu.audit``'s by default; the commands give ``zoudu.memo.stages``').
    """
    if audit is None:
        from zoudu.audit import audit_month as audit

    with steady(ws):
        month, seal = verified(ws, month, published)
        result = known_calendar(audit(ws, month, days=calendar))
    return build_sheet(ws.settings, result, seal, published or today(ws), today(ws))


class Printed(NamedTuple):
    """A notice as it is printed: its bytes, the date it carries, the warnings said beside it."""

    data: bytes
    published: dt.date
    notices: tuple[str, ...]


def printed(ws: Workspace, month: str, published: dt.date | None, form: str,
            render: Callable[[NoticeSheet], bytes], calendar: bool) -> Printed:
    """``render(notice_sheet(ws, month, published, calendar))`` as printed, verified every time, with
    the county's cosignature when the sheet draws calendars. ``form`` names ``render``
    (``zoudu.memo.stages.printed`` remembers a closed month's notice by it)."""
    from zoudu.audit import audit_month

    with steady(ws):
        month, seal = verified(ws, month, published)
        date = published or today(ws)
        carried = notice_checkpoint(ws, month) if calendar else None  # with the county's cosignature, if any
        result = known_calendar(audit_month(ws, month, days=calendar))
    return print_sheet(ws, result, seal, date, carried, render)


def print_sheet(ws: Workspace, result, seal: Seal, date: dt.date, carried,
                render: Callable[[NoticeSheet], bytes]) -> Printed:
    """The sheet of ``result`` dated ``date``, carrying ``carried`` (a checkpoint or None), rendered.
    The sheet's header and footer come from rules.yaml as it stands (phone, who compiled it ...),
    even for a sealed month audited under its sealed rules."""
    sheet = dataclasses.replace(build_sheet(ws.settings, result, seal, date, today(ws)), checkpoint=carried)
    return Printed(render(sheet), sheet.published, sheet.notices)


def known_calendar(result):
    """The result, if the holiday arrangement of its month's year is known; ZouduError otherwise: a
    notice must not count the Spring Festival as workdays (the audit only warns, as it does for the
    days a crossing week borrows from a neighbouring year)."""
    year = int(result.month[:4])
    unknown = [year] if year in result.calendar_sources and result.calendar_sources[year] is None else []
    if unknown:
        raise ZouduError(_("the holiday arrangement for {year} is unknown, so {month} cannot be published: its "
                           "holidays would be counted as workdays. Add the State Council's arrangement under "
                           "calendar.years in rules.yaml ({year}: source, holidays, workdays)").format(
            year=unknown[0], month=result.month))
    return result


def verified(ws: Workspace, month: str, published: dt.date | None) -> tuple[str, Seal]:
    """(the month, its seal) once its ledger verifies; ZouduError / DamagedLedger otherwise.

    The month's file is checked from its bytes every time (no cache vouches for it): one pass
    over that file. A month already sealed is published as it was sealed (the entry count and
    chain head its seal recorded: entries added since are late and not on the sheet), and only
    while its file still passes through that head."""
    from zoudu.ledger.seals import CODE_HEX, code_of, is_sealed
    from zoudu.ledger.store import genesis
    from zoudu.ledger.create import refuse_placeholders
    from zoudu.ledger.verify import verify

    refuse_placeholders(ws.settings)  # placeholders never reach the notice board
    month = parse_month(month)
    last = month_days(month)[-1]
    if published is not None and published < last:
        # A notice dated before the month is over would claim figures for days that had not happened.
        raise ZouduError(_("the publication date {date} is before the end of {month}: a month's notice can be "
                           "dated {last} at the earliest").format(date=published.isoformat(), month=month,
                                                                  last=last.isoformat()))
    path = ws.ledger_path(month)
    if not path.exists():
        raise ZouduError(_("no ledger for {month}: nothing to publish").format(month=month), ws.shown(path))
    sealed = is_sealed(ws, month)
    state = _sealed_files(sealed, month)
    # what is published, not every month kept; from the bytes, whatever a cache says
    report = verify(ws, months=[month], from_bytes=True, through={month: state[0]} if state else None)
    shown = ws.shown(path)
    damage = [p for p in report.problems if p.file in (shown, ws.roster.path)]
    if damage:
        first = damage[0]
        raise DamagedLedger(_(
            "the {month} ledger does not verify, so it cannot be published: {n} problem(s), the first at "
            "{where}: {problem}; run 'zoudu verify'").format(
            month=month, n=len(damage), where=first.where, problem=first.message))
    if state is not None and sealed is not None:
        count, head = state
        found = report.through.get(month) if count else genesis(month)
        if found != head:
            raise DamagedLedger(_(
                "the {month} ledger no longer begins with the {n} entries its seal {id} (code {code}) recorded: "
                "sealed entries were removed or rewritten; run 'zoudu verify --pubkey'").format(
                month=month, n=count, id=sealed.id, code=code_of(sealed.data)[:CODE_HEX]))
        return month, Seal(month, count, head)
    entries, head = report.heads[month]
    return month, Seal(month, entries, head)


def _sealed_files(sealed, month: str) -> tuple[int, str] | None:
    """(entries, chain head) of ``month``'s own file as its seal recorded them, or None."""
    if sealed is None:
        return None
    try:
        count, head = sealed.data["files"][month]
        if type(count) is int and count >= 0 and isinstance(head, str):
            return count, head
    except (KeyError, TypeError, ValueError):
        pass
    raise DamagedLedger(_("the seal {id} of {month} does not say what it sealed of the month's file; run "
                          "'zoudu verify --pubkey'").format(id=sealed.id, month=month))
