"""The issue-9 speed table: a 12-month workspace, each figure beside its floor measured in the same run.

    python bench/bench_pipeline.py [--scale 4] [--runs 3]

``--scale 64`` is the issue's (≈1.9 M entries; generating it takes a while). The workspace
is bench/gen_month.py's township as it stands today: last month (the one audited), the 11
months before it, and this month, the running one, recorded up to now (a ledger never holds
what was recorded after now). So the dossier's running month is small early in a month and
about a month's worth at its end; the run says which day it is.
Every command runs as a clerk runs it (``python -m zoudu`` in a subprocess, one process),
with its own cache folder: "cold" is an empty one, "warm" the one the previous run left.
Times are wall clock, best of ``--runs``; "CPU" is user+system of the child; RSS is the
child's peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from gen_month import TZ, generate  # noqa: E402
from zoudu.timeparse import shift_month  # noqa: E402

DEMO_MONTH = "2026-11"
ISSUE_WARM = 1.75  # s: issue 9's "today" for the warm audit at 64× (the cold goal is 1.5× it)



def run(args: list[str], root: Path, cache: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one command, in a launcher so RSS is this command's alone."""
    env = clerk_env()
    env.update(ZOUDU_ROOT=str(root), XDG_CACHE_HOME=str(cache), ZOUDU_LANG="en")
    launcher = ("import resource, subprocess, sys, time\n"
                "t = time.perf_counter()\n"
                "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
                "wall = time.perf_counter() - t\n"
                "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
                "print(wall, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024, p.returncode)\n"
                "print(p.stderr.decode(errors='replace')[-500:])\n")
    out = subprocess.run([sys.executable, "-c", launcher, sys.executable, "-m", "zoudu", *args],
                         env=env, capture_output=True, text=True, encoding="utf-8", check=True).stdout
    wall, cpu, rss, code = out.split("\n", 1)[0].split()
    if int(code) not in (0, 1):  # 1: violations found; 2 would be a refusal, not the work measured
        raise SystemExit(f"zoudu {' '.join(args)} exited {code}: {out.split(chr(10), 1)[1].strip()}")
    return float(wall), float(cpu), float(rss)


def clerk_env() -> dict[str, str]:
    """The environment of a clerk's shell: no ZOUDU_ settings, and Python keeps its compiled
    modules (a sandbox's PYTHONDONTWRITEBYTECODE would make every run compile zoudu again)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_") and k != "PYTHONDONTWRITEBYTECODE"}


def best(args: list[str], root: Path, cache: Path, runs: int, cold: bool = False) -> tuple[float, float, float]:
    results = []
    for _ in range(runs):
        if cold:
            shutil.rmtree(cache, ignore_errors=True)
        results.append(run(args, root, cache))
    return min(results)


def python_time(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=clerk_env())
        times.append(time.perf_counter() - start)
    return min(times)


def decode_floor(path: Path) -> float:
    """msgspec decode of every entry line of ``path`` into the audit's typed Line."""
    from zoudu.ledger.lines import typed as read

    raw = [line[2:] for line in path.read_bytes().split(b"\n") if line.startswith(b"- {")]
    start = time.perf_counter()
    for b in raw:
        read._DECODER.decode(b)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, cache = Path(tmp) / "w", Path(tmp) / "cache"
        now = dt.datetime.now(TZ)
        month = shift_month(now.strftime("%Y-%m"), -1)
        written = generate(root, opts.scale, month, history=11, now=now)
        total = sum(written.values())
        cadre = "c00002"
        rows = []
        floor = decode_floor(root / "ledgers" / f"{month}.yaml")
        audit = ["audit", "--month", month, "--format", "json"]
        run(audit, root, cache)
        warm = best(audit, root, cache, opts.runs)
        cold = best(audit, root, cache, opts.runs, cold=True)
        rows.append(("audit, 11 earlier months, caches warm", f"{warm[0]:.2f} s",
                     f"msgspec decode {floor:.2f} s", f"{warm[0] / floor:.1f}×", "≤ 0.5 s and ≤ 3×"))
        rows.append(("audit, caches cold (CPU)", f"{cold[1]:.2f} s", f"issue's one-process warm {ISSUE_WARM:.2f} s",
                     f"{cold[1] / ISSUE_WARM:.1f}×", f"≤ 1.5× that ({1.5 * ISSUE_WARM:.2f} s)"))
        # the month worked out again with every other cache warm (its kept result, output and notice
        # removed): what an audit costs the first time, and what the dossier pays for a running
        # month on its last day
        redone = []
        for _ in range(opts.runs):
            for kept in (cache / "zoudu").glob("*.msgpack"):
                if kept.name.split("-", 1)[0] in ("audit", "shown", "printed"):
                    kept.unlink()
            redone.append(run(audit, root, cache))
        redo = min(redone)
        rows.append(("audit, the month's kept result removed (others warm)", f"{redo[0]:.2f} s",
                     f"msgspec decode {floor:.2f} s", f"{redo[0] / floor:.1f}×", "(not a goal: the work itself)"))
        run(["verify"], root, cache)
        verify_warm = best(["verify"], root, cache, opts.runs)
        verify_cold = best(["verify"], root, cache, 1, cold=True)
        month_rss = run(["audit", "--month", month, "--format", "json"], root, cache)[2]
        rows.append(("verify 12 months, unchanged", f"{verify_warm[0]:.2f} s", "", "", "≤ 2 s"))
        rows.append(("verify 12 months, cold", f"{verify_cold[0]:.2f} s, {verify_cold[2]:.0f} MB",
                     f"audit of one month {month_rss:.0f} MB", "", "≤ 12 s, RSS ≤ one month's"))
        publish = best(["publish", "--month", month, "--format", "csv", "--date", now.date().isoformat()], root, cache,
                       opts.runs)
        rows.append(("publish one month", f"{publish[0]:.2f} s", f"audit {warm[0]:.2f} s",
                     f"+{publish[0] - warm[0]:.2f} s", "≤ audit + 0.5 s"))
        dossier_cold = best(["dossier", cadre, "--format", "json"], root, cache, 1, cold=True)
        dossier = best(["dossier", cadre, "--format", "json"], root, cache, opts.runs)
        rows.append((f"dossier of one cadre, 12 months (cold {dossier_cold[0]:.2f} s)", f"{dossier[0]:.2f} s",
                     "", "", "≤ 2 s"))
        typer = python_time("import typer", opts.runs * 3)
        checkin = best(["checkin", "c00003"], root, cache, opts.runs)  # now, into the running month
        rows.append(("checkin start-up", f"{checkin[0] * 1000:.0f} ms", f"import typer {typer * 1000:.0f} ms",
                     f"{checkin[0] / typer:.2f}×", "≤ 1.3×"))
    demo = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "demo"
        copy.mkdir()
        shutil.copy(demo / "rules.yaml", copy / "rules.yaml")
        shutil.copytree(demo / "ledgers", copy / "ledgers", ignore=shutil.ignore_patterns(".lock", "*.torn-*"))
        cache = Path(tmp) / "cache"
        run(["audit", "--month", DEMO_MONTH], copy, cache)
        township = best(["audit", "--month", DEMO_MONTH, "--format", "json"], copy, cache, opts.runs * 3)
        help_ = best(["--help"], copy, cache, opts.runs * 3)
        rows.append(("township month (the demo) audit", f"{township[0] * 1000:.0f} ms",
                     f"zoudu --help {help_[0] * 1000:.0f} ms", f"{township[0] / help_[0]:.1f}×", "≤ 2.5×"))
    print(f"scale {opts.scale}: {total} entries in {len(written)} months, the running one up to "
          f"{now:%Y-%m-%d %H:%M}; {os.cpu_count()} CPUs; best of {opts.runs}")
    print("| measure | figure | floor | ratio | goal |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
