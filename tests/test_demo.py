"""The shipped demo workspace (Shizhuang township at the repo root) and its generator."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REPO, TZ, run_cli

VILLAGES = {"石庄村", "富溪村", "官山村", "尧家村", "水库村", "七里亭村", "曾家村"}
SHIPPED = ["rules.yaml", "ledgers/roster.yaml", "ledgers/2026-10.yaml", "ledgers/2026-11.yaml"]


def load_generator():
    spec = importlib.util.spec_from_file_location("make_demo", REPO / "tools" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo():
    return load_generator()


@pytest.fixture(scope="module")
def roster():
    lines = (REPO / "ledgers" / "roster.yaml").read_text(encoding="utf-8").splitlines()
    # the roster log: each cadre as added (the demo changes nobody later)
    changes = [json.loads(line[2:]) for line in lines if line.startswith("- ")]
    return {c["cadre"]: dict(c, id=c["cadre"]) for c in changes if c["op"] == "add"}


def entries(month: str) -> list[dict]:
    lines = (REPO / "ledgers" / f"{month}.yaml").read_text(encoding="utf-8").splitlines()
    return [json.loads(line[2:]) for line in lines if line.startswith("- ")]


def test_shipped_demo_verifies_clean():
    done = run_cli("verify", root=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all intact" in done.stdout


def test_roster_list_shows_the_township():
    done = run_cli("roster", "list", root=REPO, lang="zh")
    assert done.returncode == 0, done.stderr
    assert "陈建华" in done.stdout and "纪委书记" in done.stdout


def test_generator_reproduces_the_shipped_files_byte_for_byte(tmp_path: Path):
    target = tmp_path / "again"
    target.mkdir()
    done = subprocess.run([sys.executable, str(REPO / "tools" / "make_demo.py"), str(target)],
                          capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stderr
    for name in SHIPPED:
        assert (target / name).read_bytes() == (REPO / name).read_bytes(), f"{name} differs: rerun tools/make_demo.py"
    assert sorted(p.name for p in (target / "ledgers").iterdir()) == sorted(
        p.name for p in (REPO / "ledgers").iterdir() if not p.name.startswith("."))


def test_rules_are_the_default_policy_with_a_supervision_phone(demo):
    from zoudu.ledger.rules_template import DEFAULT_RULES_YAML

    text = (REPO / "rules.yaml").read_text(encoding="utf-8")
    assert f'supervision_phone: "{demo.PHONE}"' in text
    # the default policy, line for line, but for the phone (init's placeholder, flagged as such)
    differing = [(a, b) for a, b in zip(text.splitlines(), DEFAULT_RULES_YAML.splitlines()) if a != b]
    assert len(text.splitlines()) == len(DEFAULT_RULES_YAML.splitlines())
    assert [a.split("#")[0].strip() for a, _b in differing] == [
        f'supervision_phone: "{demo.PHONE}"', f"travel_minutes: {demo.TRAVEL_MINUTES}"]


def test_roster_has_the_posts_and_villages(roster):
    assert 18 <= len(roster) <= 24
    posts = [c["post"] for c in roster.values()]
    assert "党委书记" in posts and "纪委书记" in posts and any("乡长" == p.split("、")[-1] for p in posts)
    team = [c for c in roster.values() if c["team"]]
    ordinary = [c for c in roster.values() if not c["team"]]
    assert 5 <= len(team) <= 10
    # every ordinary cadre has a village named in the seed and a supervisor on the team
    assert all(c["village"] in VILLAGES for c in roster.values())
    assert {c["village"] for c in ordinary} == VILLAGES
    team_ids = {c["id"] for c in team}
    assert all(c["supervisor"] in team_ids for c in ordinary)
    # team members other than the secretary each supervise a few cadres
    for c in team:
        if c["post"] not in ("党委书记",) and c["id"] not in ("c002",):
            assert sum(1 for o in ordinary if o["supervisor"] == c["id"]) >= 2, c["id"]
    # names are not unique: two 刘伟
    assert sorted(c["id"] for c in roster.values() if c["name"] == "刘伟") == ["c012", "c017"]


def test_every_intent_cadre_is_on_the_roster(demo, roster):
    ids: set[str] = set()
    for key, value in demo.INTENT.items():
        if key in ("township", "county", "months", "late_days", "no_witness_days", "inspections", "family_meeting",
                   "anomalies"):
            continue
        if key == "draw":  # the inspector draws; the cadres of each night drawn
            ids.add(value["by"])
            ids.update(c for cadres in value["rounds"].values() for c in cadres)
            continue
        if isinstance(value, str):
            ids.add(value)
        elif key == "duty":  # day -> cadres
            ids.update(c for cadres in value.values() for c in cadres)
        elif isinstance(value, dict):
            ids.update(value)
        else:
            ids.update(value)
    assert ids and ids <= set(roster), ids - set(roster)
    assert roster[demo.INTENT["inspector"]]["post"] == "纪委书记"
    assert roster[demo.INTENT["clerk"]]["post"].startswith("党政办")


def test_ledgers_hold_what_the_intent_says(demo):
    intent = demo.INTENT
    october, november = entries("2026-10"), entries("2026-11")
    both = october + november
    kinds = defaultdict(list)
    for e in both:
        kinds[e["kind"]].append(e)
    # nothing before the ledger starts; both months whole: the last diaries typed in on 1 December
    assert min(e["at"] for e in both) >= "2026-10-01"
    # (but the draw's secret, disclosed once November is over: docs/guide.md#the-demo-township)
    assert max(e["at"] for e in both if e["kind"] != "draw_disclose") < "2026-12-01"
    assert max(e["recorded"] for e in both) <= "2026-12-01T10:00:00+08:00"
    assert [e for e in kinds["checkin"] if e["at"].startswith("2026-11-30T19:")]  # the last evening is there
    # the discipline group's leader decides reports; the party secretary decides appeals
    # ... and one cadre types in another's sign-ins (a question, docs/anomalies.md)
    assert {e["by"] for e in both} == {intent["clerk"], intent["office_head"], intent["inspector"], intent["secretary"],
                                       demo.TYPED_BY[2]}
    # no sign-in on the National Day holiday
    assert not [e for e in kinds["checkin"] if "2026-10-01" <= e["at"][:10] <= "2026-10-07"]
    # the make-up working Saturday is worked
    assert [e for e in kinds["checkin"] if e["at"].startswith("2026-10-10")]
    for month, data in (("2026-10", october), ("2026-11", november)):
        checks = [e for e in data if e["kind"] == "inspection"]
        assert len(checks) == intent["inspections"][month]
        assert {e["method"] for e in checks} == {"visit", "phone"}
        assert all(e["inspector"] == intent["inspector"] for e in checks)
        assert {c for e in checks for c in e["absent"]} == set(intent["commuters"])
        evaluated = {e["cadre"] for e in data if e["kind"] == "evaluation"}
        assert len(evaluated) >= 20
    leaves = {e["cadre"]: e for e in kinds["leave"]}
    assert {c for c, e in leaves.items() if e["leave_kind"] == "公出"} == set(intent["on_trip"])
    assert {c for c, e in leaves.items() if e["leave_kind"] != "公出"} == set(intent["on_leave"])
    assert {e["cadre"] for e in kinds["leave_cancel"]} == set(intent["leave_cancelled"])
    assert {e["cadre"] for e in kinds["checkin"] if e.get("approver")} == set(intent["backfilled_approved"])
    assert {e["cadre"] for e in kinds["void"]} == set(intent["voided_for"])
    assert {e["cadre"]: e["rule"] for e in kinds["report"]} == intent["reported"]
    # the policy cross-checked (docs/audit-rules.md#the-policy-cross-checked): a duty weekend signed in,
    # appeals and reports reviewed, a family meeting
    duties = {(e["date"], e["cadre"]) for e in kinds["duty"]}
    assert duties == {(day, c) for day, cadres in intent["duty"].items() for c in cadres}
    for day, cadres in intent["duty"].items():
        for c in cadres:
            assert len([e for e in kinds["checkin"] if e["cadre"] == c and e["at"].startswith(day)]) == 3
    assert {e["cadre"]: e["rule"] for e in kinds["appeal"]} == {c: a["rule"] for c, a in intent["appeals"].items()}
    decided = {e["target"]: e["decision"] for e in kinds["review"]}
    assert sorted(decided.values()) == ["dismissed", "overturned", "upheld", "upheld"]
    assert [e["at"][:10] for e in kinds["meeting"]] == [intent["family_meeting"]]
    assert {e["cadre"] for e in kinds["village"] if not e.get("witness")} == set(intent["no_witness"])
    stays = [e for e in kinds["village"] if e["stay"]]
    assert not {e["cadre"] for e in stays} & set(intent["commuters"])
    assert len({e["cadre"] for e in stays}) >= 12


def test_audit_finds_exactly_the_intended_cadres(demo):
    """The audit, run as if in 2030: the demo's months are whole, so nothing depends on today."""
    audit = pytest.importorskip("zoudu.audit")
    from zoudu.ledger.workspace import Workspace

    intent = demo.INTENT
    moment = dt.datetime(2030, 6, 1, 9, 0, tzinfo=TZ)
    for month in intent["months"]:
        result = audit.audit_month(Workspace(REPO, clock=lambda: moment), month)
        errors: dict[str, set[str]] = defaultdict(set)
        warnings: dict[str, set[str]] = defaultdict(set)
        for v in result.violations:
            (errors if v.severity == "error" else warnings)[v.cadre].add(v.rule)
        assert None not in errors, errors.get(None)  # enough spot checks, nothing township-wide
        for cadre, rules in errors.items():
            assert rules <= set(intent["expected_errors"].get(cadre, ())), (month, cadre, rules)
        nights = {c for c, rules in errors.items() if "week.nights" in rules}
        assert nights == set(intent["commuters"]), month
        assert {c for c, rules in errors.items() if "inspection.absent" in rules} <= set(intent["commuters"])
        missing = {c for c, rules in errors.items() if "signin.missing" in rules}
        assert missing == set(intent["commuters"]) | set(intent["late"]) | set(intent["no_witness"]), month
        for cadre, rules in warnings.items():
            assert rules <= set(intent["expected_warnings"].get(cadre, ())), (month, cadre, rules)
