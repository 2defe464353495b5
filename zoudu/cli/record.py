"""The recording commands: roster, checkin, village, leave, inspect, report, evaluate, void.

Each parses, makes one call to ``zoudu.ledger.record``, prints the new ids.
"""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from zoudu.cli.common import BY_HELP, bound_help, date_help, recorded, time_help, workspace
from zoudu.errors import ZouduError, visible
from zoudu.i18n import _

part = typer.Typer()
roster_app = typer.Typer(no_args_is_help=True, help=_("The roster of cadres (花名册)."))
part.add_typer(roster_app, name="roster")


# ----------------------------------------------------------------------------- roster


@roster_app.command("add")
def roster_add(
    cadre_id: str = typer.Argument(..., metavar="ID"),
    name: str = typer.Option(..., "--name", help=_("Full name (names need not be unique).")),
    post: Optional[str] = typer.Option(None, "--post", help=_("Post (职务).")),
    team: bool = typer.Option(False, "--team", help=_("Member of the leadership team (班子成员).")),
    supervisor: Optional[str] = typer.Option(None, "--supervisor", help=_("Id of the supervising team member.")),
    village: Optional[str] = typer.Option(None, "--village", help=_("Assigned village (所包村).")),
    since: Optional[str] = typer.Option(None, "--since", help=date_help(_("First day of service (default: today)."))),
    badge: Optional[str] = typer.Option(None, "--badge", help=_("Number on the attendance terminal (考勤号码), for 'zoudu import'.")),
) -> None:
    """Add a cadre to the roster."""
    from zoudu.ledger import record_roster

    print(record_roster.roster_add(workspace(), cadre_id, name, post, team, supervisor, village, since, badge))


@roster_app.command("list")
def roster_list(
    on: Optional[str] = typer.Option(None, "--on", help=_("Show the roster as it stood on this day.")),
) -> None:
    """List the roster (as it stood on a day, with --on)."""
    from zoudu.render.console import roster_table
    from zoudu.timeparse import parse_date

    ws = workspace()
    if on is None:
        roster_table(ws.roster)
        return
    day = parse_date(on)
    state = ws.roster.on(day)
    roster_table(state._replace(cadres=tuple(c for c in state.cadres if c.serving_on(day))))


@roster_app.command("set")
def roster_set(
    cadre_id: str = typer.Argument(..., metavar="ID"),
    start: str = typer.Option(..., "--from", help=_("The day the change takes effect.")),
    supervisor: Optional[str] = typer.Option(None, "--supervisor", help=_("Id of the supervising team member.")),
    village: Optional[str] = typer.Option(None, "--village", help=_("Assigned village (所包村).")),
    post: Optional[str] = typer.Option(None, "--post", help=_("Post (职务).")),
    team: Optional[bool] = typer.Option(None, "--team/--no-team", help=_("Member of the leadership team (班子成员).")),
    badge: Optional[str] = typer.Option(None, "--badge", help=_("Badge number on the attendance terminal.")),
    by: Optional[str] = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Change a cadre's supervisor, village, post, team membership or badge from a date on."""
    from zoudu.ledger import record_roster

    print(record_roster.roster_set(workspace(), cadre_id, start, by, supervisor=supervisor, village=village, post=post,
                            team=team, badge=badge))


@roster_app.command("migrate")
def roster_migrate() -> None:
    """Convert a roster in the old format (one cadre per line) into the dated log, once."""
    from zoudu.ledger import record_roster

    count, backup = record_roster.roster_migrate(workspace())
    print(_("roster converted into a dated log: {n} cadre(s); the old file is kept as {backup}").format(
        n=count, backup=backup))


@roster_app.command("leave")
def roster_leave(
    cadre_id: str = typer.Argument(..., metavar="ID"),
    on: str = typer.Option(..., "--on", help=date_help(_("Last day of service."))),
) -> None:
    """Record that a cadre left (the last day of service)."""
    from zoudu.ledger import record_roster

    print(record_roster.roster_leave(workspace(), cadre_id, on))


# ----------------------------------------------------------------------------- recording

By = typer.Option(None, "--by", help=BY_HELP)


@part.command()
def checkin(
    cadres: List[str] = typer.Argument(..., metavar="CADRE...", help=_("Cadre ids or unique names.")),
    at: Optional[str] = typer.Option(None, "--at", help=time_help(_("Time of the sign-in (default: now)."))),
    place: Optional[str] = typer.Option(None, "--place", help=_("Place (default: the one in rules.yaml).")),
    approver: Optional[str] = typer.Option(None, "--approver", help=_("Who approved a late entry (补签).")),
    reason: Optional[str] = typer.Option(None, "--reason", help=_("Why the sign-in is entered late.")),
    by: Optional[str] = By,
) -> None:
    """Office sign-in (签到) for one or more cadres."""
    from zoudu.ledger import record

    ws = workspace()
    recorded(record.checkin(ws, cadres, at, place, approver, reason, by), ws)


@part.command()
def village(
    cadre: str = typer.Argument(..., metavar="CADRE"),
    village_name: str = typer.Option(..., "--village", help=_("The village.")),
    witness: Optional[str] = typer.Option(None, "--witness", help=_("Villager who signed the field diary.")),
    stay: bool = typer.Option(False, "--stay", help=_("An overnight stay (住村), not a day visit.")),
    at: Optional[str] = typer.Option(None, "--at", help=time_help(_("Time of the visit (default: now)."))),
    note: Optional[str] = typer.Option(None, "--note", help=_("What was done.")),
    approver: Optional[str] = typer.Option(None, "--approver", help=_("Who approved a late entry.")),
    reason: Optional[str] = typer.Option(None, "--reason", help=_("Why the entry is copied late.")),
    by: Optional[str] = By,
) -> None:
    """A village visit or stay from the field diary (民情日记)."""
    from zoudu.ledger import record

    ws = workspace()
    recorded(record.village(ws, cadre, village_name, witness, stay, at, note, by, approver, reason), ws)


@part.command()
def leave(
    args: List[str] = typer.Argument(..., metavar="CADRE | cancel CADRE"),
    start: Optional[str] = typer.Option(None, "--from", help=bound_help(_("Start (a time, or a date for the whole day)."))),
    end: Optional[str] = typer.Option(None, "--to", help=bound_help(_("End (a time, or a date for the whole day)."))),
    kind: Optional[str] = typer.Option(None, "--kind", help=_("事假/病假/年休假/公出 … (default 事假).")),
    approver: Optional[str] = typer.Option(None, "--approver", help=_("Who approved it.")),
    at: Optional[str] = typer.Option(None, "--at", help=time_help(_("With 'cancel': when the leave ends (default: now)."))),
    by: Optional[str] = By,
) -> None:
    """Leave or an official trip; 'leave cancel CADRE --at T' ends it early (销假)."""
    from zoudu.ledger import record

    ws = workspace()
    if args[0] == "cancel" and len(args) == 2:
        stray = [flag for flag, value in (("--from", start), ("--to", end), ("--kind", kind),
                                          ("--approver", approver)) if value]
        if stray:
            raise ZouduError(_("'leave cancel' takes only --at (and --by), not {options}").format(
                options=", ".join(stray)))
        recorded(record.leave_cancel(ws, args[1], at, by, tell=lambda line: print(line, file=sys.stderr)), ws)
        return
    if at is not None:
        raise ZouduError(_("--at belongs to 'zoudu leave cancel'; a leave takes --from and --to"))
    if len(args) != 1:
        raise ZouduError(_("usage: zoudu leave CADRE --from T --to T --approver ID, or zoudu leave cancel CADRE --at T"))
    missing = [flag for flag, value in (("--from", start), ("--to", end), ("--approver", approver)) if not value]
    if missing:
        raise ZouduError(_("leave needs {options}").format(options=", ".join(missing)))
    recorded(record.leave(ws, args[0], start, end, kind, approver, by), ws)


@part.command()
def inspect(
    inspector: str = typer.Option(..., "--by", help=_("Id of the inspector (督查组).")),
    at: Optional[str] = typer.Option(None, "--at", help=time_help(_("Time of the check (default: now)."))),
    present: List[str] = typer.Option([], "--present", help=_("Cadres found present (repeat).")),
    absent: List[str] = typer.Option([], "--absent", help=_("Cadres found absent (repeat).")),
    method: str = typer.Option("visit", "--method", help=_("visit or phone.")),
) -> None:
    """A spot check and what it found."""
    from zoudu.ledger import record

    ws = workspace()
    recorded(record.inspect(ws, inspector, at, present, absent, method, inspector), ws)


@part.command()
def report(
    cadre: str = typer.Argument(..., metavar="CADRE"),
    rule: str = typer.Option(..., "--rule", help=_("conduct.drinking / cards / hospitality / left_village / reception")),
    at: Optional[str] = typer.Option(None, "--at", help=time_help(_("Time of the breach (default: now)."))),
    source: str = typer.Option(..., "--source", help=_("Where the report came from.")),
    note: Optional[str] = typer.Option(None, "--note", help=_("What was reported.")),
    by: Optional[str] = By,
) -> None:
    """A reported breach of village-stay discipline (五不准)."""
    from zoudu.ledger import record

    ws = workspace()
    recorded(record.report(ws, cadre, rule, at, source, note, by), ws)


@part.command()
def evaluate(
    cadre: str = typer.Argument(..., metavar="CADRE"),
    month: str = typer.Option(..., "--month", help=_("The month evaluated, YYYY-MM (also 2026年11月).")),
    self_: Optional[str] = typer.Option(None, "--self", help=_("Self evaluation (自评): 优/良/中/差.")),
    peer: Optional[str] = typer.Option(None, "--peer", help=_("Peer evaluation (互评).")),
    public: Optional[str] = typer.Option(None, "--public", help=_("Public evaluation (群众评).")),
    by: Optional[str] = By,
) -> None:
    """The three evaluations (三点评) of a cadre's month."""
    from zoudu.ledger import record

    from zoudu.ledger.record_policy import earlier_evaluations
    from zoudu.timeparse import parse_month

    ws = workspace()
    grades = {"self": self_, "peer": peer, "public": public}
    given = [kind for kind, grade in grades.items() if grade]
    earlier = earlier_evaluations(ws, record.find_cadre(ws.roster, cadre).id, parse_month(month), given) if given else []
    recorded(record.evaluate(ws, cadre, month, grades, by), ws)
    if earlier:  # kept in the archive; the latest of each kind counts
        print(_("it replaces the earlier evaluation(s) {ids} of that month").format(ids=", ".join(earlier)),
              file=sys.stderr)


@part.command()
def void(
    entry_id: str = typer.Argument(..., metavar="ENTRY_ID"),
    reason: str = typer.Option(..., "--reason", help=_("Why the entry is cancelled.")),
    approver: Optional[str] = typer.Option(None, "--approver", help=_("Who approved the void (needed after the grace).")),
    by: Optional[str] = By,
) -> None:
    """Cancel an earlier entry (it stays in the ledger, marked void)."""
    from zoudu.ledger import record

    ws = workspace()
    recorded(record.void(ws, entry_id, reason, by, approver), ws)


@part.command()
def approve(
    entry_id: str = typer.Argument(..., metavar="ENTRY_ID"),
    approver: str = typer.Option(..., "--approver", help=_("Who approves the late entry (as at entry: a leader who may).")),
    reason: str = typer.Option(..., "--reason", help=_("Why the entry was recorded late.")),
    by: Optional[str] = By,
) -> None:
    """Approve after the fact a late sign-in, village entry or imported punch (补批): the audit then counts it."""
    from zoudu.ledger import record, seals

    ws = workspace()
    ids = record.approve_late(ws, entry_id, approver, reason, by)
    recorded(ids, ws)
    seal = seals.is_sealed(ws, entry_id[:7])
    if seal is not None:
        print(visible(f"zoudu: {_('warning')}: " + _(
            "{month} was sealed ({seal}) before this approval: it is late there and does not change the sealed "
            "month's verdict").format(month=entry_id[:7], seal=seal.id)), file=sys.stderr)
