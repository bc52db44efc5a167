"""SLA business-hours arithmetic against hand-counted cases (store time Asia/Shanghai).

Expected instants were counted by hand on a calendar: 2025-09-28 (Sunday) and 2025-10-11
(Saturday) were 调休 working days, 2025-10-01..08 the National Day holiday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shopops.service.sla import (
    BusinessHours, add_business_seconds, business_seconds_between, default_calendar, subtract_business_seconds, weekdays,
)

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


NINE_SIX = BusinessHours(opens=9 * 60, closes=18 * 60, is_working_day=weekdays)
OFFICIAL = BusinessHours(opens=9 * 60, closes=18 * 60, is_working_day=default_calendar())


@pytest.mark.parametrize(("start", "seconds", "expected", "hours"), [
    ("2025-11-03 17:00", 2 * 3600, "2025-11-04 10:00", NINE_SIX),  # overnight: 1 h Monday + 1 h Tuesday
    ("2025-11-07 17:30", 3600, "2025-11-10 09:30", NINE_SIX),  # weekend: Fri 30 min + Mon 30 min
    ("2025-11-03 07:00", 1800, "2025-11-03 09:30", NINE_SIX),  # before opening: counting starts at 9
    ("2025-11-03 18:00", 0, "2025-11-04 09:00", NINE_SIX),  # at closing: the next opening
    ("2025-11-03 12:00", 9 * 3600, "2025-11-04 12:00", NINE_SIX),  # a full business day
    ("2025-09-30 17:00", 2 * 3600, "2025-10-09 10:00", OFFICIAL),  # National Day: Oct 1–8 off
    ("2025-09-30 17:00", 2 * 3600, "2025-10-01 10:00", NINE_SIX),  # the same with plain weekdays
    ("2025-09-26 17:00", 2 * 3600, "2025-09-28 10:00", OFFICIAL),  # 调休: Sunday Sep 28 is a working day
    ("2025-10-10 17:00", 2 * 3600, "2025-10-11 10:00", OFFICIAL),  # 调休: Saturday Oct 11 is a working day
    ("2025-11-07 23:00", 2 * 3600, "2025-11-10 10:00", BusinessHours(opens=9 * 60, closes=1440, is_working_day=weekdays)),
])
def test_deadline(start, seconds, expected, hours):
    due = add_business_seconds(at(start), seconds, hours)
    assert due == at(expected)


@pytest.mark.parametrize(("start", "end", "expected_seconds", "hours"), [
    ("2025-11-03 17:00", "2025-11-04 10:00", 7200, NINE_SIX),
    ("2025-11-07 17:30", "2025-11-10 09:30", 3600, NINE_SIX),
    ("2025-11-08 10:00", "2025-11-09 15:00", 0, NINE_SIX),  # all weekend
    ("2025-09-30 08:00", "2025-10-09 09:30", 9 * 3600 + 1800, OFFICIAL),  # Sep 30 full day, holiday, 30 min Oct 9
    ("2025-09-27 12:00", "2025-09-28 12:00", 3 * 3600, OFFICIAL),  # Saturday off, 调休 Sunday 9–12
    ("2025-11-04 10:00", "2025-11-03 10:00", 0, NINE_SIX),  # end before start
])
def test_open_time_between(start, end, expected_seconds, hours):
    assert business_seconds_between(at(start), at(end), hours) == expected_seconds


@pytest.mark.parametrize(("end", "seconds", "expected", "hours"), [
    ("2025-11-04 10:00", 2 * 3600, "2025-11-03 17:00", NINE_SIX),  # overnight: 1 h Tuesday + 1 h Monday
    ("2025-11-10 09:30", 3600, "2025-11-07 17:30", NINE_SIX),  # back over the weekend
    ("2025-11-09 15:00", 1800, "2025-11-07 17:30", NINE_SIX),  # a Sunday end: from Friday's close
    ("2025-11-04 08:00", 3600, "2025-11-03 17:00", NINE_SIX),  # before opening: from the day before's close
    ("2025-11-05 12:00", 0, "2025-11-05 12:00", NINE_SIX),
    ("2025-11-04 12:00", 9 * 3600, "2025-11-03 12:00", NINE_SIX),  # a full business day
    ("2025-10-09 10:00", 2 * 3600, "2025-09-30 17:00", OFFICIAL),  # back over National Day (Oct 1–8 off)
    ("2025-09-28 10:00", 2 * 3600, "2025-09-26 17:00", OFFICIAL),  # from the 调休 Sunday, over Saturday
    ("2025-11-09 12:00", 3 * 3600, "2025-11-07 21:00", BusinessHours(opens=9 * 60, closes=1440, is_working_day=weekdays)),
])
def test_clock_start(end, seconds, expected, hours):
    start = subtract_business_seconds(at(end), seconds, hours)
    assert start == at(expected)
    assert business_seconds_between(start, at(end), hours) == seconds


def test_utc_input_is_read_in_store_time():
    # 2025-11-03 01:00 UTC = 09:00 Shanghai
    start = dt.datetime(2025, 11, 3, 1, 0, tzinfo=dt.UTC)
    assert add_business_seconds(start, 3600, NINE_SIX) == at("2025-11-03 10:00")


def test_refuses_naive_and_bad_hours():
    with pytest.raises(ValueError, match="naive"):
        add_business_seconds(dt.datetime(2025, 11, 3, 9), 60, NINE_SIX)
    with pytest.raises(ValueError, match="opens"):
        BusinessHours(opens=18 * 60, closes=9 * 60)


def test_calendar_without_working_days_does_not_hang():
    with pytest.raises(ValueError, match="no working day"):
        add_business_seconds(at("2025-11-03 09:00"), 60, BusinessHours(is_working_day=lambda d: False))


def test_festival_calendar_is_used_when_core_has_one(monkeypatch):
    """With ``shopops.core.festivals.public_days`` (campaigns work) the desk reads holidays and 调休 from it."""
    import sys
    import types
    from dataclasses import dataclass

    import shopops.core
    from shopops.service import sla

    @dataclass
    class Day:
        day: dt.date
        kind: str

    def public_days(year):
        if year != 2031:
            raise LookupError(year)
        return [Day(dt.date(2031, 1, 1), "holiday"), Day(dt.date(2031, 1, 4), "makeup_workday")]

    fake = types.ModuleType("shopops.core.festivals")
    fake.public_days = public_days
    monkeypatch.setitem(sys.modules, "shopops.core.festivals", fake)
    monkeypatch.setattr(shopops.core, "festivals", fake, raising=False)
    cal = sla._festivals_calendar()
    assert cal(dt.date(2031, 1, 1)) is False  # Wednesday, a holiday
    assert cal(dt.date(2031, 1, 4)) is True  # Saturday, 调休
    assert cal(dt.date(2031, 1, 5)) is False  # Sunday
    assert cal(dt.date(2032, 1, 1)) is True  # a year without the schedule: Monday–Friday (Thursday)
