"""Transparency-log formats, as C2SP writes them: RFC 6962 Merkle roots, signed notes,
checkpoints and cosignatures (docs/trust-model.md#checkpoints-and-the-county).

Plain functions over bytes and text; the cryptography is the ``cryptography`` package's
Ed25519, the hashes ``hashlib``'s SHA-256. Nothing here reads a workspace.

- ``merkle_root(leaves)``: RFC 6962 (section 2.1) Merkle Tree Hash of the leaf data, in order.
- A signed note (c2sp.org/signed-note): text ending in a newline, a blank line, then
  ``— <name> base64(key ID || signature)`` lines. Ed25519 note signatures have type 0x01.
- A checkpoint (c2sp.org/tlog-checkpoint): the note text ``origin\\nsize\\nbase64(root)\\n``.
- A cosignature (c2sp.org/tlog-cosignature): type 0x04, a timestamped Ed25519 signature of
  ``cosignature/v1\\ntime T\\n`` followed by the checkpoint text.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import NamedTuple, Sequence

from zoudu.i18n import N_

ED25519 = 0x01
COSIGNATURE = 0x04
DASH = "\u2014 "


class NoteError(ValueError):
    """A note, checkpoint or key that is not well formed, or a signature that does not verify.

    Carries its message as a catalog id and its values: ``said()`` is the message in the clerk's language."""

    def __init__(self, message: str, **values: str) -> None:
        super().__init__(message.format(**values))
        self.message, self.values = message, values

    def said(self) -> str:
        from zoudu.i18n import _

        return _(self.message).format(**self.values)


# --- RFC 6962 Merkle tree -----------------------------------------------------------------------

def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962's MTH over the leaf data in order (the empty tree: SHA-256 of nothing).

    Computed level by level: a level's odd last node is carried up unchanged, which gives the
    same tree as RFC 6962's split at the largest power of two below n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [leaf_hash(d) for d in leaves]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


# --- keys ----------------------------------------------------------------------------------------

def raw_public(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, kind: int, public: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4] (c2sp.org/signed-note)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([kind]) + public).digest()[:4]


def check_name(name: str) -> str:
    if not name or any(ch.isspace() or ch == "+" for ch in name):
        raise NoteError(N_("a key name must be non-empty, with no spaces and no '+': '{name}'"), name=name)
    return name


def verifier_key(name: str, kind: int, public: bytes) -> str:
    """The verifier key text ``name+hexid+base64(type || key)`` (as sumdb/note writes it)."""
    return f"{check_name(name)}+{key_id(name, kind, public).hex()}+{base64.b64encode(bytes([kind]) + public).decode()}"


def parse_verifier_key(text: str) -> tuple[str, int, bytes]:
    """``name+hexid+base64`` -> (name, type, raw public key); the ID must match the key."""
    name, sep, rest = text.strip().partition("+")
    hexid, sep2, material = rest.partition("+")
    try:
        blob = base64.b64decode(material, validate=True)
    except ValueError:
        raise NoteError(N_("not a verifier key")) from None
    if not (sep and sep2 and len(hexid) == 8 and len(blob) == 33):
        raise NoteError(N_("not a verifier key"))
    kind, public = blob[0], blob[1:]
    if key_id(check_name(name), kind, public).hex() != hexid:
        raise NoteError(N_("the verifier key's ID does not match its key"))
    return name, kind, public


# --- signed notes --------------------------------------------------------------------------------

class Signature(NamedTuple):
    name: str
    id: bytes
    blob: bytes  # what follows the key ID

    def line(self) -> str:
        return f"{DASH}{self.name} {base64.b64encode(self.id + self.blob).decode()}\n"


def split_note(note: str) -> tuple[str, list[Signature]]:
    """A signed note -> (text, signatures). The text ends at the note's last blank line."""
    if any(ord(ch) < 0x20 and ch != "\n" for ch in note):
        raise NoteError(N_("a note may hold no control characters but newlines"))
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError(N_("a signed note is text, a blank line, then signature lines"))
    text, lines = note[:cut + 1], note[cut + 2:].splitlines()
    sigs: list[Signature] = []
    for line in lines:
        if not line.startswith(DASH):
            raise NoteError(N_("a signature line starts with an em dash and a space"))
        name, _sp, b64 = line[len(DASH):].rpartition(" ")
        try:
            blob = base64.b64decode(b64, validate=True)
        except ValueError:
            raise NoteError(N_("a signature is not base64")) from None
        if len(blob) < 5:
            raise NoteError(N_("a signature is too short"))
        sigs.append(Signature(check_name(name), blob[:4], blob[4:]))
    if not sigs:
        raise NoteError(N_("a signed note has at least one signature"))
    return text, sigs


def sign_note(text: str, name: str, private_key) -> Signature:
    """An Ed25519 note signature (type 0x01) of ``text`` by ``name``."""
    public = raw_public(private_key.public_key())
    return Signature(check_name(name), key_id(name, ED25519, public), private_key.sign(text.encode("utf-8")))


def verify_note(note: str, name: str, public_key) -> str:
    """The note's text when ``name``'s Ed25519 key signed it; NoteError otherwise."""
    from cryptography.exceptions import InvalidSignature

    text, sigs = split_note(note)
    kid = key_id(name, ED25519, raw_public(public_key))
    mine = [s for s in sigs if s.name == name and s.id == kid]
    if not mine:
        raise NoteError(N_("the note is not signed by {name}"), name=name)
    for s in mine:
        try:
            public_key.verify(s.blob, text.encode("utf-8"))
        except InvalidSignature:
            raise NoteError(N_("{name}'s signature on the note does not verify"), name=name) from None
    return text


# --- checkpoints and cosignatures ----------------------------------------------------------------

class Checkpoint(NamedTuple):
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not lines[0]:
        raise NoteError(N_("a checkpoint is an origin, a size and a root hash, one a line"))
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isdigit() or (size != "0" and size.startswith("0")) or not size.isascii():
        raise NoteError(N_("a checkpoint's size is a decimal number"))
    try:
        raw = base64.b64decode(root, validate=True)
    except ValueError:
        raise NoteError(N_("a checkpoint's root hash is not base64")) from None
    if len(raw) != 32:
        raise NoteError(N_("a checkpoint's root hash is 32 bytes"))
    return Checkpoint(origin, int(size), raw)


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode("ascii") + text.encode("utf-8")


def cosign(text: str, name: str, private_key, timestamp: int) -> Signature:
    """A tlog-cosignature/v1 (type 0x04) of the checkpoint ``text`` at ``timestamp``."""
    public = raw_public(private_key.public_key())
    signature = private_key.sign(_cosigned_message(text, timestamp))
    return Signature(check_name(name), key_id(name, COSIGNATURE, public), struct.pack(">Q", timestamp) + signature)


def verify_cosignature(note: str, name: str, public_key) -> tuple[str, int]:
    """(checkpoint text, timestamp) when ``name`` cosigned the note; NoteError otherwise."""
    from cryptography.exceptions import InvalidSignature

    text, sigs = split_note(note)
    kid = key_id(name, COSIGNATURE, raw_public(public_key))
    mine = [s for s in sigs if s.name == name and s.id == kid and len(s.blob) == 72]
    if not mine:
        raise NoteError(N_("the checkpoint has no cosignature by {name}"), name=name)
    s = mine[-1]
    (timestamp,) = struct.unpack(">Q", s.blob[:8])
    try:
        public_key.verify(s.blob[8:], _cosigned_message(text, timestamp))
    except InvalidSignature:
        raise NoteError(N_("{name}'s cosignature does not verify"), name=name) from None
    return text, timestamp


def join_note(text: str, signatures: Sequence[Signature]) -> str:
    return text + "\n" + "".join(s.line() for s in signatures)
