"""Hostile text and files: markup and escape codes stay text, formulas stay inert, links and pipes refused."""

from __future__ import annotations

import csv
import io
import json
import os

from rich.console import Console

from tests.conftest import make_workspace, run_cli
from zoudu.errors import ZouduError
from zoudu.ledger.workspace import Workspace

MARKUP = ("a[/x]b", "[link=http://evil.example/]点我[/link]", "[black on black]藏[/]", "官山村[/]")


def hand_add(ws, fields: dict) -> None:
    """A cadre put into the roster log past the command's checks (the chain recomputed, as a person
    with the library could): what the file says reaches every table."""
    from zoudu.ledger.append import append

    fields = dict(fields)
    cadre, since = fields.pop("id"), fields.pop("since")
    fields.setdefault("supervisor", None)
    fields.update(kind="roster", op="add", cadre=cadre, **{"from": since}, at=f"{since}T00:00:00+08:00",
                  recorded="2026-01-01T00:00:00+08:00", by="hand", post="", team=False, village=None)
    with ws.lock():
        append(ws.root / "ledgers" / "roster.yaml", "ledgers/roster.yaml", [fields])


def test_rich_markup_in_names_and_villages_prints_literally_in_every_table(tmp_path):
    ws = make_workspace(tmp_path / "w")
    for i, name in enumerate(MARKUP[:3]):
        r = run_cli("roster", "add", f"c09{i}", "--name", name, "--supervisor", "c001", "--village", "官山村",
                    "--since", "2026-01-01", root=ws.root)
        assert r.returncode == 0, r.stderr
    r = run_cli("village", "c090", "--village", MARKUP[3], "--witness", MARKUP[1], "--at", "2026-11-03T10:00",
                root=ws.root)
    assert r.returncode == 0, r.stderr
    for args in (("roster", "list"), ("audit", "--month", "2026-11"), ("dossier", "c090"),
                 ("publish", "--month", "2026-11")):
        r = run_cli(*args, root=ws.root, env={"COLUMNS": "300"})
        assert r.returncode in (0, 1) and "internal error" not in r.stderr, (args, r.stderr)
        assert "\x1b" not in r.stdout
        if args[0] in ("roster", "audit"):
            for text in MARKUP[:3]:
                assert text in r.stdout, (args, text)


def test_markup_in_the_audit_table_is_never_styled_on_a_colour_terminal(tmp_path):
    from zoudu.audit import audit_month
    from zoudu.render.audit import render_audit
    from zoudu.render.console import roster_table

    ws = make_workspace(tmp_path / "w")
    run_cli("roster", "add", "c090", "--name", "[link=http://evil.example/]x[/link]", "--supervisor", "c001",
            "--since", "2026-01-01", root=ws.root)
    run_cli("roster", "add", "c091", "--name", "[black on black]藏", "--supervisor", "c001",
            "--since", "2026-01-01", root=ws.root)
    ws = Workspace(ws.root)
    buf = io.StringIO()
    out = Console(file=buf, force_terminal=True, color_system="truecolor", width=250)
    render_audit(audit_month(ws, "2026-11"), ws.roster, out)
    roster_table(ws.roster, out)
    text = buf.getvalue()
    assert "\x1b]8;" not in text  # no terminal hyperlink
    assert "[link=http://evil.example/]x[/link]" in text and "[black on black]藏" in text
    assert "\x1b[30;40m" not in text


def test_an_escape_code_typed_on_the_command_line_is_shown_not_obeyed(tmp_path):
    ws = make_workspace(tmp_path / "w")
    r = run_cli("checkin", "\x1b[2J\x9b31m", root=ws.root)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "\x1b" not in r.stderr and "\x9b" not in r.stderr and "\\x1b[2J" in r.stderr, repr(r.stderr)
    r = run_cli("audit", "--month", "2026-11", "--format", "\x1b]0;owned\x07", root=ws.root)
    assert r.returncode == 2 and "\x1b" not in r.stderr and "\x07" not in r.stderr and "\\x1b" in r.stderr
    r = run_cli("--root", str(ws.root), "checkin", "--nosuch\x1b[2J")
    assert r.returncode == 2 and "\x1b" not in r.stderr and "\\x1b" in r.stderr, repr(r.stderr)


def test_an_escape_code_hand_typed_into_the_roster_never_reaches_the_terminal(tmp_path):
    ws = make_workspace(tmp_path / "w")
    hand_add(ws, {"id": "c099", "name": "坏\x1b[2J人\x9b", "since": "2026-01-01"})
    r = run_cli("roster", "list", root=ws.root)
    assert r.returncode == 0 and "\x1b" not in r.stdout and "\x9b" not in r.stdout and "c099" in r.stdout
    r = run_cli("audit", "--month", "2026-11", root=ws.root)
    assert "\x1b" not in r.stdout + r.stderr
    r = run_cli("checkin", "坏\x1b[2J人\x9b", root=ws.root)  # the name typed back: found, or refused visibly
    assert "\x1b" not in r.stderr


def test_the_audit_csv_neutralises_formulas_and_quotes_line_breaks_like_the_notice(tmp_path):
    ws = make_workspace(tmp_path / "w")
    formula = '=HYPERLINK("http://evil/","x")'
    run_cli("roster", "add", "c090", "--name", formula, "--supervisor", "c001", "--since", "2026-01-01",
            root=ws.root)
    hand_add(ws, {"id": "c091", "name": "\r,split", "supervisor": "c001", "since": "2026-01-01"})
    r = run_cli("audit", "--month", "2026-11", "--format", "csv", root=ws.root)
    assert r.returncode == 1, r.stderr
    assert formula not in r.stdout.replace("'" + formula, "")  # only ever with its apostrophe
    rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    names = {row["cadre"]: row["name"] for row in rows if row["cadre"]}
    assert names["c090"] == "'" + formula
    assert names["c091"].startswith("'") and names["c091"].endswith(",split")  # run_cli reads text: CR -> LF
    assert all(len(row) == 13 and None not in row for row in rows)  # no row split
    # the notice's CSV and the audit's are one writer
    from zoudu.render import csvsafe

    assert csvsafe.row(["\rx", "a\nb", 3, "-1"], "\n") == '"\'\rx","a\nb",3,\'-1\n'


def test_a_month_in_full_width_digits_never_becomes_a_file(tmp_path):
    ws = make_workspace(tmp_path / "w")
    for month in ("２０２６-１１", "٢٠٢٦-١١"):
        try:
            ws.ledger_path(month)
        except ZouduError as e:
            assert "not a month" in e.message
        else:
            raise AssertionError(month)
        r = run_cli("evaluate", "c003", "--month", month, "--public", "差", root=ws.root)
        assert "internal error" not in r.stderr
    assert sorted(p.name for p in ws.ledgers.iterdir() if p.suffix == ".yaml") in (
        ["roster.yaml"], ["2026-11.yaml", "roster.yaml"])


def test_verify_reports_a_ledger_file_named_with_full_width_digits(tmp_path):
    ws = make_workspace(tmp_path / "w")
    run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root)
    (ws.ledgers / "２０２６-１１.yaml").write_bytes(ws.ledger_path("2026-11").read_bytes())
    r = run_cli("verify", root=ws.root)
    assert r.returncode == 1 and "ledgers/２０２６-１１.yaml" in r.stdout and "not a ledger file name" in r.stdout


def test_a_symlinked_ledger_is_refused_for_reading_and_appending(tmp_path):
    ws = make_workspace(tmp_path / "w")
    outside = tmp_path / "elsewhere.yaml"
    outside.write_bytes(b"# not yours\n")
    ws.ledger_path("2026-11").symlink_to(outside)
    for args in (("checkin", "c003", "--at", "2026-11-03T08:00"), ("verify",), ("audit", "--month", "2026-11")):
        r = run_cli(*args, root=ws.root)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "symbolic link" in r.stderr, (args, r.stderr)
    assert outside.read_bytes() == b"# not yours\n"


def test_a_dangling_ledger_link_never_creates_a_file_outside(tmp_path):
    ws = make_workspace(tmp_path / "w")
    target = tmp_path / "planted.yaml"
    (ws.ledgers / "2026-11.yaml").symlink_to(target)
    r = run_cli("checkin", "c003", "--at", "2026-11-03T08:00", root=ws.root)
    assert r.returncode == 2 and "symbolic link" in r.stderr, r.stderr
    assert not target.exists()


def test_a_ledger_symlink_loop_is_one_line(tmp_path):
    ws = make_workspace(tmp_path / "w")
    (ws.ledgers / "2026-11.yaml").symlink_to(ws.ledgers / "2026-11.yaml")
    for args in (("checkin", "c003", "--at", "2026-11-03T08:00"), ("verify",), ("audit", "--month", "2026-11")):
        r = run_cli(*args, root=ws.root)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "internal error" not in r.stderr, (args, r.stderr)


def test_a_roster_replaced_by_a_fifo_never_hangs(tmp_path):
    ws = make_workspace(tmp_path / "w")
    roster = ws.root / "ledgers" / "roster.yaml"
    roster.unlink()
    os.mkfifo(roster)
    for args in (("roster", "list"), ("checkin", "c003"), ("audit", "--month", "2026-11")):
        r = run_cli(*args, root=ws.root, env={"ZOUDU_NO_CACHE": "1"})  # timeout=120 in run_cli: a hang fails
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not a regular file" in r.stderr, (args, r.stderr)


def test_a_5000_digit_number_in_rules_yaml_is_one_line_with_its_line(tmp_path):
    ws = make_workspace(tmp_path / "w")
    rules = ws.root / "rules.yaml"
    lines = rules.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("backfill_grace_minutes:"))
    lines[number] = "backfill_grace_minutes: " + "9" * 5000 + "\n"
    rules.write_text("".join(lines), encoding="utf-8")
    r = run_cli("checkin", "c003", root=ws.root, env={"ZOUDU_NO_CACHE": "1"})
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "internal error" not in r.stderr, r.stderr
    assert f"rules.yaml:{number + 1}" in r.stderr and "at most" in r.stderr


def test_a_half_created_workspace_says_what_is_missing_and_how_to_finish(tmp_path):
    root = tmp_path / "half"
    (root / "ledgers").mkdir(parents=True)
    r = run_cli("verify", root=root)
    assert r.returncode == 2 and "rules.yaml is missing" in r.stderr and "ledgers/ is here" in r.stderr, r.stderr
    assert "'zoudu init' elsewhere" in r.stderr
    root2 = tmp_path / "half2"
    root2.mkdir()
    (root2 / "rules.yaml").write_text("x: 1\n", encoding="utf-8")
    r = run_cli("verify", root=root2)
    assert r.returncode == 2 and "ledgers/ folder is missing" in r.stderr and "mkdir ledgers" in r.stderr
