"""The HTML notice in a real browser: headless Chromium prints it; the PDF is A4 landscape with every name."""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import REPO, make_workspace
from tests.test_publish import busy_month, copy_demo
from zoudu.ledger.workspace import Workspace
from zoudu.publish.notice import notice_sheet
from zoudu.render.notice_page import html_pages

A4_LANDSCAPE = (842, 595)  # points
DEMO_MONTH = "2026-10"  # the demo's complete month

_spec = importlib.util.spec_from_file_location("notice_pdf", REPO / "tools" / "notice_pdf.py")
notice_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notice_pdf)


def pdf_text(reader: PdfReader) -> str:
    # Fonts map some glyphs back to compatibility characters (石 -> the Kangxi radical ⽯);
    # NFKC folds them to what a reader sees.
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return "".join(unicodedata.normalize("NFKC", text).split())


def assert_a4_landscape(reader: PdfReader) -> None:
    for number, page in enumerate(reader.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_LANDSCAPE[0]) <= 2 and abs(height - A4_LANDSCAPE[1]) <= 2, (number, width, height)


@pytest.fixture
def demo(tmp_path) -> Path:
    return copy_demo(tmp_path / "demo")


def test_the_demo_month_prints_on_a4_landscape_with_every_name(demo, cli, tmp_path):
    html = tmp_path / "notice.html"
    r = cli("publish", "--month", DEMO_MONTH, "--format", "html", "-o", str(html), root=demo, lang="zh")
    assert r.returncode == 0, r.stderr
    audited = json.loads(cli("audit", "--month", DEMO_MONTH, "--format", "json", root=demo).stdout)
    cadres = audited["cadres"]
    assert len(cadres) >= 10

    pdf = notice_pdf.print_pdf(html, tmp_path / "notice.pdf")
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == html_pages(notice_sheet(Workspace(demo), DEMO_MONTH).rows)
    assert_a4_landscape(reader)
    text = pdf_text(reader)
    for cadre in cadres:
        # Twice: once in the table of figures, once over the calendar grid.
        assert text.count(cadre["name"]) >= 2, cadre["name"]
    assert "石庄乡干部2026年10月出勤情况公示" in text
    assert "群众监督电话" in text and "0794-" in text
    page = html.read_text(encoding="utf-8")
    seal = re.search(rf"{DEMO_MONTH}:\d+:[0-9a-f]+", page).group(0)  # the seal code, printed
    assert seal in text
    assert "zoudu " not in page, "the public sheet carries the seal code, no shell command"
    assert "盖章" in text and "签字" in text, "room for the leader's signature and the official seal"

    # A screenshot for a person to look at (docs/screenshots/ is ignored by git).
    shots = REPO / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    png = notice_pdf.screenshot(html, shots / f"notice-{DEMO_MONTH}.png", len(reader.pages))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000


def test_an_english_sheet_prints_too(tmp_path, clock, cli):
    ws = make_workspace(tmp_path / "w", clock)
    busy_month(ws, clock)
    html = tmp_path / "notice.html"
    r = cli("publish", "--month", "2026-10", "--format", "html", "-o", str(html), root=ws.root, lang="en")
    assert r.returncode == 0, r.stderr
    reader = PdfReader(str(notice_pdf.print_pdf(html, tmp_path / "notice.pdf")))
    assert len(reader.pages) == html_pages(notice_sheet(Workspace(ws.root), "2026-10").rows) == 2
    assert_a4_landscape(reader)
    text = pdf_text(reader)
    for name in ("刘书记", "纪委书记", "李四", "王五", "张伟"):
        assert name in text
    assert "cadreattendancenotice" in text and "Supervisionphone" in text
