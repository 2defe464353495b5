"""A year neither the calendar library nor rules.yaml knows is not a year of workdays.
``publish`` refuses it (exit 2, naming the year and how to add it); ``audit`` warns in every format.

2003 stands for such a year: chinesecalendar begins in 2004 (and ends with the last year it knows)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support.book import Book, workspace_at
from tests.support.cli import snapshot

MONTH = "2003-02"
YEAR_2003 = """  years:
    2003:
      source: "国务院办公厅关于2003年部分节假日安排的通知"
      holidays: ["2003-02-01", "2003-02-02", "2003-02-03", "2003-02-04", "2003-02-05", "2003-02-06", "2003-02-07"]
      workdays: ["2003-02-08", "2003-02-09"]
"""


@pytest.fixture
def ws(tmp_path):
    ws = workspace_at(tmp_path / "w", "2003-03-02T09:00")
    r = Book(ws).day("c003", "2003-02-10").write()
    assert r
    return ws


def add_c007(cli, ws):
    r = cli("roster", "add", "c007", "--name", "赵六", "--village", "石庄村",
            "--since", "2003-01-01", root=ws.root)
    assert r.returncode == 0, r.stderr


def test_publishing_a_month_of_an_unknown_year_is_refused(cli, ws):
    before = snapshot(ws.root)
    r = cli("publish", "--month", MONTH, "--format", "csv", "--date", "2003-03-01", root=ws.root)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "2003" in r.stderr and "calendar.years" in r.stderr and "rules.yaml" in r.stderr
    assert r.stdout == ""
    assert snapshot(ws.root) == before
    zh = cli("publish", "--month", MONTH, "--format", "html", "--date", "2003-03-01", root=ws.root, lang="zh")
    assert zh.returncode == 2 and "2003" in zh.stderr and "calendar.years" in zh.stderr


def test_the_audit_warns_in_every_format(cli, ws):
    said = {}
    for fmt in ("table", "json", "csv"):
        r = cli("audit", "--month", MONTH, "--format", fmt, root=ws.root)
        assert r.returncode in (0, 1), r.stderr
        said[fmt] = r
    assert "2003" in said["table"].stdout and "calendar.years" in said["table"].stdout
    notices = json.loads(said["json"].stdout)["notices"]
    assert any("2003" in n and "calendar.years" in n for n in notices)
    rows = list(csv.reader(io.StringIO(said["csv"].stdout.lstrip("\ufeff"))))
    assert any("notice" in row and any("calendar.years" in cell for cell in row) for row in rows)


def test_a_year_added_in_rules_yaml_is_published(cli, ws):
    add_c007(cli, ws)
    rules = ws.root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("  years: {}\n", YEAR_2003), encoding="utf-8")
    r = cli("publish", "--month", MONTH, "--format", "csv", "--date", "2003-03-01", root=ws.root)
    assert r.returncode == 0, r.stderr
    obj = json.loads(cli("audit", "--month", MONTH, "--format", "json", root=ws.root).stdout)
    assert not any("2003" in n for n in obj["notices"])
    # the Spring Festival days are holidays now, the make-up Saturday a workday
    dates = {v["date"] for v in obj["violations"] if v["cadre"] == "c007" and v["rule"] == "signin.missing"}
    assert "2003-02-03" not in dates and "2003-02-08" in dates
