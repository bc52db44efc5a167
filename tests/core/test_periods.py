import datetime as dt

import pytest

from shopops.core.periods import Period, PeriodPreset, business_today, month_period, preset_period


def test_business_today_is_the_stores_day_not_utc():
    # 2025-11-10 17:30 UTC is already 11-11 01:30 in Shanghai
    now = dt.datetime(2025, 11, 10, 17, 30, tzinfo=dt.UTC)
    assert business_today("Asia/Shanghai", now) == dt.date(2025, 11, 11)
    assert business_today("UTC", now) == dt.date(2025, 11, 10)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="naive"):
        business_today("Asia/Shanghai", dt.datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("yesterday", "2025-11-11", "2025-11-11"),
        ("last7", "2025-11-05", "2025-11-11"),
        ("last30", "2025-10-13", "2025-11-11"),
        ("mtd", "2025-11-01", "2025-11-11"),
    ],
)
def test_presets_end_yesterday(preset, start, end):
    period = preset_period(PeriodPreset(preset), today=dt.date(2025, 11, 12))
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_month_to_date_on_the_first_is_last_month():
    assert preset_period("mtd", today=dt.date(2025, 12, 1)) == month_period(2025, 11)


def test_previous_period_has_the_same_length_and_touches():
    p = Period(dt.date(2025, 11, 3), dt.date(2025, 11, 30))
    assert p.previous() == Period(dt.date(2025, 10, 6), dt.date(2025, 11, 2))


def test_previous_of_a_calendar_month_is_the_calendar_month_before():
    assert Period.parse("2025-11").previous() == Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    assert Period.parse("2024-03").previous() == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert Period.parse("2025-01").previous() == Period(dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    assert Period(dt.date(2024, 2, 29), dt.date(2024, 2, 29)).same_period_last_year().start == dt.date(2023, 2, 28)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-11", "2025-11-01", "2025-11-30"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2025-W45", "2025-11-03", "2025-11-09"),
        ("2025-11-11", "2025-11-11", "2025-11-11"),
        ("2025-11-01..2025-11-11", "2025-11-01", "2025-11-11"),
    ],
)
def test_parse(text, start, end):
    p = Period.parse(text)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


def test_parse_rejects_nonsense_with_the_expected_forms():
    with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
        Period.parse("last tuesday")
    with pytest.raises(ValueError, match="before it starts"):
        Period.parse("2025-11-11..2025-11-01")
