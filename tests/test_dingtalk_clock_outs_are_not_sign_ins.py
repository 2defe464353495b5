"""A DingTalk export: only the clock-in columns (上班N打卡时间) are sign-ins; the clock-out columns
(下班N打卡时间, ``次日 00:10`` among them) are not recorded and the summary counts them (docs/guide.md)."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

from tests.support.workspace import run_cli as zoudu
from tests.support.punches import save_xlsx, days_ago, entries, ledger_bytes, township, violations

HEADER = ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "日期", "上班1打卡时间", "上班1打卡结果",
          "下班1打卡时间", "下班1打卡结果", "上班2打卡时间", "下班2打卡时间", "上班3打卡时间", "下班3打卡时间"]


def rows(day: dt.date, before: dt.date) -> list[list[str]]:
    weekday = "一二三四五六日"[day.weekday()]
    return [
        [f"打卡时间表 统计日期：{before} 至 {day}"],
        ["报表生成时间：" + day.isoformat()],
        HEADER,
        ["李四", "乡机关", "党政办", "3", "干部", "u3", f"{day.isoformat()[2:]} 星期{weekday}", "07:58", "正常",
         "12:01", "正常", "14:22", "", "19:26", "次日 00:10"],
        ["王五", "乡机关", "党政办", "4", "干部", "u4", day.isoformat(), "08:03", "正常", "未打卡", "缺卡",
         "14:29", "18:02", "", ""],
        # a clock-in after midnight: DingTalk writes it as the next day's
        ["王五", "乡机关", "党政办", "4", "干部", "u4", before.isoformat(), "", "", "", "", "", "",
         "次日 00:05", ""],
    ]


def write(path, table) -> None:
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        for row in table:
            book.active.append(row)
        save_xlsx(book, path)
    else:
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(table)


@pytest.mark.parametrize("name", ["钉钉.xlsx", "钉钉.csv"])
def test_only_clock_ins_are_recorded_and_clock_outs_are_counted(tmp_path, name):
    root = township(tmp_path / "w")
    day, before = days_ago(1), days_ago(2)
    path = tmp_path / name
    write(path, rows(day, before))
    dry = zoudu("import", str(path), "--dry-run", root=root)
    assert dry.returncode == 0 and "3 clock-out(s) not recorded" in dry.stderr, dry.stderr
    r = zoudu("import", str(path), root=root)
    assert r.returncode == 0, r.stderr
    assert "3 clock-out(s) not recorded" in r.stderr and "4 new" not in r.stderr
    got = [(e["cadre"], e["at"][:16]) for e in entries(root)]
    assert sorted(got) == sorted([
        ("c003", f"{day}T07:58"), ("c003", f"{day}T14:22"), ("c003", f"{day}T19:26"),
        ("c004", f"{day}T08:03"), ("c004", f"{day}T14:29"),
        ("c004", f"{day}T00:05"),  # 次日 00:05 on the row of the day before
    ])
    assert not any(at.endswith(("12:01", "18:02", "00:10")) for _c, at in got)
    found = [v for v in violations(root, day.isoformat()[:7]) if v["cadre"] in ("c003", "c004")
             and v["rule"] == "signin.outside_window"]
    assert found == []
    again = zoudu("import", str(path), root=root)
    assert again.returncode == 0 and again.stdout == "" and "3 clock-out(s) not recorded" in again.stderr


def test_an_export_with_only_clock_outs_records_nothing(tmp_path):
    root = township(tmp_path / "w")
    day = days_ago(1)
    path = tmp_path / "钉钉.csv"
    write(path, [HEADER, ["李四", "", "", "3", "", "", day.isoformat(), "", "", "12:01", "", "", "18:00", "", ""]])
    before = ledger_bytes(root)
    r = zoudu("import", str(path), root=root)
    assert r.returncode == 2 and "no punches" in r.stderr
    assert ledger_bytes(root) == before
