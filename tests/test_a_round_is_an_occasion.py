"""Spot checks recorded on the same day count as one round toward ``inspection.too_few``."""

from __future__ import annotations

import pytest

from tests.support.book import workspace_at
from tests.support.verdicts import audit_json, found, run


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def test_two_checks_a_minute_apart_are_one_round(cli, ws):
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T10:00", "--present", "c003")
    run(cli, ws, "inspect", "--by", "c001", "--at", "2026-11-03T10:01", "--present", "c004")
    (v,) = found(audit_json(cli, ws), rule="inspection.too_few")
    assert (v["required"], v["actual"]) == (2, 1)


def test_checks_on_two_days_are_two_rounds(cli, ws):
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-03T10:00", "--present", "c003")
    run(cli, ws, "inspect", "--by", "c002", "--at", "2026-11-19T21:00", "--present", "c003")
    assert not found(audit_json(cli, ws), rule="inspection.too_few")
