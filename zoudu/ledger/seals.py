"""Signed seals (封存): the township's Ed25519 key, the seal entries, and their check.

``zoudu seal`` appends a seal entry (kind ``seal``) to the file of the month it is made in.
It covers, for the month sealed: every file the month's audit reads (the month, the next
one and up to 12 earlier months: entry count and chain head of each at sealing), the
roster log (count and head), the rules text (sha256; the text itself kept under
ledgers/rules/<sha256>.yaml) and the previous seal's hash; it is signed with the
township's Ed25519 key. ``verify --pubkey`` checks it all with only the public key.
What a month was sealed with (``sealed_state``) is what its later audits read.
"""

from __future__ import annotations



from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.store import read_ledger
from zoudu.ledger.workspace import Workspace
from zoudu.model import Entry
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, NamedTuple

from zoudu import model, system
from zoudu.timeparse import iso, month_days, month_of, parse_month, shift_month

KEY_ENV = "ZOUDU_KEY"
PUBLIC_KEY = "keys/township.pub"
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


def key_path(ws: Workspace) -> Path:
    """Where the private key lives: $ZOUDU_KEY, else the user's config folder (never inside ledgers/)."""
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    base = system.user_folder("config")
    name = "".join(ch if ch.isalnum() else "_" for ch in ws.settings.township) or "township"
    where = hashlib.sha256(str(ws.root.resolve()).encode()).hexdigest()[:8]
    path = base / "zoudu" / f"{name}-{where}" / "township.key"
    if not path.exists():  # made before the township's name was filled in or changed: the same workspace's
        found = sorted((base / "zoudu").glob(f"*-{where}/township.key"))
        if len(found) == 1:
            return found[0]
    return path


def keys_init(ws: Workspace) -> tuple[Path, Path, bool]:
    """Make the township's Ed25519 key pair: private key (its owner's alone: ``system.owner_only``)
    outside the workspace's ledgers, public key in ``keys/township.pub``. Refuses to replace either.
    Returns their paths, and whether the system let the private key be limited to its owner."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private, public = key_path(ws), ws.root / PUBLIC_KEY
    _outside_workspace(ws, private)
    for path in (private, public):
        if path.exists():
            raise ZouduError(_("a key already exists here; nothing was changed (a new key would make "
                               "every earlier seal unverifiable)"), str(path))
    key = Ed25519PrivateKey.generate()
    try:
        system.make_private_folder(private.parent)
        fd = system.open_private(private)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
            fh.flush()
            os.fsync(fh.fileno())
        protected = system.owner_only(private)
        public.parent.mkdir(parents=True, exist_ok=True)
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    except OSError as e:
        raise ZouduError(_("cannot write the key: {error}").format(error=e.strerror), str(e.filename)) from None
    return private, public.resolve(), protected


def key_exposure(ws: Workspace) -> tuple[Path, str | None]:
    """The private key's path, and why others might read it (``system.private_key_exposure``) or None."""
    path = key_path(ws)
    return path, system.private_key_exposure(path) if path.exists() else None


def _outside_workspace(ws: Workspace, private: Path) -> None:
    """Refuse a private key kept inside the workspace: whoever copies the ledgers would carry it away."""
    try:
        inside = private.resolve().is_relative_to(ws.root.resolve())
    except (OSError, RuntimeError):
        inside = False
    if inside:
        raise ZouduError(_("the private key must not be kept inside the workspace (anyone who copies the ledgers "
                           "would have it): move it elsewhere and set $ZOUDU_KEY"), str(private))


def _private_key(ws: Workspace):
    """The township's private key, refused when others can read it or when it lies inside the workspace."""
    import stat

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path(ws)
    if not path.exists():
        raise ZouduError(_("no signing key: run 'zoudu keys init' first (or set $ZOUDU_KEY)"), str(path))
    _outside_workspace(ws, path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ZouduError(_("not an Ed25519 private key"), str(path))
        if os.name == "posix" and info.st_mode & 0o077:
            raise ZouduError(_("the private key can be read by others (mode {mode:04o}): make it readable by its "
                               "owner only (chmod 600) before signing with it").format(
                mode=stat.S_IMODE(info.st_mode)), str(path))
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):
        raise ZouduError(_("not an Ed25519 private key"), str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ZouduError(_("not an Ed25519 private key"), str(path))
    return key


def load_public_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError, OSError):
        raise ZouduError(_("not an Ed25519 public key"), str(path)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise ZouduError(_("not an Ed25519 public key"), str(path))
    return key


def fingerprint(public_key) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


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
    from zoudu.ledger.store import genesis

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


def check_publication_key(ws: Workspace, month: str) -> None:
    """Before anything is printed: when publishing will seal ``month`` (the township has a key and the
    month is over and not sealed), the key must be one ``seal`` would sign with (ZouduError if not);
    once the township has a key, publishing without it is refused."""
    require_key_once_keyed(ws)
    month = parse_month(month)
    if key_path(ws).exists() and month_days(month)[-1] < ws.now().date() and is_sealed(ws, month) is None:
        _private_key(ws)


def require_key_once_keyed(ws: Workspace) -> None:
    """Once the township has a key (its public half in keys/), nothing is published unsealed: without
    the private key, publishing is refused (ZouduError) rather than merely warned about."""
    if (ws.root / PUBLIC_KEY).exists() and not key_path(ws).exists():
        raise ZouduError(_("the township's private key is missing: the notice cannot be sealed and published "
                           "without it (set $ZOUDU_KEY to where it is kept); nothing was written"),
                         str(key_path(ws)))


def seal_for_notice(ws: Workspace, month: str, by: str) -> str | None:
    """Before a notice is printed: seal ``month`` if the township has a key, the month is over and it is
    not sealed, so that the notice carries the seal's checkpoint. The new seal's id, else None."""
    month = parse_month(month)
    if not key_path(ws).exists():
        return None
    with ws.lock():
        moment = ws.now()
        if is_sealed(ws, month) is not None or month_days(month)[-1] >= moment.date():
            return None
        return _seal_locked(ws, month, by, moment)[0]


def record_publication(ws: Workspace, month: str, fmt: str, published: dt.date, by: str) -> list[str] | None:
    """Publishing is recorded: seal the month if it is not sealed, then a ``publication`` entry
    naming the seal. Returns the new ids (seal first); None when the township has no key yet
    (then nothing is recorded: an unsigned record would prove nothing)."""
    from zoudu.ledger.append import append

    month = parse_month(month)
    if not key_path(ws).exists():
        require_key_once_keyed(ws)
        return None
    with ws.lock():
        moment = ws.now()
        ids: list[str] = []
        seal = is_sealed(ws, month)
        if seal is None and month_days(month)[-1] < moment.date():
            seal_id, _code = _seal_locked(ws, month, by, moment)
            ids.append(seal_id)
            seal = is_sealed(ws, month)
        fields = {"kind": model.PUBLICATION, "at": iso(moment), "recorded": iso(moment), "by": by, "month": month,
                  "seal": seal.id if seal else None, "code": code_of(seal.data)[:CODE_HEX] if seal else None,
                  "format": fmt, "date": published.isoformat()}
        path = ws.ledger_path(month_of(moment))
        ids += [f["id"] for f in append(path, ws.shown(path), [fields], clock=lambda: iso(moment))]
    return ids


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


# ----------------------------------------------------------------------------- verify --pubkey


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
    from zoudu.ledger.store import genesis

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
