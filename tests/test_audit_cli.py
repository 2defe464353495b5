"""``zoudu audit`` through the real command line: JSON exactly as docs/audit-rules.md#what-the-audit-prints,
CSV, tables, exit status."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from rich.console import Console

from tests.conftest import REPO, make_workspace, run_cli
from tests.support.book import Book, audit, workspace_at
from zoudu import model
from zoudu.audit.rules import CONDUCT_RULES, RULE_IDS
from zoudu.ledger import record, record_policy
from zoudu.render.audit import render_audit

DAY_RULES = {"signin.missing", "signin.outside_window", "signin.wrong_place", "signin.backfilled",
             "village.no_witness", "village.not_assigned", "study.missed", "inspection.absent",
             *CONDUCT_RULES}
WEEK_RULES = {"week.township_days", "week.nights", "week.village_days"}
TOWNSHIP_RULES = {"inspection.too_few"}


def check_spec_shape(obj: dict) -> None:
    """The object of docs/audit-rules.md#what-the-audit-prints: these fields with these types; extra fields are
    allowed."""
    assert isinstance(obj, dict) and {"month", "violations", "cadres", "liability"} <= set(obj)
    assert re.fullmatch(r"\d{4}-\d{2}", obj["month"])
    for v in obj["violations"]:
        assert {"cadre", "rule", "severity", "date", "slot", "week", "required", "actual", "message",
                "evidence"} <= set(v)
        assert v["rule"] in RULE_IDS and v["severity"] in ("error", "warning")
        assert isinstance(v["message"], str) and v["message"]
        assert isinstance(v["evidence"], list) and v["evidence"] and all(isinstance(e, str) for e in v["evidence"])
        assert v["slot"] is None or v["slot"] in model.SLOTS
        for key in ("required", "actual"):
            assert v[key] is None or isinstance(v[key], int)
        if v["rule"] in DAY_RULES:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", v["date"]) and v["week"] is None
            assert isinstance(v["cadre"], str)
        if v["rule"] in WEEK_RULES:
            assert re.fullmatch(r"\d{4}-W\d{2}", v["week"]) and v["date"] is None
            assert isinstance(v["required"], int) and isinstance(v["actual"], int) and v["actual"] < v["required"]
        if v["rule"] in TOWNSHIP_RULES:
            assert v["cadre"] is None
    for c in obj["cadres"]:
        assert {"cadre", "name", "supervisor", "errors", "warnings"} <= set(c)
        assert isinstance(c["cadre"], str) and isinstance(c["name"], str)
        assert c["supervisor"] is None or isinstance(c["supervisor"], str)
        assert isinstance(c["errors"], int) and isinstance(c["warnings"], int)
    for row in obj["liability"]:
        assert {"supervisor", "name", "subordinates", "violations"} <= set(row)
        assert all(isinstance(k, str) and isinstance(n, int) for k, n in row["subordinates"].items())
        assert row["violations"] == sum(row["subordinates"].values())


@pytest.fixture
def root(tmp_path):
    ws = make_workspace(tmp_path / "w")
    book = Book(ws)
    book.day("c003", "2026-10-09").checkin("c003", "2026-10-12T11:00")
    book.checkin("c004", "2026-10-12T08:00", place="家中")
    book.village("c005", "2026-10-13T10:00", "富溪村")
    book.village("c006", "2026-10-15T20:00", "尧家村", stay=True)  # stationed when reported
    book.write()
    record.inspect(ws, "c002", "2026-10-14T19:40", ["c003"], ["c004"], "visit", None)
    (report,) = record.report(ws, "c006", "conduct.cards", "2026-10-15T21:00", "暗访", "打牌", None)
    record_policy.review(ws, report, "upheld", "c002", "查实")  # only an upheld report is a breach
    return ws.root


def test_json_is_one_object_in_the_shape_of_the_spec(cli, root):
    r = cli("audit", "--month", "2026-10", "--format", "json", root=root)
    assert r.returncode == 1, r.stderr
    obj = json.loads(r.stdout)  # one object and nothing else
    check_spec_shape(obj)
    rules = {v["rule"] for v in obj["violations"]}
    assert {"signin.missing", "signin.outside_window", "signin.wrong_place", "village.not_assigned",
            "inspection.absent", "inspection.too_few", "conduct.cards", "week.nights"} <= rules
    assert obj["month"] == "2026-10" and obj["entries"] == 10  # with the stay and the review
    cadres = {c["cadre"]: c for c in obj["cadres"]}
    assert set(cadres) == {"c001", "c002", "c003", "c004", "c005", "c006"}
    for cid, c in cadres.items():
        mine = [v for v in obj["violations"] if v["cadre"] == cid]
        assert c["errors"] == sum(v["severity"] == "error" for v in mine)
        assert c["warnings"] == sum(v["severity"] == "warning" for v in mine)
    liability = {row["supervisor"]: row for row in obj["liability"]}
    assert liability["c002"]["subordinates"]["c004"] >= 1


def test_csv_has_one_row_per_violation_and_agrees_with_json(cli, root):
    j = json.loads(cli("audit", "--month", "2026-10", "--format", "json", root=root).stdout)
    r = cli("audit", "--month", "2026-10", "--format", "csv", root=root)
    assert r.returncode == 1
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    violations = [row for row in rows if row["rule"] != "notice"]
    assert len(violations) == len(j["violations"])
    for row, v in zip(violations, j["violations"]):
        assert (row["cadre"] or None, row["rule"], row["severity"], row["date"] or None, row["message"]) == (
            v["cadre"], v["rule"], v["severity"], v["date"], v["message"])
        assert row["evidence"] == "\n".join(v["evidence"])  # one item per line in the cell


def test_csv_notices_are_rows_of_their_own_severity(cli, root):
    """A month still running (the real clock is past 2026-11-01): its notice travels with the
    CSV, yet counting the CSV's warnings and errors gives the JSON's figures."""
    j = json.loads(cli("audit", "--month", "2026-11", "--format", "json", root=root).stdout)
    rows = list(csv.DictReader(io.StringIO(cli("audit", "--month", "2026-11", "--format", "csv", root=root).stdout)))
    notices = [row for row in rows if row["rule"] == "notice"]
    assert j["notices"] and [row["message"] for row in notices] == j["notices"]
    assert {row["severity"] for row in notices} == {"notice"}
    assert sum(row["severity"] == "warning" for row in rows) == j["warnings"]
    assert sum(row["severity"] == "error" for row in rows) == j["errors"]


def test_cadre_narrows_the_audit(cli, root):
    obj = json.loads(cli("audit", "--month", "2026-10", "--format", "json", "--cadre", "c004", root=root).stdout)
    assert {v["cadre"] for v in obj["violations"]} == {"c004"}
    assert [c["cadre"] for c in obj["cadres"]] == ["c004"]
    obj = json.loads(cli("audit", "--month", "2026-10", "--format", "json", "--cadre", "c002", root=root).stdout)
    # what c002 bears for the cadres they supervise, and what their supervisor bears for them
    rows = {row["supervisor"]: row for row in obj["liability"]}
    assert sorted(rows) == ["c001", "c002"] and list(rows["c001"]["subordinates"]) == ["c002"]
    r = cli("audit", "--month", "2026-10", "--cadre", "nobody", root=root)
    assert r.returncode == 2 and "unknown cadre" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["--month", "2026-13"], "not a valid month"),
    (["--month", "2099-01"], "has not begun"),
    (["--month", "2026-10", "--format", "xml"], "--format"),
])
def test_bad_usage_exits_2_with_one_line(cli, root, args, message):
    r = cli("audit", *args, root=root)
    assert r.returncode == 2 and message in r.stderr and r.stderr.count("\n") == 1 and not r.stdout


def test_exit_0_when_only_warnings(cli, root):
    rules = root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    levels = "".join(f"  {rule}: warning\n" for rule in RULE_IDS if rule not in (
        "signin.outside_window", "signin.backfilled"))
    rules.write_text(text.replace("severity:\n", "severity:\n" + levels), encoding="utf-8")
    r = cli("audit", "--month", "2026-10", "--format", "json", root=root)
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["violations"] and all(v["severity"] == "warning" for v in obj["violations"])


def test_unknown_year_and_missing_file_are_warned_in_every_format(cli, root):
    r = cli("audit", "--month", "2003-06", "--format", "json", root=root)
    obj = json.loads(r.stdout)
    assert any("2003" in n and "calendar.years" in n for n in obj["notices"])
    assert any("ledgers/2003-06.yaml" in n for n in obj["notices"])
    rows = list(csv.DictReader(io.StringIO(cli("audit", "--month", "2003-06", "--format", "csv", root=root).stdout)))
    notices = [row["message"] for row in rows if row["rule"] == "notice"]
    assert any("2003" in n and "calendar.years" in n for n in notices)
    table = cli("audit", "--month", "2003-06", root=root, env={"COLUMNS": "200"}).stdout
    assert "calendar.years" in table and "ledgers/2003-06.yaml" in table


def test_the_table_in_chinese_by_default(cli, root):
    r = cli("audit", "--month", "2026-10", root=root, lang="", env={"COLUMNS": "200"})
    assert r.returncode == 1, r.stderr
    assert "缺签到" in r.stdout and "连带责任" in r.stdout and "王五" in r.stdout
    assert "ledgers/2026-10.yaml:" in r.stdout


def test_the_tables_group_by_cadre_and_show_weeks_and_liability(tmp_path):
    ws = workspace_at(tmp_path / "w", "2026-11-02T09:00")
    Book(ws).checkin("c004", "2026-10-12T08:00", place="家中").write()
    record.inspect(ws, "c002", "2026-10-14T19:40", [], ["c004"], "visit", None)
    result = audit(ws, "2026-10", "c004")
    out = Console(record=True, width=200, color_system=None)
    render_audit(result, out=out)
    text = out.export_text()
    assert "王五 (c004)" in text and "signin.wrong_place" in text and "ledgers/2026-10.yaml:2" in text
    assert "2026-W41" in text and "2026-W44" in text  # per-week days / nights / village days against the quota
    assert "0/5 0/4 0/3" in text
    whole = audit(ws, "2026-10")
    out = Console(record=True, width=200, color_system=None)
    render_audit(whole, out=out)
    text = out.export_text()
    assert "Supervisor liability" in text and "纪委书记" in text and "王五 (c004)" in text
    assert text.index("李四 (c003)") < text.index("王五 (c004)")  # grouped, in roster order
    assert "Township-wide" in text and "inspection.too_few" in text


def test_the_audit_table_loses_nothing_at_80_columns_and_piped_output_is_printer_wide(cli):
    import datetime as dt

    from rich.console import Console

    from tests.conftest import REPO, TZ
    from zoudu.audit import audit_month
    from zoudu.render.audit import render_audit
    from zoudu.ledger.workspace import Workspace

    ws = Workspace(REPO, clock=lambda: dt.datetime(2030, 6, 1, 9, 0, tzinfo=TZ))
    result = audit_month(ws, "2026-10", cadre="c013")
    out = Console(width=80, record=True, highlight=False, color_system=None)
    render_audit(result, ws.roster, out)
    text = out.export_text()
    assert "…" not in text
    assert "W42" in text and "3/4" in text
    r = cli("audit", "--month", "2026-10", "--cadre", "c013", root=REPO, env={"COLUMNS": "80"})
    assert max(len(line) for line in r.stdout.splitlines()) > 80 and "2026-W42" in r.stdout


def test_piped_tables_are_printer_wide_so_dates_are_whole(cli, root):
    assert cli("roster", "add", "c100", "--name", "欧阳新人", "--post", "农业综合服务中心主任兼扶贫工作站站长",
               "--supervisor", "c001", "--village", "七里亭村", "--since", "2026-01-01", root=root).returncode == 0
    r = cli("roster", "list", root=root, env={"COLUMNS": "80"})
    assert r.returncode == 0 and r.stdout.count("2026-01-01") == 7 and "…" not in r.stdout


def test_audit_of_one_cadre_names_the_supervisor_who_answers_for_them():
    """`audit --cadre` of a commuter shows the liability their supervisor bears for them, with names."""
    r = run_cli("audit", "--month", "2026-11", "--cadre", "c013", "--format", "json", root=REPO)
    rows = json.loads(r.stdout)["liability"]
    assert [(row["supervisor"], list(row["subordinates"])) for row in rows] == [("c005", ["c013"])]
    assert rows[0]["violations"] == rows[0]["subordinates"]["c013"] > 0
    table = run_cli("audit", "--month", "2026-11", "--cadre", "c013", root=REPO, lang="zh").stdout
    assert "邹斌 (c013)" in table
