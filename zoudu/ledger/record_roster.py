"""Recording roster changes: joining, changes from a date, leaving, and the one-time migration.

Each is an entry of the roster log (``ledgers/roster.yaml``), appended under the lock
like every ledger entry, with the date it takes effect, who recorded it and when.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.input_text import name_text, text
from zoudu.ledger.record import base, now, recorder
from zoudu.ledger.roster import check_id, find_cadre, supervision_problem
from zoudu.ledger.append import append
from zoudu.ledger.workspace import ROSTER, Workspace
from zoudu.timeparse import iso, parse_date


def _roster_entry(ws: Workspace, op: str, cadre_id: str, day: dt.date, by: str | None,
                  fields: dict[str, Any]) -> dict[str, Any]:
    at = dt.datetime.combine(day, dt.time(0, 0), ws.settings.tz)
    entry = base(ws, model.ROSTER_CHANGE, at, by, cadre_id)
    entry.update({"op": op, "from": day.isoformat(), **fields})
    return entry


def _append_roster(ws: Workspace, roster: model.Roster, entry: dict[str, Any]) -> None:
    """Check the roster with the change, then append it to the log (the caller holds the lock);
    ``ws.roster`` reads the log again, as it now stands."""
    from zoudu.ledger.roster import LOG_HEADER

    path = ws.root / ROSTER
    if roster.cadres and not roster.changes:
        raise ZouduError(_("the roster is still in the old format; convert it once with 'zoudu roster migrate'"),
                         ROSTER)
    unsealed(ws, dt.date.fromisoformat(entry["from"]))
    change = model.RosterChange("", entry["op"], entry["cadre"], dt.date.fromisoformat(entry["from"]),
                                {k: entry[k] for k in model.ROSTER_FIELDS if k in entry}, 1 << 30)  # after every line
    changes = roster.changes + (change,)
    cadres = model.replay(changes)
    grown = model.Roster.of(cadres, roster.path, changes)
    for day in sorted({c.day for c in changes if c.day >= change.day}):
        state = grown.on(day)
        good: set[str] = set()
        for cadre in state.cadres:
            problem = supervision_problem(state, cadre, good)
            if problem:
                raise ZouduError(problem)
    append(path, ROSTER, [entry], clock=lambda: iso(now(ws)), header=LOG_HEADER)


def _supervisor(roster: model.Roster, supervisor: str | None, day: dt.date) -> str | None:
    if not supervisor:
        return None
    state = roster.on(day)
    if state.get(supervisor) is None and not any(c.name == supervisor for c in state.cadres):
        raise ZouduError(_("supervisor '{sup}' is not on the roster on {day}").format(sup=supervisor, day=day))
    boss = find_cadre(state, supervisor, day)
    if not boss.team:
        raise ZouduError(_("the supervisor {name} ({id}) is not on the leadership team").format(
            name=boss.name, id=boss.id))
    if not boss.serving_on(day):
        raise ZouduError(_("the supervisor {name} ({id}) left on {day}").format(
            name=boss.name, id=boss.id, day=boss.until))
    return boss.id


def roster_add(ws: Workspace, cadre_id: str, name: str, post: str | None, team: bool,
               supervisor: str | None, village: str | None, since: str | None,
               badge: str | None = None, by: str | None = None) -> str:
    from zoudu.ledger.names import check_badge

    check_id(cadre_id)
    name = name_text(name, _("name"))
    fields: dict[str, Any] = {
        "name": name, "post": text(post, _("post"), required=False) or "", "team": bool(team),
        "village": name_text(village, _("village"), required=False),
    }
    day = parse_date(since) if since else now(ws).date()
    with ws.lock():
        roster = ws.fresh_roster()
        if badge is not None:
            fields["badge"] = check_badge(roster, badge, cadre_id)
        if roster.get(cadre_id):
            raise ZouduError(_("cadre id '{id}' is already on the roster").format(id=cadre_id))
        # An id that is someone's name, or a name that is someone's id, would make
        # "zoudu checkin X" mean two people.
        if roster.get(name) or any(c.name == cadre_id for c in roster.cadres):
            raise ZouduError(_("'{value}' is both a name and an id on the roster; choose another").format(
                value=name if roster.get(name) else cadre_id))
        fields["supervisor"] = _supervisor(roster, supervisor, day)
        _append_roster(ws, roster, _roster_entry(ws, "add", cadre_id, day, by, fields))
    return cadre_id


def roster_set(ws: Workspace, token: str, start: str, by: str | None = None, **given: Any) -> str:
    """A change of supervisor, village, post, team membership or badge from ``start`` on."""
    from zoudu.ledger.names import check_badge

    day = parse_date(start)
    fields: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key not in model.ROSTER_FIELDS:
            raise ZouduError(_("unknown roster field '{key}'").format(key=key))
        if key == "team":
            fields[key] = bool(value)
        elif key == "village":
            fields[key] = name_text(value, _("village")) if value != "" else None
        elif key == "name":
            fields[key] = name_text(value, _("name"))
        else:
            fields[key] = value
    if "post" in fields:
        fields["post"] = text(fields["post"], _("post"), required=False) or ""
    if not fields:
        raise ZouduError(_("say what changes: --supervisor, --village, --post, --team/--no-team or --badge"))
    with ws.lock():
        roster = ws.fresh_roster()
        cadre = find_cadre(roster, token, day)
        if cadre.since and day < cadre.since:
            raise ZouduError(_("{name} ({id}) joined on {day}: cannot change before").format(
                name=cadre.name, id=cadre.id, day=cadre.since))
        if cadre.until is not None and day > cadre.until:
            raise ZouduError(_("{name} ({id}) already left on {day}").format(name=cadre.name, id=cadre.id,
                                                                             day=cadre.until))
        if "badge" in fields:
            fields["badge"] = check_badge(roster, fields["badge"], cadre.id) if fields["badge"] != "" else None
        if "supervisor" in fields:
            fields["supervisor"] = _supervisor(roster, fields["supervisor"], day) if fields["supervisor"] else None
            if fields["supervisor"] == cadre.id:
                raise ZouduError(_("supervision of '{id}' goes round in a circle").format(id=cadre.id))
        if fields.get("team") is False and any(c.supervisor == cadre.id and c.serving_on(day)
                                               for c in roster.on(day).cadres):
            raise ZouduError(_("{name} ({id}) still supervises cadres on {day}; give them another supervisor "
                               "first").format(name=cadre.name, id=cadre.id, day=day))
        _append_roster(ws, roster, _roster_entry(ws, "set", cadre.id, day, by, fields))
    return cadre.id


def roster_leave(ws: Workspace, cadre_id: str, on: str, by: str | None = None) -> str:
    day = parse_date(on)
    with ws.lock():
        roster = ws.fresh_roster()
        cadre = find_cadre(roster, cadre_id)
        if cadre.until is not None:
            raise ZouduError(_("{name} ({id}) already left on {day}").format(name=cadre.name, id=cadre.id,
                                                                             day=cadre.until))
        if cadre.since and day < cadre.since:
            raise ZouduError(_("{name} ({id}) joined on {day}: cannot leave before").format(
                name=cadre.name, id=cadre.id, day=cadre.since))
        _append_roster(ws, roster, _roster_entry(ws, "leave", cadre.id, day, by, {}))
    return cadre.id


def roster_migrate(ws: Workspace, by: str | None = None) -> tuple[int, str]:
    """Convert the old roster format into the dated log, once; returns (cadres, backup file)."""
    from zoudu.ledger.roster import migrate

    with ws.lock():
        return migrate(ws, recorder(ws, by), iso(now(ws)))


# ----------------------------------------------------------------------------- entries


def unsealed(ws, day: dt.date) -> None:
    """Refuse a roster change taking effect on a day a seal already covers (a sealed month, or a
    checkpoint's days): it would change a verdict already sealed."""
    from zoudu.ledger.seals import sealed_until

    last = sealed_until(ws)
    if last is not None and day <= last:
        raise ZouduError(_("a roster change cannot take effect on {day}: the ledgers are sealed up to {last} "
                           "(give a later date)").format(day=day, last=last))
