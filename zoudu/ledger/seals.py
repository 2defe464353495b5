"""Signed seals (封存): making a seal, the seal entries, and what a month was sealed with
(docs/trust-model.md#keys-and-seals).

``zoudu seal`` appends a seal entry (kind ``seal``) to the file of the month it is made in.
It covers, for the month sealed: every file the month's audit reads (the month, the next
one and up to 12 earlier months: entry count and chain head of each at sealing), the
roster log (count and head), the rules text (sha256; the text itself kept under
ledgers/rules/<sha256>.yaml) and the previous seal's hash; it is signed with the
township's Ed25519 key (``zoudu.ledger.keys``). ``verify --pubkey`` checks it all with only the
public key (``zoudu.ledger.seal_verify``); publishing seals a month and records itself
(``zoudu.ledger.publications``). What a month was sealed with (``sealed_state``) is what its
later audits read.
"""
from __future__ import annotations



from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.keys import _private_key, fingerprint
from zoudu.ledger.store import read_ledger
from zoudu.ledger.workspace import Workspace
from zoudu.model import Entry
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, NamedTuple

from zoudu import model, system
from zoudu.timeparse import iso, month_days, month_of, parse_month, shift_month

RULES_DIR = "rules"  # under ledgers/
EARLIER_MONTHS = 12
CODE_HEX = 32  # 128 bits printed on paper
# Every field a seal entry may carry; verify refuses any other.
SEAL_FIELDS = {"kind", "at", "recorded", "by", "id", "hash", "month", "final", "files", "roster", "rules",
               "prev", "key", "signature", "version", "origin", "log", "tree", "checkpoint"}
# What the signature covers: every field but the signature itself and the entry's chain hash (worked out
# from all the others, the signature included, and checked by verify's chain), the seal's checkpoint
# (docs/trust-model.md#checkpoints-and-the-county) included. Seals of version 1 (no ``version`` field)
# signed fewer: they still verify, over what they signed.
SIGNED_V1 = ("kind", "at", "month", "final", "files", "roster", "rules", "prev", "key")
SIGNED = SIGNED_V1 + ("recorded", "by", "id", "version", "origin", "log", "tree", "checkpoint")
VERSION = 2
PUBLICATION_FIELDS = {"kind", "at", "recorded", "by", "id", "hash", "month", "seal", "code", "format", "date"}


def signed_bytes(fields: dict[str, Any]) -> bytes:
    """What the signature covers: the seal's own fields, canonical JSON (a version-1 seal's fewer fields).

    A version-2 seal stripped of its ``version`` (to be read as version 1) does not verify: its
    signature was made over the version-2 bytes."""
    keys = SIGNED_V1 if "version" not in fields else SIGNED
    return json.dumps({k: fields.get(k) for k in keys}, sort_keys=True, ensure_ascii=True,
                      separators=(",", ":")).encode()


def code_of(fields: dict[str, Any]) -> str:
    """The seal's code: sha256 of what was signed and the signature (printed: the first 32 hex digits)."""
    return hashlib.sha256(signed_bytes(fields) + str(fields.get("signature")).encode()).hexdigest()


class FileState(NamedTuple):
    count: int
    head: str


def file_state(path: Path, shown: str, month: str) -> FileState:
    from zoudu.ledger.lines import genesis

    if not path.exists():
        return FileState(0, genesis(month))
    scan = read_ledger(path, shown, check_chain=True)
    if scan.problems:
        first = scan.problems[0]
        raise ZouduError(_("cannot seal a damaged ledger: {problem}").format(problem=first.message), first.where)
    return FileState(len(scan.entries), scan.head)


def read_months(month: str) -> list[str]:
    """The files a month's audit reads: the next month, the month, and up to 12 earlier months."""
    return [shift_month(month, 1), month] + [shift_month(month, -k) for k in range(1, EARLIER_MONTHS + 1)]


def seal_entries(ws: Workspace, kinds: tuple[str, ...] = (model.SEAL,)) -> list[Entry]:
    """Every seal entry (or entry of ``kinds``) of the workspace, oldest first (by month file, then line)."""
    from zoudu.ledger.marks import marked_entries

    found: list[Entry] = []
    for m in ws.months():
        path = ws.ledger_path(m)
        found += marked_entries(path, ws.shown(path), kinds)
    return found


def sealed_until(ws: Workspace) -> dt.date | None:
    """The last day a seal covers: a sealed month's last day, or a checkpoint's day."""
    last: dt.date | None = None
    for e in seal_entries(ws):
        month = str(e.data.get("month"))
        day = month_days(month)[-1] if e.data.get("final") else e.at.astimezone(ws.settings.tz).date()
        last = day if last is None or day > last else last
    return last


def _rules_copy(ws: Workspace) -> str:
    """Keep the exact rules text content-addressed under ledgers/rules/; its sha256."""
    from zoudu.ledger.workspace import RULES

    data = (ws.root / RULES).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    folder = ws.ledgers / RULES_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"{digest}.yaml"
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        tmp = path.with_name(path.name + ".tmp")
        system.write_synced(tmp, data)
        system.replace(tmp, path)
    return digest


def make_seal(ws: Workspace, month: str | None, by: str) -> tuple[str, str]:
    """Seal a month (or, without one, the running month up to now: a checkpoint); returns (id, code)."""

    with ws.lock():
        return _seal_locked(ws, month, by, ws.now())


def _seal_locked(ws: Workspace, month: str | None, by: str, moment: dt.datetime) -> tuple[str, str]:
    from zoudu.ledger.append import append
    from zoudu.ledger.workspace import ROSTER

    final = month is not None
    month = parse_month(month) if month is not None else month_of(moment)
    if final and month_days(month)[-1] >= moment.date():
        raise ZouduError(_("{month} is not over: seal it after its last day, or run 'zoudu seal' without "
                           "--month for a checkpoint of the running month").format(month=month))
    if final:
        first = is_sealed(ws, month)
        if first is not None:
            raise ZouduError(_("{month} is already sealed by {id} (code {code}, {at}): a month is sealed once, and "
                               "entries added since are late; nothing was recorded").format(
                month=month, id=first.id, code=code_of(first.data)[:CODE_HEX],
                at=first.recorded.astimezone(ws.settings.tz).strftime("%Y-%m-%d %H:%M")))
    roster = ws.fresh_roster()
    if roster.cadres and not roster.changes:
        raise ZouduError(_("the roster is still in the old format; convert it once with 'zoudu roster migrate'"),
                         ROSTER)
    key = _private_key(ws)
    files: dict[str, list] = {}
    for m in read_months(month):
        path = ws.ledger_path(m)
        if path.exists() or m == month:
            state = file_state(path, ws.shown(path), m)
            files[m] = [state.count, state.head]
    roster_state = file_state(ws.root / ROSTER, ROSTER, "roster")
    earlier = seal_entries(ws)
    fields: dict[str, Any] = {
        "kind": model.SEAL, "at": iso(moment), "recorded": iso(moment), "by": by, "month": month, "final": final,
        "files": files, "roster": [roster_state.count, roster_state.head], "rules": _rules_copy(ws),
        "prev": earlier[-1].hash if earlier else None, "key": fingerprint(key.public_key()), "version": VERSION,
    }
    from zoudu.ledger.checkpoint import checkpoint_fields

    fields.update(checkpoint_fields(ws, earlier, key))

    def signed(complete: dict[str, Any]) -> dict[str, Any]:  # with its id and recorded time: every field signed
        return dict(complete, signature=key.sign(signed_bytes(complete)).hex())

    path = ws.ledger_path(month_of(moment))
    done = append(path, ws.shown(path), [fields], clock=lambda: iso(moment),  # a clock set back is refused
                  finish=signed)
    return done[0]["id"], code_of(done[0])


def is_sealed(ws: Workspace, month: str) -> Entry | None:
    """The seal that decides ``month`` (its first final seal), or None.

    A month is sealed once: what it was sealed with is what it is audited under for good, and any
    later final seal of it (made before a second one was refused) changes nothing."""
    for e in seal_entries(ws):
        if e.data.get("month") == month and e.data.get("final"):
            return e
    return None


def sealed_state(ws: Workspace, month: str) -> tuple[str, dict[str, int], str] | None:
    """For the audit: how a sealed month stood when it was sealed, or None if it is not sealed.

    (the rules text it was sealed under, {file: entries it held} for each month file and the
    roster log, the roster log's chain head then). An audit of a sealed month reads only those first entries of each file, the
    roster log up to that head, and those rules.
    """
    seal = is_sealed(ws, month)
    if seal is None:
        return None
    digest = str(seal.data["rules"])
    path = ws.ledgers / RULES_DIR / f"{digest}.yaml"
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise ZouduError(_("the rules {month} was sealed under are missing or changed").format(month=month),
                         ws.shown(path))
    counts = {f"ledgers/{m}.yaml": int(v[0]) for m, v in seal.data["files"].items()}
    counts["ledgers/roster.yaml"] = int(seal.data["roster"][0])  # the roster log's lines then
    return path.read_text(encoding="utf-8"), counts, str(seal.data["roster"][1])
