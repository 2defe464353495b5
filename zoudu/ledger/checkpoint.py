"""A township's checkpoints: every entry it has recorded, as one RFC 6962 tree signed in C2SP's
formats (docs/trust-model.md#checkpoints-and-the-county).

The leaves are the entries' chain hashes (32 bytes each), in the order the seals saw them: each
seal records ``log``, how many entries each file held when it was made (the roster log as
``roster``, each month by its name); the leaves of a seal's tree are the leaves of the seal
before, followed by each file's entries added since (the roster first, then the months in
order). A township that only appends therefore makes every checkpoint extend the one before
(the same leaves, in order, as a prefix), and the county checks exactly that by recomputing
the trees from a copy of the ledgers. The seal itself is not among its own leaves: its tree is
made before it is written (it is a leaf of the next one).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Iterable, Mapping, NamedTuple, Sequence

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger import tlog
from zoudu.ledger.workspace import Workspace
from zoudu.model import Entry

ROSTER_LOG = "roster"


def origin(ws: Workspace, seals: Sequence[Entry] = ()) -> str:
    """``zoudu/<county>/<township>``: the name of the township's log and of its checkpoint key.

    Taken from the first checkpoint made (a township renamed in rules.yaml keeps its log's name),
    else from rules.yaml; spaces and '+' (which a note's key name may not hold) become '_'."""
    for seal in seals:
        if seal.data.get("origin"):
            return str(seal.data["origin"])
    name = f"zoudu/{ws.settings.county}/{ws.settings.township}"
    return "".join("_" if ch.isspace() or ch == "+" else ch for ch in name)


def _order(name: str) -> tuple[int, str]:
    return (0, "") if name == ROSTER_LOG else (1, name)


class Tree:
    """An RFC 6962 tree grown one leaf at a time: the roots of its perfect subtrees, left to right."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, hash)

    def append(self, data: bytes) -> None:
        node, height = tlog.leaf_hash(data), 0
        while self._stack and self._stack[-1][0] == height:
            node = tlog.node_hash(self._stack.pop()[1], node)
            height += 1
        self._stack.append((height, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return tlog.merkle_root([])
        node = self._stack[-1][1]
        for _height, left in reversed(self._stack[:-1]):
            node = tlog.node_hash(left, node)
        return node


class Grown(NamedTuple):
    """One seal's tree as the ledgers give it now: its size and root, or what is missing."""

    size: int
    root: bytes
    missing: str | None  # a file that holds fewer entries than the seal counted (cut), else None


def file_entries(ws: Workspace, name: str, strict: bool = True) -> list[Entry]:
    """A file's entries; ``strict`` refuses (ZouduError) a file with damage, else its entries as read
    (then a damaged line shows as a root that no longer matches, reported by ``check_trees``)."""
    from zoudu.ledger.store import read_ledger

    from zoudu.ledger.roster import ROSTER

    path = ws.root / ROSTER if name == ROSTER_LOG else ws.ledger_path(name)
    if not path.exists():
        return []
    scan = read_ledger(path, ws.shown(path), check_chain=True)
    if scan.problems and strict:
        first = scan.problems[0]
        raise ZouduError(first.message, first.where)
    return scan.entries


def current_log(ws: Workspace) -> dict[str, int]:
    """How many entries each file holds now (the roster log and every month)."""
    from zoudu.ledger.roster import ROSTER

    log = {ROSTER_LOG: len(file_entries(ws, ROSTER_LOG))} if (ws.root / ROSTER).exists() else {}
    for month in ws.months():
        log[month] = len(file_entries(ws, month))
    return log


def grow(ws: Workspace, logs: Iterable[Mapping[str, int]], strict: bool = True) -> list[Grown]:
    """The tree of each log in turn (cumulative counts, oldest first), from the ledgers as they are."""
    hashes: dict[str, list[bytes]] = {}
    tree, seen, out = Tree(), {}, []
    missing: str | None = None
    for log in logs:
        for name in sorted(log, key=_order):
            if name not in hashes:
                hashes[name] = [_leaf(e) for e in file_entries(ws, name, strict)]
            start, end = seen.get(name, 0), int(log[name])
            if end > len(hashes[name]) or end < start:
                missing = missing or name
                end = min(max(end, start), len(hashes[name]))
            for leaf in hashes[name][start:end]:
                tree.append(leaf)
            seen[name] = max(end, start)
        out.append(Grown(tree.size, tree.root(), missing))
    return out


def _leaf(entry: Entry) -> bytes:
    """An entry's leaf: its chain hash's 32 bytes (a hash edited into something else still gives a leaf,
    one that no signed root holds)."""
    try:
        raw = bytes.fromhex(str(entry.hash))
    except ValueError:
        raw = b""
    return raw if len(raw) == 32 else hashlib.sha256(str(entry.hash).encode("utf-8")).digest()


def checkpoint_of(seal: Entry, seals: Sequence[Entry]) -> tlog.Checkpoint | None:
    """The checkpoint a seal signed (None for a seal made before checkpoints)."""
    tree = seal.data.get("tree")
    if not tree:
        return None
    return tlog.Checkpoint(str(seal.data.get("origin")), int(tree[0]), base64.b64decode(str(tree[1])))


def signed_note(seal: Entry) -> str | None:
    """The seal's checkpoint as a signed note: its text and the township's signature line."""
    cp = checkpoint_of(seal, ())
    if cp is None or not seal.data.get("checkpoint"):
        return None
    blob = base64.b64decode(str(seal.data["checkpoint"]))
    return tlog.join_note(cp.text(), [tlog.Signature(cp.origin, blob[:4], blob[4:])])


def checkpoint_fields(ws: Workspace, earlier: Sequence[Entry], key) -> dict:
    """What a new seal adds for its checkpoint: the log, the tree over every entry recorded so far,
    the origin and the township's note signature of the checkpoint. Refuses (ZouduError) when
    the ledgers no longer hold what an earlier checkpoint covered: a new one would hide the cut."""
    logs = [e.data["log"] for e in earlier if e.data.get("log")]
    log = current_log(ws)
    grown = grow(ws, [*logs, log])
    for seal, was in zip((e for e in earlier if e.data.get("log")), grown):
        cp = checkpoint_of(seal, earlier)
        if was.missing or cp is None or (cp.size, cp.root) != (was.size, was.root):
            raise ZouduError(_("the ledgers no longer hold what the checkpoint of seal {id} covered (a line was "
                               "cut or changed); run 'zoudu verify'; nothing was recorded").format(id=seal.id),
                             seal.where)
    name = origin(ws, earlier)
    cp = tlog.Checkpoint(name, grown[-1].size, grown[-1].root)
    sig = tlog.sign_note(cp.text(), name, key)
    return {"origin": name, "log": log, "tree": [cp.size, base64.b64encode(cp.root).decode()],
            "checkpoint": base64.b64encode(sig.id + sig.blob).decode()}


def check_trees(ws: Workspace, seals: Sequence[Entry]) -> list[tuple[Entry, str]]:
    """Each seal whose checkpoint the ledgers no longer give, with why (a cut file, another root)."""
    with_log = [e for e in seals if e.data.get("log")]
    bad: list[tuple[Entry, str]] = []
    for seal, was in zip(with_log, grow(ws, [e.data["log"] for e in with_log], strict=False)):
        cp = checkpoint_of(seal, seals)
        if was.missing:
            bad.append((seal, _("{file} holds fewer entries than the checkpoint of seal {id} counted").format(
                file=was.missing, id=seal.id)))
        elif cp is None or (cp.size, cp.root) != (was.size, was.root):
            bad.append((seal, _("the entries no longer give the root the checkpoint of seal {id} signed (an entry "
                                "was changed, removed or reordered)").format(id=seal.id)))
    return bad
