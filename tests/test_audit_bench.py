"""The audit benchmark and its generator still run (1× only, one run; no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, run_cli


def test_the_generated_month_verifies_and_audits(tmp_path):
    root = tmp_path / "township"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "gen_month.py"), str(root), "--scale", "1"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["2026-09", "2026-10", "2026-11"]
    assert run_cli("verify", root=root).returncode == 0
    audit = run_cli("audit", "--month", "2026-10", "--format", "json", root=root)
    obj = json.loads(audit.stdout)
    assert len(obj["cadres"]) == 60 and obj["violations"] and obj["inspections"] >= 2
    assert obj["untrusted"] is False  # the generator writes the hash chain as the tool does
    rules = {v["rule"] for v in obj["violations"]}
    assert {"signin.missing", "signin.backfilled", "week.nights", "inspection.absent"} <= rules


def test_the_benchmark_prints_its_table():
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_audit.py"), "--scales", "1", "--runs", "1",
                           "--no-yaml"], capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 1×")]
    assert len(rows) == 1 and rows[0].count("|") == 14
