"""Nothing lost, nothing silently changed: real processes, SIGKILL, edited files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import yaml

import pytest

from tests.conftest import REPO, clean_env, make_workspace
from zoudu.ledger.store import read_ledger

WORKER = textwrap.dedent("""
    import datetime as dt, sys
    from pathlib import Path
    from zoneinfo import ZoneInfo
    from zoudu.ledger import record
    from zoudu.ledger.workspace import Workspace
    root, cadre, count, tag = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    tz = ZoneInfo("Asia/Shanghai")
    ws = Workspace(root, clock=lambda: dt.datetime(2026, 11, 26, 22, 0, tzinfo=tz))
    for i in range(count):
        (entry_id,) = record.village(ws, cadre, "石庄村", f"证人{i}", False, "2026-11-03T10:00", f"{tag}-{i}", None)
        print(entry_id, flush=True)
""")


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", cwd=REPO)


@pytest.mark.usefixtures("lock_branch")
def test_eight_processes_appending_at_once_lose_nothing(tmp_path, cli):
    ws = make_workspace(tmp_path / "w")
    cadres = ["c001", "c002", "c003", "c004", "c005", "c006"]
    procs = [spawn(str(ws.root), cadres[i % len(cadres)], "40", f"p{i}") for i in range(8)]
    printed = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        printed += out.split()
    assert len(printed) == 320 and len(set(printed)) == 320
    scan = read_ledger(ws.ledger_path("2026-11"), "ledgers/2026-11.yaml", check_chain=True)
    assert not scan.problems
    assert sorted(e.id for e in scan.entries) == sorted(printed)
    notes = sorted(e.data["note"] for e in scan.entries)
    assert len(notes) == 320 and len(set(notes)) == 320
    assert cli("verify", root=ws.root).returncode == 0


@pytest.mark.usefixtures("lock_branch")
def test_checkins_from_several_terminals_through_the_cli_all_land(tmp_path):
    ws = make_workspace(tmp_path / "w")
    env = clean_env()
    procs = [subprocess.Popen([sys.executable, "-m", "zoudu", "--root", str(ws.root), "checkin", cadre,
                               "--at", "2026-11-03T08:0" + str(i)], stdout=subprocess.PIPE, env=env,
                              encoding="utf-8")
             for i, cadre in enumerate(["c001", "c002", "c003", "c004", "c005", "c006", "c001", "c002"])]
    ids = [p.communicate(timeout=120)[0].split()[0] for p in procs]  # the id starts the line
    assert all(p.returncode == 0 for p in procs)
    scan = read_ledger(ws.ledger_path("2026-11"), "x", check_chain=True)
    assert not scan.problems and sorted(e.id for e in scan.entries) == sorted(ids)


@pytest.mark.usefixtures("lock_branch")
def test_sigkill_in_a_loop_of_appends_keeps_every_earlier_entry(tmp_path, cli):
    ws = make_workspace(tmp_path / "w")
    acknowledged: list[str] = []
    for round_ in range(6):
        p = spawn(str(ws.root), "c003", "100000", f"r{round_}")
        # Let it append a few entries (more each round), then kill it without warning: counted,
        # not timed, so a slow machine (or the portable lock's import) kills it no sooner.
        for _ in range(2 + round_):
            line = p.stdout.readline()
            assert line, p.stderr.read()
            acknowledged.append(line.strip())
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        acknowledged += p.stdout.read().split()
        r = cli("verify", root=ws.root)
        if r.returncode != 0:  # the kill tore the line being written: set it aside as documented
            assert "incomplete last line" in r.stdout
            assert cli("verify", "--repair", root=ws.root).returncode == 0
    scan = read_ledger(ws.ledger_path("2026-11"), "x", check_chain=True)
    assert not scan.problems
    present = {e.id for e in scan.entries}
    assert set(acknowledged) <= present, "an acknowledged entry was lost"
    assert len(acknowledged) > 10


@pytest.mark.usefixtures("lock_branch")
def test_a_torn_last_line_stops_appends_and_repair_sets_it_aside(tmp_path, cli):
    ws = make_workspace(tmp_path / "w")
    for hour in ("08:00", "14:30"):
        assert cli("checkin", "c003", "--at", f"2026-11-03T{hour}", root=ws.root).returncode == 0
    path = ws.ledger_path("2026-11")
    complete = path.read_bytes()
    # A power cut in the middle of a write: half a line, no newline.
    line = complete.splitlines(keepends=True)[-1]
    with open(path, "ab") as fh:
        fh.write(line[: len(line) // 2])
    torn = path.read_bytes()

    r = cli("checkin", "c004", "--at", "2026-11-03T08:01", root=ws.root)
    assert r.returncode == 2 and "ledgers/2026-11.yaml:4" in r.stderr and "verify --repair" in r.stderr
    assert path.read_bytes() == torn, "nothing may be appended after garbage"

    r = cli("verify", root=ws.root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:4" in r.stdout

    r = cli("verify", "--repair", root=ws.root)
    assert r.returncode == 0, r.stdout
    assert path.read_bytes() == complete
    (side,) = [p for p in ws.ledgers.iterdir() if ".torn-" in p.name]
    assert side.read_bytes() == line[: len(line) // 2]
    assert cli("checkin", "c004", "--at", "2026-11-03T08:01", root=ws.root).returncode == 0
    assert cli("verify", root=ws.root).returncode == 0


def _ledger_with_five(tmp_path, cli):
    ws = make_workspace(tmp_path / "w")
    for cadre in ("c001", "c002", "c003", "c004", "c005"):
        assert cli("checkin", cadre, "--at", "2026-11-03T08:00", root=ws.root).returncode == 0
    path = ws.ledger_path("2026-11")
    return ws, path, path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_editing_a_value_is_detected_at_its_line(tmp_path, cli):
    ws, path, lines = _ledger_with_five(tmp_path, cli)
    lines[3] = lines[3].replace("08:00:00", "07:59:00")
    path.write_text("".join(lines), encoding="utf-8")
    r = cli("verify", root=ws.root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:4:" in r.stdout and "hash chain" in r.stdout


def test_deleting_a_line_is_detected(tmp_path, cli):
    ws, path, lines = _ledger_with_five(tmp_path, cli)
    del lines[2]
    path.write_text("".join(lines), encoding="utf-8")
    r = cli("verify", root=ws.root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:3:" in r.stdout


def test_swapping_two_lines_is_detected(tmp_path, cli):
    ws, path, lines = _ledger_with_five(tmp_path, cli)
    lines[2], lines[3] = lines[3], lines[2]
    path.write_text("".join(lines), encoding="utf-8")
    r = cli("verify", root=ws.root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:3:" in r.stdout


def test_a_forged_line_with_a_recomputed_hash_still_breaks_the_next_link(tmp_path, cli):
    from zoudu.ledger.lines import chain_hash, encode_line

    ws, path, lines = _ledger_with_five(tmp_path, cli)
    prev = json.loads(lines[2][2:])["hash"]
    forged = json.loads(lines[3][2:])
    forged["cadre"] = "c006"
    forged["hash"] = chain_hash(prev, forged)
    lines[3] = encode_line(forged)
    path.write_text("".join(lines), encoding="utf-8")
    r = cli("verify", root=ws.root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:5:" in r.stdout


def test_non_utf8_and_garbage_lines_are_reported_with_their_line(tmp_path, cli):
    ws, path, lines = _ledger_with_five(tmp_path, cli)
    with open(path, "ab") as fh:
        fh.write(b"- {\"id\": \"\xff\xfe\"}\n")
        fh.write(b"not yaml: [\n")
    r = cli("verify", root=ws.root)
    assert r.returncode == 1
    assert "ledgers/2026-11.yaml:7:" in r.stdout and "UTF-8" in r.stdout
    assert "ledgers/2026-11.yaml:8:" in r.stdout


@pytest.mark.usefixtures("lock_branch")
def test_append_refuses_after_a_garbled_last_line(tmp_path, cli):
    ws, path, lines = _ledger_with_five(tmp_path, cli)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("- {broken\n")
    before = path.read_bytes()
    r = cli("checkin", "c006", "--at", "2026-11-03T08:00", root=ws.root)
    assert r.returncode == 2 and "ledgers/2026-11.yaml:7" in r.stderr
    assert path.read_bytes() == before


def test_void_naming_a_missing_entry_and_unknown_cadres_are_found(tmp_path, cli):
    from zoudu.ledger.lines import chain_hash, encode_line

    ws, path, lines = _ledger_with_five(tmp_path, cli)
    prev = json.loads(lines[-1][2:])["hash"]
    bogus = dict(json.loads(lines[-1][2:]), id="2026-11-0006", kind="void", target="2026-11-0042", cadre="c999")
    bogus["hash"] = chain_hash(prev, bogus)
    path.write_text("".join(lines) + encode_line(bogus), encoding="utf-8")
    r = cli("verify", root=ws.root)
    assert r.returncode == 1
    assert "2026-11-0042" in r.stdout and "c999" in r.stdout and "ledgers/2026-11.yaml:7" in r.stdout
    assert yaml.safe_load(path.read_text(encoding="utf-8"))[-1]["target"] == "2026-11-0042"
