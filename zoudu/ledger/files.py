"""Reading a hand-written file's bytes and text, with one-line errors naming it."""

from __future__ import annotations

from pathlib import Path

from zoudu.errors import ZouduError
from zoudu.i18n import _

MAX_BYTES = 8 * 1024 * 1024  # rules and roster are small; a huge file is an attack or a mistake


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, or a one-line error naming the file (missing, huge, a folder, not a regular file).

    Opened without blocking and checked to be a regular file before reading: a FIFO put in
    its place would otherwise hang every command.
    """
    import os
    import stat

    from zoudu import system

    try:
        fd = system.open_regular(path)
    except FileNotFoundError:
        raise ZouduError(_("file not found"), str(path)) from None
    except IsADirectoryError:
        raise ZouduError(_("is a folder, not a file"), str(path)) from None
    except OSError as e:
        if os.path.isdir(path):  # Windows refuses to open a folder with "permission denied"
            raise ZouduError(_("is a folder, not a file"), str(path)) from None
        raise ZouduError(_("cannot read file: {error}").format(error=e.strerror), str(path)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ZouduError(_("is a folder, not a file"), str(path))
        if not stat.S_ISREG(info.st_mode):
            raise ZouduError(_("not a regular file (a pipe or a device?): zoudu reads only plain files"), str(path))
        if info.st_size > max_bytes:
            raise ZouduError(_("file is too large ({size} bytes)").format(size=info.st_size), str(path))
        system.blocking(fd)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ZouduError(_("file is too large ({size} bytes)").format(size=len(data)), str(path))
        return data
    except OSError as e:
        raise ZouduError(_("cannot read file: {error}").format(error=e.strerror), str(path)) from None
    finally:
        os.close(fd)


def decode(data: bytes, shown_as: str) -> str:
    """UTF-8 text (a BOM is allowed), or an error naming the first bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ZouduError(_("not valid UTF-8 text"), f"{shown_as}:{line}") from None
