"""The policy's cross-checks (docs/audit-rules.md#the-policy-cross-checked): duty, appeal, review, meeting.

Each parses, makes one call to ``zoudu.ledger.record_policy``, prints the new ids.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from zoudu.cli.common import BY_HELP, date_help, recorded, time_help, workspace
from zoudu.i18n import _

part = typer.Typer()
By = typer.Option(None, "--by", help=BY_HELP)


@part.command()
def duty(
    cadres: List[str] = typer.Argument(..., metavar="CADRE...", help=_("Cadre ids or unique names.")),
    on: str = typer.Option(..., "--on", help=date_help(_("The day of duty."))),
    slots: Optional[str] = typer.Option(None, "--slots", help=_("morning,afternoon,evening (default: all three).")),
    by: Optional[str] = By,
) -> None:
    """Assign duty (值班) on a day: each slot assigned is due like a workday's."""
    from zoudu.ledger import record_policy

    ws = workspace()
    recorded(record_policy.duty(ws, cadres, on, slots, by), ws)


@part.command()
def appeal(
    cadre: str = typer.Argument(..., metavar="CADRE"),
    rule: str = typer.Option(..., "--rule", help=_("The rule id of the finding contested.")),
    date: str = typer.Option(..., "--date", help=date_help(_("The day of the finding (for a week: a day in it)."))),
    slot: Optional[str] = typer.Option(None, "--slot", help=_("morning, afternoon or evening.")),
    reason: str = typer.Option(..., "--reason", help=_("Why the finding is contested.")),
    by: Optional[str] = By,
) -> None:
    """Contest a finding (申诉); prints the appeal's id."""
    from zoudu.ledger import record_policy

    ws = workspace()
    recorded(record_policy.appeal(ws, cadre, rule, date, slot, reason, by), ws)


@part.command()
def review(
    entry_id: str = typer.Argument(..., metavar="ID"),
    decision: str = typer.Option(..., "--decision", help=_("An appeal: upheld (成立/维持) or overturned (撤销); a report: upheld (成立/属实) or dismissed (不成立/不属实).")),
    by: str = typer.Option(..., "--by", help=_("Id of the reviewer.")),
    reason: str = typer.Option(..., "--reason", help=_("Why.")),
) -> None:
    """Decide an appeal (复核) or a report (查处)."""
    from zoudu.ledger import record_policy

    ws = workspace()
    recorded(record_policy.review(ws, entry_id, decision, by, reason), ws)


@part.command()
def meeting(
    kind: str = typer.Option(..., "--kind", help=_("family (干部家属会).")),
    at: Optional[str] = typer.Option(None, "--at", help=time_help(_("Time of the meeting (default: now)."))),
    note: Optional[str] = typer.Option(None, "--note", help=_("What was discussed.")),
    by: Optional[str] = By,
) -> None:
    """Record a meeting, such as the quarterly family meeting (干部家属会)."""
    from zoudu.ledger import record_policy

    ws = workspace()
    recorded(record_policy.meeting(ws, kind, at, note, by), ws)
