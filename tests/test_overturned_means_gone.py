"""A slot finding overturned on appeal counts as covered in the week's figures too: no
week finding, no liability and no line of the notice rests on it."""

from __future__ import annotations

import pytest

from tests.support.book import Book, workspace_at
from tests.support.verdicts import audit_json, cadre_of, found, new_id, run, sheet_row, week_of


@pytest.fixture
def ws(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    book = Book(ws)
    book.day("c003", "2026-11-02")
    book.checkin("c003", "2026-11-03T14:30").checkin("c003", "2026-11-03T19:30")  # Tuesday: no morning
    for day in ("2026-11-04", "2026-11-05"):
        book.day("c003", day)
    book.day("c003", "2026-11-06", evening=False)
    book.write()
    return ws


def overturn(cli, ws, *slot):
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03", *slot,
                     "--reason", "停电，考勤机未开"))
    run(cli, ws, "review", aid, "--decision", "overturned", "--by", "c002", "--reason", "核实属实")


def test_an_overturned_missing_morning_gives_the_week_its_day_back(cli, ws):
    before = audit_json(cli, ws)
    assert week_of(before, "c003", "2026-W45")["township_days"] == [5, 4]
    assert "2026-W45" in [v["week"] for v in found(before, "c003", "week.township_days")]
    overturn(cli, ws, "--slot", "morning")
    after = audit_json(cli, ws)
    assert [v["status"] for v in found(after, "c003", "signin.missing", "2026-11-03")] == ["overturned"]
    assert week_of(after, "c003", "2026-W45")["township_days"] == [5, 5]
    assert "2026-W45" not in [v["week"] for v in found(after, "c003", "week.township_days")]
    assert cadre_of(after, "c003")["township_days"] == cadre_of(before, "c003")["township_days"] + 1
    assert cadre_of(after, "c003")["absences"] == cadre_of(before, "c003")["absences"] - 1
    liable = sum(row["subordinates"].get("c003", 0) for row in after["liability"])
    assert liable == sum(row["subordinates"].get("c003", 0) for row in before["liability"]) - 2
    row = sheet_row(cli, ws, "c003")
    assert row["在乡天数"] == str(cadre_of(after, "c003")["township_days"])


def test_an_overturned_night_gives_the_week_its_night_back(cli, ws):
    run(cli, ws, "void", next(e for e in ws_ids(ws) if e[1] == "2026-11-04T19:30:00+08:00")[0], "--reason",
        "录错时间", "--approver", "c001")
    before = audit_json(cli, ws)
    assert week_of(before, "c003", "2026-W45")["nights"] == [4, 3]  # Monday, Tuesday, Thursday
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-04", "--reason", "加班"))
    run(cli, ws, "review", aid, "--decision", "overturned", "--by", "c002", "--reason", "核实")
    after = audit_json(cli, ws)
    assert week_of(after, "c003", "2026-W45")["nights"] == [4, 4]
    assert "2026-W45" not in [v["week"] for v in found(after, "c003", "week.nights")]


def test_an_appeal_upheld_leaves_the_week_short(cli, ws):
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", "2026-11-03",
                     "--slot", "morning", "--reason", "不服"))
    run(cli, ws, "review", aid, "--decision", "upheld", "--by", "c002", "--reason", "维持")
    after = audit_json(cli, ws)
    assert week_of(after, "c003", "2026-W45")["township_days"] == [5, 4]
    assert "2026-W45" in [v["week"] for v in found(after, "c003", "week.township_days")]


def ws_ids(ws):
    """(id, at) of every entry of November's ledger."""
    import json

    lines = (ws.root / "ledgers" / "2026-11.yaml").read_text(encoding="utf-8").splitlines()
    return [(e["id"], e["at"]) for e in (json.loads(line[2:]) for line in lines if line.startswith("- "))]
