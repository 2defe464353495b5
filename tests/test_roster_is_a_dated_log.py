"""The roster as a dated, append-only, hash-chained log (docs/ledger-format.md#the-roster-is-a-log), through the real
command line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from zoudu.ledger.workspace import Workspace
from tests.support.cli import township_by_cli


@pytest.fixture
def root(tmp_path, cli) -> Path:
    return township_by_cli(cli, tmp_path / "w", (
        ("c001", "--name", "书记", "--team"),
        ("c002", "--name", "乡长", "--team", "--supervisor", "c001"),
        ("c003", "--name", "干部", "--supervisor", "c001", "--village", "石庄村"),
    ))


def log(root: Path) -> list[dict]:
    lines = (root / "ledgers" / "roster.yaml").read_text(encoding="utf-8").splitlines()
    return [json.loads(line[2:]) for line in lines if line.startswith("- ")]


def test_roster_set_takes_effect_from_its_date_only(cli, root):
    r = cli("roster", "set", "c003", "--supervisor", "c002", "--village", "富溪村", "--from", "2026-11-16", root=root)
    assert r.returncode == 0, r.stderr
    change = log(root)[-1]
    assert (change["kind"], change["op"], change["cadre"], change["from"], change["supervisor"],
            change["village"]) == ("roster", "set", "c003", "2026-11-16", "c002", "富溪村")
    assert change["recorded"] and change["by"] and change["id"] == "roster-0004"
    before = cli("roster", "list", "--on", "2026-11-15", root=root).stdout
    after = cli("roster", "list", "--on", "2026-11-16", root=root).stdout
    row = lambda out: next(line for line in out.splitlines() if "c003" in line)  # noqa: E731
    assert "c001 书记" in row(before) and "石庄村" in row(before)
    assert "c002 乡长" in row(after) and "富溪村" in row(after)
    ws = Workspace(root)
    assert ws.roster.on(dt.date(2026, 11, 15)).get("c003").supervisor == "c001"
    assert ws.roster.on(dt.date(2026, 11, 16)).get("c003").supervisor == "c002"
    assert ws.roster.get("c003").supervisor == "c002"  # the roster as it stands now


def test_team_badge_and_post_are_changed_and_listed_by_day(cli, root):
    assert cli("roster", "set", "c003", "--team", "--post", "副乡长", "--badge", "0042", "--from", "2026-12-01",
               root=root).returncode == 0
    ws = Workspace(root)
    then, now = ws.roster.on(dt.date(2026, 11, 30)).get("c003"), ws.roster.on(dt.date(2026, 12, 1)).get("c003")
    assert (then.team, then.post, then.badge) == (False, "", None)
    assert (now.team, now.post, now.badge) == (True, "副乡长", "0042")
    # someone who joins later is not on an earlier day's roster
    assert cli("roster", "add", "c009", "--name", "新人", "--since", "2026-12-10", root=root).returncode == 0
    assert "c009" not in cli("roster", "list", "--on", "2026-12-01", root=root).stdout
    assert "c009" in cli("roster", "list", "--on", "2026-12-10", root=root).stdout


def test_impossible_roster_changes_are_refused(cli, root):
    for args, message in (
        (("roster", "set", "c001", "--supervisor", "c003", "--from", "2026-11-01"), "not on the leadership team"),
        (("roster", "set", "c003", "--from", "2026-11-01"), "say what changes"),
        (("roster", "set", "c003", "--village", "x", "--from", "2025-06-01"), "cannot change before"),
        (("roster", "set", "c001", "--no-team", "--from", "2026-11-01"), "still supervises"),
        (("roster", "set", "nobody", "--post", "x", "--from", "2026-11-01"), "unknown cadre"),
    ):
        before = (root / "ledgers" / "roster.yaml").read_bytes()
        r = cli(*args, root=root)
        assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert (root / "ledgers" / "roster.yaml").read_bytes() == before


def test_a_hand_edited_roster_line_is_named_by_verify(cli, root):
    path = root / "ledgers" / "roster.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"supervisor": "c001", "team": false', '"supervisor": "c002", "team": false', 1),
                    encoding="utf-8")
    r = cli("verify", root=root)
    assert r.returncode == 1 and "ledgers/roster.yaml:4" in r.stdout and "hash chain broken" in r.stdout


def test_a_roster_line_recorded_before_the_one_above_it_is_found(cli, root):
    """A line written by hand with an earlier recorded time (the chain recomputed, as anyone could)."""
    from zoudu.ledger.lines import chain_hash, encode_line

    entries = log(root)
    forged = dict(entries[-1], id="roster-0004", op="leave", recorded="2020-01-01T00:00:00+08:00")
    for key in ("name", "post", "team", "supervisor", "village"):
        forged.pop(key)
    forged["hash"] = chain_hash(entries[-1]["hash"], forged)
    with open(root / "ledgers" / "roster.yaml", "a", encoding="utf-8") as fh:
        fh.write(encode_line(forged))
    r = cli("verify", root=root)
    assert r.returncode == 1 and "ledgers/roster.yaml:5" in r.stdout and "clock" in r.stdout


OLD = """# zoudu roster (花名册): one cadre per line. Change it with 'zoudu roster add/leave'.
- {"id": "c001", "name": "书记", "post": "党委书记", "team": true, "supervisor": null, "village": null, "since": "2026-01-01", "until": null}
- {"id": "c002", "name": "干部", "post": "", "team": false, "supervisor": "c001", "village": "石庄村", "since": null, "until": "2026-10-31"}
"""


def test_the_old_roster_format_is_migrated_once(cli, tmp_path):
    root = tmp_path / "old"
    assert cli("init", str(root)).returncode == 0
    (root / "ledgers" / "roster.yaml").write_text(OLD, encoding="utf-8")
    # read, but neither changed nor trusted until migrated
    assert cli("roster", "list", root=root).returncode == 0
    r = cli("roster", "add", "c003", "--name", "新人", root=root)
    assert r.returncode == 2 and "zoudu roster migrate" in r.stderr
    r = cli("verify", root=root)
    assert r.returncode == 1 and "zoudu roster migrate" in r.stdout

    r = cli("roster", "migrate", root=root)
    assert r.returncode == 0, r.stderr
    assert "2" in r.stdout and "roster.pre-migration.yaml" in r.stdout
    assert (root / "ledgers" / "roster.pre-migration.yaml").read_text(encoding="utf-8") == OLD
    changes = log(root)
    assert [(c["op"], c["cadre"], c["from"]) for c in changes] == [
        ("add", "c001", "2026-01-01"), ("add", "c002", "2000-01-01"), ("leave", "c002", "2026-10-31")]
    ws = Workspace(root)
    assert ws.roster.get("c002").until == dt.date(2026, 10, 31)
    assert ws.roster.get("c001").post == "党委书记"
    assert cli("verify", root=root).returncode == 0

    before = (root / "ledgers" / "roster.yaml").read_bytes()
    r = cli("roster", "migrate", root=root)
    assert r.returncode == 2 and "migrated before" in r.stderr
    assert (root / "ledgers" / "roster.yaml").read_bytes() == before


def test_the_demo_roster_is_the_log_and_verifies(tmp_path, cli):
    target = tmp_path / "demo"
    target.mkdir()
    shutil.copy(REPO / "rules.yaml", target / "rules.yaml")
    shutil.copytree(REPO / "ledgers", target / "ledgers", ignore=shutil.ignore_patterns(".lock"))
    assert all(c["kind"] == "roster" for c in log(target))
    assert cli("verify", root=target).returncode == 0
    r = cli("roster", "migrate", root=target)
    assert r.returncode == 2
