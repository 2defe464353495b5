"""Publishing verifies the bytes (docs/trust-model.md): no cache can vouch for a ledger file. A spot check's `absent`
edited in October's file, with the new size and SHA-256 written into the cache folder's remembered state,
is still found by `verify` and refused by `publish`; a state written by hand is not used at all."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.support.cli import township_by_cli


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture
def root(tmp_path, cli, env) -> Path:
    root = township_by_cli(cli, tmp_path / "w")
    r = cli("checkin", "c003", "--at", "2026-10-12 08:00", "--approver", "c001", "--reason", "停电", root=root)
    assert r.returncode == 0, r.stderr
    r = cli("inspect", "--by", "c002", "--at", "2026-10-13 10:00", "--absent", "c003", root=root)
    assert r.returncode == 0, r.stderr
    assert cli("verify", root=root, env=env).returncode == 0  # remembers October as clean
    return root


def states(tmp_path: Path, kind: str) -> list[Path]:
    return sorted((tmp_path / "cache" / "zoudu").glob(f"{kind}-*.json"))


def forge(tmp_path: Path, ledger: Path) -> None:
    """The forger's step: each remembered state made to fit the edited file's bytes."""
    data = ledger.read_bytes()
    for path in states(tmp_path, "verified") + states(tmp_path, "chain"):
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("path") != str(ledger.absolute()):
            continue
        state.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
        if "length" in state:
            state["length"] = len(data)
        path.write_text(json.dumps(state), encoding="utf-8")


def test_an_edited_spot_check_is_found_whatever_the_cache_says(cli, root, env, tmp_path):
    ledger = root / "ledgers" / "2026-10.yaml"
    assert states(tmp_path, "verified")
    text = ledger.read_text(encoding="utf-8")
    assert '"absent": ["c003"]' in text
    ledger.write_text(text.replace('"absent": ["c003"]', '"absent": []'), encoding="utf-8")
    forge(tmp_path, ledger)
    r = cli("verify", root=root, env=env)
    assert r.returncode == 1 and "2026-10.yaml" in r.stdout and "hash chain broken" in r.stdout, r.stdout
    forge(tmp_path, ledger)  # verify kept nothing for a damaged month; forged again all the same
    out = tmp_path / "notice.csv"
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(out), "--date", "2026-11-02",
            root=root, env=env)
    assert r.returncode == 1 and "does not verify" in r.stderr, r.stderr
    assert not out.exists()
    r = cli("audit", "--month", "2026-10", root=root, env=env)
    assert "2026-10.yaml" in r.stdout + r.stderr  # the audit's own chain check names it too


def test_a_state_written_by_hand_is_not_used(cli, root, env, tmp_path):
    """Even for bytes that are intact: only what zoudu kept under the cache folder's key is read back."""
    counted = cli("verify", root=root, env=env).stdout
    assert "2 entries" in counted, counted
    secret = tmp_path / "cache" / "zoudu" / "secret.key"
    assert secret.stat().st_mode & 0o077 == 0
    for path in states(tmp_path, "verified"):
        state = json.loads(path.read_text(encoding="utf-8"))
        state["entries"] += 1  # a forged count, MAC kept as it was
        path.write_text(json.dumps(state), encoding="utf-8")
    assert cli("verify", root=root, env=env).stdout == counted
    for path in states(tmp_path, "verified"):
        state = json.loads(path.read_text(encoding="utf-8"))
        state["entries"] += 1
        state.pop("mac")
        path.write_text(json.dumps(state), encoding="utf-8")
    assert cli("verify", root=root, env=env).stdout == counted


def test_a_cache_key_others_can_read_is_replaced(cli, root, env, tmp_path):
    """A key that others could read may have been read: a new one is made and nothing kept under the old is used."""
    secret = tmp_path / "cache" / "zoudu" / "secret.key"
    old = secret.read_bytes()
    counted = cli("verify", root=root, env=env).stdout
    secret.chmod(0o644)
    for path in states(tmp_path, "verified"):  # what a reader of the old key could write
        state = json.loads(path.read_text(encoding="utf-8"))
        state["entries"] += 1
        state.pop("mac")
        import hmac

        body = json.dumps(state, sort_keys=True).encode()
        state["mac"] = hmac.new(old, body, hashlib.sha256).hexdigest()
        path.write_text(json.dumps(state), encoding="utf-8")
    assert cli("verify", root=root, env=env).stdout == counted
    assert secret.read_bytes() != old and secret.stat().st_mode & 0o077 == 0
