"""Print a published notice with headless Chromium: a PDF as the printer makes it, and a screenshot.

    python tools/notice_pdf.py --month 2026-10 [--root .] [--out docs/screenshots]

writes ``notice-2026-10.html``, ``.pdf`` and ``.png`` (every page, as a person sees
them on screen) into ``--out`` (default ``docs/screenshots/``, which git ignores).
Needs Debian's ``chromium`` and a Chinese font (``fonts-noto-cjk``); ``tools/test.sh``
installs both. ``--check`` also reads every piece of text's box back from the PDF
(``pdftohtml -xml`` from poppler-utils) and lists text drawn over other text, exit 1
when there is any. The browser tests use the same functions.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars")
PAGE_PX = (1160, 770)  # one A4 landscape page of the screen layout, with its margin, at 96 dpi


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("headless Chromium is needed: apt-get install chromium fonts-noto-cjk")


def _run(args: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="zoudu-chromium-") as profile:
        cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
        done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=180)
        if done.returncode != 0:
            raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")


def print_pdf(html: Path, pdf: Path) -> Path:
    """What the printer gets: the page's own @page size and margins, no browser header or footer."""
    _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri()])
    if not pdf.is_file():
        raise RuntimeError(f"chromium wrote no PDF: {pdf}")
    return pdf


def screenshot(html: Path, png: Path, pages: int) -> Path:
    width, height = PAGE_PX
    _run([f"--window-size={width},{height * pages + 40}", f"--screenshot={png}", html.resolve().as_uri()])
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot: {png}")
    return png


class Box(NamedTuple):
    """A run of text as drawn on a page, in points from the top left.

    Its width is the run's advance; its height is the middle 0.84 of the font's size (an em) around
    the middle of the box ``pdftohtml`` gives, which also counts the font's line gap (1.33 em for
    the Latin letters of WenQuanYi): a glyph's ink stays inside it, two lines set one em apart do
    not touch, and a character drawn on another overlaps it.
    """

    page: int
    left: float
    top: float
    right: float
    bottom: float
    text: str

    def overlaps(self, other: "Box", tolerance: float) -> bool:
        return (self.page == other.page
                and min(self.right, other.right) - max(self.left, other.left) > tolerance
                and min(self.bottom, other.bottom) - max(self.top, other.top) > tolerance)


ZOOM = 4  # pdftohtml rounds to whole units: at 4x, a quarter point
INK = 0.84  # of an em, see Box


def text_boxes(pdf: Path) -> list[Box]:
    """Every run of text the PDF draws, with its box (``pdftohtml -xml``, poppler-utils)."""
    tool = shutil.which("pdftohtml")
    if tool is None:
        raise SystemExit("pdftohtml is needed: apt-get install poppler-utils")
    done = subprocess.run([tool, "-xml", "-i", "-q", "-nodrm", "-zoom", str(ZOOM), "-stdout", str(pdf)],
                          capture_output=True, timeout=180, check=True)
    boxes = []
    sizes: dict[str, float] = {}
    for page in ET.fromstring(done.stdout).iter("page"):
        number = int(page.get("number"))
        for spec in page.iter("fontspec"):
            sizes[spec.get("id")] = float(spec.get("size")) / ZOOM
        for node in page.iter("text"):
            text = "".join(node.itertext())
            if not text.strip():
                continue
            left, top, width, height = (float(node.get(k)) / ZOOM for k in ("left", "top", "width", "height"))
            middle, half = top + height / 2, min(height, sizes.get(node.get("font"), height)) * INK / 2
            boxes.append(Box(number, left, middle - half, left + width, middle + half, text))
    return boxes


def overlapping(boxes: list[Box], tolerance: float = 0.5) -> list[tuple[Box, Box]]:
    """Pairs of text runs drawn over each other (by more than ``tolerance`` points both ways)."""
    found = []
    by_page: dict[int, list[Box]] = {}
    for box in boxes:
        by_page.setdefault(box.page, []).append(box)
    for page in by_page.values():
        page.sort(key=lambda b: b.left)
        for i, box in enumerate(page):
            for other in page[i + 1:]:
                if other.left - box.right >= 0:
                    break
                if box.overlaps(other, tolerance):
                    found.append((box, other))
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", required=True)
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--date", default=None, help="date of publication printed on the sheet")
    parser.add_argument("--check", action="store_true", help="list text drawn over other text (exit 1 if any)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    html = out / f"notice-{args.month}.html"
    cmd = [sys.executable, "-m", "zoudu", "--root", args.root, "--lang", args.lang, "publish",
           "--month", args.month, "--format", "html", "-o", str(html)]
    if args.date:
        cmd += ["--date", args.date]
    subprocess.run(cmd, check=True)
    pdf = print_pdf(html, out / f"notice-{args.month}.pdf")
    from pypdf import PdfReader

    pages = len(PdfReader(str(pdf)).pages)
    png = screenshot(html, out / f"notice-{args.month}.png", pages)
    print(f"{html}\n{pdf} ({pages} pages)\n{png}")
    if args.check:
        clashes = overlapping(text_boxes(pdf))
        for a, b in clashes:
            print(f"page {a.page}: {a.text!r} ({a.left:.1f},{a.top:.1f}) over {b.text!r} ({b.left:.1f},{b.top:.1f})")
        return 1 if clashes else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
