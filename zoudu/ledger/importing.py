"""``zoudu import``: a terminal's or DingTalk's punches recorded as office sign-ins (SPEC §10).

Everything is read and checked before the lock; under the lock the ledger is
read again for punches already imported, and the rest appended, one append per
month file. A punch is the terminal's own record: ``recorded`` is always the
moment of the import (taken under the lock, like every entry, so recorded times
never go back), and the audit treats an entry with a ``source`` imported within
``import_limit_days`` of its time as no backfill; later, it is a backfill unless
``--approver``/``--reason`` approve it (SPEC §8).
Each entry keeps ``imported`` (when it was read in) and ``source`` (format,
device, file name, sha256 of the file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Callable, NamedTuple

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger import importers
from zoudu.ledger.importers import Punch
from zoudu.ledger.names import by_badge, normal_badge
from zoudu.ledger.record import FUTURE_TOLERANCE, now, recorder, text
from zoudu.ledger.roster import find_cadre
from zoudu.ledger.store import read_ledger
from zoudu.ledger.append import append
from zoudu.ledger.workspace import Workspace
from zoudu.timeparse import iso, month_of

MAX_UNKNOWN_LISTED = 20


class Row(NamedTuple):
    punch: Punch
    cadre: model.Cadre
    at: dt.datetime
    late: bool        # read in later than the import limit: a backfill unless approved
    duplicate: bool   # already in the ledger (or earlier in this file)


class Plan(NamedTuple):
    format: str
    sha256: str
    rows: list[Row]
    unknown: list[Punch]
    entries: list[dict[str, Any]]  # what would be appended (duplicates left out)


def _match(roster: model.Roster, badges: dict[str, model.Cadre], punch: Punch, day: dt.date) -> model.Cadre | None:
    """By badge number, else by exact unique name among those serving that day."""
    if punch.badge:
        cadre = badges.get(normal_badge(punch.badge))
        if cadre is not None:
            return cadre if cadre.serving_on(day) else None
    if punch.name:
        named = [c for c in roster.cadres if c.name == punch.name and c.serving_on(day)]
        if len(named) == 1:
            return named[0]
    return None


def _key(cadre: str, at: str, source: dict[str, Any]) -> tuple[str, str, str]:
    """One punch: the cadre, the terminal's time, the terminal. Not the format: the USB download
    and the PC software's export of the same machine hold the same punches."""
    return (cadre, at, str(source.get("device")))


def _imported(ws: Workspace, months: set[str]) -> set[tuple[str, str, str]]:
    """Punches already in these months' ledgers (voided ones too: a void is a decision, not a gap)."""
    seen = set()
    for month in months:
        path = ws.ledger_path(month)
        if not path.exists():
            continue
        for e in read_ledger(path, ws.shown(path)).entries:
            source = e.data.get("source")
            if e.kind == model.CHECKIN and isinstance(source, dict):
                seen.add(_key(str(e.cadre), iso(e.at), source))
    return seen


def plan(ws: Workspace, file: str, fmt: str | None, mapping: str | None, skip_unknown: bool,
         approver: str | None, reason: str | None, by: str | None,
         progress: Callable[[int, int], None] | None = None) -> Plan:
    """Reads and checks the file; what an import would record. Raises on anything wrong.

    ``progress(done, total)`` is told of the rows matched, a hundred at a time."""
    path = Path(file)
    shown = path.name
    try:
        if path.stat().st_size > importers.MAX_BYTES:
            raise ZouduError(_("the file is larger than {n} MB").format(n=importers.MAX_BYTES // 2**20), file)
        data = path.read_bytes()
    except FileNotFoundError:
        raise ZouduError(_("file not found"), file) from None
    except IsADirectoryError:
        raise ZouduError(_("is a folder, not a file"), file) from None
    except OSError as e:
        raise ZouduError(_("cannot read the file: {error}").format(error=e.strerror), file) from None
    if fmt is not None and fmt not in importers.FORMATS:
        raise ZouduError(_("--format must be one of {formats}, not '{value}'").format(
            formats=", ".join(importers.FORMATS), value=fmt))
    if (approver is None) != (reason is None):
        raise ZouduError(_("a backfilled sign-in needs both --approver and --reason"))
    fmt = fmt or ("csv" if mapping else importers.detect(data, shown))
    punches = importers.read_punches(data, shown, fmt, mapping)
    if not punches:
        raise ZouduError(_("no punches in the file"), file)
    settings, roster = ws.settings, ws.roster
    sha = hashlib.sha256(data).hexdigest()
    moment = now(ws)
    limit = dt.timedelta(days=settings.import_limit_days)
    dated: dict[dt.date, tuple[model.Roster, dict[str, model.Cadre]]] = {}  # the roster of each punch's day
    approving = find_cadre(roster, approver, moment.date()) if approver else None
    reason = text(reason, _("reason"), required=False)
    unknown: list[Punch] = []
    matched: list[tuple[Punch, model.Cadre, dt.datetime]] = []
    for row, punch in enumerate(punches):
        if progress is not None and not row % 100:
            progress(row, len(punches))
        at = punch.at.replace(tzinfo=settings.tz)
        if at > moment + FUTURE_TOLERANCE:
            raise ZouduError(_("the time {at} is in the future").format(at=iso(at)), punch.where)
        if at.date() not in dated:
            that_day = roster.on(at.date())
            dated[at.date()] = (that_day, by_badge(that_day))
        cadre = _match(*dated[at.date()], punch, at.date())
        if cadre is None:
            unknown.append(punch)
        else:
            matched.append((punch, cadre, at))
    if progress is not None:
        progress(len(punches), len(punches))
    if unknown and not skip_unknown:
        listed = "; ".join(f"{p.where} {p.badge or ''} {p.name or ''}".strip() for p in unknown[:MAX_UNKNOWN_LISTED])
        more = len(unknown) - MAX_UNKNOWN_LISTED
        raise ZouduError(_("{n} row(s) match no cadre on the roster (add --badge to the roster, or "
                           "--skip-unknown): {rows}").format(n=len(unknown), rows=listed)
                         + (_(" and {n} more").format(n=more) if more > 0 else ""))
    if approving is not None and any(c.id == approving.id for _p, c, at in matched if moment - at > limit):
        raise ZouduError(_("{name} ({id}) cannot approve their own sign-in").format(
            name=approving.name, id=approving.id))
    return _entries(ws, fmt, sha, shown, matched, moment, limit, approving, reason, by, unknown)


def _entries(ws, fmt, sha, shown, matched, moment, limit, approving, reason, by, unknown) -> Plan:
    seen = _imported(ws, {month_of(at) for _p, _c, at in matched})
    who = recorder(ws, by)
    rows: list[Row] = []
    entries: list[dict[str, Any]] = []
    for punch, cadre, at in matched:
        source = {"format": fmt, "device": punch.device, "file": shown, "sha256": sha}
        key = _key(cadre.id, iso(at), source)
        late = moment - at > limit
        duplicate = key in seen
        rows.append(Row(punch, cadre, at, late, duplicate))
        if duplicate:
            continue
        seen.add(key)
        fields: dict[str, Any] = {
            "kind": model.CHECKIN, "at": iso(at), "recorded": iso(moment),
            "imported": iso(moment), "by": who, "cadre": cadre.id, "place": ws.settings.place, "source": source,
        }
        if late and approving is not None:
            fields["approver"] = approving.id
            fields["reason"] = reason
        entries.append(fields)
    return Plan(fmt, sha, rows, unknown, entries)


def run(ws: Workspace, the_plan: Plan) -> list[dict[str, Any]]:
    """Appends the plan under the lock, after checking the ledger again for punches imported meanwhile."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    with ws.lock():
        seen = _imported(ws, {month_of(dt.datetime.fromisoformat(f["at"])) for f in the_plan.entries})
        for fields in the_plan.entries:
            if _key(fields["cadre"], fields["at"], fields["source"]) in seen:
                continue
            by_month.setdefault(month_of(dt.datetime.fromisoformat(fields["at"])), []).append(fields)
        done: list[dict[str, Any]] = []
        for month in sorted(by_month):
            path = ws.ledger_path(month)
            done.extend(append(path, ws.shown(path), by_month[month],  # one write per month file
                               clock=lambda: iso(now(ws))))
    return done
