"""zoudu import: terminal and DingTalk exports recorded as office sign-ins
(docs/guide.md#importing-attendance-terminals-and-dingtalk).

Every fixture is a small file the test writes, with made-up names; times are
set relative to the machine's clock (the CLI records with it), inside the
import limit unless a test wants them older.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TZ, run_cli
from tests.support.cli import snapshot
from tests.support.punches import entries as ledger_lines, save_xlsx

TODAY = dt.datetime.now(TZ).date()
DAY = TODAY - dt.timedelta(days=1)  # yesterday: inside the import limit, never in the future
D = DAY.isoformat()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "乡"
    assert run_cli("init", str(root), "--township", "东岭乡", "--county", "某县").returncode == 0
    for args in (
        ("c001", "--name", "甲书记", "--team", "--badge", "1"),
        ("c002", "--name", "乙干部", "--supervisor", "c001", "--village", "东山村", "--badge", "0002"),
        ("c003", "--name", "丙干部", "--supervisor", "c001", "--village", "西坑村"),
    ):
        r = run_cli("roster", "add", *args, "--since", "2020-01-01", root=root)
        assert r.returncode == 0, r.stderr
    return root


def attlog(tmp_path: Path, rows: list[tuple[str, str]], name: str = "attlog.dat") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{' ' * 5}{badge}\t{D} {clock}\t1\t0\t1\t0\n" for badge, clock in rows),
                    encoding="ascii")
    return path


def ids_on_stdout(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines() if line.strip()]


def test_zkteco_attlog_is_recorded_with_its_source_and_not_as_a_backfill(tmp_path, root):
    path = attlog(tmp_path, [("1", "07:55:10"), ("2", "08:01:00"), ("0002", "14:20:00")])
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 0, r.stderr
    ids = ids_on_stdout(r.stdout)
    assert len(ids) == 3 and all(len(i) == 12 and i[4] == "-" for i in ids)
    assert "甲书记" in r.stdout.splitlines()[0] and "morning sign-in" in r.stdout
    entries = ledger_lines(root)
    assert [e["cadre"] for e in entries] == ["c001", "c002", "c002"]
    first = entries[0]
    # the terminal's time is the event; recorded is the real moment of the import (never back-dated)
    assert first["at"] == f"{D}T07:55:10+08:00" and first["recorded"] == first["imported"] > first["at"]
    assert first["source"]["format"] == "zkteco" and first["source"]["device"] == "1"
    assert first["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    # the audit reads them as on-time sign-ins, not backfills
    audit = run_cli("audit", "--month", D[:7], "--format", "json", root=root)
    found = json.loads(audit.stdout)["violations"]
    assert not [v for v in found if v["rule"] == "signin.backfilled"]


def test_importing_the_same_punches_again_writes_nothing(tmp_path, root):
    path = attlog(tmp_path, [("1", "07:55:10"), ("2", "08:01:00")])
    assert run_cli("import", str(path), root=root).returncode == 0
    before = snapshot(root)
    again = run_cli("import", str(path), root=root)
    assert again.returncode == 0 and again.stdout == ""
    assert snapshot(root) == before
    # an overlapping export from the same terminal adds only what is new
    bigger = attlog(tmp_path, [("1", "07:55:10"), ("2", "08:01:00"), ("1", "19:20:00")], "attlog2.dat")
    r = run_cli("import", str(bigger), root=root)
    assert len(ids_on_stdout(r.stdout)) == 1 and len(ledger_lines(root)) == 3


def test_unknown_rows_are_listed_and_nothing_is_written(tmp_path, root):
    path = attlog(tmp_path, [("1", "07:55:10"), ("77", "08:00:00"), ("88", "08:03:00")])
    before = snapshot(root)
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "attlog.dat:2" in r.stderr and "attlog.dat:3" in r.stderr and "77" in r.stderr
    assert snapshot(root) == before
    skipped = run_cli("import", str(path), "--skip-unknown", root=root)
    assert skipped.returncode == 0 and len(ids_on_stdout(skipped.stdout)) == 1


def test_dry_run_shows_the_table_and_writes_nothing(tmp_path, root):
    path = attlog(tmp_path, [("1", "07:55:10"), ("2", "08:01:00")])
    before = snapshot(root)
    r = run_cli("import", str(path), "--dry-run", root=root)
    assert r.returncode == 0 and "甲书记" in r.stdout and "乙干部" in r.stdout and "nothing written" in r.stderr
    assert snapshot(root) == before


def test_pc_software_export_csv_with_bom_and_in_gbk(tmp_path, root):
    text = ("部门,姓名,考勤号码,日期时间,机器号,编号,比对方式,卡号\n"
            f"党政办,甲书记,1,{D.replace('-', '/')} 7:58:03,1,1,指纹,\n"
            f"党政办,丙干部,,{D} 08:04:00,1,2,指纹,\n")  # no badge: matched by the unique name
    bom = tmp_path / "导出-utf8.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    r = run_cli("import", str(bom), root=root)
    assert r.returncode == 0, r.stderr
    assert [e["cadre"] for e in ledger_lines(root)] == ["c001", "c003"]
    assert ledger_lines(root)[0]["source"]["format"] == "zk-export"
    gbk = tmp_path / "导出-gbk.csv"
    gbk.write_bytes(text.replace("甲书记", "乙干部").replace(",1,", ",0002,", 1).encode("gbk"))
    r = run_cli("import", str(gbk), root=root)
    assert r.returncode == 0, r.stderr
    assert [e["cadre"] for e in ledger_lines(root)][2:] == ["c002"]  # 丙干部's punch was already in


def test_pc_software_export_as_xlsx(tmp_path, root):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["部门", "姓名", "考勤号码", "日期时间", "机器号"])
    sheet.append(["党政办", "甲书记", 1, dt.datetime.combine(DAY, dt.time(19, 25)), 2])
    sheet.append(["党政办", "乙干部", "0002", f"{D} 19:31:00", 2])
    path = tmp_path / "导出.xlsx"
    save_xlsx(book, path)
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 0, r.stderr
    entries = ledger_lines(root)
    assert [(e["cadre"], e["at"][11:16]) for e in entries] == [("c001", "19:25"), ("c002", "19:31")]
    assert entries[0]["source"]["format"] == "zk-export" and entries[0]["source"]["device"] == "2"


def test_dingtalk_export_with_title_rows(tmp_path, root):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"打卡时间表 统计日期：{D} 至 {D}"])
    sheet.append(["报表生成时间：" + D])
    sheet.append(["姓名", "考勤组", "部门", "工号", "职位", "UserId", "日期", "上班1打卡时间", "上班1打卡结果",
                  "下班1打卡时间", "下班1打卡结果", "上班2打卡时间", "下班2打卡时间", "上班3打卡时间",
                  "下班3打卡时间"])
    weekday = "一二三四五六日"[DAY.weekday()]
    sheet.append(["甲书记", "乡机关", "党政办", "1", "书记", "u1", f"{D[2:]} 星期{weekday}", "07:58", "正常",
                  "12:01", "正常", "14:22", "", "19:26", "次日 00:10"])
    sheet.append(["丙干部", "乡机关", "党政办", "", "干部", "u3", D, "08:12", "迟到", "未打卡", "缺卡",
                  "", "", "", ""])
    path = tmp_path / "钉钉.xlsx"
    save_xlsx(book, path)
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 0, r.stderr
    got = [(e["cadre"], e["at"][:16]) for e in ledger_lines(root)]
    # only the clock-in cells (上班N) are sign-ins; 12:01 and 次日 00:10 are clock-outs
    assert got == [("c001", f"{D}T07:58"), ("c001", f"{D}T14:22"), ("c001", f"{D}T19:26"),
                   ("c003", f"{D}T08:12")]


def test_generic_csv_with_a_map(tmp_path, root):
    path = tmp_path / "门禁.csv"
    path.write_text(f"员工,卡号,日期,时间\n乙干部,X,{D},07:59\n丙干部,Y,{D},14:25\n", encoding="utf-8")
    refused = run_cli("import", str(path), root=root)
    assert refused.returncode == 2 and "--format" in refused.stderr
    r = run_cli("import", str(path), "--format", "csv", "--map", "name=员工,date=日期,clock=时间", root=root)
    assert r.returncode == 0, r.stderr
    assert [e["cadre"] for e in ledger_lines(root)] == ["c002", "c003"]


def test_old_punches_count_only_with_an_approver(tmp_path, root):
    old = (TODAY - dt.timedelta(days=12)).isoformat()
    path = tmp_path / "old.dat"
    path.write_text(f"2\t{old} 08:00:00\t1\t0\t1\t0\n", encoding="ascii")
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 0 and "older than the import limit" in r.stderr
    entry = ledger_lines(root)[0]
    assert entry["recorded"] > entry["at"] and "approver" not in entry  # a backfill: covers nothing
    path2 = tmp_path / "old2.dat"
    path2.write_text(f"2\t{old} 14:30:00\t1\t0\t1\t0\n", encoding="ascii")
    selfish = run_cli("import", str(path2), "--approver", "c002", "--reason", "停电", root=root)
    assert selfish.returncode == 2
    r = run_cli("import", str(path2), "--approver", "c001", "--reason", "考勤机故障", root=root)
    assert r.returncode == 0, r.stderr
    assert ledger_lines(root)[1]["approver"] == "c001"


def test_a_write_that_fails_midway_leaves_the_ledger_as_it_was(tmp_path, root):
    """A real fault: the file-size limit stops the append partway (as a full disk would)."""
    first = attlog(tmp_path, [("1", "07:55:10")], "first.dat")
    assert run_cli("import", str(first), root=root).returncode == 0
    before = snapshot(root)
    month_file = next((root / "ledgers").glob("20*.yaml"))
    size = month_file.stat().st_size
    many = attlog(tmp_path, [("2", f"{h:02d}:{m:02d}:00") for h in range(0, 24) for m in (5, 35)], "many.dat")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 300, size + 300))

    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("ZOUDU_")}
    env["ZOUDU_LANG"] = "en"
    r = subprocess.run([sys.executable, "-m", "zoudu", "--root", str(root), "import", str(many)],
                       capture_output=True, text=True, encoding="utf-8", env=env, preexec_fn=limit, timeout=120)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert snapshot(root) == before
    assert run_cli("verify", root=root).returncode == 0


def test_badges_on_the_roster_are_checked(root):
    taken = run_cli("roster", "add", "c009", "--name", "丁", "--badge", "02", "--since", "2020-01-01", root=root)
    assert taken.returncode == 2 and "already" in taken.stderr
    bad = run_cli("roster", "add", "c009", "--name", "丁", "--badge", "１２", "--since", "2020-01-01", root=root)
    assert bad.returncode == 2


def test_the_same_machine_through_another_export_adds_nothing_twice(tmp_path, root):
    assert run_cli("import", str(attlog(tmp_path, [("1", "07:55:10")])), root=root).returncode == 0
    export = tmp_path / "导出.csv"
    export.write_text(f"部门,姓名,考勤号码,日期时间,机器号\n党政办,甲书记,1,{D} 07:55:10,1\n"
                      f"党政办,甲书记,1,{D} 14:20:00,1\n", encoding="utf-8")
    r = run_cli("import", str(export), root=root)
    assert r.returncode == 0 and len(ids_on_stdout(r.stdout)) == 1 and len(ledger_lines(root)) == 2


@pytest.mark.parametrize("content, message", [
    (b"hello world\n", "cannot tell which export"),
    (b"PK\x03\x04 not really a workbook", "cannot read the workbook"),
    (b"\xff\xfe\x00\xd8broken", "cannot"),
    (b"  1\t2026-11-31 08:00:00\t1\t0\t1\t0\n", "does not exist"),
])
def test_bad_files_are_one_line_and_write_nothing(tmp_path, root, content, message):
    path = tmp_path / "bad.dat"
    path.write_bytes(content)
    before = snapshot(root)
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    assert snapshot(root) == before


def test_hostile_text_in_a_file_reaches_the_terminal_harmless(tmp_path, root):
    path = tmp_path / "导出.csv"
    path.write_text(f"部门,姓名,考勤号码,日期时间,机器号\n党政办,\x1b[31m某人,999,{D} 08:00:00,1\n", encoding="utf-8")
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 2 and "\x1b" not in r.stderr and "导出.csv:2" in r.stderr


def test_a_badge_is_matched_with_the_roster_of_the_punchs_day(tmp_path, root):
    """A badge handed on to another cadre from a day: earlier punches stay the first holder's."""
    assert run_cli("roster", "set", "c002", "--badge", "77", "--from", TODAY.isoformat(), root=root).returncode == 0
    assert run_cli("roster", "set", "c003", "--badge", "2", "--from", TODAY.isoformat(), root=root).returncode == 0
    path = attlog(tmp_path, [("0002", "08:01:00")])  # yesterday: badge 0002 was still 乙干部's
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 0, r.stderr
    assert [e["cadre"] for e in ledger_lines(root)] == ["c002"]


def test_punches_inside_the_import_limit_are_not_warned_as_late(tmp_path, root):
    path = attlog(tmp_path, [("1", "07:55:10"), ("2", "08:01:00")])
    r = run_cli("import", str(path), root=root)
    assert r.returncode == 0 and "import limit" not in r.stderr, r.stderr
