"""The records zoudu keeps: ledger entries and their kinds.

Records are NamedTuples, immutable like frozen dataclasses: creating a frozen
dataclass class costs ~0.5 ms at import and each instance four times as much,
paid on every sign-in a clerk makes and on every line the audit reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

# Entry kinds, as stored in the "kind" field of a ledger line.
CHECKIN = "checkin"            # office sign-in (签到)
VILLAGE = "village"            # field-diary visit or stay (民情日记: 下村 / 住村)
LEAVE = "leave"                # leave or official trip (请假 / 公出)
LEAVE_CANCEL = "leave_cancel"  # ends an open leave early (销假)
SPOT_CHECK = "inspection"      # spot check by the discipline group (督查 抽查/暗访)
REPORT = "report"              # reported breach of village-stay discipline (五不准)
EVALUATION = "evaluation"      # three evaluations (三点评)
VOID = "void"                  # cancels an earlier entry (作废)
SEAL = "seal"                  # a signed seal of a month's ledgers (封存)
PUBLICATION = "publication"    # a notice posted on the board (公示), with the seal it carries
ROSTER_CHANGE = "roster"       # a line of the roster log (花名册): add, set or leave
DUTY = "duty"                  # a duty assignment (值班) on a day, for some slots
APPEAL = "appeal"              # a cadre contests a finding (申诉)
REVIEW = "review"              # the decision on an appeal or a report (复核/查处)
MEETING = "meeting"            # a meeting, such as the quarterly family meeting (干部家属会)
APPROVAL = "approval"          # approves a late sign-in or village entry after the fact (补批)
# The spot-check draw (docs/trust-model.md#the-spot-check-draw), kept in the drawn month's file:
DRAW_COMMIT = "draw_commit"    # the discipline group's commitment to a secret, before the month
DRAW = "draw"                  # the public random value (dice at the monthly meeting) and the candidates
DRAW_DISCLOSE = "draw_disclose"  # the secret, once the month is over, with the rounds it draws
DRAW_KINDS = (DRAW_COMMIT, DRAW, DRAW_DISCLOSE)
KINDS = (CHECKIN, VILLAGE, LEAVE, LEAVE_CANCEL, SPOT_CHECK, REPORT, EVALUATION, VOID, SEAL, PUBLICATION,
         DUTY, APPEAL, REVIEW, MEETING, APPROVAL) + DRAW_KINDS
# The fields each kind of entry may carry besides the common ones; verify refuses any other, so that
# nothing can be ground into a field nobody reads (a seal's and a publication's: zoudu.ledger.seals).
COMMON_FIELDS = frozenset({"kind", "at", "recorded", "by", "id", "hash", "cadre"})
FIELDS = {
    CHECKIN: frozenset({"place", "approver", "reason", "source", "imported"}),
    VILLAGE: frozenset({"village", "witness", "stay", "note", "approver", "reason"}),
    LEAVE: frozenset({"until", "leave_kind", "approver", "reason", "note"}),
    LEAVE_CANCEL: frozenset({"leave"}),
    SPOT_CHECK: frozenset({"inspector", "present", "absent", "method", "note"}),
    REPORT: frozenset({"rule", "source", "note"}),
    EVALUATION: frozenset({"month", "self", "peer", "public"}),
    VOID: frozenset({"target", "reason", "approver"}),
    DUTY: frozenset({"date", "slots"}),
    APPEAL: frozenset({"rule", "date", "slot", "reason"}),
    REVIEW: frozenset({"target", "decision", "reason"}),
    MEETING: frozenset({"meeting_kind", "note"}),
    APPROVAL: frozenset({"target", "approver", "reason"}),
    DRAW_COMMIT: frozenset({"month", "commitment", "rounds", "per_round"}),
    DRAW: frozenset({"month", "randomness", "pool"}),
    DRAW_DISCLOSE: frozenset({"month", "secret", "drawn"}),
}
APPEAL_DECISIONS = ("upheld", "overturned")  # the finding stands / is cancelled
REPORT_DECISIONS = ("upheld", "dismissed")  # the allegation is a breach / is not
MEETING_KINDS = ("family",)
ROSTER_OPS = ("add", "set", "leave")
# What a roster change may set: the fields of Cadre a person chooses.
ROSTER_FIELDS = ("name", "post", "team", "supervisor", "village", "badge")

SLOTS = ("morning", "afternoon", "evening")
GRADES = ("优", "良", "中", "差")
SEVERITIES = ("error", "warning", "off")
TRIP_KIND = "公出"
LEAVE_KINDS = ("事假", "病假", "年休假", "婚假", "产假", "丧假", "探亲假", TRIP_KIND)

# The rule ids, their default severities and which count as commuting: zoudu.rulebook.


class Entry(NamedTuple):
    """One ledger line, parsed. ``data`` holds the line's fields as stored.

    ``file`` and ``line`` say where it came from, so every finding can cite it.
    Immutable like a frozen dataclass, but a tuple: the audit builds one per
    line, and a frozen dataclass costs four times as much to create.
    """

    id: str
    kind: str
    at: dt.datetime
    recorded: dt.datetime
    by: str
    cadre: str | None
    data: dict[str, Any]
    hash: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class Problem(NamedTuple):
    """Something wrong in a file, found while reading or verifying it."""

    file: str
    line: int | None
    message: str
    code: str = "damaged"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Cadre(NamedTuple):
    """A cadre (乡干部) on the roster. ``until`` is the last day of service, inclusive."""

    id: str
    name: str
    post: str = ""
    team: bool = False  # leadership team member (班子成员)
    supervisor: str | None = None
    village: str | None = None  # assigned village (所包村)
    since: dt.date | None = None
    until: dt.date | None = None
    line: int = 0
    badge: str | None = None  # the number on the attendance terminal (考勤号码), for `zoudu import`

    def serving_on(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)

    def serving_between(self, first: dt.date, last: dt.date) -> bool:
        """On the roster on at least one day of ``first``..``last`` (a month, say)."""
        return (self.since is None or self.since <= last) and (self.until is None or first <= self.until)

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "post": self.post, "team": self.team,
            "supervisor": self.supervisor, "village": self.village,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            **({"badge": self.badge} if self.badge is not None else {}),
        }


class RosterChange(NamedTuple):
    """One line of the roster log: ``op`` (add / set / leave) of ``cadre`` taking effect on ``day``.

    ``fields`` holds what an add or set gives (name, post, team, supervisor, village,
    badge); a leave's ``day`` is the last day of service.
    """

    id: str
    op: str
    cadre: str
    day: dt.date
    fields: dict[str, Any]
    line: int


def replay(changes: tuple[RosterChange, ...], upto: dt.date | None = None) -> list[Cadre]:
    """The cadres as the log makes them, by the date each change takes effect (up to ``upto``).

    Changes apply in order of their dates, and in line order within a date. A cadre
    keeps the first day they joined as ``since`` and their last day as ``until``.
    """
    cadres: dict[str, Cadre] = {}
    for change in sorted(changes, key=lambda c: (c.day, c.line)):
        if upto is not None and change.day > upto:
            break
        apply_change(cadres, change)
    return list(cadres.values())


def apply_change(cadres: dict[str, Cadre], change: RosterChange) -> None:
    """One change applied to ``cadres`` (by id, in joining order), in place."""
    if change.op == "add":
        f = change.fields
        if "name" in f:  # positionally: a roster log replays thousands of these on every command
            cadres[change.cadre] = tuple.__new__(Cadre, (
                change.cadre, f["name"], f.get("post", ""), f.get("team", False), f.get("supervisor"),
                f.get("village"), change.day, None, change.line, f.get("badge")))
        else:
            cadres[change.cadre] = Cadre(id=change.cadre, since=change.day, line=change.line,
                                         **{k: f[k] for k in ROSTER_FIELDS if k in f})
    elif change.cadre in cadres:
        cadre = cadres[change.cadre]
        if change.op == "set":
            cadres[change.cadre] = cadre._replace(**{k: change.fields[k] for k in ROSTER_FIELDS if k in change.fields})
        elif change.op == "leave":
            cadres[change.cadre] = cadre._replace(until=change.day)


class Roster(NamedTuple):
    """Made with ``Roster.of``, which indexes the cadres by id."""

    cadres: tuple[Cadre, ...]
    path: str
    by_id: dict[str, Cadre]
    changes: tuple[RosterChange, ...] = ()  # the dated log; empty for a roster in the old undated format

    @classmethod
    def of(cls, cadres: list[Cadre] | tuple[Cadre, ...], path: str = "ledgers/roster.yaml",
           changes: tuple[RosterChange, ...] = ()) -> Roster:
        return cls(tuple(cadres), path, {c.id: c for c in cadres}, tuple(changes))

    def on(self, day: dt.date) -> Roster:
        """The roster as it stood on ``day``: who had joined by then, with the supervisor, village,
        post and team of that day (a cadre who left before keeps ``until``)."""
        if not self.changes:
            return self
        return Roster.of(replay(self.changes, day), self.path, self.changes)

    def get(self, cadre_id: str) -> Cadre | None:
        return self.by_id.get(cadre_id)

    def subordinates(self, supervisor_id: str) -> list[Cadre]:
        return [c for c in self.cadres if c.supervisor == supervisor_id]
