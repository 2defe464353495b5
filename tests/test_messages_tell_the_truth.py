"""Messages tell the truth (docs/trust-model.md): a command says what it did only once it is written; an over-long
file name and a rules.yaml that is not UTF-8 or not a regular file are one-line errors (exit 2, nothing
written) for every command; a roster saved with a BOM is read as the README says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.cli import snapshot, township_by_cli

COMMANDS = (
    ("checkin", "c003", "--at", "2026-11-03 08:00", "--approver", "c001", "--reason", "停电"),
    ("village", "c003", "--village", "石庄村", "--witness", "王大爷", "--at", "2026-11-03 10:00",
     "--approver", "c001", "--reason", "补"),
    ("leave", "c003", "--from", "2026-11-10", "--to", "2026-11-11", "--approver", "c001"),
    ("leave", "cancel", "c003", "--by", "c003"),
    ("inspect", "--by", "c002", "--present", "c003"),
    ("evaluate", "c003", "--month", "2026-11", "--self", "优"),
    ("roster", "add", "c009", "--name", "赵六", "--since", "2026-01-01"),
    ("audit", "--month", "2026-11"),
    ("publish", "--month", "2026-11", "--format", "md"),
    ("verify",),
    ("seal",),
    ("log", "--month", "2026-11"),
)


@pytest.fixture
def root(tmp_path, cli) -> Path:
    root = township_by_cli(cli, tmp_path / "w")
    r = cli("checkin", "c003", "--at", "2026-11-02 08:00", "--approver", "c001", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    return root


def one_line_refusal(cli, root: Path, args, message: str) -> None:
    before = snapshot(root) if (root / "rules.yaml").is_file() or not (root / "rules.yaml").exists() else None
    r = cli(*args, root=root, env={"ZOUDU_KEY": str(root.parent / "no.key")})
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert not list((root / "ledgers").glob("2026-12.yaml"))
    if before is not None:
        assert snapshot(root) == before, args


def test_leave_cancel_on_a_torn_ledger_says_no_success(cli, root):
    r = cli("leave", "c003", "--from", "2026-11-10", "--to", "2026-11-12", "--approver", "c001", root=root)
    assert r.returncode == 0, r.stderr
    ledger = root / "ledgers" / "2026-11.yaml"
    with open(ledger, "ab") as fh:
        fh.write(b'- {"at": "2026-11-11T0')  # a write cut off
    before = snapshot(root)
    r = cli("leave", "cancel", "c003", "--at", "2026-11-11 12:00", "--by", "c003", root=root)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "ends leave" not in r.stderr and not r.stdout.strip(), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before
    # mended, the same command says what it ended, once it is written
    assert cli("verify", "--repair", root=root).returncode in (0, 1)
    r = cli("leave", "cancel", "c003", "--at", "2026-11-11 12:00", "--by", "c003", root=root)
    assert r.returncode == 0 and "ends leave" in r.stderr, r.stderr
    assert r.stdout.split()[0] in ledger.read_text(encoding="utf-8")


@pytest.mark.parametrize("length", [250, 300, 5000])
def test_an_over_long_output_name_is_a_one_line_error(cli, root, tmp_path, length):
    name = str(tmp_path / ("公示" * (length // 6) + "a" * (length % 6)))
    before = snapshot(root)
    r = cli("publish", "--month", "2026-11", "--format", "csv", "-o", name, "--date", "2026-12-01", root=root)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "too long" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "internal error" not in r.stderr
    assert snapshot(root) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_rules_file_that_is_not_utf8_stops_every_command(cli, root):
    rules = root / "rules.yaml"
    rules.write_bytes(rules.read_bytes().replace("石庄乡".encode(), "石庄乡".encode("gbk"), 1))
    for args in COMMANDS:
        one_line_refusal(cli, root, args, "UTF-8")


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_rules_file_that_is_not_a_regular_file_stops_every_command(cli, root, kind):
    rules = root / "rules.yaml"
    rules.unlink()
    if kind == "fifo":
        os.mkfifo(rules)
    elif kind == "device":
        rules.symlink_to("/dev/null")
    else:
        rules.mkdir()
    for args in COMMANDS:
        one_line_refusal(cli, root, args, "not a regular file")


def test_a_roster_saved_with_a_bom_is_accepted(cli, root):
    roster = root / "ledgers" / "roster.yaml"
    roster.write_bytes(b"\xef\xbb\xbf" + roster.read_bytes())
    r = cli("roster", "list", root=root)
    assert r.returncode == 0 and "张伟" in r.stdout, r.stderr
    r = cli("checkin", "c003", "--at", "2026-11-03 08:00", "--approver", "c001", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    r = cli("roster", "add", "c009", "--name", "赵六", "--since", "2026-01-01", root=root)
    assert r.returncode == 0, r.stderr
    r = cli("verify", root=root)
    assert r.returncode == 0 and "all intact" in r.stdout, r.stdout
    # a month's ledger with one is still named (zoudu never writes one)
    ledger = root / "ledgers" / "2026-11.yaml"
    ledger.write_bytes(b"\xef\xbb\xbf" + ledger.read_bytes())
    r = cli("verify", root=root)
    assert r.returncode == 1 and "byte-order mark" in r.stdout
