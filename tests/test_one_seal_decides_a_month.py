"""One seal decides a month (docs/trust-model.md): a month sealed once is audited under that seal for good. A second
`seal --month` is refused naming the first; entries added after it are late and change nothing, whatever is
sealed afterwards; `publish` prints the same seal; `verify --pubkey` lists them as late."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import keyed_township, snapshot


@pytest.fixture
def key(tmp_path) -> dict[str, str]:
    return {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}


@pytest.fixture
def root(tmp_path, cli, key) -> Path:
    return keyed_township(cli, tmp_path / "w", key, ("2026-10-26 08:00", "2026-10-27 08:00", "2026-11-03 08:00"))


def october(cli, root: Path) -> str:
    r = cli("audit", "--month", "2026-10", "--format", "json", root=root)
    assert r.returncode in (0, 1), r.stderr
    return json.dumps(json.loads(r.stdout)["violations"], ensure_ascii=False, sort_keys=True)


def publish(cli, root: Path, key, out: Path) -> tuple[list[str], str]:
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(out), "--date", "2026-11-02",
            root=root, env=key)
    assert r.returncode in (0, 1), r.stderr
    token = next(line for line in out.read_text(encoding="utf-8-sig").splitlines() if line.startswith(("Seal", "封存")))
    return r.stdout.split(), token


def publications(root: Path) -> list[dict]:
    found = []
    for path in sorted((root / "ledgers").glob("20*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- ") and '"publication"' in line:
                found.append(json.loads(line[2:]))
    return found


def test_a_published_month_is_not_sealed_again_and_a_late_leave_changes_nothing(cli, root, key, tmp_path):
    before = october(cli, root)
    assert "c003" in before
    ids, token = publish(cli, root, key, tmp_path / "1.csv")
    seal_id = ids[0]
    assert len(ids) == 2, ids  # the seal publish made, then the publication
    # the case: a leave over the sealed days, with an approver, after publication
    r = cli("leave", "c003", "--from", "2026-10-26", "--to", "2026-10-28", "--kind", "病假", "--approver", "c001",
            root=root)
    assert r.returncode == 0, r.stderr
    leave_id = r.stdout.split()[0]
    kept = snapshot(root)
    r = cli("seal", "--month", "2026-10", root=root, env=key)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert seal_id in r.stderr and "sealed once" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert snapshot(root) == kept
    assert october(cli, root) == before
    # November sealed afterwards (its files hold October's late leave): October still as first sealed
    r = cli("seal", "--month", "2026-11", root=root, env=key)
    assert r.returncode == 0, r.stderr
    assert october(cli, root) == before
    again, token_again = publish(cli, root, key, tmp_path / "2.csv")
    assert len(again) == 1 and token_again == token
    codes = {(p["seal"], p["code"]) for p in publications(root)}
    assert len(codes) == 1 and next(iter(codes))[0] == seal_id
    assert (tmp_path / "2.csv").read_bytes() == (tmp_path / "1.csv").read_bytes()
    r = cli("verify", "--pubkey", str(root / "keys" / "township.pub"), root=root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert leave_id in r.stdout and "late" in r.stdout


def test_a_second_seal_is_refused_in_chinese_too(cli, root, key):
    r = cli("seal", "--month", "2026-10", root=root, env=key)
    assert r.returncode == 0, r.stderr
    first = r.stdout.split()
    r = cli("seal", "--month", "2026-10", root=root, env=key, lang="zh_CN")
    assert r.returncode == 2 and first[0] in r.stderr and first[1] in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_publish_of_a_sealed_month_whose_sealed_entries_were_rewritten_is_refused(cli, root, key, tmp_path):
    from tests.test_signed_seals_catch_rewrites import lines_of, rechain

    publish(cli, root, key, tmp_path / "1.csv")
    path = root / "ledgers" / "2026-10.yaml"
    lines = lines_of(path)
    rechain(path, "2026-10", [line.replace("08:00:00", "07:59:00") for line in lines])
    out = tmp_path / "2.csv"
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(out), "--date", "2026-11-02",
            root=root, env=key)
    assert r.returncode == 1 and "no longer begins with" in r.stderr, r.stderr
    assert not out.exists()
