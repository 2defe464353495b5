"""Rich rendering of plain results. Only this module (and the CLI) import Rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from zoudu.i18n import _
from zoudu.model import Roster
from zoudu.render.text import cell


PRINT_WIDTH = 132  # a line printer's width: what piped or saved output is laid out for


def console() -> Console:
    """The terminal as it is; a pipe or a file gets a printer's width, not Rich's 80."""
    out = Console(highlight=False, soft_wrap=False)
    if not out.is_terminal:
        out = Console(highlight=False, soft_wrap=False, width=max(out.width, PRINT_WIDTH))
    return out


def roster_table(roster: Roster, out: Console | None = None) -> None:
    out = out or console()
    if not roster.cadres:
        out.print(_("The roster is empty; add cadres with 'zoudu roster add'."))
        return
    table = Table(title=_("Roster"), show_lines=False)
    for header in (_("id"), _("name"), _("post"), _("team"), _("supervisor"), _("village"), _("since"), _("until")):
        table.add_column(header)
    for c in roster.cadres:
        boss = roster.get(c.supervisor) if c.supervisor else None
        table.add_row(*(cell(v) for v in (c.id, c.name, c.post, "✓" if c.team else "",
                                          f"{c.supervisor} {boss.name}" if boss else (c.supervisor or ""),
                                          c.village or "", str(c.since or ""), str(c.until or ""))))
    out.print(table)
