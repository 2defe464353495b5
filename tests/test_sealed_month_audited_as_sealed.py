"""A sealed month is audited under the rules it was sealed with and reads each file only up to what its
seal recorded (docs/choices.md#sealed-months): editing rules.yaml or appending to a neighbouring or earlier month
afterwards leaves that month's `audit --format json` violations byte-identical; the audit says which rules it used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.cli import keyed_township


@pytest.fixture
def key(tmp_path) -> dict[str, str]:
    return {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}


@pytest.fixture
def root(tmp_path, cli, key) -> Path:
    return keyed_township(cli, tmp_path / "w", key, ("2026-11-03 08:00", "2026-11-03 14:30", "2026-11-03 19:30"))


def violations(cli, root: Path) -> tuple[str, dict]:
    r = cli("audit", "--month", "2026-11", "--format", "json", root=root)
    assert r.returncode in (0, 1), r.stderr
    result = json.loads(r.stdout)
    return json.dumps(result["violations"], ensure_ascii=False, sort_keys=True), result


def test_rules_edited_and_entries_added_after_the_seal_change_nothing(cli, root, key):
    unsealed, result = violations(cli, root)
    assert result["rules"] == "rules.yaml"
    r = cli("seal", "--month", "2026-11", root=root, env=key)
    assert r.returncode == 0, r.stderr
    sealed, result = violations(cli, root)
    assert sealed == unsealed
    assert result["rules"].startswith("ledgers/rules/") and result["rules"].endswith(".yaml")
    assert any("sealed" in notice for notice in result["notices"])

    # rules.yaml edited after the seal: nobody is liable any more, and evenings no longer count
    rules = root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "liability_rules:" in text
    rules.write_text(text.replace("signin.missing, ", "").replace("signin.missing,", ""), encoding="utf-8")
    # a leave slipped into October (an earlier month) covering all of November, and a late sign-in
    r = cli("leave", "c003", "--from", "2026-10-31", "--to", "2026-11-29", "--kind", "病假", "--approver", "c001",
            root=root)
    assert r.returncode == 0, r.stderr
    r = cli("checkin", "c003", "--at", "2026-11-04 08:00", "--approver", "c001", "--reason", "补", root=root)
    assert r.returncode == 0, r.stderr
    after, result = violations(cli, root)
    assert after == sealed
    liable = {row["supervisor"] for row in result["liability"]}
    assert "c001" in liable

    # October is not sealed: audited under rules.yaml as it stands
    r = cli("audit", "--month", "2026-10", "--format", "json", root=root)
    october = json.loads(r.stdout)
    assert october["rules"] == "rules.yaml"


def test_rules_diff_shows_what_changed_since_the_seal(cli, root, key):
    r = cli("rules", "diff", "2026-11", root=root)
    assert r.returncode == 2 and "not sealed" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert cli("seal", "--month", "2026-11", root=root, env=key).returncode == 0
    r = cli("rules", "diff", "2026-11", root=root)
    assert r.returncode == 0 and "ledgers/rules/" in r.stdout and "+" not in r.stdout
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("backfill_grace_minutes: 30",
                                                               "backfill_grace_minutes: 600"), encoding="utf-8")
    r = cli("rules", "diff", "2026-11", root=root)
    assert r.returncode == 0, r.stderr
    assert "-backfill_grace_minutes: 30" in r.stdout and "+backfill_grace_minutes: 600" in r.stdout
    r = cli("rules", "diff", "2026-11", root=root, lang="zh_CN")
    assert r.returncode == 0


def test_entries_added_to_the_neighbouring_month_after_the_seal_change_nothing(cli, root, key):
    # October's first week (2026-W40, Thursday 1 October) crosses into September: its days are read there
    def stay(day: str) -> None:
        r = cli("village", "c003", "--village", "石庄村", "--witness", "王大爷", "--stay", "--at", f"{day} 20:10",
                "--approver", "c001", "--reason", "日记周末交回", root=root)
        assert r.returncode == 0, r.stderr

    def october() -> str:
        r = cli("audit", "--month", "2026-10", "--format", "json", "--cadre", "c003", root=root)
        return json.dumps(json.loads(r.stdout)["violations"], ensure_ascii=False, sort_keys=True)

    before = october()
    stay("2026-09-29")  # not sealed yet: the neighbour's entry does count
    counted = october()
    assert counted != before
    assert cli("seal", "--month", "2026-10", root=root, env=key).returncode == 0
    assert october() == counted
    stay("2026-09-30")
    stay("2026-09-28")
    assert october() == counted, "entries added to September after October's seal are late, not evidence"


def test_a_sealed_finding_can_still_be_appealed_and_overturned(cli, root, key):
    """The seal freezes the evidence, not the process: an appeal and its review after the notice is posted count."""
    assert cli("seal", "--month", "2026-11", root=root, env=key).returncode == 0
    _text, before = violations(cli, root)
    target = next(v for v in before["violations"] if v["cadre"] == "c003" and v["rule"] == "signin.missing")
    args = ["appeal", "c003", "--rule", "signin.missing", "--date", target["date"], "--reason", "停电"]
    if target["slot"]:
        args += ["--slot", target["slot"]]
    r = cli(*args, root=root)
    assert r.returncode == 0, r.stderr
    appeal = r.stdout.split()[0]
    r = cli("review", appeal, "--decision", "overturned", "--by", "c001", "--reason", "核实属实", root=root)
    assert r.returncode == 0, r.stderr
    _text, after = violations(cli, root)
    same = [v for v in after["violations"] if (v["rule"], v["date"], v["slot"], v["cadre"])
            == (target["rule"], target["date"], target["slot"], "c003")]
    assert [v["status"] for v in same] == ["overturned"]
    # a late sign-in after the seal is still not evidence
    r = cli("checkin", "c003", "--at", f"{target['date']} 19:31", "--approver", "c001", "--reason", "补", root=root)
    _text, again = violations(cli, root)
    assert len(again["violations"]) == len(after["violations"])
