"""A void appears in the archive of the cadre concerned and of the one who recorded the voided entry;
for a spot check, of the inspector and every cadre it named (docs/ledger-format.md#corrections-are-entries)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.cli import township_by_cli


@pytest.fixture
def root(tmp_path, cli) -> Path:
    return township_by_cli(cli, tmp_path / "w", (
        ("c001", "--name", "刘书记", "--team"),
        ("c002", "--name", "黄纪委", "--team", "--supervisor", "c001"),
        ("c003", "--name", "张伟", "--supervisor", "c001", "--village", "石庄村"),
        ("c004", "--name", "王强", "--supervisor", "c001", "--village", "官山村"),
        ("c005", "--name", "李会计", "--supervisor", "c001"),
    ))


def voided_in(cli, root: Path, cadre: str) -> list[str]:
    r = cli("dossier", cadre, "--from", "2026-11", "--to", "2026-11", "--format", "json", root=root)
    assert r.returncode == 0, r.stderr
    return [v["id"] for m in json.loads(r.stdout)["months"] for v in m["voided"]]


def test_a_voided_spot_check_reaches_the_inspector_and_every_cadre_named(cli, root):
    r = cli("inspect", "--by", "c002", "--at", "2026-11-05T19:40", "--present", "c003", "--absent", "c004",
            "--method", "电话", root=root)
    assert r.returncode == 0, r.stderr
    check = r.stdout.split()[0]
    r = cli("void", check, "--reason", "录错日期", root=root)
    assert r.returncode == 0, r.stderr
    for cadre in ("c002", "c003", "c004"):
        assert check in voided_in(cli, root, cadre), cadre
    assert check not in voided_in(cli, root, "c005")  # named nowhere: not in their archive


def test_a_voided_sign_in_reaches_the_cadre_and_its_recorder(cli, root):
    r = cli("checkin", "c003", "--at", "2026-11-05 08:00", "--by", "c005", "--approver", "c001",
            "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    entry = r.stdout.split()[0]
    assert cli("void", entry, "--reason", "录错人", root=root).returncode == 0
    assert entry in voided_in(cli, root, "c003")
    assert entry in voided_in(cli, root, "c005")  # who typed it in
    assert entry not in voided_in(cli, root, "c004")
