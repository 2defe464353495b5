"""Printing the monthly attendance notice (出勤情况公示): the steps around the sheet.

``notice_sheet`` refuses a month whose ledger does not verify, audits it, and
seals what it publishes (see ``zoudu.publish.seal``); ``printed`` renders it as printed.
The sheet itself (``NoticeSheet``, ``build_sheet``: the pure part) is ``zoudu.publish.sheet``'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from contextlib import contextmanager
from typing import Any, Callable, Iterator, NamedTuple

from zoudu.errors import DamagedLedger, ZouduError
from zoudu.i18n import _
from zoudu.publish.qr import notice_checkpoint
from zoudu.publish.seal import Seal
from zoudu.publish.sheet import NoticeSheet, build_sheet
from zoudu.timeparse import month_days, parse_month
from zoudu.ledger.workspace import Workspace


def today(ws: Workspace) -> dt.date:
    moment = ws.clock() if ws.clock else dt.datetime.now(ws.settings.tz)
    return moment.astimezone(ws.settings.tz).date()


@contextmanager
def steady(ws: Workspace) -> Iterator[None]:
    """The writers' lock, so that the seal and the figures describe the same entries.

    A read-only copy of a workspace (the county reading a township's ledgers) has no
    writers and cannot take the lock: it is read as it is.
    """
    lock = ws.lock()
    try:
        lock.__enter__()
    except ZouduError:
        yield
        return
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def notice_sheet(ws: Workspace, month: str, published: dt.date | None = None, calendar: bool = True,
                 audit: Callable[..., Any] | None = None) -> NoticeSheet:
    """The month's notice, sealed; refuses a month without a ledger or whose ledger is damaged.

    An explicit ``published`` date must not lie before the month's last day. Without one the
    notice is dated today, and a month not yet over is marked as such (see ``build_sheet``).
    ``calendar=False`` leaves each row's day-by-day calendar empty (only the HTML sheet draws it).
    ``audit`` is ``audit_month`` (``zoudu.audit``'s by default; the commands give ``zoudu.memo.stages``').
    """
    if audit is None:
        from zoudu.audit import audit_month as audit

    with steady(ws):
        month, seal = verified(ws, month, published)
        result = known_calendar(audit(ws, month, days=calendar))
    return build_sheet(ws.settings, result, seal, published or today(ws), today(ws))


class Printed(NamedTuple):
    """A notice as it is printed: its bytes, the date it carries, the warnings said beside it."""

    data: bytes
    published: dt.date
    notices: tuple[str, ...]


def printed(ws: Workspace, month: str, published: dt.date | None, form: str,
            render: Callable[[NoticeSheet], bytes], calendar: bool) -> Printed:
    """``render(notice_sheet(ws, month, published, calendar))`` as printed, verified every time, with
    the county's cosignature when the sheet draws calendars. ``form`` names ``render``
    (``zoudu.memo.stages.printed`` remembers a closed month's notice by it)."""
    from zoudu.audit import audit_month

    with steady(ws):
        month, seal = verified(ws, month, published)
        date = published or today(ws)
        carried = notice_checkpoint(ws, month) if calendar else None  # with the county's cosignature, if any
        result = known_calendar(audit_month(ws, month, days=calendar))
    return print_sheet(ws, result, seal, date, carried, render)


def print_sheet(ws: Workspace, result, seal: Seal, date: dt.date, carried,
                render: Callable[[NoticeSheet], bytes]) -> Printed:
    """The sheet of ``result`` dated ``date``, carrying ``carried`` (a checkpoint or None), rendered.
    The sheet's header and footer come from rules.yaml as it stands (phone, who compiled it ...),
    even for a sealed month audited under its sealed rules."""
    sheet = dataclasses.replace(build_sheet(ws.settings, result, seal, date, today(ws)), checkpoint=carried)
    return Printed(render(sheet), sheet.published, sheet.notices)


def known_calendar(result):
    """The result, if the holiday arrangement of its month's year is known; ZouduError otherwise: a
    notice must not count the Spring Festival as workdays (the audit only warns, as it does for the
    days a crossing week borrows from a neighbouring year)."""
    year = int(result.month[:4])
    unknown = [year] if year in result.calendar_sources and result.calendar_sources[year] is None else []
    if unknown:
        raise ZouduError(_("the holiday arrangement for {year} is unknown, so {month} cannot be published: its "
                           "holidays would be counted as workdays. Add the State Council's arrangement under "
                           "calendar.years in rules.yaml ({year}: source, holidays, workdays)").format(
            year=unknown[0], month=result.month))
    return result


def verified(ws: Workspace, month: str, published: dt.date | None) -> tuple[str, Seal]:
    """(the month, its seal) once its ledger verifies; ZouduError / DamagedLedger otherwise.

    The month's file is checked from its bytes every time (no cache vouches for it): one pass
    over that file. A month already sealed is published as it was sealed (the entry count and
    chain head its seal recorded: entries added since are late and not on the sheet), and only
    while its file still passes through that head."""
    from zoudu.ledger.seals import CODE_HEX, code_of, is_sealed
    from zoudu.ledger.lines import genesis
    from zoudu.ledger.create import refuse_placeholders
    from zoudu.ledger.verify import verify

    refuse_placeholders(ws.settings)  # placeholders never reach the notice board
    month = parse_month(month)
    last = month_days(month)[-1]
    if published is not None and published < last:
        # A notice dated before the month is over would claim figures for days that had not happened.
        raise ZouduError(_("the publication date {date} is before the end of {month}: a month's notice can be "
                           "dated {last} at the earliest").format(date=published.isoformat(), month=month,
                                                                  last=last.isoformat()))
    path = ws.ledger_path(month)
    if not path.exists():
        raise ZouduError(_("no ledger for {month}: nothing to publish").format(month=month), ws.shown(path))
    sealed = is_sealed(ws, month)
    state = _sealed_files(sealed, month)
    # what is published, not every month kept; from the bytes, whatever a cache says
    report = verify(ws, months=[month], from_bytes=True, through={month: state[0]} if state else None)
    shown = ws.shown(path)
    damage = [p for p in report.problems if p.file in (shown, ws.roster.path)]
    if damage:
        first = damage[0]
        raise DamagedLedger(_(
            "the {month} ledger does not verify, so it cannot be published: {n} problem(s), the first at "
            "{where}: {problem}; run 'zoudu verify'").format(
            month=month, n=len(damage), where=first.where, problem=first.message))
    if state is not None and sealed is not None:
        count, head = state
        found = report.through.get(month) if count else genesis(month)
        if found != head:
            raise DamagedLedger(_(
                "the {month} ledger no longer begins with the {n} entries its seal {id} (code {code}) recorded: "
                "sealed entries were removed or rewritten; run 'zoudu verify --pubkey'").format(
                month=month, n=count, id=sealed.id, code=code_of(sealed.data)[:CODE_HEX]))
        return month, Seal(month, count, head)
    entries, head = report.heads[month]
    return month, Seal(month, entries, head)


def _sealed_files(sealed, month: str) -> tuple[int, str] | None:
    """(entries, chain head) of ``month``'s own file as its seal recorded them, or None."""
    if sealed is None:
        return None
    try:
        count, head = sealed.data["files"][month]
        if type(count) is int and count >= 0 and isinstance(head, str):
            return count, head
    except (KeyError, TypeError, ValueError):
        pass
    raise DamagedLedger(_("the seal {id} of {month} does not say what it sealed of the month's file; run "
                          "'zoudu verify --pubkey'").format(id=sealed.id, month=month))
