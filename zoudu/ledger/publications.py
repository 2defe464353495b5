"""Publishing is recorded: the key a publication needs, the seal made before a notice is printed,
and the ``publication`` entry naming it (docs/trust-model.md#keys-and-seals).
"""

from __future__ import annotations

import datetime as dt

from zoudu import model
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.keys import PUBLIC_KEY, _private_key, key_path
from zoudu.ledger.seals import CODE_HEX, _seal_locked, code_of, is_sealed
from zoudu.ledger.workspace import Workspace
from zoudu.timeparse import iso, month_days, month_of, parse_month


def check_publication_key(ws: Workspace, month: str) -> None:
    """Before anything is printed: when publishing will seal ``month`` (the township has a key and the
    month is over and not sealed), the key must be one ``seal`` would sign with (ZouduError if not);
    once the township has a key, publishing without it is refused."""
    require_key_once_keyed(ws)
    month = parse_month(month)
    if key_path(ws).exists() and month_days(month)[-1] < ws.now().date() and is_sealed(ws, month) is None:
        _private_key(ws)


def require_key_once_keyed(ws: Workspace) -> None:
    """Once the township has a key (its public half in keys/), nothing is published unsealed: without
    the private key, publishing is refused (ZouduError) rather than merely warned about."""
    if (ws.root / PUBLIC_KEY).exists() and not key_path(ws).exists():
        raise ZouduError(_("the township's private key is missing: the notice cannot be sealed and published "
                           "without it (set $ZOUDU_KEY to where it is kept); nothing was written"),
                         str(key_path(ws)))


def seal_for_notice(ws: Workspace, month: str, by: str) -> str | None:
    """Before a notice is printed: seal ``month`` if the township has a key, the month is over and it is
    not sealed, so that the notice carries the seal's checkpoint. The new seal's id, else None."""
    month = parse_month(month)
    if not key_path(ws).exists():
        return None
    with ws.lock():
        moment = ws.now()
        if is_sealed(ws, month) is not None or month_days(month)[-1] >= moment.date():
            return None
        return _seal_locked(ws, month, by, moment)[0]


def record_publication(ws: Workspace, month: str, fmt: str, published: dt.date, by: str) -> list[str] | None:
    """Publishing is recorded: seal the month if it is not sealed, then a ``publication`` entry
    naming the seal. Returns the new ids (seal first); None when the township has no key yet
    (then nothing is recorded: an unsigned record would prove nothing)."""
    from zoudu.ledger.append import append

    month = parse_month(month)
    if not key_path(ws).exists():
        require_key_once_keyed(ws)
        return None
    with ws.lock():
        moment = ws.now()
        ids: list[str] = []
        seal = is_sealed(ws, month)
        if seal is None and month_days(month)[-1] < moment.date():
            seal_id, _code = _seal_locked(ws, month, by, moment)
            ids.append(seal_id)
            seal = is_sealed(ws, month)
        fields = {"kind": model.PUBLICATION, "at": iso(moment), "recorded": iso(moment), "by": by, "month": month,
                  "seal": seal.id if seal else None, "code": code_of(seal.data)[:CODE_HEX] if seal else None,
                  "format": fmt, "date": published.isoformat()}
        path = ws.ledger_path(month_of(moment))
        ids += [f["id"] for f in append(path, ws.shown(path), [fields], clock=lambda: iso(moment))]
    return ids

