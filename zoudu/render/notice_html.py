"""Draws a ``NoticeSheet`` as HTML for the notice board: the summary table, the header, the closing
and the footer of each page, the checkpoint's page, and the whole file (docs/guide.md#the-notice-board).

Every format shows the same figures from the same sheet; none computes its own.
"""

from __future__ import annotations

from typing import Iterable

from zoudu import i18n
from zoudu.i18n import _
from zoudu.publish.sheet import EVALUATIONS, FIGURES, NoticeRow, NoticeSheet, long_date
from zoudu.render.notice import leave_cell
from zoudu.render.notice_calendar import _calendar, _legend
from zoudu.render.notice_page import CALENDARS_PER_PAGE, _chunks, _css, _e, _name_pt, _table_pages, sheet_headers


def _header(sheet: NoticeSheet, page: int, pages: int, heading: str | None = None) -> str:
    sub = sheet.subtitle if heading is None else f"{sheet.subtitle} · {heading}"
    pageno = _("page {page} of {pages}").format(page=page, pages=pages)
    return (f'<header><div class="pageno">{_e(pageno)}</div><h1>{_e(sheet.title)}</h1>'
            f'<div class="sub">{_e(sub)}</div></header>')


def _checkpoint(carried) -> str:
    """The month's signed checkpoint as a QR code, its root's first 8 hex digits spelled out, and who
    signed it (docs/trust-model.md#checkpoints-and-the-county)."""
    said = _("Checkpoint of the township's ledgers: {digits} ({spoken})").format(
        digits=carried.digits, spoken=carried.spoken)
    whose = (_("Signed by the township and cosigned by the county discipline commission.") if carried.cosigned
             else _("Signed by the township; not yet cosigned by the county."))
    how = _("Anyone may scan the code: the county checks it with 'zoudu county verify-notice'.")
    return (f'<div class="checkpoint">{carried.svg()}<p class="digits">{_e(said)}</p>'
            f'<p>{_e(whose)}</p><p>{_e(how)}</p></div>')


def _footer(sheet: NoticeSheet) -> str:
    phone = _("Supervision phone: {phone}").format(phone=sheet.supervision_phone or "—")
    published = _("Published {date}; on display for {days} days, until {end}").format(
        date=long_date(sheet.published), days=sheet.period_days, end=long_date(sheet.period_end))
    compiled = _("Compiled by: {who}").format(who=sheet.compiled_by)
    seal = _("Seal: {seal}").format(seal=sheet.seal.token)
    sealed = _("The {month} ledger, {n} entries, chain head:").format(month=sheet.month, n=sheet.seal.entries)
    return (f'<footer><div><div class="phone">{_e(phone)}</div><div>{_e(published)}</div>'
            f'<div>{_e(compiled)}</div></div>'
            f'<div class="seal"><b>{_e(seal)}</b><br>{_e(sealed)}<br>{_e(sheet.seal.head)}</div>'
            f'</footer>')


def _closing(sheet: NoticeSheet, explain: str) -> str:
    """The explanation, and beside it room for the responsible leader's signature and the township's official
    seal (盖章) over the date of publication."""
    blank_date = _("Date: __________")
    return (f'<div class="closing"><div class="explain">{_e(explain)}</div><div class="signoff">'
            f'<div class="box"><span>{_e(_("Responsible leader (signature):"))}</span>'
            f'<span class="when">{_e(blank_date)}</span></div>'
            f'<div class="box stamp"><span>{_e(_("Official seal of the township:"))}</span>'
            f'<span class="when">{_e(long_date(sheet.published))}</span></div></div></div>')


def _summary_table(rows: Iterable[NoticeRow]) -> str:
    numeric = [key for key, _label in FIGURES]
    out = ['<table class="figures"><colgroup><col class="c-name"><col class="c-post">']
    out += ['<col class="c-num">'] * len(numeric) + ['<col class="c-eval">'] * len(EVALUATIONS) + [
        '<col class="c-remark"><col class="c-leave"></colgroup>']
    out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in sheet_headers()) + "</tr></thead><tbody>")
    for row in rows:
        long = " long" if _name_pt(row.name) < 12 else ""
        tds = [f'<td class="name{long}">{_e(row.name)}<small>{_e(row.cadre)}</small></td>',
               f'<td class="post">{_e(row.post)}</td>']
        for key in numeric:
            value = getattr(row, key)
            bad = value and key in ("absences", "checks_absent")
            tds.append(f'<td class="num{" bad" if bad else ""}">{_e(value)}</td>')
        tds += [f'<td class="num">{_e(row.evaluations.get(key) or "—")}</td>' for key, _l in EVALUATIONS]
        ok = " ok" if not row.violations else ""
        tds.append(f'<td class="remark{ok}">{_e(row.remark)}</td>')
        tds.append(f'<td class="remark">{_e(leave_cell(row))}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def html_page(sheet: NoticeSheet) -> str:
    """One self-contained HTML file: no scripts, no network, fonts from the system."""
    tables = _table_pages(sheet.rows)
    grids = _chunks(sheet.rows, CALENDARS_PER_PAGE)
    pages = len(tables) + len(grids) + (1 if sheet.checkpoint is not None else 0)
    lang = "en" if i18n.current() == "en" else "zh-CN"
    explain = _("Sign-ins are due three times a workday ({times}) at {place}, or replaced by village work "
                "signed by a villager. Every week at least {days} days in the township, {nights} nights, "
                "{village} days in villages. Valid sign-ins are the due ones made at the office, each slot "
                "once; absences count required sign-ins that nobody covered.").format(
        times=", ".join(sheet.slot_times), place=sheet.place, days=sheet.quota[0], nights=sheet.quota[1],
        village=sheet.quota[2])
    body = []
    for i, chunk in enumerate(tables, 1):
        body.append(f'<section class="page">{_header(sheet, i, pages)}<main>{_summary_table(chunk)}</main>'
                    f'{_closing(sheet, explain)}{_footer(sheet)}</section>')
    for j, chunk in enumerate(grids, len(tables) + 1):
        cards = "".join(_calendar(row) for row in chunk)
        body.append(f'<section class="page">{_header(sheet, j, pages, _("daily attendance"))}'
                    f'<main><div class="cals">{cards}</div></main>{_legend(sheet)}{_footer(sheet)}</section>')
    if sheet.checkpoint is not None:
        body.append(f'<section class="page">{_header(sheet, pages, pages, _("checkpoint of the ledgers"))}'
                    f'<main>{_checkpoint(sheet.checkpoint)}</main>{_footer(sheet)}</section>')
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_e(sheet.title)}</title><style>{_css()}</style></head>'
            f'<body>{"".join(body)}</body></html>\n')

