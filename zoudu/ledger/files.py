"""Reading a hand-written file's bytes and text, with one-line errors naming it."""

from __future__ import annotations

from pathlib import Path

from zoudu.errors import ZouduError
from zoudu.i18n import _

MAX_BYTES = 8 * 1024 * 1024  # rules and roster are small; a huge file is an attack or a mistake


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, or a one-line error naming the file (missing, huge, a folder)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ZouduError(_("file is too large ({size} bytes)").format(size=size), str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise ZouduError(_("file not found"), str(path)) from None
    except IsADirectoryError:
        raise ZouduError(_("is a folder, not a file"), str(path)) from None
    except OSError as e:
        raise ZouduError(_("cannot read file: {error}").format(error=e.strerror), str(path)) from None


def decode(data: bytes, shown_as: str) -> str:
    """UTF-8 text (a BOM is allowed), or an error naming the first bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ZouduError(_("not valid UTF-8 text"), f"{shown_as}:{line}") from None
