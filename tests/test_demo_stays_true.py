"""The demo covers whole months, so its audit says the same whatever the date (docs/guide.md#the-demo-township).

The audit takes "now" from the workspace's clock; only these library tests set it
(no recording command takes another clock than the machine's).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from tests.conftest import REPO, TZ, run_cli
from zoudu.audit import audit_month, to_json
from zoudu.ledger.workspace import Workspace
from zoudu.timeparse import month_days


def findings(obj: dict) -> Counter:
    return Counter((v["cadre"], v["rule"], v["severity"], v["date"], v["slot"], v["week"]) for v in obj["violations"])


def test_the_demo_audited_in_2030_finds_what_it_finds_today():
    for month in ("2026-10", "2026-11"):
        later = to_json(audit_month(Workspace(REPO, clock=lambda: dt.datetime(2030, 1, 1, 9, 0, tzinfo=TZ)), month))
        now = run_cli("audit", "--month", month, "--format", "json", root=REPO)
        assert now.returncode == 1
        assert findings(json.loads(now.stdout)) == findings(later), month
        assert not later["notices"], later["notices"]  # no "the month is not over"


def test_every_workday_of_both_months_has_sign_ins():
    import chinese_calendar

    lines = []
    for month in ("2026-10", "2026-11"):
        text = (REPO / "ledgers" / f"{month}.yaml").read_text(encoding="utf-8")
        lines += [json.loads(line[2:]) for line in text.splitlines() if line.startswith("- {")]
        days = {e["at"][:10] for e in lines if e["kind"] == "checkin"}
        for day in month_days(month):
            if chinese_calendar.is_workday(day):
                assert day.isoformat() in days, day


def test_the_readme_first_command_shows_only_the_intended_cadres():
    r = run_cli("audit", "--month", "2026-11", "--format", "json", root=REPO)
    cadres = {v["cadre"] for v in json.loads(r.stdout)["violations"] if v["severity"] == "error"}
    assert cadres == {"c011", "c013", "c015", "c016", "c019", "c020"}
