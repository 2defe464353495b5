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
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from zoudu.errors import UnsafeToAppend, ZouduError
from zoudu.i18n import _
from zoudu.model import LEAVE, Entry, Problem

HEADER = "# zoudu ledger {month}: append-only, one entry per line; correct a mistake with `zoudu void`.\n"
# ASCII digits only: ``\d`` would take "２０２６-１１" too and make a phantom month's file.
LEDGER_NAME = re.compile(r"([0-9]{4}-(?:0[1-9]|1[0-2]))\.yaml")
# YAML 1.1 reads these differently from JSON inside a double-quoted scalar (line
# breaks are folded, non-printables are refused), so they are always escaped.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_TAIL_CHUNK = 64 * 1024
# No line zoudu writes comes near this (a text field holds at most 2,000 characters): a longer
# one is garbage, and reading further would only hold the workspace lock for nothing.
MAX_LINE = 1 << 20
_BLOCK = 1 << 20  # bytes read and decoded at a time
_BOM = "\ufeff"
# A write the file system refused for lack of room: said as "disk full".
_FULL = {"ENOSPC", "EDQUOT", "EFBIG"}
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


def iter_lines(path: Path, digest: Any = None) -> Iterator[tuple[int, str | None, bool]]:
    """(line number, text or None if not UTF-8 or too long, ends with newline).

    Reads the file a megabyte at a time and decodes each block at once (the common case);
    only a block with bad bytes is decoded line by line, to name the lines that are bad.
    Memory holds a block and its lines, never the whole file: a line longer than ``MAX_LINE``
    is yielded as None and its bytes dropped as they are read. ``digest`` (a hashlib-like
    object) is fed every byte read, so that it vouches for exactly what was read.
    """
    with open_ledger(path) as fh:
        number = 0
        rest = b""
        skipping = False  # inside a line longer than MAX_LINE
        while True:
            block = fh.read(_BLOCK)
            if not block:
                break
            if digest is not None:
                digest.update(block)
            data = rest + block if rest else block
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                complete = data[:cut - 1]
                try:
                    parts: list = complete.decode("utf-8").split("\n")
                except UnicodeDecodeError:
                    parts = complete.split(b"\n")
                del complete, data
                for part in parts:
                    number += 1
                    if skipping or len(part) > MAX_LINE:
                        skipping = False
                        yield number, None, True
                    else:
                        yield number, _text(part), True
            if len(rest) > MAX_LINE:
                skipping, rest = True, b""
        if skipping:
            yield number + 1, None, False
        elif rest:
            yield number + 1, _text(rest), False


def open_ledger(path: Path, mode: str = "rb"):
    """A ledger file opened for reading, refusing a symlink (it could lead out of the workspace) and
    anything but a regular file (a FIFO would hang), with one-line errors naming it."""
    shown = str(path)
    try:
        fd = os.open(path, (os.O_RDWR if "+" in mode else os.O_RDONLY) | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise _open_error(e, path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ZouduError(_("a ledger must be a regular file"), shown)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, mode)
    except BaseException:
        os.close(fd)
        raise


def _open_error(e: OSError, path: Path) -> ZouduError:
    if e.errno == errno.ELOOP or path.is_symlink():
        return ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"), str(path))
    if e.errno == errno.ENOENT:
        return ZouduError(_("file not found"), str(path))
    return ZouduError(_("cannot read file: {error}").format(error=e.strerror), str(path))


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


_SCAN = json.JSONDecoder().scan_once  # the C scanner json.loads ends in, without its two Python layers


def _json_object(text: str) -> dict[str, Any] | None:
    """The JSON object after ``- `` (what ``json.loads(text[2:])`` gives), or None when it is not one."""
    try:
        value, end = _SCAN(text, 2)
    except (StopIteration, ValueError, RecursionError):
        return None
    if end != len(text) and text[end:].strip(" \t\r\n"):
        return None
    return value if isinstance(value, dict) else None


def parse_line(text: str, shown_as: str, number: int, problems: list[Problem]) -> Entry | None:
    """One line to an Entry (JSON, or checked YAML for a hand edit); damage becomes a Problem."""
    try:
        fields = _json_object(text) if text.startswith("- {") else None
        if fields is None:
            fields = decode_line(text, f"{shown_as}:{number}")
        return to_entry(fields, shown_as, number)
    except ZouduError as e:
        problems.append(Problem(shown_as, number, e.message))
    except (KeyError, ValueError, TypeError) as e:
        problems.append(Problem(shown_as, number, _("entry lacks or mangles a field: {field}").format(field=e)))
    return None


def fast_chain(text: str, prev: str) -> str | None:
    """The line's hash when it chains to ``prev``, checked from the line's own text (no decoding,
    no re-serialising): the canonical JSON is the line the tool wrote with the hash dropped, the
    separators tightened and non-ASCII escaped. None means "decide the slow way" (a hand edit,
    a note holding '", ', a character outside the BMP), never "broken"."""
    if not text.startswith('- {"'):
        return None
    flat = text.encode("ascii", "backslashreplace")
    j = flat.find(b'"hash": "')
    if j <= 0 or flat[j + 73:j + 76] != b'", ':
        return None
    stored = flat[j + 9:j + 73]
    canonical = (flat[2:j] + flat[j + 76:]).replace(b", ", b",").replace(b": ", b":")
    if hashlib.sha256(b"".join((prev.encode(), b"\n", canonical))).hexdigest().encode() == stored:
        return stored.decode()
    return None


def read_ledger(path: Path, shown_as: str, check_chain: bool = False, digest: Any = None) -> Scan:
    """Every entry of one file; damage becomes Problems with ``file:line``, never exceptions."""
    month = month_of_file(path)
    entries: list[Entry] = []
    problems: list[Problem] = []
    prev = genesis(month)
    for number, text, complete in iter_lines(path, digest):
        if not complete:
            # A cut can fall inside a multi-byte character: the line is then also not UTF-8.
            problems.append(Problem(shown_as, number, _(
                "incomplete last line (a write was cut off); run 'zoudu verify --repair'"), "torn"))
            break
        if text is None:
            problems.append(Problem(shown_as, number, _(
                "not valid UTF-8 text, or a line longer than any zoudu writes (1 MiB)")))
            continue
        if number == 1 and text.startswith(_BOM):
            problems.append(Problem(shown_as, number, _(
                "the file starts with a byte-order mark (BOM, the bytes EF BB BF) that an editor added; "
                "zoudu never writes one: remove it (save as UTF-8 without BOM, or "
                "sed -i '1s/^\\xEF\\xBB\\xBF//' FILE)")))
            text = text[1:]
        if not text.strip() or text.startswith("#"):
            continue
        entry = parse_line(text, shown_as, number, problems)
        if entry is None:
            continue
        fields = entry.data
        if check_chain:
            if fast_chain(text, prev) is not None:
                prev = fields["hash"]
                entries.append(entry)
                continue
            try:
                expected = chain_hash(prev, fields)
            except (TypeError, ValueError):  # not JSON-able (a hand edit in YAML): it cannot match
                expected = None
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
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as e:
                if e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM) or not self.path.is_file():
                    raise
                # a read-only mount: flock works on a read-only descriptor, and the write that
                # follows is refused in one line naming what the file system said
                self._fd = os.open(self.path, os.O_RDONLY)
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


class LineTooLong(UnsafeToAppend):
    """The last line of a ledger runs past ``MAX_LINE`` bytes: not a line zoudu wrote."""


def _tail(fh, size: int) -> tuple[bytes, bool]:
    """The last line (without its newline) and whether the file ends with a newline.

    Reads backwards from the end a chunk at a time, each chunk once, so the cost does not
    grow with the ledger; gives up past ``MAX_LINE`` bytes without a newline.
    """
    fh.seek(size - 1)
    clean = fh.read(1) == b"\n"
    end = size - 1 if clean else size
    pos, chunks = end, []
    while pos > 0:
        if end - pos > MAX_LINE:
            raise LineTooLong("")
        step = min(_TAIL_CHUNK, pos)
        pos -= step
        fh.seek(pos)
        chunk = fh.read(step)
        cut = chunk.rfind(b"\n")
        if cut != -1:
            chunks.append(chunk[cut + 1:])
            break
        chunks.append(chunk)
    last = b"".join(reversed(chunks))
    if len(last) > MAX_LINE:
        raise LineTooLong("")
    return last, clean


def _line_number(fh, offset_end: int) -> int:
    """The number of the line that holds byte ``offset_end - 1``, counted a megabyte at a time."""
    fh.seek(0)
    count, left = 1, offset_end
    while left > 0:
        block = fh.read(min(left, 1 << 20))
        if not block:
            break
        count += block.count(b"\n")
        left -= len(block)
    return count


def _last_entry(path: Path, shown_as: str, month: str) -> tuple[str, int, str | None]:
    """(hash, sequence number, recorded time) of the last entry, refusing a torn or garbled tail."""
    with open_ledger(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return genesis(month), 0, None
        try:
            last, clean = _tail(fh, size)
        except LineTooLong:
            raise LineTooLong(_(
                "the last line is too long (more than 1 MiB): not a zoudu ledger line; nothing was recorded. "
                "Run 'zoudu verify --repair' to set it aside"), shown_as) from None
        if not clean:
            line = _line_number(fh, size)
            raise UnsafeToAppend(_(
                "the last line is incomplete (a write was cut off); nothing was recorded. "
                "Run 'zoudu verify --repair' to set it aside"), f"{shown_as}:{line}")
        text = last.decode("utf-8", errors="replace")
        if not text.strip() or text.startswith("#") or text.startswith(_BOM):
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


def write_error(e: OSError, shown_as: str) -> ZouduError:
    """A write the file system refused, as one line: a full disk said plainly, others as what they are."""
    name = errno.errorcode.get(e.errno or 0, "")
    if name in _FULL:
        return ZouduError(_("disk full: nothing was recorded"), shown_as)
    return ZouduError(_("the file system refused the write ({error}): nothing was recorded").format(
        error=e.strerror or name or e), shown_as)


def append(path: Path, shown_as: str, new: list[dict[str, Any]],
           clock: Callable[[], str] | None = None, header: str | None = None) -> list[dict[str, Any]]:
    """Append entries (without id/hash) under the workspace lock; returns them complete.

    The caller holds ``workspace_lock``. One write, flush and fsync per call;
    a new file gets a header line and its folder is fsynced too. ``clock`` gives
    the recorded time, read here under the lock so that recorded times never go
    backwards within a file; an entry recorded before the last one (a clock set
    back) is refused. A write the file system refuses (a full disk, a file-size
    limit, a read-only mount) is undone: the file is cut back to its size before the
    write (a new file is removed) and the error is one line (ZouduError); nothing was
    recorded.
    """
    month = month_of_file(path)
    if path.is_symlink():
        raise ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"), shown_as)
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
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | (os.O_EXCL if created else 0), 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"),
                             shown_as) from None
        raise write_error(e, shown_as) from None
    try:
        before = os.fstat(fd).st_size  # under the lock: nobody else writes meanwhile
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as e:
            _undo(fd, path, before, created)
            raise write_error(e, shown_as) from None
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)
    return done


def _undo(fd: int, path: Path, before: int, created: bool) -> None:
    """Cut a refused write back off: the file as it was (a file just created, gone)."""
    try:
        if created:
            os.unlink(path)
        os.ftruncate(fd, before)
        os.fsync(fd)
    except OSError:
        pass


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
    """Mend the end of a ledger; returns the side file's name when bytes were set aside.

    A last line that only lacks its newline (an editor dropped it), yet parses and chains to
    the entry before it, keeps its entry: the newline is added (its id is never reused).
    Otherwise the bytes after the last newline move to a side file, as does a last line
    longer than any zoudu writes: every complete line stays. The caller holds ``workspace_lock``.
    """
    month = month_of_file(path)
    with open_ledger(path, "rb+") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return None
        fh.seek(size - 1)
        clean = fh.read(1) == b"\n"
        try:
            last, clean = _tail(fh, size)
        except LineTooLong:
            last = None
        if clean and last is not None:
            return None
        if last is not None and _chains(fh, size - len(last), last, month):
            fh.seek(0, os.SEEK_END)
            fh.write(b"\n")
            fh.flush()
            os.fsync(fh.fileno())
            return ""
        cut = _last_newline(fh, size - (1 if clean else 0)) + 1
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        side = path.with_name(f"{path.name}.torn-{stamp}")
        with open(side, "wb") as out:
            fh.seek(cut)
            while True:
                block = fh.read(1 << 20)
                if not block:
                    break
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())
    return side.name


def _last_newline(fh, end: int) -> int:
    """Offset of the last newline before ``end`` (-1 when none), reading backwards."""
    pos = end
    while pos > 0:
        step = min(1 << 20, pos)
        pos -= step
        fh.seek(pos)
        cut = fh.read(step).rfind(b"\n")
        if cut != -1:
            return pos + cut
    return -1


def _chains(fh, start: int, last: bytes, month: str) -> bool:
    """Does ``last`` (a line without its newline, at ``start``) parse and chain to the entry before it?"""
    try:
        text = last.decode("utf-8")
    except UnicodeDecodeError:
        return False
    problems: list[Problem] = []
    if not text.startswith("- {") or (entry := parse_line(text, "", 0, problems)) is None:
        return False
    prev = genesis(month)
    end = start - 1  # the newline before the last line
    while end > 0:
        cut = _last_newline(fh, end)
        fh.seek(cut + 1)
        line = fh.read(end - cut - 1)
        end = cut
        try:
            before = line.decode("utf-8")
        except UnicodeDecodeError:
            return False
        if not before.strip() or before.startswith("#") or before.startswith(_BOM):
            continue
        previous = parse_line(before, "", 0, problems)
        if previous is None:
            return False
        prev = previous.hash
        break
    try:
        return entry.data.get("hash") == chain_hash(prev, entry.data)
    except (TypeError, ValueError):
        return False
