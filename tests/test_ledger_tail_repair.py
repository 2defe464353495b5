"""The end of a ledger: a dropped newline keeps its entry, torn or garbage tails are set aside, never hang."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import clean_env, make_workspace, run_cli
from zoudu.ledger.store import read_ledger


def ids(ws) -> list[str]:
    scan = read_ledger(ws.ledger_path("2026-11"), "x", check_chain=True)
    assert not scan.problems
    return [e.id for e in scan.entries]


@pytest.mark.usefixtures("lock_branch")
def test_a_last_line_missing_only_its_newline_is_kept_and_its_id_never_reused(tmp_path):
    ws = make_workspace(tmp_path / "w")
    r = run_cli("checkin", "c003", "c004", "--at", "2026-11-03T08:00", root=ws.root)
    assert [l.split()[0] for l in r.stdout.splitlines()] == ["2026-11-0001", "2026-11-0002"]
    ledger = ws.ledger_path("2026-11")
    subprocess.run(["truncate", "-s", "-1", str(ledger)], check=True)
    before = ledger.read_bytes()
    r = run_cli("verify", "--repair", root=ws.root)
    assert r.returncode == 0, r.stdout
    assert "lacked only its line break" in r.stdout
    assert ledger.read_bytes() == before + b"\n"
    assert not list(ledger.parent.glob("*.torn-*"))
    r = run_cli("checkin", "c005", "--at", "2026-11-03T08:01", root=ws.root)
    assert r.returncode == 0 and [l.split()[0] for l in r.stdout.splitlines()] == ["2026-11-0003"], r.stderr
    assert ids(ws) == ["2026-11-0001", "2026-11-0002", "2026-11-0003"]


@pytest.mark.usefixtures("lock_branch")
def test_a_last_line_that_does_not_chain_is_still_set_aside(tmp_path):
    ws = make_workspace(tmp_path / "w")
    run_cli("checkin", "c003", "c004", "--at", "2026-11-03T08:00", root=ws.root)
    ledger = ws.ledger_path("2026-11")
    data = ledger.read_bytes()
    # the last line edited (a different time) and its newline dropped: it no longer chains
    head, last = data[:-1].rsplit(b"\n", 1)
    edited = head + b"\n" + last.replace(b'"c004"', b'"c005"')
    ledger.write_bytes(edited)
    r = run_cli("verify", "--repair", root=ws.root)
    assert "moved to" in r.stdout and r.returncode == 0, r.stdout
    assert ids(ws) == ["2026-11-0001"]


@pytest.mark.usefixtures("lock_branch")
def test_a_cut_inside_a_chinese_character_says_incomplete_and_how_to_mend_it(tmp_path):
    ws = make_workspace(tmp_path / "w")
    run_cli("village", "c003", "--village", "石庄村", "--witness", "王大爷", "--at", "2026-11-03T10:00",
            "--note", "调解土地纠纷", root=ws.root)
    ledger = ws.ledger_path("2026-11")
    data = ledger.read_bytes()
    cut = data.index("纠".encode()) + 1  # inside the three bytes of 纠
    ledger.write_bytes(data[:cut])
    r = run_cli("verify", root=ws.root)
    assert r.returncode == 1
    assert "incomplete last line" in r.stdout and "zoudu verify --repair" in r.stdout, r.stdout
    assert run_cli("verify", "--repair", root=ws.root).returncode == 0


def test_a_50_mb_garbage_last_line_is_refused_promptly_and_repair_sets_it_aside(tmp_path):
    ws = make_workspace(tmp_path / "w")
    run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root)
    ledger = ws.ledger_path("2026-11")
    good = ledger.read_bytes()
    with open(ledger, "ab") as fh:
        fh.write(b"x" * (50 << 20))  # no newline anywhere in it
    r = run_cli("checkin", "c004", "--at", "2026-11-03T08:01", root=ws.root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "too long" in r.stderr and "zoudu verify --repair" in r.stderr
    assert ledger.stat().st_size == len(good) + (50 << 20)  # nothing written
    r = run_cli("verify", root=ws.root)
    assert r.returncode == 1 and "zoudu verify --repair" in r.stdout
    r = run_cli("verify", "--repair", root=ws.root)
    assert r.returncode == 0 and "moved to" in r.stdout, r.stdout
    assert ledger.read_bytes() == good
    assert run_cli("checkin", "c004", "--at", "2026-11-03T08:01", root=ws.root).returncode == 0


def test_a_complete_over_long_last_line_is_refused_too(tmp_path):
    ws = make_workspace(tmp_path / "w")
    run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root)
    ledger = ws.ledger_path("2026-11")
    good = ledger.read_bytes()
    with open(ledger, "ab") as fh:
        fh.write(b"- " + b"y" * (3 << 20) + b"\n")
    r = run_cli("checkin", "c004", "--at", "2026-11-03T08:01", root=ws.root)
    assert r.returncode == 2 and "too long" in r.stderr, r.stderr
    r = run_cli("verify", root=ws.root)
    assert r.returncode == 1 and "longer than any zoudu writes" in r.stdout, r.stdout
    assert run_cli("verify", "--repair", root=ws.root).returncode == 0
    assert ledger.read_bytes() == good


def test_a_1_gb_sparse_ledger_is_one_line_everywhere(tmp_path):
    ws = make_workspace(tmp_path / "w")
    ledger = ws.ledger_path("2026-11")
    with open(ledger, "wb") as fh:
        fh.truncate(1 << 30)  # sparse: a gigabyte of zero bytes, no newline
    r = run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "too long" in r.stderr, r.stderr
    r = run_cli("verify", root=ws.root)
    assert r.returncode == 1 and "internal error" not in r.stderr + r.stdout, r.stderr
    # the audit reads a month whole; short of memory it says so in one line, never a traceback
    env = {"ZOUDU_NO_CACHE": "1"}
    import resource
    import sys

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20))

    full = clean_env()
    full.update(env, ZOUDU_LANG="en")
    r = subprocess.run([sys.executable, "-m", "zoudu", "--root", str(ws.root), "audit", "--month", "2026-11"],
                       capture_output=True, text=True, encoding="utf-8", env=full, preexec_fn=cap, timeout=300)
    assert r.returncode in (1, 2) and "internal error" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert ledger.stat().st_size == 1 << 30


def test_a_bom_an_editor_added_is_named_with_how_to_remove_it(tmp_path):
    ws = make_workspace(tmp_path / "w")
    run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root)
    ledger = ws.ledger_path("2026-11")
    ledger.write_bytes(b"\xef\xbb\xbf" + ledger.read_bytes())
    r = run_cli("verify", root=ws.root)
    assert r.returncode == 1 and "byte-order mark" in r.stdout and "EF BB BF" in r.stdout, r.stdout
    assert "ledgers/2026-11.yaml:1" in r.stdout
    # removing the three bytes as told mends it
    subprocess.run(["sed", "-i", "1s/^\\xEF\\xBB\\xBF//", str(ledger)], check=True)
    assert run_cli("verify", root=ws.root).returncode == 0


def test_a_bom_in_the_roster_log_is_accepted_and_never_written(tmp_path):
    """The roster is a hash-chained log like the ledgers; an editor's BOM at its top is accepted, as the README
    says (docs/trust-model.md: a roster with a BOM is not refused), and zoudu never writes one."""
    ws = make_workspace(tmp_path / "w")
    roster = ws.root / "ledgers" / "roster.yaml"
    clean = roster.read_bytes()
    assert not clean.startswith(b"\xef\xbb\xbf")  # zoudu never writes one
    roster.write_bytes(b"\xef\xbb\xbf" + clean)
    r = run_cli("roster", "list", root=ws.root)
    assert r.returncode == 0 and "c006" in r.stdout, r.stderr
    r = run_cli("roster", "add", "c009", "--name", "赵六", "--since", "2026-01-01", root=ws.root)
    assert r.returncode == 0, r.stderr
    assert roster.read_bytes().count(b"\xef\xbb\xbf") == 1
    assert run_cli("verify", root=ws.root).returncode == 0