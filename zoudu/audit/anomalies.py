"""Anomalies: patterns in the month's facts worth a question, never a verdict (docs/anomalies.md).

``find(settings, roster, facts)`` looks at the facts the audit already gathered
(``audit.facts``: voided entries are not among them) and returns ``Anomaly``
records, one function per kind:

- ``witness.concentrated``: one witness signed the village entries of at least
  ``anomalies.witness_cadres`` cadres (rules.yaml, default 3) on one day, in more
  than one village;
- ``witness.habitual``: one witness signed most (more than half) of a cadre's
  village entries of the month, when there are at least ``HABITUAL_ENTRIES``;
- ``place.too_fast``: an office sign-in and a village entry of the same cadre
  closer in time than ``anomalies.travel_minutes`` gives for that village (a
  village it does not list is not checked);
- ``recorded.by_another``: most (more than half, at least ``BY_ANOTHER_ENTRIES``)
  of a cadre's sign-ins typed in by one other cadre who does not keep the
  township's sign-in book (keeping it: typing in the sign-ins of more than half
  of the cadres who have sign-ins that month).

An anomaly names the cadres it concerns, cites its entries (``file:line``) and
asks a question. It never becomes a violation, is never on the public notice,
and never counts toward liability or the exit status.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from typing import Callable

from zoudu.audit.facts import Facts, SignIn, Visit
from zoudu.audit.result import Anomaly
from zoudu.i18n import _
from zoudu.ledger.settings import Settings
from zoudu.model import Roster

KINDS = ("witness.concentrated", "witness.habitual", "place.too_fast", "recorded.by_another")
HABITUAL_ENTRIES = 4  # village entries of the month a cadre needs before one witness for most is asked about
BY_ANOTHER_ENTRIES = 4  # sign-ins typed in by one other cadre before it is asked about


def find(settings: Settings, roster: Roster, facts: Facts) -> tuple[Anomaly, ...]:
    """Every anomaly of the month, by kind, then date, then the roster's order."""
    order = {c.id: i for i, c in enumerate(roster.cadres)}
    visits = [(v, _witness(v)) for v in facts.visits if v.in_month]  # each with its witness as compared
    signins = [s for s in facts.signins if s.in_month]
    found: list[Anomaly] = []
    for check in CHECKS:
        found += check(settings, roster, visits, signins, facts)
    kind_order = {kind: i for i, kind in enumerate(KINDS)}
    found.sort(key=lambda a: (kind_order[a.kind], a.date or dt.date.max,
                              [order.get(c, len(order)) for c in a.cadres], a.evidence))
    return tuple(found)


def _witness(v: Visit) -> str | None:
    """The witness's name as compared: spaces around it dropped; None when nobody signed."""
    witness = v.witness
    return (str(witness).strip() or None) if witness else None


def _name(roster: Roster, cadre: str) -> str:
    found = roster.by_id.get(cadre)
    return found.name if found else cadre


def _names(roster: Roster, cadres) -> str:
    return _(", ").join(f"{_name(roster, c)} ({c})" for c in cadres)


Named = list[tuple[Visit, "str | None"]]  # the month's village entries, each with its witness as compared


def concentrated(settings: Settings, roster: Roster, visits: Named, signins: list[SignIn],
                 facts: Facts) -> list[Anomaly]:
    """One witness for at least ``anomalies.witness_cadres`` cadres on one day, in more than one village
    (cadres who visit one village together, with the villager who shows them round, are not asked about)."""
    least = settings.anomalies.witness_cadres
    order = {c.id: i for i, c in enumerate(roster.cadres)}
    groups: dict[tuple[str, dt.date], list[Visit]] = {}
    for v, name in visits:
        if name is not None:
            groups.setdefault((name, v.day), []).append(v)
    out = []
    for (name, day), entries in groups.items():
        cadres = sorted({v.cadre for v in entries}, key=lambda c: (order.get(c, len(order)), c))
        villages = list(dict.fromkeys(v.village.strip() for v in entries))
        if len(cadres) < least or len(villages) < 2:
            continue
        out.append(Anomaly(
            "witness.concentrated", tuple(cadres), day, tuple(v.entry.where for v in entries),
            _("The same witness {witness} signed the village entries of {n} cadres in {k} villages on {date} "
              "({names}; {villages}): is this so?").format(
                witness=name, n=len(cadres), k=len(villages), date=day.isoformat(),
                names=_names(roster, cadres), villages=_(", ").join(villages))))
    return out


def habitual(settings: Settings, roster: Roster, visits: Named, signins: list[SignIn],
             facts: Facts) -> list[Anomaly]:
    """One witness for more than half of a cadre's village entries of the month (at least HABITUAL_ENTRIES)."""
    mine: dict[str, Named] = {}
    for pair in visits:
        mine.setdefault(pair[0].cadre, []).append(pair)
    out = []
    for cadre, entries in mine.items():
        if len(entries) < HABITUAL_ENTRIES:
            continue
        counts = Counter(name for _v, name in entries if name is not None)
        if not counts:
            continue
        name, n = counts.most_common(1)[0]
        if n * 2 <= len(entries):
            continue
        out.append(Anomaly(
            "witness.habitual", (cadre,), None, tuple(v.entry.where for v, named in entries if named == name),
            _("{witness} signed {n} of the {total} village entries of {name} ({id}) this month: did they "
              "witness each visit?").format(witness=name, n=n, total=len(entries), name=_name(roster, cadre),
                                             id=cadre)))
    return out


def too_fast(settings: Settings, roster: Roster, visits: Named, signins: list[SignIn],
             facts: Facts) -> list[Anomaly]:
    """A village entry closer in time to an office sign-in of the same cadre than the way there takes."""
    travel = settings.anomalies.travel_minutes
    if not travel:
        return []
    tz = settings.tz
    office: dict[str, list[tuple[dt.datetime, str]]] = {}
    for s in facts.signins:  # the days around the month too: a sign-in late on the day before counts
        if s.place == settings.place:
            office.setdefault(s.cadre, []).append((s.entry.at, s.entry.where))
    for times in office.values():
        times.sort()
    out = []
    for v, _witnessed in visits:
        minutes = travel.get(v.village.strip())
        times = office.get(v.cadre)
        if minutes is None or not times:
            continue
        at = v.entry.at
        i = bisect.bisect_left(times, (at, ""))
        near = min(times[max(0, i - 1):i + 1], key=lambda t: abs(t[0] - at))
        gap = abs(near[0] - at)
        if gap >= dt.timedelta(minutes=minutes):
            continue
        office_at, village_at = near[0].astimezone(tz), at.astimezone(tz)
        shown = "%H:%M" if office_at.date() == village_at.date() else "%Y-%m-%d %H:%M"
        out.append(Anomaly(
            "place.too_fast", (v.cadre,), v.day,
            tuple(where for _at, where in sorted([near, (at, v.entry.where)])),
            _("{name} ({id}) signed in at the office at {office} and was recorded in {village} at {at}, "
              "{gap} minutes apart, but the way there takes {minutes} minutes: can both be so?").format(
                name=_name(roster, v.cadre), id=v.cadre, office=office_at.strftime(shown), village=v.village,
                at=village_at.strftime(shown), gap=int(gap.total_seconds() // 60), minutes=minutes)))
    return out


def by_another(settings: Settings, roster: Roster, visits: Named, signins: list[SignIn],
               facts: Facts) -> list[Anomaly]:
    """Most of a cadre's sign-ins typed in by one other cadre who does not keep the sign-in book."""
    typed = [s for s in signins if not s.imported]  # a terminal's punch: the terminal recorded it
    with_signins = {s.cadre for s in typed}
    typed_for: dict[str, set[str]] = {}
    for s in typed:
        if s.entry.by != s.cadre:
            typed_for.setdefault(str(s.entry.by), set()).add(s.cadre)
    keepers = {by for by, cadres in typed_for.items() if len(cadres) * 2 > len(with_signins - {by})}
    total = Counter(s.cadre for s in signins)
    others: dict[tuple[str, str], list[SignIn]] = {}
    for s in typed:
        by = str(s.entry.by)
        if by != s.cadre and by in roster.by_id and by not in keepers:
            others.setdefault((s.cadre, by), []).append(s)
    out = []
    for (cadre, by), entries in others.items():
        if len(entries) < BY_ANOTHER_ENTRIES or len(entries) * 2 <= total[cadre]:
            continue
        out.append(Anomaly(
            "recorded.by_another", (cadre, by), None, tuple(s.entry.where for s in entries),
            _("{n} of the {total} sign-ins of {name} ({id}) this month were typed in by {by_name} ({by}): "
              "was {name} there in person each time?").format(
                n=len(entries), total=total[cadre], name=_name(roster, cadre), id=cadre,
                by_name=_name(roster, by), by=by)))
    return out


CHECKS: tuple[Callable[..., list[Anomaly]], ...] = (concentrated, habitual, too_fast, by_another)
