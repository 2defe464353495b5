"""Generate the demo workspace: Shizhuang township (石庄乡, 崇仁县), October and November 2026.

    python tools/make_demo.py [TARGET]     # default: the repository root

(Re)creates ``TARGET/rules.yaml`` and ``TARGET/ledgers/`` (roster, ``2026-10.yaml``,
``2026-11.yaml``). Deterministic: a fixed random seed, a fixed clock per entry, no
dependence on today's date, the OS user or the machine, so running it twice gives
the same bytes.

Everything is written through ``zoudu.ledger.record``, the functions the commands call,
on a ``Workspace`` whose clock is set before each call to the moment the clerk
records the entry (an office sign-in a few minutes after it happens, a village
entry when the field diary comes back to the office). The ledger starts on
2026-10-01, the day the township adopted zoudu: every cadre's ``since`` is that
day, except one who joined in November. It covers every day of October and
November (the three evaluations of November are held at the Friday study session
of 2026-11-27); the last entries, the field diaries of the night of 30 November,
are typed in on the morning of 1 December. Both months are over, so
``zoudu audit --month 2026-11`` shows the same findings whatever today's date.

November is a drawn month (docs/trust-model.md#the-spot-check-draw): the discipline
group commits on 30 October, rolls the dice at the meeting of 3 November and
discloses the secret on the morning of 1 December, so ``zoudu draw verify --month
2026-11`` needs nothing but the ledger. The secret is kept, while the generator
runs, in a temporary folder outside the workspace (``$ZOUDU_DRAW_SECRET_DIR``), as
the demo keeps no township key either; it is a function of the seed, not a secret.

What the demo contains on purpose is listed in ``INTENT``; the tests import it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import os
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable
from unittest import mock
from zoneinfo import ZoneInfo

import chinese_calendar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from zoudu.ledger import draw as draw_core, record, record_policy, record_roster  # noqa: E402
from zoudu.ledger.rules_template import DEFAULT_RULES_YAML  # noqa: E402
from zoudu.ledger.create import init_workspace  # noqa: E402
from zoudu.ledger.workspace import Workspace  # noqa: E402

SEED = 20151016
TZ = ZoneInfo("Asia/Shanghai")
FIRST = dt.date(2026, 10, 1)        # the township starts the ledger
# The demo covers both months whole: the last day is Monday 30 November; the field
# diaries of that night come back to the office on the morning of 1 December.
LAST = dt.date(2026, 11, 30)
LAST_RECORD = dt.datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
PHONE = "0794-6321358"
CLERK = "c009"                      # 党政办干事: records everything
OFFICE_HEAD = "c010"                # 党政办主任: keeps the book when the clerk is away
INSPECTOR = "c003"                  # 纪委书记: leads the 督查组

VILLAGES = ("石庄村", "富溪村", "官山村", "尧家村", "水库村", "七里亭村", "曾家村")

# id, name, post, team, supervisor, village, since
ROSTER = (
    ("c001", "陈建华", "党委书记", True, None, "石庄村", "2026-10-01"),
    ("c002", "刘志明", "党委副书记、乡长", True, "c001", "富溪村", "2026-10-01"),
    ("c003", "黄国平", "纪委书记", True, "c001", "官山村", "2026-10-01"),
    ("c004", "吴丽萍", "党委副书记", True, "c001", "尧家村", "2026-10-01"),
    ("c005", "邓文军", "副乡长", True, "c002", "水库村", "2026-10-01"),
    ("c006", "罗小燕", "副乡长", True, "c002", "七里亭村", "2026-10-01"),
    ("c007", "周永红", "人大主席", True, "c001", "曾家村", "2026-10-01"),
    ("c008", "付海涛", "武装部长", True, "c002", "石庄村", "2026-10-01"),
    ("c009", "熊晓婷", "党政办干事", False, "c004", "石庄村", "2026-10-01"),
    ("c010", "饶志刚", "党政办主任", False, "c003", "富溪村", "2026-10-01"),
    ("c011", "万俊", "财政所所长", False, "c003", "官山村", "2026-10-01"),
    ("c012", "刘伟", "民政所所长", False, "c004", "尧家村", "2026-10-01"),
    ("c013", "邹斌", "农业综合服务中心主任", False, "c005", "水库村", "2026-10-01"),
    ("c014", "涂海燕", "社会事务办主任", False, "c005", "七里亭村", "2026-10-01"),
    ("c015", "章明辉", "综治办主任", False, "c006", "曾家村", "2026-10-01"),
    ("c016", "艾国强", "司法所所长", False, "c006", "富溪村", "2026-10-01"),
    ("c017", "刘伟", "林业站站长", False, "c007", "官山村", "2026-10-01"),
    ("c018", "游春梅", "计生办主任", False, "c007", "尧家村", "2026-10-01"),
    ("c019", "杨帆", "扶贫专干", False, "c008", "水库村", "2026-10-01"),
    ("c020", "曾小龙", "水利站站长", False, "c008", "曾家村", "2026-10-01"),
    ("c021", "李思雨", "选调生", False, "c008", "七里亭村", "2026-11-09"),
)

# Leave and trips: cadre, from, to, kind, approver, recorded at, cancelled at (销假) or None.
LEAVES = (
    ("c010", "2026-10-20", "2026-10-21", "事假", "c003", "2026-10-19T16:40", None),
    ("c005", "2026-10-27", "2026-10-29", "公出", "c002", "2026-10-26T15:20", None),
    ("c006", "2026-11-05", "2026-11-06", "年休假", "c002", "2026-11-04T17:10", None),
    ("c018", "2026-11-16", "2026-11-20", "病假", "c001", "2026-11-16T08:20", "2026-11-18T07:50"),  # > 3 days: the secretary
)

LATE_DAYS = {"c011": ("2026-10-13", "2026-10-27", "2026-11-09", "2026-11-19")}
NO_WITNESS_DAYS = {"c015": ("2026-10-21", "2026-11-03", "2026-11-18")}

# Spot checks by the 纪委书记: time, method, commuters found absent (evening visits).
INSPECTIONS = (
    ("2026-10-14T20:05", "visit", ("c013", "c016")),
    ("2026-10-22T10:40", "phone", ()),
    ("2026-10-28T20:20", "visit", ("c019",)),
    ("2026-11-04T20:10", "visit", ("c013", "c019")),
    ("2026-11-12T15:40", "phone", ()),
    ("2026-11-24T19:55", "visit", ("c016",)),
)

COMMUTERS = ("c013", "c016", "c019")

# The policy cross-checked (docs/audit-rules.md#the-policy-cross-checked) in the demo: a duty weekend, appeals,
# reports reviewed, a family meeting, one late sign-in.
DUTY = {"2026-11-21": ("c009", "c012"), "2026-11-22": ("c010", "c018")}  # 值班: every slot
# (cadre, rule, date, slot, reason, decision, review reason)
APPEALS = (
    ("c011", "signin.missing", "2026-11-09", "morning", "当天早上到县医院陪护住院的父亲，已电话向分管领导请假，未及时补办请假手续",
     "overturned", "经核实，当天早上已电话请假并获分管领导同意，撤销该项缺勤"),
    ("c019", "inspection.absent", "2026-11-04", "evening", "当晚在村里走访，未在乡里",
     "upheld", "经核实，当晚既未在乡住宿，也未在村，民情日记无记录，维持原认定"),
)
REVIEWER = "c001"  # the party secretary decides appeals
# a report dismissed after checking (查无实据); the drinking report is upheld
DISMISSED = ("c014", "conduct.cards", "2026-11-19T21:10", "群众来信", "反映涂海燕住村期间晚上打牌",
             "经督查组走访核实，当晚涂海燕在村部召开村民小组会，查无实据")
FAMILY_MEETING = ("2026-10-30T15:00", "第四季度干部家属会：通报“543”工作制执行情况，请家属支持干部住乡住村")
LATE_SIGNIN = ("c017", "2026-11-17", 8 * 60 + 14)  # 08:14: inside the window, after 08:00 + 5 minutes

# docs/trust-model.md in the demo: one anomaly of each kind in November, questions that change no verdict
# (docs/anomalies.md). Each only rewrites a value after the random draws, so everything else stays as it was.
TRAVEL_MINUTES = "{石庄村: 10, 富溪村: 30, 官山村: 35, 尧家村: 30, 水库村: 40, 七里亭村: 40, 曾家村: 45}"
SHARED_WITNESS = ("2026-11-10", "吴秋菊", ("c006", "c018"))  # c010's witness that day signs for two more, elsewhere
HABITUAL_WITNESS = ("c008", "2026-11", "陈福生")  # signs every day visit of c008 in November
TYPED_BY = ("c017", "2026-11", "c011")  # c011 types in every November sign-in of c017
# c007 is in 曾家村 42 minutes after the morning sign-in, and 曾家村 is 45 minutes away (TRAVEL_MINUTES)
TOO_FAST = ("c007", "2026-11-05")

# docs/trust-model.md#the-spot-check-draw in the demo: November's spot checks follow a draw. The inspector
# commits before the month, records the dice at the meeting after October's evaluations (3 November) and
# discloses the secret once November's last night is over. The secret is derived from the seed, and the
# dice are the first of a seeded series whose draw falls on the two evening visits the demo already has
# (INSPECTIONS), each drawn cadre named by that visit: the checks follow the draw and no verdict moves.
# (A real group cannot pick its dice: they are rolled in public after the commitment.)
DRAW_MONTH = "2026-11"
DRAW_TIMES = ("2026-10-30T17:30", "2026-11-03T16:40", "2026-12-01T09:00")  # commit, draw, disclose
DRAW_SECRET = hashlib.sha256(f"zoudu demo {SEED} draw {DRAW_MONTH}".encode("utf-8")).digest()
DRAW_DICE = 10  # dice read aloud at the meeting

INTENT: dict = {
    "township": "石庄乡",
    "county": "崇仁县",
    "months": ["2026-10", "2026-11"],
    "secretary": "c001",
    "head": "c002",
    "inspector": INSPECTOR,
    "clerk": CLERK,
    "office_head": OFFICE_HEAD,  # records sign-ins when the clerk is away
    "team": [r[0] for r in ROSTER if r[3]],
    # miss evening sign-ins most weeks; found absent at evening spot checks
    "commuters": list(COMMUTERS),
    # sign in after the morning window closes (08:35-08:58) a few times
    "late": ["c011"],
    "late_days": list(LATE_DAYS["c011"]),
    # some village visits have no villager's signature in the field diary
    "no_witness": ["c015"],
    "no_witness_days": list(NO_WITNESS_DAYS["c015"]),
    "on_leave": ["c006", "c010", "c018"],
    "leave_cancelled": ["c018"],
    "on_trip": ["c005"],
    "backfilled_approved": ["c014"],
    "backfilled_unapproved": ["c012"],
    # a sign-in entered for the wrong 刘伟 (c012 instead of c017), and a village
    # entry under the wrong village (c020): both voided and entered again
    "voided_for": ["c012", "c020"],
    "absent_at_inspection": list(COMMUTERS),
    "inspections": {"2026-10": 3, "2026-11": 3},
    "reported": {"c020": "conduct.drinking", "c014": "conduct.cards"},
    "upheld_reports": {"c020": "conduct.drinking"},  # stationed that night: a breach
    "dismissed_reports": {"c014": "conduct.cards"},
    "duty": {day: list(cadres) for day, cadres in DUTY.items()},
    "appeals": {a[0]: {"rule": a[1], "date": a[2], "slot": a[3], "decision": a[5]} for a in APPEALS},
    "family_meeting": FAMILY_MEETING[0][:10],
    "late_in_window": {LATE_SIGNIN[0]: LATE_SIGNIN[1]},
    "joined_midway": ["c021"],
    # the spot-check draw: the month drawn, the dice, each night drawn with its cadres (all checked that night)
    "draw": {"month": DRAW_MONTH, "by": INSPECTOR, "randomness": "6 2 6 3 2 2 6 1 6 6",
             "rounds": {"2026-11-04": ["c013", "c019", "c017"], "2026-11-24": ["c015", "c012", "c010"]}},
    # anomalies (kind, cadres, date): questions, never violations; none in October
    "anomalies": {"2026-10": [], "2026-11": [
        ("witness.concentrated", ["c006", "c010", "c018"], SHARED_WITNESS[0]),
        ("witness.habitual", [HABITUAL_WITNESS[0]], None),
        ("place.too_fast", [TOO_FAST[0]], TOO_FAST[1]),
        ("recorded.by_another", [TYPED_BY[0], TYPED_BY[2]], None),
    ]},
    # error-level rules each cadre should draw in the audit; everyone else: none
    "expected_errors": {
        "c013": ["inspection.absent", "signin.missing", "week.nights"],
        "c016": ["inspection.absent", "signin.missing", "week.nights"],
        "c019": ["inspection.absent", "signin.missing", "week.nights"],
        "c011": ["signin.missing", "week.township_days"],
        "c015": ["signin.missing", "village.no_witness", "week.township_days", "week.village_days"],
        "c020": ["conduct.drinking"],
        # the unapproved backfill covers nothing: that Friday's study, which costs the study alone
        "c012": ["study.missed"],
    },
    # warning-level rules (default severities)
    "expected_warnings": {"c011": ["signin.outside_window"], "c012": ["signin.backfilled"],
                          LATE_SIGNIN[0]: ["signin.late"],
                          "c018": ["leave.late"]},  # the sick leave phoned in, typed at 08:20 that morning
}
INTENT["compliant"] = [r[0] for r in ROSTER if r[0] not in INTENT["expected_errors"]]

# ----------------------------------------------------------------------------- words

WITNESSES = {
    "石庄村": ("陈福生", "陈桂英", "黄水根", "李春花", "陈国良", "吴满姑", "陈有才", "邓金莲"),
    "富溪村": ("吴金水", "吴秋菊", "罗德旺", "吴冬生", "付美华", "吴长根", "饶细妹", "吴建国"),
    "官山村": ("黄木生", "黄爱莲", "章火根", "黄細苟", "万金花", "黄德明", "邹冬梅", "黄春生"),
    "尧家村": ("尧长发", "尧桂兰", "游水生", "尧志强", "涂秀英", "尧木根", "罗小妹", "尧满堂"),
    "水库村": ("艾平安", "艾玉梅", "曾水发", "艾光明", "杨秀兰", "艾国庆", "付冬英", "艾细根"),
    "七里亭村": ("周建平", "周翠英", "李火生", "周德胜", "熊春兰", "周云龙", "万桂香", "周长青"),
    "曾家村": ("曾庆华", "曾秋英", "邓木林", "曾水旺", "饶金凤", "曾广生", "游细莲", "曾宪文"),
}

VILLAGE_WORK = {
    "石庄村": ("察看田藕采挖进度，帮藕农联系县城超市销路", "与村两委商议田藕合作社冬季管护"),
    "富溪村": ("了解优质稻收购价格，协调粮站上门收购", "察看晚稻收割进度，督促秸秆还田不焚烧"),
    "官山村": ("走访红薯种植户，了解红薯粉加工销售", "察看红薯窖藏，提醒防冻防烂"),
    "尧家村": ("走访板栗种植户，了解今年收成和销路", "到碎石场检查安全生产和扬尘治理"),
    "水库村": ("察看柿子采摘，帮助联系柿饼加工户", "察看水库坝体和溢洪道，落实冬季巡查"),
    "七里亭村": ("到建材企业检查安全生产，了解用工情况", "走访建材企业周边农户，了解噪音扬尘意见"),
    "曾家村": ("到木竹加工厂了解原料和订单，检查消防", "察看毛竹林采伐审批和林地管护"),
}
GENERAL_WORK = (
    "走访脱贫监测户，核实家庭收入和务工情况",
    "入户核查低保对象家庭情况",
    "调解两户村民宅基地边界纠纷",
    "走访独居老人和留守儿童家庭",
    "宣传城乡居民医保缴费",
    "排查农村危房，登记需改造户",
    "检查农村人居环境整治和垃圾清运",
    "督促秋冬季森林防火，检查防火通道",
    "参加村民小组会，听取修路意见",
    "协调村组水渠清淤，准备冬修水利",
    "帮助村民办理新农保认证",
    "了解秋冬种油菜播种进度",
    "走访返乡创业户，了解贷款需求",
    "核实村民反映的路灯损坏问题并报修",
)
STAY_WORK = (
    "住村：晚上在村部与村两委夜谈，梳理本月群众诉求",
    "住村：晚上召开村民小组会，商议村组道路硬化",
    "住村：晚上走访外出务工返乡人员",
    "住村：晚上与老党员座谈，听取对村务公开的意见",
    "住村：晚上在农户家了解秋收和冬种打算",
    "住村：夜间巡查森林防火和水库安全",
)


# ----------------------------------------------------------------------------- the plan


def is_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


def evening_required(day: dt.date) -> bool:
    """The nights the 543 quota counts: a workday followed by another workday."""
    return is_workday(day) and is_workday(day + dt.timedelta(days=1))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(day: dt.date, minutes: int) -> dt.datetime:
    """A time on ``day``, ``minutes`` after midnight."""
    return dt.datetime.combine(day, dt.time(0, 0), TZ) + dt.timedelta(minutes=minutes)


def hm(h: int, m: int) -> int:
    return h * 60 + m


@dataclass
class Day:
    morning: str = "office"       # office / late / none / special
    afternoon: str = "office"     # office / none / backfill
    evening: str = "none"         # office / stay / none
    village: bool = False
    witness: bool = True


@dataclass
class Plan:
    days: dict[tuple[str, dt.date], Day] = field(default_factory=dict)


def leave_days(cadre: str) -> set[dt.date]:
    out: set[dt.date] = set()
    for who, start, end, _kind, _approver, _rec, cancel in LEAVES:
        if who != cadre:
            continue
        day, last = d(start), d(end)
        stop = d(cancel[:10]) if cancel else None
        while day <= last:
            if stop is None or day < stop:
                out.add(day)
            day += dt.timedelta(days=1)
    return out


def serving(cadre: str, day: dt.date) -> bool:
    since = next(r[6] for r in ROSTER if r[0] == cadre)
    return day >= d(since)


def make_plan(rng: random.Random) -> Plan:
    plan = Plan()
    workdays = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    workdays = [day for day in workdays if is_workday(day)]
    weeks: dict[tuple[int, int], list[dt.date]] = {}
    for day in workdays:
        weeks.setdefault(day.isocalendar()[:2], []).append(day)

    visit_nights = {d(t[:10]): absent for t, method, absent in INSPECTIONS if method == "visit"}
    # Days a cadre must be at the office (the scripted events happen there).
    must_office: dict[str, set[dt.date]] = {
        "c011": {d(x) for x in LATE_DAYS["c011"]},
        "c012": {d("2026-10-15")},
        "c017": {d("2026-10-15")},
        "c014": {d("2026-11-10")},
        "c018": {d("2026-11-18")},
    }
    must_village = {"c015": {d(x) for x in NO_WITNESS_DAYS["c015"]}, "c020": {d("2026-11-04")}}
    must_stay = {"c020": {d("2026-11-12")}}

    for cadre, *_rest in ROSTER:
        off = leave_days(cadre)
        commuter = cadre in COMMUTERS
        for week in weeks.values():
            avail = [day for day in week if serving(cadre, day) and day not in off]
            if not avail:
                continue
            forced = sorted(must_village.get(cadre, set()) | must_stay.get(cadre, set()))
            forced = [day for day in forced if day in avail]
            blocked = must_office.get(cadre, set()) | set(visit_nights if cadre == INSPECTOR else ())
            free = [day for day in avail if day not in forced and day not in blocked]
            # Friday afternoon is the study session, so a Friday in the village is rarer
            free.sort(key=lambda day: rng.random() + (0.7 if day.weekday() == 4 else 0.0))
            need = math.ceil(3 * len(avail) / 5)
            if not commuter and rng.random() < 0.15:
                need += 1  # some weeks a cadre spends a fourth day in the village
            village_days = set((forced + free)[: max(need, len(forced))])
            # nights: a witnessed stay on some village days, else the office
            stay_pool = sorted(day for day in village_days
                               if evening_required(day) and day.weekday() != 4 and day not in visit_nights
                               and day not in NO_WITNESS.get(cadre, ()))
            stays = set(must_stay.get(cadre, set()) & set(avail))
            if not commuter and stay_pool:
                wanted = rng.choice((0, 1, 1, 1, 2)) if len(avail) >= 4 else rng.choice((0, 1))
                stays |= set(rng.sample(stay_pool, min(len(stay_pool), wanted)))
            required_evenings = [day for day in avail if evening_required(day)]
            missed: set[dt.date] = set()
            if commuter:
                forced_miss = {day for day in required_evenings if cadre in visit_nights.get(day, ())}
                forced_here = {day for day in required_evenings if day in visit_nights} - forced_miss
                optional = [day for day in required_evenings if day not in forced_miss and day not in forced_here]
                k = rng.choice((1, 2, 2, 3))
                missed = forced_miss | set(rng.sample(optional, max(0, min(len(optional), k - len(forced_miss)))))
                if not missed and optional:
                    missed = {optional[0]}
            for day in avail:
                plan_day = Day()
                if day in village_days:
                    plan_day.village = True
                    plan_day.witness = day not in NO_WITNESS.get(cadre, ())
                    # many sign in at the office first and then go down to the village
                    early = plan_day.witness and day.weekday() != 4 and rng.random() < 0.4
                    plan_day.morning = "office" if early else "none"
                    plan_day.afternoon = "office" if day.weekday() == 4 else "none"
                if evening_required(day):
                    plan_day.evening = "stay" if day in stays else ("none" if day in missed else "office")
                plan.days[(cadre, day)] = plan_day

    # scripted events on top of the routine
    for day in LATE_DAYS["c011"]:
        plan.days[("c011", d(day))].morning = "late"
    plan.days[("c017", d("2026-10-15"))].morning = "special"   # entered for c012 by mistake
    plan.days[("c014", d("2026-11-10"))].morning = "special"   # backfilled with approval
    plan.days[("c012", d("2026-10-23"))].afternoon = "backfill"  # backfilled without approval
    plan.days[("c018", d("2026-11-18"))].morning = "special"   # back from sick leave: 销假, then signs in
    return plan


SCRIPTED_VISITS = {("c020", dt.date(2026, 11, 4))}  # entered under the wrong village first
NO_WITNESS = {cadre: {d(x) for x in days} for cadre, days in NO_WITNESS_DAYS.items()}


# ----------------------------------------------------------------------------- writing


@dataclass(order=True)
class Event:
    recorded: dt.datetime
    seq: int
    action: Callable[[], list[str]] = field(compare=False)


class Generator:
    def __init__(self, root: Path):
        self.root = root
        self.rng = random.Random(SEED)
        self.now = dt.datetime(2026, 9, 30, 15, 0, tzinfo=TZ)
        self.events: list[Event] = []
        self.memo: dict[str, str] = {}  # entry ids that later voids name
        self.checked: dict[str, set[str]] = {}  # night -> cadres an evening visit names, present or absent
        self.plan = Plan()
        self.ws: Workspace | None = None

    # -- helpers

    def add(self, recorded: dt.datetime, action: Callable[[], list[str]]) -> None:
        assert recorded <= LAST_RECORD, recorded
        self.events.append(Event(recorded, len(self.events), action))

    def minute(self, mean: int, sd: float, lo: int, hi: int) -> int:
        return max(lo, min(hi, round(self.rng.gauss(mean, sd))))

    def checkin(self, cadre: str, when: dt.datetime, delay: int | None = None, **extra) -> None:
        recorded = when + dt.timedelta(minutes=self.rng.randint(1, 4) if delay is None else delay)
        by = self.recorder(recorded)
        if (cadre, iso(when)[:7]) == TYPED_BY[:2]:
            by = TYPED_BY[2]
        self.add(recorded, lambda: record.checkin(self.ws, [cadre], iso(when), None,
                                                  extra.get("approver"), extra.get("reason"), by))

    def recorder(self, moment: dt.datetime) -> str:
        """The clerk keeps the sign-in book; when she is in her village or on leave, the office head does."""
        day = self.plan.days.get((CLERK, moment.date()))
        if day is None:
            return OFFICE_HEAD
        slot = "morning" if moment.hour < 12 else ("afternoon" if moment.hour < 18 else "evening")
        return CLERK if getattr(day, slot) in ("office", "late", "special", "backfill") else OFFICE_HEAD

    def village(self, cadre: str, village: str, when: dt.datetime, recorded: dt.datetime, witness: str | None,
                stay: bool, note: str) -> None:
        if witness and not stay:
            if iso(when)[:10] == SHARED_WITNESS[0] and cadre in SHARED_WITNESS[2]:
                witness = SHARED_WITNESS[1]
            elif (cadre, iso(when)[:7]) == HABITUAL_WITNESS[:2]:
                witness = HABITUAL_WITNESS[2]
        self.add(min(recorded, LAST_RECORD),
                 lambda: record.village(self.ws, cadre, village, witness, stay, iso(when), note, CLERK))

    def work_note(self, village: str) -> str:
        pool = VILLAGE_WORK[village] + GENERAL_WORK
        return self.rng.choice(pool)

    # -- the two months

    def build(self) -> None:
        rng = self.rng
        plan = self.plan = make_plan(rng)
        village_of = {r[0]: r[5] for r in ROSTER}
        evening_at: dict[tuple[str, dt.date], dt.datetime] = {}
        visited: dict[dt.date, list[str]] = {}

        for (cadre, day), p in sorted(plan.days.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            home = village_of[cadre]
            # morning
            if (cadre, day.isoformat()) == LATE_SIGNIN[:2]:
                if p.morning == "office":
                    self.minute(hm(7, 55), 8, hm(7, 31), hm(8, 5))  # the same draws as any morning
                self.checkin(cadre, at(day, LATE_SIGNIN[2]))
            elif p.morning == "office":  # on time: by the fixed time plus the tolerance (5 minutes)
                self.checkin(cadre, at(day, self.minute(hm(7, 55), 8, hm(7, 31), hm(8, 5))))
            elif p.morning == "late":
                self.checkin(cadre, at(day, rng.randint(hm(8, 35), hm(8, 58))))
            # afternoon
            if p.afternoon == "office":
                self.checkin(cadre, at(day, self.minute(hm(14, 22), 8, hm(14, 1), hm(14, 35))))
            elif p.afternoon == "backfill":
                when = at(day, hm(14, 26))
                self.checkin(cadre, when, delay=hm(17, 5) - hm(14, 26))
            # the village: a day visit (and the night, when staying)
            if p.village and (cadre, day) not in SCRIPTED_VISITS:
                friday = day.weekday() == 4
                when = at(day, rng.randint(hm(8, 50), hm(10, 30)) if friday else rng.randint(hm(8, 40), hm(11, 30)))
                back = at(day, rng.randint(hm(15, 5), hm(15, 50)) if friday else rng.randint(hm(17, 10), hm(18, 40)))
                if p.witness:
                    self.village(cadre, home, when, back, rng.choice(WITNESSES[home]), False, self.work_note(home))
                    visited.setdefault(day, []).append(cadre)
                else:
                    self.village(cadre, home, when, back, None, False,
                                 self.work_note(home) + "（民情日记上没有群众签字）")
            if p.evening == "office":
                when = at(day, self.minute(hm(19, 24), 6, hm(19, 2), hm(19, 35)))
                evening_at[(cadre, day)] = when
                self.checkin(cadre, when)
            elif p.evening == "stay":
                when = at(day, rng.randint(hm(20, 30), hm(21, 40)))
                nxt = day + dt.timedelta(days=1)
                while not is_workday(nxt):
                    nxt += dt.timedelta(days=1)
                back = at(nxt, rng.randint(hm(8, 35), hm(9, 20)))
                self.village(cadre, home, when, back, rng.choice(WITNESSES[home]), True, rng.choice(STAY_WORK))

        self.scripted(plan, evening_at, visited)
        self.evaluations()
        self.drawn_month()

    def scripted(self, plan: Plan, evening_at: dict, visited: dict) -> None:
        rng = self.rng
        # the roster, set up the afternoon before the ledger starts; one cadre joins in November
        for i, (cid, name, post, team, sup, village, since) in enumerate(ROSTER):
            moment = dt.datetime(2026, 9, 30, 15, 0, tzinfo=TZ) + dt.timedelta(minutes=2 * i)
            if since != "2026-10-01":
                moment = dt.datetime.combine(d(since), dt.time(7, 40), TZ)
            self.add(moment, lambda a=(cid, name, post, team, sup, village, since):
                     [record_roster.roster_add(self.ws, *a)])

        # leave, trips and one early return (销假)
        for who, start, end, kind, approver, recorded, cancel in LEAVES:
            self.add(dt.datetime.fromisoformat(recorded).replace(tzinfo=TZ),
                     lambda a=(who, start, end, kind, approver): record.leave(self.ws, *a, CLERK))
            if cancel:
                moment = dt.datetime.fromisoformat(cancel).replace(tzinfo=TZ)
                self.add(moment + dt.timedelta(minutes=2),
                         lambda w=who, c=cancel, a=approver: record.leave_cancel(self.ws, w, c, a))  # 销假: to the approver
                # back at work: signs in right after the cancellation
                self.checkin(who, moment + dt.timedelta(minutes=rng.randint(8, 15)))

        # 2026-10-15: the clerk signs in the wrong 刘伟 (c012 for c017), voids it, enters it again
        when = at(d("2026-10-15"), hm(7, 52))

        def wrong() -> list[str]:
            ids = record.checkin(self.ws, ["c012"], iso(when), None, None, None, CLERK)
            self.memo["wrong-checkin"] = ids[0]
            return ids
        self.add(when + dt.timedelta(minutes=1), wrong)
        self.add(when + dt.timedelta(minutes=20), lambda: record.void(
            self.ws, self.memo["wrong-checkin"], "同名误录：07:52签到的是林业站刘伟（c017），不是民政所刘伟（c012）", CLERK))
        self.checkin("c017", when, delay=21)

        # 2026-11-04: c020's field-diary entry typed under the wrong village, voided and entered again
        visit_time = at(d("2026-11-04"), hm(9, 40))
        recorded = at(d("2026-11-04"), hm(17, 32))

        def mistyped() -> list[str]:
            ids = record.village(self.ws, "c020", "官山村", "曾庆华", False, iso(visit_time),
                                 "察看毛竹林采伐审批和林地管护", CLERK)
            self.memo["wrong-village"] = ids[0]
            return ids
        self.add(recorded, mistyped)
        self.add(recorded + dt.timedelta(minutes=6), lambda: record.void(
            self.ws, self.memo["wrong-village"], "村名录错：曾小龙所包村是曾家村，不是官山村", CLERK))
        self.add(recorded + dt.timedelta(minutes=7), lambda: record.village(
            self.ws, "c020", "曾家村", "曾庆华", False, iso(visit_time), "察看毛竹林采伐审批和林地管护", CLERK))

        # 2026-11-10: the sign-in terminal had no power; c014's morning entered later, with approval
        self.checkin("c014", at(d("2026-11-10"), hm(7, 56)), delay=hm(10, 35) - hm(7, 56),
                     approver="c005", reason="早上签到终端停电未能录入，经党政办主任核实当时在岗，准予补签")

        # spot checks by the 纪委书记
        for text, method, absent in INSPECTIONS:
            moment = dt.datetime.fromisoformat(text).replace(tzinfo=TZ)
            day = moment.date()
            if method == "visit":
                present = sorted(c for (c, dd), w in evening_at.items() if dd == day and c != INSPECTOR)
                for c in absent:
                    assert plan.days[(c, day)].evening == "none", (c, day)
                for c in COMMUTERS:
                    assert c in absent or c in present, (c, day)
            else:
                reached = sorted(c for c in visited.get(day, []) if c != INSPECTOR)
                present = sorted(rng.sample(reached, min(len(reached), rng.randint(4, 6))))
            self.add(moment + dt.timedelta(minutes=rng.randint(15, 35)),
                     lambda a=(iso(moment), present, list(absent), method):
                     record.inspect(self.ws, INSPECTOR, a[0], a[1], a[2], a[3], INSPECTOR))
            if method == "visit":
                self.checked[day.isoformat()] = set(present) | set(absent)

        # a call to the supervision phone: drinking during a village stay, upheld by the discipline group
        assert plan.days[("c020", d("2026-11-12"))].evening == "stay"

        def drinking() -> list[str]:
            ids = record.report(self.ws, "c020", "conduct.drinking", "2026-11-12T21:30", f"群众监督电话 {PHONE}",
                                "群众来电反映：曾小龙住村期间晚上在村民家中饮酒。", CLERK)
            self.memo["drinking"] = ids[0]
            return ids
        self.add(dt.datetime(2026, 11, 13, 10, 20, tzinfo=TZ), drinking)
        self.add(dt.datetime(2026, 11, 13, 17, 5, tzinfo=TZ), lambda: record_policy.review(
            self.ws, self.memo["drinking"], "upheld", INSPECTOR, "督查组次日走访核实属实，已责令作出书面检查"))
        # a letter: card games, dismissed after checking
        finding = DISMISSED[5]

        def letter(a=DISMISSED[:5]) -> list[str]:
            ids = record.report(self.ws, *a, CLERK)
            self.memo["letter"] = ids[0]
            return ids
        self.add(dt.datetime(2026, 11, 20, 9, 15, tzinfo=TZ), letter)
        self.add(dt.datetime(2026, 11, 20, 16, 40, tzinfo=TZ), lambda: record_policy.review(
            self.ws, self.memo["letter"], "dismissed", INSPECTOR, finding))

        # a duty weekend (值班): assigned on Friday afternoon, every slot signed in
        for day_text, cadres in DUTY.items():
            day = d(day_text)
            self.add(dt.datetime(2026, 11, 20, 16, 50, tzinfo=TZ) + dt.timedelta(minutes=len(cadres) * (day.day - 21)),
                     lambda a=(list(cadres), day_text): record_policy.duty(self.ws, a[0], a[1], None, CLERK))
            for cadre in cadres:
                for mean, lo, hi in ((hm(7, 56), hm(7, 40), hm(8, 4)), (hm(14, 24), hm(14, 10), hm(14, 34)),
                                     (hm(19, 22), hm(19, 5), hm(19, 34))):
                    self.checkin(cadre, at(day, self.minute(mean, 5, lo, hi)))

        # appeals (申诉) and their review (复核) by the party secretary
        for i, (cadre, rule, date, slot, reason, decision, why) in enumerate(APPEALS):
            filed = dt.datetime.combine(d(date) + dt.timedelta(days=2), dt.time(9, 30 + i), TZ)

            def appeal(a=(cadre, rule, date, slot, reason), key=f"appeal-{cadre}") -> list[str]:
                ids = record_policy.appeal(self.ws, *a, CLERK)
                self.memo[key] = ids[0]
                return ids
            self.add(filed, appeal)
            self.add(filed + dt.timedelta(days=1, hours=6), lambda key=f"appeal-{cadre}", a=(decision, why):
                     record_policy.review(self.ws, self.memo[key], a[0], REVIEWER, a[1]))

        # the quarterly family meeting (干部家属会)
        self.add(dt.datetime.fromisoformat(FAMILY_MEETING[0]).replace(tzinfo=TZ) + dt.timedelta(hours=2),
                 lambda: record_policy.meeting(self.ws, "family", FAMILY_MEETING[0], FAMILY_MEETING[1], CLERK))

    def evaluations(self) -> None:
        rng = self.rng
        special = {
            "c013": ("良", "中", "差"), "c016": ("良", "中", "差"), "c019": ("良", "中", "中"),
            "c011": ("优", "良", "中"), "c015": ("良", "良", "中"),
        }
        sessions = (("2026-10", dt.datetime(2026, 11, 3, 16, 0, tzinfo=TZ)),
                    ("2026-11", dt.datetime(2026, 11, 27, 14, 38, tzinfo=TZ)))
        for month, start in sessions:
            serving_cadres = [r for r in ROSTER if r[6][:7] <= month]
            for i, (cid, *_rest) in enumerate(serving_cadres):
                grades = special.get(cid) or ("优", rng.choice(("优", "优", "良")), rng.choice(("优", "良", "良")))
                if month == "2026-11" and cid == "c020":
                    grades = ("良", "中", "中")
                # the clerk records them all but their own: the public's word on them is recorded by the
                # discipline secretary (no one records the public's evaluation of themself)
                self.add(start + dt.timedelta(minutes=i), lambda a=(cid, month, grades): record.evaluate(
                    self.ws, a[0], a[1], {"self": a[2][0], "peer": a[2][1], "public": a[2][2]},
                    CLERK if a[0] != CLERK else "c003"))

    def drawn_month(self) -> None:
        """November's spot-check draw: committed before the month, dice at the meeting, disclosed after it."""
        commit, roll, disclose = (dt.datetime.fromisoformat(t).replace(tzinfo=TZ) for t in DRAW_TIMES)
        self.add(commit, self.commit_draw)
        self.add(roll, self.roll_dice)
        self.add(disclose, lambda: [draw_core.disclose(self.ws, DRAW_MONTH, INSPECTOR)[0]])

    def commit_draw(self) -> list[str]:
        # the seed's secret in place of a fresh one: the demo is the same bytes each time it is made
        with mock.patch.object(draw_core, "secrets", SimpleNamespace(token_bytes=lambda n: DRAW_SECRET[:n])):
            entry_id, _path = draw_core.commit(self.ws, DRAW_MONTH, INSPECTOR)
        return [entry_id]

    def roll_dice(self) -> list[str]:
        """The first dice of a seeded series whose draw falls on evening visits naming every cadre drawn."""
        settings = self.ws.settings
        pool = draw_core.pool_of(self.ws, DRAW_MONTH, self.now.date())
        dice_rng = random.Random(f"{SEED}-dice")
        for _ in range(100_000):
            dice = " ".join(str(dice_rng.randint(1, 6)) for _ in range(DRAW_DICE))
            rounds = draw_core.derive(DRAW_SECRET, DRAW_MONTH, dice, pool, settings.inspections_per_month,
                                      settings.draw_cadres_per_round)
            if len(rounds) == settings.inspections_per_month and all(
                    set(r.cadres) <= self.checked.get(r.night, set()) for r in rounds):
                break
        else:
            raise SystemExit("no dice draw the demo's evening visits")
        entry_id, drawn = draw_core.draw(self.ws, DRAW_MONTH, dice, INSPECTOR)
        assert drawn == rounds, (drawn, rounds)
        meant = INTENT["draw"]
        found = {r.night: list(r.cadres) for r in drawn}
        if (meant["randomness"], meant["rounds"]) != (dice, found):
            raise SystemExit(f"the draw changed: set INTENT['draw'] to randomness {dice!r}, rounds {found!r}")
        return [entry_id]

    # -- run

    def run(self) -> int:
        prepare(self.root)
        self.ws = Workspace(self.root, clock=lambda: self.now)
        self.build()
        count = 0
        # the draw's secret is kept outside the workspace, as the group keeps it; it is disclosed
        # in the ledger at the end, so nothing needs to outlive the run
        with tempfile.TemporaryDirectory() as secrets_dir, \
                mock.patch.dict(os.environ, {draw_core.SECRET_ENV: secrets_dir}):
            for event in sorted(self.events):
                self.now = event.recorded
                count += len(event.action())
        return count


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def prepare(root: Path) -> None:
    """Remove an earlier demo (rules.yaml and the ledgers this script writes), then init afresh."""
    import re

    ledgers = root / "ledgers"
    if ledgers.is_dir():
        for p in ledgers.iterdir():
            if p.name in ("roster.yaml", ".lock", "roster.yaml.tmp") or re.fullmatch(r"\d{4}-\d{2}\.yaml", p.name):
                p.unlink()
        if not any(ledgers.iterdir()):
            ledgers.rmdir()
    if (root / "rules.yaml").exists():
        (root / "rules.yaml").unlink()
    init_workspace(root, INTENT["township"], INTENT["county"])
    default_phone = next(line for line in DEFAULT_RULES_YAML.splitlines() if line.startswith("supervision_phone:"))
    (root / "rules.yaml").write_text(
        DEFAULT_RULES_YAML.replace(default_phone, f'supervision_phone: "{PHONE}"   # 公示栏上的群众监督电话')
        .replace("  travel_minutes: {}\n", f"  travel_minutes: {TRAVEL_MINUTES}\n"), encoding="utf-8")
    lock = ledgers / ".lock"
    if lock.exists():
        lock.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", default=str(ROOT), help="workspace folder (default: the repository root)")
    args = parser.parse_args(argv)
    root = Path(args.target)
    os.environ["LOGNAME"] = "dangzhengban"  # the office's account records the roster log (deterministic 'by')
    count = Generator(root).run()
    lock = root / "ledgers" / ".lock"
    if lock.exists():
        lock.unlink()
    print(f"wrote {count} entries to {root / 'ledgers'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
