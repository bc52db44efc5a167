"""The marketing calendar's sources against independent data: chinesecalendar's own tables for
holidays and 调休, dates of the State Council notices, and ``lunardate`` for lunar festivals."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from lunardate import LunarDate

from shopops.core import festivals as fe

D = dt.date
YEARS = range(2024, 2028)


@pytest.mark.parametrize("year", YEARS)
def test_holidays_and_makeup_days_equal_the_library(year):
    if year not in fe.holiday_years():
        with pytest.raises(fe.HolidayDataMissing, match=str(year)):
            fe.public_days(year)
        pytest.skip(f"chinesecalendar has no State Council schedule for {year} yet (reported as missing)")
    days = fe.public_days(year)
    holidays = {p.day for p in days if p.kind is fe.PublicDayKind.HOLIDAY}
    makeup = {p.day for p in days if p.kind is fe.PublicDayKind.MAKEUP_WORKDAY}
    jan1, dec31 = D(year, 1, 1), D(year, 12, 31)
    every_day = [jan1 + dt.timedelta(days=i) for i in range((dec31 - jan1).days + 1)]
    # the library's own answers, day by day, through its public functions
    assert holidays == {d for d in every_day if chinese_calendar.is_holiday(d)
                        and chinese_calendar.get_holiday_detail(d)[1] is not None}
    assert makeup == {d for d in every_day if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    assert not holidays & makeup


def test_state_council_dates_spot_checks():
    days = {p.day: p for y in (2024, 2025, 2026) for p in fe.public_days(y)}
    # 国办发明电〔2024〕12号: 2025 春节 1/28–2/4 off, 1/26 (Sun) and 2/8 (Sat) working days
    for d in (D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)):
        assert days[d].kind is fe.PublicDayKind.MAKEUP_WORKDAY, d
    assert all(days[D(2025, 1, 28) + dt.timedelta(days=i)].kind is fe.PublicDayKind.HOLIDAY for i in range(8))
    assert days[D(2025, 1, 29)].name_zh == "春节" and days[D(2025, 1, 29)].name_en == "Spring Festival"
    assert days[D(2025, 10, 6)].name_zh in ("国庆节", "中秋节")
    # 2024: 2/4 and 2/18 working days (春节), 10/1–10/7 off
    assert days[D(2024, 2, 4)].kind is fe.PublicDayKind.MAKEUP_WORKDAY
    assert days[D(2024, 2, 18)].kind is fe.PublicDayKind.MAKEUP_WORKDAY
    assert days[D(2024, 10, 7)].kind is fe.PublicDayKind.HOLIDAY
    # 2026 (国办发明电〔2025〕7号): 春节 2/15–2/23, 2/14 and 2/28 working days
    assert days[D(2026, 2, 14)].kind is fe.PublicDayKind.MAKEUP_WORKDAY
    assert days[D(2026, 2, 28)].kind is fe.PublicDayKind.MAKEUP_WORKDAY
    assert days[D(2026, 2, 17)].kind is fe.PublicDayKind.HOLIDAY
    # an ordinary weekend is neither
    assert D(2025, 3, 15) not in days


@pytest.mark.parametrize("year", range(2020, 2031))
def test_lunar_festivals_equal_lunardate(year):
    got = {f.key: f.day for f in fe.lunar_festivals(year)}
    expected = {
        "spring_festival": LunarDate(year, 1, 1).to_solar_date(),
        "lantern": LunarDate(year, 1, 15).to_solar_date(),
        "dragon_boat": LunarDate(year, 5, 5).to_solar_date(),
        "qixi": LunarDate(year, 7, 7).to_solar_date(),
        "mid_autumn": LunarDate(year, 8, 15).to_solar_date(),
        # the last day of the twelfth month of the lunar year before
        "new_years_eve": LunarDate(year, 1, 1).to_solar_date() - dt.timedelta(days=1),
    }
    assert got == expected
    assert fe.chinese_new_year(year) == expected["spring_festival"]
    eve = next(f for f in fe.lunar_festivals(year) if f.key == "new_years_eve")
    assert LunarDate.from_solar_date(eve.day.year, eve.day.month, eve.day.day).month == 12
    assert (LunarDate.from_solar_date(eve.day.year, eve.day.month, eve.day.day).day == eve.lunar_day)


def test_known_lunar_dates():
    assert fe.chinese_new_year(2025) == D(2025, 1, 29)
    assert fe.chinese_new_year(2026) == D(2026, 2, 17)
    by = {f.key: f.day for f in fe.lunar_festivals(2025)}
    assert by["mid_autumn"] == D(2025, 10, 6) and by["dragon_boat"] == D(2025, 5, 31)
    # 2023 had a leap second month: 端午 is still the regular fifth month's fifth day
    assert {f.key: f.day for f in fe.lunar_festivals(2023)}["dragon_boat"] == D(2023, 6, 22)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_platform_festivals_are_typed_ordered_and_marked_typical(year):
    all_fests = fe.platform_festivals(year)
    assert {f.platform for f in all_fests} == set(fe.Platform)
    tmall = {f.key: f for f in fe.platform_festivals(year, "tmall")}
    assert set(tmall) == {"new_year_goods", "38", "618", "99", "double11", "double12"}
    d11 = tmall["double11"]
    assert d11.name_zh == "天猫双11" and d11.last == D(year, 11, 13) and d11.contains(D(year, 11, 11))
    kinds = {p.kind for p in d11.phases}
    assert {fe.PhaseKind.PRESALE, fe.PhaseKind.BALANCE, fe.PhaseKind.OPENING, fe.PhaseKind.MAIN,
            fe.PhaseKind.ENCORE} <= kinds
    main = next(p for p in d11.phases if p.kind is fe.PhaseKind.MAIN)
    assert main.last == D(year, 11, 11)
    assert "typical" in d11.source and "editable" in d11.source
    assert tmall["618"].first == D(year, 5, 20) and tmall["618"].last == D(year, 6, 20)
    # 年货节 ends before 春节 and starts about a month ahead
    ng = tmall["new_year_goods"]
    cny = fe.chinese_new_year(year)
    assert ng.last < cny and 25 <= (cny - ng.first).days <= 35
    for f in all_fests:
        assert list(f.phases) == sorted(f.phases, key=lambda p: (p.first, p.last))
        assert all(p.first <= p.last for p in f.phases)
    assert "99" not in {f.key for f in fe.platform_festivals(year, "jd")}


def test_festivals_between_reaches_into_next_years_new_year_goods():
    # 2028's 春节 is 1/26, so its 年货节 starts in December 2027
    got = fe.festivals_between(D(2027, 12, 20), D(2027, 12, 31), "tmall")
    assert [f.key for f in got] == ["new_year_goods"] and got[0].year == 2028


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="ends"):
        fe.Phase(fe.PhaseKind.MAIN, D(2025, 11, 11), D(2025, 11, 10))
    with pytest.raises(ValueError):
        fe.platform_festivals(2025, "amazon")
