"""The roster (花名册): ``ledgers/roster.yaml``, a dated, append-only, hash-chained log.

Each line is an entry in the ledgers' format (``zoudu.ledger.store``): kind
``roster``, ``op`` add / set / leave, the cadre, ``from`` (the day it takes
effect; for a leave, the last day of service), who recorded it and when. The
roster of any day is the log replayed up to that day (``Roster.on``).

The old format (one cadre per line, no dates of change, no chain) is still read,
so that ``zoudu roster migrate`` can convert it once; nothing is appended to it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.model import ROSTER_CHANGE, ROSTER_FIELDS, ROSTER_OPS, Cadre, Roster, RosterChange, replay
from zoudu.timeparse import parse_file_date as parse_date  # files: ISO days only

ROSTER = "ledgers/roster.yaml"  # the roster log, from the workspace's root
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
OLD_HEADER = "# zoudu roster (花名册): one cadre per line. Change it with 'zoudu roster add/leave'.\n"
LOG_HEADER = ("# zoudu roster log (花名册): append-only, one change per line; change it with "
              "'zoudu roster add/set/leave'.\n")
HEADER = LOG_HEADER  # what 'zoudu init' writes
BACKUP = "roster.pre-migration.yaml"
EPOCH = dt.date(2000, 1, 1)  # the day a cadre with no 'since' in the old roster is taken to have joined
_FIELDS = {"id", "name", "post", "team", "supervisor", "village", "since", "until", "badge"}
# What a log line may hold besides the fields a change sets.
_LOG_KEYS = {"kind", "op", "cadre", "from", "at", "recorded", "by", "id", "hash", "reason"}


def check_id(cadre_id: str) -> str:
    if not ID_PATTERN.fullmatch(cadre_id):
        raise ZouduError(_("'{id}' is not a valid cadre id (letters, digits, '_', '-', '.'; at most 32)").format(
            id=cadre_id))
    return cadre_id


def load_roster(path: Path, shown_as: str) -> Roster:
    from zoudu.memo import store as memo
    from zoudu.ledger.files import read_bytes

    if not path.exists():
        raise ZouduError(_("roster file not found"), shown_as)
    data = read_bytes(path)
    if is_log(data):
        return memo.roster(data, shown_as, lambda: _parse_log(path, shown_as), count=lambda: _entries_in(data),
                           rebuild=lambda changes: Roster.of(replay(changes), shown_as, changes),
                           schema=tuple[RosterChange, ...])
    return _parse(data, shown_as)  # the old format, until 'zoudu roster migrate': read every time


_ITEM = re.compile(rb"^-(?:[ \t]|$)", re.MULTILINE)


def _entries_in(data: bytes) -> int:
    """Top-level items of the roster file, counted in its bytes: a cached roster that does not
    have as many cadres (or changes) as the file is not the file's (one a person reformatted is simply read)."""
    starts = data.count(b"\n-") + data.startswith(b"-")
    if starts == data.count(b"\n- ") + data.startswith(b"- "):  # every one "- " as the tool writes: exact
        return starts
    return len(_ITEM.findall(data))


def is_log(data: bytes) -> bool:
    """True for the dated log (or an empty roster), False for the old one-cadre-per-line format."""
    from zoudu.ledger.lines import kind_needle

    for raw in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        return line.startswith(b"- {") and kind_needle(ROSTER_CHANGE) in line
    return True


def _parse_log(path: Path, shown_as: str) -> Roster:
    """The log read, checked line by line and replayed: a bad line is an error naming it."""
    from zoudu.ledger.store import read_ledger

    scan = read_ledger(path, shown_as)
    if scan.problems:
        first = scan.problems[0]
        raise ZouduError(first.message, first.where)
    changes: list[RosterChange] = []
    added: dict[str, RosterChange] = {}
    left: set[str] = set()
    for e in scan.entries:
        where = e.where
        change = _change(e.data, where)
        if change.op == "add":
            if change.cadre in added:
                raise ZouduError(_("cadre id '{id}' appears twice (first on line {line})").format(
                    id=change.cadre, line=added[change.cadre].line), where)
            added[change.cadre] = change
        else:
            first = added.get(change.cadre)
            if first is None:
                raise ZouduError(_("'{id}' is changed before it is added").format(id=change.cadre), where)
            if change.day < first.day:
                raise ZouduError(_("'{id}' is changed on {day}, before joining on {since}").format(
                    id=change.cadre, day=change.day, since=first.day), where)
            if change.cadre in left:
                raise ZouduError(_("'{id}' has already left").format(id=change.cadre), where)
            if change.op == "leave":
                left.add(change.cadre)
        changes.append(change)
    _check_supervision(changes, shown_as)
    return Roster.of(replay(tuple(changes)), shown_as, tuple(changes))


def _change(data: dict, where: str) -> RosterChange:
    unknown = sorted(set(data) - _LOG_KEYS - set(ROSTER_FIELDS))
    if unknown:
        raise ZouduError(_("unknown key '{key}'").format(key=unknown[0]), where)
    op, cadre, day = data.get("op"), data.get("cadre"), data.get("from")
    if data.get("kind") != ROSTER_CHANGE or op not in ROSTER_OPS:
        raise ZouduError(_("not a roster change (kind 'roster', op add/set/leave)"), where)
    if not isinstance(cadre, str) or not ID_PATTERN.fullmatch(cadre):
        raise ZouduError(_("'{id}' is not a valid cadre id (letters, digits, '_', '-', '.'; at most 32)").format(
            id=cadre), where)
    try:
        day = parse_date(str(day))
    except ZouduError as e:
        raise ZouduError(e.message, where) from None
    fields = {k: data[k] for k in ROSTER_FIELDS if k in data}
    if op == "add" and not isinstance(fields.get("name"), str):
        raise ZouduError(_("a cadre needs '{key}'").format(key="name"), where)
    if op == "leave" and fields:
        raise ZouduError(_("a leave changes nothing but the last day"), where)
    for key, value in fields.items():
        ok = isinstance(value, bool) if key == "team" else (
            value is None and key in ("supervisor", "village", "badge") or isinstance(value, str))
        if not ok:
            raise ZouduError(_("'{key}' has the wrong type").format(key=key), where)
    if op == "add":
        fields.setdefault("post", "")
        fields.setdefault("team", False)
    return RosterChange(str(data.get("id")), op, cadre, day, fields, int(where.rsplit(":", 1)[1]))


def _check_supervision(changes: list[RosterChange], shown_as: str) -> None:
    """On every day a change takes effect, each supervisor is on the roster and none goes round in a circle."""
    days = sorted({c.day for c in changes})
    # A supervisor who joins later than a cadre migrated from the old roster (which had no dates
    # of change) is still a supervisor: existence is checked against everyone the log adds.
    everyone = {c.id: c for c in replay(tuple(changes))}
    for day in days:
        state = Roster.of(list({**everyone, **{c.id: c for c in replay(tuple(changes), day)}}.values()), shown_as)
        good: set[str] = set()
        for change in sorted((c for c in changes if c.day == day), key=lambda c: c.line):
            cadre = state.get(change.cadre)
            problem = supervision_problem(state, cadre, good) if cadre else None
            if problem:
                raise ZouduError(problem, f"{shown_as}:{change.line}")


def _parse(data: bytes, shown_as: str) -> Roster:
    from zoudu.ledger.files import decode
    from zoudu.ledger.yamlsafe import Nodes, compose

    root = compose(decode(data, shown_as), shown_as)
    if root is None:
        return Roster.of([], shown_as)
    n = Nodes(shown_as)
    cadres: list[Cadre] = []
    seen: dict[str, int] = {}
    for item in n.sequence(root, "roster"):
        raw = n.mapping(item, "roster", _FIELDS)
        for need in ("id", "name"):
            if need not in raw:
                raise n.fail(item, _("a cadre needs '{key}'").format(key=need))
        cadre_id = n.parsed(raw["id"], "id", check_id)
        line = item.start_mark.line + 1
        if cadre_id in seen:
            raise n.fail(raw["id"], _("cadre id '{id}' appears twice (first on line {line})").format(
                id=cadre_id, line=seen[cadre_id]))
        seen[cadre_id] = line

        def date(key: str) -> dt.date | None:
            value = n.optional_text(raw.get(key), key)
            return n.parsed(raw[key], key, parse_date) if value is not None else None

        cadre = Cadre(
            id=cadre_id,
            name=n.free_text(raw["name"], "name"),
            post=n.optional_text(raw.get("post"), "post") or "",
            team=n.boolean(raw["team"], "team") if "team" in raw else False,
            supervisor=n.optional_text(raw.get("supervisor"), "supervisor"),
            village=n.optional_text(raw.get("village"), "village"),
            since=date("since"),
            until=date("until"),
            line=line,
            badge=n.optional_text(raw.get("badge"), "badge"),
        )
        if cadre.since and cadre.until and cadre.until < cadre.since:
            raise n.fail(item, _("cadre '{id}' leaves before joining").format(id=cadre_id))
        cadres.append(cadre)
    roster = Roster.of(cadres, shown_as)
    good: set[str] = set()
    for cadre in cadres:
        problem = supervision_problem(roster, cadre, good)
        if problem:
            raise ZouduError(problem, f"{shown_as}:{cadre.line}")
    return roster


def supervision_problem(roster: Roster, cadre: Cadre, good: set[str] | None = None) -> str | None:
    """Why ``cadre``'s supervisor is impossible, or None.

    ``good`` (when checking a whole roster): the cadres already found to lead up to the top
    without a circle; a walk up stops at one of them, and adds the cadres it went through."""
    if cadre.supervisor is None:
        return None
    if roster.get(cadre.supervisor) is None:
        return _("supervisor '{sup}' of '{id}' is not on the roster").format(sup=cadre.supervisor, id=cadre.id)
    seen = {cadre.id}
    current = roster.get(cadre.supervisor)
    while current is not None:
        if good is not None and current.id in good:
            break
        if current.id in seen:
            return _("supervision of '{id}' goes round in a circle").format(id=cadre.id)
        seen.add(current.id)
        current = roster.get(current.supervisor) if current.supervisor else None
    if good is not None:
        good |= seen
    return None


def log_lines(cadres: list[Cadre] | tuple[Cadre, ...], by: str, recorded: str, tz: dt.tzinfo) -> str:
    """The roster log that adds ``cadres`` (each from their ``since``) and records who left: the text
    of a whole new file, chained from the start."""
    from zoudu.ledger.lines import chain_hash, encode_line, genesis

    def entry(op: str, cadre: Cadre, day: dt.date, fields: dict) -> dict:
        at = dt.datetime.combine(day, dt.time(0, 0), tz).isoformat(timespec="seconds")
        return {"kind": ROSTER_CHANGE, "op": op, "cadre": cadre.id, "from": day.isoformat(), "at": at,
                "recorded": recorded, "by": by, **fields}

    entries = []
    for c in cadres:
        fields = {"name": c.name, "post": c.post, "team": c.team, "supervisor": c.supervisor, "village": c.village}
        if c.badge is not None:
            fields["badge"] = c.badge
        entries.append(entry("add", c, c.since or EPOCH, fields))
    entries += [entry("leave", c, c.until, {}) for c in cadres if c.until is not None]
    prev, lines = genesis("roster"), [LOG_HEADER]
    for seq, fields in enumerate(entries, 1):
        fields["id"] = f"roster-{seq:04d}"
        fields["hash"] = prev = chain_hash(prev, fields)
        lines.append(encode_line(fields))
    return "".join(lines)


def save_roster(path: Path, roster: Roster, by: str = "zoudu", recorded: str = "2000-01-01T00:00:00+00:00",
                tz: dt.tzinfo = dt.timezone.utc) -> None:
    """Write a whole new roster log for ``roster``'s cadres atomically (temporary file, fsync, rename).

    For tools that make a workspace from scratch (benchmarks) and for the migration;
    the commands append to the log instead. The caller holds the lock.
    """
    _replace(path, log_lines(roster.cadres, by, recorded, tz))


def _replace(path: Path, text: str) -> None:
    from zoudu import system
    from zoudu.ledger.append import write_error

    tmp = path.with_name(path.name + ".tmp")
    try:  # a refused write (full disk, read-only mount) leaves the roster as it was: one line, exit 2
        system.write_synced(tmp, text.encode("utf-8"))
        system.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise write_error(e, f"{path.parent.name}/{path.name}") from None


def migrate(ws, by: str, recorded: str) -> tuple[int, str]:
    """The one-time conversion of the old roster (one cadre per line) into the dated log.

    Each cadre becomes an ``add`` from their ``since`` (2000-01-01 when the old roster
    gave none) and, if they left, a ``leave`` on their ``until``; the old file is kept
    beside it as ``roster.pre-migration.yaml``. Refused on a roster that is already a log.
    Returns (cadres converted, the backup's name). The caller holds the lock.
    """
    from zoudu.ledger.files import read_bytes

    path = ws.root / ROSTER
    if not path.exists():
        raise ZouduError(_("roster file not found"), ROSTER)
    data = read_bytes(path)
    if is_log(data):
        raise ZouduError(_("the roster is already a dated log: it was migrated before (or made by this "
                           "version); nothing was changed"), ROSTER)
    old = _parse(data, ROSTER)
    backup = path.with_name(BACKUP)
    from zoudu import system

    system.write_synced(backup, data)
    _replace(path, log_lines(old.cadres, by, recorded, ws.settings.tz))
    return len(old.cadres), ws.shown(backup)


def find_cadre(roster: Roster, token: str, day: dt.date | None = None) -> Cadre:
    """A cadre by id, or by name when the name is unique (among those serving on ``day``)."""
    cadre = roster.get(token)
    if cadre is not None:
        return cadre
    named = [c for c in roster.cadres if c.name == token]
    if day is not None and len(named) > 1:
        named = [c for c in named if c.serving_on(day)] or named
    if len(named) == 1:
        return named[0]
    if named:
        raise ZouduError(_("the name '{name}' fits several cadres: {ids}; give the id").format(
            name=token, ids=", ".join(c.id for c in named)))
    from zoudu.ledger.names import unknown

    raise unknown(roster, token)
