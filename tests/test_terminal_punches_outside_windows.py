"""A terminal's punch outside every sign-in window (people punch when they leave for lunch) is kept
in the ledger but raises no finding and never appears on the notice (docs/guide.md); a typed
sign-in outside the windows is still ``signin.outside_window``."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.workspace import run_cli as zoudu
from tests.support.punches import attlog, days_ago, entries, township, violations
from zoudu.ledger.workspace import Workspace
from zoudu.publish.notice import notice_sheet


def _outside(root, day: dt.date) -> list[dict]:
    return [v for v in violations(root, day.isoformat()[:7])
            if v["rule"] == "signin.outside_window" and v["date"] == day.isoformat()]


def _shown(root, day: dt.date, cadre: str) -> list[str]:
    sheet = notice_sheet(Workspace(root), day.isoformat()[:7])
    row = next(r for r in sheet.rows if r.cadre == cadre)
    return [clock for mark in row.days if mark.date == day for clock, _flag in mark.times]


@pytest.mark.parametrize("fmt", ["zkteco", "zk-export"])
def test_a_lunch_punch_is_kept_but_raises_nothing_and_is_not_on_the_notice(tmp_path, fmt):
    root = township(tmp_path / "w")
    day = days_ago(1)
    times = [dt.datetime.combine(day, dt.time(*hm)) for hm in ((8, 1), (12, 3), (17, 45))]
    if fmt == "zkteco":
        path = attlog(tmp_path / "attlog.dat", [("3", at) for at in times])
    else:
        path = tmp_path / "导出.csv"
        path.write_text("部门,姓名,考勤号码,日期时间,机器号\n" + "".join(
            f"党政办,李四,3,{at:%Y-%m-%d %H:%M:%S},1\n" for at in times), encoding="utf-8")
    r = zoudu("import", str(path), root=root)
    assert r.returncode == 0, r.stderr
    assert [e["at"][11:16] for e in entries(root)] == ["08:01", "12:03", "17:45"]  # all kept
    assert _outside(root, day) == []
    assert _shown(root, day, "c003") == ["08:01"]


def test_a_typed_sign_in_outside_the_windows_is_still_a_finding(tmp_path):
    root = township(tmp_path / "w")
    day = days_ago(1)
    r = zoudu("checkin", "李四", "--at", f"{day} 12:03", "--approver", "c002", "--reason", "补录", root=root)
    assert r.returncode == 0, r.stderr
    assert [v["cadre"] for v in _outside(root, day)] == ["c003"]
    assert "12:03" in _shown(root, day, "c003")
