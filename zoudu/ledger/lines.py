"""One ledger line, both ways: how it is written, how every command reads it, and how the bytes
of a file are scanned for the few lines worth reading (docs/ledger-format.md#ledger-lines).

A line is ``- `` and a JSON object with sorted keys (``encode_line``). Each entry carries
``hash`` = sha256(previous hash + canonical JSON of the entry without its hash); a file's first
entry chains to a genesis value naming the month (``chain_hash``, ``genesis``).

Reading has a fast path and a fallback, here and nowhere else:

* ``parse_line``: a line to an ``Entry`` (what verify, the recording commands and ``marks`` use):
  msgspec, then the standard library's JSON scanner, then checked YAML for a hand edit.
* ``decode``: a line to the audit's typed ``Line``: msgspec decodes straight into the record;
  what it refuses goes through ``parse_line`` and gives the same record.
* ``Reading``: a file's lines one after another (``blocks``), each checked against the chain
  when asked; ``zoudu verify``, ``read_ledger`` and the audit's chain check run it.

The byte pre-filters (``line_starts``, ``pick_days``, ``pick_mentions``) find lines without
splitting a file; what they search for is written by ``field_needle`` from the entry kinds and
field names (``zoudu.model``), as ``encode_line`` writes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any, Iterable, Iterator

import msgspec

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.model import LEAVE, Entry, Problem

ITEM = "- "  # a line is a YAML list item: this, then the JSON object
_SEPARATORS = (", ", ": ")
# YAML 1.1 reads these differently from JSON inside a double-quoted scalar (line
# breaks are folded, non-printables are refused), so they are always escaped.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# No line zoudu writes comes near this (a text field holds at most 2,000 characters): a longer
# one is garbage, and reading further would only hold the workspace lock for nothing.
MAX_LINE = 1 << 20
BOM = "\ufeff"


# ----------------------------------------------------------------------------- the format


def genesis(month: str) -> str:
    return hashlib.sha256(f"zoudu genesis {month}".encode()).hexdigest()


def chain_hash(prev: str, fields: dict[str, Any]) -> str:
    """The hash of an entry: its fields without ``hash``, chained to ``prev``."""
    body = {k: v for k, v in fields.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def _yaml_safe(text: str) -> str:
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encode_line(fields: dict[str, Any]) -> str:
    """One entry as one line: ``- {json}\\n`` that JSON and YAML read alike."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=_SEPARATORS)
    return f"{ITEM}{_yaml_safe(text)}\n"


def field_needle(key: str, value: str) -> bytes:
    """The bytes of the member ``key: value`` as ``encode_line`` writes it (``"kind": "void"``)."""
    member = json.dumps(key, ensure_ascii=False) + _SEPARATORS[1] + json.dumps(value, ensure_ascii=False)
    return _yaml_safe(member).encode("utf-8")


def kind_needle(kind: str) -> bytes:
    """How a line the tool writes names its kind (``model.VOID`` -> ``"kind": "void"``)."""
    return field_needle("kind", kind)


def kind_mark(kind: str) -> str:
    """``kind_needle`` as text, to look for in a decoded line."""
    return kind_needle(kind).decode("utf-8")


# A line as the tool writes most of them: its time first (``- {"at": "``); only a line with
# "approver" (which sorts before "at") starts otherwise.
TIME_FIRST = (ITEM + "{" + json.dumps("at") + _SEPARATORS[1] + '"').encode()


def stored_offset(offset: dt.timedelta) -> str:
    """A UTC offset as a stored time ends with it (``"+08:00"``)."""
    seconds = int(offset.total_seconds())
    return f"{'+' if seconds >= 0 else '-'}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"


# ----------------------------------------------------------------------------- one line to an Entry


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


# ----------------------------------------------------------------------------- the chain, line by line


_CANONICAL = msgspec.json.Encoder(order="sorted").encode


def value_chain(fields: dict[str, Any], prev: str) -> str | None:
    """The entry's hash when its fields chain to ``prev``, checked from the decoded values (what
    every reader uses) re-encoded. ``fields`` must be as msgspec decoded them: values only JSON
    holds, no NaN or Infinity (msgspec would write those as null), no dates from YAML. They are
    re-encoded thus: msgspec writes them with sorted keys and no spaces, non-ASCII is then
    escaped, and the ``hash`` member is cut out; that is ``chain_hash``'s canonical JSON, in a
    third of the time. None means "decide the slow way" (a value msgspec writes otherwise, such
    as a character outside the BMP), never "broken". The layout of the line plays no part: a
    value changed by as little as a space never passes."""
    try:
        flat = _CANONICAL(fields).decode("utf-8").encode("ascii", "backslashreplace")
        j = flat.index(b'"hash":"')  # the member cut out: "hash":"<64 hex digits>",
        # (a hash edited by hand may be anything, even no text: then the slow way decides)
        digest = hashlib.sha256(b"".join((prev.encode(), b"\n", flat[:j], flat[j + 74:]))).hexdigest()
    except (TypeError, ValueError, OverflowError, AttributeError, msgspec.EncodeError):
        return None
    return digest if digest == fields.get("hash") and flat[j + 72:j + 74] == b'",' else None


def blocks(chunks: Iterable[bytes], first: int = 1) -> Iterator[tuple[int, list, bool]]:
    """The lines of a file given as consecutive ``chunks`` of its bytes, a block at a time: (number
    of the block's first line, its lines, whether they end with a newline). A line is a ``str``,
    or None if it is not UTF-8 or longer than ``MAX_LINE``. ``first``: the number of the first line.

    Each chunk's complete lines are decoded at once (the common case); only a block with bad bytes
    is decoded line by line, to name the lines that are bad. A line longer than ``MAX_LINE`` is
    None and its bytes dropped as they come. Only the last block, of one line, may be incomplete."""
    number = first - 1
    rest = b""
    skipping = False  # inside a line longer than MAX_LINE
    for block in chunks:
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


def _text(part: bytes) -> str | None:
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError:
        return None


class Reading:
    """A file's lines (``blocks``) read entry by entry: iterate it for the entries; then
    ``problems`` holds the damage found (with ``file:line``), ``head`` the chain head (with
    ``check_chain``, from ``head``: the genesis of ``month`` unless given) and ``count`` the
    entries given. Each line the tool wrote is taken in one go (msgspec, and the chain from its
    decoded values); anything else, and any doubt, goes the long way, which says what is wrong."""

    def __init__(self, lines: Iterable[tuple[int, list, bool]], shown_as: str, month: str,
                 check_chain: bool = False, head: str | None = None) -> None:
        self.lines, self.shown_as, self.month, self.check_chain = lines, shown_as, month, check_chain
        self.problems: list[Problem] = []
        self.head = genesis(month) if head is None else head
        self.count = 0

    def __iter__(self) -> Iterator[Entry]:
        shown_as, check_chain, problems = self.shown_as, self.check_chain, self.problems
        prev, count = self.head, self.count
        try:
            for first, lines, complete in self.lines:
                for number, text in enumerate(lines, first):
                    if complete and text is not None and text.startswith('- {"'):
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
                    entry = self._long_way(text, number)
                    if entry is None:
                        continue
                    if check_chain:
                        prev = self._chained(entry, prev)
                    count += 1
                    yield entry
        finally:
            self.head, self.count = prev, count

    def _long_way(self, text: str | None, number: int) -> Entry | None:
        """A line the fast way did not take: its damage said, None for a blank line or a comment."""
        shown_as, problems = self.shown_as, self.problems
        if text is None:
            problems.append(Problem(shown_as, number, _(
                "not valid UTF-8 text, or a line longer than any zoudu writes (1 MiB)")))
            return None
        if number == 1 and text.startswith(BOM) and self.month == "roster":
            text = text[1:]  # the roster log accepts one (an editor's save); a month's ledger does not
        elif number == 1 and text.startswith(BOM):
            problems.append(Problem(shown_as, number, _(
                "the file starts with a byte-order mark (BOM, the bytes EF BB BF) that an editor added; "
                "zoudu never writes one: remove it (save as UTF-8 without BOM, or "
                "sed -i '1s/^\\xEF\\xBB\\xBF//' FILE)")))
            text = text[1:]
        if not text.strip() or text.startswith("#"):
            return None
        return parse_line(text, shown_as, number, problems)

    def _chained(self, entry: Entry, prev: str) -> str:
        """``chain_hash`` decides for a line the fast way did not take; the new chain head."""
        fields = entry.data
        try:
            expected = chain_hash(prev, fields)
        except (TypeError, ValueError):  # not JSON-able (a hand edit in YAML): it cannot match
            expected = None
        if fields.get("hash") != expected:
            self.problems.append(Problem(self.shown_as, entry.line, _(
                "hash chain broken: this line was edited, or a line before it was removed, added or moved"), "chain"))
        return fields.get("hash", "")


# ----------------------------------------------------------------------------- one line to the audit's Line


class Line(msgspec.Struct, kw_only=True):
    """One ledger entry as the audit reads it. Every kind's fields, unused ones left at their
    default; ``at``/``recorded``/``until`` are aware datetimes once read.

    ``place`` and ``reason`` are ``UNSET`` when the line has no such key (a ``null`` there
    means something else: a sign-in without a place is at the configured place)."""

    id: str
    kind: str
    at: Any  # str as decoded, then dt.datetime
    recorded: Any
    by: str
    hash: str
    cadre: str | None = None
    # checkin
    place: str | msgspec.UnsetType = msgspec.UNSET
    approver: str | None = None
    reason: str | msgspec.UnsetType = msgspec.UNSET
    # village
    village: str | None = None
    witness: str | None = None
    stay: bool = False
    note: str | None = None
    # leave, leave_cancel, void
    until: Any = None
    leave_kind: str | None = None
    leave: str | None = None
    target: str | None = None
    # inspection, report, evaluation
    present: list[str] | None = None
    absent: list[str] | None = None
    method: str | None = None
    inspector: str | None = None
    rule: str | None = None
    source: Any = None  # a report's source (text), or an imported punch's (format, device, file, sha256)
    month: str | None = None
    self_grade: str | None = msgspec.field(default=None, name="self")
    peer: str | None = None
    public: str | None = None
    # duty, appeal, review, meeting
    slots: list[str] | None = None
    date: str | None = None
    slot: str | None = None
    decision: str | None = None
    meeting_kind: str | None = None
    # the spot-check draw (draw_commit, draw, draw_disclose; ``month`` above)
    commitment: Any = None
    rounds: Any = None
    per_round: Any = None
    randomness: Any = None
    pool: Any = None
    secret: Any = None
    drawn: Any = None
    # where it was read: set by ``decode``, never taken from the line
    where: str = ""

    def get(self, key: str) -> Any:
        """A field by its stored name, None when absent (like ``dict.get`` on the stored fields)."""
        value = getattr(self, _ATTR.get(key, key), None)
        return None if value is msgspec.UNSET else value


_ATTR = {"self": "self_grade"}  # stored name -> attribute, where they differ
# (attribute, stored name) of every field a line may carry
_FIELDS = [(attr, "self" if attr == "self_grade" else attr) for attr in Line.__struct_fields__ if attr != "where"]
_DECODER = msgspec.json.Decoder(Line)


def decode(text: str, shown: str, number: int, problems: list[Problem]) -> Line | None:
    """One line (``- {...}``) to a Line; damage becomes a Problem (with ``file:line``) and None.

    msgspec checks each field's type while it decodes; a line it refuses (reformatted by hand,
    YAML, a number where text belongs) goes to ``general``, which gives the same record. Times
    are read by ``datetime.fromisoformat`` on both ways; a time without its UTC offset is damage."""
    if text.startswith("- {"):
        try:
            line = _DECODER.decode(text[2:])
            at, recorded = _ISO(line.at), _ISO(line.recorded)
            if at.tzinfo is not None and recorded.tzinfo is not None:
                line.at, line.recorded = at, recorded
                if line.kind != LEAVE:
                    line.where = f"{shown}:{number}"
                    return line
                until = _ISO(line.until)
                if until.tzinfo is not None:
                    line.until = until
                    line.where = f"{shown}:{number}"
                    return line
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError, TypeError):
            pass
    return general(text, shown, number, problems)


def general(text: str, shown: str, number: int, problems: list[Problem]) -> Line | None:
    """The fallback: ``parse_line``'s Entry as a Line, its fields as written."""
    entry = parse_line(text, shown, number, problems)
    if entry is None:
        return None
    data = entry.data
    values = {attr: data[key] for attr, key in _FIELDS if key in data}
    values.update(id=entry.id, kind=entry.kind, at=entry.at, recorded=entry.recorded, by=entry.by,
                  hash=entry.hash, cadre=entry.cadre)
    if entry.kind == LEAVE:
        values["until"] = _ISO(data["until"])  # checked by parse_line: readable and aware
    line = Line(**values)  # values as written: a Struct checks types only when it decodes
    line.where = entry.where
    return line


# ----------------------------------------------------------------------------- the byte pre-filters


Numbered = tuple[int, "str | None", bool]  # (line number, text or None if not UTF-8, complete)


def line_starts(data: bytes | bytearray, needles: Iterable[bytes], end: int | None = None) -> list[int]:
    """Where the lines of ``data`` (its first ``end`` bytes) that contain one of ``needles`` begin,
    in order: found over the whole text, not by splitting it into lines."""
    end = len(data) if end is None else end
    starts: set[int] = set()
    for needle in needles:
        if len(needle) < 8:
            # measured: the regex engine finds a short word twice as fast as bytes.find (it skips
            # ahead to the word's first byte); a long needle is found faster by bytes.find
            hits: Iterable[int] = (m.start() for m in re.compile(re.escape(needle)).finditer(data, 0, end))
        else:
            hits = _finds(data, needle, end)
        line_end = -1
        for hit in hits:
            if hit < line_end:  # on the line already taken
                continue
            starts.add(data.rfind(b"\n", 0, hit) + 1)
            line_end = data.find(b"\n", hit, end)
            if line_end < 0:
                break
    return sorted(starts)


def _finds(data: bytes | bytearray, needle: bytes, end: int) -> Iterator[int]:
    hit = data.find(needle, 0, end)
    while hit >= 0:
        yield hit
        hit = data.find(needle, hit + len(needle), end)


def numbered_starts(data: bytes | bytearray, starts: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(offset, line number) of each of ``starts`` (sorted offsets where lines begin)."""
    line, pos = 1, 0
    for start in starts:
        line += data.count(b"\n", pos, start)
        pos = start
        yield start, line


def lines_at(data: bytes | bytearray, starts: list[int], end: int | None = None) -> list[Numbered]:
    """The whole lines beginning at ``starts`` (sorted), with their line numbers; ``data`` holds
    the file's ``end`` bytes (all of it if None)."""
    end = len(data) if end is None else end
    out: list[Numbered] = []
    for start, line in numbered_starts(data, starts):
        stop = data.find(b"\n", start, end)
        raw = data[start:end] if stop < 0 else data[start:stop]
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        out.append((line, text, stop >= 0))
    return out


def numbered(parts: list[bytes], first: int = 1) -> Iterator[Numbered]:
    """The lines of a file (or of a stretch of it beginning at line ``first``) split at its
    newlines, decoded one at a time: a month's lines are held as UTF-8 bytes (a third of what
    the same text takes as Python strings with Chinese in it). The last part is what follows
    the last newline: an incomplete line unless empty."""
    last = len(parts) - 1
    for index, raw in enumerate(parts):
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if index == last:
            if raw:
                yield index + first, text, False
            return
        yield index + first, text, True


_TIME_FIRST = re.escape(TIME_FIRST)
_OTHER_START = b"(?!" + _TIME_FIRST + rb"|#|\n|$)"  # after a newline: a line not starting with its time


def pick_days(data: bytes | bytearray, days: set[bytes], offset: bytes | None = None,
              slack: set[bytes] = frozenset(), end: int | None = None, kinds: Iterable[str] = (),
              early: tuple[bytes, int, str] | None = None) -> list[Numbered]:
    """Lines dated on one of ``days`` (``b"2026-09-28"``), lines of ``kinds`` (whatever their date),
    and every line that does not start with its time the way the tool writes it (spot checks,
    approved entries, hand edits), which are parsed to find out. Found by scanning the bytes
    (the first ``end`` of ``data``, all if None).

    With ``offset`` (the workspace's, like ``b"+08:00"``), a line dated on a ``slack`` day is
    picked only if its time carries another offset (its local day may then be one of ``days``).
    With ``early`` (a day, an hour and a kind), the entries of that kind dated that day up to that
    hour are picked too (a stay written then covers the evening before)."""
    end = len(data) if end is None else end
    # one scan: a line dated on one of the days, on a slack day at another offset, an entry of the
    # early hours, or not starting the way the tool writes a line (nor a comment, nor blank)
    choices = [_TIME_FIRST + b"(?:" + b"|".join(sorted(days)) + b")"] if days else []
    if slack:
        others = b"|".join(sorted(slack))
        if offset is None:
            choices.append(_TIME_FIRST + b"(?:" + others + b")")
        else:
            choices.append(_TIME_FIRST + b"(?:" + others + b')T[0-9:]{8}(?!' + re.escape(offset) + b'")')
    if early is not None:
        hours = b"|".join(b"%02d" % hour for hour in range(early[1] + 1))
        choices.append(_TIME_FIRST + early[0] + b"T(?:" + hours + b")[^\n]*" + re.escape(kind_needle(early[2])))
    choices.append(_OTHER_START)
    pattern = re.compile(b"\n(?:" + b"|".join(choices) + b")")
    starts = {m.start() + 1 for m in pattern.finditer(data, 0, end)}  # endpos: the bytes past end are not seen
    dated = len(TIME_FIRST)
    if end and not data.startswith((b"#", TIME_FIRST), 0, end) or \
            bytes(data[dated:min(dated + 10, end)]) in days | slack:
        starts.add(0)
    elif early is not None and pattern.match(b"\n" + bytes(data[:min(4096, end)]).split(b"\n", 1)[0]):
        starts.add(0)
    starts.update(line_starts(data, [kind_needle(kind) for kind in kinds], end))
    return lines_at(data, sorted(starts), end)


def pick_mentions(data: bytes | bytearray, needles: Iterable[bytes], end: int | None = None) -> list[Numbered]:
    """Lines that contain one of ``needles`` (in the first ``end`` bytes of ``data``), found
    without splitting the file."""
    return lines_at(data, line_starts(data, needles, end), end)
