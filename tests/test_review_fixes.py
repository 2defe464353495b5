"""Holes a hostile review found in the recording commands and the CLI, kept closed."""

from __future__ import annotations

import pytest

from tests.conftest import make_workspace
from tests.test_record_cli import snapshot


@pytest.fixture
def root(tmp_path):
    return make_workspace(tmp_path / "w").root


def refused(cli, root, *args, message: str) -> None:
    before = snapshot(root)
    r = cli(*args, root=root)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(root) == before


def test_a_cadre_cannot_approve_their_own_backfill(cli, root):
    refused(cli, root, "checkin", "c003", "--at", "2026-11-02T08:00", "--approver", "c003", "--reason", "self",
            message="cannot approve their own sign-in")
    refused(cli, root, "checkin", "c001", "c003", "--at", "2026-11-02T08:00", "--approver", "c003", "--reason", "x",
            message="cannot approve their own sign-in")


@pytest.mark.parametrize("bad", ["E\x1b[31mRED", "bell\x07", "bs\x08x", "c1\x9bx", "del\x7f"])
def test_control_characters_that_would_drive_the_terminal_are_refused(cli, root, bad):
    refused(cli, root, "village", "c003", "--village", "石庄村", "--witness", bad, "--at", "2026-11-03T10:00",
            message="control character")
    refused(cli, root, "roster", "add", "x9", "--name", bad, message="control character")


def test_tabs_and_line_breaks_in_notes_are_still_kept(cli, root):
    r = cli("village", "c003", "--village", "石庄村", "--witness", "王\t大爷", "--note", "一\r\n二",
            "--at", "2026-11-03T10:00", root=root)
    assert r.returncode == 0, r.stderr


def test_places_and_villages_are_compared_without_outer_spaces(cli, root):
    import yaml

    assert cli("checkin", "c003", "--place", "党政办公室 ", "--at", "2026-11-03T08:00", root=root).returncode == 0
    assert cli("village", "c003", "--village", " 石庄村", "--witness", "王", "--at", "2026-11-03T10:00",
               root=root).returncode == 0
    items = yaml.safe_load((root / "ledgers" / "2026-11.yaml").read_text(encoding="utf-8"))
    assert items[0]["place"] == "党政办公室" and items[1]["village"] == "石庄村"
    refused(cli, root, "checkin", "c003", "--place", "a\nb", "--at", "2026-11-03T08:00", message="one line")


def test_names_and_ids_cannot_shadow_each_other(cli, root):
    refused(cli, root, "roster", "add", "c100", "--name", "c003", message="both a name and an id")
    refused(cli, root, "roster", "add", "李四", "--name", "新人", message="not a valid cadre id")
    assert cli("roster", "add", "x1", "--name", "wang", root=root).returncode == 0
    refused(cli, root, "roster", "add", "wang", "--name", "王", message="both a name and an id")


def test_a_supervisor_must_be_a_serving_team_member(cli, root):
    refused(cli, root, "roster", "add", "c100", "--name", "新人", "--supervisor", "c003",
            message="not on the leadership team")
    assert cli("roster", "leave", "c002", "--on", "2026-11-01", root=root).returncode == 0
    refused(cli, root, "roster", "add", "c100", "--name", "新人", "--supervisor", "c002", message="left on 2026-11-01")


def test_roster_leave_takes_a_name_and_a_cadre_who_left_no_longer_makes_a_name_ambiguous(cli, root):
    refused(cli, root, "roster", "leave", "张伟", "--on", "2026-11-10", message="c005, c006")
    assert cli("roster", "leave", "c006", "--on", "2026-11-10", root=root).returncode == 0
    r = cli("checkin", "张伟", "--at", "2026-11-12T08:00", root=root)
    assert r.returncode == 0, r.stderr
    r = cli("checkin", "张伟", "--at", "2026-11-05T08:00", root=root)
    assert r.returncode == 2 and "c005, c006" in r.stderr


def test_an_inspector_cannot_find_themself_absent(cli, root):
    refused(cli, root, "inspect", "--by", "c002", "--at", "2026-11-05T19:40", "--absent", "c002",
            message="cannot inspect themself")


def test_a_month_not_begun_cannot_be_evaluated(cli, root):
    refused(cli, root, "evaluate", "c003", "--month", "2099-01", "--self", "优", message="has not begun")


def test_leave_options_that_do_not_apply_are_refused(cli, root):
    refused(cli, root, "leave", "cancel", "c003", "--at", "2026-11-11T12:00", "--approver", "c001",
            message="--approver")
    refused(cli, root, "leave", "c003", "--from", "2026-11-10", "--to", "2026-11-11", "--approver", "c001",
            "--at", "2026-11-10T08:00", message="--at")


@pytest.mark.parametrize("args", [["--bogus"], ["checkin"], ["roster", "list", "--bogus"], ["audit", "--month"]])
def test_usage_errors_are_one_line(cli, root, args):
    r = cli(*args, root=root)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "--help" in r.stderr


def test_plain_zoudu_prints_help(cli):
    r = cli()
    assert r.returncode == 0 and "checkin" in r.stdout


def test_an_unknown_lang_is_refused_in_the_environment_language(cli, root):
    r = cli("--lang", "fr", "verify", root=root, lang="en")
    assert r.returncode == 2 and "--lang must be zh or en" in r.stderr


def test_a_folder_where_a_ledger_should_be_and_a_file_as_root(cli, root, tmp_path):
    (root / "ledgers" / "2026-09.yaml").mkdir()
    r = cli("verify", root=root)
    assert r.returncode == 2 and "ledgers/2026-09.yaml" in r.stderr and "Traceback" not in r.stderr
    afile = tmp_path / "afile"
    afile.write_text("x")
    r = cli("--root", str(afile), "verify")
    assert r.returncode == 2 and "is a file" in r.stderr


def test_a_deleted_month_between_two_others_is_reported(cli, root):
    for month in ("2026-09", "2026-10", "2026-11"):
        assert cli("checkin", "c003", "--at", f"{month}-02T08:00", root=root).returncode == 0
    (root / "ledgers" / "2026-10.yaml").unlink()
    r = cli("verify", root=root)
    assert r.returncode == 1 and "ledgers/2026-10.yaml" in r.stdout and "missing" in r.stdout


def test_overlapping_leave_is_refused_and_cancel_names_the_leave_it_ends(cli, root):
    assert cli("leave", "c003", "--from", "2026-11-10", "--to", "2026-11-20", "--approver", "c001",
               root=root).returncode == 0
    refused(cli, root, "leave", "c003", "--from", "2026-11-16", "--to", "2026-11-18", "--approver", "c001",
            message="2026-11-0001")
    r = cli("leave", "cancel", "c003", "--at", "2026-11-12T12:00", root=root)
    assert r.returncode == 0 and "2026-11-0001" in r.stderr
    # once ended early, the days after are free for another leave
    assert cli("leave", "c003", "--from", "2026-11-16", "--to", "2026-11-18", "--approver", "c001",
               root=root).returncode == 0
    # a leave that began last month still blocks an overlapping one
    assert cli("leave", "c004", "--from", "2026-10-28", "--to", "2026-11-05", "--approver", "c001",
               root=root).returncode == 0
    refused(cli, root, "leave", "c004", "--from", "2026-11-03", "--to", "2026-11-04", "--approver", "c002",
            message="2026-10-0001")


def test_the_inspection_method_may_be_typed_in_chinese(cli, root):
    import yaml

    assert cli("inspect", "--by", "c002", "--at", "2026-11-05T19:40", "--present", "c003", "--method", "电话",
               root=root).returncode == 0
    (entry,) = yaml.safe_load((root / "ledgers" / "2026-11.yaml").read_text(encoding="utf-8"))
    assert entry["method"] == "phone"


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


def test_a_late_entry_is_reported_in_days_and_hours_not_thousands_of_minutes():
    from zoudu import i18n
    from zoudu.audit.rules.base import duration

    assert duration(35069) == "24 day(s) 8 hour(s) 29 minute(s)"
    assert duration(45) == "45 minute(s)"
    i18n.set_explicit("zh")
    assert duration(35069) == "24天8小时29分钟"


def test_publishing_with_the_placeholder_phone_warns(cli, root):
    assert cli("checkin", "c003", "--at", "2026-11-03T08:00", root=root).returncode == 0
    r = cli("publish", "--month", "2026-11", "--format", "md", root=root)
    assert "placeholder 0794-0000000" in r.stderr
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('"0794-0000000"', '"0794-6321358"'), encoding="utf-8")
    r = cli("publish", "--month", "2026-11", "--format", "md", root=root)
    assert "placeholder" not in r.stderr


@pytest.mark.parametrize("args,chinese", [
    (["checkin"], "缺少 'CADRE...'"),
    (["--bogus"], "没有 --bogus 这个选项"),
    (["chekin"], "没有 chekin 这个命令；是不是要用 checkin？"),
    (["checkin", "c003", "--at"], "--at 后面要写上取值"),
])
def test_usage_errors_speak_chinese_too(cli, root, args, chinese):
    r = cli(*args, root=root, lang="")
    assert r.returncode == 2 and chinese in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_piped_tables_are_printer_wide_so_dates_are_whole(cli, root):
    assert cli("roster", "add", "c100", "--name", "欧阳新人", "--post", "农业综合服务中心主任兼扶贫工作站站长",
               "--supervisor", "c001", "--village", "七里亭村", "--since", "2026-01-01", root=root).returncode == 0
    r = cli("roster", "list", root=root, env={"COLUMNS": "80"})
    assert r.returncode == 0 and r.stdout.count("2026-01-01") == 7 and "…" not in r.stdout
