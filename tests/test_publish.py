"""zoudu publish: the sheet's figures are the audit's, every format says the same, damage is refused."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import os
import shutil
import string
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from tests.conftest import REPO, make_workspace
from zoudu import i18n
from zoudu.ledger import record
from zoudu.ledger import record_roster
from zoudu.audit import audit_month
from zoudu.errors import ZouduError
from zoudu.publish.notice import notice_sheet
from zoudu.publish.sheet import EVALUATIONS, FIGURES
from zoudu.render.notice import csv_bytes, markdown, terminal
from zoudu.timeparse import month_days
from zoudu.audit.workdays import Calendar

PUBLISHED = dt.date(2026, 11, 1)
SLOT_TIMES = ("08:02", "14:33", "19:35")


def busy_month(ws, clock, month: str = "2026-10") -> dict[str, list[str]]:
    """A month as a clerk records it, each entry at the time it happens.

    c001, c002 and c003 sign in every slot of every workday, c003 goes to the village
    three days a week; c004 takes two days of leave and a two-day official trip; c005
    misses every third evening; c006 does nothing but get caught absent and reported
    for drinking. Returns the ids of a few entries for the tests to refer to.
    """
    workdays = [d for d in month_days(month) if Calendar().is_workday(d)]
    leave, trip = workdays[6:8], workdays[12:14]
    ids: dict[str, list[str]] = {"void": [], "backfill": []}
    steps: list[tuple[str, int, object]] = []  # recorded in the order of the clock: it never goes back

    def step(moment: str, action) -> None:
        steps.append((moment, len(steps), action))

    for day in workdays:
        for i, time in enumerate(SLOT_TIMES):
            at = f"{day}T{time}"
            who = ["c001", "c002", "c003"]
            if day not in leave + trip:
                who.append("c004")
            if not (i == 2 and day.day % 3 == 0):
                who.append("c005")
            step(at, lambda at=at, who=who: record.checkin(ws, who, at, None, None, None, None))
        if day.weekday() in (0, 2, 3):
            step(f"{day}T21:00", lambda day=day: record.village(
                ws, "c003", "石庄村", "赵大爷", day.weekday() == 3, f"{day}T10:00", "走访农户", None))
    step(f"{workdays[5]}T09:00", lambda: record.leave(ws, "c004", str(leave[0]), str(leave[1]), "事假", "c002", None))
    step(f"{workdays[5]}T09:00", lambda: record.leave(ws, "c004", str(trip[0]), str(trip[1]), "公出", "c001", None))
    for day, present in ((workdays[5], ["c003", "c005"]), (workdays[10], ["c004"])):
        step(f"{day}T20:05", lambda day=day, present=present: record.inspect(
            ws, "c002", f"{day}T20:00", present, ["c006"], "visit", None))
    step(f"{workdays[8]}T22:00", lambda: record.report(
        ws, "c006", "conduct.drinking", f"{workdays[8]}T20:00", "监督电话", "在村民家饮酒", None))
    # A sign-in typed in a day late, approved; and a mistaken one, voided.
    step(f"{workdays[15]}T09:00", lambda: ids["backfill"].extend(
        record.checkin(ws, ["c006"], f"{workdays[14]}T08:05", None, "c002", "终端故障", None)))

    def wrong_then_void() -> None:
        wrong = record.checkin(ws, ["c006"], f"{workdays[15]}T09:05", None, None, None, None)
        ids["void"].extend(record.void(ws, wrong[0], "录错了人", None))

    step(f"{workdays[15]}T09:05", wrong_then_void)
    step(f"{workdays[-1]}T10:00", lambda: record.evaluate(
        ws, "c003", month, {"self": "优", "peer": "良", "public": "良"}, None))
    step(f"{workdays[-1]}T10:00", lambda: record.evaluate(
        ws, "c006", month, {"self": "良", "peer": "差", "public": "差"}, None))
    for moment, _order, action in sorted(steps, key=lambda s: (s[0], s[1])):
        clock.set(moment)
        action()
    return ids


def copy_demo(target: Path) -> Path:
    """A copy of the demo workspace (tests never touch the repository's own ledgers)."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "rules.yaml", target / "rules.yaml")
    shutil.copytree(REPO / "ledgers", target / "ledgers", ignore=shutil.ignore_patterns(".lock", "*.torn-*"))
    return target


@pytest.fixture
def ws(tmp_path, clock):
    ws = make_workspace(tmp_path / "w", clock)
    busy_month(ws, clock)
    clock.set("2026-11-10T09:00")  # the month and its last audited week are over
    return ws


def sheet_figures(row) -> dict[str, int]:
    return {key: getattr(row, key) for key, _label in FIGURES}


def test_the_sheet_agrees_with_the_audit_json_for_every_cadre(ws, cli):
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    r = cli("audit", "--month", "2026-10", "--format", "json", root=ws.root)
    assert r.returncode in (0, 1), r.stderr
    audited = {c["cadre"]: c for c in json.loads(r.stdout)["cadres"]}
    assert [row.cadre for row in sheet.rows] == list(audited) == ["c001", "c002", "c003", "c004", "c005", "c006"]
    shared = [key for key, _label in FIGURES if key in audited["c001"]] + ["errors", "warnings"]
    assert len(shared) >= 11
    for row in sheet.rows:
        for key in shared:
            assert getattr(row, key) == audited[row.cadre][key], (row.cadre, key)
    # The spot-check figures come from the audit's evidence list.
    result = audit_month(ws, "2026-10")
    for row, cadre in zip(sheet.rows, result.cadres):
        assert row.checks_present == sum(1 for _w, found in cadre.inspections if found)
        assert row.checks_absent == sum(1 for _w, found in cadre.inspections if not found)
    c006 = sheet.rows[-1]
    assert (c006.checks_present, c006.checks_absent) == (0, 2)
    # reported, never reviewed: shown to the leaders, never published as fact (docs/guide.md#the-notice-board)
    assert "drinking reported" not in c006.remark and "absent at spot check ×2" in c006.remark
    assert c006.evaluations == {"self": "良", "peer": "差", "public": "差"}
    c004 = sheet.rows[3]
    assert (c004.leave_days, c004.trip_days) == (2, 2)
    assert sheet.rows[0].remark  # never blank: "no violations" when there are none


def test_the_sheet_counts_and_seal(ws):
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    assert sheet.inspections == 2 == audit_month(ws, "2026-10").inspections
    text = ws.ledger_path("2026-10").read_text(encoding="utf-8")
    entries = [line for line in text.splitlines() if line.startswith("- ")]
    assert sheet.seal.entries == len(entries)
    assert sheet.seal.head == json.loads(entries[-1][2:])["hash"]
    assert sheet.seal.token == f"2026-10:{len(entries)}:{sheet.seal.head[:12]}"
    assert sheet.period_end == dt.date(2026, 11, 7)


def test_the_title_and_footer_in_chinese(ws):
    i18n.set_explicit("zh")
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    assert sheet.title == "石庄乡干部2026年10月出勤情况公示"
    footer = "\n".join(sheet.footer_lines(full_hash=True))
    assert "群众监督电话：0794-6321358" in footer
    assert "2026年11月1日" in footer and "7天" in footer and "党政办公室" in footer
    assert sheet.seal.head in footer
    assert "缺勤" not in sheet.rows[0].remark  # c001 signed in everywhere


def test_terminal_fits_120_columns_with_chinese_aligned(ws):
    i18n.set_explicit("zh")
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    out = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    terminal(sheet, out)
    text = out.export_text()
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 120
    table = [line for line in lines if line.startswith("│")]
    assert len(table) >= len(sheet.rows) + 1
    # Every body line has its column rules at the same cell positions as the header.
    def rules(line: str) -> list[int]:
        return [cell_len(line[:i]) for i, ch in enumerate(line) if ch == "│"]
    assert len({tuple(rules(line)) for line in table}) == 1
    for row in sheet.rows:
        assert row.name in text
    assert "石庄乡干部2026年10月出勤情况公示" in text and sheet.seal.token in text


def _md_cells(line: str) -> list[str]:
    """A Markdown table row as its cells' text: split at unescaped '|', undo backslash escapes and entities."""
    cells, cell, chars = [], [], iter(line.strip())
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            cell.append(nxt if nxt in string.punctuation else "\\" + nxt)
        elif ch == "|":
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(ch)
    cells.append("".join(cell))
    return [html.unescape(c.strip()) for c in cells[1:-1]]


def test_markdown_parses_back_to_the_same_numbers(ws):
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    text = markdown(sheet)
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header, _rule, *body = lines
    head = _md_cells(header)
    assert len(body) == len(sheet.rows)
    for line, row in zip(body, sheet.rows):
        cells = dict(zip(head, _md_cells(line)))
        assert cells["Id"] == row.cadre and cells["Name"] == row.name
        for key, label in FIGURES:
            assert int(cells[label]) == getattr(row, key)
        for key, label in EVALUATIONS:
            assert cells[label] == row.evaluations.get(key, "")
    assert text.startswith(f"# {sheet.title}\n") and sheet.seal.head in text


def test_csv_opens_with_a_bom_and_parses_back(ws):
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    data = csv_bytes(sheet)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    blank = rows.index([])
    table, footer = rows[:blank], dict(rows[blank + 1:])
    head = table[0]
    assert len(table) - 1 == len(sheet.rows)
    for values, row in zip(table[1:], sheet.rows):
        cells = dict(zip(head, values))
        assert cells["Id"] == row.cadre and cells["Name"] == row.name
        for key, label in FIGURES:
            assert int(cells[label]) == getattr(row, key)
    assert footer["Chain head"] == sheet.seal.head and len(sheet.seal.head) == 64
    assert footer["Seal"] == sheet.seal.token and int(footer["Sealed entries"]) == sheet.seal.entries


def test_hostile_names_stay_text_in_every_format(tmp_path, clock):
    ws = make_workspace(tmp_path / "h", clock)
    clock.set("2026-10-12T08:00")
    record_roster.roster_add(ws, "c007", "=1+2|x", "a|b", False, "c001", None, "2026-10-01")
    record_roster.roster_add(ws, "c008", "[b]王", ":phone:x", False, "c001", None, "2026-10-01")
    record.checkin(ws, ["c007", "c008"], "2026-10-12T08:00", None, None, None, None)
    clock.set("2026-11-10T09:00")
    sheet = notice_sheet(ws, "2026-10", PUBLISHED)
    rows = list(csv.reader(io.StringIO(csv_bytes(sheet).decode("utf-8-sig"))))
    assert rows[7][:3] == ["c007", "'=1+2|x", "a|b"]  # a spreadsheet does not run a name as a formula
    md = markdown(sheet)
    body = [line for line in md.splitlines() if line.startswith("| c007")]
    assert _md_cells(body[0])[1:3] == ["=1+2|x", "a|b"]
    out = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    terminal(sheet, out)
    text = out.export_text()
    assert "[b]王" in text and ":phone:x" in text  # neither markup nor an emoji code


# ----------------------------------------------------------------------------- the command line


def test_publish_formats_and_output_file(ws, cli, tmp_path):
    r = cli("publish", "--month", "2026-10", "--date", "2026-11-01", root=ws.root, lang="zh")
    assert r.returncode == 0, r.stderr
    assert "石庄乡干部2026年10月出勤情况公示" in r.stdout and "群众监督电话" in r.stdout
    target = tmp_path / "notice.csv"
    r = cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(target), root=ws.root)
    assert r.returncode == 0 and r.stdout == "" and str(target) in r.stderr
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    r = cli("publish", "--month", "2026-10", "--format", "md", root=ws.root)
    assert r.returncode == 0 and r.stdout.startswith("# ")
    r = cli("publish", "--month", "2026-10", "--format", "html", "-o", str(tmp_path / "n.html"), root=ws.root)
    assert r.returncode == 0
    page = (tmp_path / "n.html").read_text(encoding="utf-8")
    assert not any(s in page for s in ("<script", "http://", "https://", "@import", "url(", "<link", "<img"))
    r = cli("publish", "--month", "2026-10", "-o", str(tmp_path / "n.txt"), root=ws.root)
    assert r.returncode == 0 and "Supervision phone" in (tmp_path / "n.txt").read_text(encoding="utf-8")


def test_an_unwritable_output_file_is_one_line_exit_2(ws, cli, tmp_path):
    r = cli("publish", "--month", "2026-10", "--format", "html", "-o", str(tmp_path / "no" / "such" / "n.html"),
            root=ws.root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "cannot write the file" in r.stderr


def test_the_audits_warnings_go_to_stderr(tmp_path, clock, cli):
    """A leave its own cadre approved (written past the recording command): the audit says it excuses
    nothing, and so does publish. (A month of a year the holiday library does not know is refused:
    tests/test_unknown_year_is_not_workdays.py.)"""
    from tests.support.book import Book, at

    ws = make_workspace(tmp_path / "w", clock)
    Book(ws).add("leave", "2026-10-12", "c003", until=at("2026-10-13T23:59"), leave_kind="事假",
                 approver="c003").write()
    r = cli("publish", "--month", "2026-10", "--format", "md", root=ws.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# ") and "zoudu: warning: " in r.stderr and "(c003) may not approve" in r.stderr


@pytest.mark.parametrize("args, message", [
    (("--month", "2026-13"), "not a valid month"),
    (("--month", "2026-09"), "no ledger for 2026-09"),
    (("--month", "2026-10", "--format", "pdf"), "--format must be terminal, html, md or csv"),
    (("--month", "2026-10", "--date", "tomorrow"), "not a valid date"),
])
def test_publish_bad_input_is_one_line_exit_2(ws, cli, args, message):
    r = cli("publish", *args, root=ws.root)
    assert r.returncode == 2 and r.stdout == ""
    assert message in r.stderr and r.stderr.count("\n") == 1


def test_publishing_a_damaged_ledger_is_refused_naming_the_damage(ws, cli, tmp_path):
    path = ws.ledger_path("2026-10")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("赵大爷", "钱大爷", 1), encoding="utf-8")
    line = next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "钱大爷" in l)
    with pytest.raises(ZouduError, match="cannot be published"):
        notice_sheet(ws, "2026-10", PUBLISHED)
    target = tmp_path / "n.html"
    r = cli("publish", "--month", "2026-10", "--format", "html", "-o", str(target), root=ws.root)
    assert r.returncode == 1 and r.stdout == "" and r.stderr.count("\n") == 1  # damage, like verify
    assert f"ledgers/2026-10.yaml:{line}" in r.stderr and "hash chain broken" in r.stderr
    assert not target.exists()


def test_published_then_truncated_then_late(ws, cli, tmp_path, clock):
    """The seal on a published CSV: a cut ledger fails naming the month; a late entry is only late."""
    target = tmp_path / "notice.csv"
    assert cli("publish", "--month", "2026-10", "--format", "csv", "-o", str(target), root=ws.root).returncode == 0
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    footer = dict(rows[rows.index([]) + 1:])
    seal, head = footer["Seal"], footer["Chain head"]

    r = cli("verify", "--sealed", seal, root=ws.root)
    assert r.returncode == 0 and "holds" in r.stdout

    # Late: an evaluation typed in after the sheet went up.
    clock.set("2026-11-03T10:00")
    late = record.evaluate(ws, "c005", "2026-10", {"self": "中", "peer": None, "public": None}, None)
    r = cli("verify", "--sealed", seal, root=ws.root)
    assert r.returncode == 0, r.stdout
    assert "late entry" in r.stdout and late[0] in r.stdout and "not damage" in r.stdout

    # Truncated: the late line and one published line cut from the end.
    path = ws.ledger_path("2026-10")
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-2]))
    assert cli("verify", root=ws.root).returncode == 0  # the chain alone sees nothing wrong
    for args in (("--sealed", seal), ("--sealed", head, "--month", "2026-10")):
        r = cli("verify", *args, root=ws.root)
        assert r.returncode == 1
        assert "2026-10" in r.stdout and ("no longer holds" in r.stdout or "does not pass through the seal" in r.stdout)


def test_chinese_is_the_default_language_of_the_sheet(ws, cli):
    r = cli("publish", "--month", "2026-10", "--format", "md", root=ws.root, lang="")
    assert r.returncode == 0
    assert r.stdout.startswith("# 石庄乡干部2026年10月出勤情况公示\n")
    assert "姓名" in r.stdout and "群众监督电话" in r.stdout
    r = cli("--lang", "en", "publish", "--month", "2026-10", "--format", "md", root=ws.root, lang="")
    assert r.stdout.startswith("# 石庄乡 cadre attendance notice, 2026-10\n")


@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_the_demo_sheet_agrees_with_zoudu_audit_json_for_every_cadre(tmp_path, cli, month):
    """Both through the command line, so that both see the same clock and the same files."""
    demo = copy_demo(tmp_path / "demo")
    r = cli("publish", "--month", month, "--format", "csv", root=demo)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    table = rows[:rows.index([])]
    sheet = {values[0]: dict(zip(table[0], values)) for values in table[1:]}
    r = cli("audit", "--month", month, "--format", "json", root=demo)
    assert r.returncode in (0, 1), r.stderr
    audited = json.loads(r.stdout)
    assert list(sheet) == [c["cadre"] for c in audited["cadres"]] and len(sheet) >= 20
    absent_at_checks: dict[str, int] = {}
    for v in audited["violations"]:
        if v["rule"] == "inspection.absent":
            absent_at_checks[v["cadre"]] = absent_at_checks.get(v["cadre"], 0) + 1
    for cadre in audited["cadres"]:
        row = sheet[cadre["cadre"]]
        assert row["Name"] == cadre["name"]
        for key, label in FIGURES:
            if key in cadre:
                assert int(row[label]) == cadre[key], (cadre["cadre"], key)
        assert int(row["Spot checks: absent"]) == absent_at_checks.get(cadre["cadre"], 0)
        has_errors = cadre["errors"] > 0
        assert (row["Remarks"] != "no violations") == (has_errors or cadre["warnings"] > 0)


def test_a_month_not_over_says_so_and_leaves_later_days_blank(tmp_path, clock):
    ws = make_workspace(tmp_path / "w", clock)
    for day in ("2026-11-02", "2026-11-03"):
        for time in SLOT_TIMES:
            clock.set(f"{day}T{time}")
            record.checkin(ws, ["c003"], f"{day}T{time}", None, None, None, None)
    clock.set("2026-11-03T21:00")
    sheet = notice_sheet(ws, "2026-11")
    assert sheet.as_of == dt.date(2026, 11, 3) and sheet.published == dt.date(2026, 11, 3)
    assert "the month is not over: figures up to 2026-11-03" in sheet.subtitle
    marks = {day.date.day: day.mark for day in sheet.rows[2].days}
    assert marks[2] == marks[3] == "present" and marks[1] == "rest"
    assert {marks[d] for d in range(4, 31)} == {"future"}


def test_a_read_only_workspace_can_still_be_published(ws, tmp_path):
    ledgers = ws.ledgers
    (ledgers / ".lock").unlink(missing_ok=True)
    ledgers.chmod(0o555)
    try:
        if os.access(ledgers, os.W_OK):  # root can write anyway: make the lock file unopenable instead
            (ledgers / ".lock").mkdir()
        sheet = notice_sheet(ws, "2026-10", PUBLISHED)
        assert len(sheet.rows) == 6
    finally:
        ledgers.chmod(0o755)


@pytest.mark.parametrize("fmt", ["csv", "md", "html"])
def test_a_closed_months_notice_is_remembered_as_printed_and_verified_each_time(cli, tmp_path, fmt):
    """``publish`` of a closed month remembers the sheet as printed (``publish.notice.printed``):
    printed again, the bytes and warnings are the same; another date, an entry added to the
    month, or a line edited by hand is never served from the cache."""
    from tests.support.cli import township_by_cli

    root = township_by_cli(cli, tmp_path / "w")
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    nocache = {"ZOUDU_NO_CACHE": "1"}

    def publish(date: str, env: dict) -> tuple:
        r = cli("publish", "--month", "2026-11", "--format", fmt, "--date", date, root=root, env=env)
        return r.returncode, r.stdout, r.stderr

    assert cli("checkin", "c003", "--at", "2026-11-02T08:00", "--approver", "c002", "--reason", "系统故障",
               root=root).returncode == 0
    first = publish("2026-12-01", cache)
    assert first[0] == 0 and first[1], first
    assert list((tmp_path / "cache" / "zoudu").glob("printed-*.msgpack"))
    assert publish("2026-12-01", cache) == first == publish("2026-12-01", nocache)
    other = publish("2026-12-02", cache)
    assert other == publish("2026-12-02", nocache) != first
    assert cli("checkin", "c003", "--at", "2026-11-03T08:00", "--approver", "c002", "--reason", "系统故障",
               root=root).returncode == 0
    after = publish("2026-12-01", cache)
    assert after == publish("2026-12-01", nocache) != first
    ledger = root / "ledgers" / "2026-11.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("系统故障", "系统故障了"), encoding="utf-8")
    refused = publish("2026-12-01", cache)
    assert refused[0] != 0 and "does not verify" in refused[2]


def test_what_comes_from_the_cache_is_what_was_worked_out(cli, tmp_path):
    """On the demo: a notice, an audit and an archive read from the cache say what they say
    without it: local times (a leave from 00:00 Beijing time is not 16:00 the day before), and
    the sheet's header and footer from rules.yaml as it stands, even for a sealed month."""
    root = copy_demo(tmp_path / "demo")
    cached = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}
    fresh = dict(cached, ZOUDU_NO_CACHE="1")

    def out(env: dict, *args: str) -> tuple:
        r = cli(*args, root=root, env=env)
        return r.returncode, r.stdout, r.stderr

    cli("audit", "--month", "2026-11", "--format", "json", root=root, env=cached)  # keeps the result
    for args in (("publish", "--month", "2026-11", "--format", "csv", "--date", "2026-12-01"),
                 ("publish", "--month", "2026-11", "--format", "md", "--date", "2026-12-01"),
                 ("audit", "--month", "2026-11", "--format", "json"), ("dossier", "c003", "--format", "json")):
        first = out(cached, *args)
        assert first == out(cached, *args) == out(fresh, *args), args
    assert "年休假 11-05–11-06" in out(fresh, "publish", "--month", "2026-11", "--format", "csv", "--date", "2026-12-01")[1]
    assert cli("keys", "init", root=root, env=cached).returncode == 0
    assert cli("seal", "--month", "2026-11", root=root, env=cached).returncode == 0
    md = ("publish", "--month", "2026-11", "--format", "md", "--date", "2026-12-01")
    assert "0794-6321358" in out(cached, *md)[1]
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("0794-6321358", "0794-9999999"), encoding="utf-8")
    again = out(cached, *md)
    assert "0794-9999999" in again[1] and again[1] == out(fresh, *md)[1]  # (stderr: the publication's new id)
