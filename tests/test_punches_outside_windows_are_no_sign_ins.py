"""A terminal's punch outside every sign-in window (out for lunch, off home) is no sign-in
(docs/guide.md): it is not counted among the sign-ins made (the notice's 实签到次数), and imported
late it raises no ``signin.backfilled`` either; the punches inside the windows are judged as ever."""

from __future__ import annotations

import datetime as dt
import json

from tests.support.workspace import run_cli as zoudu
from tests.support.punches import attlog, township, workday_ago


def _audit(root, month: str) -> dict:
    r = zoudu("audit", "--month", month, "--format", "json", "--cadre", "c003", root=root)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def test_lunch_and_home_punches_are_not_sign_ins_made(tmp_path):
    root = township(tmp_path / "w")
    day = workday_ago(1)
    times = [dt.datetime.combine(day, dt.time(*hm)) for hm in ((8, 1), (12, 3), (14, 20), (17, 41))]
    assert zoudu("import", str(attlog(tmp_path / "attlog.dat", [("3", at) for at in times])), root=root).returncode == 0
    (c003,) = _audit(root, day.isoformat()[:7])["cadres"]
    assert c003["signins_made"] - c003["signins_valid"] == 0  # 12:03 and 17:41 are neither


def test_a_late_imported_lunch_punch_raises_nothing(tmp_path):
    root = township(tmp_path / "w")
    day = workday_ago(10)  # past the import limit (7 days): the punches are backfills
    times = [dt.datetime.combine(day, dt.time(*hm)) for hm in ((8, 1), (12, 3))]
    r = zoudu("import", str(attlog(tmp_path / "attlog.dat", [("3", at) for at in times])), root=root)
    assert r.returncode == 0, r.stderr
    found = [v for v in _audit(root, day.isoformat()[:7])["violations"]
             if v["rule"] == "signin.backfilled" and v["date"] == day.isoformat()]
    assert [v["slot"] for v in found] == ["morning"], found
