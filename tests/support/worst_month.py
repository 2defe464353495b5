"""The worst month a notice sheet has to hold: 40 cadres, every one of them misses whole days.

    python -m tests.support.worst_month DIR [--month 2026-11]

makes a workspace in DIR (which must not exist) as a clerk would have recorded it, each entry at
its time: long names (compound surnames, Uyghur names with their middle dot) and long posts,
whole days missed, single slots missed, late sign-ins, several sign-ins a day, punches outside
every window, a sign-in typed a day late and never approved, leave and official trips (one
cancelled early: 销假), village days and nights stayed, spot checks that find cadres absent,
reports upheld and pending, and the three evaluations. The browser test
(``tests/test_notice_holds_any_month.py``) prints its notice and looks for text drawn over text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from zoudu.audit.workdays import Calendar
from zoudu.ledger import record, record_roster
from zoudu.ledger.create import init_workspace
from zoudu.ledger.workspace import Workspace
from zoudu.timeparse import month_days

from tests.support.workspace import TZ, Clock, set_phone

CADRES = 40
NAMES = (
    "李卫东", "黄国平", "欧阳建国", "司马晓红", "阿不都热合曼·买买提", "古丽娜尔·艾买提江", "上官婉清", "诸葛明亮",
    "张伟", "张伟", "王秀兰", "刘德华", "陈建国", "杨丽娟", "赵志刚", "周慧敏", "吴海燕", "郑成功", "孙晓梅",
    "朱红军", "胡建平", "郭美玲", "何振华", "高秀英", "林俊杰", "罗振宇", "梁永强", "宋玉兰", "谢晓峰",
    "韩梅梅", "唐国强", "冯小刚", "于晓光", "董明珠", "萧红梅", "程建军", "曹雪琴", "袁隆平", "邓亚萍",
    "买买提江·吐尔逊",
)
TEAM_POSTS = ("党委书记", "党委副书记、纪委书记、监察室主任", "党委副书记、乡长", "党委委员、常务副乡长",
              "党委委员、人大主席团专职副主席", "党委委员、武装部部长兼综治中心主任",
              "党委委员、组织委员、党建工作办公室主任", "党委委员、宣传统战委员")
POSTS = ("乡村振兴工作站站长兼农业综合服务中心主任", "社会事务综合服务中心副主任", "干部", "党政综合办公室科员",
         "自然资源和生态环境保护所所长", "退役军人服务站站长", "便民服务中心主任（兼）")
VILLAGES = ("石庄村", "富溪村", "官山村", "尧家村", "上坪岭下自然村联合村", "东山村", "西岭村")
TEAM = 8  # c001 … c008 on the leadership team; c002 leads the discipline group
SLOT_TIMES = ("08:02", "14:33", "19:35")


def _cid(i: int) -> str:
    return f"c{i + 1:03d}"


def make_worst_month(root: Path, month: str = "2026-11") -> Path:
    """The workspace, every entry recorded at its time; the clock ends after the month's last week."""
    days = month_days(month)
    clock = Clock(dt.datetime.combine(days[0] - dt.timedelta(days=40), dt.time(9, 0), TZ))
    init_workspace(root, "石庄乡", "崇仁县")
    set_phone(root)
    ws = Workspace(root, clock=clock)
    since = (days[0] - dt.timedelta(days=40)).isoformat()
    for i in range(CADRES):
        team = i < TEAM
        supervisor = None if i == 0 else "c001" if team else _cid(2 + i % (TEAM - 2))
        post = TEAM_POSTS[i] if team else POSTS[i % len(POSTS)]
        village = None if team else VILLAGES[i % len(VILLAGES)]
        record_roster.roster_add(ws, _cid(i), NAMES[i], post, team, supervisor, village, since)
    ws = Workspace(root, clock=clock)

    calendar = Calendar()
    workdays = [d for d in days if calendar.is_workday(d)]
    steps: list[tuple[str, int, object]] = []

    def step(moment: str, action) -> None:
        steps.append((moment, len(steps), action))

    away: dict[str, set[dt.date]] = {}  # on leave or on a trip: no sign-ins those days
    for i in range(1, CADRES):
        cid = _cid(i)
        first = workdays[(3 + i) % 8]
        kind = ("病假", "事假", "年休假", "探亲假")[i % 4]
        length = 1 + i % 3
        leave = [first + dt.timedelta(days=n) for n in range(length)]
        trip_start = workdays[(12 + i) % 8 + 10]
        trip = [trip_start, trip_start + dt.timedelta(days=1)]
        away[cid] = set(leave) | set(trip)
        approve_at = f"{first - dt.timedelta(days=1)}T09:00"
        step(approve_at, lambda cid=cid, a=leave[0], b=leave[-1], kind=kind: record.leave(
            ws, cid, str(a), str(b), kind, "c001" if cid != "c001" else "c002", None))
        step(approve_at, lambda cid=cid, a=trip[0], b=trip[-1]: record.leave(
            ws, cid, str(a), str(b), "公出", "c001", None))
        if length == 3:  # back a day early: 销假
            step(f"{leave[1]}T12:00", lambda cid=cid, at=f"{leave[1]}T12:00": record.leave_cancel(
                ws, cid, at, cid))

    for k, day in enumerate(workdays):
        signing: list[list[str]] = [[], [], []]
        for i in range(CADRES):
            cid = _cid(i)
            if day in away.get(cid, ()):
                continue
            if (k + i) % 6 == 0:  # a whole day missed: every cadre has several
                continue
            for slot in range(3):
                if slot == 2 and (k + 2 * i) % 5 == 0:
                    continue  # the evening missed
                if slot == 0 and (k + i) % 4 == 1:
                    continue  # late, below
                signing[slot].append(cid)
            if (k + i) % 4 == 1:
                step(f"{day}T08:{17 + i % 12:02d}", lambda cid=cid, at=f"{day}T08:{17 + i % 12:02d}":
                     record.checkin(ws, [cid], at, None, None, None, None))
            if (k + i) % 9 == 3:  # signed twice more in the morning, and at lunch outside every window
                for extra in ("08:05", "08:21", "12:10"):
                    step(f"{day}T{extra}", lambda cid=cid, at=f"{day}T{extra}":
                         record.checkin(ws, [cid], at, None, None, None, None))
            if i >= TEAM and (k + i) % 3 == 2:
                village = VILLAGES[i % len(VILLAGES)]
                stay = (k + i) % 2 == 0
                step(f"{day}T21:00", lambda cid=cid, v=village, stay=stay, at=f"{day}T10:00": record.village(
                    ws, cid, v, "村民代表欧阳老汉", stay, at, "走访脱贫监测户，了解秋收和医保缴费情况，"
                    "协调解决灌溉水渠纠纷", None))
        for slot, who in enumerate(signing):
            if who:
                step(f"{day}T{SLOT_TIMES[slot]}", lambda who=who, at=f"{day}T{SLOT_TIMES[slot]}":
                     record.checkin(ws, who, at, None, None, None, None))
        if k % 5 == 2:  # an evening sign-in typed next morning, never approved: it counts for nothing
            late = _cid((k * 7) % CADRES)
            if day not in away.get(late, ()):
                nxt = day + dt.timedelta(days=1)
                step(f"{nxt}T09:30", lambda late=late, at=f"{day}T19:50": record.checkin(
                    ws, [late], at, None, None, None, None))

    for n, day in enumerate(workdays[2::5]):
        absent = [_cid(i) for i in range(TEAM, CADRES) if (i + n) % 5 == 0]
        present = [_cid(i) for i in range(TEAM, CADRES) if (i + n) % 5 == 1]
        step(f"{day}T20:10", lambda day=day, present=present, absent=absent: record.inspect(
            ws, "c002", f"{day}T20:00", present, absent, "visit", None))
    for i in range(TEAM, CADRES, 3):
        day = workdays[(i * 3) % len(workdays)]
        rule = ("conduct.drinking", "conduct.cards", "conduct.hospitality")[i % 3] if i % 2 else "conduct.drinking"
        step(f"{day}T22:00", lambda i=i, day=day, rule=rule: record.report(
            ws, _cid(i), rule, f"{day}T20:30", "群众监督电话",
            "群众反映该干部驻村期间在村民家中饮酒至深夜，并接受宴请，影响恶劣", None))
    last = days[-1] + dt.timedelta(days=1)
    for i in range(CADRES):
        step(f"{last}T10:00", lambda i=i: record.evaluate(
            ws, _cid(i), month, {"self": "优", "peer": ("良", "中", "差")[i % 3], "public": ("优", "中", "差")[i % 3]},
            None))
    for moment, _order, action in sorted(steps, key=lambda s: (s[0], s[1])):
        clock.set(moment)
        try:
            action()
        except Exception as e:  # a refused entry is a bug in this generator: say which
            raise RuntimeError(f"{moment}: {e}") from e
    clock.set(f"{days[-1] + dt.timedelta(days=10)}T09:00")  # the month and its last week are over
    return root


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--month", default="2026-11")
    args = parser.parse_args(argv)
    print(make_worst_month(Path(args.root), args.month))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
