"""zoudu dossier: a cadre's archive over the two demo months, for a cadre and for a supervisor."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pytest
from rich.console import Console

from tests.conftest import TZ
from tests.test_publish import copy_demo
from zoudu.audit import audit_month
from zoudu.publish.dossier import FIGURE_KEYS, dossier, to_json
from zoudu.render.dossier import render_dossier
from zoudu.errors import ZouduError
from zoudu.ledger.workspace import Workspace

MONTHS = ["2026-10", "2026-11"]
END_OF_DEMO = dt.datetime(2026, 12, 1, 22, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return copy_demo(tmp_path_factory.mktemp("dossier") / "demo")


@pytest.fixture
def ws(demo):
    return Workspace(demo, clock=lambda: END_OF_DEMO)


@pytest.fixture
def audits(ws):
    return {month: audit_month(ws, month) for month in MONTHS}


def rendered(record) -> str:
    out = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    render_dossier(record, out)
    return out.export_text()


def test_a_cadres_archive_over_two_months(ws, audits):
    """c012 (刘伟, 民政所所长): a sign-in voided (entered for the wrong 刘伟), backfills without approval."""
    d = dossier(ws, "c012")
    assert (d.start, d.end) == ("2026-10", "2026-11") and [m.month for m in d.months] == MONTHS
    for m in d.months:
        result = audits[m.month]
        mine = next(c for c in result.cadres if c.cadre == "c012")
        assert m.figures["signins_required"] == mine.signins_required
        assert m.figures["absences"] == mine.absences and m.figures["nights"] == mine.nights
        assert (m.errors, m.warnings) == (mine.errors, mine.warnings)
        assert m.violations == dict(Counter(v.rule for v in result.violations if v.cadre == "c012"))
        assert m.evaluations == mine.evaluations
        assert m.voided == mine.voided and m.backfills == mine.backfills
    voided = [v for m in d.months for v in m.voided]
    backfills = [b for m in d.months for b in m.backfills]
    assert voided and all(reason for _id, reason, _where in voided)
    assert backfills and all(approver is None for _id, approver, _reason, _where in backfills)
    assert d.totals["signins_required"] == sum(m.figures["signins_required"] for m in d.months)
    assert d.totals["backfills"] == len(backfills) and d.totals["voided"] == len(voided)

    text = rendered(d)
    assert "刘伟" in text and "c012" in text and "2026-10" in text and "2026-11" in text
    assert "late entry without approval" in text and "signin.backfilled" not in text and voided[0][0] in text and voided[0][1][:8] in text


def test_a_supervisors_archive_carries_joint_liability(ws, audits):
    """c005 (邓文军, 副乡长) supervises c013, who commutes: the liability is written into c005's archive."""
    d = dossier(ws, "邓文军", "2026-10", "2026-11")
    assert d.team and [m.month for m in d.months] == MONTHS
    for m in d.months:
        row = next(r for r in audits[m.month].liability if r.supervisor == "c005")
        assert m.liability == dict(row.subordinates) and m.liable == row.violations
        assert m.liability.get("c013", 0) > 0
    assert d.totals["liable"] == sum(m.liable for m in d.months)
    data = to_json(d)
    assert data["cadre"] == "c005" and data["from"] == "2026-10" and data["to"] == "2026-11"
    assert [m["liability"]["subordinates"]["c013"] for m in data["months"]] == [m.liability["c013"] for m in d.months]
    assert set(FIGURE_KEYS) <= set(data["months"][0])
    json.dumps(data, ensure_ascii=False)  # plain data all the way down
    text = rendered(d)
    assert "邹斌" in text and "(c013)" not in text  # names, not ids


def test_a_range_narrows_the_archive(ws):
    d = dossier(ws, "c013", "2026-11", "2026-11")
    assert [m.month for m in d.months] == ["2026-11"]
    assert d.months[0].violations.get("inspection.absent", 0) >= 1


def test_a_cadre_who_joined_later_has_no_record_in_october(ws):
    d = dossier(ws, "c021")
    assert [m.month for m in d.months] == ["2026-11"]
    with pytest.raises(ZouduError, match=r"\(c021\) has no record between 2026-10 and 2026-10"):
        dossier(ws, "c021", "2026-10", "2026-10")


def test_the_cli_json_and_table(demo, cli):
    r = cli("dossier", "c005", "--format", "json", root=demo)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["name"] == "邓文军" and [m["month"] for m in data["months"]] == MONTHS
    r = cli("dossier", "c016", "--from", "2026-10", "--to", "2026-11", root=demo, lang="zh")
    assert r.returncode == 0, r.stderr
    assert "艾国强" in r.stdout and "档案" in r.stdout and "抽查不在岗" in r.stdout


@pytest.mark.parametrize("args, message", [
    (("nobody",), "unknown cadre: 'nobody'"),
    (("刘伟",), "fits several cadres: c012, c017"),
    (("c012", "--from", "2026-13"), "not a valid month: '2026-13'"),
    (("c012", "--from", "2026-11", "--to", "2026-10"), "--from 2026-11 is after --to 2026-10"),
    (("c012", "--from", "2025-01", "--to", "2025-03"), "no ledger between 2025-01 and 2025-03"),
    (("c021", "--to", "2026-10"), "has no record between 2026-10 and 2026-10"),
    (("c012", "--format", "xml"), "--format must be table or json"),
])
def test_bad_input_is_one_line_exit_2(demo, cli, args, message):
    r = cli("dossier", *args, root=demo)
    assert r.returncode == 2 and r.stdout == ""
    assert message in r.stderr and r.stderr.count("\n") == 1


def test_a_dossier_is_not_compiled_from_an_edited_ledger(cli, root):
    for hour in ("08:00", "14:30", "19:30"):
        assert cli("checkin", "c003", "--at", f"2026-11-03T{hour}", root=root).returncode == 0
    path = root / "ledgers" / "2026-11.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("T14:30:00", "T14:31:00"), encoding="utf-8")
    r = cli("dossier", "c003", root=root)
    assert r.returncode == 1 and "ledgers/2026-11.yaml:3" in r.stderr and "zoudu verify" in r.stderr


def test_a_dossier_says_which_asked_months_have_no_ledger(cli, root):
    assert cli("checkin", "c003", "--at", "2026-11-03T08:00", root=root).returncode == 0
    r = cli("dossier", "c003", "--from", "2026-10", "--to", "2026-11", "--format", "json", root=root)
    assert r.returncode == 0 and "2026-10" in r.stderr
    import json

    assert json.loads(r.stdout)["missing_months"] == ["2026-10"]
