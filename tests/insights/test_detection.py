"""The detection engine on hand-made series: expected values worked out by hand in each test,
Poisson tails checked against scipy (an independent implementation)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from shopops.insights.calendar import CampaignCalendar
from shopops.metrics.catalog import Unit
from shopops.insights.detection import (
    Series, SeriesSpec, Settings, Signal, detect_day, detect_period, expected_band, group, judge, poisson_cdf,
    poisson_interval, poisson_z,
)

MONDAY = dt.date(2025, 9, 1)
GMV = SeriesSpec("gmv", Unit.MONEY, True)
ORDERS = SeriesSpec("paid_orders", Unit.COUNT, True, drives_gmv=True)


def axis(n: int, start: dt.date = MONDAY) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def weekly(n: int, weekday_values=(100, 100, 100, 100, 100, 150, 150), start=MONDAY) -> np.ndarray:
    return np.array([float(weekday_values[(start + dt.timedelta(days=i)).weekday()]) for i in range(n)])


def test_weekly_pattern_gives_the_weekend_its_own_level():
    dates = axis(57)  # 8 full weeks, then a Monday target... day 56 is a Monday
    values = weekly(57)
    st = Settings(min_spread=0.0)
    saturday = dates[54]
    band = expected_band(dates, values, saturday, kind=Unit.MONEY, settings=st)
    # median of all 54 days before: 100 (weekdays outnumber); Saturday factor = 150/100
    assert band.expected == pytest.approx(150.0)
    monday = dates[56]
    assert expected_band(dates, values, monday, kind=Unit.MONEY, settings=st).expected == pytest.approx(100.0)


def test_one_outlier_in_the_history_moves_neither_level_nor_spread():
    dates = axis(40)
    rng = np.random.default_rng(1)
    values = 1000 + rng.normal(0, 20, 40)
    st = Settings()
    clean = expected_band(dates, values, dates[-1], kind=Unit.MONEY, settings=st)
    spiked = values.copy()
    spiked[30] = 50_000  # a one-day spike (a mis-keyed order)
    dirty = expected_band(dates, spiked, dates[-1], kind=Unit.MONEY, settings=st)
    assert abs(dirty.expected - clean.expected) < 15
    assert dirty.spread < clean.spread * 1.3


def test_campaign_days_are_left_out_of_the_baseline_and_not_judged():
    dates = axis(44)  # to 2025-10-14, the eve of the 双11 window
    values = np.full(44, 100.0)
    cal = CampaignCalendar(monthly={})
    skip = cal.days(["tmall"], dates[0], dates[-1])["tmall"]
    # 2025-09-07..09 is 99划算节 (days 6..8): triple sales there
    for i, d in enumerate(dates):
        if d in skip:
            values[i] = 300.0
    assert {d.isoformat() for d in skip} == {"2025-09-07", "2025-09-08", "2025-09-09"}
    band = expected_band(dates, values, dates[-1], kind=Unit.MONEY, settings=Settings(min_spread=0.0), skip=skip)
    assert band.expected == pytest.approx(100.0)
    series = [Series(GMV, "tmall", "", dates, values)]
    signals, bands = detect_day(series, dt.date(2025, 9, 8), settings=Settings(min_history=3), skip={"tmall": skip},
                                expected_gmv={"tmall": 100.0})
    assert signals == [] and bands == {}


def test_own_store_member_day_and_double_eleven_are_campaign_days():
    cal = CampaignCalendar()
    assert cal.name(dt.date(2025, 11, 11)) == "双11"
    assert cal.name(dt.date(2025, 6, 18)) == "618"
    assert cal.name(dt.date(2025, 12, 12)) == "双12"
    assert cal.name(dt.date(2025, 8, 18), "own") == "会员日"
    assert cal.name(dt.date(2025, 8, 18), "tmall") == ""
    assert cal.name(dt.date(2026, 1, 20)) == "年货节"  # CNY 2026-02-17, 30 days before


@pytest.mark.parametrize("lam,x", [(13, 5), (7.7, 0), (40, 60), (300, 250), (2.5, 9)])
def test_poisson_tails_agree_with_scipy(lam, x):
    assert poisson_cdf(x, lam) == pytest.approx(stats.poisson.cdf(x, lam), rel=1e-9, abs=1e-15)
    z = poisson_z(x, lam)
    if x < lam:
        assert z == pytest.approx(stats.norm.ppf(stats.poisson.cdf(x, lam)), rel=1e-6)
    else:
        assert z == pytest.approx(-stats.norm.ppf(stats.poisson.sf(x - 1, lam)), rel=1e-6)
    lo, hi = poisson_interval(lam, 3.5)
    q = stats.norm.cdf(-3.5)
    assert lo == stats.poisson.ppf(q, lam) and hi == stats.poisson.ppf(1 - q, lam)


def test_a_count_series_is_judged_by_its_poisson_tail():
    dates = axis(36)
    values = np.full(36, 20.0)
    values[-1] = 4.0
    # the band's own Poisson noise alone (Settings.expected_error widens it: tests/insights/test_store_false_alerts.py)
    st = Settings(expected_error=False)
    band = expected_band(dates, values, dates[-1], kind=Unit.COUNT, settings=st)
    assert band.poisson and band.expected == 20.0
    sig = judge(ORDERS, actual=4.0, band=band, store_id="jd", day=dates[-1], driver_gmv=10_000, store_gmv=10_000,
                settings=st)
    # P(X <= 4 | 20) from scipy: the signal's z is its normal score (about -4.1)
    assert sig is not None and sig.z == pytest.approx(stats.norm.ppf(stats.poisson.cdf(4, 20)), rel=1e-6)
    assert sig.relative == pytest.approx(-0.8)
    assert sig.money_at_stake == pytest.approx(8_000)  # 80 % of the store's GMV moves with its orders
    assert sig.severity == "critical"
    # 6 of 20: P = 0.00077, z = -3.17, inside the medium band (3.5) but outside the high one (3)
    assert judge(ORDERS, actual=6.0, band=band, store_id="jd", day=dates[-1], settings=st) is None
    high = Settings(sensitivity="high")
    assert judge(ORDERS, actual=6.0, band=expected_band(dates, values, dates[-1], kind=Unit.COUNT, settings=high),
                 store_id="jd", day=dates[-1], settings=high) is not None


def test_good_direction_moves_are_not_alerted_by_default():
    dates = axis(36)
    values = np.full(36, 20.0)
    band = expected_band(dates, values, dates[-1], kind=Unit.COUNT, settings=Settings())
    assert judge(ORDERS, actual=60.0, band=band, store_id="jd", day=dates[-1], settings=Settings()) is None
    up = judge(ORDERS, actual=60.0, band=band, store_id="jd", day=dates[-1], settings=Settings(both_directions=True))
    assert up is not None and not up.bad


def test_two_day_shortfall_is_seen_on_the_second_day():
    dates = axis(40)
    rng = np.random.default_rng(3)
    values = rng.poisson(30, 40).astype(float)
    values[-2:] = [17.0, 17.0]  # each day alone: z ≈ -2.6; together 34 of 60
    series = [Series(ORDERS, "tmall", "", dates, values)]
    signals, _ = detect_day(series, dates[-1], settings=Settings(), skip={}, expected_gmv={"tmall": 1.0})
    assert len(signals) == 1 and signals[0].window == 2
    assert signals[0].actual == 34.0


def _sig(store, day, kpi, product="", severity="high", money=100.0, alerting=True):
    return Signal(store_id=store, day=day, kpi=kpi, product_id=product, actual=1, expected=2, low=1.5, high=2.5,
                  z=-4, relative=-0.5, money_at_stake=money, severity=severity, bad=True, alerting=alerting)


def test_grouping_one_finding_per_store_day_and_cool_down():
    d = MONDAY
    st = Settings(cooldown_days=3)
    signals = [_sig("tmall", d, "gmv"), _sig("tmall", d, "conversion_rate"), _sig("jd", d, "visitors", severity="low")]
    findings = group(signals, last_alerted={}, settings=st)
    # jd's only signal is low: below min_severity medium, no finding
    assert [(f.store_id, [s.kpi for s in f.signals]) for f in findings] == [("tmall", ["gmv", "conversion_rate"])]
    # the same KPIs two days later: in cool-down; conversion alerted 5 days ago: out of it
    later = d + dt.timedelta(days=2)
    again = group([_sig("tmall", later, "gmv"), _sig("tmall", later, "conversion_rate")],
                  last_alerted={("tmall", "gmv", ""): d, ("tmall", "conversion_rate", ""): d - dt.timedelta(days=3)},
                  settings=st)
    assert [s.kpi for s in again[0].signals] == ["conversion_rate"]
    assert [s.kpi for s in again[0].suppressed] == ["gmv"]


def test_context_signals_alone_open_no_finding():
    d = MONDAY
    assert group([_sig("tmall", d, "cpc", alerting=False)], last_alerted={}, settings=Settings()) == []


def test_detect_period_applies_cool_down_across_days():
    dates = axis(45)
    values = np.full(45, 40.0)
    values[-3:] = 5.0  # three bad days in a row
    series = [Series(ORDERS, "tmall", "", dates, values)]
    days = dates[-3:]
    findings = detect_period(series, days, settings=Settings(cooldown_days=3), skip={},
                             expected_gmv={("tmall", d): 1000.0 for d in days})
    assert [f.day for f in findings] == [days[0]]


@pytest.mark.parametrize("kwargs,field", [
    ({"sensitivity": "extreme"}, "sensitivity"), ({"lookback_days": 0}, "lookback_days"),
    ({"cooldown_days": -1}, "cooldown_days"), ({"min_severity": "urgent"}, "min_severity"),
])
def test_bad_settings_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Settings(**kwargs)


def test_missing_days_are_not_zeros():
    dates = axis(30)
    values = np.full(30, 100.0)
    values[:20] = math.nan  # a store that started 10 days ago
    assert expected_band(dates, values, dates[-1], kind=Unit.MONEY, settings=Settings()) is None


@pytest.mark.parametrize("kind,volumes", [(Unit.COUNT, False), (Unit.MONEY, True), (Unit.PERCENT, True),
                                          (Unit.RATIO, True)])
def test_many_series_at_once_give_the_bands_of_one_at_a_time(kind, volumes):
    from shopops.insights.detection import expected_bands

    rng = np.random.default_rng(11)
    dates = axis(60)
    values = rng.poisson(rng.uniform(2, 60, (40, 1)), (40, 60)).astype(float)
    if kind is Unit.PERCENT:
        values = values / 100.0
    values[:, [5, 17]] = np.nan  # days the store had no data
    values[3, :] = 0.0  # a product that never sells
    vols = rng.poisson(30, (40, 60)).astype(float) if volumes else None
    skip = frozenset({dates[20], dates[21]})
    st = Settings()
    many = expected_bands(dates, values, dates[-1], kind=kind, settings=st, skip=skip, volumes=vols)
    one = [expected_band(dates, values[i], dates[-1], kind=kind, settings=st, skip=skip,
                         volumes=None if vols is None else vols[i]) for i in range(40)]
    assert any(b is not None for b in one)
    for a, b in zip(many, one):
        if b is None:
            assert a is None
        else:
            assert a.expected == pytest.approx(b.expected) and a.low == pytest.approx(b.low)
            assert a.high == pytest.approx(b.high) and a.poisson == b.poisson


def test_the_usual_range_of_an_amount_starts_at_a_share_of_the_level_not_at_zero():
    from shopops.insights.detection import Band
    from shopops.insights.pipeline import usual_range

    wide = Band(expected=1000.0, low=-1100.0, high=3100.0, spread=600.0, history=28)  # a small store's GMV
    lo, hi = usual_range(wide, 1.7, positive=True)
    # by hand: 1000 × e^(∓1.7 × 0.6) = 360.6 and 2773.2
    assert lo == pytest.approx(1000 * math.exp(-1.02)) and hi == pytest.approx(1000 * math.exp(1.02))
    assert lo > 0
    assert usual_range(wide, 1.7) == pytest.approx((-20.0, 2020.0))  # a rate or a signed KPI: additive
    narrow = Band(expected=1000.0, low=900.0, high=1100.0, spread=20.0, history=28)
    lo, hi = usual_range(narrow, 1.7, positive=True)
    assert lo == pytest.approx(966.0, abs=0.6) and hi == pytest.approx(1034.0, abs=0.6)  # ≈ expected ± z × spread
