"""The shipped demo month (tools/make_demo.py) audited end to end: table, JSON and CSV agree,
and what they flag is what the generator meant (``INTENT``)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import re
import sys
from collections import Counter, defaultdict

import pytest
from rich.console import Console

from tests.conftest import REPO, TZ, run_cli
from tests.test_audit_cli import check_spec_shape
from zoudu.audit import audit_month, to_json
from zoudu.cli.audit import write_csv
from zoudu.render.audit import render_audit
from zoudu.ledger.workspace import Workspace


@pytest.fixture(scope="module")
def intent() -> dict:
    spec = importlib.util.spec_from_file_location("make_demo", REPO / "tools" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.INTENT


def key(v: dict) -> tuple:
    return (v["cadre"] or None, v["rule"], v["severity"], v["date"] or None, v["slot"] or None, v["week"] or None)


def csv_rows(text: str) -> list[dict]:
    return [row for row in csv.DictReader(io.StringIO(text)) if row["rule"] != "notice"]


def check_agreement(obj: dict, rows: list[dict], table: str) -> None:
    """The three outputs of one audit say the same thing."""
    check_spec_shape(obj)
    assert Counter(key(v) for v in obj["violations"]) == Counter(key(r) for r in rows)
    assert [r["evidence"] for r in rows] == ["\n".join(v["evidence"] + v["trace"]) for v in obj["violations"]]
    assert [r["status"] for r in rows] == [v["status"] for v in obj["violations"]]
    for c in obj["cadres"]:
        header = f"{c['name']} ({c['cadre']}): {c['errors']} error(s), {c['warnings']} warning(s)"
        assert (header in table) == bool(c["errors"] or c["warnings"]), header
    liability = table[table.index("Supervisor liability"):]
    for row in obj["liability"]:
        line = next(line for line in liability.splitlines() if f"│ {row['supervisor']} " in line)
        assert re.search(rf"│\s+{row['violations']} │\s+{row['own']} │", line), line
    for rule in {v["rule"] for v in obj["violations"]}:
        assert rule in table
    counted = [v for v in obj["violations"] if v["status"] != "overturned"]  # overturned counts for nothing
    errors = sum(v["severity"] == "error" for v in counted)
    assert f"{errors} error(s), {len(counted) - errors} warning(s)" in table


def check_intent(obj: dict, intent: dict, month: str) -> None:
    errors: dict[str, set[str]] = defaultdict(set)
    for v in obj["violations"]:
        if v["severity"] == "error":
            errors[v["cadre"]].add(v["rule"])
    assert None not in errors  # enough spot checks
    commuters = set(intent["commuters"])
    assert {c for c, rules in errors.items() if "week.nights" in rules} == commuters
    assert {c for c, rules in errors.items() if "inspection.absent" in rules} == commuters
    assert set(errors) <= set(intent["expected_errors"])
    for cadre, rules in errors.items():
        assert rules <= set(intent["expected_errors"][cadre]), (month, cadre, rules)
    for cadre in intent["compliant"]:
        mine = [v for v in obj["violations"] if v["cadre"] == cadre and v["severity"] == "error"]
        assert not mine, (month, cadre, mine[:2])
    # each commuter's supervisor answers for them (连带责任)
    roster = {c["cadre"]: c for c in obj["cadres"]}
    liable = {row["supervisor"]: row["subordinates"] for row in obj["liability"]}
    for cadre in commuters:
        assert liable[roster[cadre]["supervisor"]][cadre] >= 3  # nights, missing sign-ins, spot check
    # the month's counts add up: a due slot is valid (office), in a village, or an absence
    for c in obj["cadres"]:
        assert c["signins_valid"] + c["absences"] <= c["signins_required"], c
    # the week figures behind week.nights: fewer nights than the quota asked
    for cadre in commuters:
        weeks = next(c["weeks"] for c in obj["cadres"] if c["cadre"] == cadre)
        assert any(w["nights"][1] < w["nights"][0] for w in weeks if w["checked"])


def test_october_through_the_command_line(intent):
    month = "2026-10"
    j = run_cli("audit", "--month", month, "--format", "json", root=REPO)
    assert j.returncode == 1, j.stderr  # commuters: errors
    obj = json.loads(j.stdout)
    c = run_cli("audit", "--month", month, "--format", "csv", root=REPO)
    t = run_cli("audit", "--month", month, root=REPO, env={"COLUMNS": "250"})
    assert c.returncode == t.returncode == 1
    check_agreement(obj, csv_rows(c.stdout), t.stdout)
    check_intent(obj, intent, month)
    assert obj["inspections"] == intent["inspections"][month]


def test_november_as_of_the_last_morning(intent):
    """In process, with the clock in 2030: the demo's November is whole, whatever today's date."""
    month = "2026-11"
    moment = dt.datetime(2030, 6, 1, 9, 0, tzinfo=TZ)
    result = audit_month(Workspace(REPO, clock=lambda: moment), month)
    obj = to_json(result)
    out = io.StringIO()
    write_csv(result, out)
    console = Console(record=True, width=250, color_system=None)
    render_audit(result, out=console)
    check_agreement(obj, csv_rows(out.getvalue()), console.export_text())
    check_intent(obj, intent, month)
    reported = {v["cadre"]: v["rule"] for v in obj["violations"] if v["rule"].startswith("conduct.")}
    assert reported == intent["upheld_reports"]  # the dismissed complaint is listed, not a breach
    assert {r["cadre"]: r["status"] for r in obj["reports"]} == {
        **{c: "upheld" for c in intent["upheld_reports"]}, **{c: "dismissed" for c in intent["dismissed_reports"]}}
    # one appeal overturned (visible, counts for nothing), one upheld (the finding stands)
    for cadre, appeal in intent["appeals"].items():
        (v,) = [v for v in obj["violations"] if v["cadre"] == cadre and v["rule"] == appeal["rule"]
                and v["date"] == appeal["date"] and v["slot"] == appeal["slot"]]
        assert v["status"] == {"overturned": "overturned", "upheld": "standing"}[appeal["decision"]]
        assert len(v["trace"]) == 2
    # the duty weekend is covered; the one late sign-in is a warning
    assert not [v for v in obj["violations"] if v["rule"] == "duty.missed"]
    ((late_cadre, late_day),) = intent["late_in_window"].items()
    assert [(v["cadre"], v["date"]) for v in obj["violations"] if v["rule"] == "signin.late"] == [(late_cadre, late_day)]
    # the cadre who joined on 2026-11-09 is audited from that day only
    (joined,) = intent["joined_midway"]
    days = next(c for c in result.cadres if c.cadre == joined).days
    assert not any(d.serving for d in days if d.date < dt.date(2026, 11, 9))
    assert not [v for v in result.violations if v.cadre == joined]
    # a leave cancelled early (销假): excused until the cancellation, not after
    (cancelled,) = intent["leave_cancelled"]
    slots = {d.date: d.slots for d in next(c for c in result.cadres if c.cadre == cancelled).days}
    assert slots[dt.date(2026, 11, 17)]["morning"] == "leave"
    assert slots[dt.date(2026, 11, 19)]["morning"] in ("office", "village")  # after it: present again
