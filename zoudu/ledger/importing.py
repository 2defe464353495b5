"""``zoudu import``: a terminal's or DingTalk's punches recorded as office sign-ins
(docs/guide.md#importing-attendance-terminals-and-dingtalk).

Everything is read and checked before the lock; under the lock the ledger is
read again for punches already imported, and the rest appended, one append per
month file. A punch is the terminal's own record: ``recorded`` is always the
moment of the import (taken under the lock, like every entry, so recorded times
never go back), and the audit treats an entry with a ``source`` imported within
``import_limit_days`` of its time as no backfill; later, it is a backfill unless
``--approver``/``--reason`` approve it (docs/audit-rules.md#late-evidence-and-approvals).
Each entry keeps ``imported`` (when it was read in) and ``source`` (format,
device, file name, sha256 of the file).

A generic ``--format csv`` file is no terminal's record (anyone can write one): its rows
are held to the backfill grace like typed sign-ins (``zoudu.ledger.punch``). Only regular
files are read, and only so much of them (``importers.MAX_BYTES``, ``import_max_rows``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path
from typing import Any, Callable, NamedTuple

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger import approvals, importers
from zoudu.ledger.importers import Punch
from zoudu.ledger.names import by_badge, normal_badge
from zoudu.ledger import lateness
from zoudu.ledger.input_text import text
from zoudu.ledger.record import FUTURE_TOLERANCE, now, recorder
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
    clock_outs: int = 0  # DingTalk clock-out cells: counted, not recorded


def _match(roster: model.Roster, badges: dict[str, model.Cadre], punch: Punch, day: dt.date
           ) -> tuple[model.Cadre | None, model.Cadre | None]:
    """(the cadre, by badge number, else by exact unique name among those serving that day;
    another cadre serving that day whom the row's name names when the badge said otherwise)."""
    if punch.badge:
        cadre = badges.get(normal_badge(punch.badge))
        if cadre is not None:
            if not cadre.serving_on(day):
                return None, None
            other = None
            if punch.name and punch.name != cadre.name:
                other = next((c for c in roster.cadres if c.name == punch.name and c.id != cadre.id
                              and c.serving_on(day)), None)
            return cadre, other
    if punch.name:
        named = [c for c in roster.cadres if c.name == punch.name and c.serving_on(day)]
        if len(named) == 1:
            return named[0], None
    return None, None


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


def read_file(file: str) -> bytes:
    """The file's bytes: a regular file only (a FIFO or a device is refused before it is opened),
    and at most ``importers.MAX_BYTES``."""
    refused = _("not a regular file (a pipe, a device or a socket cannot be imported)")
    try:
        info = os.stat(file)
        if stat.S_ISDIR(info.st_mode):
            raise ZouduError(_("is a folder, not a file"), file)
        if not stat.S_ISREG(info.st_mode):
            raise ZouduError(refused, file)
        if info.st_size > importers.MAX_BYTES:
            raise ZouduError(_("the file is larger than {n} MB").format(n=importers.MAX_BYTES // 2**20), file)
        # non-blocking: a file swapped for a FIFO meanwhile cannot hold the open
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ZouduError(refused, file)
            data = fh.read(importers.MAX_BYTES + 1)
    except FileNotFoundError:
        raise ZouduError(_("file not found"), file) from None
    except IsADirectoryError:
        raise ZouduError(_("is a folder, not a file"), file) from None
    except OSError as e:
        raise ZouduError(_("cannot read the file: {error}").format(error=e.strerror), file) from None
    except ValueError:  # a NUL in the name
        raise ZouduError(_("file not found"), file) from None
    if len(data) > importers.MAX_BYTES:
        raise ZouduError(_("the file is larger than {n} MB").format(n=importers.MAX_BYTES // 2**20), file)
    return data


def plan(ws: Workspace, file: str, fmt: str | None, mapping: str | None, skip_unknown: bool,
         approver: str | None, reason: str | None, by: str | None, trust_badge: bool = False,
         progress: Callable[[int, int], None] | None = None) -> Plan:
    """Reads and checks the file; what an import would record. Raises on anything wrong.

    ``progress(done, total)`` is told of the rows matched, a hundred at a time."""
    shown = Path(file).name
    if fmt is not None and fmt not in importers.FORMATS:
        raise ZouduError(_("--format must be one of {formats}, not '{value}'").format(
            formats=", ".join(importers.FORMATS), value=fmt))
    if (approver is None) != (reason is None):
        raise ZouduError(_("a backfilled sign-in needs both --approver and --reason"))
    data = read_file(file)
    settings, roster = ws.settings, ws.roster
    max_rows = settings.import_max_rows
    fmt = fmt or ("csv" if mapping else importers.detect(data, shown, max_rows))
    reading = importers.read_punches(data, shown, fmt, mapping, max_rows)
    punches = reading.punches
    if not punches:
        raise ZouduError(_("no punches in the file"), file)
    sha = hashlib.sha256(data).hexdigest()
    del data
    moment = now(ws)
    limits = lateness.limits(settings)  # the audit's own decision
    limit = limits.imported if lateness.is_imported({"format": fmt}) else limits.grace
    dated: dict[dt.date, tuple[model.Roster, dict[str, model.Cadre]]] = {}  # the roster of each punch's day
    approving = find_cadre(roster, approver, moment.date()) if approver else None
    reason = text(reason, _("reason"), required=False)
    unknown: list[Punch] = []
    crossed: list[tuple[Punch, model.Cadre, model.Cadre]] = []
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
        cadre, other = _match(*dated[at.date()], punch, at.date())
        if cadre is None:
            unknown.append(punch)
            continue
        if other is not None and not trust_badge:
            crossed.append((punch, cadre, other))
        matched.append((punch, cadre, at))
    _refuse_crossed(crossed)
    if progress is not None:
        progress(len(punches), len(punches))
    if unknown and not skip_unknown:
        _refuse_unknown(unknown)
    if approving is not None:  # checked at entry, as checkin --approver is (exit 2, nothing written)
        late = sorted({(c.id, at.date()) for _p, c, at in matched if moment - at > limit})
        for cadre_id, day in late or [(None, moment.date())]:
            refusal = approvals.may_approve(settings, roster, approving.id, cadre_id, approvals.BACKFILL, day)
            if refusal:
                raise ZouduError(refusal)
    return _entries(ws, fmt, sha, shown, matched, moment, limit, approving, reason, by, unknown,
                    reading.clock_outs)


def _refuse_crossed(crossed: list[tuple[Punch, model.Cadre, model.Cadre]]) -> None:
    """Rows whose badge names one cadre and whose name another: refused, listed (unless --trust-badge)."""
    if not crossed:
        return
    listed = "; ".join(_("{where}: badge {badge} is {badge_name} ({badge_id}), the name is {other} ({other_id})").format(
        where=p.where, badge=p.badge, badge_name=c.name, badge_id=c.id, other=o.name, other_id=o.id)
        for p, c, o in crossed[:MAX_UNKNOWN_LISTED])
    more = len(crossed) - MAX_UNKNOWN_LISTED
    raise ZouduError(_("{n} row(s) name one cadre by badge and another by name; nothing was recorded "
                       "(check the roster's badges, or go by the badge with --trust-badge): {rows}").format(
        n=len(crossed), rows=listed) + (_(" and {n} more").format(n=more) if more > 0 else ""))


def _refuse_unknown(unknown: list[Punch]) -> None:
    """Rows that match nobody: refused, listed (unless --skip-unknown)."""
    listed = "; ".join(f"{p.where} {p.badge or ''} {p.name or ''}".strip() for p in unknown[:MAX_UNKNOWN_LISTED])
    more = len(unknown) - MAX_UNKNOWN_LISTED
    raise ZouduError(_("{n} row(s) match no cadre on the roster (add --badge to the roster, or "
                       "--skip-unknown): {rows}").format(n=len(unknown), rows=listed)
                     + (_(" and {n} more").format(n=more) if more > 0 else ""))


def _entries(ws, fmt, sha, shown, matched, moment, limit, approving, reason, by, unknown, clock_outs) -> Plan:
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
    return Plan(fmt, sha, rows, unknown, entries, clock_outs)


class PartialImport(ZouduError):
    """A write failed after other month files were written: the message says what is recorded."""

    def __init__(self, message: str, done: list[dict[str, Any]]):
        super().__init__(message)
        self.done = done


def _ids(entries: list[dict[str, Any]]) -> str:
    ids = [str(f.get("id")) for f in entries]
    return "、".join(ids) if len(ids) <= 6 else f"{ids[0]} … {ids[-1]}"


def run(ws: Workspace, the_plan: Plan) -> list[dict[str, Any]]:
    """Appends the plan under the lock, after checking the ledger again for punches imported meanwhile.

    One append per month file: a failure leaves that file as it was, but months written
    before it stay written; the error then names each file and what it holds of the import."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    with ws.lock():
        seen = _imported(ws, {month_of(dt.datetime.fromisoformat(f["at"])) for f in the_plan.entries})
        for fields in the_plan.entries:
            if _key(fields["cadre"], fields["at"], fields["source"]) in seen:
                continue
            by_month.setdefault(month_of(dt.datetime.fromisoformat(fields["at"])), []).append(fields)
        done: list[dict[str, Any]] = []
        written: list[tuple[str, list[dict[str, Any]]]] = []
        months = sorted(by_month)
        for n, month in enumerate(months):
            path = ws.ledger_path(month)
            stamp = iso(now(ws))  # under the lock: recorded and imported are the one moment of the write
            try:
                new = append(path, ws.shown(path), [dict(f, imported=stamp) for f in by_month[month]],
                             clock=lambda: stamp)  # one write per month file
            except ZouduError as e:
                if not written:
                    raise
                recorded = _("; ").join(_("{file}: {n} entries ({ids})").format(
                    file=ws.shown(ws.ledger_path(m)), n=len(w), ids=_ids(w)) for m, w in written)
                missing = _("; ").join(_("{file}: {n} entries").format(
                    file=ws.shown(ws.ledger_path(m)), n=len(by_month[m])) for m in months[n:])
                raise PartialImport(_("the import stopped partway. Recorded: {recorded}. Not recorded: "
                                      "{missing}, because {error}").format(
                    recorded=recorded, missing=missing, error=e.one_line()), done) from None
            written.append((month, new))
            done.extend(new)
    return done
