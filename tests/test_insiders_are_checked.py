"""Insiders (docs/trust-model.md): a cadre cannot record the public's evaluation of themself; a leave is ended only by
its cadre, its approver or someone who may approve it; names with characters that do not show are refused;
`seal` (and `publish` when it seals) refuses a private key others can read or one inside the workspace;
every field of a seal entry is covered by its signature."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.support.cli import refused, snapshot, township_by_cli
from tests.test_signed_seals_catch_rewrites import lines_of, rechain
from zoudu.ledger.lines import encode_line
from zoudu.ledger.lines.entry import decode_line

CADRES = (
    ("c001", "--name", "刘书记", "--team"),
    ("c002", "--name", "黄乡长", "--team", "--supervisor", "c001"),
    ("c003", "--name", "张伟", "--supervisor", "c001", "--village", "石庄村"),
    ("c004", "--name", "王强", "--supervisor", "c002", "--village", "富溪村"),
)


@pytest.fixture
def key(tmp_path) -> dict[str, str]:
    return {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}


@pytest.fixture
def root(tmp_path, cli) -> Path:
    root = township_by_cli(cli, tmp_path / "w", CADRES)
    for at in ("2026-10-12 08:00", "2026-11-03 08:00"):  # no month without its file up to the running one
        r = cli("checkin", "c003", "c004", "--at", at, "--approver", "c001", "--reason", "停电", root=root)
        assert r.returncode == 0, r.stderr
    return root


def test_a_cadre_cannot_record_the_public_evaluation_of_themself(cli, root):
    refused(cli, root, "evaluate", "c003", "--month", "2026-10", "--public", "优", "--by", "c003",
            message="cannot record the public's evaluation of themself")
    refused(cli, root, "evaluate", "张伟", "--month", "2026-10", "--self", "良", "--public", "优", "--by", "张伟",
            message="themself")
    r = cli("evaluate", "c003", "--month", "2026-10", "--self", "良", "--by", "c003", root=root)
    assert r.returncode == 0, r.stderr  # their own self-evaluation is theirs to give
    r = cli("evaluate", "c003", "--month", "2026-10", "--public", "优", "--by", "c001", root=root)
    assert r.returncode == 0, r.stderr


def test_a_leave_is_ended_only_by_its_cadre_its_approver_or_who_may_approve_it(cli, root):
    r = cli("leave", "c003", "--from", "2026-10-21", "--to", "2026-10-21", "--approver", "c001", root=root)
    assert r.returncode == 0, r.stderr
    leave = r.stdout.split()[0]
    cancel = ("leave", "cancel", "c003", "--at", "2026-10-21 12:00")
    refused(cli, root, *cancel, "--by", "c004", message=leave)  # another cadre, after the fact
    refused(cli, root, *cancel, message="--by")  # nobody named: nobody to check
    for who in ("c003", "c001", "c002"):  # its cadre, its approver, another leader who may approve it
        before = snapshot(root)
        r = cli(*cancel, "--by", who, root=root)
        assert r.returncode == 0, (who, r.stderr)
        assert f"ends leave {leave}" in r.stderr
        ledger = root / "ledgers" / "2026-10.yaml"
        line = next(line for line in lines_of(ledger) if r.stdout.split()[0] in line)
        assert json.loads(line[2:])["by"] == who
        ledger.write_bytes(b"".join(open(root / "ledgers" / "2026-10.yaml", "rb").readlines()[:-1]))
        assert snapshot(root) == before


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u115f",
                                    "\u2028", "\u2029", "\u3000", "\u00a0", "\u202e", "\U000e0041", "\ufe0f"])
def test_a_name_with_a_character_that_does_not_show_is_refused(cli, root, hidden):
    refused(cli, root, "roster", "add", "c009", "--name", f"张{hidden}伟", "--since", "2026-01-01",
            message="invisible character")


def test_every_name_a_command_takes_is_checked(cli, root):
    hidden = "\u200b"  # the zero-width space of the look-alike 张伟
    refused(cli, root, "roster", "add", "c009", "--name", "赵六", "--village", f"石庄{hidden}村",
            "--since", "2026-01-01", message="invisible character")
    refused(cli, root, "roster", "set", "c003", "--from", "2026-10-01", "--village", f"石{hidden}庄村",
            message="invisible character")
    refused(cli, root, "village", "c003", "--village", "石庄村", "--witness", f"王{hidden}大爷",
            "--at", "2026-10-12 10:00", "--approver", "c001", "--reason", "补", message="invisible character")
    refused(cli, root, "village", "c003", "--village", f"石庄{hidden}村", "--witness", "王大爷",
            "--at", "2026-10-12 10:00", "--approver", "c001", "--reason", "补", message="invisible character")
    refused(cli, root, "checkin", "c003", "--place", f"党政{hidden}办", "--at", "2026-10-13 08:00",
            "--approver", "c001", "--reason", "补", message="invisible character")


def test_plain_names_still_pass(cli, root):
    r = cli("roster", "add", "c009", "--name", "Li Wei", "--village", "石庄村", "--supervisor", "c001",
            "--since", "2026-01-01", root=root)
    assert r.returncode == 0, r.stderr
    r = cli("village", "c009", "--village", "石庄村", "--witness", "王大爷", "--at", "2026-10-12 10:00",
            "--approver", "c001", "--reason", "补", root=root)
    assert r.returncode == 0, r.stderr


def test_seal_refuses_a_key_others_can_read(cli, root, key, tmp_path):
    assert cli("keys", "init", root=root, env=key).returncode == 0
    private = Path(key["ZOUDU_KEY"])
    os.chmod(private, 0o644)
    before = snapshot(root)
    r = cli("seal", "--month", "2026-10", root=root, env=key)
    assert r.returncode == 2 and "0644" in r.stderr and "chmod 600" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and snapshot(root) == before
    out = tmp_path / "notice.csv"
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(out), root=root, env=key)
    assert r.returncode == 2 and "0644" in r.stderr and not out.exists(), r.stderr
    assert snapshot(root) == before
    os.chmod(private, 0o600)
    assert cli("seal", "--month", "2026-10", root=root, env=key).returncode == 0


def test_seal_refuses_a_key_inside_the_workspace(cli, root, key):
    assert cli("keys", "init", root=root, env=key).returncode == 0
    for inside in (root / "township.key", root / "ledgers" / "township.key", root / "keys" / "township.key"):
        shutil.copy2(key["ZOUDU_KEY"], inside)
        os.chmod(inside, 0o600)
        before = snapshot(root)
        r = cli("seal", "--month", "2026-10", root=root, env={"ZOUDU_KEY": str(inside)})
        assert r.returncode == 2 and "inside the workspace" in r.stderr, r.stderr
        assert snapshot(root) == before
        inside.unlink()
    r = cli("keys", "init", root=root, env={"ZOUDU_KEY": str(root / "k" / "township.key")})
    assert r.returncode == 2 and "inside the workspace" in r.stderr


def _edited(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1] != "0" else "1")
    if isinstance(value, list):
        return [_edited(value[0])] + value[1:]
    if isinstance(value, dict):
        first = next(iter(value))
        return {**value, first: _edited(value[first])}
    return "x"


def test_every_field_of_a_seal_is_signed(cli, root, key, tmp_path):
    assert cli("keys", "init", root=root, env=key).returncode == 0
    assert cli("seal", "--month", "2026-09", root=root, env=key).returncode == 0  # a seal before: prev is set
    r = cli("seal", "--month", "2026-10", root=root, env=key)
    assert r.returncode == 0, r.stderr
    seal_id = r.stdout.split()[0]
    pub = str(root / "keys" / "township.pub")
    assert cli("verify", "--pubkey", pub, root=root).returncode == 0
    name = seal_id[:7]
    lines = lines_of(root / "ledgers" / f"{name}.yaml")
    number = next(i for i, line in enumerate(lines) if seal_id in line)
    original = decode_line(lines[number], f"{name}.yaml")
    assert original["version"] == 2
    # every field but the chain hash, which re-chaining works out again from all the others
    for field in sorted(set(original) - {"hash"}):
        copy = tmp_path / f"edit-{field}"
        shutil.copytree(root, copy)
        fields = dict(original)
        fields[field] = _edited(original[field])
        path = copy / "ledgers" / f"{name}.yaml"
        rechain(path, name, lines[:number] + [encode_line(fields)] + lines[number + 1:])
        r = cli("verify", "--pubkey", pub, root=copy)
        assert r.returncode == 1, (field, r.stdout)
    # a field taken away (the version, to pass for an older seal) is caught too
    copy = tmp_path / "no-version"
    shutil.copytree(root, copy)
    fields = {k: v for k, v in original.items() if k != "version"}
    rechain(copy / "ledgers" / f"{name}.yaml", name, lines[:number] + [encode_line(fields)] + lines[number + 1:])
    r = cli("verify", "--pubkey", pub, root=copy)
    assert r.returncode == 1 and "signature" in r.stdout, r.stdout


def test_an_older_seal_still_verifies(cli, root, key):
    """A seal written before every field was signed (no `version`) verifies over what it signed."""
    from cryptography.hazmat.primitives import serialization

    from zoudu.ledger.seals import SIGNED_V1

    assert cli("keys", "init", root=root, env=key).returncode == 0
    r = cli("seal", "--month", "2026-10", root=root, env=key)
    seal_id = r.stdout.split()[0]
    name = seal_id[:7]
    path = root / "ledgers" / f"{name}.yaml"
    lines = lines_of(path)
    number = next(i for i, line in enumerate(lines) if seal_id in line)
    fields = {k: v for k, v in decode_line(lines[number], path.name).items() if k != "version"}
    private = serialization.load_pem_private_key(Path(key["ZOUDU_KEY"]).read_bytes(), password=None)
    payload = json.dumps({k: fields.get(k) for k in SIGNED_V1}, sort_keys=True, ensure_ascii=True,
                         separators=(",", ":")).encode()
    fields["signature"] = private.sign(payload).hex()
    rechain(path, name, lines[:number] + [encode_line(fields)] + lines[number + 1:])
    r = cli("verify", "--pubkey", str(root / "keys" / "township.pub"), root=root)
    assert r.returncode == 0, r.stdout
