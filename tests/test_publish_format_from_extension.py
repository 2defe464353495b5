"""``zoudu publish -o FILE`` without ``--format``: the file's extension says the format; any other is refused."""

from __future__ import annotations

import pytest

from tests.support.book import Book, workspace_at
from tests.support.cli import refused


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("ext") / "w"
    ws = workspace_at(root, "2026-11-10T09:00")
    book = Book(ws)
    for day in ("2026-10-12", "2026-10-13"):
        book.day("c003", day)
    book.write()
    return root


def looks_like(fmt: str, data: bytes) -> bool:
    text = data.decode("utf-8-sig")
    return {
        "html": text.startswith("<!DOCTYPE html>") and "</html>" in text,
        "md": text.startswith("# ") and "\n| " in text and "<" not in text.split("\n", 1)[0],
        "csv": data.startswith(b"\xef\xbb\xbf") and text.splitlines()[0].count(",") > 10,
        # the terminal's table as plain text: box drawing, no colour codes, no markup
        "terminal": "┏" in text or "┌" in text and "\x1b" not in text and "<html" not in text,
    }[fmt]


@pytest.mark.parametrize("name, fmt", [("公示.html", "html"), ("notice.HTM", "html"), ("公示.md", "md"),
                                       ("公示.csv", "csv"), ("公示.txt", "terminal")])
def test_the_extension_names_the_format(cli, root, tmp_path, name, fmt):
    out = tmp_path / name
    r = cli("publish", "--month", "2026-10", "-o", str(out), root=root)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert looks_like(fmt, data), data[:300]
    assert all(not looks_like(other, data) for other in ("html", "md", "csv", "terminal") if other != fmt)


@pytest.mark.parametrize("name", ["公示.pdf", "公示", "公示.html.bak", "notice.docx"])
def test_any_other_extension_without_format_is_refused(cli, root, tmp_path, name):
    out = tmp_path / name
    refused(cli, root, "publish", "--month", "2026-10", "-o", str(out), message="--format")
    assert not out.exists()


def test_format_given_wins_over_the_extension(cli, root, tmp_path):
    out = tmp_path / "公示.pdf"
    r = cli("publish", "--month", "2026-10", "--format", "md", "-o", str(out), root=root)
    assert r.returncode == 0, r.stderr
    assert looks_like("md", out.read_bytes())
    out = tmp_path / "看这里.html"
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(out), root=root)
    assert r.returncode == 0 and looks_like("csv", out.read_bytes())


def test_refused_in_chinese_too(cli, root, tmp_path):
    r = cli("publish", "--month", "2026-10", "-o", str(tmp_path / "公示.pdf"), root=root, lang="zh")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--format" in r.stderr and ".html" in r.stderr and "格式" in r.stderr, r.stderr
