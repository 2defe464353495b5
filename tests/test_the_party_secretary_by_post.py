"""A new township adds its whole leadership team with no supervisor named: the party secretary is
then the one whose post is 党委书记 (docs/audit-rules.md#late-evidence-and-approvals), so the
township head answers to him, nobody is reported unsupervised, and the secretary's approvals work."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import township_by_cli

SECRETARY = ("c001", "--name", "刘书记", "--post", "党委书记", "--team")
HEAD = ("c002", "--name", "黄乡长", "--post", "党委副书记、乡长", "--team")
CADRES = (("c003", "--name", "张伟", "--supervisor", "c002", "--village", "石庄村"),
          ("c004", "--name", "王五", "--supervisor", "c001", "--village", "官山村"))


def audit(cli, root) -> dict:
    r = cli("audit", "--month", "2026-11", "--format", "json", root=root)
    assert r.returncode == 1, r.stderr  # nothing was recorded: every cadre commutes
    return json.loads(r.stdout)


@pytest.mark.parametrize("team", [(SECRETARY, HEAD), (HEAD, SECRETARY)], ids=["secretary first", "head first"])
def test_the_head_answers_to_the_secretary_named_by_post(cli, tmp_path, team):
    root = township_by_cli(cli, tmp_path / "w", team + CADRES, records_from="2026-11-16")
    obj = audit(cli, root)
    assert obj["unsupervised"] == [] and not any("supervisor" in n for n in obj["notices"])
    liable = {row["supervisor"]: row["subordinates"] for row in obj["liability"]}
    assert set(liable) == {"c001", "c002"}
    assert "c002" in liable["c001"] and "c001" not in liable["c002"]


def test_the_secretary_named_by_post_approves_a_long_leave(cli, tmp_path):
    root = township_by_cli(cli, tmp_path / "w", (HEAD, SECRETARY) + CADRES, records_from="2026-11-16")
    leave = ("leave", "c003", "--from", "2026-11-23", "--to", "2026-11-27", "--kind", "病假")
    r = cli(*leave, "--approver", "c002", root=root)
    assert r.returncode == 2 and "刘书记 (c001)" in r.stderr, r.stderr
    r = cli(*leave, "--approver", "c001", root=root)
    assert r.returncode == 0, r.stderr


def test_a_deputy_is_not_the_secretary(cli, tmp_path):
    deputy = ("c001", "--name", "刘副书记", "--post", "党委副书记", "--team")
    root = township_by_cli(cli, tmp_path / "w", (deputy, HEAD) + CADRES, records_from="2026-11-16")
    obj = audit(cli, root)  # nobody says who heads the team: both are named, as before
    assert sorted(obj["unsupervised"]) == ["c001", "c002"]
