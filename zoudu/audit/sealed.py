"""A sealed month is audited as it was sealed (docs/choices.md#sealed-months: dated rules and
sealed inputs).

``sealed_view(ws, month)`` gives, for a month with a final seal, a view of the
workspace (another ``Workspace`` value, ``ws.replace``: ``ws`` itself is left as it is)
whose settings are the rules text the seal names (kept under ``ledgers/rules/``) and
whose roster is the log as long as it was then, and for each
ledger file the last line the seal covered: an entry appended after the seal is late,
not evidence, so editing ``rules.yaml`` or appending to a neighbouring or earlier month
leaves the sealed month's verdicts as they were. None for a month not sealed.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from zoudu.ledger.workspace import Workspace
from zoudu.model import Roster, replay


class SealedView(NamedTuple):
    ws: Workspace  # settings and roster as sealed
    cuts: dict[str, int]  # file as shown -> the last line number the seal covered (0: none)
    rules: str  # ledgers/rules/<sha256>.yaml: the rules text used
    seal: str  # the seal entry's id


def sealed_view(ws: Workspace, month: str) -> SealedView | None:
    from zoudu import model
    from zoudu.ledger import marks, seals
    from zoudu.ledger.settings import load_settings

    # A month's final seal is made after its last day, so it lies in a later month's file:
    # only those are looked at (the audit of the latest month reads no other file for this).
    later = [ws.ledger_path(m) for m in ws.months() if m > month]
    if not any(marks.offsets(path, ws.shown(path), (model.SEAL,)) for path in later):
        return None
    seal = seals.is_sealed(ws, month)
    if seal is None:
        return None
    state = seals.sealed_state(ws, month)  # raises when the sealed rules text is missing or changed
    assert state is not None
    _text, counts, _head = state
    rules_file = f"ledgers/{seals.RULES_DIR}/{seal.data['rules']}.yaml"
    settings = load_settings(ws.root / rules_file, rules_file)
    roster_count = counts.pop("ledgers/roster.yaml")
    roster = ws.roster
    if roster.changes:
        kept = tuple(sorted(roster.changes, key=lambda c: c.line)[:roster_count])
        roster = Roster.of(replay(kept), roster.path, kept)
    cuts = {shown: _line_of_entry(ws.root / shown, count) for shown, count in counts.items()}
    return SealedView(ws.replace(settings=settings, roster=roster), cuts, rules_file, seal.id)


def _line_of_entry(path: Path, count: int) -> int:
    """The line number of the ``count``-th entry of a ledger file (0 for none)."""
    if count <= 0 or not path.exists():
        return 0
    seen = 0
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            if raw.startswith(b"- "):
                seen += 1
                if seen == count:
                    return number
    return number if seen else 0


def rules_diff(ws: Workspace, month: str) -> tuple[str, list[str]]:
    """``zoudu rules diff MONTH``: (the sealed rules file, the unified diff from it to ``rules.yaml``
    as it stands; empty when nothing changed). A month not sealed is a ZouduError."""
    import difflib

    from zoudu.errors import ZouduError
    from zoudu.i18n import _
    from zoudu.ledger import seals
    from zoudu.ledger.workspace import RULES
    from zoudu.timeparse import parse_month

    month = parse_month(month)
    if seals.is_sealed(ws, month) is None:
        raise ZouduError(_("{month} is not sealed: it is audited under rules.yaml as it stands").format(month=month))
    state = seals.sealed_state(ws, month)
    assert state is not None
    then = state[0]
    now = (ws.root / RULES).read_text(encoding="utf-8")
    view = sealed_view(ws, month)
    assert view is not None
    lines = list(difflib.unified_diff(then.splitlines(), now.splitlines(), view.rules, RULES, lineterm=""))
    return view.rules, lines
