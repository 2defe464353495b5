"""The notice's calendar shows what its figures say: a slot whose missing finding was overturned on
appeal is no 缺 any more; the day carries its own mark (撤), explained in the legend
(docs/choices.md#overturned-slots). A slot of the same day still missing stays 缺, with its letter."""

from __future__ import annotations

import re

import pytest

from tests.support.book import Book, workspace_at
from tests.support.verdicts import new_id, run

NAME = "李四"  # c003 in the test township


@pytest.fixture
def ws(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    book = Book(ws)
    book.day("c003", "2026-11-02")
    book.checkin("c003", "2026-11-03T14:30").checkin("c003", "2026-11-03T19:30")  # Tuesday: no morning
    book.checkin("c003", "2026-11-04T08:00").checkin("c003", "2026-11-04T19:30")  # Wednesday: no afternoon
    book.day("c003", "2026-11-05")
    book.write()
    return ws


def overturn(cli, ws, day, slot):
    aid = new_id(run(cli, ws, "appeal", "c003", "--rule", "signin.missing", "--date", day, "--slot", slot,
                     "--reason", "停电，考勤机未开"))
    run(cli, ws, "review", aid, "--decision", "overturned", "--by", "c002", "--reason", "核实属实")


def notice(cli, ws, tmp_path, lang="zh") -> str:
    out = tmp_path / f"notice-{lang}.html"
    run(cli, ws, "publish", "--month", "2026-11", "--format", "html", "--date", "2026-12-01", "-o", str(out),
        lang=lang)
    return out.read_text(encoding="utf-8")


def cell(html: str, day: int) -> tuple[str, str, str]:
    """(class, mark, the slot letters beside it) of ``day`` in c003's calendar card."""
    (card,) = [c for c in html.split('<div class="cal">')[1:] if f">{NAME}</span>" in c.split("</div>", 1)[0]]
    found = re.search(r'<td class="m-(\w+)"><div class="c"><div class="l"><span class="d">%d</span>'
                      r'<span class="s">(.)</span>.*?<div class="r">(.*?)</div></div></td>' % day, card)
    assert found, card
    letters = "".join(re.findall(r'<span class="x[^"]*">([^<]*)</span>', found.group(3)))
    return found.group(1), found.group(2), letters


def legend(html: str) -> str:
    return html.rsplit('<div class="legend">', 1)[1].split("</div>", 1)[0]


def test_an_overturned_missing_slot_is_no_absence_on_the_calendar(cli, ws, tmp_path):
    before = notice(cli, ws, tmp_path)
    assert cell(before, 3) == ("absent", "缺", "早")
    overturn(cli, ws, "2026-11-03", "morning")
    after = notice(cli, ws, tmp_path)
    kind, mark, letters = cell(after, 3)
    assert (kind, mark) == ("overturned", "撤") and letters == "早"
    assert "撤" in legend(after) and "申诉" in legend(after)
    assert "撤" not in legend(before)
    assert cell(after, 4) == ("absent", "缺", "午")  # not appealed: still missing


def test_a_day_with_one_slot_overturned_and_one_missing_stays_absent_for_the_other(cli, ws, tmp_path):
    run(cli, ws, "void", void_target(ws, "2026-11-03T14:30:00+08:00"), "--reason", "录错", "--approver", "c001")
    overturn(cli, ws, "2026-11-03", "morning")
    assert cell(notice(cli, ws, tmp_path), 3) == ("absent", "缺", "午")


def test_the_english_notice_marks_it_too(cli, ws, tmp_path):
    overturn(cli, ws, "2026-11-03", "morning")
    html = notice(cli, ws, tmp_path, lang="en")
    assert cell(html, 3)[:2] == ("overturned", "O")
    assert "overturned on appeal" in legend(html)


def void_target(ws, at: str) -> str:
    import json

    lines = (ws.root / "ledgers" / "2026-11.yaml").read_text(encoding="utf-8").splitlines()
    return next(e["id"] for e in (json.loads(line[2:]) for line in lines if line.startswith("- "))
                if e["at"] == at and e.get("cadre") == "c003")
