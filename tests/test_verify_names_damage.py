"""`zoudu verify` names what is wrong with the workspace's files: a folder where a ledger should be, a month deleted between others."""

from __future__ import annotations

import json

import pytest


def test_a_folder_where_a_ledger_should_be_and_a_file_as_root(cli, root, tmp_path):
    (root / "ledgers" / "2026-09.yaml").mkdir()
    r = cli("verify", root=root)
    assert r.returncode == 2 and "ledgers/2026-09.yaml" in r.stderr and "Traceback" not in r.stderr
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    r = cli("--root", str(afile), "verify")
    assert r.returncode == 2 and "is a file" in r.stderr


def test_a_deleted_month_between_two_others_is_reported(cli, root):
    for month in ("2026-09", "2026-10", "2026-11"):
        assert cli("checkin", "c003", "--at", f"{month}-02T08:00", root=root).returncode == 0
    (root / "ledgers" / "2026-10.yaml").unlink()
    r = cli("verify", root=root)
    assert r.returncode == 1 and "ledgers/2026-10.yaml" in r.stdout and "missing" in r.stdout


def test_a_roster_line_broken_by_hand_is_damage_verify_names(cli, root):
    roster = root / "ledgers" / "roster.yaml"
    lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace('"op": "add"', '"op": "ad"')
    roster.write_text("".join(lines), encoding="utf-8")
    r = cli("verify", root=root)
    assert r.returncode == 1 and "ledgers/roster.yaml:4" in r.stdout, (r.stdout, r.stderr)


def test_a_field_nobody_reads_is_named_even_with_the_chain_recomputed(cli, root):
    """A nonce ground into an unknown field (to match a printed seal) is damage, chain or no chain."""
    from zoudu.ledger.lines import chain_hash, encode_line, genesis

    assert cli("checkin", "c003", "--at", "2026-11-03T08:00", root=root).returncode == 0
    path = root / "ledgers" / "2026-11.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    entry = json.loads(lines[-1][2:])
    entry["nonce"] = "7f3a"
    del entry["hash"]
    entry["hash"] = chain_hash(genesis("2026-11"), entry)
    lines[-1] = encode_line(entry)
    path.write_text("".join(lines), encoding="utf-8")
    r = cli("verify", root=root)
    assert r.returncode == 1 and "'nonce'" in r.stdout and "ledgers/2026-11.yaml:2" in r.stdout, r.stdout


@pytest.mark.parametrize("edit", [
    ('"village": "石庄村"', '"village": "石庄 村"'),  # a space into a value: another village
    ('"note": "走访,调解"', '"note": "走访, 调解"'),  # a space after a comma inside a value
    ('"note": "走访,调解"', '"note": "走访,  调解"'),
    ('"witness": "王某:李某"', '"witness": "王某: 李某"'),  # after a colon inside a value
    ('"cadre": "c003"', '"cadre": "c003 "'),
])
def test_a_space_slipped_into_a_value_breaks_the_chain(cli, root, edit):
    """The chain vouches for the values the audit reads: a line whose values differ from the ones
    hashed, if only by a space, is a broken chain for verify and an untrusted audit, however the
    line is laid out (the fast check rebuilds the canonical text from the decoded values)."""
    assert cli("village", "c003", "--village", "石庄村", "--witness", "王某:李某", "--note", "走访,调解",
               "--at", "2026-11-03T10:00", root=root).returncode == 0
    path = root / "ledgers" / "2026-11.yaml"
    text = path.read_text(encoding="utf-8")
    old, new = edit
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    r = cli("verify", root=root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:2" in r.stdout and "hash chain" in r.stdout, r.stdout
    a = cli("audit", "--month", "2026-11", "--format", "json", root=root, env={"ZOUDU_NO_CACHE": "1"})
    assert a.returncode == 1 and "hash chain" in a.stderr, a.stderr


def test_a_kind_made_a_list_or_a_mapping_is_damage_not_a_crash(cli, root):
    assert cli("checkin", "c003", "--at", "2026-11-03T08:00", root=root).returncode == 0
    path = root / "ledgers" / "2026-11.yaml"
    text = path.read_text(encoding="utf-8")
    for kind in ('{"a": 1}', '["checkin"]'):
        path.write_text(text.replace('"kind": "checkin"', f'"kind": {kind}'), encoding="utf-8")
        r = cli("verify", root=root)
        assert r.returncode == 1 and "ledgers/2026-11.yaml:2" in r.stdout and "Traceback" not in r.stderr, r
        p = cli("publish", "--month", "2026-11", "--format", "csv", "--date", "2026-12-01", root=root)
        assert p.returncode == 1 and "does not verify" in p.stderr, p.stderr


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_null_made_not_a_number_breaks_the_chain(cli, root, value):
    """msgspec would write NaN and Infinity back as null: the fast check never sees such values
    (only what msgspec itself decoded), so the edit is a broken chain as json.dumps says."""
    roster = root / "ledgers" / "roster.yaml"
    lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if '"supervisor": null' in line)
    lines[number] = lines[number].replace('"supervisor": null', f'"supervisor": {value}')
    roster.write_text("".join(lines), encoding="utf-8")
    r = cli("verify", root=root)
    assert r.returncode == 1 and f"ledgers/roster.yaml:{number + 1}" in r.stdout and "hash chain" in r.stdout, r.stdout
