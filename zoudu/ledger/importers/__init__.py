"""Punches from attendance terminals and DingTalk, read into one shape
(docs/guide.md#importing-attendance-terminals-and-dingtalk).

Each reader turns a file into ``Punch`` rows: where in the file (``file:line``),
the badge number and/or name, the terminal's own time, and the device. Formats:

- ``zkteco``: a ZKTeco USB download, ``attlog.dat``: ``BADGE<TAB>YYYY-MM-DD HH:MM:SS<TAB>DEVICE<TAB>…``
  (leading spaces before the badge).
- ``zk-export``: the Chinese PC software's export (部门, 姓名, 考勤号码, 日期时间, 机器号 …) as CSV
  (UTF-8 with or without BOM, or GBK) or .xlsx.
- ``dingtalk``: DingTalk's attendance export (.xlsx or CSV, title rows above the header; 姓名, 工号, 日期,
  上班1打卡时间 … 下班3打卡时间): one row a person a day. Only the clock-in cells (上班N) are sign-ins;
  the clock-out cells (下班N) are counted, not recorded.
- ``csv``: any CSV with ``--map``, e.g. ``name=姓名,badge=工号,time=打卡时间`` or
  ``badge=1,date=2,clock=3`` (header names or column numbers from 1).

The format is detected from the content unless ``--format`` says it.

Reading is bounded: at most ``MAX_BYTES`` of content (an .xlsx's members are inflated
and counted before the workbook reader sees them) and ``max_rows`` rows; past either the
import stops with one line, before memory grows with the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from typing import NamedTuple

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.importers.workbook import MAX_BYTES, check_workbook, too_many_rows  # noqa: F401 - importing reads importers.MAX_BYTES
from zoudu.timeparse import normalise

FORMATS = ("zkteco", "zk-export", "dingtalk", "csv")
ZK_LINE = re.compile(r"\s*([A-Za-z0-9]+)\t([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(?::[0-9]{2})?)(?:\t([^\t]*))?.*")
ZK_HEADER = ("考勤号码", "日期时间")
DING_HEADER = ("姓名", "日期")
DING_PUNCH = re.compile(r"(上班|下班)[0-9]打卡时间")
_PLAIN_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(?::[0-9]{2})?")
_CLOCK_IN_CELL = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")


class Punch(NamedTuple):
    """One punch as the terminal recorded it. ``at`` is naive: the workspace's time zone."""

    where: str
    badge: str | None
    name: str | None
    at: dt.datetime
    device: str


class Reading(NamedTuple):
    punches: list[Punch]
    clock_outs: int = 0  # DingTalk clock-out cells with a time: counted, not recorded


class Table(NamedTuple):
    rows: list[tuple[int, list[str]]]  # (line or row number from 1, cells)
    kind: str                          # "text" or "xlsx"


def _bad(where: str, message: str) -> ZouduError:
    return ZouduError(message, where)


def decode(data: bytes, shown: str) -> str:
    """UTF-8 (a BOM is dropped), else GBK — what the PC software writes on a Chinese Windows."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise ZouduError(_("cannot read the file: neither UTF-8 nor GBK text"), shown) from None


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def lines_of(text: str):
    """The lines of a text one at a time (no list of the whole file)."""
    for line in io.StringIO(text, newline=None):
        yield line.rstrip("\n")


def read_table(data: bytes, shown: str, max_rows: int) -> Table:
    """Rows of cells from a CSV (comma or tab) or an .xlsx (first sheet), each with its number."""
    if is_xlsx(data):
        check_workbook(data, shown, max_rows)
        try:
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = book.get_sheet_by_index(0)
            if sheet.height > max_rows + 1:
                raise too_many_rows(shown, max_rows)
            raw = sheet.to_python(skip_empty_area=False)
        except ZouduError:
            raise
        except Exception as e:  # calamine raises its own errors for a damaged workbook
            raise ZouduError(_("cannot read the workbook: {error}").format(error=str(e).splitlines()[0] if str(e)
                                                                            else type(e).__name__), shown) from None
        if len(raw) > max_rows:
            raise too_many_rows(shown, max_rows)
        return Table([(i + 1, [_cell(c) for c in row]) for i, row in enumerate(raw)], "xlsx")
    text = decode(data, shown)
    sample = "\n".join(itertools.islice(lines_of(text), 20))
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            if number > max_rows:
                raise too_many_rows(shown, max_rows)
            rows.append((number, [c.strip() for c in cells]))
    except csv.Error as e:  # a field past the csv module's limit (128 KB): no export writes one
        raise ZouduError(_("cannot read the file: {error}").format(error=str(e)), f"{shown}:{reader.line_num}") from None
    return Table(rows, "text")


def _cell(value) -> str:
    """A workbook cell as text: times and dates written the way the exports print them."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def detect(data: bytes, shown: str, max_rows: int) -> str:
    """The format from the content: attlog lines, or the header row of an export."""
    if not is_xlsx(data):
        text = decode(data, shown)
        first = next((line for line in lines_of(text) if line.strip()), "")
        if ZK_LINE.fullmatch(first):
            return "zkteco"
    table = read_table(data, shown, max_rows)
    for _number, cells in table.rows[:30]:
        names = {normalise(c) for c in cells}
        if all(h in names for h in DING_HEADER) and any(DING_PUNCH.fullmatch(c) for c in names):
            return "dingtalk"
        if all(h in names for h in ZK_HEADER):
            return "zk-export"
    raise ZouduError(_("cannot tell which export this is; say it with --format zkteco, zk-export, dingtalk "
                       "or csv --map"), shown)


def read_punches(data: bytes, shown: str, fmt: str, mapping: str | None, max_rows: int) -> Reading:
    if fmt == "zkteco":
        return Reading(zkteco(data, shown, max_rows))
    if fmt == "csv" and not mapping:
        raise ZouduError(_("--format csv needs --map, e.g. --map name=姓名,time=打卡时间"))
    if fmt not in FORMATS:
        raise ZouduError(_("--format must be one of {formats}, not '{value}'").format(formats=", ".join(FORMATS),
                                                                                     value=fmt))
    table = read_table(data, shown, max_rows)
    if fmt == "zk-export":
        return Reading(zk_export(table, shown))
    if fmt == "dingtalk":
        return dingtalk(table, shown)
    return Reading(generic(table, shown, parse_map(mapping)))


def zkteco(data: bytes, shown: str, max_rows: int) -> list[Punch]:
    text = decode(data, shown)
    if sum(1 for _line in lines_of(text)) > max_rows:  # counted first: nothing parsed of a file refused
        raise too_many_rows(shown, max_rows)
    punches = []
    for number, line in enumerate(lines_of(text), start=1):
        if not line.strip():
            continue
        m = ZK_LINE.fullmatch(line)
        if m is None:
            raise _bad(f"{shown}:{number}", _("not an attlog line (badge, tab, YYYY-MM-DD HH:MM:SS, tab, device …)"))
        at = _terminal_time(m.group(2), f"{shown}:{number}")
        punches.append(Punch(f"{shown}:{number}", m.group(1), None, at, printable((m.group(3) or "").strip())))
    return punches


def _terminal_time(text: str, where: str) -> dt.datetime:
    """A terminal's time, typed by no one: checked like a clerk's (2026-11-31 does not exist)."""
    from zoneinfo import ZoneInfo

    from zoudu.timeparse import parse_time

    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        text = text.strip() + " 00:00:00"  # a workbook gives a punch at midnight as a bare date
    if _PLAIN_TIME.fullmatch(text):  # the terminals' own form: read directly (a day that does not exist
        try:                         # falls through to the clerk's parser, which says so)
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass
    if not re.search(r"[0-9]{4}", normalise(text)):
        raise ZouduError(_("not a valid time: '{text}' (expected like {hint})").format(
            text=text, hint="2026-11-03 08:02:11"), where)
    try:
        value = parse_time(text, ZoneInfo("UTC"), dt.datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC")))
    except ZouduError as e:
        raise ZouduError(e.message, where) from None
    return value.replace(tzinfo=None)


def _header(table: Table, shown: str, wanted: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """The header row (title rows above it skipped): its index in ``rows`` and each column's position."""
    for index, (_number, cells) in enumerate(table.rows[:30]):
        names = [normalise(c) for c in cells]
        if all(w in names for w in wanted):
            return index, {name: i for i, name in reversed(list(enumerate(names))) if name}
    raise ZouduError(_("no header row with {columns} in the first 30 rows").format(columns="、".join(wanted)), shown)


def printable(value: str) -> str:
    """Text from a file, safe to show: control characters (escape codes) become '?'."""
    import unicodedata

    return "".join("?" if unicodedata.category(ch) in ("Cc", "Cf", "Cs") else ch for ch in value)


def _get(cells: list[str], column: int | None) -> str:
    return printable(cells[column].strip()) if column is not None and column < len(cells) else ""


def zk_export(table: Table, shown: str) -> list[Punch]:
    index, cols = _header(table, shown, ZK_HEADER)
    punches = []
    for number, cells in table.rows[index + 1:]:
        if not any(c.strip() for c in cells):
            continue
        where = f"{shown}:{number}"
        when = _get(cells, cols["日期时间"])
        badge = _get(cells, cols["考勤号码"]) or None
        name = _get(cells, cols.get("姓名")) or None
        punches.append(Punch(where, badge, name, _terminal_time(when, where), _get(cells, cols.get("机器号"))))
    return punches


def _ding_day(text: str, where: str) -> dt.date:
    """DingTalk writes ``26-11-03 星期二`` or ``2026-11-03``."""
    raw = normalise(text).split(" ")[0]
    m = re.fullmatch(r"([0-9]{2}|[0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})", raw)
    if m is None:
        raise _bad(where, _("not a valid date: '{text}' (expected like 2026-11-03)").format(text=text))
    year = int(m.group(1)) + (2000 if len(m.group(1)) == 2 else 0)
    return _terminal_time(f"{year}-{int(m.group(2)):02d}-{int(m.group(3)):02d} 00:00", where).date()


def dingtalk(table: Table, shown: str) -> Reading:
    """Clock-in cells (上班N打卡时间) become punches; clock-out cells (下班N) are counted only: leaving
    the office is no sign-in. ``次日 00:10`` is the next day's 00:10."""
    index, cols = _header(table, shown, DING_HEADER)
    punch_cols = [(name, i) for name, i in sorted(cols.items(), key=lambda kv: kv[1]) if DING_PUNCH.fullmatch(name)]
    if not punch_cols:
        raise ZouduError(_("no punch columns (上班1打卡时间 …) in the DingTalk export"), shown)
    punches = []
    clock_outs = 0
    for number, cells in table.rows[index + 1:]:
        if not any(c.strip() for c in cells):
            continue
        where = f"{shown}:{number}"
        day_text = _get(cells, cols["日期"])
        if not day_text:
            continue
        day = _ding_day(day_text, where)
        name = _get(cells, cols["姓名"]) or None
        badge = _get(cells, cols.get("工号")) or None
        for column_name, column in punch_cols:
            cell = normalise(_get(cells, column))
            m = _CLOCK_IN_CELL.search(cell)
            if m is None:
                continue  # 未打卡, 缺卡, empty
            if column_name.startswith("下班"):
                clock_outs += 1
                continue
            hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if hour > 23 or minute > 59 or second > 59:
                raise _bad(where, _("not a valid time: '{text}' (expected like {hint})").format(
                    text=cell, hint="08:02"))
            moment = dt.datetime.combine(day, dt.time(hour, minute, second))
            if "次日" in cell:
                moment += dt.timedelta(days=1)
            punches.append(Punch(where, badge, name, moment, "dingtalk"))
    return Reading(punches, clock_outs)


_MAP_KEYS = ("name", "badge", "time", "date", "clock", "device")


def parse_map(spec: str) -> dict[str, str]:
    """``name=姓名,badge=工号,time=打卡时间`` (or date= and clock= for two columns; device= optional)."""
    found: dict[str, str] = {}
    for part in re.split(r"[,，]", spec):
        if not part.strip():
            continue
        key, sep, column = part.partition("=")
        key = key.strip()
        if not sep or key not in _MAP_KEYS or not column.strip():
            raise ZouduError(_("--map takes key=column pairs with keys {keys}, not '{part}'").format(
                keys=", ".join(_MAP_KEYS), part=part))
        found[key] = column.strip()
    if "name" not in found and "badge" not in found:
        raise ZouduError(_("--map needs name= or badge="))
    if "time" not in found and not ("date" in found and "clock" in found):
        raise ZouduError(_("--map needs time=, or date= and clock="))
    return found


def generic(table: Table, shown: str, mapping: dict[str, str]) -> list[Punch]:
    by_number = all(v.isdigit() for v in mapping.values())
    if by_number:
        index, cols = -1, {}
        position = {k: int(v) - 1 for k, v in mapping.items()}
    else:
        named = tuple(v for v in mapping.values() if not v.isdigit())
        index, cols = _header(table, shown, named)
        position = {k: (int(v) - 1 if v.isdigit() else cols[normalise(v)]) for k, v in mapping.items()}
    punches = []
    for number, cells in table.rows[index + 1:]:
        if not any(c.strip() for c in cells):
            continue
        where = f"{shown}:{number}"
        when = _get(cells, position.get("time")) if "time" in position else (
            _get(cells, position["date"]) + " " + _get(cells, position["clock"]))
        punches.append(Punch(where, _get(cells, position.get("badge")) or None,
                             _get(cells, position.get("name")) or None, _terminal_time(when, where),
                             _get(cells, position.get("device")) or "csv"))
    return punches
