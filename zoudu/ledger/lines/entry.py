"""A ledger line read into an ``Entry`` (its fast path and fallback), and a file's lines read one
after another with the hash chain checked line by line (docs/ledger-format.md#ledger-lines)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Iterable, Iterator

import msgspec

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.lines import BOM, MAX_LINE, chain_hash, genesis
from zoudu.model import LEAVE, Entry, Problem


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


