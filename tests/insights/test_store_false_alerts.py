"""Issue 18, eleventh pass (h18f): the store KPIs' false alerts of the ordinary season's first weeks.

Expected values are worked out by hand in each test (the arithmetic is written out in the comments);
each rule has a test that fails with its setting off."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from shopops.insights.detection import (
    Band, Settings, SeriesSpec, _two_day_band, _weekday_by_week, _weekday_by_week_1d, _weekday_noise,
    _weekday_noise_1d, expected_band, expected_bands, judge,
)
from shopops.metrics.catalog import Unit

MONDAY = dt.date(2025, 6, 2)
VISITORS = SeriesSpec("visitors", Unit.COUNT, True, drives_gmv=True)
GMV = SeriesSpec("gmv", Unit.MONEY, True)
OFF = dict(weekday_shrink=False, expected_error=False, weekday_by_week=False)


def axis(n: int, start: dt.date = MONDAY) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def stepped(n_high: int = 14, n_low: int = 14) -> np.ndarray:
    """Two weeks at 100 (Saturday 110), then two at 80 (Saturday 88): a month's turn in the history."""
    out = []
    for i in range(n_high + n_low):
        level = 100.0 if i < n_high else 80.0
        out.append(level * (1.1 if (MONDAY + dt.timedelta(days=i)).weekday() == 5 else 1.0))
    return np.array(out)


# --- weekday factors against each week's own level (Settings.weekday_by_week) ---------------------------

def test_a_level_step_in_the_history_does_not_pass_into_the_weekday_factor():
    vals = stepped()
    dates = axis(28)
    ords = np.array([d.toordinal() for d in dates])
    wdays = np.array([d.weekday() for d in dates])
    factors, counts = _weekday_by_week_1d(vals, wdays, ords)
    # each week's median is its level (100 or 80); every Saturday is 1.1 × it, every other day 1.0 × it
    assert factors[5] == pytest.approx(1.1)
    assert list(factors[[0, 1, 2, 3, 4, 6]]) == pytest.approx([1.0] * 6)
    assert list(counts) == [4] * 7
    many, n_many = _weekday_by_week(np.vstack([vals, vals * 2]), wdays, ords)
    assert many[0] == pytest.approx(factors) and many[1] == pytest.approx(factors) and list(n_many[0]) == [4] * 7


def test_the_saturday_after_a_level_step_expects_the_week_pattern_not_the_old_month():
    vals = np.append(stepped(), [80.0] * 5 + [math.nan])  # the fifth week's Monday–Friday, then its Saturday
    dates = axis(34)
    target = dates[33]
    assert target.weekday() == 5
    on = expected_band(dates, vals, target, kind=Unit.MONEY,
                       settings=Settings(min_spread=0.0, weekday_shrink=False, expected_error=False))
    # by week: Saturday 1.1 (the fifth week's five days are 1.0 of its median); the level is the median of the
    # last 28 days adjusted: 9 at 100, 19 at 80 → 80; expected 80 × 1.1 = 88
    assert on.expected == pytest.approx(88.0)
    off = expected_band(dates, vals, target, kind=Unit.MONEY, settings=Settings(min_spread=0.0, **OFF))
    # the whole history's median: 33 values (12 at 100, 2 at 110, 17 at 80, 2 at 88) → the 17th sorted, 80;
    # the Saturdays 110, 110, 88, 88 → 99: factor 99 / 80 = 1.2375; the level of the last 28 days adjusted is
    # 80 (Monday–Friday at 80 / 1.0 are 15 of them) → 80 × 1.2375 = 99
    assert off.expected == pytest.approx(99.0)


# --- weekday factors shrunk by their noise (Settings.weekday_shrink) -------------------------------------

def _monday_high(base: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    wdays = np.arange(len(base)) % 7
    factors = np.array([1.2, 1, 1, 1, 1, 1, 1.0])
    vals = np.array(base) * factors[wdays]
    return factors, np.full(7, 3.0), vals, wdays


def test_a_weekday_factor_the_noise_explains_is_shrunk_to_one():
    # 21 days, the adjusted values alternate 100 and 110: median 100, every day-to-day step 10 →
    # cv = 1.4826 × 10 / √2 / 100 = 0.10484; each factor's log has noise π/2 × cv² / 3 = 0.0057549;
    # the logs' mean square (ln 1.2)² / 7 = 0.0047487 is below it: τ² = 0, every factor 1
    factors, counts, vals, wdays = _monday_high([100.0, 110.0] * 10 + [100.0])
    shrunk, var = _weekday_noise_1d(factors, counts, vals, wdays, Settings())
    assert list(shrunk) == pytest.approx([1.0] * 7)
    assert list(var) == pytest.approx([0.0] * 7)
    raw, raw_var = _weekday_noise_1d(factors, counts, vals, wdays, Settings(weekday_shrink=False))
    assert list(raw) == pytest.approx(list(factors))  # off: the factor as estimated, its noise reported
    assert raw_var[0] == pytest.approx(math.pi / 2 * 0.104835 ** 2 / 3, rel=1e-4)


def test_a_weekday_factor_well_above_the_noise_keeps_most_of_it():
    # adjusted values alternate 100 and 102: cv 0.0210, floored at min_spread 0.03 → noise per log
    # π/2 × 0.0009 / 3 = 0.00047124; τ² = ((ln 1.2)² − 7 × 0.00047124) / 7 = 0.0042775;
    # kept 0.0042775 / (0.0042775 + 0.00047124) = 0.90077 → Monday e^(0.90077 × ln 1.2) = 1.17848,
    # what is left of its noise 0.90077 × 0.00047124 = 0.00042448
    factors, counts, vals, wdays = _monday_high([100.0, 102.0] * 10 + [100.0])
    shrunk, var = _weekday_noise_1d(factors, counts, vals, wdays, Settings())
    assert shrunk[0] == pytest.approx(1.17848, rel=1e-5)
    assert list(shrunk[1:]) == pytest.approx([1.0] * 6)
    assert var[0] == pytest.approx(0.00042448, rel=1e-4)
    many, many_var = _weekday_noise(factors[None, :], counts[None, :], vals[None, :], wdays, Settings())
    assert many[0] == pytest.approx(shrunk) and many_var[0] == pytest.approx(var)


# --- the expectation's own error in the band (Settings.expected_error) -----------------------------------

def test_a_count_band_holds_the_error_of_its_level():
    dates = axis(36)
    values = np.full(36, 20.0)
    values[-1] = 310.0
    st = Settings()
    band = expected_band(dates, values, dates[-1], kind=Unit.COUNT, settings=st)
    # Poisson noise √20; the level is a median of 28 days: its variance π/2 × 20 / 28 = 1.12200; the weekday
    # factors of a flat series are 1 with no noise left → spread √(20 + 1.122) = 4.59586
    assert band.poisson and band.expected == 20.0
    assert band.est == pytest.approx(math.sqrt(1.12200), rel=1e-5)
    assert band.spread == pytest.approx(4.59586, rel=1e-5)
    assert band.inflate == pytest.approx(1.027667, rel=1e-5)
    sig = judge(VISITORS, actual=4.0, band=band, store_id="own", day=dates[-1], driver_gmv=1.0, store_gmv=1.0,
                settings=st)
    # the Poisson normal score of 4 under 20 (−4.14562, scipy) divided by 1.027667
    assert sig.z == pytest.approx(-4.03400, rel=1e-5)
    plain = expected_band(dates, values, dates[-1], kind=Unit.COUNT, settings=Settings(expected_error=False))
    assert plain.est == 0.0 and plain.spread == pytest.approx(math.sqrt(20))


def test_a_short_history_gives_a_wider_band_than_a_long_one():
    # GMV 1000 a day with a step of ±50 every day (adjusted spread 1.4826 × 100 / √2 = 104.84 a day … the
    # diff of 950/1050 is 100): 16 days of history against 28 days of level
    pattern = np.array([950.0, 1050.0] * 30)
    dates = axis(60)
    short = expected_band(dates, pattern, dates[16], kind=Unit.MONEY, settings=Settings(min_history=14))
    long = expected_band(dates, pattern, dates[56], kind=Unit.MONEY, settings=Settings(min_history=14))
    noise = 1.4826 * 100 / math.sqrt(2)
    # the level's error: π/2 × noise² / n, n = 16 days then 28 (the level's days)
    assert short.est == pytest.approx(noise * math.sqrt(math.pi / 2 / 16), rel=1e-3)
    assert long.est == pytest.approx(noise * math.sqrt(math.pi / 2 / 28), rel=1e-3)
    assert short.spread > long.spread > noise


def test_two_days_add_their_noise_as_independent_and_their_expectations_error_as_one():
    b1 = Band(expected=100.0, low=0, high=0, spread=math.hypot(8.0, 3.0), history=28, est=3.0)
    b0 = Band(expected=100.0, low=0, high=0, spread=math.hypot(6.0, 4.0), history=28, est=4.0)
    two = _two_day_band(b1, b0, Settings())
    # noise √(8² + 6²) = 10, error 3 + 4 = 7 → √(100 + 49)
    assert two.est == 7.0 and two.spread == pytest.approx(math.sqrt(149.0))
    p1 = Band(expected=200.0, low=0, high=0, spread=math.hypot(math.sqrt(200), 5.0), history=28, poisson=True, est=5.0)
    p0 = Band(expected=200.0, low=0, high=0, spread=math.hypot(math.sqrt(200), 5.0), history=28, poisson=True, est=5.0)
    pt = _two_day_band(p1, p0, Settings())
    # Poisson noise of 400 is 20, error 10 → √500; inflate √500 / 20
    assert pt.poisson and pt.spread == pytest.approx(math.sqrt(500)) and pt.inflate == pytest.approx(math.sqrt(500) / 20)


# --- the false alert the three rules were built for, and an incident they keep ---------------------------

def _early_july() -> tuple[list[dt.date], np.ndarray]:
    """A store's visitors: two weeks of June at 380 a weekday (Saturday 415, Sunday 430), then July 10 %
    lower (342, 373.5, 387), ±4 alternating; the target, the third July Saturday, at 310 (−17 % of 373.5).
    Against the whole history the Saturday factor holds June's level: expected 394 (−21 %, −4.4 z);
    the week-relative factor expects 374 — each of the other two rules alone still alerts (−4.0, −4.2 z)."""
    start = dt.date(2025, 6, 16)  # a Monday
    dates = axis(34, start)
    out = []
    for i, d in enumerate(dates):
        june = d.month == 6
        base = {5: 415.0, 6: 430.0}.get(d.weekday(), 380.0) * (1.0 if june else 0.9)
        out.append(base + (4.0 if i % 2 else -4.0))
    values = np.array(out)
    values[-1] = 310.0
    return dates, values


def test_a_july_saturday_below_the_june_heavy_expectation_is_not_an_alert_any_more():
    dates, values = _early_july()
    day = dates[-1]
    assert day == dt.date(2025, 7, 19) and day.weekday() == 5
    sat = Settings(min_history=14)
    band = expected_band(dates, values, day, kind=Unit.COUNT, settings=sat)
    old = expected_band(dates, values, day, kind=Unit.COUNT, settings=Settings(min_history=14, **OFF))
    new_sig = judge(VISITORS, actual=values[-1], band=band, store_id="douyin", day=day, driver_gmv=1, store_gmv=1,
                    settings=sat)
    old_sig = judge(VISITORS, actual=values[-1], band=old, store_id="douyin", day=day, driver_gmv=1, store_gmv=1,
                    settings=sat)
    assert old_sig is not None and new_sig is None
    # an ad cut's −45 % still alerts
    cut = judge(VISITORS, actual=0.55 * band.expected, band=band, store_id="douyin", day=day, driver_gmv=1,
                store_gmv=1, settings=sat)
    assert cut is not None and cut.z < -5


def test_many_store_series_at_once_give_the_bands_of_one_at_a_time_with_the_new_rules():
    rng = np.random.default_rng(5)
    dates = axis(60)
    values = rng.poisson(rng.uniform(50, 800, (12, 1)), (12, 60)).astype(float)
    values[:, 30:] *= 0.85  # a month's turn
    values[:, [7, 19]] = np.nan
    skip = frozenset({dates[40], dates[41]})
    for st in (Settings(), Settings(weekday_shrink=False), Settings(weekday_by_week=False),
               Settings(expected_error=False)):
        many = expected_bands(dates, values, dates[-1], kind=Unit.COUNT, settings=st, skip=skip)
        for i, a in enumerate(many):
            b = expected_band(dates, values[i], dates[-1], kind=Unit.COUNT, settings=st, skip=skip)
            assert a.expected == pytest.approx(b.expected) and a.spread == pytest.approx(b.spread)
            assert a.low == pytest.approx(b.low) and a.high == pytest.approx(b.high) and a.est == pytest.approx(b.est)


def test_the_brief_s_usual_range_of_a_band_with_its_expectation_s_error_uses_its_own_z():
    from shopops.insights.pipeline import usual_range

    honest = Band(expected=1000.0, low=0, high=0, spread=100.0, history=28, est=50.0)
    plain = Band(expected=1000.0, low=0, high=0, spread=100.0, history=28)
    # 1000 ± 1.5 × 100 against main's 1000 ± 1.7 × 100
    assert usual_range(honest) == pytest.approx((850.0, 1150.0))
    assert usual_range(plain) == pytest.approx((830.0, 1170.0))
    assert usual_range(honest, 1.7) == pytest.approx((830.0, 1170.0))  # an explicit z is kept
