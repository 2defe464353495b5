"""The county as witness (docs/trust-model.md#checkpoints-and-the-county).

A county workspace is a folder: ``county.yaml`` (the county's name), ``keys/county.pub`` (its
witness key's public half; the private half lies outside the folder, as a township's does) and
``townships/<NAME>/`` for each township registered: where its copy is, its public key, every
checkpoint the county cosigned (``cosigned/<size>.note``, the latest also as ``latest.note``)
and, when a township's new history does not extend what was cosigned, both signed notes as
proof (``forks/``). Cosigning writes the cosigned note and the county's public key into the
township's own folder (``county/``), where the township's ``verify --pubkey`` finds them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import NamedTuple

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger import tlog
from zoudu.model import Problem

CONFIG = "county.yaml"
PUBLIC = "keys/county.pub"
KEY_ENV = "ZOUDU_COUNTY_KEY"
IN_TOWNSHIP = "county"  # the township's folder for what the county wrote: its cosignature and key
COSIGNATURE = "cosignature.note"


class County(NamedTuple):
    root: Path
    name: str

    @property
    def witness(self) -> str:
        """The cosigner's key name: ``zoudu-county/<name>`` (no spaces or '+')."""
        return "".join("_" if ch.isspace() or ch == "+" else ch for ch in f"zoudu-county/{self.name}")

    def township_dir(self, name: str) -> Path:
        return self.root / "townships" / name


# --- the county workspace ------------------------------------------------------------------------

def county_key_path(root: Path, name: str) -> Path:
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    where = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:8]
    safe = "".join(ch if ch.isalnum() else "_" for ch in name) or "county"
    return base / "zoudu" / f"county-{safe}-{where}" / "witness.key"


def county_init(root: Path, name: str) -> tuple[Path, Path]:
    """Make a county workspace with its witness key; refuses an existing one. (private, public) paths."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    name = _checked_name(name, "--county")
    if (root / CONFIG).exists():
        raise ZouduError(_("a county workspace is already here; nothing was changed"), str(root / CONFIG))
    private = county_key_path(root, name)
    if private.resolve().is_relative_to(root.resolve()):
        raise ZouduError(_("the witness key must not be kept inside the county's folder"), str(private))
    if private.exists():
        raise ZouduError(_("a key already exists here; nothing was changed"), str(private))
    key = Ed25519PrivateKey.generate()
    try:
        (root / "keys").mkdir(parents=True, exist_ok=True)
        (root / "townships").mkdir(exist_ok=True)
        private.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        (root / PUBLIC).write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                 serialization.PublicFormat.SubjectPublicKeyInfo))
        (root / CONFIG).write_text(f"county: {json.dumps(name, ensure_ascii=False)}\n", encoding="utf-8")
    except OSError as e:
        raise ZouduError(_("cannot write: {error}").format(error=e.strerror), str(e.filename)) from None
    return private, (root / PUBLIC).resolve()


def open_county(root: Path) -> County:
    try:
        text = (root / CONFIG).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ZouduError(_("not a county workspace (no county.yaml here); create one with 'zoudu county init'"),
                         str(root)) from None
    key, _sep, value = text.strip().partition(":")
    try:
        name = json.loads(value.strip())
    except ValueError:
        name = None
    if key != "county" or not isinstance(name, str) or not name:
        raise ZouduError(_("county.yaml must say 'county: NAME'"), str(root / CONFIG))
    return County(root, name)


def _checked_name(name: str, option: str) -> str:
    import unicodedata

    if not name or name != name.strip() or any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in name) \
            or "/" in name or "\\" in name or name in (".", ".."):
        raise ZouduError(_("{option}: not a usable name: '{name}'").format(option=option, name=name))
    return name


def county_add(county: County, name: str, path: Path, pubkey: Path) -> Path:
    """Register a township's copy and its public key, once."""
    from zoudu.ledger.keys import load_public_key
    from zoudu.ledger.workspace import Workspace

    name = _checked_name(name, "NAME")
    folder = county.township_dir(name)
    if folder.exists():
        raise ZouduError(_("{name} is already registered; a township is registered once").format(name=name),
                         str(folder))
    load_public_key(pubkey)  # a usable Ed25519 public key, or a one-line error
    Workspace(path)  # a township's workspace, or a one-line error
    (folder / "cosigned").mkdir(parents=True)
    (folder / "township.pub").write_bytes(pubkey.read_bytes())
    (folder / "registration.json").write_text(json.dumps({"name": name, "path": str(path.resolve())},
                                                         ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def registered(county: County, names: list[str] | None = None) -> list[str]:
    folder = county.root / "townships"
    known = sorted(p.name for p in folder.iterdir() if (p / "registration.json").is_file()) if folder.is_dir() else []
    for name in names or []:
        if name not in known:
            raise ZouduError(_("{name} is not registered; add it with 'zoudu county add'").format(name=name))
    return names or known


def township_workspace(county: County, name: str):
    """(the township's workspace as registered, the county's folder for it)."""
    from zoudu.ledger.workspace import Workspace

    folder = county.township_dir(name)
    info = json.loads((folder / "registration.json").read_text(encoding="utf-8"))
    return Workspace(Path(info["path"])), folder


def _township(county: County, name: str):
    from zoudu.ledger.keys import load_public_key

    ws, folder = township_workspace(county, name)
    return ws, load_public_key(folder / "township.pub"), folder


# --- checking a township --------------------------------------------------------------------------

class Seen(NamedTuple):
    """What the county found in one township's copy."""

    problems: list[Problem]
    note: str | None            # the latest checkpoint as the township signed it
    checkpoint: tlog.Checkpoint | None
    seals: list                 # the seal entries, oldest first


def inspect_township(ws, public) -> Seen:
    """Every ledger checked from its bytes (no cache: the county reads the copy as it is), seals checked
    with the registered key, every checkpoint recomputed from the ledgers."""
    from zoudu.ledger import checkpoint as cps
    from zoudu.ledger.seal_verify import verify_seals_with
    from zoudu.ledger.seals import seal_entries
    from zoudu.ledger.verify import verify

    problems = list(verify(ws, months=None, from_bytes=True).problems)
    report = verify_seals_with(ws, public)
    seals = seal_entries(ws)
    problems += report.problems
    problems += [Problem(seal.file, seal.line, why) for seal, why in cps.check_trees(ws, seals)]
    latest = next((s for s in reversed(seals) if s.data.get("tree")), None)
    note = cps.signed_note(latest) if latest is not None else None
    cp = None
    if note is not None:
        try:
            cp = tlog.parse_checkpoint(tlog.verify_note(note, cps.origin(ws, seals), public))
        except tlog.NoteError as e:
            problems.append(Problem(latest.file, latest.line, _("the checkpoint's signature: {why}").format(
                why=e.said())))
    return Seen(problems, note, cp, seals)


def holds(seals, cosigned: tlog.Checkpoint) -> bool:
    """Whether a seal of the township still carries exactly the checkpoint the county cosigned
    (its tree is recomputed from the ledgers by ``check_trees``)."""
    from zoudu.ledger import checkpoint as cps

    return any(cps.checkpoint_of(s, seals) == cosigned for s in seals)


def last_cosigned(folder: Path) -> tuple[str, tlog.Checkpoint] | None:
    path = folder / "latest.note"
    if not path.exists():
        return None
    note = path.read_text(encoding="utf-8")
    text, _sigs = tlog.split_note(note)
    return note, tlog.parse_checkpoint(text)


def _private(county: County):
    from cryptography.hazmat.primitives import serialization

    path = county_key_path(county.root, county.name)
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise ZouduError(_("the witness key can be read by others: make it readable by its owner only "
                               "(chmod 600)"), str(path))
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        raise ZouduError(_("no usable witness key (set $ZOUDU_COUNTY_KEY or run 'zoudu county init')"),
                         str(path)) from None


class Outcome(NamedTuple):
    township: str
    ok: bool
    message: str


def cosign_township(county: County, name: str, now: dt.datetime) -> Outcome:
    ws, public, folder = _township(county, name)
    seen = inspect_township(ws, public)
    if seen.problems:
        first = seen.problems[0]
        return Outcome(name, False, f"{first.where}: {first.message}")
    if seen.note is None or seen.checkpoint is None:
        return Outcome(name, False, _("no checkpoint yet: the township has made no seal since checkpoints began"))
    before = last_cosigned(folder)
    if before is not None and (before[1].size > seen.checkpoint.size or not holds(seen.seals, before[1])):
        stamp = now.strftime("%Y%m%dT%H%M%S")
        forks = folder / "forks"
        forks.mkdir(exist_ok=True)
        (forks / f"{stamp}-cosigned.note").write_text(before[0], encoding="utf-8")
        (forks / f"{stamp}-new.note").write_text(seen.note, encoding="utf-8")
        return Outcome(name, False, _("the new history does not extend the checkpoint the county cosigned "
                                      "({size} entries): both signed notes kept in {where}").format(
            size=before[1].size, where=forks))
    text, sigs = tlog.split_note(seen.note)
    cosig = tlog.cosign(text, county.witness, _private(county), int(now.timestamp()))
    full = tlog.join_note(text, [*sigs, cosig])
    _write(folder / "cosigned" / f"{seen.checkpoint.size}.note", full)
    _write(folder / "latest.note", full)
    _write(ws.root / IN_TOWNSHIP / COSIGNATURE, full)
    _write(ws.root / IN_TOWNSHIP / "cosigned" / f"{seen.checkpoint.size}.note", full)  # for older notices
    _write(ws.root / IN_TOWNSHIP / "county.pub", (county.root / PUBLIC).read_text(encoding="utf-8"))
    root8 = seen.checkpoint.root.hex()[:8]
    return Outcome(name, True, _("cosigned: {size} entries, root {root}").format(size=seen.checkpoint.size,
                                                                                  root=root8))


def verify_township(county: County, name: str) -> Outcome:
    ws, public, folder = _township(county, name)
    seen = inspect_township(ws, public)
    if seen.problems:
        first = seen.problems[0]
        return Outcome(name, False, f"{first.where}: {first.message}")
    before = last_cosigned(folder)
    if before is not None and not holds(seen.seals, before[1]):
        return Outcome(name, False, _("the checkpoint the county cosigned ({size} entries) is no longer in the "
                                      "township's ledgers: a seal was cut or removed").format(size=before[1].size))
    if before is None:
        return Outcome(name, True, _("seals intact; nothing cosigned yet"))
    return Outcome(name, True, _("intact: holds the cosigned checkpoint of {size} entries").format(size=before[1].size))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def latest_note(ws) -> str | None:
    """The township's latest checkpoint as a signed note, with the county's cosignature when the
    note the county wrote into the township's folder is that very checkpoint."""
    from zoudu.ledger import checkpoint as cps
    from zoudu.ledger.seals import seal_entries

    latest = next((s for s in reversed(seal_entries(ws)) if s.data.get("tree")), None)
    note = cps.signed_note(latest) if latest is not None else None
    cosigned = ws.root / IN_TOWNSHIP / COSIGNATURE
    if note is not None and cosigned.exists():
        try:
            text, sigs = tlog.split_note(cosigned.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tlog.NoteError):
            return note
        if text == tlog.split_note(note)[0]:
            return tlog.join_note(text, sigs)
    return note


def verify_notice(county: County, note: str) -> Outcome:
    """Whether the county cosigned exactly the checkpoint a notice's QR code carries."""
    from zoudu.ledger.keys import load_public_key

    try:
        text, _sigs = tlog.split_note(note.replace("\r\n", "\n"))
        cp = tlog.parse_checkpoint(text)
    except tlog.NoteError as e:
        return Outcome("", False, _("not a checkpoint: {why}").format(why=e.said()))
    public = load_public_key(county.root / PUBLIC)
    for name in registered(county):
        path = county.township_dir(name) / "cosigned" / f"{cp.size}.note"
        if not path.exists():
            continue
        kept = path.read_text(encoding="utf-8")
        try:
            kept_text, when = tlog.verify_cosignature(kept, county.witness, public)
        except tlog.NoteError:
            continue
        if kept_text == text:
            stamp = dt.datetime.fromtimestamp(when, dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
            return Outcome(name, True, _("the county cosigned exactly this checkpoint ({size} entries, root {root}) "
                                         "on {when}").format(size=cp.size, root=cp.root.hex()[:8], when=stamp))
    return Outcome(cp.origin, False, _("the county never cosigned this checkpoint ({size} entries, root {root})").format(
        size=cp.size, root=cp.root.hex()[:8]))


def _why(e: Exception) -> str:
    """Why the county's cosignature in the township's folder could not be checked, in the clerk's words."""
    if isinstance(e, tlog.NoteError):
        return e.said()
    if isinstance(e, ZouduError):
        return e.one_line()
    if isinstance(e, StopIteration):
        return _("it holds no cosignature")
    return _("the file cannot be read")


# --- the township's own check ---------------------------------------------------------------------

def check_cosignature(ws, public) -> list[Problem]:
    """``verify --pubkey``: the ledgers must still hold the checkpoint the county last cosigned."""
    from zoudu.ledger.keys import load_public_key
    from zoudu.ledger.seals import seal_entries

    note_path, key_path = ws.root / IN_TOWNSHIP / COSIGNATURE, ws.root / IN_TOWNSHIP / "county.pub"
    if not note_path.exists():
        return []
    shown = f"{IN_TOWNSHIP}/{COSIGNATURE}"
    try:
        note = note_path.read_text(encoding="utf-8")
        county_key = load_public_key(key_path)
        text, sigs = tlog.split_note(note)
        witness = next(s.name for s in sigs if len(s.blob) == 72)
        tlog.verify_cosignature(note, witness, county_key)
        cp = tlog.parse_checkpoint(text)
        tlog.verify_note(note, cp.origin, public)
    except (OSError, UnicodeDecodeError, StopIteration, tlog.NoteError, ZouduError) as e:
        return [Problem(shown, None, _("the county's cosignature does not verify: {why}").format(
            why=_why(e)))]
    if not holds(seal_entries(ws), cp):
        return [Problem(shown, None, _("the checkpoint the county cosigned ({size} entries, root {root}) is no longer "
                                       "in the ledgers: a cosigned seal was cut off or removed").format(
            size=cp.size, root=base64.b64decode(base64.b64encode(cp.root)).hex()[:8]))]
    return []
