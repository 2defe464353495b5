"""verify remembers months it found clean, and still finds every edit; publish verifies only what it publishes."""

from __future__ import annotations

import json

from tests.conftest import make_workspace, run_cli


def cached(tmp_path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


def states(tmp_path) -> list:
    return sorted((tmp_path / "cache" / "zoudu").glob("verified-*.json"))


def two_months(tmp_path):
    ws = make_workspace(tmp_path / "w")
    for at in ("2026-10-08T08:00", "2026-11-03T08:00", "2026-11-04T08:00"):
        assert run_cli("checkin", "c003", "c004", "--at", at, root=ws.root).returncode == 0
    return ws


def test_an_unchanged_month_is_remembered_and_an_edit_is_still_found(tmp_path):
    ws = two_months(tmp_path)
    env = cached(tmp_path)
    r = run_cli("verify", root=ws.root, env=env)
    assert r.returncode == 0 and "6 entries" in r.stdout, r.stdout
    assert len(states(tmp_path)) == 2
    r = run_cli("verify", root=ws.root, env=env)  # from the remembered state: same answer
    assert r.returncode == 0 and "6 entries" in r.stdout
    ledger = ws.ledger_path("2026-11")
    data = ledger.read_bytes()
    ledger.write_bytes(data.replace(b"08:00:00+08:00", b"07:59:00+08:00", 1))  # same size, other bytes
    r = run_cli("verify", root=ws.root, env=env)
    assert r.returncode == 1 and "hash chain broken" in r.stdout, r.stdout


def test_an_appended_entry_is_verified_and_counted(tmp_path):
    ws = two_months(tmp_path)
    env = cached(tmp_path)
    run_cli("verify", root=ws.root, env=env)
    run_cli("checkin", "c005", "--at", "2026-11-05T08:00", root=ws.root)
    r = run_cli("verify", root=ws.root, env=env)
    assert r.returncode == 0 and "7 entries" in r.stdout, r.stdout


def test_a_roster_change_makes_every_month_verified_again(tmp_path):
    ws = two_months(tmp_path)
    env = cached(tmp_path)
    run_cli("verify", root=ws.root, env=env)
    roster = ws.root / "ledgers" / "roster.yaml"
    lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    roster.write_text("".join(line for line in lines if '"c004"' not in line), encoding="utf-8")
    r = run_cli("verify", root=ws.root, env=env)
    assert r.returncode == 1 and "cadre 'c004' is not on the roster" in r.stdout, r.stdout


def test_a_planted_state_cannot_hide_damage(tmp_path):
    ws = two_months(tmp_path)
    env = cached(tmp_path)
    run_cli("verify", root=ws.root, env=env)
    ledger = ws.ledger_path("2026-11")
    ledger.write_bytes(ledger.read_bytes().replace(b'"c004"', b'"c005"', 1))
    for state in states(tmp_path):  # a forger rewrites the remembered state to fit the edited file
        obj = json.loads(state.read_text(encoding="utf-8"))
        obj["size"] = ledger.stat().st_size
        state.write_text(json.dumps(obj), encoding="utf-8")
    r = run_cli("verify", root=ws.root, env=env)
    assert r.returncode == 1 and "hash chain broken" in r.stdout, r.stdout
    for state in states(tmp_path):
        state.write_text("not json {", encoding="utf-8")
    r = run_cli("verify", root=ws.root, env=env)
    assert r.returncode == 1 and "hash chain broken" in r.stdout


def test_publish_verifies_its_month_not_every_month(tmp_path):
    ws = two_months(tmp_path)
    october = ws.ledger_path("2026-10")
    october.write_bytes(october.read_bytes().replace(b'"c004"', b'"c005"', 1))  # damage elsewhere
    r = run_cli("publish", "--month", "2026-11", "--format", "md", "--date", "2026-12-01", root=ws.root)
    assert r.returncode == 0, r.stderr
    r = run_cli("publish", "--month", "2026-10", "--format", "md", "--date", "2026-11-01", root=ws.root)
    assert r.returncode == 1 and "does not verify" in r.stderr, r.stderr
