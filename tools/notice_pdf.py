"""Print a published notice with headless Chromium: a PDF as the printer makes it, and a screenshot.

    python tools/notice_pdf.py --month 2026-10 [--root .] [--out docs/screenshots]

writes ``notice-2026-10.html``, ``.pdf`` and ``.png`` (every page, as a person sees
them on screen) into ``--out`` (default ``docs/screenshots/``, which git ignores).
Needs Debian's ``chromium`` and a Chinese font (``fonts-noto-cjk``); ``tools/test.sh``
installs both. The browser tests use the same functions.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", required=True)
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--date", default=None, help="date of publication printed on the sheet")
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
