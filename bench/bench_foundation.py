"""Foundation benchmark: append cost, start-up, ledger load — each beside its floor.

    python bench/bench_foundation.py [--entries 100000] [--runs 15]

Prints one table. Figures are medians of several runs in this same process, so
floor and figure are measured on the same machine at the same moment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zoudu.ledger import record, record_roster  # noqa: E402
from zoudu.ledger.store import read_ledger  # noqa: E402
from zoudu.ledger.append import append
from zoudu.ledger.create import init_workspace  # noqa: E402
from zoudu.ledger.workspace import Workspace  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def median_time(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def township(root: Path) -> Workspace:
    init_workspace(root)
    ws = Workspace(root, clock=lambda: dt.datetime(2026, 11, 26, 21, 0, tzinfo=TZ))
    record_roster.roster_add(ws, "c001", "刘书记", "党委书记", True, None, None, "2026-01-01")
    for i in range(2, 61):
        record_roster.roster_add(ws, f"c{i:03d}", f"干部{i}", "干部", False, "c001", "石庄村", "2026-01-01")
    return ws


def fill(ws: Workspace, month: str, count: int) -> None:
    base = dt.datetime(int(month[:4]), int(month[5:]), 1, 8, 0, tzinfo=TZ)
    fields = []
    for i in range(count):
        at = base + dt.timedelta(minutes=i % 40000)
        fields.append({"kind": "checkin", "cadre": f"c{i % 60 + 1:03d}", "at": at.isoformat(),
                       "recorded": at.isoformat(), "by": "clerk", "place": "党政办公室"})
    with ws.lock():
        append(ws.ledger_path(month), f"ledgers/{month}.yaml", fields)


def cli_time(args: list[str], root: Path, runs: int) -> float:
    env = dict(os.environ, ZOUDU_ROOT=str(root))
    return median_time(lambda: subprocess.run(args, env=env, check=True, capture_output=True), runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    rows: list[tuple[str, str, str, str, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        ws = township(Path(tmp) / "w")
        fill(ws, "2026-10", opts.entries)
        big = ws.ledger_path("2026-10")

        # --- append: into an empty month and into a month of N entries, through the real API
        def append_into(month: str):
            moments = iter(range(10**6))

            def one():
                minute = next(moments)
                at = dt.datetime(int(month[:4]), int(month[5:]), 2, 8, 0, tzinfo=TZ) + dt.timedelta(seconds=minute)
                record.checkin(ws, ["c002"], at.isoformat(), None, None, None, None)
            return one

        empty_t = median_time(append_into("2026-09"), opts.runs * 4)
        full_t = median_time(append_into("2026-10"), opts.runs * 4)
        ratio = full_t / empty_t
        rows.append(("append (API)", f"{full_t * 1000:.2f} ms into {opts.entries:,} entries",
                     f"{empty_t * 1000:.2f} ms into empty", f"{ratio:.2f}", "≤ 1.20"))

        py = sys.executable
        script = Path(sys.executable).with_name("zoudu")
        zoudu = [str(script)] if script.exists() else [py, "-m", "zoudu"]  # what a clerk runs
        floor = cli_time([py, "-c", "import typer"], ws.root, opts.runs)
        help_t = cli_time(zoudu + ["--help"], ws.root, opts.runs)
        counter = iter(range(10**6))

        def checkin_cmd():
            minute = next(counter)
            at = (dt.datetime(2026, 9, 3, 8, 0) + dt.timedelta(seconds=minute)).isoformat()
            subprocess.run(zoudu + ["checkin", "c003", "--at", at],
                           env=dict(os.environ, ZOUDU_ROOT=str(ws.root)), check=True, capture_output=True)

        checkin_t = median_time(checkin_cmd, opts.runs)
        checkin_big_t = cli_time(zoudu + ["checkin", "c004", "--at", "2026-10-30T08:00"], ws.root, opts.runs)
        rows.append(("start-up: zoudu --help", f"{help_t * 1000:.0f} ms", f"{floor * 1000:.0f} ms import typer",
                     f"{help_t / floor:.2f}", "≤ 1.30"))
        rows.append(("start-up: zoudu checkin", f"{checkin_t * 1000:.0f} ms", f"{floor * 1000:.0f} ms import typer",
                     f"{checkin_t / floor:.2f}", "≤ 1.30"))
        rows.append((f"zoudu checkin into {opts.entries:,}", f"{checkin_big_t * 1000:.0f} ms",
                     f"{checkin_t * 1000:.0f} ms into small", f"{checkin_big_t / checkin_t:.2f}", "≤ 1.20"))

        # --- load: the ledger reader against bare json.loads and libyaml on the same bytes
        lines = big.read_text(encoding="utf-8").splitlines()
        count = sum(1 for line in lines if line.startswith("- {"))
        read_t = median_time(lambda: read_ledger(big, "ledgers/2026-10.yaml"), 3)
        json_t = median_time(lambda: [json.loads(line[2:]) for line in lines if line.startswith("- {")], 3)
        text = big.read_text(encoding="utf-8")
        yaml_t = median_time(lambda: yaml.load(text, Loader=yaml.CSafeLoader), 1)
        rows.append(("load: read_ledger", f"{count / read_t:,.0f} entries/s", f"{count / json_t:,.0f}/s json.loads",
                     f"{json_t / read_t:.2f}", "≥ 0.50, ≥ 100,000/s"))
        rows.append(("load: libyaml CSafeLoader", f"{count / yaml_t:,.0f} entries/s", "(for scale)", "", ""))

    widths = [max(len(r[i]) for r in rows + [("measure", "zoudu", "floor", "ratio", "goal")]) for i in range(5)]
    header = ("measure", "zoudu", "floor", "ratio", "goal")
    for row in [header] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
