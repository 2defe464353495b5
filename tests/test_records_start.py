"""Records start: ``zoudu init DIR [--from DATE]`` writes ``records_from`` (default: the day
of init) into rules.yaml; nothing before it is audited: no slot before it is due, and a week it cuts
is prorated as for a cadre who joins that day. A rules.yaml without the key restricts nothing."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from tests.support.cli import snapshot, township_by_cli
from tests.support.verdicts import found


def audit(cli, root, month="2026-11") -> dict:
    r = cli("audit", "--month", month, "--format", "json", root=root)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def week(obj, cadre, label):
    (c,) = [c for c in obj["cadres"] if c["cadre"] == cadre]
    (w,) = [w for w in c["weeks"] if w["week"] == label]
    return w


def test_nothing_before_the_records_start_is_audited(cli, tmp_path):
    root = township_by_cli(cli, tmp_path / "w", records_from="2026-11-11")  # a Wednesday
    assert "records_from: 2026-11-11" in (root / "rules.yaml").read_text(encoding="utf-8")
    obj = audit(cli, root)
    days = sorted({v["date"] for v in found(obj, "c003", "signin.missing")})
    assert days[0] == "2026-11-11"
    assert not found(obj, rule="study.missed", date="2026-11-06")
    assert not [v for v in obj["violations"] if v["week"] == "2026-W45"]
    assert week(obj, "c003", "2026-W45")["available"] == 0
    # the week the start cuts: Wednesday to Friday, prorated as for a cadre who joins on Wednesday
    assert week(obj, "c003", "2026-W46")["available"] == 3
    assert week(obj, "c003", "2026-W46")["township_days"] == [3, 0]
    assert not found(audit(cli, root, "2026-10"), rule="signin.missing")


def test_init_keeps_records_from_today_by_default(cli, tmp_path):
    before = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert cli("init", str(tmp_path / "w"), "--township", "石庄乡", "--county", "崇仁县").returncode == 0
    after = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    text = (tmp_path / "w" / "rules.yaml").read_text(encoding="utf-8")
    assert f"records_from: {before.isoformat()}" in text or f"records_from: {after.isoformat()}" in text


def test_a_rules_yaml_without_records_from_restricts_nothing(cli, tmp_path):
    root = township_by_cli(cli, tmp_path / "w", records_from="2026-11-11")
    rules = root / "rules.yaml"
    rules.write_text("".join(line for line in rules.read_text(encoding="utf-8").splitlines(keepends=True)
                             if not line.startswith("records_from:")), encoding="utf-8")
    assert found(audit(cli, root), "c003", "signin.missing", "2026-11-02")


def test_a_bad_records_from_is_one_line(cli, tmp_path):
    r = cli("init", str(tmp_path / "x"), "--township", "石庄乡", "--county", "崇仁县", "--from", "2026-13-01")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "x").exists()
    root = township_by_cli(cli, tmp_path / "w")
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("records_from: 2026-01-01", "records_from: 11月"),
                     encoding="utf-8")
    before = snapshot(root)
    r = cli("audit", "--month", "2026-11", root=root)
    assert r.returncode == 2 and "records_from" in r.stderr and "rules.yaml:" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and snapshot(root) == before
