"""The county closes the trust loop (docs/trust-model.md#checkpoints-and-the-county): every seal
yields a C2SP checkpoint over all the township's entries; the county cosigns only a checkpoint
that extends the one it cosigned before; a cut-off, removed or forked history is exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from zoudu.ledger import tlog
from tests.support.workspace import set_phone
from tests.test_signed_seals_catch_rewrites import lines_of, rechain


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key"),
            "ZOUDU_COUNTY_KEY": str(tmp_path / "secret" / "county.key")}


@pytest.fixture
def township(tmp_path, cli, env) -> Path:
    root = tmp_path / "石庄乡"
    assert cli("init", str(root), "--township", "石庄乡", "--county", "崇仁县", "--from", "2026-01-01").returncode == 0
    set_phone(root)
    for args in (("c001", "--name", "书记", "--team"),
                 ("c002", "--name", "干部", "--supervisor", "c001", "--village", "石庄村")):
        assert cli("roster", "add", *args, "--since", "2026-01-01", root=root).returncode == 0
    for at in ("2026-10-12T08:00", "2026-10-12T14:30", "2026-10-13T08:00"):
        assert cli("checkin", "c001", "c002", "--at", at, root=root).returncode == 0
    assert cli("checkin", "c001", "--at", "2026-11-02T08:00", root=root).returncode == 0  # no month file missing
    assert cli("keys", "init", root=root, env=env).returncode == 0
    r = cli("seal", "--month", "2026-10", root=root, env=env)
    assert r.returncode == 0, r.stderr
    return root


@pytest.fixture
def county(tmp_path, cli, env, township) -> Path:
    folder = tmp_path / "崇仁县纪委"
    r = cli("county", "init", str(folder), "--county", "崇仁县", env=env)
    assert r.returncode == 0, r.stderr
    r = cli("county", "add", "石庄乡", "--path", str(township), "--pubkey", str(township / "keys" / "township.pub"),
            "--dir", str(folder), env=env)
    assert r.returncode == 0, r.stderr
    return folder


def township_key(root: Path):
    return load_pem_public_key((root / "keys" / "township.pub").read_bytes())


def test_a_seal_yields_a_signed_checkpoint_over_every_entry(cli, township):
    r = cli("checkpoint", root=township)
    assert r.returncode == 0, r.stderr
    text = tlog.verify_note(r.stdout, "zoudu/崇仁县/石庄乡", township_key(township))
    cp = tlog.parse_checkpoint(text)
    assert cp.origin == "zoudu/崇仁县/石庄乡"
    files = ("roster.yaml", "2026-10.yaml", "2026-11.yaml")
    hashes = [line for f in files for line in lines_of(township / "ledgers" / f) if line.startswith("- ")]
    assert cp.size == len(hashes) == 2 + 6 + 1  # the roster's two entries, seven sign-ins; the seal is a leaf of the next
    from zoudu.ledger.lines.entry import decode_line

    leaves = [bytes.fromhex(decode_line(line, "x")["hash"]) for line in hashes]
    assert cp.root == tlog.merkle_root(leaves)


def test_the_county_cosigns_and_the_township_carries_the_cosignature(cli, township, county, env):
    r = cli("county", "cosign", "--dir", str(county), env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("石庄乡: ") and len(r.stdout.strip().splitlines()) == 1
    note = cli("checkpoint", root=township).stdout
    county_key = load_pem_public_key((county / "keys" / "county.pub").read_bytes())
    text, _time = tlog.verify_cosignature(note, "zoudu-county/崇仁县", county_key)
    assert tlog.verify_note(note, "zoudu/崇仁县/石庄乡", township_key(township)) == text
    assert (county / "townships" / "石庄乡" / "cosigned" / f"{tlog.parse_checkpoint(text).size}.note").exists()
    assert cli("verify", "--pubkey", str(township / "keys" / "township.pub"), root=township).returncode == 0
    assert cli("county", "verify", "--dir", str(county), env=env).returncode == 0
    # The township goes on: a new seal extends the cosigned checkpoint, and the county cosigns again.
    assert cli("checkin", "c002", "--at", "2026-11-03T08:00", root=township).returncode == 0
    assert cli("seal", "--month", "2026-11", root=township, env=env).returncode == 0
    r = cli("county", "cosign", "石庄乡", "--dir", str(county), env=env)
    assert r.returncode == 0, r.stdout + r.stderr


def _seal_file(township: Path) -> Path:
    found = [p for p in (township / "ledgers").glob("20*.yaml") if '"kind": "seal"' in p.read_text(encoding="utf-8")]
    assert len(found) == 1
    return found[0]


def test_cutting_off_the_cosigned_seal_is_caught_by_township_and_county(cli, township, county, env):
    assert cli("county", "cosign", "--dir", str(county), env=env).returncode == 0
    path = _seal_file(township)
    lines = lines_of(path)
    seal_at = next(i for i, line in enumerate(lines) if '"kind": "seal"' in line)
    path.write_text("".join(lines[:seal_at]), encoding="utf-8")  # the seal cut off, nothing else
    r = cli("verify", "--pubkey", str(township / "keys" / "township.pub"), root=township,
            env={"ZOUDU_NO_CACHE": "1"})
    assert r.returncode == 1 and "cosigned" in r.stdout, r.stdout
    r = cli("county", "verify", "--dir", str(county), env=env)
    assert r.returncode == 1 and "石庄乡" in r.stdout


def test_a_rewritten_history_resigned_with_the_townships_key_is_a_fork_kept_as_proof(cli, township, county, env):
    assert cli("county", "cosign", "--dir", str(county), env=env).returncode == 0
    seal_path = _seal_file(township)
    lines = lines_of(seal_path)
    rechain(seal_path, seal_path.stem, [line for line in lines if '"kind": "seal"' not in line])
    october = township / "ledgers" / "2026-10.yaml"
    rechain(october, "2026-10", [line.replace("T08:00", "T08:01", 1) if i == 2 else line
                                 for i, line in enumerate(lines_of(october))])
    assert cli("seal", "--month", "2026-10", root=township, env=env).returncode == 0  # the key re-signs it
    assert cli("verify", "--pubkey", str(township / "keys" / "township.pub"), root=township,
               env={"ZOUDU_NO_CACHE": "1"}).returncode == 1
    r = cli("county", "cosign", "--dir", str(county), env=env)
    assert r.returncode == 1 and "does not extend" in r.stdout, r.stdout
    forks = sorted((county / "townships" / "石庄乡" / "forks").iterdir())
    assert len(forks) == 2
    key = township_key(township)
    old, new = (tlog.parse_checkpoint(tlog.verify_note(p.read_text(encoding="utf-8"), "zoudu/崇仁县/石庄乡", key))
                for p in forks)
    assert old.size == new.size and old.root != new.root  # two validly signed, inconsistent checkpoints


def test_county_commands_refuse_bad_input_in_one_line(cli, tmp_path, township, county, env):
    r = cli("county", "add", "石庄乡", "--path", str(township), "--pubkey", str(township / "keys" / "township.pub"),
            "--dir", str(county), env=env)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = cli("county", "cosign", "--dir", str(tmp_path), env=env)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = cli("county", "init", str(county), "--county", "崇仁县", env=env)
    assert r.returncode == 2


def test_once_a_township_has_a_key_publishing_without_it_is_refused(cli, township, env, tmp_path):
    from tests.support.cli import snapshot

    before = snapshot(township)
    out = tmp_path / "公示.html"
    r = cli("publish", "--month", "2026-10", "--format", "html", "-o", str(out), root=township)  # no $ZOUDU_KEY
    assert r.returncode == 2 and "private key" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert snapshot(township) == before and not out.exists()
    r = cli("publish", "--month", "2026-10", "--format", "html", "-o", str(out), root=township, env=env)
    assert r.returncode == 0, r.stderr


def test_the_notice_carries_its_checkpoint_and_the_county_recognises_it(cli, township, county, env, tmp_path):
    from zoudu.ledger.workspace import Workspace
    from zoudu.publish.qr import notice_checkpoint

    assert cli("county", "cosign", "--dir", str(county), env=env).returncode == 0
    carried = notice_checkpoint(Workspace(township), "2026-10")
    assert carried is not None and carried.cosigned
    assert carried.note == cli("checkpoint", root=township).stdout
    assert "<svg" in carried.svg() and len(carried.digits) == 8
    r = cli("county", "verify-notice", carried.note, "--dir", str(county))
    assert r.returncode == 0 and "石庄乡" in r.stdout, r.stdout + r.stderr
    forged = carried.note.replace(carried.note.split("\n")[1], str(int(carried.note.split("\n")[1]) + 1), 1)
    r = cli("county", "verify-notice", forged, "--dir", str(county))
    assert r.returncode == 1, r.stdout
    out = tmp_path / "公示.html"
    r = cli("publish", "--month", "2026-10", "-o", str(out), root=township, env=env)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and carried.digits in page and "县纪委已副签" not in page  # English in tests
    assert "cosigned by the county discipline commission" in page


def test_an_unsealed_month_is_sealed_before_its_notice_so_the_notice_carries_the_checkpoint(cli, township, env,
                                                                                            tmp_path):
    from zoudu.ledger.workspace import Workspace
    from zoudu.publish.qr import notice_checkpoint

    assert cli("checkin", "c002", "--at", "2026-11-03T08:00", root=township).returncode == 0
    out = tmp_path / "公示-11.html"
    r = cli("publish", "--month", "2026-11", "-o", str(out), root=township, env=env)
    assert r.returncode == 0, r.stderr
    carried = notice_checkpoint(Workspace(township), "2026-11")
    assert carried is not None and not carried.cosigned
    page = out.read_text(encoding="utf-8")
    assert carried.digits in page and "not yet cosigned by the county" in page


def test_county_audit_and_report(cli, township, county, env, tmp_path):
    import json

    assert cli("county", "cosign", "--dir", str(county), env=env).returncode == 0
    r = cli("county", "audit", "--month", "2026-10", "--format", "json", "--dir", str(county))
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)["townships"][0]
    assert row["township"] == "石庄乡" and row["cadres"] == 2 and row["sealed"] and row["cosigned"]
    assert row["errors"].get("signin.missing", 0) > 0 and row["commuting_cadres"] == 2
    assert row["rounds"] == 0 and row["rounds_required"] == 2 and row["late"] == 0
    assert cli("county", "audit", "--month", "2026-10", "--dir", str(county)).returncode == 0
    page = tmp_path / "report.html"
    r = cli("county", "report", "--month", "2026-10", "-o", str(page), "--dir", str(county))
    assert r.returncode == 0, r.stderr
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and "石庄乡" in text and "<script" not in text and "http" not in text.split("<body>")[1]


def test_an_edited_line_is_damage_exit_1_for_the_township_and_the_county_names_it(cli, township, county, env):
    assert cli("county", "cosign", "--dir", str(county), env=env).returncode == 0
    october = township / "ledgers" / "2026-10.yaml"
    october.write_text(october.read_text(encoding="utf-8").replace("T08:00:00+08:00", "T07:59:00+08:00", 1),
                       encoding="utf-8")
    r = cli("verify", "--pubkey", str(township / "keys" / "township.pub"), root=township, env={"ZOUDU_NO_CACHE": "1"})
    assert r.returncode == 1, r.stdout + r.stderr
    for command in ("verify", "cosign"):
        r = cli("county", command, "--dir", str(county), env=env)
        assert r.returncode == 1 and r.stdout.startswith("石庄乡: ") and "2026-10.yaml" in r.stdout, r.stdout + r.stderr


def test_a_refused_publish_seals_nothing(cli, township, env, tmp_path):
    from tests.support.cli import snapshot

    assert cli("checkin", "c002", "--at", "2026-11-03T08:00", root=township).returncode == 0
    rules = township / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("0794-6321358", "0794-0000000"), encoding="utf-8")
    before = snapshot(township)
    r = cli("publish", "--month", "2026-11", "-o", str(tmp_path / "n.html"), root=township, env=env)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(township) == before  # no seal written by a publish that was refused
    assert cli("publish", "--month", "2025-11", "-o", str(tmp_path / "n.html"), root=township, env=env).returncode == 2
    assert snapshot(township) == before


def test_a_key_made_before_the_township_was_named_is_still_found(cli, tmp_path):
    root = tmp_path / "w"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert cli("init", str(root), "--from", "2026-01-01").returncode == 0  # placeholders for the names
    assert cli("roster", "add", "c001", "--name", "书记", "--team", "--since", "2026-01-01", root=root).returncode == 0
    assert cli("checkin", "c001", "--at", "2026-10-12T08:00", root=root).returncode == 0
    assert cli("checkin", "c001", "--at", "2026-11-02T08:00", root=root).returncode == 0
    assert cli("keys", "init", root=root, env=env).returncode == 0
    rules = root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    import re

    text = re.sub(r"^township: .*$", "township: 石庄乡", text, flags=re.M)
    text = re.sub(r"^county: .*$", "county: 崇仁县", text, flags=re.M)
    rules.write_text(text, encoding="utf-8")
    set_phone(root)
    r = cli("publish", "--month", "2026-10", "-o", str(tmp_path / "n.html"), root=root, env=env)
    assert r.returncode == 0, r.stderr


def test_a_malformed_notice_text_is_refused_in_the_clerks_language(cli, township, county, env):
    r = cli("county", "verify-notice", "随便写的文字", "--dir", str(county), lang="zh")
    assert r.returncode == 1 and "不是检查点" in r.stdout and "签名记录" in r.stdout, r.stdout


def test_county_work_tells_its_progress_and_a_pipe_gets_only_the_lines(cli, township, county, env):
    from zoudu.county import open_county
    from zoudu.county_audit import county_month

    r = cli("county", "add", "石庄乡副本", "--path", str(township), "--pubkey",
            str(township / "keys" / "township.pub"), "--dir", str(county), env=env)
    assert r.returncode == 0, r.stderr
    seen: list[tuple[int, int]] = []
    rows = county_month(open_county(county), "2026-10", progress=lambda done, total: seen.append((done, total)))
    assert [r.township for r in rows] == ["石庄乡", "石庄乡副本"] and seen == [(0, 2), (1, 2)]
    r = cli("county", "cosign", "--dir", str(county), env=env)
    assert r.returncode == 0 and r.stderr == "" and len(r.stdout.splitlines()) == 2, r.stdout + r.stderr
