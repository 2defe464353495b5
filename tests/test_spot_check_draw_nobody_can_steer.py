"""The spot-check draw (docs/trust-model.md#the-spot-check-draw), through the command line on real files.

The commitment must come before the month and the dice at its meeting, so those two steps are
recorded with the workspace's settable clock; everything after (spot checks, disclosure, verify,
audit) runs through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from zoudu.ledger import draw as core
from tests.support.workspace import Clock, TZ, make_workspace
from zoudu.ledger.workspace import Workspace
from tests.test_signed_seals_catch_rewrites import lines_of, rechain

MONTH = "2026-11"


@pytest.fixture
def secrets_dir(tmp_path, monkeypatch) -> dict[str, str]:
    where = tmp_path / "group-only"
    monkeypatch.setenv(core.SECRET_ENV, str(where))
    return {core.SECRET_ENV: str(where)}


@pytest.fixture
def drawn(tmp_path, secrets_dir):
    """A township whose November draw was committed in October and drawn at the meeting of 2 November."""
    clock = Clock(dt.datetime(2026, 10, 28, 10, 0, tzinfo=TZ))
    ws = make_workspace(tmp_path / "w", clock)
    core.commit(ws, MONTH, "c002")
    clock.set("2026-11-02T10:00")
    _id, rounds = core.draw(ws, MONTH, "3 1 4 1 5 9 2 6 5 3 5 8", "c002")
    return ws.root, rounds


def check(cli, root, night: str, cadres) -> None:
    args = [a for c in cadres for a in ("--present", c)]
    r = cli("inspect", "--by", "c002", "--at", f"{night}T21:30", *args, root=root)
    assert r.returncode == 0, r.stderr


def audit(cli, root) -> dict:
    r = cli("audit", "--month", MONTH, "--format", "json", root=root)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def not_as_drawn(result: dict) -> list[dict]:
    return [v for v in result["violations"] if v["rule"] == "inspection.not_as_drawn"]


def test_the_draw_gives_the_rounds_required_and_keeps_its_secret_outside_the_workspace(drawn, secrets_dir):
    root, rounds = drawn
    assert len(rounds) == 2 and all(len(r.cadres) == 3 for r in rounds)
    nights = [dt.date.fromisoformat(r.night) for r in rounds]
    assert all(n >= dt.date(2026, 11, 2) and n.weekday() < 4 for n in nights)  # workday evenings the 543 counts
    assert all(set(r.cadres) <= {"c003", "c004", "c005", "c006"} for r in rounds)  # not the group
    secret = Path(secrets_dir[core.SECRET_ENV]) / f"{MONTH}.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text(encoding="utf-8").strip() not in (root / "ledgers" / f"{MONTH}.yaml").read_text(encoding="utf-8")


def test_checks_that_follow_the_draw_raise_nothing_and_the_draw_verifies(drawn, cli, secrets_dir):
    root, rounds = drawn
    for r in rounds:
        check(cli, root, r.night, r.cadres)
    r = cli("draw", "disclose", "--month", MONTH, root=root, env=secrets_dir)
    assert r.returncode == 0, r.stderr
    assert all(x.night in r.stdout for x in rounds)
    assert not_as_drawn(audit(cli, root)) == []
    r = cli("draw", "verify", "--month", MONTH, root=root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verifies" in r.stdout


def test_a_check_that_skips_a_drawn_cadre_is_not_as_drawn(drawn, cli, secrets_dir):
    root, rounds = drawn
    first, second = rounds
    check(cli, root, first.night, first.cadres)
    check(cli, root, second.night, second.cadres[:-1])  # one drawn cadre spared
    assert cli("draw", "disclose", "--month", MONTH, root=root, env=secrets_dir).returncode == 0
    found = not_as_drawn(audit(cli, root))
    assert len(found) == 1
    assert found[0]["cadre"] is None and found[0]["responsible"] == "c001"  # the group's leader
    assert found[0]["date"] == second.night and second.cadres[-1] in found[0]["message"]


@pytest.mark.parametrize("field, value", [("randomness", "6 6 6 6 6 6"), ("secret", "00" * 32),
                                          ("commitment", "11" * 32)])
def test_verify_exits_1_when_a_recorded_value_is_changed_and_rechained(drawn, cli, secrets_dir, field, value):
    root, _rounds = drawn
    assert cli("draw", "disclose", "--month", MONTH, root=root, env=secrets_dir).returncode == 0
    assert cli("draw", "verify", "--month", MONTH, root=root).returncode == 0
    path = root / "ledgers" / f"{MONTH}.yaml"
    lines = lines_of(path)
    for i, line in enumerate(lines):
        if line.startswith("- ") and f'"{field}"' in line:
            fields = json.loads(line[2:])
            fields[field] = value
            lines[i] = "- " + json.dumps(fields, ensure_ascii=False) + "\n"
            break
    else:
        raise AssertionError(f"no {field} recorded")
    rechain(path, MONTH, lines)
    assert cli("verify", root=root).returncode == 0  # the chain alone holds
    r = cli("draw", "verify", "--month", MONTH, root=root)
    assert r.returncode == 1, r.stdout + r.stderr


def test_a_draw_before_its_commitment_is_refused(root, cli, secrets_dir):
    r = cli("draw", "--month", "2027-01", "--randomness", "1 2 3 4 5 6", "--by", "c002", root=root, env=secrets_dir)
    assert r.returncode == 2 and "commit" in r.stderr
    assert not (root / "ledgers" / "2027-01.yaml").exists()


def test_only_the_discipline_group_commits_or_draws(root, cli, secrets_dir):
    r = cli("draw", "commit", "--month", "2027-01", "--by", "c003", root=root, env=secrets_dir)
    assert r.returncode == 2 and "discipline group" in r.stderr
    assert not (root / "ledgers" / "2027-01.yaml").exists()
    r = cli("draw", "commit", "--month", "2027-01", "--by", "c002", root=root, env=secrets_dir)
    assert r.returncode == 0, r.stderr
    r = cli("draw", "--month", "2027-01", "--randomness", "1 2 3", "--by", "c003", root=root, env=secrets_dir)
    assert r.returncode == 2 and "discipline group" in r.stderr


def test_a_commitment_after_the_month_began_or_a_secret_inside_the_workspace_is_refused(root, cli, secrets_dir):
    r = cli("draw", "commit", "--month", "2026-11", "--by", "c002", root=root, env=secrets_dir)
    assert r.returncode == 2 and "before the month begins" in r.stderr
    r = cli("draw", "commit", "--month", "2027-01", "--by", "c002", root=root,
            env={core.SECRET_ENV: str(root / "ledgers")})
    assert r.returncode == 2 and "inside the workspace" in r.stderr
    assert not (root / "ledgers" / "2027-01.yaml").exists()


def test_a_past_draw_never_disclosed_is_a_notice(drawn, cli):
    root, rounds = drawn
    for r in rounds:
        check(cli, root, r.night, r.cadres)
    result = audit(cli, root)
    assert any("never disclosed" in notice for notice in result["notices"])
    assert not_as_drawn(result) == []  # nothing to hold the checks against
    assert cli("draw", "verify", "--month", MONTH, root=root).returncode == 1


def test_a_draw_disclosed_after_the_month_was_sealed_still_decides(drawn, cli, secrets_dir, tmp_path):
    root, rounds = drawn
    first, second = rounds
    check(cli, root, first.night, first.cadres)
    key = {"ZOUDU_KEY": str(tmp_path / "key" / "township.key")}
    assert cli("keys", "init", root=root, env=key).returncode == 0
    r = cli("seal", "--month", MONTH, root=root, env=key)
    assert r.returncode == 0, r.stderr
    assert cli("draw", "disclose", "--month", MONTH, root=root, env=secrets_dir).returncode == 0
    result = audit(cli, root)
    assert not any("never disclosed" in notice for notice in result["notices"])
    assert [v["date"] for v in not_as_drawn(result)] == [second.night]


def test_the_draw_reads_in_the_log_and_cannot_be_voided(drawn, cli):
    root, _rounds = drawn
    r = cli("log", "--month", MONTH, root=root)
    assert r.returncode == 0 and "commitment" in r.stdout and "public value 3 1 4 1 5 9" in r.stdout
    r = cli("void", f"{MONTH}-0002", "--reason", "redo", "--by", "c001", root=root)
    assert r.returncode == 2 and "spot-check draw" in r.stderr


def test_cadres_on_leave_recorded_before_the_draw_or_off_the_roster_are_not_candidates(tmp_path, secrets_dir):
    from zoudu.ledger import record, record_roster

    clock = Clock(dt.datetime(2026, 10, 28, 10, 0, tzinfo=TZ))
    ws = make_workspace(tmp_path / "w", clock)
    core.commit(ws, MONTH, "c002")
    clock.set("2026-11-01T09:00")
    record.leave(ws, "c003", "2026-11-02", "2026-11-12", "事假", "c001", None)
    record_roster.roster_leave(ws, "c006", "2026-11-18")  # last day of service
    clock.set("2026-11-01T10:00")
    core.draw(ws, MONTH, "1 2 3 4 5 6", "c002")
    clock.set("2026-11-02T09:00")
    record.leave(ws, "c004", "2026-11-03", "2026-11-05", "事假", "c002", None)  # after the draw: changes nothing
    pool = next(json.loads(line[2:])["pool"] for line in lines_of(ws.ledger_path(MONTH))
                if '"kind": "draw"' in line)
    assert "2026-11-02" in pool and "2026-11-06" not in pool  # a Monday evening; a Friday's is not counted
    for night, cadres in pool.items():
        day = dt.date.fromisoformat(night)
        assert ("c003" in cadres) == (day > dt.date(2026, 11, 12)), night
        assert ("c006" in cadres) == (day <= dt.date(2026, 11, 18)), night
        assert "c004" in cadres and not {"c001", "c002"} & set(cadres)


def test_each_step_happens_once_and_in_its_time(root, cli, secrets_dir):
    assert cli("draw", "commit", "--month", "2027-01", "--by", "c002", root=root, env=secrets_dir).returncode == 0
    r = cli("draw", "commit", "--month", "2027-01", "--by", "c001", root=root, env=secrets_dir)
    assert r.returncode == 2 and "already committed" in r.stderr
    r = cli("draw", "--month", "2027-01", "--randomness", "2 4 6 1", "--by", "c001", root=root, env=secrets_dir)
    assert r.returncode == 0, r.stderr
    assert "for the discipline group only" in r.stdout and r.stdout.count("round ") == 2
    r = cli("draw", "--month", "2027-01", "--randomness", "5 5 5 5", "--by", "c001", root=root, env=secrets_dir)
    assert r.returncode == 2 and "already recorded" in r.stderr
    r = cli("draw", "disclose", "--month", "2027-01", root=root, env=secrets_dir)
    assert r.returncode == 2 and "not over" in r.stderr
    r = cli("draw", "--month", "2027-02", "--randomness", "1", "--by", "c001", root=root, env={})
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_the_rounds_and_their_size_come_from_rules_yaml_at_the_commitment(tmp_path, secrets_dir):
    clock = Clock(dt.datetime(2026, 10, 28, 10, 0, tzinfo=TZ))
    ws = make_workspace(tmp_path / "w", clock)
    rules = ws.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8").replace("inspections_per_month: 2", "inspections_per_month: 3")
    rules.write_text(text + "draw_cadres_per_round: 2\n", encoding="utf-8")
    ws = Workspace(ws.root, clock=clock)
    core.commit(ws, MONTH, "c002")
    rules.write_text(text, encoding="utf-8")  # changed after the commitment: the draw keeps its terms
    ws = Workspace(ws.root, clock=clock)
    clock.set("2026-11-02T10:00")
    _id, rounds = core.draw(ws, MONTH, "4 4 2", "c002")
    assert len(rounds) == 3 and all(len(r.cadres) == 2 for r in rounds)
