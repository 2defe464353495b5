"""A township's months for the audit benchmark: 60 cadres × SCALE, a realistic mix.

    python bench/gen_month.py DIR [--scale 1] [--month 2026-10] [--seed 7] [--history 0]

Writes a workspace in DIR: the roster (one leadership-team member for every
7 cadres), and the ledgers of the month and its two neighbours (the audit reads
the days of the weeks crossing into them, and scans the month before for leave).
Each cadre's day: office sign-ins around 08:00, 14:30 and 19:30 on workdays (a
few missed, late, backfilled, off-window or at the wrong place), witnessed village
visits about three days a week (some overnight stays, a few without a witness or
in another village), leave and trips, a few spot checks, reports, evaluations, voids.
Lines are written as the recording commands write them (ids, hash chain), in bulk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zoudu.ledger.lines import chain_hash, encode_line, genesis  # noqa: E402
from zoudu.ledger.store import HEADER  # noqa: E402
from zoudu.model import Cadre, Roster  # noqa: E402
from zoudu.ledger.roster import save_roster  # noqa: E402
from zoudu.ledger.create import init_workspace  # noqa: E402
from zoudu.timeparse import month_days, shift_month  # noqa: E402
from zoudu.audit.workdays import Calendar  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
BASE_CADRES = 60
VILLAGES = ["石庄村", "富溪村", "官山村", "尧家村", "港西村", "上坊村", "下坊村", "黄洲村", "长坑村", "新田村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def roster(scale: int, since: dt.date = dt.date(2026, 1, 1)) -> list[Cadre]:
    cadres: list[Cadre] = []
    count = BASE_CADRES * scale
    leader = None
    for i in range(count):
        cid = f"c{i + 1:05d}"
        team = i % 7 == 0
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
        cadres.append(Cadre(cid, name, "班子成员" if team else "干部", team,
                            None if team and leader is None else leader, VILLAGES[i % len(VILLAGES)],
                            since))
        if team:
            leader = cid
            if i == 0:
                continue
    return cadres


def stamp(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def month_entries(cadres: list[Cadre], month: str, rng: random.Random, calendar: Calendar) -> list[dict]:
    """The month's events, in the order a clerk would record them (roughly by time)."""
    out: list[dict] = []
    days = month_days(month)
    team = [c for c in cadres if c.team]

    def add(kind: str, at: dt.datetime, cadre: str | None, recorded: dt.datetime | None = None, **fields) -> None:
        entry = {"kind": kind, "at": at.isoformat(timespec="seconds"),
                 "recorded": (recorded or at).isoformat(timespec="seconds"), "by": "clerk", **fields}
        if cadre is not None:
            entry["cadre"] = cadre
        out.append(entry)

    commuters = {c.id for c in cadres if rng.random() < 0.05}  # made to go home at night
    on_leave: dict[str, set[dt.date]] = {}
    for c in cadres:  # a few leaves and trips, whole days
        if rng.random() < 0.15:
            start = rng.choice(days)
            length = rng.randint(1, 4)
            kind = rng.choice(["事假", "病假", "公出", "公出", "年休假"])
            until = start + dt.timedelta(days=length - 1)
            add("leave", stamp(start, 0, 0), c.id, stamp(start, 0, 0) - dt.timedelta(days=1),
                until=stamp(until, 23, 59).isoformat(timespec="seconds"), leave_kind=kind,
                approver=team[0].id if c.id != team[0].id else team[1].id)
            on_leave[c.id] = {start + dt.timedelta(days=i) for i in range(length)}

    # Village days: three a week (prorated in short weeks), Mondays to Thursdays first;
    # one cadre-week in ten falls a day short.
    weeks: dict[dt.date, list[dt.date]] = {}
    for day in days:
        if calendar.is_workday(day):
            weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append(day)
    village_days: set[tuple[str, dt.date]] = set()
    for c in cadres:
        for workdays in weeks.values():
            wanted = min(len(workdays), -(-3 * len(workdays) // 5)) - (rng.random() < 0.1)
            ordered = sorted(workdays, key=lambda d: (d.weekday() == 4, rng.random()))
            village_days.update((c.id, d) for d in ordered[:max(0, wanted)])

    for day in days:
        workday = calendar.is_workday(day)
        if not workday:
            continue
        tomorrow = calendar.is_workday(day + dt.timedelta(days=1))
        for c in cadres:
            if day in on_leave.get(c.id, ()):
                continue
            village_today = (c.id, day) in village_days
            if village_today:
                witness = "村民" + rng.choice(SURNAMES) + "某" if rng.random() > 0.01 else None
                place = c.village if rng.random() > 0.02 else rng.choice(VILLAGES)
                stay = tomorrow and rng.random() < 0.25 and c.id not in commuters
                fields = {"village": place, "stay": stay, "note": "走访农户，调解纠纷"}
                if witness:
                    fields["witness"] = witness
                at = stamp(day, 20 if stay else rng.randint(9, 16), rng.randint(0, 59))
                add("village", at, c.id, stamp(day, 21, 0) + dt.timedelta(days=rng.randint(1, 5)), **fields)
                slots = ([(14, 30)] if day.weekday() == 4 else []) + ([(19, 30)] if tomorrow and not stay else [])
            else:
                slots = [(8, 0), (14, 30)] + ([(19, 30)] if tomorrow else [])
            for hour, minute in slots:
                if rng.random() < 0.015 or (hour == 19 and c.id in commuters and rng.random() < 0.8):
                    continue  # missed
                offset = int(rng.gauss(0, 9))
                if rng.random() < 0.01:
                    offset = rng.choice([-75, 70, 95])  # off the window
                at = stamp(day, hour, minute) + dt.timedelta(minutes=offset)
                recorded = at + dt.timedelta(seconds=rng.randint(0, 50))
                fields = {"place": "党政办公室" if rng.random() > 0.005 else "县城家中"}
                if rng.random() < 0.02:  # entered later from the paper list
                    recorded = at + dt.timedelta(hours=rng.randint(1, 30))
                    if rng.random() < 0.5:
                        fields.update(approver=team[0].id, reason="系统故障补签")
                add("checkin", at, c.id, recorded, **fields)
        if day.weekday() in (1, 3) and rng.random() < 0.6:  # spot checks
            sample = rng.sample(cadres, min(len(cadres), 20))
            absent = [c.id for c in sample if c.id in commuters or rng.random() < 0.05]
            present = [c.id for c in sample if c.id not in absent]
            add("inspection", stamp(day, 20, 10), None, inspector=team[0].id,
                method=rng.choice(["visit", "phone"]), present=present, absent=absent)
        if rng.random() < 0.2 * max(1, len(cadres) // BASE_CADRES):
            for _ in range(max(1, len(cadres) // BASE_CADRES // 5)):
                c = rng.choice(cadres)
                add("report", stamp(day, 21, 0), c.id, rule=rng.choice(
                    ["conduct.drinking", "conduct.cards", "conduct.hospitality", "conduct.left_village",
                     "conduct.reception"]), source="监督电话", note="群众反映")
    last = days[-1]
    for c in cadres:
        add("evaluation", stamp(last, 17, 0), c.id, month=month, self="优", peer=rng.choice("优良"),
            public=rng.choice("优良中"))
    out.sort(key=lambda e: e["recorded"])
    return out


def write_ledger(path: Path, month: str, entries: list[dict], rng: random.Random, now: str | None = None) -> int:
    """Ids, hashes and a few voids (written after the entry they cancel), as ``append`` would;
    with ``now``, only what was recorded by then."""
    if now is not None:
        entries = [e for e in entries if e["recorded"] <= now]
    prev = genesis(month)
    lines = [HEADER.format(month=month)]
    seq = 0
    ids: list[str] = []
    for fields in entries:
        seq += 1
        fields["id"] = f"{month}-{seq:04d}"
        fields["hash"] = chain_hash(prev, fields)
        prev = fields["hash"]
        lines.append(encode_line(fields))
        if fields["kind"] == "checkin":
            ids.append(fields["id"])
    # recorded times never go back within a file (verify checks it): a void is recorded after the last entry
    void_recorded = max([f"{month}-28T17:00:00+08:00"] + [f["recorded"] for f in entries[-1:]])
    voided = rng.sample(ids, len(ids) // 200)  # 0.5% voided
    for target in voided if now is None or void_recorded <= now else ():
        seq += 1
        fields = {"kind": "void", "at": f"{month}-28T17:00:00+08:00", "recorded": void_recorded,
                  "by": "clerk", "target": target, "reason": "录错人", "id": f"{month}-{seq:04d}"}
        fields["hash"] = chain_hash(prev, fields)
        prev = fields["hash"]
        lines.append(encode_line(fields))
    path.write_text("".join(lines), encoding="utf-8")
    return seq


def generate(root: Path, scale: int, month: str = "2026-10", seed: int = 7, history: int = 0,
             now: dt.datetime | None = None) -> dict[str, int]:
    """A workspace in ``root``; returns entries written per ledger month.

    ``history`` earlier months are written too (before the month's neighbour). With ``now``,
    the ledgers hold only what was recorded by then, as a real township's would (the month
    after ``month`` is then the running month, recorded up to ``now``)."""
    init_workspace(root, "石庄乡", "崇仁县")  # the generated months are headed like the demo
    rules = root / "rules.yaml"  # and carry its supervision phone: publish refuses init's placeholder
    rules.write_text(rules.read_text(encoding="utf-8").replace('"0794-0000000"', '"0794-6321358"', 1), encoding="utf-8")
    months = [shift_month(month, -back) for back in range(history + 1, 0, -1)] + [month, shift_month(month, 1)]
    # everyone serves from the first month written (so history's approvers are serving when they approve)
    cadres = roster(scale, min(dt.date(2026, 1, 1), dt.date.fromisoformat(months[0] + "-01")))
    save_roster(root / "ledgers" / "roster.yaml", Roster.of(cadres))
    calendar = Calendar()
    rng = random.Random(seed)
    written = {}
    for m in months:
        written[m] = write_ledger(root / "ledgers" / f"{m}.yaml", m, month_entries(cadres, m, rng, calendar), rng,
                                  None if now is None else now.astimezone(TZ).isoformat(timespec="seconds"))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--history", type=int, default=0, help="earlier months to write as well")
    args = parser.parse_args()
    for month, count in generate(args.root, args.scale, args.month, args.seed, args.history).items():
        print(f"{month}: {count} entries")


if __name__ == "__main__":
    main()
