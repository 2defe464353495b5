"""The benchmark scripts still run (tiny sizes; no timing is asserted here)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_foundation_benchmark_prints_its_table():
    r = subprocess.run([sys.executable, str(REPO / "bench" / "bench_foundation.py"), "--entries", "300", "--runs", "1"],
                       capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert r.returncode == 0, r.stderr
    for measure in ("append (API)", "start-up: zoudu --help", "start-up: zoudu checkin", "load: read_ledger"):
        assert measure in r.stdout
