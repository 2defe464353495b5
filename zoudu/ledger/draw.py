"""The spot-check draw (docs/trust-model.md#the-spot-check-draw): which nights the discipline group checks, and
which cadres, chosen by nobody.

Before the month, ``commit`` makes a 32-byte secret, keeps it outside the workspace (like the
township key) and records only its SHA-256. At the monthly meeting ``draw`` records the public
random value (dice) and the candidates: each workday evening the 543 counts from the meeting's day
to the month's end, with the cadres serving that day who are not on a leave or a trip recorded by
then (the discipline group's members are not drawn: they check). It prints the rounds to the group.
Once the month is over ``disclose`` records the secret and the rounds it draws; ``verify``
recomputes them from the ledger alone.

The rounds (``derive``): every candidate night scored by HMAC-SHA256 keyed by the secret over the
month, the public value and the night; the ``rounds`` lowest scores are the nights drawn. Each
drawn night's cadres scored likewise over the night and the cadre id; the ``per_round`` lowest
are the cadres to check. Ties (which HMAC-SHA256 does not give in practice) go to the smaller text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any, Callable, NamedTuple

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.model import Entry
from zoudu.timeparse import iso, month_days, parse_month
from zoudu.ledger.workspace import Workspace

SECRET_ENV = "ZOUDU_DRAW_SECRET_DIR"
SECRET_BYTES = 32
DOMAIN = "zoudu-draw-1"
MAX_RANDOMNESS = 200


class Round(NamedTuple):
    night: str  # YYYY-MM-DD: the evening of that day
    cadres: tuple[str, ...]


def commitment_of(secret: bytes) -> str:
    """What is recorded before the month: the secret's SHA-256, in hex."""
    return hashlib.sha256(secret).hexdigest()


def score(secret: bytes, *parts: str) -> bytes:
    """HMAC-SHA256 keyed by the secret over ``parts`` (as a JSON list, so no two lists read alike)."""
    message = json.dumps([DOMAIN, *parts], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).digest()


def derive(secret: bytes, month: str, randomness: str, pool: dict[str, list[str]], rounds: int,
           per_round: int) -> list[Round]:
    """The rounds drawn: the nights with the lowest scores, each with its cadres of lowest scores; by night."""
    nights = [night for night in pool if pool[night]]
    nights.sort(key=lambda night: (score(secret, "night", month, randomness, night), night))
    out = []
    for night in sorted(nights[:rounds]):
        cadres = sorted(pool[night], key=lambda c: (score(secret, "cadre", month, randomness, night, c), c))
        out.append(Round(night, tuple(cadres[:per_round])))
    return out


def rounds_json(found: list[Round]) -> list[dict[str, Any]]:
    return [{"night": r.night, "cadres": list(r.cadres)} for r in found]


# ----------------------------------------------------------------------------- the secret's file


def secret_path(ws: Workspace, month: str) -> Path:
    """Where the group keeps the secret of ``month``'s draw: $ZOUDU_DRAW_SECRET_DIR, else the user's
    config folder (next to the township key); never inside the workspace."""
    if os.environ.get(SECRET_ENV):
        base = Path(os.environ[SECRET_ENV])
    else:
        config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        name = "".join(ch if ch.isalnum() else "_" for ch in ws.settings.township) or "township"
        where = hashlib.sha256(str(ws.root.resolve()).encode()).hexdigest()[:8]
        base = config / "zoudu" / f"{name}-{where}" / "draws"
    path = base / f"{month}.secret"
    if path.resolve().is_relative_to(ws.root.resolve()):
        raise ZouduError(_("the draw's secret must not be kept inside the workspace (the cadres could read "
                           "it); set {env} to a folder outside it").format(env=SECRET_ENV), str(path))
    return path


def _write_secret(path: Path, secret: bytes) -> None:
    if path.exists():
        raise ZouduError(_("a secret for this draw already exists here; nothing was changed"), str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secret.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as e:
        raise ZouduError(_("cannot write the draw's secret: {error}").format(error=e.strerror),
                         str(e.filename or path)) from None


def _read_secret(ws: Workspace, month: str, commitment: str) -> bytes:
    path = secret_path(ws, month)
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        raise ZouduError(_("the secret of the draw of {month} is not on this computer (it is kept where "
                           "'zoudu draw commit' was run, or in {env})").format(month=month, env=SECRET_ENV),
                         str(path)) from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise ZouduError(_("the secret of the draw of {month} cannot be read").format(month=month),
                         str(path)) from None
    if commitment_of(secret) != commitment:
        raise ZouduError(_("this secret does not match the commitment recorded for {month}; nothing was "
                           "recorded").format(month=month), str(path))
    return secret


# ----------------------------------------------------------------------------- the month's draw entries


class Draw(NamedTuple):
    """The draw entries of a month's file, the first of each kind (None: not recorded)."""

    commit: Entry | None
    draw: Entry | None
    disclose: Entry | None
    problems: tuple[str, ...]  # damage read in the file, said by verify


def entries_of(ws: Workspace, month: str) -> Draw:
    from zoudu.ledger.store import read_ledger

    path = ws.ledger_path(month)
    if not path.exists():
        return Draw(None, None, None, ())
    scan = read_ledger(path, ws.shown(path), check_chain=True)
    found: dict[str, Entry] = {}
    for e in scan.entries:
        if e.kind in model.DRAW_KINDS and e.data.get("month") == month:
            found.setdefault(e.kind, e)
    return Draw(found.get(model.DRAW_COMMIT), found.get(model.DRAW), found.get(model.DRAW_DISCLOSE),
                tuple(f"{p.where}: {p.message}" for p in scan.problems))


def _member(ws: Workspace, by: str, what: str) -> str:
    from zoudu.ledger.record_policy import in_group
    from zoudu.ledger.roster import find_cadre

    who = find_cadre(ws.roster, by, ws.now().date()).id
    in_group(ws, who, what)
    return who


def _fields(ws: Workspace, kind: str, who: str | None, month: str) -> dict[str, Any]:
    from zoudu.ledger.record import base

    fields = base(ws, kind, ws.now(), who, None)
    fields["month"] = month
    return fields


def _append(ws: Workspace, month: str, fields: dict[str, Any]) -> str:
    from zoudu.ledger.append import append

    path = ws.ledger_path(month)
    return append(path, ws.shown(path), [fields], clock=lambda: iso(ws.now()))[0]["id"]


def commit(ws: Workspace, month: str, by: str) -> tuple[str, Path]:
    """Record the commitment to a fresh secret for ``month``'s draw, before the month begins.
    Returns the entry id and where the secret is kept."""
    month = parse_month(month)
    who = _member(ws, by, _("commit to a spot-check draw"))
    first = month_days(month)[0]
    if ws.now().date() >= first:
        raise ZouduError(_("the draw of {month} must be committed before the month begins ({first})").format(
            month=month, first=first.isoformat()))
    path = secret_path(ws, month)
    settings = ws.settings
    with ws.lock():
        if entries_of(ws, month).commit is not None:
            raise ZouduError(_("a draw of {month} is already committed; nothing was changed").format(month=month))
        secret = secrets.token_bytes(SECRET_BYTES)
        _write_secret(path, secret)
        fields = _fields(ws, model.DRAW_COMMIT, who, month)
        fields.update({"commitment": commitment_of(secret), "rounds": settings.inspections_per_month,
                       "per_round": settings.draw_cadres_per_round})
        try:
            entry_id = _append(ws, month, fields)
        except BaseException:
            path.unlink(missing_ok=True)  # nothing recorded: no secret left to mislead a later commit
            raise
    return entry_id, path


def pool_of(ws: Workspace, month: str, since: dt.date) -> dict[str, list[str]]:
    """The candidates: each night the 543 counts from ``since`` to the month's end, with the cadres
    serving that day, outside the discipline group, not on a leave or trip recorded by now that
    overlaps the evening's window."""
    from zoudu.audit.span import audited_span, day_infos
    from zoudu.audit.workdays import Calendar

    settings, roster = ws.settings, ws.roster
    days = month_days(month)
    start, end = audited_span(days)
    infos = day_infos(settings, Calendar(settings.calendar), days, start, end, ws.now())
    leaves = _leaves(ws, month)
    evening = settings.slots["evening"]
    pool: dict[str, list[str]] = {}
    for info in infos:
        if not (info.in_month and info.required[2] and info.date >= since):
            continue
        on_day = roster.on(info.date)
        group = set(settings.inspectors(on_day))
        begin = dt.datetime.combine(info.date, evening.start, settings.tz)
        finish = dt.datetime.combine(info.date, evening.end, settings.tz)
        pool[info.date.isoformat()] = [
            c.id for c in on_day.cadres
            if c.serving_on(info.date) and c.id not in group
            and not any(a < finish and begin < b for a, b in leaves.get(c.id, ()))]
    return pool


def _leaves(ws: Workspace, month: str) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    """Each cadre's leaves and trips as recorded now (voided ones left out, cancellations applied),
    from the files of ``month`` and the months before it that may hold one reaching into it."""
    from zoudu.ledger.record import leaves_of

    found: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for leave in leaves_of(ws, None, month):
        found.setdefault(str(leave.entry.cadre), []).append((leave.entry.at, leave.end))
    return found


def draw(ws: Workspace, month: str, randomness: str, by: str) -> tuple[str, list[Round]]:
    """Record the public random value of ``month``'s draw (after its commitment, before the month
    ends) and the candidates; returns the entry id and the rounds drawn, for the group's eyes."""
    from zoudu.ledger.input_text import label

    month = parse_month(month)
    who = _member(ws, by, _("record a spot-check draw"))
    randomness = label(randomness, _("random value"))
    if len(randomness) > MAX_RANDOMNESS:
        raise ZouduError(_("the random value is too long (more than {n} characters)").format(n=MAX_RANDOMNESS))
    last = month_days(month)[-1]
    today = ws.now().date()
    if today > last:
        raise ZouduError(_("the month {month} is over: nothing is left to draw").format(month=month))
    with ws.lock():
        found = entries_of(ws, month)
        if found.commit is None:
            raise ZouduError(_("no draw of {month} is committed: the group records its commitment first "
                               "('zoudu draw commit --month {month}'), before the month begins").format(month=month))
        if found.draw is not None:
            raise ZouduError(_("the draw of {month} is already recorded ({id}); nothing was changed").format(
                month=month, id=found.draw.id))
        secret = _read_secret(ws, month, str(found.commit.data.get("commitment")))
        pool = pool_of(ws, month, max(today, month_days(month)[0]))
        fields = _fields(ws, model.DRAW, who, month)
        fields.update({"randomness": randomness, "pool": pool})
        entry_id = _append(ws, month, fields)
    return entry_id, derive(secret, month, randomness, pool, _int(found.commit.data.get("rounds")),
                            _int(found.commit.data.get("per_round")))


def closes(ws: Workspace, month: str) -> dt.datetime:
    """When the month's last night is over: the end of the next morning's window."""
    from zoudu.audit.coverage import EVENING, slot_span

    return slot_span(ws.settings, month_days(month)[-1], EVENING)[1]


def disclose(ws: Workspace, month: str, by: str | None) -> tuple[str, list[Round]]:
    """Record the secret of ``month``'s draw once the month is over, with the rounds it draws."""
    month = parse_month(month)
    if ws.now() < closes(ws, month):
        raise ZouduError(_("the month {month} is not over (its last night ends {end}): the secret is disclosed "
                           "after it").format(month=month, end=closes(ws, month).strftime("%Y-%m-%d %H:%M")))
    who = _member(ws, by, _("disclose a spot-check draw")) if by else None
    with ws.lock():
        found = entries_of(ws, month)
        if found.commit is None:
            raise ZouduError(_("no draw of {month} is committed: there is nothing to disclose").format(month=month))
        if found.disclose is not None:
            raise ZouduError(_("the draw of {month} is already disclosed ({id})").format(
                month=month, id=found.disclose.id))
        secret = _read_secret(ws, month, str(found.commit.data.get("commitment")))
        drawn = recompute(month, found.commit.data.get, found.draw.data.get, secret) if found.draw is not None else []
        fields = _fields(ws, model.DRAW_DISCLOSE, who, month)
        fields.update({"secret": secret.hex(), "drawn": rounds_json(drawn)})
        return _append(ws, month, fields), drawn


def recompute(month: str, commit: Callable[[str], Any], drawn: Callable[[str], Any], secret: bytes) -> list[Round]:
    """The rounds the recorded commitment and public value (their fields, by ``get``) draw with ``secret``."""
    pool = drawn("pool")
    clean = {str(night): [str(c) for c in cadres] for night, cadres in pool.items()
             if isinstance(cadres, list)} if isinstance(pool, dict) else {}
    return derive(secret, month, str(drawn("randomness")), clean, _int(commit("rounds")), _int(commit("per_round")))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def secret_of(value: Any) -> bytes | None:
    """The disclosed secret as bytes; None for anything but hex of the right length."""
    try:
        secret = bytes.fromhex(str(value))
    except ValueError:
        return None
    return secret if len(secret) == SECRET_BYTES else None


def verify(ws: Workspace, month: str) -> tuple[list[str], list[str]]:
    """Recompute the draw of ``month`` from its ledger: (what holds, what does not)."""
    month = parse_month(month)
    found = entries_of(ws, month)
    if found.commit is None:
        raise ZouduError(_("no draw of {month} is committed: there is nothing to verify").format(month=month))
    ok: list[str] = []
    bad: list[str] = list(found.problems)
    commit, drawn, disclosed = found.commit, found.draw, found.disclose
    if drawn is None:
        bad.append(_("{month}: no public value was recorded after the commitment ({where})").format(
            month=month, where=commit.where))
    elif not (drawn.recorded > commit.recorded and drawn.line > commit.line):
        bad.append(_("{where}: the public value was recorded before the commitment ({commit})").format(
            where=drawn.where, commit=commit.where))
    else:
        ok.append(_("{where}: the public value came after the commitment ({commit})").format(
            where=drawn.where, commit=commit.where))
    if disclosed is None:
        bad.append(_("{month}: the secret was never disclosed, so the draw cannot be recomputed "
                     "('zoudu draw disclose --month {month}' once the month is over)").format(month=month))
        return ok, bad
    secret = secret_of(disclosed.data.get("secret"))
    if secret is None or commitment_of(secret) != commit.data.get("commitment"):
        bad.append(_("{where}: the disclosed secret does not match the commitment ({commit})").format(
            where=disclosed.where, commit=commit.where))
        return ok, bad
    ok.append(_("{where}: the disclosed secret matches the commitment ({commit})").format(
        where=disclosed.where, commit=commit.where))
    if drawn is not None:
        again = rounds_json(recompute(month, commit.data.get, drawn.data.get, secret))
        if again != disclosed.data.get("drawn"):
            bad.append(_("{where}: the rounds recorded are not the ones the secret, the public value ({draw}) "
                         "and the candidates draw").format(where=disclosed.where, draw=drawn.where))
        else:
            ok.append(_("{where}: the draw recomputes to the same {n} night(s) and cadres").format(
                where=disclosed.where, n=len(again)))
    return ok, bad
