"""A cadre in their own village all Friday misses the study session (study.missed) and
nothing else: the week keeps its township day."""

from __future__ import annotations

import pytest

from tests.support.book import Book, workspace_at
from tests.support.verdicts import audit_json, cadre_of, found, sheet_row, week_of


@pytest.fixture
def ws(tmp_path):
    return workspace_at(tmp_path / "w", "2026-12-01T09:00")


def test_a_friday_in_the_village_costs_the_study_only(cli, ws):
    book = Book(ws)
    for day in ("2026-11-02", "2026-11-03", "2026-11-04"):
        book.village_day("c003", day, "石庄村")
    book.day("c003", "2026-11-05")
    book.village("c003", "2026-11-06T10:00", "石庄村")  # Friday: all day in the village, no study
    book.write()
    obj = audit_json(cli, ws)
    assert found(obj, "c003", "study.missed", "2026-11-06")
    assert "2026-W45" not in [v["week"] for v in found(obj, "c003", "week.township_days")]
    assert not found(obj, "c003", "signin.missing", "2026-11-06")
    assert week_of(obj, "c003", "2026-W45")["township_days"] == [5, 5]
    assert len(found(obj, "c003", "week.township_days")) == 3  # W46-W48, with nothing recorded
    remark = sheet_row(cli, ws, "c003")["备注"]
    assert "学习" in remark and "在乡天数不足3周" in remark


def test_a_friday_morning_missed_still_costs_the_day(cli, ws):
    book = Book(ws)
    for day in ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"):
        book.day("c003", day)
    book.write()  # Friday: nothing at all
    obj = audit_json(cli, ws)
    assert [v["slot"] for v in found(obj, "c003", "signin.missing", "2026-11-06")] == ["morning"]
    assert week_of(obj, "c003", "2026-W45")["township_days"] == [5, 4]
    assert cadre_of(obj, "c003")["errors"] >= 3  # the morning, the study, the week
