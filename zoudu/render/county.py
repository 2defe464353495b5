"""The county's month across townships: a Rich table, and one self-contained HTML page with the trend
over the months kept (inline SVG charts; townships by name, never ranked)."""

from __future__ import annotations

import html
from typing import Sequence

from zoudu.i18n import _


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def table(rows: Sequence) -> None:
    from rich.table import Table

    from zoudu.render.console import console
    from zoudu.render.text import cell

    out = console()
    t = Table(title=_("The month across townships: {month}").format(month=rows[0].month if rows else ""))
    for header in (_("township"), _("number of cadres"), _("errors per rule"), _("cadres commuting"), _("spot-check rounds"),
                   _("sealed"), _("cosigned"), _("entries after the seal")):
        t.add_column(header)
    for r in rows:
        if r.problem:
            t.add_row(cell(r.township), cell(r.problem), "", "", "", "", "", "")
            continue
        errors = "、".join(f"{rule} {n}" for rule, n in r.errors.items()) or "—"
        t.add_row(cell(r.township), str(r.cadres), cell(errors), str(r.commuting_cadres),
                  f"{r.rounds}/{r.rounds_required}", _yes(r.sealed), _yes(r.cosigned), str(r.late))
    out.print(t)


def _bars(title: str, months: list[str], values: dict[str, list[int]]) -> str:
    """One small-multiples SVG bar chart per township, the same scale for all (no ranking)."""
    top = max([1] + [v for series in values.values() for v in series])
    width, height, bar = 28 * max(len(months), 1) + 40, 120, 20
    parts = [f"<h3>{html.escape(title)}</h3><div class='charts'>"]
    for township, series in values.items():
        svg = [f"<svg role='img' width='{width}' height='{height + 30}' viewBox='0 0 {width} {height + 30}'>",
               f"<title>{html.escape(township)}</title>"]
        for i, (month, v) in enumerate(zip(months, series)):
            h = round(height * v / top)
            x = 30 + 28 * i
            svg.append(f"<rect x='{x}' y='{height - h}' width='{bar}' height='{h}' fill='#8a1c1c'/>")
            svg.append(f"<text x='{x + bar / 2}' y='{height - h - 3}' font-size='10' text-anchor='middle'>{v}</text>")
            svg.append(f"<text x='{x + bar / 2}' y='{height + 14}' font-size='9' text-anchor='middle'>"
                       f"{html.escape(month[2:])}</text>")
        svg.append("</svg>")
        parts.append(f"<figure><figcaption>{html.escape(township)}</figcaption>{''.join(svg)}</figure>")
    parts.append("</div>")
    return "".join(parts)


def report_page(county: str, month: str, rows: Sequence, trend: dict[str, list]) -> str:
    """The county's report: this month's rows, then each township's trend (errors, commuting cadres,
    spot-check rounds) over the months kept. ``trend`` maps a month to its rows."""
    months = sorted(trend)
    names = sorted({r.township for rs in trend.values() for r in rs} | {r.township for r in rows})

    def series(pick) -> dict[str, list[int]]:
        by = {m: {r.township: r for r in trend[m]} for m in months}
        return {n: [pick(by[m][n]) if n in by[m] and not by[m][n].problem else 0 for m in months] for n in names}

    head = [_("township"), _("number of cadres"), _("errors per rule"), _("cadres commuting"), _("spot-check rounds"),
            _("sealed"), _("cosigned"), _("entries after the seal")]
    body = []
    for r in sorted(rows, key=lambda r: r.township):
        errors = "、".join(f"{rule} {n}" for rule, n in r.errors.items()) or "—"
        cells = [r.township, r.problem] if r.problem else [
            r.township, str(r.cadres), errors, str(r.commuting_cadres), f"{r.rounds}/{r.rounds_required}",
            _yes(r.sealed), _yes(r.cosigned), str(r.late)]
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    title = _("{county}: the month {month} across townships").format(county=county, month=month)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:2em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px 8px}}
.charts{{display:flex;flex-wrap:wrap;gap:1em}}figure{{margin:0}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{html.escape(_("Townships are listed by name: this page compares no township or cadre with another."))}</p>
<table><thead><tr>{''.join(f'<th>{html.escape(h)}</th>' for h in head)}</tr></thead>
<tbody>{''.join(body)}</tbody></table>
<h2>{html.escape(_("Trend over the months kept"))}</h2>
{_bars(_("errors"), months, series(lambda r: sum(r.errors.values())))}
{_bars(_("cadres commuting"), months, series(lambda r: r.commuting_cadres))}
{_bars(_("spot-check rounds"), months, series(lambda r: r.rounds))}
</body></html>
"""
