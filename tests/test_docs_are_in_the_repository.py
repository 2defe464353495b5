"""The documents the project cites are in the repository: code comments cite docs/ (a page and a section
that exist), never a specification kept elsewhere nor issue numbers; README and docs/ do not either, and
every link between them resolves."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO

DOCS = REPO / "docs"
OUTSIDE = "SP" + "EC"  # spelled apart so that this file does not cite it
CITES_OUTSIDE = re.compile(rf"\b{OUTSIDE}\b|§")
ISSUE_NUMBER = re.compile(r"\bissues?[\s-]*#?\d+", re.IGNORECASE)
CITED = re.compile(r"\bdocs/([\w.-]+\.md)(?:#([\w-]+))?")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _sources(*folders: str, suffixes=(".py", ".po")) -> list[Path]:
    found = []
    for folder in folders:
        found += [p for p in sorted((REPO / folder).rglob("*")) if p.suffix in suffixes and p.is_file()
                  and ".venv" not in p.parts and "__pycache__" not in p.parts]
    return found


def _pages() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets (GitHub's rule: lower case, punctuation dropped, spaces to '-')."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found, fenced = set(), False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6} (.+)", line)):
            found.add(slug(m.group(1)))
    return found


def test_code_comments_cite_no_document_outside_the_repository():
    for path in _sources("zoudu", "tools", "tests", "bench") + sorted((REPO / "po").rglob("*.po")):
        if path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not CITES_OUTSIDE.search(line), f"{path.relative_to(REPO)}:{number}: {line.strip()}"


def test_code_cites_no_issue_numbers():
    for path in _sources("zoudu"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not ISSUE_NUMBER.search(line), f"{path.relative_to(REPO)}:{number}: {line.strip()}"


def test_readme_and_docs_cite_no_outside_document_nor_issue_numbers():
    for page in _pages():
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{page.relative_to(REPO)}:{number}: {line.strip()}"
            assert not CITES_OUTSIDE.search(line), where
            assert not ISSUE_NUMBER.search(line), where


def test_every_page_and_section_a_comment_cites_exists():
    cited = 0
    for path in _sources("zoudu", "tools", "tests", "bench") + sorted((REPO / "po").rglob("*.po")) + _pages():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in CITED.finditer(line):
                page, anchor = DOCS / m.group(1), m.group(2)
                where = f"{path.relative_to(REPO)}:{number}: docs/{m.group(1)}{'#' + anchor if anchor else ''}"
                assert page.is_file(), where
                assert anchor is None or anchor in anchors(page), where
                cited += 1
    assert cited > 40  # the code does cite its documents


def test_every_link_between_readme_and_docs_resolves():
    for page in _pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file, _, anchor = target.partition("#")
            resolved = (page.parent / file).resolve() if file else page
            assert resolved.is_file(), f"{page.relative_to(REPO)}: {target}"
            if anchor:
                assert anchor in anchors(resolved), f"{page.relative_to(REPO)}: {target}"


def test_the_readme_leads_to_every_page_of_docs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pages = sorted(DOCS.glob("*.md"))
    assert {p.name for p in pages} >= {"guide.md", "ledger-format.md", "audit-rules.md", "trust-model.md",
                                        "architecture.md", "choices.md"}
    for page in pages:
        assert f"](docs/{page.name})" in readme, page.name


def test_the_slug_is_the_one_markdown_gives():
    assert slug("The 543 week") == "the-543-week"
    assert slug("Typing times, names and rules") == "typing-times-names-and-rules"
    assert slug("The archive (dossier)") == "the-archive-dossier"
    assert slug("快速上手（党政办用）") == "快速上手党政办用"
