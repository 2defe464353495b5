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
import gc
import os
import re
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import msgspec

from zoudu import system
from zoudu.errors import ZouduError
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


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """For reading many entries: a month's are a few hundred thousand small objects without
    reference cycles, which the cyclic collector would only walk again and again as they pile up
    (a quarter of an audit's time). It is put back as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def month_of_file(path: Path) -> str:
    """The month a ledger file holds; ``roster`` for the roster log, which is chained the same way."""
    if path.name == ROSTER_LOG:
        return "roster"
    m = LEDGER_NAME.fullmatch(path.name)
    if not m:
        raise ZouduError(_("not a ledger file name (expected YYYY-MM.yaml)"), str(path))
    return m.group(1)


def iter_blocks(path: Path, digest: Any = None) -> Iterator[tuple[int, list, bool]]:
    """The file's lines a block at a time: (number of the block's first line, its lines, whether
    they end with a newline). A line is a ``str``, or None if it is not UTF-8 or too long.

    Reads the file a megabyte at a time and decodes each block at once (the common case);
    only a block with bad bytes is decoded line by line, to name the lines that are bad.
    Memory holds a block and its lines, never the whole file: a line longer than ``MAX_LINE``
    is None and its bytes dropped as they are read. ``digest`` (a hashlib-like object) is fed
    every byte read, so that it vouches for exactly what was read. Only the last block, of one
    line, may be incomplete.
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
                    if len(complete) > MAX_LINE:
                        parts = [None if len(part) > MAX_LINE else part for part in parts]
                except UnicodeDecodeError:
                    parts = [None if len(part) > MAX_LINE else _text(part) for part in complete.split(b"\n")]
                del complete, data
                if skipping:  # the end of a line too long: None, like its start
                    parts[0], skipping = None, False
                yield number + 1, parts, True
                number += len(parts)
            if len(rest) > MAX_LINE:
                skipping, rest = True, b""
        if skipping:
            yield number + 1, [None], False
        elif rest:
            yield number + 1, [_text(rest)], False


def line_starts(data: bytes, needles: Iterable[bytes]) -> list[int]:
    """Where the lines of ``data`` that contain one of ``needles`` begin, in order: found by
    ``bytes.find`` over the whole text, not by splitting it into lines."""
    starts: set[int] = set()
    for needle in needles:
        at = data.find(needle)
        while at >= 0:
            starts.add(data.rfind(b"\n", 0, at) + 1)
            end = data.find(b"\n", at)
            if end < 0:
                break
            at = data.find(needle, end)
    return sorted(starts)


def open_ledger(path: Path, mode: str = "rb"):
    """A ledger file opened for reading, refusing a symlink (it could lead out of the workspace) and
    anything but a regular file (a FIFO would hang), with one-line errors naming it."""
    shown = str(path)
    try:
        fd = system.open_regular(path, write="+" in mode, follow=False)
    except OSError as e:
        raise _open_error(e, path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ZouduError(_("a ledger must be a regular file"), shown)
        system.blocking(fd)
        return os.fdopen(fd, "rb+" if "+" in mode else "rb")
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
    try:  # the common case in one go; anything odd is said by _aware
        at, recorded = _ISO(fields["at"]), _ISO(fields["recorded"])
        if at.tzinfo is None or recorded.tzinfo is None:
            raise ValueError
    except (TypeError, ValueError):
        at, recorded = _aware(fields, "at"), _aware(fields, "recorded")
    if fields["kind"] == LEAVE:
        _aware(fields, "until")  # read where the leave is used; checked here, once for every reader
    return _ENTRY(Entry, (fields["id"], fields["kind"], at, recorded, fields["by"], fields.get("cadre"), fields,
                          fields["hash"], file, line))



_ISO = dt.datetime.fromisoformat
_ENTRY = tuple.__new__  # Entry(...) without the NamedTuple's Python-level __new__


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


_FAST = msgspec.json.Decoder().decode
_SCAN = json.JSONDecoder().scan_once  # the C scanner json.loads ends in, without its two Python layers


def _json_object(text: str) -> dict[str, Any] | None:
    """The JSON object after ``- `` (what ``json.loads(text[2:])`` gives), or None when it is not one.

    msgspec decodes a line in half the time; what it refuses (NaN, a lone surrogate, a number
    past a double) goes to the standard library's scanner, which gives what json.loads gives."""
    try:
        value = _FAST(text[2:])
        return value if isinstance(value, dict) else None
    except (msgspec.DecodeError, RecursionError):
        pass
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


_CANONICAL = msgspec.json.Encoder(order="sorted").encode


def fast_fields(text: str) -> dict[str, Any] | None:
    """The JSON object after ``- `` as msgspec decodes it (the only fields ``value_chain`` may be
    given); None for anything msgspec refuses (NaN, Infinity, a lone surrogate, YAML ...)."""
    try:
        value = _FAST(text[2:])
    except (msgspec.DecodeError, RecursionError):
        return None
    return value if type(value) is dict else None


def value_chain(fields: dict[str, Any], prev: str) -> str | None:
    """The entry's hash when its fields chain to ``prev``, checked from the decoded values (what
    every reader uses) re-encoded. ``fields`` must be as msgspec decoded them (``fast_fields``):
    values only JSON holds, no NaN or Infinity (msgspec would write those as null), no dates
    from YAML. They are re-encoded thus: msgspec writes them with sorted keys and no spaces, non-ASCII
    is then escaped, and the ``hash`` member is cut out; that is ``chain_hash``'s canonical JSON,
    in a third of the time. None means "decide the slow way" (a value msgspec writes otherwise,
    such as a character outside the BMP), never "broken". The layout of the line plays no part:
    a value changed by as little as a space never passes."""
    try:
        flat = _CANONICAL(fields).decode("utf-8").encode("ascii", "backslashreplace")
        j = flat.index(b'"hash":"')  # the member cut out: "hash":"<64 hex digits>",
        # (a hash edited by hand may be anything, even no text: then the slow way decides)
        digest = hashlib.sha256(b"".join((prev.encode(), b"\n", flat[:j], flat[j + 74:]))).hexdigest()
    except (TypeError, ValueError, OverflowError, AttributeError, msgspec.EncodeError):
        return None
    return digest if digest == fields.get("hash") and flat[j + 72:j + 74] == b'",' else None


def read_ledger(path: Path, shown_as: str, check_chain: bool = False, digest: Any = None) -> Scan:
    """Every entry of one file; damage becomes Problems with ``file:line``, never exceptions."""
    reading = Reading(path, shown_as, check_chain, digest)
    entries = list(reading)
    return Scan(entries, reading.problems, reading.head if check_chain else (
        entries[-1].hash if entries else genesis(reading.month)))


class Reading:
    """One ledger file read entry by entry, a block in memory at a time: iterate it for the
    entries; then ``problems`` holds the damage found (with ``file:line``), ``head`` the chain
    head (with ``check_chain``) and ``count`` the entries given. ``read_ledger`` keeps them all;
    ``verify`` checks them as they come and keeps none."""

    def __init__(self, path: Path, shown_as: str, check_chain: bool = False, digest: Any = None) -> None:
        self.path, self.shown_as, self.check_chain, self.digest = path, shown_as, check_chain, digest
        self.month = month_of_file(path)
        self.problems: list[Problem] = []
        self.head = genesis(self.month)
        self.count = 0

    def __iter__(self) -> Iterator[Entry]:
        shown_as, check_chain, problems = self.shown_as, self.check_chain, self.problems
        prev, count = self.head, self.count
        try:
            for first, lines, complete in iter_blocks(self.path, self.digest):
                for number, text in enumerate(lines, first):
                    if complete and text is not None and text.startswith('- {"'):
                        # the common case, a line as the tool writes it, in one go; anything else (and any
                        # doubt) goes the long way below, which says what is wrong with the line
                        try:
                            fields = _FAST(text[2:])
                            entry = to_entry(fields, shown_as, number) if type(fields) is dict else None
                        except (msgspec.DecodeError, RecursionError, KeyError, ValueError, TypeError):
                            entry = None
                        if entry is not None and (not check_chain or value_chain(fields, prev) is not None):
                            if check_chain:
                                prev = fields["hash"]
                            count += 1
                            yield entry
                            continue
                    if not complete:
                        # A cut can fall inside a multi-byte character: the line is then also not UTF-8.
                        problems.append(Problem(shown_as, number, _(
                            "incomplete last line (a write was cut off); run 'zoudu verify --repair'"), "torn"))
                        break
                    if text is None:
                        problems.append(Problem(shown_as, number, _(
                            "not valid UTF-8 text, or a line longer than any zoudu writes (1 MiB)")))
                        continue
                    if number == 1 and text.startswith(_BOM) and self.month == "roster":
                        text = text[1:]  # the roster log accepts one (an editor's save); a month's ledger does not
                    elif number == 1 and text.startswith(_BOM):
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
                    if check_chain:  # a line the fast way did not take: chain_hash decides
                        try:
                            expected = chain_hash(prev, fields)
                        except (TypeError, ValueError):  # not JSON-able (a hand edit in YAML): it cannot match
                            expected = None
                        if fields.get("hash") != expected:
                            problems.append(Problem(shown_as, number, _(
                                "hash chain broken: this line was edited, or a line before it was removed, added or moved"),
                                "chain"))
                        prev = fields.get("hash", "")
                    count += 1
                    yield entry
        finally:
            self.head, self.count = prev, count


# ----------------------------------------------------------------------------- appending
