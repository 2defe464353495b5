"""What an appeal decided is decided in one place (zoudu/audit/appeals.py) and read by every figure:
a spot-check finding overturned on appeal cancels no evidence (the village visit it contradicted
covers the day again), is no absence on the notice, and none in the dossier either; a later appeal
of the same finding, still pending, decides it again for all of them."""

from __future__ import annotations

import pytest

from tests.support.cli import refused
from tests.support.book import Book, workspace_at
from tests.support.verdicts import audit_json, cadre_of, found, new_id, run, sheet_row
from zoudu.ledger.workspace import Workspace
from zoudu.publish.dossier import dossier

DAY = "2026-11-03"  # a Tuesday: a workday


def township(tmp_path, cli, check: str):
    """c003 in the village from 08:00 on ``DAY`` (witnessed), at the office that evening and all the
    next day; a spot check at ``check`` on ``DAY`` found them absent."""
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    Book(ws).village("c003", f"{DAY}T08:00", "石庄村").checkin("c003", f"{DAY}T19:30").day("c003", "2026-11-04").write()
    run(cli, ws, "inspect", "--by", "c002", "--at", f"{DAY}T{check}", "--absent", "c003")
    return ws


def appeal(cli, ws, decision: str | None) -> None:
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "inspection.absent", "--date", DAY, "--slot", "morning",
                     "--reason", "在村里走访"))
    if decision is not None:
        run(cli, ws, "review", aid, "--decision", decision, "--by", "c002", "--reason", "核实")


def figures(cli, ws) -> tuple[list[str], list[str], str, int]:
    """(the finding's status, the day's missing slots, the notice's absences found by spot checks,
    the dossier's)."""
    obj = audit_json(cli, ws)
    status = [v["status"] for v in found(obj, "c003", "inspection.absent")]
    missing = sorted(v["slot"] for v in found(obj, "c003", "signin.missing", DAY))
    record = dossier(Workspace(ws.root, clock=ws.clock), "c003", "2026-11", "2026-11").months[0]
    return status, missing, sheet_row(cli, ws, "c003")["抽查不在岗"], record.figures["checks_absent"]


@pytest.mark.parametrize("check", ["08:10", "10:30"])  # in the morning window; in the working hours after it
def test_an_overturned_spot_check_counts_nowhere(tmp_path, cli, check):
    ws = township(tmp_path, cli, check)
    status, missing, notice, archive = figures(cli, ws)
    assert status == ["standing"] and missing == ["afternoon", "morning"]  # the visit is contradicted
    assert notice == "1" and archive == 1
    appeal(cli, ws, "overturned")
    status, missing, notice, archive = figures(cli, ws)
    assert status == ["overturned"]
    assert missing == []  # the visit covers the day again
    assert notice == "0" and archive == 0


def test_the_latest_appeal_of_a_finding_decides_it_for_every_figure(tmp_path, cli):
    ws = township(tmp_path, cli, "08:10")
    appeal(cli, ws, "upheld")
    appeal(cli, ws, None)  # appealed again, not decided yet: the finding stands as it was
    status, missing, notice, archive = figures(cli, ws)
    assert status == ["appealed"]
    assert missing == ["afternoon", "morning"]
    assert notice == "1" and archive == 1
    appeal(cli, ws, "overturned")  # the latest appeal, overturned: gone from every figure
    status, missing, notice, archive = figures(cli, ws)
    assert status == ["overturned"] and missing == [] and notice == "0" and archive == 0


def test_a_finding_overturned_cannot_be_appealed_back(tmp_path, cli):
    """An appeal left undecided would bring an overturned finding back (the latest appeal decides):
    once overturned, there is nothing left to appeal."""
    ws = township(tmp_path, cli, "08:10")
    appeal(cli, ws, "overturned")
    refused(cli, ws.root, "appeal", "c003", "--rule", "inspection.absent", "--date", DAY, "--slot", "morning",
            "--reason", "再次申诉", message="overturned")
    status, missing, notice, archive = figures(cli, ws)
    assert status == ["overturned"] and missing == [] and notice == "0" and archive == 0