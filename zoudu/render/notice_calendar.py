"""The printed notice's calendars: one card per cadre, a cell per day with its mark, sign-in times and
leave, and the legend of the marks (docs/guide.md#the-notice-board).
"""

from __future__ import annotations

from zoudu.i18n import _
from zoudu.publish.sheet import (
    ABSENT, LEAVE, NIGHT, OVERTURNED, PRESENT, REST, TRIP, VILLAGE, NoticeRow, NoticeSheet, legend, slot_letters,
    symbols, weekday_names,
)
from zoudu.render.notice import leave_cell
from zoudu.render.notice_page import _e, _name_pt


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
