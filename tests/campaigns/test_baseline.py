"""The baseline maths on series built by hand: a planted weekday pattern, month steps, a trend
and a planted uplift the baseline must see through."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shopops.campaigns.baseline import DateRange, baseline_fit, excluded_days

D = dt.date
WEEKDAY = np.array([0.95, 0.93, 0.97, 1.0, 1.02, 1.06, 1.07])
MONTH = {m: f for m, f in zip(range(1, 13), [1.0, 0.9, 1.0, 1.05, 0.97, 0.97, 0.88, 0.88, 1.0, 1.08, 1.12, 1.12])}


def _series(start: D, n: int, *, noise: float, seed: int):
    rng = np.random.default_rng(seed)
    days = [start + dt.timedelta(days=i) for i in range(n)]
    expected = np.array([1000.0 * (1 + 0.15 * i / 365) * WEEKDAY[d.weekday()] * MONTH[d.month] for i, d in enumerate(days)])
    return days, expected, expected * (1 + noise * rng.standard_normal(n))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_baseline_sees_through_a_planted_uplift(seed):
    days, expected, y = _series(D(2025, 1, 1), 365, noise=0.03, seed=seed)
    window = DateRange(D(2025, 10, 20), D(2025, 11, 11))
    idx = [i for i, d in enumerate(days) if window.first <= d <= window.last]
    uplift = np.zeros(len(days))
    uplift[idx] = expected[idx] * 0.6  # +60 % on every campaign day
    b = baseline_fit(days, y + uplift, [window], target=window)
    # the counterfactual is the planted expectation (hand formula above); the baseline is within 2 %
    assert abs(b.window_total(window) / expected[idx].sum() - 1) < 0.02
    estimate = (y + uplift)[idx].sum() - b.window_total(window)
    true = (y + uplift)[idx].sum() - expected[idx].sum()
    assert abs(estimate / true - 1) < 0.05
    # weekday factors recovered (normalised like the planted ones)
    assert np.allclose(b.weekday, WEEKDAY / WEEKDAY.mean(), atol=0.02)
    assert not b.fit_mask[idx].any()
    assert 0.02 < b.residual_cv < 0.05


def test_other_days_are_left_out_without_guard_and_windows_with_guard():
    days = [D(2025, 1, 1) + dt.timedelta(days=i) for i in range(40)]
    out = excluded_days(days, [DateRange(D(2025, 1, 20), D(2025, 1, 21))], guard_days=3)
    assert [d.day for d, o in zip(days, out) if o] == list(range(17, 25))
    y = np.full(40, 100.0)
    y[17] = 900.0  # a 会员日
    b = baseline_fit(days, y, [], other_days=[DateRange(D(2025, 1, 18), D(2025, 1, 18))])
    assert not b.fit_mask[17] and b.fit_mask[16] and b.fit_mask[18]
    assert np.allclose(b.expected, 100.0)


def test_bad_input_is_named():
    days = [D(2025, 1, 1) + dt.timedelta(days=i) for i in range(40)]
    with pytest.raises(ValueError, match="only 6 days without a campaign"):
        baseline_fit(days, np.ones(40), [DateRange(D(2025, 1, 1), D(2025, 2, 3))], guard_days=0)
    with pytest.raises(ValueError, match="40 days but 39 values"):
        baseline_fit(days, np.ones(39), [])
    with pytest.raises(ValueError, match="consecutive"):
        baseline_fit(days[:20] + days[21:], np.ones(39), [])
    with pytest.raises(ValueError, match="ends"):
        DateRange(D(2025, 2, 1), D(2025, 1, 1))


def test_a_month_without_ordinary_days_borrows_its_neighbours():
    days = [D(2025, 1, 1) + dt.timedelta(days=i) for i in range(120)]  # January to April
    level = {1: 100.0, 2: 120.0, 3: 999.0, 4: 140.0}
    y = np.array([level[d.month] for d in days])
    march = DateRange(D(2025, 3, 1), D(2025, 3, 31))
    b = baseline_fit(days, y, [march], guard_days=0)
    inside = [i for i, d in enumerate(days) if d.month == 3]
    assert np.allclose(b.expected[inside], 130.0)  # between February's 120 and April's 140
    assert np.allclose(b.expected[[i for i, d in enumerate(days) if d.month == 2]], 120.0)
