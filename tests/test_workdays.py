"""The working calendar against the State Council's published arrangements, and rules.yaml's additions."""

from __future__ import annotations

import datetime as dt

from zoudu.ledger.settings import CalendarSettings, YearArrangement
from zoudu.audit.workdays import LIBRARY, Calendar


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def span(first: str, last: str) -> set[dt.date]:
    a, b = d(first), d(last)
    return {a + dt.timedelta(days=i) for i in range((b - a).days + 1)}


def year_days(year: int) -> list[dt.date]:
    return sorted(span(f"{year}-01-01", f"{year}-12-31"))


# 国办发明电〔2024〕12号: the 2025 arrangement.
HOLIDAYS_2025 = (span("2025-01-01", "2025-01-01") | span("2025-01-28", "2025-02-04") | span("2025-04-04", "2025-04-06")
                 | span("2025-05-01", "2025-05-05") | span("2025-05-31", "2025-06-02")
                 | span("2025-10-01", "2025-10-08"))
MAKEUP_2025 = {d("2025-01-26"), d("2025-02-08"), d("2025-04-27"), d("2025-09-28"), d("2025-10-11")}
# 国办发明电〔2025〕7号: the 2026 arrangement.
HOLIDAYS_2026 = (span("2026-01-01", "2026-01-03") | span("2026-02-15", "2026-02-23") | span("2026-04-04", "2026-04-06")
                 | span("2026-05-01", "2026-05-05") | span("2026-06-19", "2026-06-21")
                 | span("2026-09-25", "2026-09-27") | span("2026-10-01", "2026-10-07"))
MAKEUP_2026 = {d("2026-01-04"), d("2026-02-14"), d("2026-02-28"), d("2026-05-09"), d("2026-09-20"), d("2026-10-10")}


def check_year(year: int, holidays: set[dt.date], makeup: set[dt.date]) -> None:
    cal = Calendar()
    for day in year_days(year):
        expected = day in makeup or (day.weekday() < 5 and day not in holidays)
        assert cal.is_workday(day) == expected, day
        if day in holidays:
            assert cal.is_holiday(day), day
        elif not expected:
            assert not cal.is_holiday(day), day  # an ordinary weekend is not a holiday
    assert cal.unknown_years == () and cal.notices() == []
    assert cal.source(year) == LIBRARY


def test_2025_as_published():
    check_year(2025, HOLIDAYS_2025, MAKEUP_2025)


def test_2026_as_published():
    check_year(2026, HOLIDAYS_2026, MAKEUP_2026)


def test_national_day_2026_and_its_makeup_saturday():
    cal = Calendar()
    assert [cal.is_workday(day) for day in sorted(span("2026-09-28", "2026-10-11"))] == [
        True, True, True, False, False, False, False,  # Mon 28 Sep - Sun 4 Oct
        False, False, False, True, True, True, False,  # Mon 5 - Sun 11 Oct: Saturday 10 works
    ]


def test_a_year_known_to_nobody_is_assumed_monday_to_friday_and_says_so():
    cal = Calendar()
    assert cal.is_workday(d("2027-01-01"))  # a Friday: in truth New Year's Day, but nobody knows 2027 yet
    assert not cal.is_workday(d("2027-01-02"))
    assert cal.unknown_years == (2027,)
    (notice,) = cal.notices()
    assert "2027" in notice and "calendar.years" in notice and "rules.yaml" in notice
    assert cal.source(2027) is None


def test_a_whole_year_from_rules_yaml():
    arrangement = YearArrangement(2027, "国务院办公厅关于2027年部分节假日安排的通知",
                                  frozenset({d("2027-01-01")}), frozenset({d("2027-02-06")}))
    cal = Calendar(CalendarSettings(years={2027: arrangement}))
    assert not cal.is_workday(d("2027-01-01")) and cal.is_holiday(d("2027-01-01"))
    assert cal.is_workday(d("2027-02-06"))  # a Saturday, made a workday
    assert cal.is_workday(d("2027-01-04")) and not cal.is_workday(d("2027-01-03"))
    assert cal.notices() == [] and cal.source(2027) == arrangement.source


def test_rules_yaml_wins_over_the_library_and_single_days_win_over_both():
    arrangement = YearArrangement(2026, "本乡核对", frozenset(), frozenset({d("2026-10-04")}))
    settings = CalendarSettings(holidays=frozenset({d("2026-11-03")}), workdays=frozenset({d("2026-10-03")}),
                                years={2026: arrangement})
    cal = Calendar(settings)
    assert cal.is_workday(d("2026-10-04"))  # the whole-year arrangement of rules.yaml
    assert cal.is_workday(d("2026-10-03"))  # a single extra workday
    assert not cal.is_workday(d("2026-11-03")) and cal.is_holiday(d("2026-11-03"))  # a local holiday
    assert not cal.is_workday(d("2026-10-05"))  # a day rules.yaml's year does not list: the library's holiday
