"""The top of the tree: a leadership-team member with no supervisor answers to the party
secretary (the joint liability goes there); only the party secretary has nobody above, and is never
reported as unsupervised."""

from __future__ import annotations

import pytest

from tests.support.book import workspace_at
from tests.support.verdicts import audit_json, found, run
from tests.support.workspace import run_cli


@pytest.fixture
def ws(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    run(run_cli, ws,
        "roster", "add", "c007", "--name", "赵副乡长", "--post", "副乡长", "--team", "--since", "2026-01-01")
    return ws


def test_a_team_member_without_a_supervisor_answers_to_the_party_secretary(cli, ws):
    obj = audit_json(cli, ws)
    assert found(obj, "c007", "signin.missing")  # nothing recorded: commuting errors
    (row,) = [row for row in obj["liability"] if row["supervisor"] == "c001"]
    assert row["subordinates"]["c007"] > 0
    assert "c007" not in obj["unsupervised"] and "c001" not in obj["unsupervised"]
    assert not any("c007" in n for n in obj["notices"])
    table = cli("audit", "--month", "2026-11", root=ws.root, lang="zh").stdout
    assert "赵副乡长" in table


def test_the_party_secretary_answers_to_nobody(cli, ws):
    obj = audit_json(cli, ws)
    assert found(obj, "c001", "signin.missing")
    assert not any("c001" in row["subordinates"] for row in obj["liability"])
    assert "c001" not in obj["unsupervised"] and not any("(c001)" in n for n in obj["notices"])
