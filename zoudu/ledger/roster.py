"""The roster (花名册): ``ledgers/roster.yaml``, one cadre per line.

The tool writes each cadre as one JSON flow mapping per line (like the ledger);
a person may also write it in block style. Either way it is composed into nodes
and checked: ids unique and ASCII, supervisors on the roster, no cycles.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.model import Cadre, Roster
from zoudu.timeparse import parse_date

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
HEADER = "# zoudu roster (花名册): one cadre per line. Change it with 'zoudu roster add/leave'.\n"
_FIELDS = {"id", "name", "post", "team", "supervisor", "village", "since", "until"}


def check_id(cadre_id: str) -> str:
    if not ID_PATTERN.fullmatch(cadre_id):
        raise ZouduError(_("'{id}' is not a valid cadre id (letters, digits, '_', '-', '.'; at most 32)").format(
            id=cadre_id))
    return cadre_id


def load_roster(path: Path, shown_as: str) -> Roster:
    from zoudu.ledger.cache import cached
    from zoudu.ledger.files import read_bytes

    if not path.exists():
        raise ZouduError(_("roster file not found"), shown_as)
    data = read_bytes(path)
    return cached("roster", data, shown_as, lambda: _parse(data, shown_as), tuple[Cadre, ...],
                  check=lambda roster: len(roster.cadres) == _entries_in(data),
                  keep=lambda roster: roster.cadres, rebuild=lambda cadres: Roster.of(cadres, shown_as))


_ITEM = re.compile(rb"^-(?:[ \t]|$)", re.MULTILINE)


def _entries_in(data: bytes) -> int:
    """Top-level items of the roster file, counted in its bytes: a cached roster that does not
    have as many cadres as the file is not the file's (one a person reformatted is simply read)."""
    return len(_ITEM.findall(data))


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
        )
        if cadre.since and cadre.until and cadre.until < cadre.since:
            raise n.fail(item, _("cadre '{id}' leaves before joining").format(id=cadre_id))
        cadres.append(cadre)
    roster = Roster.of(cadres, shown_as)
    for cadre in cadres:
        problem = supervision_problem(roster, cadre)
        if problem:
            raise ZouduError(problem, f"{shown_as}:{cadre.line}")
    return roster


def supervision_problem(roster: Roster, cadre: Cadre) -> str | None:
    """Why ``cadre``'s supervisor is impossible, or None."""
    if cadre.supervisor is None:
        return None
    if roster.get(cadre.supervisor) is None:
        return _("supervisor '{sup}' of '{id}' is not on the roster").format(sup=cadre.supervisor, id=cadre.id)
    seen = {cadre.id}
    current = roster.get(cadre.supervisor)
    while current is not None:
        if current.id in seen:
            return _("supervision of '{id}' goes round in a circle").format(id=cadre.id)
        seen.add(current.id)
        current = roster.get(current.supervisor) if current.supervisor else None
    return None


def save_roster(path: Path, roster: Roster) -> None:
    """Rewrite the roster atomically (temp file, fsync, rename); caller holds the lock."""
    from zoudu.ledger.store import encode_line

    text = HEADER + "".join(encode_line(c.as_record()) for c in roster.cadres)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


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
    raise ZouduError(_("unknown cadre: '{cadre}' (not an id or name on the roster)").format(cadre=token))
