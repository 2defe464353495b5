"""zoudu publish and dossier against hostile input: where -o may write, what a name can do, which dates hold."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import html
import io
import os
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from tests.conftest import REPO, make_workspace
from tests.test_publish import PUBLISHED, _md_cells
from zoudu.cli import publish as commands_publish
from zoudu.ledger import record
from zoudu.ledger import record_roster
from zoudu.publish.dossier import dossier
from zoudu.render.dossier import render_dossier
from zoudu.errors import ZouduError
from zoudu.publish.notice import notice_sheet
from zoudu.render.notice import csv_bytes, markdown, terminal
from zoudu.render.notice_html import html_page
from zoudu.ledger.workspace import Workspace


@pytest.fixture
def ws(tmp_path, clock):
    ws = make_workspace(tmp_path / "w", clock)
    clock.set("2026-10-12T08:00")
    record.checkin(ws, ["c003", "c004"], "2026-10-12T08:00", None, None, None, None)
    clock.set("2026-11-10T09:00")
    return ws


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the workspace, with its bytes (the lock file aside: opening the workspace makes it)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}


# ----------------------------------------------------------------------------- -o never hits the workspace


@pytest.mark.parametrize("where", [
    "ledgers/2026-10.yaml", "rules.yaml", "ledgers/roster.yaml", "ledgers/notice.html", "ledgers",
    "ledgers/../rules.yaml", "ledgers/./2026-10.yaml",
])
def test_output_over_the_workspaces_own_files_is_refused(ws, cli, where):
    before = snapshot(ws.root)
    r = cli("publish", "--month", "2026-10", "--format", "html", "-o", str(ws.root) + "/" + where, root=ws.root)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1, r.stderr
    assert "refusing to write the notice over the workspace's own files" in r.stderr
    assert snapshot(ws.root) == before


def test_output_given_relative_to_the_current_folder_is_refused_too(ws):
    before = snapshot(ws.root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    env.update(ZOUDU_LANG="en", PYTHONPATH=str(REPO))
    for where in ("ledgers/2026-10.yaml", "rules.yaml", "./ledgers/../ledgers/roster.yaml"):
        r = subprocess.run([sys.executable, "-m", "zoudu", "--root", ".", "publish", "--month", "2026-10",
                            "--format", "md", "-o", where], cwd=ws.root, env=env, capture_output=True, text=True, encoding="utf-8",
                           timeout=120)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "own files" in r.stderr, r.stderr
    assert snapshot(ws.root) == before


def test_a_symlink_into_the_workspace_is_followed_and_refused(ws, cli, tmp_path):
    before = snapshot(ws.root)
    (tmp_path / "to-ledger.md").symlink_to(ws.ledger_path("2026-10"))
    (tmp_path / "to-rules.md").symlink_to(ws.root / "rules.yaml")
    (tmp_path / "boards").symlink_to(ws.ledgers, target_is_directory=True)
    for where in ("to-ledger.md", "to-rules.md", "boards/notice.md"):
        r = cli("publish", "--month", "2026-10", "--format", "md", "-o", str(tmp_path / where), root=ws.root)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "own files" in r.stderr, (where, r.stderr)
    assert snapshot(ws.root) == before
    assert (tmp_path / "to-ledger.md").is_symlink()


def test_a_symlink_leading_out_of_its_folder_is_refused(ws, cli, tmp_path):
    board = tmp_path / "board"
    board.mkdir()
    (board / "notice.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "latest.md").symlink_to(board / "notice.md")
    r = cli("publish", "--month", "2026-10", "--format", "md", "-o", str(tmp_path / "latest.md"), root=ws.root)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1, r.stderr
    assert "symbolic link that leads out of its folder" in r.stderr
    assert (tmp_path / "latest.md").is_symlink() and (board / "notice.md").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in board.iterdir()) == ["notice.md"]


def test_a_symlink_within_its_folder_is_written_through(ws, cli, tmp_path):
    (tmp_path / "notice-2026-10.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "latest.md").symlink_to("notice-2026-10.md")
    r = cli("publish", "--month", "2026-10", "--format", "md", "-o", str(tmp_path / "latest.md"), root=ws.root)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "latest.md").is_symlink()
    assert (tmp_path / "notice-2026-10.md").read_text(encoding="utf-8").startswith("# ")


def test_a_fifo_is_never_replaced_by_a_notice(ws, cli, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(fifo), root=ws.root)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1, r.stderr
    assert "not a regular file" in r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_character_device_is_never_replaced_by_a_notice(ws, cli, tmp_path):
    r = cli("publish", "--month", "2026-10", "--format", "md", "-o", "/dev/null", root=ws.root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not a regular file" in r.stderr, r.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_notice_beside_the_ledgers_is_fine(ws, cli):
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(ws.root / "notice.csv"), root=ws.root)
    assert r.returncode == 0, r.stderr
    assert (ws.root / "notice.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "notice.html"
    target.write_text("the notice of last month\n", encoding="utf-8")
    target.chmod(0o644)

    def full_disk(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ZouduError, match="cannot write the file: No space left on device"):
        commands_publish._write(b"<html>" + b"x" * 100_000, str(target))
    assert target.read_text(encoding="utf-8") == "the notice of last month\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notice.html"]

    monkeypatch.undo()
    commands_publish._write(b"new", str(target))
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["notice.html"]


def test_writing_over_a_folder_is_one_line_and_leaves_nothing(ws, cli, tmp_path):
    (tmp_path / "out").mkdir()
    r = cli("publish", "--month", "2026-10", "--format", "md", "-o", str(tmp_path / "out"), root=ws.root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "cannot write the file" in r.stderr
    assert list((tmp_path / "out").iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["out", "w"]


# ----------------------------------------------------------------------------- the publication date


@pytest.mark.parametrize("day", ["2026-09-01", "2026-10-01", "2026-10-30"])
def test_a_publication_date_before_the_months_end_is_refused(ws, cli, tmp_path, day):
    target = tmp_path / "n.html"
    r = cli("publish", "--month", "2026-10", "--format", "html", "--date", day, "-o", str(target), root=ws.root)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1, r.stderr
    assert f"the publication date {day} is before the end of 2026-10" in r.stderr and "2026-10-31" in r.stderr
    assert not target.exists()
    with pytest.raises(ZouduError, match="before the end of 2026-10"):
        notice_sheet(ws, "2026-10", dt.date.fromisoformat(day))


def test_the_months_last_day_and_later_are_fine(ws, cli):
    for day in ("2026-10-31", "2026-11-01", "2026-11-20"):
        r = cli("publish", "--month", "2026-10", "--format", "md", "--date", day, root=ws.root)
        assert r.returncode == 0, r.stderr
    assert notice_sheet(ws, "2026-10", dt.date(2026, 10, 31)).published == dt.date(2026, 10, 31)


def test_the_refusal_is_in_chinese_too(ws, cli):
    r = cli("publish", "--month", "2026-10", "--date", "2026-09-01", root=ws.root, lang="zh")
    assert r.returncode == 2 and "公示日期" in r.stderr and r.stderr.count("\n") == 1


# ----------------------------------------------------------------------------- hostile text in every format

HOSTILE = {
    "c007": ("<script>alert(1)</script>", "<b onmouseover=alert(1)>x</b>"),
    "c008": ("# 标题", "`rm -rf /` | 第二列\n| c009 | 伪造 |"),
    "c009": ("[点我](javascript:alert(1))", "1. 列表 *强调* _斜体_ ~~删~~ &amp; \\"),
    "c010": ("- 列表项", "> 引用 ![图](http://x/y.png)"),
}


@pytest.fixture
def hostile(tmp_path, clock):
    ws = make_workspace(tmp_path / "h", clock)
    clock.set("2026-10-12T08:00")
    for cadre_id, (name, post) in HOSTILE.items():
        record_roster.roster_add(ws, cadre_id, name, post, False, "c001", None, "2026-10-01")
    record.checkin(ws, list(HOSTILE), "2026-10-12T08:00", None, None, None, None)
    clock.set("2026-11-10T09:00")
    return ws


class Cells(HTMLParser):
    """The text of every table cell, row by row, and every tag that the Markdown turned into HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.tags: set[str] = set()
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_markdown_shows_hostile_names_as_text_and_parses_back(hostile):
    sheet = notice_sheet(hostile, "2026-10", PUBLISHED)
    text = markdown(sheet)
    assert "<script" not in text and "<b " not in text and "\n| c009 | 伪造 |" not in text
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered and "<b " not in rendered
    parsed = Cells()
    parsed.feed(rendered)
    # Only what the sheet itself makes: a heading, paragraphs, the table, the footer list.
    assert parsed.tags <= {"h1", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li"}, parsed.tags
    header, *body = parsed.rows
    assert len(body) == len(sheet.rows)
    for cells, row in zip(body, sheet.rows):
        got = dict(zip(header, cells))
        assert got["Id"] == row.cadre
        assert got["Name"] == row.name and got["Post"] == " ".join(row.post.splitlines())
        assert int(got["Sign-ins made"]) == row.signins_made
    # The simple reader the round-trip test uses agrees with a real Markdown parser.
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert [_md_cells(line) for line in lines[2:]] == body


def test_html_shows_hostile_names_as_text(hostile):
    page = html_page(notice_sheet(hostile, "2026-10", PUBLISHED))
    assert "<script" not in page and "<b " not in page
    assert html.escape("<script>alert(1)</script>") in page


def test_csv_keeps_hostile_names_exact(hostile):
    data = csv_bytes(notice_sheet(hostile, "2026-10", PUBLISHED)).decode("utf-8-sig")
    rows = {r[0]: r for r in csv.reader(io.StringIO(data)) if r and r[0] in HOSTILE}
    for cadre_id, (name, post) in HOSTILE.items():
        assert rows[cadre_id][1:3] == ["'" + name if name.startswith("-") else name, post]


def test_rules_yaml_text_in_the_markdown_heading_and_footer_stays_text(tmp_path, clock):
    """The township name reaches the heading, 'compiled by' the footer list: neither becomes HTML."""
    ws = make_workspace(tmp_path / "r", clock)
    rules = ws.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "\ntownship: 石庄乡 " in text and "  compiled_by: 党政办公室 " in text
    text = text.replace("\ntownship: 石庄乡 ", '\ntownship: "<i>乡</i> #" ', 1)
    rules.write_text(text.replace("  compiled_by: 党政办公室 ", '  compiled_by: "<u>办</u> [x](y)" ', 1),
                     encoding="utf-8")
    ws = Workspace(ws.root, clock=clock)
    clock.set("2026-10-12T08:00")
    record.checkin(ws, ["c003"], "2026-10-12T08:00", None, None, None, None)
    clock.set("2026-11-10T09:00")
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    md = markdown(sheet)
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<i>" not in md and "<i>" not in rendered and "<u>" not in rendered and "<a " not in rendered
    assert rendered.startswith("<h1>&lt;i&gt;乡&lt;/i&gt; # cadre attendance notice")
    assert "<li>Compiled by: &lt;u&gt;办&lt;/u&gt; [x](y)</li>" in rendered
    assert rendered.count("<li>") == len(sheet.footer_lines(full_hash=True))


# ----------------------------------------------------------------------------- control characters (hand-edited roster)


@pytest.fixture
def escaped(tmp_path, clock):
    """A roster edited by hand: YAML's "\\e" puts an escape code into a name and a post
    (and the roster log's chain recomputed, as anyone holding the file could)."""
    from zoudu.ledger.lines import chain_hash, encode_line, genesis
    from zoudu.ledger.lines.entry import decode_line

    ws = make_workspace(tmp_path / "e", clock)
    roster = ws.root / "ledgers" / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    assert '"name": "李四"' in text
    prev, lines = genesis("roster"), []
    for line in text.replace('"name": "李四"', '"name": "李\\e[2J四"', 1).splitlines(keepends=True):
        if line.startswith("- "):
            fields = decode_line(line, "roster.yaml")
            fields["hash"] = prev = chain_hash(prev, fields)
            line = encode_line(fields)
        lines.append(line)
    roster.write_text("".join(lines), encoding="utf-8")
    ws = Workspace(ws.root, clock=clock)
    assert "\x1b" in ws.roster.get("c003").name
    clock.set("2026-10-12T08:00")
    record.checkin(ws, ["c003"], "2026-10-12T08:00", None, None, None, None)
    clock.set("2026-11-10T09:00")
    return ws


def test_an_escape_code_in_a_name_never_reaches_the_terminal(escaped):
    sheet = notice_sheet(escaped, "2026-10", PUBLISHED)
    out = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    terminal(sheet, out)
    assert "\x1b" not in out.file.getvalue() and "李\ufffd[2J四" in out.export_text()
    assert "\x1b" not in markdown(sheet) and "\x1b" not in html_page(sheet)


def test_an_escape_code_in_a_name_never_reaches_the_dossier(escaped):
    out = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    render_dossier(dossier(escaped, "c003"), out)
    assert "\x1b" not in out.file.getvalue() and "李\ufffd[2J四" in out.export_text()


def test_the_dossier_shows_rich_markup_in_a_name_as_text(tmp_path, clock):
    ws = make_workspace(tmp_path / "m", clock)
    clock.set("2026-10-12T08:00")
    record_roster.roster_add(ws, "c007", "[red]王[/red]", "[b]:phone:", False, "c001", "石庄村", "2026-10-01")
    record.checkin(ws, ["c007"], "2026-10-12T08:00", None, None, None, None)
    clock.set("2026-11-10T09:00")
    out = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    render_dossier(dossier(ws, "c007"), out)
    text = out.export_text()
    assert "[red]王[/red]" in text and "[b]:phone:" in text
