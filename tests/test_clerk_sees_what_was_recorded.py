"""zoudu log, entries said in words, warnings while recording, names as typed, init's names
(docs/guide.md#seeing-what-was-recorded)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, TZ, run_cli

YESTERDAY = (dt.datetime.now(TZ) - dt.timedelta(days=1)).date()
Y = YESTERDAY.isoformat()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "w"
    run_cli("init", str(root), "--township", "东岭乡", "--county", "某县")
    for args in (("c001", "--name", "李卫东", "--team"),
                 ("c002", "--name", "王秀兰", "--supervisor", "c001", "--village", "东山村")):
        assert run_cli("roster", "add", *args, "--since", "2020-01-01", root=root).returncode == 0
    return root


def entries(root: Path, month: str) -> list[dict]:
    path = root / "ledgers" / f"{month}.yaml"
    return [json.loads(line[2:]) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("- {")]


def test_log_of_a_demo_day_matches_the_ledger(tmp_path):
    demo = tmp_path / "demo"
    demo.mkdir()
    shutil.copytree(REPO / "ledgers", demo / "ledgers")
    shutil.copy(REPO / "rules.yaml", demo / "rules.yaml")
    r = run_cli("log", "--day", "2026-11-03", root=demo, lang="zh")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    wanted = [e for e in entries(demo, "2026-11") if e["at"].startswith("2026-11-03")]
    assert [line.split()[0] for line in lines] == [e["id"] for e in wanted]
    roster = {json.loads(l[2:])["cadre"]: json.loads(l[2:])["name"]
              for l in (demo / "ledgers" / "roster.yaml").read_text(encoding="utf-8").splitlines()
              if l.startswith("- {") and json.loads(l[2:]).get("op") == "add"}
    for line, e in zip(lines, wanted):
        if e.get("cadre"):
            assert line.split()[1] == roster[e["cadre"]]
        if e["kind"] == "checkin":
            assert "11月3日" in line and e["at"][11:16] in line and "签到" in line
        if e["kind"] == "village":
            assert e["village"] in line and ("下村" in line or "住村" in line)
    one = run_cli("log", "--id", wanted[0]["id"], root=demo)
    assert one.stdout.splitlines()[0].startswith(wanted[0]["id"] + " ")
    assert f"hash: {wanted[0]['hash']}" in one.stdout and "where: ledgers/2026-11.yaml:" in one.stdout
    month = run_cli("log", "--month", "２０２６-１１", "--cadre", wanted[0]["cadre"], root=demo)
    assert month.returncode == 0 and all(l.split()[1] == roster[wanted[0]["cadre"]]
                                         for l in month.stdout.splitlines() if "voids" not in l)


def test_checkin_says_what_it_recorded_id_first(root):
    r = run_cli("checkin", "王秀兰", "--at", f"{Y} 08:02", root=root, lang="zh")
    assert r.returncode == 0, r.stderr
    line = r.stdout.strip()
    assert line.split()[0] == entries(root, Y[:7])[-1]["id"]
    # typed in a day late without an approver: it counts for nothing, and says so (docs/guide.md), never 准时
    assert line.endswith(f"王秀兰 {YESTERDAY.month}月{YESTERDAY.day}日 上午签到 08:02（补录，未经批准，不计入考勤）")


def test_warnings_while_recording_still_record(root):
    def run(*args):
        r = run_cli(*args, root=root)
        assert r.returncode == 0, r.stderr
        return r.stderr

    run("checkin", "c002", "--at", f"{Y} 08:01")
    assert "already signed in for this slot" in run("checkin", "c002", "--at", f"{Y} 08:01")
    assert "outside every sign-in window" in run("checkin", "c002", "--at", f"{Y} 03:00")
    said = run("village", "c002", "--village", "东山", "--at", f"{Y} 09:00")
    assert "without a witness" in said and "village is 东山村, not 东山" in said
    quiet = run("village", "c002", "--village", "西坑村", "--witness", "老陈", "--at", f"{Y} 10:00")
    assert "warning" not in quiet
    run("leave", "c002", "--from", f"{Y} 12:00", "--to", Y, "--kind", "病假", "--approver", "c001")
    assert "on approved leave" in run("checkin", "c002", "--at", f"{Y} 14:31")
    assert len(entries(root, Y[:7])) == 7


def test_void_says_what_it_voids_and_how_to_restore(root):
    r = run_cli("checkin", "c002", "--at", f"{Y} 08:01", root=root)
    target = r.stdout.split()[0]
    v = run_cli("void", target, "--reason", "录错", root=root)
    assert v.returncode == 0 and f"voids {target}" in v.stdout and f"it voids: {target} 王秀兰" in v.stderr
    void_id = v.stdout.split()[0]
    again = run_cli("void", void_id, "--reason", "恢复", root=root)
    assert again.returncode == 2 and f"To restore {target}" in again.stderr and f"log --id {target}" in again.stderr
    listed = run_cli("log", "--day", Y, root=root)
    assert f"[void: {void_id}]" in listed.stdout


def test_names_as_typed_several_with_chinese_commas_and_did_you_mean(root):
    r = run_cli("checkin", "李卫东，王秀兰", "--at", f"{Y} 08:01", root=root)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2
    r = run_cli("checkin", "李卫东、王秀兰", "--at", f"{Y} 14:31", root=root)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2
    typo = run_cli("checkin", "李卫冬", "--at", f"{Y} 19:31", root=root, lang="zh")
    assert typo.returncode == 2 and "是不是 李卫东？" in typo.stderr


def test_rule_labels_are_accepted_where_a_rule_id_is(root):
    r = run_cli("report", "c002", "--rule", "饮酒", "--source", "监督电话", "--at", f"{Y} 12:00", root=root)
    assert r.returncode == 0, r.stderr
    assert entries(root, Y[:7])[-1]["rule"] == "conduct.drinking"
    assert run_cli("report", "c002", "--rule", "喝茶", "--source", "x", "--at", f"{Y} 12:00",
                   root=root).returncode == 2


def test_init_writes_the_townships_names_and_never_the_demos(tmp_path):
    named = tmp_path / "东岭乡"
    r = run_cli("init", str(named), "--township", "东岭乡", "--county", "宜黄县", lang="zh")
    assert r.returncode == 0 and "接下来" in r.stdout
    text = (named / "rules.yaml").read_text(encoding="utf-8")
    assert "township: 东岭乡" in text and "county: 宜黄县" in text and "石庄乡" not in text
    hostile = tmp_path / "h"
    assert run_cli("init", str(hostile), "--township", "a: b # c", "--county", "x").returncode == 0
    assert run_cli("roster", "list", root=hostile).returncode == 0
    blank = tmp_path / "blank"
    r = run_cli("init", str(blank), input="")  # not a terminal: placeholders, never asked
    assert r.returncode == 0
    text = (blank / "rules.yaml").read_text(encoding="utf-8")
    assert "石庄乡" not in text and "崇仁县" not in text
    run_cli("roster", "add", "c001", "--name", "甲", "--team", "--since", "2020-01-01", root=blank)
    run_cli("checkin", "c001", "--at", f"{Y} 08:00", root=blank)
    audit = run_cli("audit", "--month", Y[:7], root=blank)
    assert "placeholder" in audit.stderr and "township" in audit.stderr
    publish = run_cli("publish", "--month", Y[:7], "--format", "md", root=blank)
    assert publish.returncode == 2 and "township" in publish.stderr and not publish.stdout


def test_init_at_a_terminal_asks_for_the_names(tmp_path):
    """A real terminal (a pty): init asks for the township and the county."""
    import os
    import pty
    import subprocess
    import sys

    target = tmp_path / "asked"
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    env["ZOUDU_LANG"] = "en"
    p = subprocess.Popen([sys.executable, "-m", "zoudu", "init", str(target)], stdin=follower, stdout=follower,
                         stderr=follower, env=env, close_fds=True)
    os.close(follower)
    os.write(leader, "西岭乡\n崇山县\n".encode())
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    assert p.wait(timeout=60) == 0, out.decode(errors="replace")
    os.close(leader)
    text = (target / "rules.yaml").read_text(encoding="utf-8")
    assert "township: 西岭乡" in text and "county: 崇山县" in text
    assert "Township name" in out.decode(errors="replace")


def test_a_spot_check_splits_names_at_chinese_commas(root):
    run_cli("roster", "add", "c003", "--name", "张三", "--supervisor", "c001", "--since", "2020-01-01", root=root)
    r = run_cli("inspect", "--by", "c001", "--at", f"{Y} 19:40", "--present", "王秀兰，张三", "--method", "phone",
                root=root)
    assert r.returncode == 0, r.stderr
    check = entries(root, Y[:7])[-1]
    assert check["present"] == ["c002", "c003"] and check["absent"] == []


def test_checkin_says_late_exactly_when_the_audit_does(tmp_path):
    """08:05:59 is past 08:00 + 5 minutes: both the read-back and the audit say late (5 whole minutes, docs/guide.md)."""
    from tests.conftest import make_workspace

    root = make_workspace(tmp_path / "w").root
    r = run_cli("checkin", "c003", "--at", "2026-11-04 08:05:59", "--approver", "c001", "--reason", "停电",
                root=root)
    assert r.returncode == 0 and "late 5 min" in r.stdout, r.stdout
    r = run_cli("checkin", "c003", "--at", "2026-11-04 14:35:00", "--approver", "c001", "--reason", "停电",
                root=root)
    assert "on time" in r.stdout, r.stdout
    late = [v for v in json.loads(run_cli("audit", "--month", "2026-11", "--format", "json", root=root).stdout)
            ["violations"] if v["rule"] == "signin.late" and v["cadre"] == "c003"]
    assert [(v["date"], v["slot"]) for v in late] == [("2026-11-04", "morning")]


def test_a_voided_sign_in_is_no_duplicate_and_a_cancelled_leave_no_leave(root):
    """The read-back after an append finds the cadre's lines and the voids of those lines by
    searching the file's tail (not every line of it): a sign-in voided since, or a leave whose
    approval was voided, raises no warning; other cadres' voids change nothing."""
    def run(*args):
        r = run_cli(*args, root=root)
        assert r.returncode == 0, r.stderr
        return r

    first = run("checkin", "c002", "--at", f"{Y} 08:01").stdout.split()[0]
    other = run("checkin", "c001", "--at", f"{Y} 08:01").stdout.split()[0]
    run("void", other, "--reason", "录错人")
    assert "already signed in" in run("checkin", "c002", "--at", f"{Y} 08:02").stderr
    run("void", first, "--reason", "录错")
    second = run("checkin", "c002", "--at", f"{Y} 08:03")
    assert "already signed in" in second.stderr  # the one at 08:02 still stands
    leave = run("leave", "c002", "--from", f"{Y} 12:00", "--to", Y, "--kind", "病假", "--approver", "c001")
    run("void", leave.stdout.split()[0], "--reason", "未批准")
    assert "on approved leave" not in run("checkin", "c002", "--at", f"{Y} 14:31").stderr
