"""``rules.yaml``: the township's policy, read once into typed, immutable settings (NamedTuples).

Every key is checked: an unknown or misspelled key, a wrong type or broken YAML
is an error naming the file, the line and the key.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from typing import TYPE_CHECKING, NamedTuple

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.timeparse import parse_clock, parse_file_date as parse_date  # files: ISO days only

if TYPE_CHECKING:
    import yaml

    from zoudu.ledger.yamlsafe import Nodes


class Slot(NamedTuple):
    """A sign-in slot: the fixed time (定时间) and the window a sign-in must fall in."""

    name: str
    time: dt.time
    start: dt.time
    end: dt.time

    def contains(self, clock: dt.time) -> bool:
        return self.start <= clock <= self.end


class Quota(NamedTuple):
    """The "543" weekly quota."""

    township_days: int = 5
    nights: int = 4
    village_days: int = 3


class YearArrangement(NamedTuple):
    """One year's holiday arrangement as the State Council announced it."""

    year: int
    source: str
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


class CalendarSettings(NamedTuple):
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    years: dict[int, YearArrangement] = {}  # never mutated: settings are read-only


class NoticeSettings(NamedTuple):
    period_days: int = 7
    compiled_by: str = "党政办公室"


class AnomalySettings(NamedTuple):
    """What makes a pattern worth asking about (docs/anomalies.md): never a violation."""

    witness_cadres: int = 3  # one witness signing for this many cadres on one day is asked about
    travel_minutes: dict[str, int] = {}  # village -> minutes from the office; never mutated


APPROVERS = ("team", "secretary")  # who may approve: any leadership team member, or only the party secretary


class Approvals(NamedTuple):
    """Who may approve what (docs/audit-rules.md#late-evidence-and-approvals); see ``zoudu.ledger.approvals``.

    ``secretary`` names the party secretary (党委书记); None means the team member
    at the top of the supervision tree.
    """

    backfill: str = "team"      # a sign-in recorded after the grace (补签)
    village: str = "team"       # a village entry copied from the diary after ``village_late_days``
    void: str = "team"          # a void after the grace
    leave_short: str = "team"   # a leave of at most ``leave_short_days`` days
    leave_long: str = "secretary"
    leave_short_days: int = 3
    secretary: str | None = None


class Settings(NamedTuple):
    township: str
    county: str
    timezone: str
    locale: str
    place: str
    supervision_phone: str
    slots: dict[str, Slot]
    quota: Quota
    study_session: bool
    inspections_per_month: int
    backfill_grace_minutes: int
    liability_rules: tuple[str, ...]
    severity: dict[str, str]
    calendar: CalendarSettings
    notice: NoticeSettings
    path: str = "rules.yaml"
    import_limit_days: int = 7  # a terminal's punch imported within this many days is not a backfill
    approvals: Approvals = Approvals()
    village_late_days: int = 7  # a village entry recorded later than this after its time is late (village.late)
    late_tolerance_minutes: int = 5  # a sign-in later than the slot's fixed time plus this is late (signin.late)
    discipline_group: tuple[str, ...] = ()  # 督查组, leader first; empty: the leadership team
    import_max_rows: int = 200_000  # ``zoudu import`` stops (exit 2) on a file with more rows than this
    draw_cadres_per_round: int = 3  # cadres the spot-check draw names for each night it draws
    anomalies: AnomalySettings = AnomalySettings()  # questions the audit asks (docs/anomalies.md)
    working_hours: tuple[tuple[dt.time, dt.time], ...] = ()  # workday hours a cadre is due at work; see below
    records_from: dt.date | None = None  # the first day audited (``zoudu init``); None: no restriction

    @property
    def hours(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The working hours (工作时间) of a workday: rules.yaml's, else 08:00–12:00 and 14:30–17:30."""
        return self.working_hours or DEFAULT_WORKING_HOURS

    def inspectors(self, roster) -> tuple[str, ...]:
        """The discipline group's ids, leader first: rules.yaml's list, else the leadership team."""
        return self.discipline_group or tuple(c.id for c in roster.cadres if c.team)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def severity_of(self, rule: str) -> str:
        """rules.yaml's severity; a rule it does not list keeps the rule book's default."""
        from zoudu.rulebook import DEFAULT_SEVERITY

        return self.severity.get(rule) or DEFAULT_SEVERITY.get(rule, "error")

    def slot_of(self, clock: dt.time) -> Slot | None:
        for slot in self.slots.values():
            if slot.contains(clock):
                return slot
        return None


DEFAULT_WORKING_HOURS = ((dt.time(8, 0), dt.time(12, 0)), (dt.time(14, 30), dt.time(17, 30)))

PLACEHOLDER_PHONE = "0794-0000000"  # what `zoudu init` writes; publish warns until it is changed


_TOP = {
    "township", "county", "timezone", "locale", "place", "supervision_phone", "slots", "quota",
    "study_session", "inspections_per_month", "backfill_grace_minutes", "liability_rules",
    "severity", "calendar", "notice", "import_limit_days", "approvals", "village_late_days",
    "late_tolerance_minutes", "discipline_group", "import_max_rows", "anomalies", "working_hours",
    "records_from", "draw_cadres_per_round",
}


def load_settings(path: Path, shown_as: str = "rules.yaml") -> Settings:
    """Read and check ``rules.yaml``; any problem is a ZouduError naming file and line."""
    from zoudu.memo import store as memo
    from zoudu.ledger.files import read_bytes

    data = read_bytes(path)
    return memo.rules(data, shown_as, lambda: _parse(data, shown_as), Settings)


def _parse(data: bytes, shown_as: str) -> Settings:
    from zoudu.ledger.files import decode
    from zoudu.ledger.yamlsafe import Nodes, compose

    root = compose(decode(data, shown_as), shown_as)
    if root is None:
        raise ZouduError(_("the file is empty"), shown_as)
    n = Nodes(shown_as)
    top = n.mapping(root, "rules.yaml", _TOP)
    default = _defaults()

    def text_of(key: str, fallback: str) -> str:
        return n.text(top[key], key) if key in top else fallback

    timezone = text_of("timezone", default.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise n.fail(top["timezone"], _("'timezone': unknown time zone '{tz}'").format(tz=timezone)) from None
    locale = text_of("locale", default.locale)
    if locale not in ("zh_CN", "en"):
        raise n.fail(top["locale"], _("'locale' must be zh_CN or en, not '{value}'").format(value=locale))

    return Settings(
        township=text_of("township", default.township),
        county=text_of("county", default.county),
        timezone=timezone,
        locale=locale,
        place=text_of("place", default.place),
        supervision_phone=text_of("supervision_phone", default.supervision_phone),
        slots=_slots(n, top["slots"]) if "slots" in top else default.slots,
        quota=_quota(n, top["quota"]) if "quota" in top else default.quota,
        study_session=n.boolean(top["study_session"], "study_session") if "study_session" in top else True,
        inspections_per_month=n.integer(top["inspections_per_month"], "inspections_per_month", maximum=31)
        if "inspections_per_month" in top else default.inspections_per_month,
        backfill_grace_minutes=n.integer(top["backfill_grace_minutes"], "backfill_grace_minutes", maximum=7 * 24 * 60)
        if "backfill_grace_minutes" in top else default.backfill_grace_minutes,
        liability_rules=_rule_list(n, top["liability_rules"]) if "liability_rules" in top
        else default.liability_rules,
        severity=_severity(n, top["severity"]) if "severity" in top else default.severity,
        calendar=_calendar(n, top["calendar"]) if "calendar" in top else CalendarSettings(),
        notice=_notice(n, top["notice"]) if "notice" in top else NoticeSettings(),
        path=shown_as,
        import_limit_days=n.integer(top["import_limit_days"], "import_limit_days", maximum=366)
        if "import_limit_days" in top else 7,
        approvals=_approvals(n, top["approvals"]) if "approvals" in top else Approvals(),
        village_late_days=n.integer(top["village_late_days"], "village_late_days", maximum=366)
        if "village_late_days" in top else 7,
        late_tolerance_minutes=n.integer(top["late_tolerance_minutes"], "late_tolerance_minutes", maximum=24 * 60)
        if "late_tolerance_minutes" in top else 5,
        discipline_group=tuple(n.text(item, "discipline_group") for item in n.sequence(top["discipline_group"],
                                                                                     "discipline_group"))
        if "discipline_group" in top else (),
        import_max_rows=n.integer(top["import_max_rows"], "import_max_rows", minimum=1, maximum=10_000_000)
        if "import_max_rows" in top else 200_000,
        draw_cadres_per_round=n.integer(top["draw_cadres_per_round"], "draw_cadres_per_round", minimum=1,
                                        maximum=1000) if "draw_cadres_per_round" in top else 3,
        anomalies=_anomalies(n, top["anomalies"]) if "anomalies" in top else AnomalySettings(),
        **_added(n, top),
    )


def _added(n: Nodes, top: dict[str, yaml.Node]) -> dict:
    """The keys added with the working hours and the day records start (both optional)."""
    out: dict = {}
    if "working_hours" in top:
        out["working_hours"] = _working_hours(n, top["working_hours"])
    if "records_from" in top:
        out["records_from"] = n.parsed(top["records_from"], "records_from", parse_date)
    return out


def _working_hours(n: Nodes, node: yaml.Node) -> tuple[tuple[dt.time, dt.time], ...]:
    """``[[start, end], ...]``: each span starts before it ends, and each after the one before."""
    spans = []
    for item in n.sequence(node, "working_hours"):
        pair = n.sequence(item, "working_hours")
        if len(pair) != 2:
            raise n.fail(item, _("'working_hours' must be a list of [start, end] pairs"))
        start, end = (n.parsed(p, "working_hours", parse_clock) for p in pair)
        if start >= end or (spans and start <= spans[-1][1]):
            raise n.fail(item, _("'working_hours': {start}–{end} must end after it starts and begin after the "
                                 "span before it").format(start=start.strftime("%H:%M"), end=end.strftime("%H:%M")))
        spans.append((start, end))
    if not spans:
        raise n.fail(node, _("'working_hours' must name at least one [start, end] span"))
    return tuple(spans)


def _defaults() -> Settings:
    from zoudu.rulebook import DEFAULT_LIABILITY, DEFAULT_SEVERITY  # the rule table: one place

    def slot(name: str, t: str, a: str, b: str) -> Slot:
        return Slot(name, parse_clock(t), parse_clock(a), parse_clock(b))

    return Settings(
        township="石庄乡", county="崇仁县", timezone="Asia/Shanghai", locale="zh_CN",
        place="党政办公室", supervision_phone="",
        slots={
            "morning": slot("morning", "08:00", "07:30", "08:30"),
            "afternoon": slot("afternoon", "14:30", "14:00", "15:00"),
            "evening": slot("evening", "19:30", "19:00", "20:30"),
        },
        quota=Quota(), study_session=True, inspections_per_month=2, backfill_grace_minutes=30,
        liability_rules=DEFAULT_LIABILITY, severity=dict(DEFAULT_SEVERITY),
        calendar=CalendarSettings(), notice=NoticeSettings(),
    )


def _slots(n: Nodes, node: yaml.Node) -> dict[str, Slot]:
    raw = n.mapping(node, "slots", set(model.SLOTS))
    missing = [s for s in model.SLOTS if s not in raw]
    if missing:
        raise n.fail(node, _("'slots' must define {missing}").format(missing=", ".join(missing)))
    slots: dict[str, Slot] = {}
    for name in model.SLOTS:
        spec = n.mapping(raw[name], f"slots.{name}", {"time", "window"})
        for need in ("time", "window"):
            if need not in spec:
                raise n.fail(raw[name], _("'slots.{name}' needs '{key}'").format(name=name, key=need))
        time = n.parsed(spec["time"], f"slots.{name}.time", parse_clock)
        window = n.sequence(spec["window"], f"slots.{name}.window")
        if len(window) != 2:
            raise n.fail(spec["window"], _("'slots.{name}.window' must be [start, end]").format(name=name))
        start, end = (n.parsed(w, f"slots.{name}.window", parse_clock) for w in window)
        if not start <= time <= end:
            raise n.fail(spec["window"], _("'slots.{name}': the time {time} must lie inside its window").format(
                name=name, time=time.strftime("%H:%M")))
        slots[name] = Slot(name, time, start, end)
    ordered = [slots[s] for s in model.SLOTS]
    for a, b in zip(ordered, ordered[1:]):
        if a.end >= b.start:
            raise n.fail(node, _("slot windows must not overlap ({a} and {b})").format(a=a.name, b=b.name))
    return slots


def _quota(n: Nodes, node: yaml.Node) -> Quota:
    raw = n.mapping(node, "quota", {"township_days", "nights", "village_days"})
    values = {k: n.integer(v, f"quota.{k}") for k, v in raw.items()}
    for key, limit in (("township_days", 7), ("nights", 7), ("village_days", 7)):
        if values.get(key, 0) > limit:
            raise n.fail(raw[key], _("'quota.{key}' cannot exceed {limit}").format(key=key, limit=limit))
    return Quota(**values)


def _rule_id(n: Nodes, node: yaml.Node, key: str) -> str:
    from zoudu.rulebook import BY_ID

    rule = n.text(node, key)
    if rule not in BY_ID:
        raise n.fail(node, _("'{key}': unknown rule id '{rule}'").format(key=key, rule=rule))
    return rule


def _rule_list(n: Nodes, node: yaml.Node) -> tuple[str, ...]:
    return tuple(_rule_id(n, item, "liability_rules") for item in n.sequence(node, "liability_rules"))


def _severity(n: Nodes, node: yaml.Node) -> dict[str, str]:
    import yaml

    out: dict[str, str] = {}
    if not isinstance(node, yaml.MappingNode):
        raise n.fail(node, _("'{key}' must be a mapping of key: value").format(key="severity"))
    for k, v in node.value:
        rule = _rule_id(n, k, "severity")
        level = n.text(v, f"severity.{rule}")
        if level not in model.SEVERITIES:
            raise n.fail(v, _("'severity.{rule}' must be error, warning or off, not '{value}'").format(
                rule=rule, value=level))
        out[rule] = level
    return out


def _dates(n: Nodes, node: yaml.Node | None, key: str) -> frozenset[dt.date]:
    if node is None:
        return frozenset()
    return frozenset(n.parsed(item, key, parse_date) for item in n.sequence(node, key))


def _calendar(n: Nodes, node: yaml.Node) -> CalendarSettings:
    raw = n.mapping(node, "calendar", {"holidays", "workdays", "years"})
    holidays = _dates(n, raw.get("holidays"), "calendar.holidays")
    workdays = _dates(n, raw.get("workdays"), "calendar.workdays")
    both = holidays & workdays
    if both:
        raise n.fail(node, _("'calendar': {day} is listed both as holiday and as workday").format(day=min(both)))
    years: dict[int, YearArrangement] = {}
    if "years" in raw:
        for k, v in n.mapping(raw["years"], "calendar.years").items():
            if not (k.isdigit() and len(k) == 4):
                raise n.fail(v, _("'calendar.years': '{year}' is not a year").format(year=k))
            year = int(k)
            spec = n.mapping(v, f"calendar.years.{k}", {"source", "holidays", "workdays"})
            if "source" not in spec:
                raise n.fail(v, _("'calendar.years.{year}' must name its 'source' (the announcement)").format(year=k))
            hol = _dates(n, spec.get("holidays"), f"calendar.years.{k}.holidays")
            work = _dates(n, spec.get("workdays"), f"calendar.years.{k}.workdays")
            stray = sorted(d for d in hol | work if d.year != year)
            if stray:
                raise n.fail(v, _("'calendar.years.{year}': {day} is not in that year").format(year=k, day=stray[0]))
            years[year] = YearArrangement(year, n.text(spec["source"], "source"), hol, work)
    return CalendarSettings(holidays, workdays, years)


def _notice(n: Nodes, node: yaml.Node) -> NoticeSettings:
    raw = n.mapping(node, "notice", {"period_days", "compiled_by"})
    return NoticeSettings(
        period_days=n.integer(raw["period_days"], "notice.period_days", 1, maximum=366) if "period_days" in raw else 7,
        compiled_by=n.text(raw["compiled_by"], "notice.compiled_by") if "compiled_by" in raw else "党政办公室",
    )


def _approvals(n: Nodes, node: yaml.Node) -> Approvals:
    raw = n.mapping(node, "approvals", {"backfill", "village", "void", "leave", "secretary"})

    def who(value: yaml.Node, key: str) -> str:
        text = n.text(value, key)
        if text not in APPROVERS:
            raise n.fail(value, _("'{key}' must be team or secretary, not '{value}'").format(key=key, value=text))
        return text

    plain = {k: who(raw[k], f"approvals.{k}") for k in ("backfill", "village", "void") if k in raw}
    if "leave" in raw:
        leave = n.mapping(raw["leave"], "approvals.leave", {"short_days", "short", "long"})
        if "short_days" in leave:
            plain["leave_short_days"] = n.integer(leave["short_days"], "approvals.leave.short_days", maximum=366)
        for k in ("short", "long"):
            if k in leave:
                plain[f"leave_{k}"] = who(leave[k], f"approvals.leave.{k}")
    if "secretary" in raw:
        plain["secretary"] = n.text(raw["secretary"], "approvals.secretary")
    return Approvals(**plain)


def _anomalies(n: Nodes, node: yaml.Node) -> AnomalySettings:
    raw = n.mapping(node, "anomalies", {"witness_cadres", "travel_minutes"})
    travel: dict[str, int] = {}
    if "travel_minutes" in raw:
        for village, minutes in n.mapping(raw["travel_minutes"], "anomalies.travel_minutes").items():
            if not village.strip():
                raise n.fail(minutes, _("'{key}' must not be empty").format(key="anomalies.travel_minutes"))
            travel[village.strip()] = n.integer(minutes, f"anomalies.travel_minutes.{village}", 1, maximum=24 * 60)
    return AnomalySettings(
        witness_cadres=n.integer(raw["witness_cadres"], "anomalies.witness_cadres", 2, maximum=10_000)
        if "witness_cadres" in raw else 3,
        travel_minutes=travel,
    )
