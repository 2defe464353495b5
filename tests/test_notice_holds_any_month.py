"""The notice holds any month: printed by headless Chromium, no text is drawn over other text.

The worst month (``tests/support/worst_month.py``: 40 cadres, every one missing whole days, long names,
posts and remarks, leave and trips) and the demo's month are published as HTML, printed to PDF in
Chromium, and every run of text is read back with its box (``tools/notice_pdf.py``, poppler's
``pdftohtml``): no two boxes overlap — a calendar day's marks included — and nothing is written in
the boxes kept for the leader's signature and the township's seal.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import REPO
from tests.support.worst_month import CADRES, make_worst_month
from tests.test_publish import copy_demo
from tests.test_publish_html import assert_a4_landscape
from zoudu.render.notice_page import html_pages

_spec = importlib.util.spec_from_file_location("notice_pdf", REPO / "tools" / "notice_pdf.py")
notice_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notice_pdf)

WORST = "2026-11"
SIGNOFF_ZH = ("主要负责人（签字）：", "乡党委、政府（盖章）：")  # the labels of the two boxes


@pytest.fixture(scope="module")
def worst(tmp_path_factory) -> Path:
    return make_worst_month(tmp_path_factory.mktemp("worst") / "石庄乡", WORST)


def printed(cli, root: Path, month: str, out: Path, lang: str, date: str):
    """(the HTML, the PDF's reader, every text box, the audit's cadres) of the month's notice."""
    html = out / f"notice-{lang}.html"
    r = cli("publish", "--month", month, "-o", str(html), "--date", date, root=root, lang=lang)
    assert r.returncode == 0, r.stderr
    pdf = notice_pdf.print_pdf(html, out / f"notice-{lang}.pdf")
    cadres = json.loads(cli("audit", "--month", month, "--format", "json", root=root).stdout)["cadres"]
    return html.read_text(encoding="utf-8"), PdfReader(str(pdf)), notice_pdf.text_boxes(pdf), cadres


def assert_nothing_drawn_over(boxes) -> None:
    clashes = notice_pdf.overlapping(boxes)
    said = [f"page {a.page}: {a.text!r} at ({a.left:.0f},{a.top:.0f}) over {b.text!r} at ({b.left:.0f},{b.top:.0f})"
            for a, b in clashes[:10]]
    assert not clashes, f"{len(clashes)} runs of text drawn over others:\n" + "\n".join(said)


def assert_signoff_boxes_empty(boxes, labels: tuple[str, str], dates: tuple[str, str], pages: int) -> None:
    """On every page with the sign-off, the space from each box's label down to its date line holds nothing else."""
    found = 0
    for page in range(1, pages + 1):
        on_page = [b for b in boxes if b.page == page]
        for label, date in zip(labels, dates):
            heads = [b for b in on_page if label in "".join(b.text.split())]
            if not heads:
                continue
            head = heads[0]
            below = [b for b in on_page if b.top > head.bottom and date in "".join(b.text.split())
                     and b.right > head.left]
            assert below, (page, label, "no date line in the box")
            foot = min(below, key=lambda b: b.top)
            region = notice_pdf.Box(page, head.left, head.top, max(head.right, foot.right), foot.bottom, label)
            inside = [b for b in on_page if b not in (head, foot) and region.overlaps(b, 0.5)]
            assert not inside, (page, label, [b.text for b in inside])
            found += 1
    assert found >= 2, "the sign-off boxes were not found"


def plain(reader: PdfReader) -> str:
    return "".join(unicodedata.normalize("NFKC", "".join(p.extract_text() or "" for p in reader.pages)).split())


def test_the_worst_month_prints_with_no_text_over_text(cli, worst, tmp_path):
    html, reader, boxes, cadres = printed(cli, worst, WORST, tmp_path, "zh", "2026-12-01")
    assert len(cadres) == CADRES
    assert len(reader.pages) == html_pages_of(worst, WORST) and len(reader.pages) > 8
    assert_a4_landscape(reader)
    assert_nothing_drawn_over(boxes)
    assert_signoff_boxes_empty(boxes, SIGNOFF_ZH, ("年月日", "2026年12月1日"), len(reader.pages))
    text = plain(reader)
    for cadre in cadres:
        assert text.count(unicodedata.normalize("NFKC", cadre["name"])) >= 2, cadre["name"]
    # every cadre missed whole days: the calendar says 缺 with the three slots, side by side, not on top
    whole = re.findall(r'<span class="s">缺</span></div><div class="r"><span class="x">早午晚</span>', html)
    assert len(whole) >= CADRES
    assert "销假" in text and "公出" in text and "阿不都热合曼·买买提" in html


def test_the_worst_month_in_english_too(cli, worst, tmp_path):
    _html, reader, boxes, _cadres = printed(cli, worst, WORST, tmp_path, "en", "2026-12-01")
    assert_a4_landscape(reader)
    assert_nothing_drawn_over(boxes)
    assert_signoff_boxes_empty(boxes, ("Responsibleleader(signature):", "Officialsealofthetownship:"),
                               ("Date:", "2026-12-01"), len(reader.pages))


@pytest.mark.parametrize("month, date", [("2026-10", "2026-11-01"), ("2026-11", "2026-12-01")])
def test_the_demo_months_print_with_no_text_over_text(cli, tmp_path, month, date):
    demo = copy_demo(tmp_path / "demo")
    _html, reader, boxes, cadres = printed(cli, demo, month, tmp_path, "zh", date)
    assert len(reader.pages) == html_pages_of(demo, month)
    assert_nothing_drawn_over(boxes)
    assert_signoff_boxes_empty(boxes, SIGNOFF_ZH, ("年月日", date_zh(date)), len(reader.pages))


def date_zh(date: str) -> str:
    year, month, day = (int(part) for part in date.split("-"))
    return f"{year}年{month}月{day}日"


def html_pages_of(root: Path, month: str) -> int:
    """The pages the renderer plans for the month's rows (the figures' pages are cut by the rows' height)."""
    import datetime as dt

    from zoudu import i18n
    from zoudu.ledger.workspace import Workspace
    from zoudu.publish.notice import notice_sheet

    i18n.set_explicit("zh")
    try:
        sheet = notice_sheet(Workspace(root), month, dt.date.fromisoformat(f"{month}-28") + dt.timedelta(days=10))
        return html_pages(sheet.rows)
    finally:
        i18n.set_explicit("en")
