"""The county's view of a month across its townships (docs/trust-model.md#checkpoints-and-the-county):
each township's copy audited afresh, with its seal and the county's cosignature; the report page.

Plain values here; ``render/county.py`` draws them. Townships are listed by name, never ranked.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import NamedTuple

from zoudu import model


class TownshipMonth(NamedTuple):
    township: str
    month: str
    cadres: int
    errors: dict[str, int]          # standing error-level findings per rule id
    commuting_cadres: int           # cadres with a standing error of a commuting (liability) rule
    rounds: int                     # spot-check rounds (days with a spot check)
    rounds_required: int
    sealed: bool
    cosigned: bool                  # the county cosigned a checkpoint made at or after the month's seal
    late: int                       # entries recorded in the month's file after its seal
    problem: str | None = None      # why the township could not be audited

    def as_json(self) -> dict:
        return dict(self._asdict())


def _rounds(ws, month: str) -> int:
    from zoudu.ledger.store import read_ledger

    path = ws.ledger_path(month)
    if not path.exists():
        return 0
    entries = read_ledger(path, ws.shown(path)).entries
    voided = {e.data.get("target") for e in entries if e.kind == model.VOID}
    return len({e.at.astimezone(ws.settings.tz).date() for e in entries
                if e.kind == model.SPOT_CHECK and e.id not in voided})


def _sealing(ws, month: str, cosigned_size: int | None) -> tuple[bool, bool, int]:
    from zoudu.ledger.seals import is_sealed

    seal = is_sealed(ws, month)
    if seal is None:
        return False, False, 0
    path = ws.ledger_path(month)
    from zoudu.ledger.store import read_ledger

    now = len(read_ledger(path, ws.shown(path)).entries) if path.exists() else 0
    held = int(seal.data["files"].get(month, [0])[0])
    tree = seal.data.get("tree")
    cosigned = bool(tree) and cosigned_size is not None and cosigned_size >= int(tree[0])
    return True, cosigned, max(0, now - held)


def township_month(name: str, ws, month: str, cosigned_size: int | None) -> TownshipMonth:
    """One township's month, audited afresh (no cache: the county reads the copy as it is)."""
    from zoudu.audit import audit_month
    from zoudu.errors import ZouduError

    saved = os.environ.get("ZOUDU_NO_CACHE")
    os.environ["ZOUDU_NO_CACHE"] = "1"
    try:
        result = audit_month(ws, month, days=False)
        commuting = set(ws.settings.liability_rules)
        standing = [v for v in result.violations if v.severity == "error" and v.status != "overturned"]
        sealed, cosigned, late = _sealing(ws, month, cosigned_size)
        return TownshipMonth(
            name, month, len(result.cadres), dict(sorted(Counter(v.rule for v in standing).items())),
            len({v.cadre for v in standing if v.cadre and v.rule in commuting}), _rounds(ws, month),
            ws.settings.inspections_per_month, sealed, cosigned, late)
    except ZouduError as e:
        return TownshipMonth(name, month, 0, {}, 0, 0, 0, False, False, 0, e.one_line())
    finally:
        if saved is None:
            os.environ.pop("ZOUDU_NO_CACHE", None)
        else:
            os.environ["ZOUDU_NO_CACHE"] = saved


def county_month(county, month: str, names: list[str] | None = None, progress=None) -> list[TownshipMonth]:
    """Each township's month; ``progress(done, total)`` is told of each township audited."""
    from zoudu.county import last_cosigned, registered, township_workspace

    rows = []
    names = registered(county, names)
    for done, name in enumerate(names):
        if progress is not None:
            progress(done, len(names))
        ws, folder = township_workspace(county, name)
        before = last_cosigned(folder)
        rows.append(township_month(name, ws, month, before[1].size if before else None))
    return rows


def months_kept(county, names: list[str]) -> list[str]:
    """Every closed month some township keeps, oldest first (the report's trend)."""
    from zoudu.county import township_workspace
    from zoudu.timeparse import month_days

    import datetime as dt

    today = dt.date.today()
    found: set[str] = set()
    for name in names:
        ws, _folder = township_workspace(county, name)
        found.update(m for m in ws.months() if month_days(m)[-1] < today)
    return sorted(found)
