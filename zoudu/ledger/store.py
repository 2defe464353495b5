"""The append-only ledger: ``ledgers/YYYY-MM.yaml``, one entry per line.

Each line is ``- `` followed by a JSON object with sorted keys. JSON is YAML's flow
style, so the whole file is a YAML list that ``yaml.safe_load`` reads, while the
fast path reads each line with ``json.loads``. Characters that YAML 1.1 reads
differently from JSON are escaped, so both readers return the same entry.

Each entry carries ``hash`` = sha256(previous hash + canonical JSON of the entry
without its hash); a file's first entry chains to a genesis value naming the month.
Appends take one lock for the whole workspace, read the tail, write, flush, fsync.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from zoudu.errors import UnsafeToAppend, ZouduError
from zoudu.i18n import _
from zoudu.model import LEAVE, Entry, Problem

HEADER = "# zoudu ledger {month}: append-only, one entry per line; correct a mistake with `zoudu void`.\n"
LEDGER_NAME = re.compile(r"(\d{4}-\d{2})\.yaml")
# YAML 1.1 reads these differently from JSON inside a double-quoted scalar (line
# breaks are folded, non-printables are refused), so they are always escaped.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_TAIL_CHUNK = 64 * 1024
ROSTER_LOG = "roster.yaml"


def genesis(month: str) -> str:
    return hashlib.sha256(f"zoudu genesis {month}".encode()).hexdigest()


def chain_hash(prev: str, fields: dict[str, Any]) -> str:
    """The hash of an entry: its fields without ``hash``, chained to ``prev``."""
    body = {k: v for k, v in fields.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def encode_line(fields: dict[str, Any]) -> str:
    """One entry as one line: ``- {json}\\n`` that JSON and YAML read alike."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    text = _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return f"- {text}\n"


def decode_line(line: str, where: str) -> dict[str, Any]:
    """One line back to its fields: JSON fast path, checked YAML for hand edits."""
    if line.startswith("- {"):
        try:
            value = json.loads(line[2:])
            if isinstance(value, dict):
                return value
        except ValueError:
            pass
    from zoudu.ledger.yamlsafe import compose  # a person edited this line: read it as YAML
    import yaml

    node = compose(line, where)
    if not (isinstance(node, yaml.SequenceNode) and len(node.value) == 1
            and isinstance(node.value[0], yaml.MappingNode)):
        raise ZouduError(_("not a ledger entry (expected '- {...}' on one line)"), where)
    try:
        value = yaml.safe_load(line)[0]
    except yaml.YAMLError:  # e.g. a list as a key: YAML, but not an entry
        raise ZouduError(_("not a ledger entry (expected '- {...}' on one line)"), where) from None
    return {k: _plain(v) for k, v in value.items()}


def _plain(value: Any) -> Any:
    """YAML 1.1 turns hand-typed dates into objects; entries store text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# ----------------------------------------------------------------------------- reading


@dataclass(slots=True)
class Scan:
    """What reading one ledger file gave: entries, problems, and its chain head."""

    entries: list[Entry]
    problems: list[Problem]
    head: str


def month_of_file(path: Path) -> str:
    """The month a ledger file holds; ``roster`` for the roster log, which is chained the same way."""
    if path.name == ROSTER_LOG:
        return "roster"
    m = LEDGER_NAME.fullmatch(path.name)
    if not m:
        raise ZouduError(_("not a ledger file name (expected YYYY-MM.yaml)"), str(path))
    return m.group(1)


def iter_lines(path: Path) -> Iterator[tuple[int, str | None, bool]]:
    """(line number, text or None if not UTF-8, ends with newline).

    Decodes the whole file at once (the common case); only a file with bad
    bytes is decoded line by line, to name the lines that are bad.
    """
    data = path.read_bytes()
    try:
        parts: list = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        parts = data.split(b"\n")
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if index == last:
            if part:
                yield index + 1, _text(part), False
            return
        yield index + 1, _text(part), True


def _text(part: str | bytes) -> str | None:
    if isinstance(part, str):
        return part
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError:
        return None


def to_entry(fields: dict[str, Any], file: str, line: int) -> Entry:
    """Fields of a line to an Entry; KeyError/ValueError/TypeError on a bad shape."""
    at, recorded = _aware(fields, "at"), _aware(fields, "recorded")
    if fields["kind"] == LEAVE:
        _aware(fields, "until")  # read where the leave is used; checked here, once for every reader
    return Entry(fields["id"], fields["kind"], at, recorded, fields["by"], fields.get("cadre"), fields, fields["hash"],
                 file, line)



def _aware(fields: dict[str, Any], key: str) -> dt.datetime:
    """A stored time, which always carries its UTC offset (one without could be any hour)."""
    value = fields[key]
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(_("the time field '{key}' is not a time: {value}").format(key=key, value=value)) from None
    if moment.tzinfo is None:
        raise ValueError(_("the time field '{key}' has no UTC offset: {value}").format(key=key, value=value))
    return moment


def parse_line(text: str, shown_as: str, number: int, problems: list[Problem]) -> Entry | None:
    """One line to an Entry (JSON, or checked YAML for a hand edit); damage becomes a Problem."""
    try:
        fields = None
        if text.startswith("- {"):
            try:
                fields = json.loads(text[2:])
            except ValueError:
                fields = None
        if not isinstance(fields, dict):
            fields = decode_line(text, f"{shown_as}:{number}")
        return to_entry(fields, shown_as, number)
    except ZouduError as e:
        problems.append(Problem(shown_as, number, e.message))
    except (KeyError, ValueError, TypeError) as e:
        problems.append(Problem(shown_as, number, _("entry lacks or mangles a field: {field}").format(field=e)))
    return None


def read_ledger(path: Path, shown_as: str, check_chain: bool = False) -> Scan:
    """Every entry of one file; damage becomes Problems with ``file:line``, never exceptions."""
    month = month_of_file(path)
    entries: list[Entry] = []
    problems: list[Problem] = []
    prev = genesis(month)
    for number, text, complete in iter_lines(path):
        if text is None:
            problems.append(Problem(shown_as, number, _("not valid UTF-8 text")))
            continue
        if not complete:
            problems.append(Problem(shown_as, number, _(
                "incomplete last line (a write was cut off); run 'zoudu verify --repair'"), "torn"))
            break
        if not text.strip() or text.startswith("#"):
            continue
        entry = parse_line(text, shown_as, number, problems)
        if entry is None:
            continue
        fields = entry.data
        if check_chain:
            expected = chain_hash(prev, fields)
            if fields.get("hash") != expected:
                problems.append(Problem(shown_as, number, _(
                    "hash chain broken: this line was edited, or a line before it was removed, added or moved"),
                    "chain"))
            prev = fields.get("hash", "")
        entries.append(entry)
    return Scan(entries, problems, prev if check_chain else (entries[-1].hash if entries else genesis(month)))


# ----------------------------------------------------------------------------- appending


class WorkspaceLock:
    """An exclusive lock across processes, held for a whole read-tail/append.

    On POSIX this is ``flock`` on ``ledgers/.lock``: the kernel drops it when the
    holder dies, even by SIGKILL. The ``filelock`` package does the same but costs
    20 ms of import on every command a clerk runs, so it is used only on Windows.
    """

    def __init__(self, ledgers: Path):
        self.path = ledgers / ".lock"
        self._fd: int | None = None
        self._fallback = None

    def __enter__(self) -> "WorkspaceLock":
        try:
            import fcntl
        except ImportError:  # Windows
            from filelock import FileLock

            self._fallback = FileLock(str(self.path), timeout=120)
            self._fallback.acquire()
            return self
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise ZouduError(_("cannot open the lock file: {error}").format(error=e.strerror), str(self.path)) from None
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fallback is not None:
            self._fallback.release()
        elif self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def workspace_lock(ledgers: Path) -> WorkspaceLock:
    """The one exclusive lock that every writer of the workspace takes."""
    return WorkspaceLock(ledgers)


def _tail(fh, size: int) -> tuple[bytes, bool]:
    """The last line (without its newline) and whether the file ends with a newline.

    Reads backwards from the end only, so the cost does not grow with the ledger.
    """
    fh.seek(size - 1)
    clean = fh.read(1) == b"\n"
    end = size - 1 if clean else size
    pos, buf = end, b""
    while pos > 0:
        step = min(_TAIL_CHUNK, pos)
        pos -= step
        fh.seek(pos)
        buf = fh.read(step) + buf
        cut = buf.rfind(b"\n")
        if cut != -1:
            return buf[cut + 1:], clean
    return buf, clean


def _line_number(fh, offset_end: int) -> int:
    fh.seek(0)
    return fh.read(offset_end).count(b"\n") + 1


def _last_entry(path: Path, shown_as: str, month: str) -> tuple[str, int, str | None]:
    """(hash, sequence number, recorded time) of the last entry, refusing a torn or garbled tail."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return genesis(month), 0, None
        last, clean = _tail(fh, size)
        if not clean:
            line = _line_number(fh, size)
            raise UnsafeToAppend(_(
                "the last line is incomplete (a write was cut off); nothing was recorded. "
                "Run 'zoudu verify --repair' to set it aside"), f"{shown_as}:{line}")
        text = last.decode("utf-8", errors="replace")
        if not text.strip() or text.startswith("#"):
            # A comment or blank line at the end (a header, or a hand edit):
            # the rare slow path reads the whole file to find the last entry.
            scan = read_ledger(path, shown_as)
            if scan.problems:
                first = scan.problems[0]
                raise UnsafeToAppend(first.message, first.where)
            if not scan.entries:
                return genesis(month), 0, None
            last_entry = scan.entries[-1]
            return last_entry.hash, int(last_entry.id.rsplit("-", 1)[1]), last_entry.data.get("recorded")
        try:
            fields = decode_line(text, shown_as)
            return fields["hash"], int(str(fields["id"]).rsplit("-", 1)[1]), fields.get("recorded")
        except (ZouduError, KeyError, ValueError, IndexError, TypeError):
            line = _line_number(fh, size) - 1
            raise UnsafeToAppend(_(
                "the last entry cannot be read, so nothing can be chained to it; run 'zoudu verify'"),
                f"{shown_as}:{line}") from None


def append(path: Path, shown_as: str, new: list[dict[str, Any]],
           clock: Callable[[], str] | None = None, header: str | None = None) -> list[dict[str, Any]]:
    """Append entries (without id/hash) under the workspace lock; returns them complete.

    The caller holds ``workspace_lock``. One write, flush and fsync per call;
    a new file gets a header line and its folder is fsynced too. ``clock`` gives
    the recorded time, read here under the lock so that recorded times never go
    backwards within a file; an entry recorded before the last one (a clock set
    back) is refused.
    """
    month = month_of_file(path)
    created = not path.exists()
    prev, seq, last_recorded = (genesis(month), 0, None) if created else _last_entry(path, shown_as, month)
    if clock is not None:  # the recording commands: the time is taken here, and may not go back
        stamp = clock()
        new = [dict(f, recorded=stamp) if "recorded" in f else f for f in new]
        _check_clock(new, last_recorded, shown_as)
    chunks: list[str] = [(header or HEADER.format(month=month))] if created else []
    done: list[dict[str, Any]] = []
    for fields in new:
        seq += 1
        fields = dict(fields, id=f"{month}-{seq:04d}")
        fields["hash"] = chain_hash(prev, fields)
        prev = fields["hash"]
        chunks.append(encode_line(fields))
        done.append(fields)
    data = "".join(chunks).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return done


def _check_clock(new: list[dict[str, Any]], last_recorded: str | None, shown_as: str) -> None:
    try:
        last = dt.datetime.fromisoformat(last_recorded) if last_recorded else None
    except (TypeError, ValueError):
        return  # a damaged time is verify's to name
    for fields in new:
        if last is None or "recorded" not in fields:
            continue
        moment = dt.datetime.fromisoformat(fields["recorded"])
        if moment < last:
            raise ZouduError(_("the clock is behind the ledger: its last entry was recorded at {last}, and this "
                               "machine says {now}; nothing was recorded (set the clock right)").format(
                last=last_recorded, now=fields["recorded"]), shown_as)


def repair(path: Path, shown_as: str) -> str | None:
    """Move an incomplete last line to a side file; returns the side file's name.

    Only bytes after the last newline are moved: every complete line stays.
    The caller holds ``workspace_lock``.
    """
    with open(path, "rb+") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return None
        fh.seek(0)
        data = fh.read()
        if data.endswith(b"\n"):
            return None
        cut = data.rfind(b"\n") + 1
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        side = path.with_name(f"{path.name}.torn-{stamp}")
        with open(side, "wb") as out:
            out.write(data[cut:])
            out.flush()
            os.fsync(out.fileno())
        fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())
    return side.name
