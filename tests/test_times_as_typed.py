"""Times, days and months as people write them (docs/guide.md#typing-times-names-and-rules), and the ones refused with
their message."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import TZ, run_cli
from zoudu import i18n
from zoudu.errors import ZouduError
from zoudu.timeparse import parse_date, parse_month, parse_time, said

NOW = dt.datetime(2026, 11, 5, 21, 0, tzinfo=TZ)


@pytest.mark.parametrize("typed, expected", [
    ("2026-11-04T08:02", "2026-11-04 08:02"),
    ("2026-11-04 08:02", "2026-11-04 08:02"),
    ("2026/11/04 8:00", "2026-11-04 08:00"),
    ("2026.11.04 08:00", "2026-11-04 08:00"),
    ("2026-11-04 8:00", "2026-11-04 08:00"),
    ("2026年11月4日 08:00", "2026-11-04 08:00"),
    ("2026年11月4日 8时30分", "2026-11-04 08:30"),
    ("2026年11月4日 8时", "2026-11-04 08:00"),
    ("11月4日 8:00", "2026-11-04 08:00"),
    ("今天 8:00", "2026-11-05 08:00"),
    ("昨天 19:30", "2026-11-04 19:30"),
    ("8:00", "2026-11-05 08:00"),
    ("08:00", "2026-11-05 08:00"),
    ("２０２６－１１－０４　０８：００", "2026-11-04 08:00"),
    ("2026年11月4日　８：００", "2026-11-04 08:00"),
    ("2026-11-04T08:02:00+08:00", "2026-11-04 08:02"),
    ("2026-11-04T00:02:00Z", "2026-11-04 08:02"),
])
def test_times_as_people_write_them(typed, expected):
    assert parse_time(typed, TZ, NOW).strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("typed", [
    "٢٠٢٦-١١-٠٤ 08:00",   # Arabic-Indic digits: int() would take them
    "2026-11-04 ٠٨:00",
    "२०२६-11-04 08:00",   # Devanagari
    "2026-13-45T08:00", "2026-11-03T25:61", "25:61", "tomorrow", "", "2026-11-04", "11/04 8:00",
])
def test_malformed_times_are_refused(typed):
    with pytest.raises(ZouduError, match="not a valid time"):
        parse_time(typed, TZ, NOW)


def test_an_impossible_day_says_it_does_not_exist():
    with pytest.raises(ZouduError, match="2026-11-31 does not exist"):
        parse_time("2026-11-31 08:00", TZ, NOW)
    with pytest.raises(ZouduError, match="2026-02-29 does not exist"):
        parse_date("2026年2月29日")


def test_years_outside_2000_to_2100_are_refused_where_typed():
    with pytest.raises(ZouduError, match="outside 2000"):
        parse_time("9999-12-31T23:59-12:00", TZ, NOW)  # once an OverflowError
    with pytest.raises(ZouduError, match="outside 2000"):
        parse_month("1999-12")


@pytest.mark.parametrize("typed, expected", [
    ("2026-11", "2026-11"), ("２０２６-１１", "2026-11"), ("2026/11", "2026-11"), ("2026年11月", "2026-11"),
    ("2026-1", "2026-01"),
])
def test_months_are_normalised(typed, expected):
    assert parse_month(typed) == expected


@pytest.mark.parametrize("typed", ["٢٠٢٦-١١", "2026-13", "Nov", "2026-11-01"])
def test_malformed_months_are_refused(typed):
    with pytest.raises(ZouduError, match="not a valid month"):
        parse_month(typed)


def test_days_as_people_write_them():
    today = dt.date(2026, 11, 5)
    for typed in ("2026-11-04", "2026/11/4", "2026.11.4", "2026年11月4日", "11月4日", "昨天", "２０２６－１１－０４"):
        assert parse_date(typed, today) == dt.date(2026, 11, 4), typed


def test_times_in_messages_as_a_clerk_reads_them():
    i18n.set_explicit("zh")
    assert said(dt.datetime(2026, 12, 3, 12, 0, tzinfo=TZ)) == "12月3日 12:00"
    assert said(dt.datetime(2026, 12, 3, 12, 0, tzinfo=TZ), 2027) == "2026年12月3日 12:00"


def test_the_command_line_says_it_in_chinese(tmp_path):
    root = tmp_path / "w"
    run_cli("init", str(root), "--township", "东岭乡", "--county", "某县")
    run_cli("roster", "add", "c001", "--name", "李卫东", "--team", "--since", "2020-01-01", root=root)
    r = run_cli("checkin", "c001", "--at", "2026-11-31 08:00", root=root, lang="zh")
    assert r.returncode == 2 and "2026年11月31日不存在" in r.stderr and len(r.stderr.splitlines()) == 1
    r = run_cli("checkin", "c001", "--at", "早上八点", root=root, lang="zh")
    assert r.returncode == 2 and "2026-11-03 08:02" in r.stderr
    r = run_cli("checkin", "c001", "--at", "9999-12-31T23:59-12:00", root=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "internal" not in r.stderr
    yesterday = (dt.datetime.now(TZ) - dt.timedelta(days=1)).strftime("%m月%d日").lstrip("0")
    ok = run_cli("checkin", "李卫东", "--at", f"{yesterday} ８：０２", root=root, lang="zh")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split()[0].count("-") == 2 and "李卫东" in ok.stdout and "上午签到 08:02" in ok.stdout
