"""A township's real first month, as a new clerk keeps it through the command line (docs/guide.md).

石庄乡 starts its ledger on Monday 2026-11-16 (``init --from``), with six cadres: the party secretary
c001 and the township head c002 on the leadership team (neither names a supervisor), and four
cadres, each with an assigned village. The office's ZKTeco terminal exports a cumulative
``attlog.dat`` every Friday night and on 1 December; the secretary and c006 sign in with DingTalk,
whose weekly ``.xlsx`` has clock-in and clock-out columns (a clock-out ``次日 00:10`` among them).
Every workday's day slots are the office in the morning and, Monday to Wednesday, a witnessed
village visit copied in from the field diary on Friday; Friday afternoon is the study at the office.

What a clerk knows happened, and so expects the audit to find:

- c004 李四 is the commuter: he punches on his way out at 17:40 and is never there at 19:30 (every
  counted evening missed, no night in either week, and found absent at both evening spot checks);
- c005 王五 missed two whole Thursdays;
- c002 黄乡长's evening of 11-18 was typed the next morning without an approver and never approved:
  it counts for nothing (a warning, the evening missed, a night short).

And nothing else: not the weeks before the start, not a clock-out as a sign-in, not a punch
outside the windows, not the party secretary as unsupervised, not the two evenings typed late
but approved (one at entry, one afterwards with ``zoudu approve``), not c003's sick day. The
clock: every command runs at its moment of the month (the workspace's clock, as the demo's
generator sets it), so what is on time and what is typed late is as it would be.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import unicodedata
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from pypdf import PdfReader

from tests.support.punches import attlog, entries, save_xlsx
from tests.support.workspace import REPO, TZ, Clock, run_cli, set_phone
from zoudu.ledger.workspace import Workspace

_spec = importlib.util.spec_from_file_location("notice_pdf", REPO / "tools" / "notice_pdf.py")
notice_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notice_pdf)

MONTH = "2026-11"
START = dt.date(2026, 11, 16)  # a Monday: ISO week 47
WORKDAYS = [START + dt.timedelta(days=n) for n in range(15) if (START + dt.timedelta(days=n)).weekday() < 5]
WEEKS = (WORKDAYS[:5], WORKDAYS[5:10], WORKDAYS[10:])  # as the terminals are read: Fridays, and on 1 December
COUNTED_EVENINGS = [d for d in WORKDAYS if d.weekday() < 4]  # a workday followed by a workday (Nov 30 too)
CADRES = (
    ("c001", "--name", "刘书记", "--post", "党委书记", "--team", "--village", "东山村", "--badge", "1"),
    ("c002", "--name", "黄乡长", "--post", "党委副书记、乡长", "--team", "--village", "西岭村", "--badge", "2"),
    ("c003", "--name", "张伟", "--post", "干部", "--supervisor", "c002", "--village", "石庄村", "--badge", "3"),
    ("c004", "--name", "李四", "--post", "干部", "--supervisor", "c002", "--village", "富溪村", "--badge", "4"),
    ("c005", "--name", "王五", "--post", "干部", "--supervisor", "c001", "--village", "官山村", "--badge", "5"),
    ("c006", "--name", "赵六", "--post", "干部", "--supervisor", "c001", "--village", "尧家村", "--badge", "6"),
)
VILLAGE = {c[0]: c[c.index("--village") + 1] for c in CADRES}
NAME = {c[0]: c[2] for c in CADRES}
SERVING_SINCE = {"c001": "2021-09-06", "c002": "2023-03-01", "c003": "2023-05-08", "c004": "2024-01-02"}
DRIVER = "9"  # the office's driver punches the terminal too; he is not a cadre
ZKTECO = ("c002", "c003", "c004", "c005")
DINGTALK = ("c001", "c006")
MISSED_DAYS = {"c005": (dt.date(2026, 11, 19), dt.date(2026, 11, 26))}
SICK = ("c003", dt.date(2026, 11, 27))
STAY = ("c003", dt.date(2026, 11, 25))  # a witnessed night in the village: no evening at the office
TYPED_LATE = {  # the evening the terminal or the phone missed, typed the next morning
    "approved at entry": ("c003", dt.date(2026, 11, 17)),
    "never approved": ("c002", dt.date(2026, 11, 18)),
    "approved afterwards": ("c006", dt.date(2026, 11, 23)),
}
SPOT_CHECKS = (("2026-11-18T20:05", "c001"), ("2026-11-24T20:10", "c002"))
WITNESSES = ("李大爷", "王秀英", "陈会计", "张组长", "刘老师", "周大姐", "吴支书", "郑队长", "黄大妈")
PUBLISHED = "2026-12-01"


def village_day(day: dt.date) -> bool:
    return day.weekday() < 3


def evening_typed_late(cadre: str, day: dt.date) -> bool:
    return (cadre, day) in TYPED_LATE.values()


def present(cadre: str, day: dt.date) -> bool:
    return day not in MISSED_DAYS.get(cadre, ()) and (cadre, day) != SICK


def clock_ins(cadre: str, day: dt.date) -> list[dt.datetime]:
    """What the terminal or DingTalk holds of the cadre's day (c004 punches as he leaves, at 17:40)."""
    if not present(cadre, day):
        return []
    n = int(cadre[-1])
    times = [dt.time(7, 50 + n)]
    if not village_day(day):
        times.append(dt.time(14, 20 + n))
    if cadre == "c004":
        times.append(dt.time(17, 40))  # off home: outside every window, and no evening
    elif day.weekday() < 4 and not evening_typed_late(cadre, day) and (cadre, day) != STAY:
        times.append(dt.time(19, 20 + n))
    if cadre == "c003" and not village_day(day):
        times.append(dt.time(12, 3))  # out for lunch
    return [dt.datetime.combine(day, t) for t in times]


def dingtalk_rows(days: list[dt.date]) -> list[list[str]]:
    """DingTalk's 打卡时间表: title rows, the header, one row a person a day, clock-outs beside the clock-ins."""
    header = ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "日期", "上班1打卡时间", "上班1打卡结果",
              "下班1打卡时间", "下班1打卡结果", "上班2打卡时间", "上班2打卡结果", "下班2打卡时间", "下班2打卡结果",
              "上班3打卡时间", "上班3打卡结果", "下班3打卡时间", "下班3打卡结果"]
    rows = [[f"打卡时间表 统计日期：{days[0]} 至 {days[-1]}"], [f"报表生成时间：{days[-1]} 21:00"], header]
    for day in days:
        for cadre in DINGTALK:
            ins = {t.hour // 6: f"{t:%H:%M}" for t in clock_ins(cadre, day)}  # 1: morning, 2: afternoon, 3: evening
            row = [NAME[cadre], "乡机关", "党政办", cadre[-1], "干部", f"u{cadre[-1]}",
                   f"{day:%y-%m-%d} 星期{'一二三四五六日'[day.weekday()]}"]
            lunch = "12:01" if 2 in ins else ""
            leave = "17:35" if 2 in ins else ""
            late_out = ("次日 00:10" if cadre == "c001" else "21:48") if 3 in ins else ""
            for clock_in, clock_out in ((ins.get(1, ""), lunch), (ins.get(2, ""), leave), (ins.get(3, ""), late_out)):
                row += [clock_in, "正常" if clock_in else "缺卡", clock_out or "未打卡", "正常" if clock_out else "缺卡"]
            rows.append(row)
    return rows


class Month:
    """The workspace and what the clerk saw at each step."""

    def __init__(self, root: Path, key: dict[str, str], clock: Clock):
        self.root, self.key, self.clock = root, key, clock
        self.said: dict[str, object] = {}

    def at(self, moment: str, *args: str, lang: str = "zh", code: int = 0):
        self.clock.set(moment)
        r = run_cli(*args, root=self.root, lang=lang, env=self.key)
        assert r.returncode == code, (moment, args, r.stdout, r.stderr)
        return r


def run_the_month(tmp: Path, clock: Clock) -> Month:
    """The clerk's month: the township set up on the 16th, then every step at its moment, in time order
    (the ledger refuses a clock that goes back)."""
    root = tmp / "石庄乡"
    key = {"ZOUDU_KEY": str(tmp / "secret" / "township.key")}
    clock.set("2026-11-16T08:40")
    r = run_cli("init", str(root), "--township", "石庄乡", "--county", "崇仁县", "--from", START.isoformat(), env=key)
    assert r.returncode == 0, r.stderr
    m = Month(root, key, clock)
    set_phone(root)
    m.at("2026-11-16T08:45", "keys", "init")
    for cadre in CADRES:  # the long-serving with the day they took up their post; the others from today
        since = ("--since", SERVING_SINCE[cadre[0]]) if cadre[0] in SERVING_SINCE else ()
        m.at("2026-11-16T08:50", "roster", "add", *cadre, *since)
    steps: list[tuple[str, int, Callable[[], object]]] = []

    def step(moment: str, *args: str, label: str | None = None, code: int = 0) -> None:
        def action() -> None:
            r = m.at(moment, *(arg() if callable(arg) else arg for arg in args), code=code)
            if label:
                m.said[label] = r
        steps.append((moment, len(steps), action))

    typed_and_decided(step, m.said)
    terminals_and_diaries(step, tmp)
    # the Friday before the month ends, once the week's punches and diaries are in: a first look
    step("2026-11-27T21:30", "audit", "--month", MONTH, "--format", "json", label="audit on the 27th", code=1)
    for _moment, _order, action in sorted(steps, key=lambda s: (s[0], s[1])):
        action()
    return m


def typed_and_decided(step, said: dict) -> None:
    """Evenings typed the next morning, an approval afterwards, two evening spot checks, a sick day."""
    reasons = {"approved at entry": ("--approver", "c002", "--reason", "考勤机未识别指纹，值班签到表为证")}
    for label, moment in (("approved at entry", "2026-11-18T08:40"), ("never approved", "2026-11-19T08:07"),
                          ("approved afterwards", "2026-11-24T08:07")):
        cadre, _day = TYPED_LATE[label]
        step(moment, "checkin", NAME[cadre], "--at", "昨天 19:30", *reasons.get(label, ()), label=label)
    step("2026-11-24T10:00", "approve", lambda: said["approved afterwards"].stdout.split()[0],
         "--approver", "c001", "--reason", "钉钉未打上卡，值班签到表为证", label="approve")
    for moment, by in SPOT_CHECKS:
        step(moment, "inspect", "--by", by, "--at", moment.replace("T", " "), "--present", "c003",
             "--present", "c005", "--present", "c006", "--absent", "c004")
    cadre, day = SICK
    step("2026-11-26T16:30", "leave", NAME[cadre], "--from", str(day), "--to", str(day), "--kind", "病假",
         "--approver", "c002")


def terminals_and_diaries(step, tmp: Path) -> None:
    """Each Friday night (and on 1 December): the terminal's cumulative attlog, the week's DingTalk
    export, and the week's field diaries copied in."""
    moments = ("2026-11-20T21:00", "2026-11-27T21:00", "2026-12-01T09:00")
    for n, (days, moment) in enumerate(zip(WEEKS, moments)):
        so_far = [d for week in WEEKS[:n + 1] for d in week]
        punches = [(c[-1], at) for d in so_far for c in ZKTECO for at in clock_ins(c, d)]
        punches += [(DRIVER, dt.datetime.combine(d, dt.time(7, 40))) for d in so_far]  # on the terminal, no cadre
        if n == 2:  # the export on the 1st holds that morning's punches (December's file)
            punches += [(c[-1], dt.datetime(2026, 12, 1, 7, 52)) for c in ZKTECO]
        dat = attlog(tmp / f"attlog-{n}.dat", sorted(punches, key=lambda p: p[1]))
        book = openpyxl.Workbook()
        for row in dingtalk_rows(days):
            book.active.append(row)
        xlsx = tmp / f"钉钉打卡-{n}.xlsx"
        save_xlsx(book, xlsx)
        if n == 0:  # the first import names the badge no cadre has, and writes nothing
            step(moment, "import", str(dat), label="zkteco refused", code=2)
        step(moment, "import", str(dat), "--skip-unknown", label=f"zkteco {n}")
        step(moment, "import", str(xlsx), label=f"dingtalk {n}")
        for day in filter(village_day, days):
            for cadre in (c for c, *_ in CADRES if present(c, day)):
                stay = ("--stay",) if (cadre, day) == STAY else ()
                witness = WITNESSES[(day.day + int(cadre[-1])) % len(WITNESSES)]
                step(moment, "village", NAME[cadre], "--village", VILLAGE[cadre], "--witness", witness,
                     "--at", f"{day} 21:30" if stay else f"{day} 10:00", *stay, "--note", "走访脱贫监测户，了解医保缴费情况")


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """The month as recorded, then audited and published on 1 December (which seals it)."""
    the_clock = Clock(dt.datetime(2026, 11, 16, 8, 0, tzinfo=TZ))
    original = Workspace.__init__

    def at_the_clock(self, root, clock=None):
        original(self, root, clock=clock or the_clock)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Workspace, "__init__", at_the_clock)
        tmp = tmp_path_factory.mktemp("first-month")
        m = run_the_month(tmp, the_clock)
        m.said["audit"] = m.at("2026-12-01T10:00", "audit", "--month", MONTH, "--format", "json", code=1)
        m.said["audit table"] = m.at("2026-12-01T10:00", "audit", "--month", MONTH, code=1)
        m.said["audit en"] = m.at("2026-12-01T10:00", "audit", "--month", MONTH, "--format", "json", lang="en",
                                  code=1)
        m.said["audit table en"] = m.at("2026-12-01T10:00", "audit", "--month", MONTH, lang="en", code=1)
        m.html = tmp / "公示-2026-11.html"
        m.said["publish"] = m.at("2026-12-01T10:30", "publish", "--month", MONTH, "--format", "html",
                                 "-o", str(m.html), "--date", PUBLISHED)
        m.said["publish csv"] = m.at("2026-12-01T10:31", "publish", "--month", MONTH, "--format", "csv",
                                     "--date", PUBLISHED)
        m.html_en = tmp / "notice-2026-11.html"  # the format from the file's extension
        m.said["publish en"] = m.at("2026-12-01T10:32", "publish", "--month", MONTH, "-o", str(m.html_en),
                                    "--date", PUBLISHED, lang="en")
        m.said["audit sealed"] = m.at("2026-12-01T10:40", "audit", "--month", MONTH, "--format", "json", code=1)
        m.said["log"] = m.at("2026-12-01T10:40", "log", "--month", MONTH)
        m.said["verify"] = m.at("2026-12-01T10:40", "verify")
        m.said["dossier"] = m.at("2026-12-01T10:40", "dossier", "李四", "--from", MONTH, "--to", MONTH)
        m.tmp = tmp
        yield m


def key(v: dict) -> tuple[str, str, str, str, str]:
    return (v["cadre"] or "", v["rule"], v["date"] or "", v["slot"] or "", v["week"] or "")


def expected() -> list[tuple[str, str, str, str, str]]:
    """Every finding the clerk expects, and only those."""
    out = []
    cadre, day = TYPED_LATE["never approved"]  # counts for nothing: the evening, so a night of the week
    out += [(cadre, "signin.backfilled", str(day), "evening", ""), (cadre, "signin.missing", str(day), "evening", ""),
            (cadre, "week.nights", "", "", "2026-W47")]
    out += [("c004", "signin.missing", str(day), "evening", "") for day in COUNTED_EVENINGS]  # the commuter
    out += [("c004", "inspection.absent", moment[:10], "evening", "") for moment, _by in SPOT_CHECKS]
    out += [("c004", "week.nights", "", "", week) for week in ("2026-W47", "2026-W48")]
    for day in MISSED_DAYS["c005"]:  # whole Thursdays: three slots, a township day and a night short
        out += [("c005", "signin.missing", str(day), slot, "") for slot in ("morning", "afternoon", "evening")]
    out += [("c005", rule, "", "", week) for rule in ("week.nights", "week.township_days")
            for week in ("2026-W47", "2026-W48")]
    return sorted(out)


def obj(month: Month, said: str = "audit") -> dict:
    return json.loads(month.said[said].stdout)


def cadre_of(result: dict, cadre: str) -> dict:
    (c,) = [c for c in result["cadres"] if c["cadre"] == cadre]
    return c


def test_late_typing_is_said_at_entry_and_approved_afterwards(month):
    never, afterwards = month.said["never approved"], month.said["approved afterwards"]
    for r in (never, afterwards):
        entry = r.stdout.split()[0]
        assert "补录，未经批准，不计入考勤" in r.stdout and "准时" not in r.stdout, r.stdout
        assert f"zoudu approve {entry} --approver" in r.stderr, r.stderr
    at_entry = month.said["approved at entry"]
    assert "补签，批准人 黄乡长" in at_entry.stdout and "不计入" not in at_entry.stdout + at_entry.stderr
    late = afterwards.stdout.split()[0]
    assert f"补批 {late}：批准人 刘书记" in month.said["approve"].stdout


def test_imports_keep_what_the_terminals_recorded(month):
    clock_outs = sum(1 for days in WEEKS for row in dingtalk_rows(days)[3:] for cell in row[9::4] if cell != "未打卡")
    said = [month.said[f"dingtalk {n}"].stderr for n in range(3)]
    counted = [int(re.search(r"下班打卡 ([0-9]+) 条未登记", s).group(1)) for s in said]
    assert sum(counted) == clock_outs and clock_outs > 30, said
    assert "已登记过 42 条" in month.said["zkteco 1"].stderr  # the terminal's file is cumulative
    refused = month.said["zkteco refused"]
    assert refused.stdout == "" and len(refused.stderr.strip().splitlines()) == 1 and "--skip-unknown" in refused.stderr
    assert "新登记 42 条" in month.said["zkteco 0"].stderr  # then the cadres' punches, the driver's left out
    stored = {(e["cadre"], e["at"][:16]) for e in entries(month.root) if e.get("kind") == "checkin"}
    for cadre in DINGTALK:
        clocks = {at[11:] for c, at in stored if c == cadre}
        assert clocks.isdisjoint({"12:01", "17:35", "21:48", "00:10"}), clocks  # no clock-out became a sign-in
    assert not [at for _c, at in stored if at.startswith("2026-12-01T00")]  # 次日 00:10 is no sign-in either
    lines = month.said["log"].stdout.splitlines()
    imported = [line for line in lines if "导入自" in line]
    assert len(imported) == sum(len(clock_ins(c, d)) for c, *_ in CADRES for d in WORKDAYS)
    assert not [line for line in imported if "补录" in line]  # imported within the limit: no backfill
    assert [line for line in lines if "不计入" in line] == [
        line for line in lines if line.startswith(month.said["never approved"].stdout.split()[0])]


def test_the_audit_finds_what_the_clerk_expects_and_nothing_else(month):
    result = obj(month)
    assert sorted(key(v) for v in result["violations"]) == expected()
    assert {v["severity"] for v in result["violations"] if v["rule"] != "signin.backfilled"} == {"error"}
    assert all(v["status"] == "standing" for v in result["violations"])
    dates = [v["date"] for v in result["violations"] if v["date"]]
    assert min(dates) >= START.isoformat()  # nothing before the records start
    assert result["anomalies"] == []  # nor a question: every diary has its own villagers' signatures


def test_an_audit_before_the_month_ends_finds_what_is_due(month):
    """On Friday the 27th, 21:30: what was due by then, and not the week still running (W48) or the 30th."""
    result = obj(month, "audit on the 27th")
    due = [k for k in expected() if k[4] != "2026-W48" and k[2] < "2026-11-28"]
    assert sorted(key(v) for v in result["violations"]) == due
    assert [w["checked"] for w in cadre_of(result, "c004")["weeks"] if w["week"] in ("2026-W47", "2026-W48")] == [
        True, False]


def test_the_tree_and_the_figures(month):
    result = obj(month)
    assert result["unsupervised"] == [] and not any("c00" in n for n in result["notices"]), result["notices"]
    liable = {row["supervisor"]: (row["subordinates"], row["own"]) for row in result["liability"]}
    assert liable == {"c001": ({"c002": 2, "c005": 10}, 0), "c002": ({"c004": 13}, 2)}
    for c in result["cadres"]:
        for week in c["weeks"]:
            if week["week"] in ("2026-W45", "2026-W46"):
                assert week["available"] == 0, (c["cadre"], week)
    assert [(c["cadre"], c["errors"], c["warnings"]) for c in result["cadres"]] == [
        ("c001", 0, 0), ("c002", 2, 1), ("c003", 0, 0), ("c004", 13, 0), ("c005", 10, 0), ("c006", 0, 0)]
    commuter, sick = cadre_of(result, "c004"), cadre_of(result, "c003")
    # the punches on the way out (17:40) and out to lunch (12:03) are kept, but are no sign-ins made
    assert commuter["signins_made"] == commuter["signins_valid"] == 2 * len(WORKDAYS) - len(
        [d for d in WORKDAYS if village_day(d)])
    assert sick["signins_made"] == sick["signins_valid"] and sick["leave_days"] == 1
    backfills = {b["id"]: b for b in cadre_of(result, "c006")["backfills"]}
    late = month.said["approved afterwards"].stdout.split()[0]
    assert backfills[late]["approver"] == "c001" and "钉钉未打上卡" in backfills[late]["reason"]


def test_the_audit_in_english_says_the_same(month):
    zh, en = obj(month), obj(month, "audit en")
    assert sorted(key(v) for v in en["violations"]) == expected()
    table = month.said["audit table en"].stdout
    assert "25 error(s), 1 warning(s)" in table
    assert "missed sign-in ×9, absent at a spot check ×2, too few nights in the township ×2" in table
    (backfill,) = [v for v in en["violations"] if v["rule"] == "signin.backfilled"]
    assert backfill["message"].endswith("it counts for nothing")
    assert "刘书记 │" in table and "黄乡长 (c002) ×2, 王五 (c005) ×10" in table
    assert not re.search(r"[\u4e00-\u9fff]{2,}（", table)  # no Chinese sentence left untranslated
    zh_table = month.said["audit table"].stdout
    for said in (table, zh_table):  # the weeks before the records start were not audited: no column of 0/0
        assert "2026-W45" not in said and "2026-W46" not in said and "2026-W47" in said and "2026-W48" in said
    assert "违规 25 项，提醒 1 项" in zh_table and "缺签到 ×9、督查时不在岗 ×2、在乡住宿晚数不足 ×2" in zh_table


def test_the_sealed_month_stands_as_audited(month):
    assert sorted(key(v) for v in obj(month, "audit sealed")["violations"]) == expected()
    assert month.said["verify"].returncode == 0
    dossier = month.said["dossier"].stdout  # the commuter's archive: his weeks since records began
    assert "2026-W47" in dossier and "2026-W48" in dossier and "2026-W46" not in dossier


ROWS = {  # 编号 -> (应签到, 实签到, 有效签到, 夜宿, 缺勤, 抽查在岗, 抽查不在岗, 备注, 请假与公出)
    "c001": ("31", "24", "24", "9", "0", "0", "0", "无违规", ""),
    "c002": ("31", "24", "23", "8", "1", "0", "0", "缺签1次；夜宿不足1周；补签未经批准1次", ""),
    "c003": ("29", "21", "21", "9", "0", "2", "0", "无违规", "病假 11月27日"),
    "c004": ("31", "15", "15", "0", "9", "0", "2", "抽查不在岗2次；缺签9次；夜宿不足2周", ""),
    "c005": ("31", "18", "18", "7", "6", "2", "0", "缺签6次；夜宿不足2周；在乡天数不足2周", ""),
    "c006": ("31", "24", "24", "9", "0", "2", "0", "无违规", ""),
}


def test_the_notice_holds_the_expected_rows(month):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(month.said["publish csv"].stdout.lstrip("\ufeff"))))
    header = next(row for row in rows if row and row[0] == "编号")
    columns = ("应签到次数", "实签到次数", "有效签到次数", "夜宿天数", "缺勤次数", "抽查在岗", "抽查不在岗", "备注",
               "请假与公出")
    got = {row[0]: tuple(dict(zip(header, row))[c] for c in columns) for row in rows
           if row and re.fullmatch(r"c00[1-6]", row[0])}
    assert got == ROWS
    html = month.html.read_text(encoding="utf-8")
    assert "石庄乡干部2026年11月出勤情况公示" in html and "0794-6321358" in html
    for clock in ("17:40", "12:03", "12:01", "17:35", "21:48", "00:10"):
        assert f">{clock}<" not in html, clock  # no clock-out, no punch outside the windows, on the board
    assert "非规定时间" not in html and "非规定时间" not in month.said["publish csv"].stdout


def calendar(html: str, cadre: str) -> dict[int, str]:
    """The cadre's calendar on the notice: day of the month -> its mark."""
    (cal,) = [part for part in html.split('<div class="cal">')[1:]
              if f">{NAME[cadre]}</span>" in part.split("</div>")[0]]
    return {int(day): mark for mark, day in re.findall(r'<td class="m-([a-z]+)"><div class="c"><div class="l">'
                                                        r'<span class="d">([0-9]+)</span>', cal)}


def test_the_calendar_says_when_records_began(month):
    """Before the 16th the long-serving were on the roster, not yet recorded: not 不在册 (—), but 未."""
    html = month.html.read_text(encoding="utf-8")
    for cadre, *_ in CADRES:
        days = calendar(html, cadre)
        assert len(days) == 30
        before = {days[d] for d in range(1, START.day)}
        assert before == ({"unrecorded"} if cadre in SERVING_SINCE else {"off"}), (cadre, before)
        assert not {days[d] for d in range(START.day, 31)} & {"unrecorded", "off"}, cadre
    assert '<span class="s">未</span>' in html and "本乡台账开始记录之前" in html and "不在册" in html


def test_the_printed_notice_has_no_text_over_text(month, tmp_path):
    from tests.test_notice_holds_any_month import (SIGNOFF_ZH, assert_nothing_drawn_over,
                                                    assert_signoff_boxes_empty, date_zh, plain)

    pdf = notice_pdf.print_pdf(month.html, tmp_path / "公示.pdf")
    reader = PdfReader(str(pdf))
    boxes = notice_pdf.text_boxes(pdf)
    assert_nothing_drawn_over(boxes)
    assert_signoff_boxes_empty(boxes, SIGNOFF_ZH, ("年月日", date_zh(PUBLISHED)), len(reader.pages))
    text = plain(reader)
    for cadre, row in ROWS.items():
        assert unicodedata.normalize("NFKC", NAME[cadre]) in text
        assert unicodedata.normalize("NFKC", "".join(row[7].split())) in text, (cadre, row[7])
    assert "非规定时间" not in text


def test_the_printed_notice_in_english_too(month, tmp_path):
    from tests.test_notice_holds_any_month import assert_nothing_drawn_over, assert_signoff_boxes_empty

    html = month.html_en.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    pdf = notice_pdf.print_pdf(month.html_en, tmp_path / "notice.pdf")
    boxes = notice_pdf.text_boxes(pdf)
    assert_nothing_drawn_over(boxes)
    assert_signoff_boxes_empty(boxes, ("Responsibleleader(signature):", "Officialsealofthetownship:"),
                               ("Date:", PUBLISHED), len(PdfReader(str(pdf)).pages))
