"""The printed notice's page (HTML, A4 landscape): its sizes, fonts and CSS, escaping, and how the
rows are cut into pages (docs/guide.md#the-notice-board).
"""

from __future__ import annotations

import html
import math
import unicodedata

from zoudu import i18n
from zoudu.i18n import N_, _
from zoudu.publish.sheet import EVALUATIONS, FIGURES, NoticeRow
from zoudu.render.notice import headers, leave_cell
from zoudu.render.text import printable

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


def _css() -> str:
    return CSS % {"fonts": FONTS, "name_mm": NAME_MM, "post_mm": POST_MM, "num_mm": NUM_MM, "eval_mm": EVAL_MM,
                  "leave_mm": LEAVE_MM, "card_mm": CARD_MM}
