"""Audit benchmark (issue 4): ``zoudu audit --format json`` end to end at 1×, 4×, 16×, 64×
a 60-cadre township month, beside the bare loads of the same file.

    python bench/bench_audit.py [--scales 1 4 16 64] [--runs 3] [--no-yaml] [--history 0]

For each scale it generates a workspace (bench/gen_month.py: October 2026 and its two
neighbouring months), then runs the real console script in a subprocess, best of
``--runs``, and measures its peak RSS. Columns:

* entries: lines of the audited month's ledger; read: entries the audit parsed
  (the month, the days of the weeks crossing into September and November, leave/void lines);
* audit s / entries/s / read/s: wall time of the whole command (start-up, reading, rules,
  JSON output), and the month's entries and the entries read divided by it;
* first s: the first of the runs, which also verifies the month's whole hash chain (the
  others find the verified prefix in the user's cache folder, see zoudu/chaincheck.py);
* RSS MB: peak resident memory of that process (started by a small launcher, see LAUNCHER);
* json.loads s: ``json.loads`` of every line of the same month file (the floor of any reader);
* CSafeLoader s: ``yaml.load(..., CSafeLoader)`` of the same file (what a YAML reader costs);
* hledger s: ``hledger -f FILE bal`` of the same sign-ins as a timeclock file, where installed
  (Debian: ``apt-get install hledger``).

The audit runs in one process; the
CPU count is printed with the table.

``--history N`` also generates N earlier months, to show that months kept cost a scan, not memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

MONTH = "2026-10"


def zoudu_command() -> list[str]:
    script = Path(sys.executable).with_name("zoudu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zoudu"]


# Linux counts in a child's peak RSS the memory its parent had when it forked (even across
# exec), so the audit is started by a small launcher process, never by this one.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_pid, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rss_kb": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}),
      file=sys.stderr)
"""


def run_audit(root: Path) -> tuple[float, float, int, int]:
    """(wall seconds, peak RSS in MB, entries read, violations) of one ``zoudu audit --format json``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_") or k == "ZOUDU_JOBS"}
    env["ZOUDU_LANG"] = "en"
    command = zoudu_command() + ["--root", str(root), "audit", "--month", MONTH, "--format", "json"]
    if not Path(command[0]).is_absolute():
        command[0] = shutil.which(command[0]) or command[0]
    with tempfile.TemporaryFile() as out:
        done = subprocess.run([sys.executable, "-c", LAUNCHER, *command], stdout=out, stderr=subprocess.PIPE,
                              env=env, check=True)
        measured = json.loads(done.stderr.decode().strip().splitlines()[-1])
        if measured["code"] not in (0, 1):
            raise SystemExit(f"zoudu audit failed with status {measured['code']} in {root}")
        out.seek(0)
        result = json.loads(out.read())
    return measured["wall"], measured["rss_kb"] / 1024, result["entries"], len(result["violations"])


def generate_apart(root: Path, scale: int, history: int) -> dict[str, int]:
    """Run the generator in its own process: a forked child's peak RSS would otherwise
    start from this process's (Linux counts the memory a child had before exec)."""
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("gen_month.py")), str(root),
                           "--scale", str(scale), "--month", MONTH, "--history", str(history)],
                          capture_output=True, text=True, encoding="utf-8", check=True)
    return {line.split(":")[0]: int(line.split()[1]) for line in done.stdout.splitlines()}


def bare_json(path: Path) -> float:
    start = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("- "):
                json.loads(line[2:])
    return time.perf_counter() - start


def bare_yaml(path: Path) -> float:
    start = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        yaml.load(fh, Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def timeclock(path: Path, out: Path) -> None:
    """Each office sign-in as a one-minute clock-in/clock-out, per cadre."""
    with open(path, encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as tc:
        for line in fh:
            if '"kind": "checkin"' not in line:
                continue
            entry = json.loads(line[2:])
            at = entry["at"][:19].replace("T", " ")
            tc.write(f"i {at} {entry['cadre']}\no {at[:17]}59\n\n")


def bare_hledger(path: Path, work: Path) -> float | None:
    if not shutil.which("hledger"):
        return None
    clock = work / "month.timeclock"
    timeclock(path, clock)
    start = time.perf_counter()
    subprocess.run(["hledger", "-f", str(clock), "bal"], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-yaml", action="store_true", help="skip the (slow) CSafeLoader column")
    parser.add_argument("--history", type=int, default=0, help="earlier months to generate as well")
    args = parser.parse_args()

    jobs = os.environ.get("ZOUDU_JOBS")
    print(f"zoudu audit --month {MONTH} --format json, best of {args.runs}; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)" + (f", ZOUDU_JOBS={jobs}" if jobs else ""))
    print("| scale | cadres | entries | read | violations | audit s | entries/s | read/s | first s | RSS MB "
          "| json.loads s | CSafeLoader s | hledger s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix=f"zoudu-bench-{scale}x-") as tmp:
            root = Path(tmp) / "township"
            written = generate_apart(root, scale, args.history)
            month_file = root / "ledgers" / f"{MONTH}.yaml"
            runs = [run_audit(root) for _ in range(args.runs)]
            wall = min(r[0] for r in runs)
            rss = runs[0][1]
            read, violations = runs[0][2], runs[0][3]
            loads = bare_json(month_file)
            csafe = None if args.no_yaml else bare_yaml(month_file)
            hl = bare_hledger(month_file, Path(tmp))
            entries = written[MONTH]

            def cell(value: float | None) -> str:
                return "—" if value is None else f"{value:.2f}"

            print(f"| {scale}× | {60 * scale} | {entries:,} | {read:,} | {violations:,} "
                  f"| {wall:.2f} | {entries / wall:,.0f} | {read / wall:,.0f} | {runs[0][0]:.2f} | {rss:.0f} "
                  f"| {cell(loads)} | {cell(csafe)} | {cell(hl)} |",
                  flush=True)
    if not shutil.which("hledger"):
        print("hledger is not installed here: its column is empty.")


if __name__ == "__main__":
    main()
