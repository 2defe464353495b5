"""The demo township's November is a drawn month (docs/guide.md#the-demo-township): committed before the
month, dice at the meeting of 3 November, disclosed on 1 December; its spot checks follow the draw
(docs/trust-model.md#the-spot-check-draw)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TZ, clean_env, run_cli
from zoudu.audit import audit_month, to_json
from zoudu.ledger.workspace import Workspace

MONTH = "2026-11"


@pytest.fixture(scope="module")
def intent() -> dict:
    spec = importlib.util.spec_from_file_location("make_demo", REPO / "tools" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module.INTENT


def lines(root: Path, month: str) -> list[dict]:
    text = (root / "ledgers" / f"{month}.yaml").read_text(encoding="utf-8")
    return [json.loads(line[2:]) for line in text.splitlines() if line.startswith("- ")]


def no_secret_here(tmp_path: Path) -> dict[str, str]:
    """An environment whose home and config folders are empty: no draw secret on this computer."""
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "APPDATA": str(home)}


def test_draw_verify_recomputes_the_demo_draw_from_the_ledger_alone(tmp_path):
    done = run_cli("draw", "verify", "--month", MONTH, root=REPO, env=no_secret_here(tmp_path), process=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the draw recomputes to the same 2 night(s) and cadres" in done.stdout
    assert f"the draw of {MONTH} verifies" in done.stdout


def test_a_changed_public_value_fails_the_demo_draw(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(REPO / "ledgers", root / "ledgers", ignore=shutil.ignore_patterns(".lock"))
    shutil.copy(REPO / "rules.yaml", root / "rules.yaml")
    path = root / "ledgers" / f"{MONTH}.yaml"
    text = path.read_text(encoding="utf-8")
    drawn = next(e for e in lines(root, MONTH) if e["kind"] == "draw")
    old = f'"randomness": "{drawn["randomness"]}"'
    assert text.count(old) == 1
    path.write_text(text.replace(old, '"randomness": "1 1 1 1 1 1 1 1 1 1"'), encoding="utf-8")
    done = run_cli("draw", "verify", "--month", MONTH, root=root, env=no_secret_here(tmp_path), process=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "verifies" not in done.stdout


def test_the_demo_checks_follow_the_draw_today_and_in_2030():
    now = run_cli("audit", "--month", MONTH, "--format", "json", root=REPO)
    later = to_json(audit_month(Workspace(REPO, clock=lambda: dt.datetime(2030, 1, 1, 9, 0, tzinfo=TZ)), MONTH))
    for found in (json.loads(now.stdout), later):
        assert not [v for v in found["violations"] if v["rule"] == "inspection.not_as_drawn"]
        assert not found["notices"], found["notices"]  # no undisclosed draw, no mismatched secret
        assert not [v for v in found["violations"] if v["cadre"] is None]  # nothing township-wide either


def test_the_ledger_holds_the_draw_intent_names(intent):
    meant = intent["draw"]
    assert meant["month"] == MONTH and meant["by"] == intent["inspector"]
    entries = lines(REPO, MONTH)
    draws = {e["kind"]: e for e in entries if e["kind"].startswith("draw")}
    assert sorted(draws) == ["draw", "draw_commit", "draw_disclose"]
    assert len([e for e in entries if e["kind"].startswith("draw")]) == 3
    commit, drawn, disclosed = draws["draw_commit"], draws["draw"], draws["draw_disclose"]
    assert {commit["by"], drawn["by"], disclosed["by"]} == {meant["by"]}
    assert all(e["month"] == MONTH for e in draws.values())
    # committed before the month, the dice after the commitment and before the first night drawn,
    # the secret once the month's last night is over
    nights = sorted(meant["rounds"])
    assert commit["recorded"] < "2026-11-01" < drawn["recorded"] < nights[0] < "2026-12-01" < disclosed["recorded"]
    assert commit["rounds"] == len(nights) == 2 and commit["per_round"] == 3
    assert drawn["randomness"] == meant["randomness"]
    assert {r["night"]: r["cadres"] for r in disclosed["drawn"]} == meant["rounds"]
    # each night drawn: an evening visit naming every cadre drawn, present or absent
    for night, cadres in meant["rounds"].items():
        assert all(c in drawn["pool"][night] for c in cadres)
        visits = [e for e in entries if e["kind"] == "inspection" and e["method"] == "visit"
                  and e["at"].startswith(night)]
        assert visits and all(e["at"][11:13] in ("19", "20") for e in visits), night
        named = {c for e in visits for c in e["present"] + e["absent"]}
        assert set(cadres) <= named, (night, set(cadres) - named)
    # October has no draw
    assert not [e for e in lines(REPO, "2026-10") if e["kind"].startswith("draw")]


def test_the_generator_keeps_no_secret_behind(tmp_path):
    """The secret lives in a temporary folder outside the workspace while the demo is made, and is
    disclosed in the ledger: nothing is left in the workspace or in the user's config folder."""
    target = tmp_path / "again"
    target.mkdir()
    done = subprocess.run([sys.executable, str(REPO / "tools" / "make_demo.py"), str(target)],
                          capture_output=True, text=True, encoding="utf-8", timeout=600,
                          env={**clean_env(), **no_secret_here(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert not list(target.rglob("*.secret"))
    assert not list((tmp_path / "home").rglob("*.secret"))
    assert not (tmp_path / "home" / ".config").exists()  # where the group keeps a secret by default
    assert (target / "ledgers" / f"{MONTH}.yaml").read_bytes() == (REPO / "ledgers" / f"{MONTH}.yaml").read_bytes()
