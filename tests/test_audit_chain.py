"""The audit checks the hash chain of the month it audits (zoudu.ledger.chain), and says so
loudly when a line was forged or edited by hand: a notice in every output, exit status 1."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support.book import Book, audit, found, workspace_at
from zoudu.ledger.chain import check_chain
from zoudu.ledger.store import read_ledger

MONTH = "2026-10"
FORGED = ('- {"at": "2026-10-13T08:00:00+08:00", "by": "c010", "cadre": "c003", "hash": "0000", '
          '"id": "2026-10-9999", "kind": "checkin", "place": "党政办公室", '
          '"recorded": "2026-10-13T08:01:00+08:00"}\n')


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own cache folder (the chain state lives there)."""
    monkeypatch.delenv("ZOUDU_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def ws(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-11-02T09:00")
    Book(ws).day("c003", "2026-10-12").day("c004", "2026-10-12").checkin("c004", "2026-10-13T08:00").write()
    return ws


def append_raw(ws, text: str) -> None:
    with open(ws.ledger_path(MONTH), "a", encoding="utf-8") as fh:
        fh.write(text)


def line_count(ws) -> int:
    return len(ws.ledger_path(MONTH).read_text(encoding="utf-8").splitlines())


def missing_mornings(result, cadre: str) -> list[str]:
    return [v.date.isoformat() for v in found(result, "signin.missing", cadre) if v.slot == "morning"]


def test_an_intact_ledger_is_trusted(ws):
    result = audit(ws, MONTH)
    assert result.untrusted is None and not result.problems
    assert not any("verify" in n for n in result.notices)


def test_a_forged_line_is_named_and_the_audit_is_not_trusted(ws):
    before = audit(ws, MONTH)
    assert "2026-10-13" in missing_mornings(before, "c003")
    append_raw(ws, FORGED)
    where = f"ledgers/{MONTH}.yaml:{line_count(ws)}"
    result = audit(ws, MONTH)
    # the forged line still hides the missing sign-in (the audit reads what is there) ...
    assert "2026-10-13" not in missing_mornings(result, "c003")
    # ... but the audit says it cannot be trusted, and where the chain breaks
    assert result.untrusted and where in result.untrusted and "zoudu verify" in result.untrusted
    assert result.notices[0] == result.untrusted
    assert [(p.where, p.code) for p in result.problems] == [(where, "chain")]
    assert result.exit_code == 1
    # the same line that `zoudu verify` names
    scan = read_ledger(ws.ledger_path(MONTH), f"ledgers/{MONTH}.yaml", check_chain=True)
    assert [p.where for p in scan.problems if p.code == "chain"][0] == where


def test_a_line_edited_by_hand_inside_the_cached_prefix_is_found(ws):
    assert audit(ws, MONTH).untrusted is None  # the whole file is now vouched for by the cache
    path = ws.ledger_path(MONTH)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert '"c003"' in lines[1] and "T08:00" in lines[1]
    lines[1] = lines[1].replace("党政办公室", "家中")
    path.write_text("".join(lines), encoding="utf-8")
    result = audit(ws, MONTH)
    assert result.untrusted and f"ledgers/{MONTH}.yaml:2" in result.untrusted


def test_a_deleted_line_breaks_the_chain_at_the_next_one(ws):
    path = ws.ledger_path(MONTH)
    audit(ws, MONTH)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")
    assert f"ledgers/{MONTH}.yaml:3" in audit(ws, MONTH).untrusted


def test_the_cache_verifies_only_what_was_appended(ws):
    path, shown = ws.ledger_path(MONTH), f"ledgers/{MONTH}.yaml"
    first = check_chain(path, shown)
    assert first.first_break is None and not first.resumed and first.checked == line_count(ws)
    again = check_chain(path, shown)
    assert again.resumed and again.checked == 0 and again.first_break is None
    Book(ws).checkin("c003", "2026-10-14T08:00").write()
    grown = check_chain(path, shown)
    assert grown.resumed and grown.checked == 1 and grown.first_break is None
    append_raw(ws, FORGED)
    forged = check_chain(path, shown)
    assert forged.resumed and forged.checked == 1 and forged.where == f"{shown}:{line_count(ws)}"
    # the break is remembered: lines appended after it do not make it go away
    Book(ws).checkin("c004", "2026-10-14T08:00").write()  # chained to the forged line's hash
    after = check_chain(path, shown)
    assert after.checked == 1 and after.where == forged.where


def test_without_the_cache_the_whole_file_is_checked_every_time(ws, monkeypatch):
    monkeypatch.setenv("ZOUDU_NO_CACHE", "1")
    path, shown = ws.ledger_path(MONTH), f"ledgers/{MONTH}.yaml"
    assert not check_chain(path, shown).resumed and not check_chain(path, shown).resumed
    append_raw(ws, FORGED)
    assert audit(ws, MONTH).untrusted


def test_a_stale_or_garbled_cache_means_checking_everything(ws, tmp_path):
    path, shown = ws.ledger_path(MONTH), f"ledgers/{MONTH}.yaml"
    check_chain(path, shown)
    (state,) = (tmp_path / "cache" / "zoudu").glob("chain-*.json")
    state.write_text("{not json", encoding="utf-8")
    assert not check_chain(path, shown).resumed
    data = json.loads(state.read_text(encoding="utf-8"))
    state.write_text(json.dumps(dict(data, length=data["length"] + 10)), encoding="utf-8")  # longer than the file
    assert not check_chain(path, shown).resumed


def test_lines_the_fast_path_cannot_rebuild_are_checked_by_chain_hash(ws):
    """Notes with the JSON separators in them, characters outside the BMP or Latin-1: no false alarm."""
    book = Book(ws)
    book.village("c003", "2026-10-15T10:00", "石庄村", note='走访, 调研: "水渠" \\ é · 𠀋 😀 \u2028 end')
    book.checkin("c004", "2026-10-15T08:00", place="党政办公室")
    book.write()
    path, shown = ws.ledger_path(MONTH), f"ledgers/{MONTH}.yaml"
    assert check_chain(path, shown).first_break is None
    assert audit(ws, MONTH).untrusted is None


def test_a_torn_last_line_is_not_a_broken_chain(ws):
    append_raw(ws, '- {"at": "2026-10-13T08:0')
    result = audit(ws, MONTH)
    assert result.untrusted is None and [p.code for p in result.problems] == ["torn"]


def test_every_output_says_it_and_the_audit_exits_1(cli, ws):
    env = {"XDG_CACHE_HOME": str(ws.root.parent / "cache")}
    r = cli("audit", "--month", MONTH, "--format", "json", root=ws.root, env=env)
    assert r.returncode == 1 and json.loads(r.stdout)["untrusted"] is False
    append_raw(ws, FORGED)
    where = f"ledgers/{MONTH}.yaml:{line_count(ws)}"
    # only warnings otherwise: the broken chain alone makes the exit status 1
    rules = ws.root / "rules.yaml"
    from zoudu.audit.rules import RULE_IDS

    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("severity:\n", "severity:\n" + "".join(
        f"  {rule}: warning\n" for rule in RULE_IDS)), encoding="utf-8")
    r = cli("audit", "--month", MONTH, "--format", "json", root=ws.root, env=env)
    obj = json.loads(r.stdout)
    assert r.returncode == 1 and obj["errors"] == 0 and obj["untrusted"] is True
    assert where in obj["notices"][0] and "zoudu verify" in obj["notices"][0]
    assert where in r.stderr and "zoudu verify" in r.stderr
    r = cli("audit", "--month", MONTH, "--format", "csv", root=ws.root, env=env)
    rows = [row for row in csv.DictReader(io.StringIO(r.stdout)) if row["rule"] == "notice"]
    assert r.returncode == 1 and any(where in row["message"] and row["severity"] == "error" for row in rows)
    r = cli("audit", "--month", MONTH, root=ws.root, env=dict(env, COLUMNS="250"))
    assert r.returncode == 1 and where in r.stdout and "zoudu verify" in r.stdout and where in r.stderr
    r = cli("audit", "--month", MONTH, root=ws.root, lang="zh", env=dict(env, COLUMNS="250"))
    assert r.returncode == 1 and where in r.stdout and "zoudu verify" in r.stdout
