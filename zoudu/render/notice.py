"""Draws a ``NoticeSheet`` as text: terminal (Rich), Markdown, CSV; and the cells every format shares.

Every format shows the same figures from the same sheet; none computes its own. The HTML sheet for
the notice board is ``zoudu.render.notice_html``'s (docs/guide.md#the-notice-board).
"""

from __future__ import annotations

import io
import re

from zoudu.i18n import _
from zoudu.publish.sheet import EVALUATIONS, FIGURES, NoticeRow, NoticeSheet

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
