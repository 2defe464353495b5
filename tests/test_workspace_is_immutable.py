"""A Workspace is a value: nothing in it can be assigned, and a sealed month's audit receives its own
view (the rules and roster the month was sealed with) while the workspace it was given stays as it
was (docs/choices.md#sealed-months)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.support.cli import keyed_township
from zoudu.audit import audit_month
from zoudu.audit.sealed import sealed_view
from zoudu.ledger.record_roster import roster_set
from zoudu.ledger.workspace import Workspace

TZ = dt.timezone(dt.timedelta(hours=8))
LATER = dt.datetime(2026, 12, 20, 9, 0, tzinfo=TZ)


@pytest.fixture
def root(tmp_path, cli) -> Path:
    return keyed_township(cli, tmp_path / "w", {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")},
                          ("2026-11-03 08:00", "2026-11-03 14:30", "2026-11-03 19:30"))


@pytest.mark.parametrize("name", ["root", "clock", "settings", "roster", "anything"])
def test_assigning_to_a_workspace_raises(root, name):
    ws = Workspace(root)
    with pytest.raises(AttributeError):
        setattr(ws, name, None)
    with pytest.raises(AttributeError):
        delattr(ws, name)
    assert not hasattr(ws, "__dict__")  # nothing to write into behind its back
    assert ws.root == root and ws.settings.township == "石庄乡"


def test_a_view_with_other_rules_is_another_workspace(root):
    ws = Workspace(root)
    stricter = ws.replace(settings=ws.settings._replace(backfill_grace_minutes=1))
    assert stricter is not ws and stricter.root == ws.root
    assert stricter.settings.backfill_grace_minutes == 1
    assert ws.settings.backfill_grace_minutes != 1
    assert stricter.roster == ws.roster  # what was not given: as the workspace sees it


def test_the_roster_a_workspace_sees_follows_its_log(root):
    ws = Workspace(root, clock=lambda: LATER)
    assert ws.roster.get("c003").village == "石庄村"
    roster_set(ws, "c003", "2026-12-01", village="")
    assert ws.roster.on(dt.date(2026, 12, 2)).get("c003").village is None  # read again: the log grew


def test_a_sealed_months_audit_uses_the_sealed_rules_and_roster(root, cli):
    key = {"ZOUDU_KEY": str(root.parent / "secret" / "township.key")}
    assert cli("seal", "--month", "2026-11", root=root, env=key).returncode == 0
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("backfill_grace_minutes: 30",
                                                               "backfill_grace_minutes: 600"), encoding="utf-8")
    ws = Workspace(root, clock=lambda: LATER)
    roster_set(ws, "c003", "2026-12-01", post="新职务")  # after the seal: the sealed roster is shorter
    view = sealed_view(ws, "2026-11")
    assert view is not None and view.ws is not ws
    assert view.ws.settings.backfill_grace_minutes == 30 and ws.settings.backfill_grace_minutes == 600
    assert len(view.ws.roster.changes) == len(ws.roster.changes) - 1

    result = audit_month(ws, "2026-11")
    assert result.rules == view.rules and result.rules.startswith("ledgers/rules/")
    assert ws.settings.backfill_grace_minutes == 600  # the workspace given to the audit is left as it was
    assert len(ws.roster.changes) == len(view.ws.roster.changes) + 1
    october = audit_month(ws, "2026-10")  # not sealed: the rules as they stand
    assert october.rules == "rules.yaml"
