"""An .xlsx checked before any workbook reader sees it: a zip that unpacks past ``MAX_BYTES`` or a
sheet with more rows or cells than an attendance export has is refused while its members are
inflated, so that memory never grows with a zip bomb (docs/guide.md#importing-attendance-terminals-and-dingtalk)."""

from __future__ import annotations

import io
import re

from zoudu.errors import ZouduError
from zoudu.i18n import _

MAX_BYTES = 50 * 1024 * 1024  # what an import reads of a file, and what a workbook may unpack to


def too_many_rows(shown: str, max_rows: int) -> ZouduError:
    return ZouduError(_("the file has more than {n} rows (import_max_rows in rules.yaml); nothing was "
                        "recorded").format(n=max_rows), shown)


MAX_COLUMNS = 1000  # a workbook's sheet wider than this is no attendance export
MAX_CELLS = 5_000_000  # rows times columns: what the workbook reader lays out in memory
_ROW = re.compile(rb"<(?:[A-Za-z0-9_]+:)?row[\s/>]")  # with or without a namespace prefix (x:row)
_CELL_REF = re.compile(rb"<(?:[A-Za-z0-9_]+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")
_DIMENSION = re.compile(rb"<(?:[A-Za-z0-9_]+:)?dimension\b[^>]*?\sref=\"[A-Z]{1,3}[0-9]{1,7}:([A-Z]{1,3})([0-9]{1,7})\"")


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


class _SheetScan:
    """Counts a worksheet's rows and the extent its cells name, as its XML is inflated."""

    def __init__(self, shown: str, max_rows: int) -> None:
        self.shown, self.max_rows = shown, max_rows
        self.rows = self.last_row = self.last_column = 0
        self.rest = b""

    def feed(self, chunk: bytes) -> None:
        data = self.rest + chunk
        cut = data.rfind(b">") + 1  # whole tags only; the rest waits for the next chunk
        data, self.rest = data[:cut], data[cut:][-4096:]
        self.rows += len(_ROW.findall(data))
        for pattern in (_CELL_REF, _DIMENSION):
            refs = pattern.findall(data)
            if refs:
                self.last_row = max(self.last_row, max(int(r) for _c, r in refs))
                self.last_column = max(self.last_column, max(_column(c) for c in {c for c, _r in refs}))
        if self.rows > self.max_rows or self.last_row > self.max_rows + 1:
            raise too_many_rows(self.shown, self.max_rows)
        if self.last_column > MAX_COLUMNS or self.last_row * self.last_column > MAX_CELLS:
            raise ZouduError(_("the workbook's sheet is too large ({rows} rows by {columns} columns) for an "
                               "attendance export").format(rows=self.last_row, columns=self.last_column), self.shown)


def _inflated(data: bytes, info, shown: str):
    """A zip member's content in pieces, inflated from its own bytes until its stream ends: what any
    reader gets from it, whatever sizes the zip declares."""
    import struct
    import zipfile
    import zlib

    offset = info.header_offset
    local = data[offset:offset + 30]
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise ZouduError(_("cannot read the workbook: {error}").format(error="bad local header"), shown)
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    start = offset + 30 + name_length + extra_length
    piece = 1 << 16
    if info.compress_type == zipfile.ZIP_STORED:
        end = start + info.compress_size
        for at in range(start, min(end, len(data)), piece):
            yield data[at:min(at + piece, end)]
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ZouduError(_("cannot read the workbook: {error}").format(
            error=f"compression method {info.compress_type}"), shown)
    inflater = zlib.decompressobj(-15)
    at = start
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, piece)
            elif at < len(data):
                chunk = inflater.decompress(data[at:at + piece], piece)
                at += piece
            else:
                break
            if chunk:
                yield chunk
    except zlib.error as e:
        raise ZouduError(_("cannot read the workbook: {error}").format(error=str(e)), shown) from None


def check_workbook(data: bytes, shown: str, max_rows: int) -> None:
    """Refuses a workbook that would unpack past ``MAX_BYTES`` (the sizes the zip declares, then the
    bytes counted as every member is inflated) or whose sheets hold more than ``max_rows`` rows."""
    import zipfile

    too_big = ZouduError(_("the workbook unpacks to more than {n} MB; nothing was recorded").format(
        n=MAX_BYTES // 2**20), shown)
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as e:
        raise ZouduError(_("cannot read the workbook: {error}").format(error=str(e) or type(e).__name__),
                         shown) from None
    if sum(m.file_size for m in members) > MAX_BYTES:
        raise too_big
    total = 0
    for member in members:
        name = member.filename
        scan = _SheetScan(shown, max_rows) if name.startswith("xl/worksheets/") and name.endswith(".xml") else None
        for chunk in _inflated(data, member, shown):
            total += len(chunk)
            if total > MAX_BYTES:
                raise too_big
            if scan is not None:
                scan.feed(chunk)
