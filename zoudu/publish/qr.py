"""The notice carries its checkpoint (docs/trust-model.md#checkpoints-and-the-county): the month's
signed checkpoint as a QR code (with the county's cosignature when there is one) and the first
8 hex digits of its root, spelled out for reading aloud."""

from __future__ import annotations

import io
from typing import NamedTuple

from zoudu.ledger import tlog

_SPOKEN = dict(zip("0123456789abcdef", "零一二三四五六七八九ABCDEF"))


class NoticeCheckpoint(NamedTuple):
    note: str      # the text of the QR code: the signed note
    digits: str    # the root's first 8 hex digits
    cosigned: bool

    @property
    def spoken(self) -> str:
        return " ".join(_SPOKEN[d] for d in self.digits)

    def svg(self) -> str:
        import segno

        out = io.BytesIO()
        segno.make(self.note, error="m", micro=False).save(out, kind="svg", scale=3, xmldecl=False,
                                                          svgns=True, nl=False, omitsize=True)
        return out.getvalue().decode("utf-8")


def notice_checkpoint(ws, month: str) -> NoticeCheckpoint | None:
    """The checkpoint of the seal that decides ``month``, or None (not sealed, or sealed before
    checkpoints began). With the county's cosignature when the county cosigned exactly it."""
    from zoudu.county import IN_TOWNSHIP
    from zoudu.ledger import checkpoint as cps
    from zoudu.ledger.seals import is_sealed

    seal = is_sealed(ws, month)
    note = cps.signed_note(seal) if seal is not None else None
    if note is None:
        return None
    text, _sigs = tlog.split_note(note)
    cp = tlog.parse_checkpoint(text)
    cosigned = ws.root / IN_TOWNSHIP / "cosigned" / f"{cp.size}.note"
    full, done = note, False
    if cosigned.exists():
        try:
            their_text, their_sigs = tlog.split_note(cosigned.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tlog.NoteError):
            their_text = None
        if their_text == text:
            full, done = tlog.join_note(text, their_sigs), True
    return NoticeCheckpoint(full, cp.root.hex()[:8], done)
