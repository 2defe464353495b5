"""The township's Ed25519 key pair: where the private key lives, making the pair, loading and
refusing a key (docs/trust-model.md#keys-and-seals).

The private key is its owner's alone and never inside the workspace's ledgers; the public key is
``keys/township.pub``, which ``verify --pubkey`` checks the seals with (``zoudu.ledger.seal_verify``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from zoudu import system
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.workspace import Workspace

KEY_ENV = "ZOUDU_KEY"
PUBLIC_KEY = "keys/township.pub"


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

