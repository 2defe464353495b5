"""Who may approve what (审批): a backfilled sign-in, a late village entry, a leave, a void
(docs/audit-rules.md#late-evidence-and-approvals).

``may_approve`` is a pure function of the settings and the roster: the recording
commands call it before writing (a refusal is exit 2, nothing written) and the
audit can call it again on what it reads. The policy, from ``rules.yaml``'s
``approvals``:

- ``team``: any member of the leadership team (班子成员); ``secretary``: only the
  party secretary (党委书记) — named in ``approvals.secretary``, else the team
  member at the top of the supervision tree.
- Never the cadre themself, never anyone the cadre supervises directly or further
  down, and only someone serving on the roster on that day.
- The party secretary, whom nobody in the township supervises, is approved by any
  other team member, whatever the policy says.
"""

from __future__ import annotations

import datetime as dt

from zoudu.i18n import _
from zoudu.ledger.settings import Settings
from zoudu.model import Cadre, Roster

BACKFILL, VILLAGE, LEAVE, VOID = "backfill", "village", "leave", "void"
KINDS = (BACKFILL, VILLAGE, LEAVE, VOID)
MAX_LEAVE_DAYS = 366  # a leave is bounded: a longer absence is a roster change, not a leave


def policy(settings: Settings, kind: str, length: dt.timedelta | None = None) -> str:
    """``team`` or ``secretary`` for this kind of approval (a leave by its length)."""
    rules = settings.approvals
    if kind == LEAVE:
        short = length is not None and length <= dt.timedelta(days=rules.leave_short_days)
        return rules.leave_short if short else rules.leave_long
    return {BACKFILL: rules.backfill, VILLAGE: rules.village, VOID: rules.void}[kind]


def secretary(settings: Settings, roster: Roster) -> Cadre | None:
    """The party secretary on this roster (of one day): named in rules.yaml, else the team member at
    the top of the supervision tree; of several there, the one whose post is the party secretary's
    (党委书记), else the one who supervises the most cadres (None if that is not one)."""
    named = settings.approvals.secretary
    if named:
        return roster.get(named)
    if _TOP[0] is roster:  # the audit asks once per approval, of the same roster of the day
        return _TOP[1]
    found = _top(roster)
    _TOP[:] = [roster, found]
    return found


_TOP: list = [None, None]  # (the roster last asked about, its party secretary)


SECRETARY_POST = "党委书记"  # a township's party secretary; 党委副书记 (a deputy) does not contain it


def _top(roster: Roster) -> Cadre | None:
    tops = [c for c in roster.cadres if c.team and c.supervisor is None]
    if len(tops) <= 1:
        return tops[0] if tops else None
    titled = [c for c in tops if SECRETARY_POST in c.post]
    if len(titled) == 1:  # the team added with no supervisor named: the post says who heads it
        return titled[0]
    tops = titled or tops
    reach = {c.id: len(_below(roster, c.id)) for c in tops}
    best = max(reach.values())
    leaders = [c for c in tops if reach[c.id] == best]
    return leaders[0] if len(leaders) == 1 else None


def _below(roster: Roster, cadre_id: str) -> set[str]:
    """Everyone ``cadre_id`` supervises, directly or further down."""
    children: dict[str | None, list[str]] = {}
    for c in roster.cadres:  # indexed once: a walk of the subtree, not of the roster per cadre found
        children.setdefault(c.supervisor, []).append(c.id)
    found: set[str] = set()
    frontier = [cadre_id]
    while frontier:
        boss = frontier.pop()
        for child in children.get(boss, ()):
            if child not in found and child != cadre_id:
                found.add(child)
                frontier.append(child)
    return found


def _supervises(roster: Roster, boss: str, cadre_id: str) -> bool:
    """Whether ``boss`` supervises ``cadre_id`` directly or further up (a walk up the chain, not of the roster)."""
    seen = {cadre_id}
    cadre = roster.get(cadre_id)
    while cadre is not None and cadre.supervisor is not None and cadre.supervisor not in seen:
        if cadre.supervisor == boss:
            return True
        seen.add(cadre.supervisor)
        cadre = roster.get(cadre.supervisor)
    return False


def may_approve(settings: Settings, roster: Roster, approver: str, cadre: str | None, kind: str,
                on_date: dt.date, length: dt.timedelta | None = None) -> str | None:
    """Why ``approver`` may not approve this ``kind`` for ``cadre`` on ``on_date``; None when they may.

    ``roster`` may be the whole log: it is read as it stood on ``on_date``. ``length``
    is a leave's length (it picks the tier). ``cadre`` None: an entry that concerns
    no one cadre (only the policy is checked).
    """
    day = roster.on(on_date)
    who = day.get(approver)
    if who is None or not who.serving_on(on_date):
        return _("the approver '{id}' is not serving on the roster on {day}").format(id=approver, day=on_date)
    subject = day.get(cadre) if cadre else None
    if cadre is not None and approver == cadre:
        return _("{name} ({id}) cannot approve for themself").format(name=who.name, id=who.id)
    # Nobody supervises the top of the tree: any other team member approves for them.
    top = subject is not None and subject.supervisor is None
    if subject is not None and not top and _supervises(day, subject.id, approver):
        return _("{name} ({id}) is supervised by {boss} ({boss_id}) and cannot approve for them").format(
            name=who.name, id=who.id, boss=subject.name, boss_id=subject.id)
    if not who.team:
        return _("{name} ({id}) is not on the leadership team and cannot approve this").format(
            name=who.name, id=who.id)
    if policy(settings, kind, length) == "secretary":
        head = secretary(settings, day)
        if top or (subject is not None and head is not None and subject.id == head.id):
            return None  # the secretary's own (or a top cadre's): any other team member
        if head is None:
            return _("only the party secretary may approve this, and the roster does not say who that is "
                     "(name them in rules.yaml: approvals.secretary)")
        if head.id != who.id:
            return _("only the party secretary {name} ({id}) may approve this").format(name=head.name, id=head.id)
    return None
