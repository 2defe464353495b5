"""The seal on a published notice: truncation is caught and names the month, late entries are not damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_workspace
from zoudu.ledger import record
from zoudu.errors import ZouduError
from zoudu.publish.seal import Seal, check_seal, seal_status
from zoudu.ledger.verify import verify


@pytest.fixture
def ws(tmp_path, clock):
    ws = make_workspace(tmp_path / "w", clock)
    clock.set("2026-11-30T21:00")
    for day in ("02", "03", "04"):
        record.checkin(ws, ["c003", "c004"], f"2026-11-{day}T08:01", None, None, None, None)
        record.checkin(ws, ["c003"], f"2026-11-{day}T19:31", None, None, None, None)
    record.village(ws, "c005", "官山村", "赵大爷", False, "2026-11-03T10:00", "修水渠", None)
    return ws


def sealed_now(ws) -> Seal:
    entries, head = verify(ws).heads["2026-11"]
    return Seal("2026-11", entries, head)


def drop_last_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))


def test_an_untouched_ledger_holds_its_seal(ws):
    seal = sealed_now(ws)
    assert seal.entries == 10 and len(seal.head) == 64
    for text, month in ((seal.token, None), (seal.full_token, None), (seal.short, "2026-11"), (seal.head, None)):
        ok, message = check_seal(ws, text, month)
        assert ok, message
        assert "2026-11" in message and "exactly the 10 entries" in message


def test_a_ledger_truncated_after_publication_fails_naming_the_month(ws):
    seal = sealed_now(ws)
    drop_last_line(ws.ledger_path("2026-11"))
    assert verify(ws).clean  # the chain alone cannot see a cut end
    ok, message = check_seal(ws, seal.token, None)
    assert not ok
    assert message.startswith("2026-11:") and "10 entries were published" in message and "now has 9" in message
    ok, message = check_seal(ws, seal.short, "2026-11")
    assert not ok and message.startswith("2026-11:") and "does not pass through the seal" in message and "copied exactly" in message


def test_late_entries_are_reported_as_late_not_as_damage(ws, clock):
    seal = sealed_now(ws)
    clock.set("2026-12-02T09:00")
    late = record.evaluate(ws, "c003", "2026-11", {"self": "良", "peer": None, "public": "优"}, None)
    status = seal_status(ws, seal.token)
    assert status.ok and status.position == 10
    assert [e.id for e in status.late] == late
    assert "1 late entry(ies)" in status.message and late[0] in status.message and "not damage" in status.message


def test_an_edited_line_before_the_seal_is_damage(ws):
    seal = sealed_now(ws)
    path = ws.ledger_path("2026-11")
    text = path.read_text(encoding="utf-8").replace("赵大爷", "钱大爷")
    path.write_text(text, encoding="utf-8")
    ok, message = check_seal(ws, seal.token, None)
    assert not ok and "damaged before it" in message and "2026-11.yaml:" in message


def test_a_seal_from_a_rewritten_ledger_is_not_found(ws):
    seal = sealed_now(ws)
    path = ws.ledger_path("2026-11")
    path.unlink()
    ok, message = check_seal(ws, seal.token, None)
    assert not ok and message.startswith("2026-11:") and "is gone" in message


def test_the_cli_verify_sealed_exit_status(ws, cli):
    seal = sealed_now(ws)
    r = cli("verify", "--sealed", seal.token, root=ws.root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "holds" in r.stdout
    drop_last_line(ws.ledger_path("2026-11"))
    r = cli("verify", "--sealed", seal.short, "--month", "2026-11", root=ws.root)
    assert r.returncode == 1
    assert "2026-11" in r.stdout and "does not pass through the seal" in r.stdout


@pytest.mark.parametrize("text", ["xyz", "1234", "2026-13:5:abcdef012345", "2026-11:x:abcdef012345", "a:b:c:d"])
def test_a_malformed_seal_is_bad_input(ws, cli, text):
    with pytest.raises(ZouduError):
        seal_status(ws, text)
    r = cli("verify", "--sealed", text, root=ws.root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not a seal" in r.stderr


def test_a_seal_and_a_different_month_disagree(ws):
    seal = sealed_now(ws)
    with pytest.raises(ZouduError, match="--month says 2026-10"):
        seal_status(ws, seal.token, "2026-10")
