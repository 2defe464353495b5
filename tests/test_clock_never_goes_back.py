"""The recorded time is taken under the workspace lock and never goes back within a file
(docs/ledger-format.md#the-clock): a clock set back is refused at entry, and a line written by hand out of order is
found by verify."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zoudu.ledger.lines import chain_hash, encode_line


@pytest.fixture
def root(tmp_path, cli) -> Path:
    root = tmp_path / "w"
    assert cli("init", str(root)).returncode == 0
    for args in (("c001", "--name", "书记", "--team"), ("c002", "--name", "干部", "--supervisor", "c001")):
        assert cli("roster", "add", *args, "--since", "2026-01-01", root=root).returncode == 0
    return root


def month_now() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # the workspace's time zone


def append_by_hand(path: Path, **changes) -> None:
    """A line copied from the last one with some fields changed, chained as the tool would."""
    lines = path.read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1][2:])
    number = int(last["id"].rsplit("-", 1)[1]) + 1
    fields = dict(last, id=f"{last['id'].rsplit('-', 1)[0]}-{number:04d}", **changes)
    fields["hash"] = chain_hash(last["hash"], fields)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(encode_line(fields))


def test_an_entry_recorded_in_the_future_makes_the_next_one_refused(cli, root):
    """Simulates a clock set back: the file already holds an entry recorded later than now."""
    assert cli("checkin", "c002", root=root).returncode == 0
    path = root / "ledgers" / f"{month_now()}.yaml"
    future = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(days=3)).isoformat(timespec="seconds")
    append_by_hand(path, recorded=future)
    before = path.read_bytes()
    r = cli("checkin", "c002", root=root)
    assert r.returncode == 2 and "clock is behind" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_verify_finds_a_hand_written_line_recorded_before_the_one_above_it(cli, root):
    assert cli("checkin", "c002", root=root).returncode == 0
    path = root / "ledgers" / f"{month_now()}.yaml"
    append_by_hand(path, recorded="2020-01-01T08:00:00+08:00")
    r = cli("verify", root=root)
    assert r.returncode == 1 and f"ledgers/{month_now()}.yaml:3" in r.stdout and "clock" in r.stdout


def test_concurrent_sign_ins_all_land_in_clock_order(cli, root):
    results = []

    def one() -> None:
        results.append(cli("checkin", "c001", "c002", root=root))

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    lines = (root / "ledgers" / f"{month_now()}.yaml").read_text(encoding="utf-8").splitlines()
    recorded = [json.loads(line[2:])["recorded"] for line in lines if line.startswith("- ")]
    assert len(recorded) == 12 and recorded == sorted(recorded)
    assert cli("verify", root=root).returncode == 0
