"""The notice sheet shows each cadre's actual sign-in times (docs/guide.md#the-notice-board): the times in every
demo cadre's calendar are exactly the office sign-ins of the ledger (voided ones left out), late ones
marked, the kinds of leave with their 销假, every kind of finding in the remarks, and room for the
leader's signature and the township's seal."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.test_publish import copy_demo

MONTHS = ("2026-10", "2026-11")
TZ = ZoneInfo("Asia/Shanghai")


class Calendars(HTMLParser):
    """[(cadre name, {day of month: [(time, classes)]}, leave line)] read from the HTML's calendar cards, in order
    (two cadres may share a name)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[tuple[str, dict[int, list[tuple[str, str]]]]] = []
        self.leaves: dict[str, str] = {}
        self._name: str | None = None
        self._in: str | None = None  # which span or div we are reading
        self._day: int | None = None
        self._classes = ""

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "div" and cls == "legend":
            self._name = None  # the legend's sample times belong to no cadre
        elif tag == "div" and cls == "who":
            self._in, self._name = "who", None
        elif tag == "div" and cls == "leaves":
            self._in = "leaves"
        elif tag == "span" and cls == "d":
            self._in = "d"
        elif tag == "span" and cls.split()[:1] == ["t"]:
            self._in, self._classes = "t", cls

    def handle_endtag(self, tag):
        if tag in ("span", "div") and self._in in ("d", "t", "leaves"):
            self._in = None

    def handle_data(self, data):
        if self._in == "who" and self._name is None and data.strip():
            self._name = data.strip()
            self.cards.append((self._name, {}))
            self._in = None
        elif self._name is None:
            return
        elif self._in == "d":
            self._day = int(data)
            self.cards[-1][1][self._day] = []
        elif self._in == "t":
            self.cards[-1][1][self._day].append((data, self._classes))
        elif self._in == "leaves":
            self.leaves[self._name] = data


def ledger_times(root: Path, month: str) -> dict[str, dict[int, list[str]]]:
    """{cadre id: {day: sorted "HH:MM"}} of the month's office sign-ins that are not voided."""
    entries = []
    for path in sorted((root / "ledgers").glob("20*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- {"):
                entries.append(json.loads(line[2:]))
    voided = {e["target"] for e in entries if e["kind"] == "void"}
    out: dict[str, dict[int, list[str]]] = {}
    for e in entries:
        if e["kind"] != "checkin" or e["id"] in voided:
            continue
        at = dt.datetime.fromisoformat(e["at"]).astimezone(TZ)
        if at.strftime("%Y-%m") == month:
            out.setdefault(e["cadre"], {}).setdefault(at.day, []).append(at.strftime("%H:%M:%S"))
    return {c: {d: sorted(ts) for d, ts in days.items()} for c, days in out.items()}


# the demo's rules.yaml: each slot's window and fixed time; late = in the window, after the time + 5 minutes
WINDOWS = (("07:30:00", "08:30:00", "08:05:00"), ("14:00:00", "15:00:00", "14:35:00"),
           ("19:00:00", "20:30:00", "19:35:00"))


def is_late(clock: str) -> bool:
    return any(start <= clock <= end and clock > after for start, end, after in WINDOWS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("demo") / "demo")


@pytest.mark.parametrize("month", MONTHS)
def test_every_demo_cadres_times_are_the_ledgers(demo, cli, tmp_path, month):
    html = tmp_path / "notice.html"
    r = cli("publish", "--month", month, "--format", "html", "-o", str(html), "--date", "2026-12-01",
            root=demo, lang="zh")
    assert r.returncode == 0, r.stderr
    audited = json.loads(cli("audit", "--month", month, "--format", "json", root=demo).stdout)
    page = Calendars()
    page.feed(html.read_text(encoding="utf-8"))
    expected = ledger_times(demo, month)
    checked = 0
    assert [name for name, _days in page.cards] == [c["name"] for c in audited["cadres"]]
    for cadre, (_name, card) in zip(audited["cadres"], page.cards):
        for day, shown in card.items():
            exact = expected.get(cadre["cadre"], {}).get(day, [])
            want = [t[:5] for t in exact]
            times = [t for t, _cls in shown]
            if len(want) <= 3:
                assert times == want, (cadre["cadre"], month, day)
            else:  # a crowded day: the first two, then how many more
                assert times == want[:2] + [f"+{len(want) - 2}"], (cadre["cadre"], month, day)
            checked += len(want)
            # lateness: marked exactly where the ledger's time is after the slot's time + the tolerance
            for clock, (_t, cls) in zip(exact, shown):
                if "void" not in cls:
                    assert ("late" in cls) == is_late(clock), (cadre["cadre"], month, day, clock)
    assert checked == sum(len(ts) for days in expected.values() for ts in days.values()) > 500


def test_late_and_void_sign_ins_are_marked(demo, cli, tmp_path):
    html = tmp_path / "notice.html"
    assert cli("publish", "--month", "2026-11", "--format", "html", "-o", str(html), "--date", "2026-12-01",
               root=demo, lang="zh").returncode == 0
    page = Calendars()
    page.feed(html.read_text(encoding="utf-8"))
    # 万俊 (c011) signs in after the morning window closes: those count for nothing and are struck through
    card = dict(page.cards)["万俊"]
    marked = [(t, cls) for shown in card.values() for t, cls in shown]
    assert any("void" in cls and t[:4] in ("08:4", "08:5") for t, cls in marked)
    # 刘伟 (c017) signs in at 08:14 on 17 November: inside the window, after 08:00 + 5 minutes: late, in red
    late = [(t, cls) for shown in dict(page.cards)["刘伟"].values() for t, cls in shown if "late" in cls]
    assert [t for t, _cls in late] == ["08:14"]


def test_leave_kinds_and_cancellation_are_on_the_sheet(demo, cli, tmp_path):
    html = tmp_path / "notice.html"
    assert cli("publish", "--month", "2026-11", "--format", "html", "-o", str(html), "--date", "2026-12-01",
               root=demo, lang="zh").returncode == 0
    text = html.read_text(encoding="utf-8")
    page = Calendars()
    page.feed(text)
    audited = json.loads(cli("audit", "--month", "2026-11", "--format", "json", "--cadre", "c018",
                             root=demo).stdout)
    name = audited["cadres"][0]["name"]
    assert "病假" in page.leaves[name] and "销假" in page.leaves[name]
    # the CSV carries them too, in its own column
    out = tmp_path / "notice.csv"
    assert cli("publish", "--month", "2026-11", "--format", "csv", "-o", str(out), "--date", "2026-12-01",
               root=demo, lang="zh").returncode == 0
    csv_text = out.read_text(encoding="utf-8-sig")
    assert "请假与公出" in csv_text and "销假" in csv_text


def test_every_kind_of_finding_is_in_the_remarks(demo, cli):
    r = cli("publish", "--month", "2026-11", "--format", "csv", "--date", "2026-12-01", root=demo, lang="zh")
    assert r.returncode == 0, r.stderr
    assert "另有" not in r.stdout and "more kind" not in r.stdout
    audited = json.loads(cli("audit", "--month", "2026-11", "--format", "json", root=demo, lang="zh").stdout)
    kinds: dict[str, set[str]] = {}
    for v in audited["violations"]:
        if v["cadre"]:
            kinds.setdefault(v["cadre"], set()).add(v["rule"])
    from zoudu import i18n
    from zoudu.rulebook import remark

    i18n.set_explicit("zh")
    try:
        rows = {line.split(",")[0]: line for line in r.stdout.splitlines()}
        for cadre, rules in kinds.items():
            for rule in rules:
                stem = remark(rule, 1).split("1")[0]
                assert stem in rows[cadre], (cadre, rule, stem)
    finally:
        i18n.set_explicit("en")
