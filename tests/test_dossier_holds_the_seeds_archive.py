"""The archive (档案) holds what the seed lists (docs/guide.md#the-archive-dossier), each part checked on a demo cadre
through the real command line: per-week 543 figures, every finding with date, evidence and status, leave
with kind, approver and 销假, the field diary (village, witness, note), the evaluations, each notice
published with its seal, and for a team member the liability they bore. Names and Chinese labels in the
table; ids only in JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_publish import copy_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = copy_demo(tmp_path_factory.mktemp("archive") / "demo")
    from tests.conftest import run_cli

    env = {"ZOUDU_KEY": str(root.parent / "secret" / "township.key")}
    assert run_cli("keys", "init", root=root, env=env).returncode == 0
    r = run_cli("publish", "--month", "2026-11", "--format", "html", "-o", str(root.parent / "n.html"),
                "--date", "2026-12-01", root=root, env=env)
    assert r.returncode == 0, r.stderr
    return root


def archive(cli, demo: Path, cadre: str, fmt: str = "json", lang: str = "zh"):
    r = cli("dossier", cadre, "--from", "2026-10", "--to", "2026-11", "--format", fmt, root=demo, lang=lang)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if fmt == "json" else r.stdout


def audit(cli, demo: Path, month: str, cadre: str) -> dict:
    r = cli("audit", "--month", month, "--format", "json", "--cadre", cadre, root=demo, lang="zh")
    return json.loads(r.stdout)


def test_weeks_543_are_the_audits(cli, demo):
    got = archive(cli, demo, "c013")
    for month in got["months"]:
        weeks = [{k: w[k] for k in ("week", "available", "township_days", "nights", "village_days")}
                 for w in audit(cli, demo, month["month"], "c013")["cadres"][0]["weeks"] if w["checked"]]
        assert month["weeks"] == weeks and weeks
    table = archive(cli, demo, "c013", "table")
    assert "逐周“543”" in table and weeks[0]["week"] in table


def test_every_finding_with_date_evidence_and_status(cli, demo):
    got = archive(cli, demo, "c013")
    for month in got["months"]:
        violations = audit(cli, demo, month["month"], "c013")["violations"]
        assert [(f["rule"], f["date"], f["evidence"]) for f in month["findings"]] == [
            (v["rule"], v["date"], v["evidence"]) for v in violations]
        assert all(f["status"] in ("standing", "appealed", "overturned") for f in month["findings"])
    table = archive(cli, demo, "c013", "table")
    assert "核查发现" in table and "抽查" in table and "inspection.absent" not in table
    assert "signin.missing" not in table, "Chinese labels, not rule ids"


def test_leave_with_kind_approver_and_cancellation(cli, demo):
    got = archive(cli, demo, "c018")
    leaves = [r for m in got["months"] for r in m["leaves"]]
    sick = [r for r in leaves if r["kind"] == "病假"]
    assert sick and sick[0]["approver"] and sick[0]["cancelled"]
    table = archive(cli, demo, "c018", "table")
    assert "病假" in table and sick[0]["approver_name"] in table and sick[0]["cancelled"] in table
    assert sick[0]["approver"] not in table, "names, not ids"


def test_the_field_diary(cli, demo):
    got = archive(cli, demo, "c018")
    diary = [d for m in got["months"] for d in m["diary"]]
    assert diary and all(d["village"] for d in diary)
    first = next(d for d in diary if d["witness"] and d["note"])
    table = archive(cli, demo, "c018", "table")
    assert "民情日记" in table and first["witness"] in table and first["note"] in table


def test_evaluations_and_the_notice_published_with_its_seal(cli, demo):
    got = archive(cli, demo, "c018")
    november = next(m for m in got["months"] if m["month"] == "2026-11")
    assert november["evaluations"]
    (notice,) = november["notices"]
    assert notice["date"] == "2026-12-01" and notice["format"] == "html" and len(notice["code"]) >= 32
    table = archive(cli, demo, "c018", "table")
    assert "已发布的公示" in table and notice["code"] in table


def test_a_team_member_bears_liability_by_name(cli, demo):
    got = archive(cli, demo, "c005")  # 邓文军 supervises 邹斌 (c013), a commuter
    assert any(m["liability"] and "c013" in m["liability"]["subordinates"] for m in got["months"])
    table = archive(cli, demo, "c005", "table")
    assert "连带责任" in table or "负责" in table
    assert "邹斌" in table and "(c013)" not in table


def test_an_overturned_finding_stays_in_the_archive_with_its_trace(cli, demo):
    months = {m["month"]: m for m in archive(cli, demo, "c011")["months"]}
    overturned = [f for f in months["2026-11"]["findings"] if f["status"] == "overturned"]
    assert [(f["rule"], f["date"], f["slot"]) for f in overturned] == [("signin.missing", "2026-11-09", "morning")]
    assert len(overturned[0]["evidence"]) >= 3  # the finding's evidence, the appeal, the review


def test_reports_of_every_status_and_every_evaluation_are_in_the_archive(cli, demo):
    months = {m["month"]: m for m in archive(cli, demo, "c014")["months"]}
    assert [(r["rule"], r["status"]) for r in months["2026-11"]["reports"]] == [("conduct.cards", "dismissed")]
    twenty = {m["month"]: m for m in archive(cli, demo, "c020")["months"]}["2026-11"]
    assert [(r["rule"], r["status"], r["stationed"]) for r in twenty["reports"]] == [("conduct.drinking", "upheld", True)]
    assert sorted(e["kind"] for e in twenty["evaluation_history"]) == ["peer", "public", "self"]
    text = archive(cli, demo, "c014", fmt="table")
    assert "群众举报及查处情况" in text and "不成立" in text
