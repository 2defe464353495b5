"""Anomalies are questions, not verdicts (docs/anomalies.md), through the real command line on real files:
each kind raised by a month built for it, with its entries as evidence and a question as its message;
never a violation, never on the public notice, never in liability or the exit status; shown in the
archive and by ``zoudu audit --anomalies``; voided entries left out; its settings checked in rules.yaml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.book import Book
from tests.support.cli import refused
from tests.support.workspace import make_workspace
from zoudu.ledger.workspace import Workspace

MONTH = "2026-11"
WHERE = re.compile(r"ledgers/2026-11\.yaml:\d+")


def township(root: Path) -> Path:
    """The small township (tests/support/workspace.py) with one month that holds one anomaly of each kind."""
    ws = make_workspace(root)
    book = Book(ws)
    # witness.concentrated: 王大爷 signs for three cadres in three villages on 3 November
    book.village("c003", "2026-11-03T10:00", "石庄村", witness="王大爷")
    book.village("c004", "2026-11-03T15:00", "富溪村", witness="王大爷")
    book.village("c005", "2026-11-03T20:30", "官山村", witness="王大爷", stay=True)
    # witness.habitual: 李大妈 signs three of the four village entries of c006
    for day, witness in (("05", "李大妈"), ("10", "李大妈"), ("12", "赵四"), ("17", "李大妈")):
        book.village("c006", f"2026-11-{day}T10:00", "尧家村", witness=witness)
    # place.too_fast: c003 signs in at the office at 08:00 and is recorded in 石庄村 at 08:20
    book.checkin("c003", "2026-11-04T08:00").village("c003", "2026-11-04T08:20", "石庄村", witness="陈福生")
    # ... and c004 the same in 富溪村, for which rules.yaml gives no travel time
    book.checkin("c004", "2026-11-04T08:00").village("c004", "2026-11-04T08:20", "富溪村", witness="吴金水")
    # recorded.by_another: c004 types in five sign-ins of c005
    for day in ("09", "10", "11", "12", "13"):
        book.checkin("c005", f"2026-11-{day}T08:00", by="c004")
    # c001 keeps the sign-in book: typing in the sign-ins of most cadres asks nothing
    for cadre in ("c003", "c004", "c006"):
        for day in ("16", "17", "18", "19", "20"):
            book.checkin(cadre, f"2026-11-{day}T08:00", by="c001")
    book.pending[MONTH].sort(key=lambda entry: entry["recorded"])  # as typed in, one after another
    book.write()
    set_rules(root, "  travel_minutes: {}\n", "  travel_minutes: {石庄村: 40}\n")
    return root


def set_rules(root: Path, old: str, new: str) -> None:
    rules = root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert old in text
    rules.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def root(tmp_path) -> Path:
    return township(tmp_path / "w")


def audit(cli, root: Path, *args: str, lang: str = "en") -> dict:
    r = cli("audit", "--month", MONTH, "--format", "json", *args, root=root, lang=lang)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def of_kind(result: dict, kind: str) -> list[dict]:
    return [a for a in result["anomalies"] if a["kind"] == kind]


def lines_of(root: Path, evidence: list[str]) -> list[str]:
    text = (root / "ledgers" / f"{MONTH}.yaml").read_text(encoding="utf-8").splitlines()
    return [text[int(where.rsplit(":", 1)[1]) - 1] for where in evidence]


def is_question(message: str) -> bool:
    return message.rstrip().endswith(("?", "？"))


def test_one_witness_for_three_cadres_in_three_villages_on_one_day(cli, root):
    result = audit(cli, root)
    [found] = of_kind(result, "witness.concentrated")
    assert found["cadres"] == ["c003", "c004", "c005"] and found["date"] == "2026-11-03"
    assert len(found["evidence"]) == 3 and all(WHERE.fullmatch(w) for w in found["evidence"])
    assert all("王大爷" in line for line in lines_of(root, found["evidence"]))
    assert "王大爷" in found["message"] and is_question(found["message"])
    chinese = of_kind(audit(cli, root, lang=""), "witness.concentrated")[0]["message"]
    assert "王大爷" in chinese and chinese.endswith("是否属实？")
    # fewer cadres than rules.yaml asks for: no question
    set_rules(root, "  witness_cadres: 3\n", "  witness_cadres: 4\n")
    assert not of_kind(audit(cli, root), "witness.concentrated")


def test_a_voided_entry_is_left_out(cli, root):
    [found] = of_kind(audit(cli, root), "witness.concentrated")
    stay = next(line for line in lines_of(root, found["evidence"]) if "c005" in line)
    entry_id = re.search(r'"id": ?"([^"]+)"', stay).group(1)
    r = cli("void", entry_id, "--reason", "录错了证明人", "--approver", "c001", "--by", "c001", root=root)
    assert r.returncode == 0, r.stderr
    assert not of_kind(audit(cli, root), "witness.concentrated")


def test_one_witness_for_most_of_a_cadres_village_entries(cli, root):
    [found] = of_kind(audit(cli, root), "witness.habitual")
    assert found["cadres"] == ["c006"] and found["date"] is None
    assert len(found["evidence"]) == 3 and all("李大妈" in line for line in lines_of(root, found["evidence"]))
    assert "李大妈" in found["message"] and "3 of the 4" in found["message"] and is_question(found["message"])
    # three of six is not most
    book = Book(Workspace(root))
    book.village("c006", "2026-11-24T10:00", "尧家村", witness="赵四")
    book.village("c006", "2026-11-25T10:00", "尧家村", witness="钱五")
    book.write()
    assert not of_kind(audit(cli, root), "witness.habitual")


def test_an_office_sign_in_and_a_village_entry_closer_than_the_way_takes(cli, root):
    [found] = of_kind(audit(cli, root), "place.too_fast")
    assert found["cadres"] == ["c003"] and found["date"] == "2026-11-04"
    office, village = lines_of(root, found["evidence"])
    assert '"checkin"' in office and "石庄村" in village
    assert "08:00" in found["message"] and "08:20" in found["message"] and "40" in found["message"]
    assert is_question(found["message"])
    # the way as long as the time between them: nothing to ask
    set_rules(root, "{石庄村: 40}", "{石庄村: 20}")
    assert not of_kind(audit(cli, root), "place.too_fast")


def test_sign_ins_mostly_typed_in_by_another_cadre(cli, root):
    result = audit(cli, root)
    [found] = of_kind(result, "recorded.by_another")
    assert found["cadres"] == ["c005", "c004"] and found["date"] is None
    assert len(found["evidence"]) == 5 and all('"by": "c004"' in line.replace('":"', '": "')
                                                for line in lines_of(root, found["evidence"]))
    assert is_question(found["message"])
    # c001 typed in the sign-ins of three of the four cadres who signed in: keeping the book, not asked about
    assert not [a for a in result["anomalies"] if "c001" in a["cadres"]]


def test_anomalies_are_never_violations_liability_or_exit_status(cli, root):
    asked = audit(cli, root)
    assert {a["kind"] for a in asked["anomalies"]} == {
        "witness.concentrated", "witness.habitual", "place.too_fast", "recorded.by_another"}
    assert all(set(a) == {"kind", "cadres", "date", "evidence", "message"} for a in asked["anomalies"])
    assert not {v["rule"] for v in asked["violations"]} & {a["kind"] for a in asked["anomalies"]}
    # the same month with two of the kinds switched off: the same verdicts, to the letter
    set_rules(root, "  witness_cadres: 3\n", "  witness_cadres: 100\n")
    set_rules(root, "{石庄村: 40}", "{}")
    quiet = audit(cli, root)
    assert len(quiet["anomalies"]) == len(asked["anomalies"]) - 2
    for key in ("violations", "liability", "errors", "warnings", "cadres"):
        assert quiet[key] == asked[key], key


def test_anomalies_leave_the_exit_status_alone(cli, root):
    """Every rule at warning level: the month exits 0 with all four kinds of anomaly in it."""
    from zoudu.audit.rules import RULE_IDS

    levels = "".join(f"  {rule}: warning\n" for rule in RULE_IDS if rule not in (
        "signin.outside_window", "signin.backfilled"))
    set_rules(root, "severity:\n", "severity:\n" + levels)
    r = cli("audit", "--month", MONTH, "--format", "json", root=root)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert len({a["kind"] for a in result["anomalies"]}) == 4 and result["errors"] == 0
    r = cli("audit", "--month", MONTH, "--anomalies", root=root, env={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    r = cli("audit", "--month", MONTH, root=root, env={"COLUMNS": "200"})
    assert r.returncode == 0 and "--anomalies" in r.stdout


def test_never_on_the_public_notice(cli, root, tmp_path):
    result = audit(cli, root)
    questions = [a["message"] for a in result["anomalies"]]
    assert questions
    for fmt in ("md", "csv", "terminal"):
        r = cli("publish", "--month", MONTH, "--format", fmt, root=root, env={"COLUMNS": "200"})
        assert r.returncode == 0, r.stderr
        assert "王大爷" not in r.stdout and "李大妈" not in r.stdout
        assert not any(q in r.stdout for q in questions)
    target = tmp_path / "notice.html"
    r = cli("publish", "--month", MONTH, "--format", "html", "-o", str(target), root=root)
    assert r.returncode == 0, r.stderr
    page = target.read_text(encoding="utf-8")
    assert "王大爷" not in page and "李大妈" not in page


def test_audit_anomalies_is_a_table_in_the_clerks_language(cli, root):
    r = cli("audit", "--month", MONTH, "--anomalies", root=root, lang="", env={"COLUMNS": "250"})
    assert r.returncode in (0, 1), r.stderr
    assert "异常提示" in r.stdout and "不是违规" in r.stdout
    assert "王大爷" in r.stdout and "李大妈" in r.stdout and "ledgers/2026-11.yaml:" in r.stdout
    assert "同一证明人为多名干部签字" in r.stdout
    r = cli("audit", "--month", MONTH, "--anomalies", root=root, env={"COLUMNS": "250"})
    assert "not violations" in r.stdout and "one witness for many cadres" in r.stdout
    # one cadre's: only the questions about them
    r = cli("audit", "--month", MONTH, "--anomalies", "--cadre", "c006", root=root, env={"COLUMNS": "250"})
    assert "李大妈" in r.stdout and "王大爷" not in r.stdout
    refused(cli, root, "audit", "--month", MONTH, "--anomalies", "--format", "json", message="--anomalies")


def test_the_archive_shows_the_questions_about_the_cadre(cli, root):
    r = cli("dossier", "c005", "--from", MONTH, "--to", MONTH, "--format", "json", root=root)
    assert r.returncode == 0, r.stderr
    [month] = json.loads(r.stdout)["months"]
    assert {a["kind"] for a in month["anomalies"]} == {"witness.concentrated", "recorded.by_another"}
    assert all(WHERE.fullmatch(w) for a in month["anomalies"] for w in a["evidence"])
    assert not month["findings"] or all(f["rule"] not in ("witness.concentrated", "recorded.by_another")
                                        for f in month["findings"])
    r = cli("dossier", "c005", "--from", MONTH, "--to", MONTH, root=root, env={"COLUMNS": "250"})
    assert r.returncode == 0, r.stderr
    assert "王大爷" in r.stdout and "typed in by" in r.stdout


@pytest.mark.parametrize("section, message", [
    ("anomalies:\n  witness_cadres: 1\n", "'anomalies.witness_cadres' must be at least 2"),
    ("anomalies:\n  travel_minutes: {石庄村: 半小时}\n", "'anomalies.travel_minutes.石庄村' must be a whole number"),
    ("anomalies:\n  travel_minutes: {石庄村: 0}\n", "must be at least 1"),
    ("anomalies:\n  witnesses: 3\n", "unknown key 'witnesses' in 'anomalies'"),
    ("anomalies: 3\n", "'anomalies' must be a mapping"),
])
def test_bad_anomaly_settings_are_one_line_errors(cli, tmp_path, section, message):
    root = make_workspace(tmp_path / "w").root
    rules = root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("\nanomalies:\n") + 1
    rules.write_text(text[:start] + section, encoding="utf-8")  # the section is the template's last
    refused(cli, root, "audit", "--month", MONTH, "--format", "json", message=message)


def test_the_demo_asks_one_question_of_each_kind_and_nothing_else(cli, tmp_path):
    """The shipped demo (tools/make_demo.py): the anomalies its INTENT names, in November only."""
    import importlib.util
    import shutil
    import sys

    from tests.support.workspace import REPO

    spec = importlib.util.spec_from_file_location("make_demo", REPO / "tools" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    root = tmp_path / "demo"
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    shutil.copy(REPO / "rules.yaml", root / "rules.yaml")
    for month, expected in module.INTENT["anomalies"].items():
        result = json.loads(cli("audit", "--month", month, "--format", "json", root=root).stdout)
        assert [(a["kind"], a["cadres"], a["date"]) for a in result["anomalies"]] == [
            (kind, cadres, date) for kind, cadres, date in expected], month
        assert all(a["evidence"] and is_question(a["message"]) for a in result["anomalies"])


def test_kept_results_follow_the_anomaly_settings(cli, root, tmp_path):
    """A closed month's result, its JSON and each cadre's part are kept (zoudu/memo/stages.py): the
    anomalies are kept with them, and a change to rules.yaml's anomalies section is never served stale."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}

    def too_fast() -> tuple[list, list]:
        r = cli("audit", "--month", MONTH, "--format", "json", root=root, env=env)
        d = cli("dossier", "c003", "--from", MONTH, "--to", MONTH, "--format", "json", root=root, env=env)
        assert r.returncode in (0, 1) and d.returncode == 0, (r.stderr, d.stderr)
        return (of_kind(json.loads(r.stdout), "place.too_fast"),
                [a for a in json.loads(d.stdout)["months"][0]["anomalies"] if a["kind"] == "place.too_fast"])

    first = too_fast()
    assert first[0] and first[1] and too_fast() == first
    kept = {p.name.split("-")[0] for p in (tmp_path / "cache" / "zoudu").glob("*.msgpack")}
    assert {"audit", "shown"} <= kept, kept
    set_rules(root, "{石庄村: 40}", "{石庄村: 20}")
    assert too_fast() == ([], [])
