"""Schedules in the store's zone: occurrences counted by hand on a calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shopops.core.schedule import Schedule, daily, every, monthly, weekly

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
UTC = dt.UTC


def at(y, m, d, hh=0, mm=0, tz=SH):
    return dt.datetime(y, m, d, hh, mm, tzinfo=tz)


def test_daily_seven_oclock_is_store_time_not_utc():
    s = daily(7, 0)
    # 2026-12-01 07:00 in Shanghai is 2026-11-30 23:00 UTC
    assert s.last_due(at(2026, 11, 30, 23, 0, UTC), SH) == at(2026, 12, 1, 7, 0)
    assert s.last_due(at(2026, 11, 30, 22, 59, UTC), SH) == at(2026, 11, 30, 7, 0)
    assert s.next_after(at(2026, 11, 30, 22, 59, UTC), SH) == at(2026, 12, 1, 7, 0)
    assert s.next_after(at(2026, 12, 1, 7, 0), SH) == at(2026, 12, 2, 7, 0)  # strictly after


def test_weekly_monday_and_monthly_first():
    # 2026-12-07 is a Monday (2026-12-01 is a Tuesday)
    assert weekly(0, 8).next_after(at(2026, 12, 1, 12), SH) == at(2026, 12, 7, 8)
    assert weekly(0, 8).last_due(at(2026, 12, 1, 12), SH) == at(2026, 11, 30, 8)
    assert monthly(1, 8).last_due(at(2026, 12, 31, 23), SH) == at(2026, 12, 1, 8)
    assert monthly(1, 8).last_due(at(2026, 12, 1, 7, 59), SH) == at(2026, 11, 1, 8)
    assert monthly(1, 8).next_after(at(2026, 12, 1, 8), SH) == at(2027, 1, 1, 8)


def test_every_hour_and_daylight_saving_keeps_wall_clock():
    assert every(60).last_due(at(2026, 12, 1, 9, 59), SH) == at(2026, 12, 1, 9)
    assert every(15).next_after(at(2026, 12, 1, 23, 50), SH) == at(2026, 12, 2, 0, 0)
    # New York leaves summer time on 2026-11-01: 07:00 local is 11:00 UTC before, 12:00 UTC after
    assert daily(7).next_after(at(2026, 10, 31, 12, 0, UTC), NY).astimezone(UTC) == at(2026, 11, 1, 12, 0, UTC)
    assert daily(7).next_after(at(2026, 10, 30, 12, 0, UTC), NY).astimezone(UTC) == at(2026, 10, 31, 11, 0, UTC)


@pytest.mark.parametrize("kwargs", [dict(weekday=7), dict(day=31), dict(every_minutes=7), dict(weekday=1, day=2)])
def test_bad_schedules_are_refused(kwargs):
    with pytest.raises(ValueError):
        Schedule(**kwargs)


def test_describe_in_both_languages():
    assert weekly(0, 8).describe("en") == "Mon 08:00" and weekly(0, 8).describe("zh-hans") == "每周一 08:00"
    assert monthly(1, 8).describe("zh-hans") == "每月 1 日 08:00"
