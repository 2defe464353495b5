"""An import across months writes one month file at a time; when a later file's write fails, the
message names each month file and the entries actually written there (docs/trust-model.md), and stdout lists the entries that were written. A real fault: a file-size limit stops the
second append, as a full disk would."""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys

from tests.support.workspace import run_cli as zoudu
from tests.support.punches import attlog, days_ago, entries, township


def test_a_failure_in_the_second_month_names_what_the_first_holds(tmp_path):
    root = township(tmp_path / "w")
    early, late = days_ago(45), days_ago(10)  # always two different months
    early_month, late_month = early.isoformat()[:7], late.isoformat()[:7]
    filler = attlog(tmp_path / "filler.dat", [("4", dt.datetime.combine(late, dt.time(8, m))) for m in range(40)])
    assert zoudu("import", str(filler), root=root).returncode == 0
    late_file = root / "ledgers" / f"{late_month}.yaml"
    late_bytes = late_file.read_bytes()
    rows = [("3", dt.datetime.combine(early, dt.time(8, 1))), ("1", dt.datetime.combine(early, dt.time(8, 2)))]
    rows += [("3", dt.datetime.combine(late, dt.time(h, m))) for h in (9, 10, 11) for m in range(10)]
    path = attlog(tmp_path / "attlog.dat", rows)
    limit = len(late_bytes) + 200  # the early month's new file fits; the late month's append does not

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    env["ZOUDU_LANG"] = "en"
    r = subprocess.run([sys.executable, "-m", "zoudu", "--root", str(root), "import", str(path)],
                       capture_output=True, text=True, encoding="utf-8", env=env, preexec_fn=cap, timeout=120)
    assert r.returncode == 2, r.stderr
    written = [e for e in entries(root) if e["at"].startswith(early_month)]
    assert [e["cadre"] for e in written] == ["c003", "c001"]
    assert late_file.read_bytes() == late_bytes  # the failed append left its file as it was
    error = r.stderr.strip()
    assert len(error.splitlines()) == 1
    assert f"Recorded: ledgers/{early_month}.yaml: 2 entries ({written[0]['id']}、{written[1]['id']})" in error
    assert f"Not recorded: ledgers/{late_month}.yaml: 30 entries" in error
    assert [line.split()[0] for line in r.stdout.splitlines()] == [e["id"] for e in written]
    assert zoudu("verify", root=root).returncode == 0
