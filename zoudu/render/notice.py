"""Draws a ``NoticeSheet``: terminal (Rich), HTML for the notice board, Markdown, CSV.

Every format shows the same figures from the same sheet; none computes its own.
"""

from __future__ import annotations

import html
import io
import math
import re
import unicodedata
from typing import Iterable

from zoudu import i18n
from zoudu.i18n import N_, _
from zoudu.publish.notice import (
    ABSENT, EVALUATIONS, FIGURES, LEAVE, NIGHT, OVERTURNED, PRESENT, REST, TRIP, VILLAGE, NoticeRow, NoticeSheet, legend,
    long_date, slot_letters, symbols, weekday_names,
)

# ----------------------------------------------------------------------------- shared


from zoudu.render.text import printable  # noqa: E402,F401 - shared by every renderer


def evaluation_cell(row: NoticeRow) -> str:
    return "/".join(row.evaluations.get(key) or "—" for key, _label in EVALUATIONS)


def headers() -> list[str]:
    return [_("Name"), _("Post")] + [_(label) for _key, label in FIGURES] + [
        _(label) for _key, label in EVALUATIONS] + [_("Remarks"), _("Leave and trips")]


def leave_cell(row: NoticeRow) -> str:
    return _("; ").join(row.leaves)


def cells(row: NoticeRow) -> list[str]:
    return [row.name, row.post] + [str(getattr(row, key)) for key, _label in FIGURES] + [
        row.evaluations.get(key, "") for key, _label in EVALUATIONS] + [row.remark, leave_cell(row)]


# ----------------------------------------------------------------------------- terminal


def terminal(sheet: NoticeSheet, out=None) -> None:
    """A Rich table that fits 120 columns; Rich measures Chinese as two cells, so columns align."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if out is None:
        out = Console(highlight=False, soft_wrap=False)
        # At most 120 columns; a pipe or a file gets all 120.
        out.width = min(out.width, 120) if out.is_terminal else 120
    # Names and remarks are data: Text keeps '[b]' or ':phone:' in them from being read as markup.
    table = Table(title=Text(printable(sheet.title), style="bold"), caption=Text(printable(sheet.subtitle)),
                  box=box.SQUARE, padding=(0, 0), title_style="bold", header_style="bold", show_lines=False)
    table.add_column(_("Name"), max_width=10, overflow="fold")
    table.add_column(_("Post"), max_width=10, overflow="fold")
    short = (
        ("signins_required", _("Due")), ("signins_made", _("Made")), ("signins_valid", _("Valid")),
        ("nights", _("Nights")), ("township_days", _("In twp")), ("village_days", _("Village")),
        ("leave_days", _("Leave")), ("trip_days", _("Trip")), ("absences", _("Absent")),
    )
    for _key, label in short:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column(_("Checks"), justify="center", no_wrap=True)
    table.add_column(_("Evaluations"), justify="center", no_wrap=True)
    table.add_column(_("Remarks"), overflow="fold", ratio=1)
    for row in sheet.rows:
        style = "red" if row.errors else None
        values = [row.name, row.post, *(str(getattr(row, key)) for key, _label in short),
                  f"{row.checks_present}/{row.checks_absent}", evaluation_cell(row), row.remark]
        table.add_row(*(Text(printable(v)) for v in values), style=style)
    out.print(table)
    out.print(Text(_("Columns: sign-ins due/made/valid (valid: due slots signed in at the office, each once); "
                     "nights; days in township; days in villages; leave and trip days; absences (uncovered slots); "
                     "spot checks present/absent; evaluations self/peer/public."),
                   style="dim"))
    for line in sheet.footer_lines():
        out.print(Text(printable(line)))


# ----------------------------------------------------------------------------- markdown


# Inline Markdown: code spans, emphasis, links and images, strikethrough, table cells, headings'
# closing '#'s; and what HTML would read as a tag or an entity (raw HTML passes through Markdown).
_MD_INLINE = str.maketrans({
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
    "#": "\\#", "&": "&amp;", "<": "&lt;", ">": "&gt;",
})
# What makes the start of a line a block: a list item, a setext underline, an ordered list item.
_MD_BLOCK = re.compile(r"[+\-=]|(\d{1,9})[.)](?=\s|$)")


def _md(text: object) -> str:
    """Text as one line of literal Markdown, safe in a table cell, a heading or a list item.

    Line breaks become spaces and control characters are replaced; Markdown syntax is
    backslash-escaped and '<', '>', '&' become entities, so a renderer shows the text as
    typed and never as a tag, a link or a new row.
    """
    text = printable(" ".join(str(text).splitlines())).strip().translate(_MD_INLINE)
    m = _MD_BLOCK.match(text)
    if m and m.group(1):
        text = f"{m.group(1)}\\{text[m.end(1):]}"
    elif m:
        text = "\\" + text
    return text


def markdown(sheet: NoticeSheet) -> str:
    head = [_("Id")] + headers()
    lines = [f"# {_md(sheet.title)}", "", _md(sheet.subtitle), "",
             "| " + " | ".join(_md(h) for h in head) + " |",
             "|" + "|".join("---:" if 3 <= i < 3 + len(FIGURES) else "---" for i in range(len(head))) + "|"]
    for row in sheet.rows:
        lines.append("| " + " | ".join(_md(c) for c in [row.cadre] + cells(row)) + " |")
    lines.append("")
    lines += [f"- {_md(line)}" for line in sheet.footer_lines(full_hash=True)]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- csv

def csv_bytes(sheet: NoticeSheet) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese text correctly.

    The table comes first (one header row, one row per cadre); after an empty row,
    the footer as (label, value) pairs with the full chain head.
    """
    from zoudu.render.csvsafe import Writer

    buf = io.StringIO()
    w = Writer(buf)
    w.writerow([_("Id")] + headers())
    for row in sheet.rows:
        values = cells(row)
        w.writerow([row.cadre, values[0], values[1]] + [getattr(row, k) for k, _l in FIGURES]
                   + [row.evaluations.get(k, "") for k, _l in EVALUATIONS] + [row.remark, leave_cell(row)])
    w.writerow([])
    for label, value in footer_pairs(sheet):
        w.writerow([label, str(value)])
    return buf.getvalue().encode("utf-8-sig")


def footer_pairs(sheet: NoticeSheet) -> list[tuple[str, object]]:
    return [
        (_("Notice"), sheet.title),
        (_("Month"), sheet.month),
        (_("Supervision phone"), sheet.supervision_phone),
        (_("Published"), sheet.published.isoformat()),
        (_("Display until"), sheet.period_end.isoformat()),
        (_("Compiled by"), sheet.compiled_by),
        (_("Spot checks"), sheet.inspections),
        (_("Seal"), sheet.seal.token),
        (_("Sealed entries"), sheet.seal.entries),
        (_("Chain head"), sheet.seal.head),
    ]


# ----------------------------------------------------------------------------- html

ROWS_PER_PAGE = 11  # at most this many summary rows on one A4 landscape page (fewer when rows run long)
CALENDARS_PER_PAGE = 6  # calendar grids on one page: 3 across, 2 down, each day with its sign-in times
# The summary table's columns (mm of the 277 mm page); the remarks take what is left.
NAME_MM, POST_MM, NUM_MM, EVAL_MM, LEAVE_MM = 20, 24, 9.6, 8.6, 36
REMARK_MM = 277 - NAME_MM - POST_MM - NUM_MM * len(FIGURES) - EVAL_MM * len(EVALUATIONS) - LEAVE_MM
# The summary page's height (mm) less its header, the closing (explanation, signature and seal) and the footer:
# the column heads and the rows share it.
TABLE_MM = 128
CARD_MM = 71.5  # one calendar card: its name line, 6 weeks of days, two lines of leave

# Chinese fonts on Linux (WenQuanYi, Noto CJK / Source Han), Windows (YaHei, SimHei, SimSun)
# and macOS (PingFang); the browser takes the first it has. WenQuanYi comes before Noto CJK
# because Noto also draws the CJK radicals (U+2E80-2FDF) with the glyphs of common characters,
# and Chromium's PDF then gives 黄 back as the radical ⻩ when text is copied or searched.
FONTS = ('"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "微软雅黑", '
         '"PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", '
         '"Noto Sans SC", "SimHei", "黑体", "SimSun", "宋体", "Droid Sans Fallback", sans-serif')

CSS = """
@page { size: A4 landscape; margin: 8mm 10mm; }
* { box-sizing: border-box; }
html { font-family: %(fonts)s; color: #111; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #e8e8e8; }
.page { background: #fff; width: 277mm; height: 193mm; margin: 6mm auto; padding: 0; position: relative;
        display: flex; flex-direction: column; overflow: hidden; break-after: page; page-break-after: always; }
.page:last-of-type { break-after: auto; page-break-after: auto; }
@media print { body { background: #fff; } .page { margin: 0; } }
header { flex: none; text-align: center; border-bottom: 0.6mm solid #b71c1c; padding-bottom: 1.2mm; margin-bottom: 2mm;
         position: relative; }
h1 { font-size: 20pt; margin: 0; letter-spacing: 0.08em; color: #b71c1c; line-height: 1.25; }
header .sub { font-size: 10.5pt; margin-top: 0.5mm; color: #333; line-height: 1.3; }
header .pageno { position: absolute; right: 0; top: 0; font-size: 8.5pt; color: #666; }
main { flex: 1 1 auto; min-height: 0; }
table.figures { width: 100%%; border-collapse: collapse; font-size: 10.5pt; table-layout: fixed; }
table.figures th, table.figures td { border: 0.3mm solid #555; padding: 0.8mm 1mm; text-align: center;
        vertical-align: middle; overflow-wrap: anywhere; line-height: 1.25; }
table.figures th { background: #f3e5e5; font-size: 8.5pt; font-weight: bold; line-height: 1.25; padding: 0.6mm 0.5mm;
                   vertical-align: bottom; }
table.figures td.name { font-size: 12pt; font-weight: bold; line-height: 1.25; }
table.figures td.name.long { font-size: 10pt; }
table.figures td.name small { display: block; font-size: 7pt; font-weight: normal; color: #777; line-height: 1.3; }
table.figures td.post { font-size: 8.5pt; }
table.figures td.num { font-size: 12pt; font-variant-numeric: tabular-nums; }
table.figures td.bad { color: #b71c1c; font-weight: bold; }
table.figures td.remark { text-align: left; font-size: 8.5pt; line-height: 1.3; }
table.figures td.remark.ok { color: #1b5e20; }
table.figures tr:nth-child(even) td { background: #fafafa; }
html[lang="en"] table.figures th { font-size: 7pt; overflow-wrap: normal; }
table.figures tr { break-inside: avoid; }
col.c-name { width: %(name_mm)smm; } col.c-post { width: %(post_mm)smm; } col.c-num { width: %(num_mm)smm; }
col.c-eval { width: %(eval_mm)smm; } col.c-leave { width: %(leave_mm)smm; }
.closing { flex: none; display: flex; gap: 5mm; align-items: stretch; margin: 2mm 0 1.5mm; }
.explain { flex: 1 1 auto; min-width: 0; font-size: 8.5pt; color: #444; line-height: 1.45; }
.signoff { flex: none; display: flex; gap: 5mm; font-size: 10pt; }
.signoff .box { width: 68mm; height: 24mm; border: 0.3mm dashed #999; padding: 1.5mm 2mm; display: flex;
                flex-direction: column; justify-content: space-between; line-height: 1.3; }
.signoff .box.stamp { width: 50mm; }
.signoff .box .when { align-self: flex-end; font-size: 9pt; color: #444; letter-spacing: 0.1em; }
.checkpoint { display: flex; flex-direction: column; align-items: center; gap: 3mm; padding-top: 8mm; }
.checkpoint svg { width: 90mm; height: 90mm; }
.checkpoint .digits { font-size: 16pt; font-weight: bold; letter-spacing: 0.05em; }
footer { flex: none; border-top: 0.4mm solid #999; padding-top: 1.2mm; font-size: 9pt; line-height: 1.4;
         display: flex; justify-content: space-between; gap: 6mm; }
footer .phone { font-size: 13pt; font-weight: bold; color: #b71c1c; line-height: 1.3; }
footer .seal { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace; font-size: 7.5pt;
               color: #333; text-align: right; max-width: 120mm; overflow-wrap: anywhere; line-height: 1.35; }
footer .seal b { font-size: 10pt; color: #111; }
.cals { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); grid-auto-rows: %(card_mm)smm; gap: 2mm 3mm; }
.cal { border: 0.3mm solid #888; padding: 0.8mm 1.2mm; display: flex; flex-direction: column; overflow: hidden;
       min-width: 0; }
.cal .who { flex: none; display: flex; align-items: baseline; gap: 2mm; margin-bottom: 0.3mm; white-space: nowrap;
            line-height: 1.3; }
.cal .who .nm { flex: none; font-size: 11pt; font-weight: bold; }
.cal .who .nm.long { font-size: 9.5pt; }
.cal .who .post { flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; font-size: 7.5pt; color: #555; }
.cal .who .tally { flex: none; font-size: 8pt; color: #b71c1c; font-weight: bold; }
.cal .who .tally.ok { color: #1b5e20; }
.cal table { width: 100%%; border-collapse: collapse; table-layout: fixed; flex: 1 1 auto; }
.cal th { font-size: 6.5pt; color: #555; font-weight: normal; height: 3mm; padding: 0; line-height: 1.2; }
.cal td { border: 0.2mm solid #bbb; padding: 0.2mm 0.3mm; vertical-align: top; overflow: hidden; }
.cal td .c { display: flex; gap: 0.5mm; }
.cal td .l { flex: none; width: 3.6mm; display: flex; flex-direction: column; align-items: flex-start; gap: 0.5mm; }
.cal td .d { font-size: 6pt; color: #555; line-height: 1.1; }
.cal td .s { font-size: 7.5pt; font-weight: bold; line-height: 1.1; }
.cal td .r { flex: 1 1 auto; min-width: 0; display: flex; flex-direction: column; padding-top: 0.1mm; }
.cal td .t { font-size: 6pt; line-height: 1.02; color: #111; font-family: "DejaVu Sans Mono", Consolas, monospace;
             white-space: nowrap; }
.cal td .t.late { color: #b71c1c; font-weight: bold; }
.cal td .t.void { color: #888; text-decoration: line-through; }
.cal td .k { font-size: 6pt; line-height: 1.02; white-space: nowrap; }
.cal td .x { font-size: 6pt; line-height: 1.02; color: #b71c1c; font-weight: bold; white-space: nowrap; }
.cal td .n { font-size: 6pt; color: #fff; background: #283593; border-radius: 0.8mm; padding: 0 0.35mm;
             line-height: 1.2; }
.cal .leaves { flex: none; font-size: 6.8pt; color: #8d6e00; margin-top: 0.5mm; line-height: 1.3;
               display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden; }
.legend .t.late { color: #b71c1c; font-weight: bold; }
.legend .t.void { color: #888; text-decoration: line-through; }
.m-present { background: #e8f5e9; color: #1b5e20; }
.m-village { background: #e0f2f1; color: #00695c; }
.m-leave { background: #fff8e1; color: #8d6e00; }
.m-trip { background: #f3e5f5; color: #6a1b9a; }
.m-rest { background: #f1f1f1; color: #888; }
.m-holiday { background: #fde9d9; color: #c0392b; }
.m-future { background: #fff; color: #bbb; }
.m-absent { background: #ffcdd2; color: #b71c1c; }
.m-overturned { background: #e3f2fd; color: #0d47a1; }
.cal td .x.o { color: #0d47a1; text-decoration: line-through; }
.m-off { background: #fafafa; color: #bbb; }
.m-unrecorded { background: #fafafa; color: #bbb; }
.m-blank { border: none !important; background: transparent; }
.legend { flex: none; display: flex; flex-wrap: wrap; gap: 1mm 4.5mm; font-size: 8.5pt; margin: 2mm 0 1.5mm;
          align-items: center; line-height: 1.3; }
.legend .k { display: inline-block; min-width: 5mm; height: 5mm; line-height: 5mm; text-align: center;
             font-weight: bold; border: 0.2mm solid #bbb; margin-right: 1mm; }
.legend .k.n { background: #283593; color: #fff; border-radius: 0.8mm; }
"""


def _e(text: object) -> str:
    return html.escape(printable(text), quote=True)


def _chunks(items: tuple, size: int) -> list[tuple]:
    """``items`` in as few pages of at most ``size`` as possible, spread evenly over them."""
    pages = max(1, -(-len(items) // size))
    base, extra = divmod(len(items), pages)
    out, start = [], 0
    for i in range(pages):
        end = start + base + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def html_pages(rows) -> int:
    """How many A4 pages the HTML prints to for these cadres' rows."""
    rows = tuple(rows)
    return len(_table_pages(rows)) + len(_chunks(rows, CALENDARS_PER_PAGE))


_PT = 0.3528  # mm in a point


def _text_mm(text: str, pt: float) -> float:
    """How wide ``text`` runs at ``pt``, reckoned high: a Chinese character an em, a digit 0.6, anything else 0.48."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 if ch.isdigit() else 0.48
               for ch in text) * pt * _PT


def _lines(text: str, width_mm: float, pt: float) -> int:
    """Lines ``text`` wraps to in a column ``width_mm`` wide (a line is lost to a wrap now and then)."""
    if not text:
        return 1
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    slack = 1.0 if wide * 2 > len(text) else 1.1  # Latin text wraps at spaces only: more is lost
    return max(1, math.ceil(_text_mm(text, pt) * slack / width_mm))


def _name_pt(name: str) -> float:
    return 12.0 if len(name) <= 4 else 10.0


def row_mm(row: NoticeRow) -> float:
    """The height of ``row`` in the summary table, reckoned high (the browser lays it out; this only paginates)."""
    pad = 1.6 + 0.3
    name_pt = _name_pt(row.name)
    name = _lines(row.name, NAME_MM - 2.2, name_pt) * name_pt * 1.25 * _PT + 7 * 1.3 * _PT
    post = _lines(row.post, POST_MM - 2.2, 8.5) * 8.5 * 1.25 * _PT
    remark = _lines(row.remark, REMARK_MM - 2.2, 8.5) * 8.5 * 1.3 * _PT
    leave = _lines(leave_cell(row), LEAVE_MM - 2.2, 8.5) * 8.5 * 1.3 * _PT
    return pad + max(name, post, remark, leave, 12 * 1.25 * _PT)


# English words do not break between letters: the narrow columns of the sheet get short heads (the
# explanation under the table says what they count). Chinese keeps the full heads, two characters a line.
_SHORT_HEADS = (N_("Due"), N_("Made"), N_("Valid"), N_("Nights"), N_("In twp"), N_("Village"), N_("Leave"),
                N_("Trip"), N_("Absent"), N_("Checks: here"), N_("Checks: away"), N_("Self"), N_("Peer"),
                N_("Public"))


def sheet_headers() -> list[str]:
    """The summary table's column heads on the printed sheet."""
    full = headers()
    if i18n.current() != "en":
        return full
    return full[:2] + [_(h) for h in _SHORT_HEADS] + full[2 + len(_SHORT_HEADS):]


def _head_pt() -> float:
    return 8.5 if i18n.current() != "en" else 7.0


def _head_mm() -> float:
    """The column heads' height, reckoned high."""
    widths = [NAME_MM, POST_MM] + [NUM_MM] * len(FIGURES) + [EVAL_MM] * len(EVALUATIONS) + [REMARK_MM, LEAVE_MM]
    pt = _head_pt()
    return 1.5 + max(_lines(text, width - 1.3, pt) for text, width in zip(sheet_headers(), widths)) * pt * 1.25 * _PT


def _table_pages(rows: tuple) -> list[tuple]:
    """The summary table cut into pages: as many rows as fit (at most ROWS_PER_PAGE)."""
    pages: list[list] = [[]]
    budget = TABLE_MM - _head_mm()
    used = 0.0
    for row in rows:
        height = row_mm(row)
        if pages[-1] and (used + height > budget or len(pages[-1]) >= ROWS_PER_PAGE):
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += height
    if len(pages) > 1 and all(len(p) == ROWS_PER_PAGE for p in pages[:-1]):
        even = _chunks(rows, ROWS_PER_PAGE)  # short rows: spread evenly, as many on every page
        if all(sum(row_mm(row) for row in page) <= budget for page in even):
            return even
    return [tuple(p) for p in pages]


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


BODY_LINES = 4  # lines beside a calendar day's number and mark: sign-in times, the slots missed, the leave


def _day_cell(day, sym: dict[str, str], letters: dict[str, str]) -> str:
    """One day: its number, its mark and the night badge in a narrow column; beside them, a line each for the
    sign-in times, the slots missed and the kind of leave (never more lines than the cell holds)."""
    extras = []
    if day.mark == ABSENT and day.missing:
        extras.append(f'<span class="x">{_e("".join(letters.get(s, s) for s in day.missing))}</span>')
    elif day.mark == OVERTURNED and day.overturned:
        extras.append(f'<span class="x o">{_e("".join(letters.get(s, s) for s in day.overturned))}</span>')
    if day.leave_kind and day.mark in (LEAVE, TRIP):
        extras.append(f'<span class="k">{_e(day.leave_kind)}</span>')
    room = BODY_LINES - len(extras)
    shown = day.times if len(day.times) <= room else day.times[:room - 1]
    lines = [f'<span class="t{" " + flag if flag else ""}">{_e(clock)}</span>' for clock, flag in shown]
    if len(day.times) > len(shown):
        lines.append(f'<span class="t">+{len(day.times) - len(shown)}</span>')
    night = f'<span class="n">{_e(sym[NIGHT])}</span>' if day.night else ""
    return (f'<td class="m-{day.mark}"><div class="c"><div class="l"><span class="d">{day.date.day}</span>'
            f'<span class="s">{_e(sym[day.mark])}</span>{night}</div>'
            f'<div class="r">{"".join(lines + extras)}</div></div></td>')


def _calendar(row: NoticeRow) -> str:
    sym = symbols()
    letters = slot_letters()
    tally = _("absences: {n}").format(n=row.absences)
    if row.late:
        tally += _("; ") + _("late: {n}").format(n=row.late)
    cls = "tally ok" if not row.absences and not row.late else "tally"
    long = " long" if _name_pt(row.name) < 12 else ""
    out = [f'<div class="cal"><div class="who"><span class="nm{long}">{_e(row.name)}</span><span class="post">{_e(row.post)}</span>'
           f'<span class="{cls}">{_e(tally)}</span></div><table><thead><tr>']
    out += [f"<th>{_e(d)}</th>" for d in weekday_names()]
    out.append("</tr></thead><tbody><tr>")
    first = row.days[0].date.weekday() if row.days else 0
    out += ['<td class="m-blank"></td>'] * first
    column = first
    for day in row.days:
        if column == 7:
            out.append("</tr><tr>")
            column = 0
        out.append(_day_cell(day, sym, letters))
        column += 1
    out += ['<td class="m-blank"></td>'] * (7 - column)
    out.append("</tr></tbody></table>")
    if row.leaves:
        out.append(f'<div class="leaves">{_e(leave_cell(row))}</div>')
    out.append("</div>")
    return "".join(out)


# Always explained, whether or not this month shows them; the others only when they occur.
_CORE_MARKS = (PRESENT, VILLAGE, NIGHT, REST, ABSENT)


def _legend(sheet: NoticeSheet) -> str:
    sym = symbols()
    shown = set(_CORE_MARKS) | {day.mark for row in sheet.rows for day in row.days}
    items = []
    for mark, text in legend():
        if mark not in shown:
            continue
        cls = "k n" if mark == NIGHT else f"k m-{mark}"
        items.append(f'<span><span class="{cls}">{_e(sym[mark])}</span>{_e(text)}</span>')
    items.append(f'<span><span class="t late">08:12</span> {_e(_("late sign-in (in red)"))}</span>')
    items.append(f'<span><span class="t void">08:49</span> {_e(_("sign-in that counts for nothing"))}</span>')
    return f'<div class="legend">{"".join(items)}</div>'


def _css() -> str:
    return CSS % {"fonts": FONTS, "name_mm": NAME_MM, "post_mm": POST_MM, "num_mm": NUM_MM, "eval_mm": EVAL_MM,
                  "leave_mm": LEAVE_MM, "card_mm": CARD_MM}


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

