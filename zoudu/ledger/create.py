"""``zoudu init``: a new workspace with the seed's policy."""

from __future__ import annotations

from pathlib import Path

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.roster import HEADER as ROSTER_HEADER
from zoudu.ledger.settings import DEFAULT_RULES_YAML
from zoudu.ledger.workspace import LEDGERS, ROSTER, RULES


def init_workspace(target: Path) -> None:
    """Refuses to overwrite: an existing rules.yaml or ledgers/ stops it before any write."""
    for existing in (target / RULES, target / LEDGERS):
        if existing.exists():
            raise ZouduError(_("a workspace already exists here; nothing was changed"), str(existing))
    if target.exists() and not target.is_dir():
        raise ZouduError(_("is a file, not a folder"), str(target))
    try:
        target.mkdir(parents=True, exist_ok=True)
        (target / LEDGERS).mkdir()
        (target / ROSTER).write_text(ROSTER_HEADER, encoding="utf-8")
        (target / RULES).write_text(DEFAULT_RULES_YAML, encoding="utf-8")
    except OSError as e:
        raise ZouduError(_("cannot create the workspace: {error}").format(error=e.strerror), str(target)) from None
