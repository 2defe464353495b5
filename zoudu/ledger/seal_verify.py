"""``verify --pubkey``: every signed seal checked with the public key only: its signature, its
order, the files it sealed, and the publications that name it (docs/trust-model.md#keys-and-seals).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Callable, NamedTuple

from zoudu import model
from zoudu.i18n import _
from zoudu.ledger.keys import fingerprint, load_public_key
from zoudu.ledger.seals import (
    CODE_HEX, PUBLICATION_FIELDS, RULES_DIR, SEAL_FIELDS, code_of, seal_entries, signed_bytes,
)
from zoudu.ledger.store import read_ledger
from zoudu.ledger.workspace import Workspace
from zoudu.timeparse import shift_month


class SealReport(NamedTuple):
    problems: list[model.Problem]   # damage: exit 1
    late: list[str]                 # entries added after a seal (not damage), "file:line id"
    seals: int


def verify_seals(ws: Workspace, public_key_file: Path) -> SealReport:
    """Check every seal with the public key only: signature, order, and that each sealed file
    still begins with exactly what was sealed (count and chain head); every checkpoint a seal
    signed is recomputed from the ledgers (the county's cosignature: ``zoudu.county.check_cosignature``)."""
    from zoudu.ledger.checkpoint import check_trees

    public = load_public_key(public_key_file)
    report = verify_seals_with(ws, public)
    problems = [model.Problem(seal.file, seal.line, why) for seal, why in check_trees(ws, seal_entries(ws))]
    return SealReport(report.problems + problems, report.late, report.seals)


def verify_seals_with(ws: Workspace, public) -> SealReport:
    """``verify_seals`` with a loaded public key, without the checkpoints."""
    from zoudu.ledger.workspace import ROSTER

    scans: dict[str, Any] = {}

    def scan_of(name: str):
        if name not in scans:
            path = ws.root / ROSTER if name == "roster" else ws.ledger_path(name)
            scans[name] = (ws.shown(path), read_ledger(path, ws.shown(path), check_chain=True).entries
                           if path.exists() else [])
        return scans[name]

    seals = seal_entries(ws)
    problems = _publication_problems(ws, {e.id: e for e in seals})
    late: dict[str, str] = {}
    print_key, prev = fingerprint(public), None
    for e in seals:
        signed, said = _signed(e, public, print_key, prev)
        problems += [model.Problem(e.file, e.line, message) for message in said]
        if not signed:
            continue
        prev = e.hash
        problems += _sealed_files(e, scan_of, late)
        rules = ws.ledgers / RULES_DIR / f"{e.data.get('rules')}.yaml"
        if not rules.exists() or hashlib.sha256(rules.read_bytes()).hexdigest() != e.data.get("rules"):
            problems.append(model.Problem(e.file, e.line, _(
                "the rules text it was sealed under is missing or changed: {file}").format(file=ws.shown(rules))))
    return SealReport(problems, sorted(late.values()), len(seals))


def _publication_problems(ws: Workspace, seals: dict[str, Any]) -> list[model.Problem]:
    """Each publication's field verify does not know, and each naming a seal (by id and code) that
    is not among ``seals`` as they are."""
    problems: list[model.Problem] = []
    for e in seal_entries(ws, (model.PUBLICATION,)):
        unknown = sorted(set(e.data) - PUBLICATION_FIELDS)
        if unknown:
            problems.append(model.Problem(e.file, e.line, _(
                "the publication has a field verify does not know: '{key}'").format(key=unknown[0])))
        named = e.data.get("seal")
        if named is not None and (named not in seals or e.data.get("code") != code_of(seals[named].data)[:CODE_HEX]):
            problems.append(model.Problem(e.file, e.line, _(
                "the publication names the seal {id} (code {code}), which is not in the ledgers as it was: a seal "
                "was removed or altered").format(id=named, code=e.data.get("code"))))
    return problems


def _signed(e, public, print_key: str, prev: str | None) -> tuple[bool, list[str]]:
    """(whether the seal ``e`` is read further: its fields known, its signature good with ``public``;
    what is wrong with it, its key or its place after the seal whose hash is ``prev`` included)."""
    unknown = sorted(set(e.data) - SEAL_FIELDS)
    if unknown:
        return False, [_("the seal has a field verify does not know: '{key}'").format(key=unknown[0])]
    try:
        from cryptography.exceptions import InvalidSignature

        public.verify(bytes.fromhex(str(e.data.get("signature"))), signed_bytes(e.data))
    except (InvalidSignature, ValueError):
        return False, [_("the seal's signature does not verify with this public key: forged or altered")]
    said = []
    if e.data.get("key") != print_key:
        said.append(_("the seal names another key"))
    if e.data.get("prev") != prev:
        said.append(_("the seal does not follow the previous seal: a seal was removed, added or moved"))
    return True, said


def _sealed_files(e, scan_of: Callable[[str], Any], late: dict[str, str]) -> list[model.Problem]:
    """Whether each file (and the roster log) the seal ``e`` covers still begins with exactly what was
    sealed: its count of entries and the hash of the last; the entries added after it to the files
    the sealed month's audit read go to ``late`` ("file:line" -> what is said of it)."""
    from zoudu.ledger.lines import genesis

    problems: list[model.Problem] = []
    sealed = dict(e.data.get("files") or {})
    sealed["roster"] = e.data.get("roster")
    for name, (count, head) in sealed.items():
        shown, entries = scan_of(name)
        if len(entries) < count:
            problems.append(model.Problem(e.file, e.line, _(
                "{file} was cut short: it held {count} entries when sealed, now {now}").format(
                file=shown, count=count, now=len(entries))))
            continue
        last = entries[count - 1] if count else None
        if (last is None and head != genesis(name)) or (last is not None and last.hash != head):
            where = last.where if last else shown
            problems.append(model.Problem(last.file if last else shown, last.line if last else None, _(
                "rewritten since the seal {seal} ({where} no longer ends the sealed entries, even if the "
                "chain was recomputed)").format(seal=e.id, where=where)))
            continue
        if name in ("roster", shift_month(str(e.data.get("month")), 1)):
            continue  # the running month and later roster changes are not what the seal's audit read late
        for extra in entries[count:]:
            if extra.kind not in (model.SEAL, model.PUBLICATION):
                late.setdefault(extra.where, f"{extra.where} {extra.id} ({extra.kind}, "
                                             f"{extra.recorded.date().isoformat()})")
    return problems
