"""A decision is made once (docs/trust-model.md): an appeal or a report that was reviewed is not reviewed again; a
second `review` is exit 2 naming the first decision (its id, the decision, who made it) and writes nothing.
A second decision written into a ledger by hand (or by an older zoudu) changes no verdict: the first stands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import snapshot, township_by_cli
from tests.test_signed_seals_catch_rewrites import lines_of, rechain

CADRES = (
    ("c001", "--name", "刘书记", "--team"),
    ("c002", "--name", "黄乡长", "--team", "--supervisor", "c001"),
    ("c003", "--name", "张伟", "--supervisor", "c001", "--village", "石庄村"),
    ("c004", "--name", "王强", "--team", "--supervisor", "c001"),
)


@pytest.fixture
def root(tmp_path, cli) -> Path:
    return township_by_cli(cli, tmp_path / "w", CADRES)


def statuses(cli, root: Path) -> list[str]:
    r = cli("audit", "--month", "2026-11", "--format", "json", "--cadre", "c003", root=root)
    assert r.returncode in (0, 1), r.stderr
    return [v["status"] for v in json.loads(r.stdout)["violations"]
            if v["rule"] == "signin.missing" and v["date"] == "2026-11-03" and v["slot"] == "morning"]


def test_an_appeal_upheld_is_not_overturned_by_a_second_reviewer(cli, root):
    r = cli("appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03", "--slot", "morning",
            "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    appeal = r.stdout.split()[0]
    r = cli("review", appeal, "--decision", "upheld", "--by", "c002", "--reason", "核实不属实", root=root)
    assert r.returncode == 0, r.stderr
    first = r.stdout.split()[0]
    assert statuses(cli, root) == ["standing"]
    before = snapshot(root)
    r = cli("review", appeal, "--decision", "overturned", "--by", "c004", "--reason", "重新核实", root=root)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert first in r.stderr and "upheld" in r.stderr and "c002" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before
    assert statuses(cli, root) == ["standing"]
    r = cli("review", appeal, "--decision", "维持", "--by", "c002", "--reason", "再次", root=root, lang="zh_CN")
    assert r.returncode == 2 and first in r.stderr and "Traceback" not in r.stderr


def test_a_report_decided_is_not_decided_again(cli, root):
    r = cli("report", "c003", "--rule", "conduct.drinking", "--at", "2026-11-05 12:00", "--source", "群众来信",
            root=root)
    assert r.returncode == 0, r.stderr
    report = r.stdout.split()[0]
    r = cli("review", report, "--decision", "dismissed", "--by", "c001", "--reason", "查无实据", root=root)
    assert r.returncode == 0, r.stderr
    first = r.stdout.split()[0]
    before = snapshot(root)
    r = cli("review", report, "--decision", "upheld", "--by", "c001", "--reason", "改判", root=root)
    assert r.returncode == 2 and first in r.stderr and "dismissed" in r.stderr and "c001" in r.stderr, r.stderr
    assert snapshot(root) == before


def test_a_second_decision_written_by_hand_changes_nothing(cli, root):
    r = cli("appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03", "--slot", "morning",
            "--reason", "停电", root=root)
    appeal = r.stdout.split()[0]
    r = cli("review", appeal, "--decision", "upheld", "--by", "c002", "--reason", "核实不属实", root=root)
    assert r.returncode == 0, r.stderr
    path = root / "ledgers" / "2026-12.yaml" if not (root / "ledgers" / f"{appeal[:7]}.yaml").exists() else \
        root / "ledgers" / f"{appeal[:7]}.yaml"
    lines = lines_of(path)
    review = next(line for line in reversed(lines) if '"review"' in line)
    forged = json.loads(review[2:])
    forged.update(decision="overturned", by="c004", id=f"{appeal[:7]}-{len(lines):04d}",
                  recorded=forged["recorded"].replace(forged["recorded"][:4], "2099", 1))
    rechain(path, appeal[:7], lines + ["- " + json.dumps(forged, ensure_ascii=False) + "\n"])
    assert statuses(cli, root) == ["standing"]
