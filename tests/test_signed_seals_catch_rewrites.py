"""Keys and signed seals (docs/trust-model.md#keys-and-seals), through the real command line on real files: what
``verify --pubkey`` catches that the hash chain alone cannot."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from tests.support.workspace import set_phone
from zoudu.ledger.lines import chain_hash, encode_line, genesis
from zoudu.ledger.lines.entry import decode_line
from zoudu.ledger.workspace import Workspace
from zoudu.ledger.seals import sealed_state


@pytest.fixture
def key(tmp_path) -> dict[str, str]:
    return {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}


@pytest.fixture
def root(tmp_path, cli, key) -> Path:
    """A township with a few sign-ins in October and November 2026 (both over), and its key pair."""
    root = tmp_path / "w"
    assert cli("init", str(root), "--township", "石庄乡", "--county", "崇仁县").returncode == 0
    set_phone(root)  # publish refuses init's placeholder phone
    for args in (("c001", "--name", "书记", "--team"),
                 ("c002", "--name", "干部", "--supervisor", "c001", "--village", "石庄村")):
        assert cli("roster", "add", *args, "--since", "2026-01-01", root=root).returncode == 0
    for at in ("2026-10-12T08:00", "2026-11-03T08:00", "2026-11-03T14:30", "2026-11-04T08:00"):
        assert cli("checkin", "c001", "c002", "--at", at, root=root).returncode == 0
    r = cli("keys", "init", root=root, env=key)
    assert r.returncode == 0, r.stderr
    return root


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def rechain(path: Path, name: str, lines: list[str]) -> None:
    """Write ``lines`` with every hash recomputed: what anyone holding the file can do."""
    prev, out = genesis(name), []
    for line in lines:
        if line.startswith("- "):
            fields = decode_line(line, path.name)
            fields["hash"] = prev = chain_hash(prev, fields)
            line = encode_line(fields)
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")


def seal(cli, root, key, *args) -> tuple[str, str]:
    r = cli("seal", *args, root=root, env=key)
    assert r.returncode == 0, r.stderr
    entry_id, code = r.stdout.split()
    return entry_id, code


def pub(root: Path) -> str:
    return str(root / "keys" / "township.pub")


def test_keys_init_keeps_the_private_key_outside_the_ledgers_and_prints_the_public_one(tmp_path, cli, key):
    root = tmp_path / "k"
    assert cli("init", str(root)).returncode == 0
    r = cli("keys", "init", root=root, env=key)
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert os.path.isabs(last) and Path(last) == (root / "keys" / "township.pub").resolve()
    assert Path(last).read_text(encoding="utf-8").startswith("-----BEGIN PUBLIC KEY-----")
    private = Path(key["ZOUDU_KEY"])
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert not any(p.name.endswith(".key") for p in (root / "ledgers").rglob("*"))
    r = cli("keys", "init", root=root, env=key)
    assert r.returncode == 2 and "already exists" in r.stderr
    assert private.read_bytes() and Path(last).read_text(encoding="utf-8").startswith("-----BEGIN")


def test_a_seal_prints_its_id_and_a_long_code_and_verifies(cli, root, key):
    entry_id, code = seal(cli, root, key, "--month", "2026-11")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{4}", entry_id) and re.fullmatch(r"[0-9a-f]{32,}", code)
    r = cli("verify", "--pubkey", pub(root), root=root)
    assert r.returncode == 0, r.stdout
    assert "1 signed seal(s) checked" in r.stdout
    entry = json.loads(lines_of(root / "ledgers" / f"{entry_id[:7]}.yaml")[-1][2:])
    assert entry["month"] == "2026-11" and entry["files"]["2026-11"][0] == 6 and "2026-10" in entry["files"]
    assert (root / "ledgers" / "rules" / f"{entry['rules']}.yaml").read_bytes() == (root / "rules.yaml").read_bytes()


def test_a_month_not_over_is_refused_but_a_checkpoint_seals_the_running_month(cli, root, key):
    r = cli("seal", "--month", "2099-01", root=root, env=key)
    assert r.returncode == 2
    entry_id, _code = seal(cli, root, key)  # the running month, up to now
    assert cli("verify", "--pubkey", pub(root), root=root).returncode == 0
    assert entry_id


def test_a_rewritten_line_with_a_recomputed_chain_is_caught(cli, root, key):
    seal(cli, root, key, "--month", "2026-11")
    path = root / "ledgers" / "2026-11.yaml"
    lines = lines_of(path)
    lines[2] = lines[2].replace("T08:00:00", "T07:59:00")
    rechain(path, "2026-11", lines)
    assert cli("verify", root=root).returncode == 0  # the chain alone is fooled
    r = cli("verify", "--pubkey", pub(root), root=root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:7" in r.stdout and "rewritten" in r.stdout


def test_a_truncated_tail_is_caught(cli, root, key):
    seal(cli, root, key, "--month", "2026-11")
    path = root / "ledgers" / "2026-11.yaml"
    path.write_text("".join(lines_of(path)[:-1]), encoding="utf-8")
    assert cli("verify", root=root).returncode == 0
    r = cli("verify", "--pubkey", pub(root), root=root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml" in r.stdout and "cut short" in r.stdout


def test_a_forged_seal_is_caught(cli, root, key):
    entry_id, _code = seal(cli, root, key, "--month", "2026-11")
    path = root / "ledgers" / f"{entry_id[:7]}.yaml"
    lines = lines_of(path)
    number = next(i for i, line in enumerate(lines) if entry_id in line)
    fields = decode_line(lines[number], path.name)
    fields["files"]["2026-11"][0] = 5  # "only five entries were sealed"
    lines[number] = encode_line(fields)
    rechain(path, entry_id[:7], lines)
    r = cli("verify", "--pubkey", pub(root), root=root)
    assert r.returncode == 1 and f"{path.relative_to(root).as_posix()}:{number + 1}" in r.stdout
    assert "signature" in r.stdout


def test_a_removed_seal_breaks_the_chain_of_seals(cli, root, key):
    first, _ = seal(cli, root, key, "--month", "2026-10")
    second, _ = seal(cli, root, key, "--month", "2026-11")
    path = root / "ledgers" / f"{first[:7]}.yaml"
    rechain(path, first[:7], [line for line in lines_of(path) if first not in line])
    r = cli("verify", "--pubkey", pub(root), root=root)
    assert r.returncode == 1 and "previous seal" in r.stdout


def test_an_unknown_field_in_a_seal_is_refused(cli, root, key):
    entry_id, _ = seal(cli, root, key, "--month", "2026-11")
    path = root / "ledgers" / f"{entry_id[:7]}.yaml"
    lines = lines_of(path)
    number = next(i for i, line in enumerate(lines) if entry_id in line)
    fields = decode_line(lines[number], path.name)
    fields["nonce"] = "ground"
    lines[number] = encode_line(fields)
    rechain(path, entry_id[:7], lines)
    r = cli("verify", "--pubkey", pub(root), root=root)
    assert r.returncode == 1 and "nonce" in r.stdout


def test_entries_added_after_a_seal_are_late_not_damage(cli, root, key):
    seal(cli, root, key, "--month", "2026-11")
    # a leave slipped into October after November was sealed: November's audit reads it
    assert cli("leave", "c002", "--from", "2026-10-30", "--to", "2026-10-31", "--approver", "c001",
               root=root).returncode == 0
    r = cli("verify", "--pubkey", pub(root), root=root)
    assert r.returncode == 0, r.stdout
    assert "late" in r.stdout and "ledgers/2026-10.yaml:4" in r.stdout


def test_the_county_verifies_a_copy_with_only_the_public_key(cli, root, key, tmp_path):
    seal(cli, root, key, "--month", "2026-11")
    county = tmp_path / "county"
    shutil.copytree(root, county / "copy", ignore=shutil.ignore_patterns(".lock", "keys"))
    shutil.copy(pub(root), county / "shizhuang.pub")
    r = cli("verify", "--pubkey", str(county / "shizhuang.pub"), root=county / "copy")  # no private key anywhere
    assert r.returncode == 0, r.stdout
    # another township's key proves nothing
    other = tmp_path / "other"
    assert cli("init", str(other)).returncode == 0
    assert cli("keys", "init", root=other, env={"ZOUDU_KEY": str(tmp_path / "o.key")}).returncode == 0
    r = cli("verify", "--pubkey", str(other / "keys" / "township.pub"), root=county / "copy")
    assert r.returncode == 1 and "signature" in r.stdout


def test_publish_seals_an_unsealed_month_and_is_recorded(cli, root, key, tmp_path):
    r = cli("publish", "--month", "2026-11", "--format", "csv", "-o", str(tmp_path / "n.csv"), root=root, env=key)
    assert r.returncode == 0, r.stderr
    ids = re.findall(r"^\d{4}-\d{2}-\d{4}$", r.stdout, re.M)  # the sheet went to a file: ids on stdout
    assert len(ids) == 2  # the seal, then the publication
    kinds = {}
    for m in {i[:7] for i in ids}:
        for line in lines_of(root / "ledgers" / f"{m}.yaml"):
            if line.startswith("- "):
                fields = json.loads(line[2:])
                kinds[fields["id"]] = fields
    seal_entry, publication = kinds[ids[0]], kinds[ids[1]]
    assert seal_entry["kind"] == "seal" and publication["kind"] == "publication"
    assert publication["seal"] == ids[0] and len(publication["code"]) == 32 and publication["month"] == "2026-11"
    # published again: not sealed twice, but recorded again
    r = cli("publish", "--month", "2026-11", "--format", "md", root=root, env=key)
    assert r.stdout.startswith("# ")  # the sheet on stdout, the id on stderr
    assert len(re.findall(r"^\d{4}-\d{2}-\d{4}$", r.stderr, re.M)) == 1
    assert cli("verify", "--pubkey", pub(root), root=root).returncode == 0


def test_a_roster_change_may_not_take_effect_inside_a_sealed_month(cli, root, key):
    seal(cli, root, key, "--month", "2026-11")
    r = cli("roster", "set", "c002", "--village", "富溪村", "--from", "2026-11-20", root=root)
    assert r.returncode == 2 and "sealed up to 2026-11-30" in r.stderr
    assert cli("roster", "set", "c002", "--village", "富溪村", "--from", "2026-12-01", root=root).returncode == 0


def test_sealed_state_gives_the_audit_what_the_month_was_sealed_with(cli, root, key):
    ws = Workspace(root)
    assert sealed_state(ws, "2026-11") is None
    seal(cli, root, key, "--month", "2026-11")
    rules_text = (root / "rules.yaml").read_text(encoding="utf-8")
    (root / "rules.yaml").write_text(rules_text.replace("inspections_per_month: 2", "inspections_per_month: 3"),
                                     encoding="utf-8")
    text, counts, roster_head = sealed_state(Workspace(root), "2026-11")
    assert text == rules_text
    assert counts["ledgers/2026-11.yaml"] == 6 and counts["ledgers/2026-10.yaml"] == 2
    assert counts["ledgers/roster.yaml"] == 2
    assert len(roster_head) == 64


def test_a_seal_shorter_than_the_printed_one_is_refused(cli, root):
    head = json.loads(lines_of(root / "ledgers" / "2026-11.yaml")[-1][2:])["hash"]
    r = cli("verify", "--sealed", f"2026-11:{head[:8]}", root=root)
    assert r.returncode == 2 and "not a seal" in r.stderr
    assert cli("verify", "--sealed", f"2026-11:{head[:12]}", root=root).returncode == 0
