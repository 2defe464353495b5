"""verify and publish on a 12-month workspace: cold, unchanged, one month published.

    python bench/bench_verify.py [--scale 8] [--dir DIR] [--base DIR_OF_OTHER_ZOUDU]

Builds (once, in DIR) a workspace of 12 months with ``gen_month.py --history 11`` and times,
each in a fresh process with its own cache folder: ``verify`` with the cache empty (cold), ``verify``
again with nothing changed, ``publish`` of the last month (cache cold, then warm). Peak RSS is the
child's ``ru_maxrss``; each figure is the fastest of ``--repeat`` runs. Floors measured in the same run: reading the 12 files' bytes and hashing them
(SHA-256), and the largest month's size. ``--base`` runs the same commands with another checkout's
``zoudu`` package (for example ``git archive`` of an older commit) for comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def run(args: list[str], root: Path, cache: Path, code: Path) -> tuple[float, float, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    env.update(ZOUDU_LANG="en", XDG_CACHE_HOME=str(cache), PYTHONPATH=str(code))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "zoudu", "--root", str(root), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=code)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    code_ = os.waitstatus_to_exitcode(status)
    if code_ not in (0, 1):
        raise SystemExit(f"{args}: exit {code_}: {err}")
    return wall, usage.ru_maxrss / 1024, code_


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=8)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--base", type=Path, default=None, help="another checkout to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the fastest is shown")
    opts = parser.parse_args()
    work = opts.dir or Path(tempfile.gettempdir()) / f"zoudu-bench-verify-{opts.scale}"
    root = work / "w"
    if not root.exists():
        subprocess.run([sys.executable, str(HERE / "gen_month.py"), str(root), "--scale", str(opts.scale),
                        "--month", "2026-10", "--history", "11"], check=True, stdout=subprocess.DEVNULL)
    files = sorted((root / "ledgers").glob("20??-??.yaml"))
    months = [p.stem for p in files]
    total = sum(p.stat().st_size for p in files)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    start = time.perf_counter()
    for p in files:
        hashlib.sha256(p.read_bytes()).hexdigest()
    floor = time.perf_counter() - start
    month = months[-2]  # the last month gen_month writes in full (the one after it holds a few days)
    print(f"workspace: {len(files)} files {months[0]}..{months[-1]}, {lines:,} lines, {total / 1e6:.0f} MB; "
          f"largest month {max(p.stat().st_size for p in files) / 1e6:.0f} MB")
    print(f"floor: read + SHA-256 of every file {floor:.2f} s")
    print(f"{'measure':44} {'code':6} {'wall s':>8} {'peak RSS MB':>12}")
    def best(args: list[str], cache: Path, code: Path, cold: bool) -> tuple[float, float]:
        """The fastest of ``--repeat`` runs (other processes on the machine only ever add time)."""
        runs = []
        for _ in range(opts.repeat):
            if cold:
                shutil.rmtree(cache, ignore_errors=True)
            runs.append(run(args, root, cache, code)[:2])
        return min(runs)

    for label, code in (("this", REPO), ("base", opts.base)):
        if code is None:
            continue
        cache = work / f"cache-{label}"
        publish = ["publish", "--month", month, "--format", "csv", "--date", "2026-12-01"]
        audit = ["audit", "--month", month, "--format", "json"]
        for name, args, cold in (("verify, 12 months, cold", ["verify"], True),
                                 ("verify, 12 months, unchanged", ["verify"], False),
                                 (f"publish {month}, cache cold", publish, True),
                                 (f"publish {month}, cache warm", publish, False),
                                 (f"audit {month}, cache warm (publish's floor)", audit, False)):
            wall, rss = best(args, cache, code, cold)
            print(f"{name:44} {label:6} {wall:8.2f} {rss:12.0f}", flush=True)


if __name__ == "__main__":
    main()
