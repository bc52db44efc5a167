"""The no-campaign baseline: what a window would have sold without the campaign (pure maths).

Method (docs/campaigns.md, "The baseline"):

* **Fit days**: every day of the history that is not inside a campaign window (this campaign
  and every other one the caller passes: other plans, platform festivals, the store's own days,
  the 春节 holiday period), nor within ``guard_days`` after a window (the post-campaign dip) or
  before one (the pre-campaign wait), so dips never pull the baseline down.
* **Model**: ``expected(day) = level × month[calendar month of day] × weekday[day]``, fitted by
  backfitting: the month factors and weekday factors are ratio estimates (``Σ y / Σ expected`` over
  the fit days of that month or weekday — they work with zero days, unlike logs); weekday factors
  are normalised to mean 1. By default there is no trend term (``knot_days=0``): each calendar
  month of the history carries its own level, so a month's seasonality, product mix (AOV) and the
  store's growth up to it all come from that month's ordinary days. ``knot_days > 0`` adds a
  linear spline in time (a knot every ``knot_days`` where fit days exist) and
  ``month_prior_days`` shrinks thin months towards the spline; measured on the demo seeds, the
  trend and the month factors fight each other (they are nearly collinear within a year) and
  bias short windows, so the default leaves the trend out.
* **Same period last year**: with a year of history before the window and no fit days after it
  (a 复盘 soon after the campaign), the level through the window also follows last year's level
  over the same dates, relative to the four weeks before them.

Limits: growth *within* a month is not modelled (a young store growing fast, early in its data,
gets a baseline that is its month's average — too high at the start of the month, too low at the
end); a month almost covered by the campaign (618 leaves June about a week of ordinary days) is
learnt from those few days, so day-to-day noise weighs heavily; a promotion the caller did not list as a window sits in the fit
days and lifts the baseline (under-stating the uplift); a sale that shifts purchases from far
outside the guard days (a month of waiting) is invisible to any window baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

HALO_DAYS = 28
HALO_MAX_WINDOW = 14

__all__ = ["Baseline", "DateRange", "baseline_fit", "excluded_days"]


@dataclass(frozen=True, slots=True)
class DateRange:
    first: dt.date
    last: dt.date  # inclusive

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"date range ends ({self.last}) before it starts ({self.first})")

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Baseline:
    days: list[dt.date]  # every day of the series
    actual: np.ndarray  # the series as given
    expected: np.ndarray  # the baseline of every day
    fit_mask: np.ndarray  # days the model was fitted on
    weekday: np.ndarray  # [7] factors, Monday first, mean 1
    residual_cv: float  # std of actual / expected − 1 over fit days (the day-to-day noise)
    seasonal: bool  # same-period-last-year applied

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"day": self.days, "actual": self.actual, "baseline": self.expected,
                             "fit": self.fit_mask})

    def window_total(self, window: DateRange) -> float:
        idx = [i for i, d in enumerate(self.days) if window.first <= d <= window.last]
        return float(self.expected[idx].sum())


def excluded_days(days: list[dt.date], windows: list[DateRange], *, guard_days: int) -> np.ndarray:
    """True for days inside a window or within ``guard_days`` of one."""
    out = np.zeros(len(days), dtype=bool)
    if not days:
        return out
    first = days[0]
    for w in windows:
        lo = (w.first - first).days - guard_days
        hi = (w.last - first).days + guard_days
        out[max(lo, 0):max(hi + 1, 0)] = True
    return out


def _knots(t: np.ndarray, fit: np.ndarray, knot_days: int) -> np.ndarray:
    tf = t[fit]
    candidates = np.arange(tf.min() + knot_days, tf.max() - knot_days / 2, knot_days)
    keep = [k for k in candidates if np.count_nonzero(np.abs(tf - k) <= knot_days / 2) >= knot_days // 3]
    return np.array(keep, dtype=np.float64)


def _spline_design(t: np.ndarray, knots: np.ndarray | None) -> np.ndarray:
    if knots is None:  # no trend: the calendar months carry the level
        return np.ones((t.size, 1))
    cols = [np.ones_like(t), t]
    cols += [np.maximum(t - k, 0.0) for k in knots]
    return np.column_stack(cols)


def _fit_level(t: np.ndarray, y: np.ndarray, fit: np.ndarray, knots: np.ndarray) -> np.ndarray:
    lo, hi = t[fit].min(), t[fit].max()
    x = _spline_design(np.clip(t, lo, hi), knots)  # flat outside the fitted range
    coef, *_ = np.linalg.lstsq(x[fit], y[fit], rcond=None)
    return x @ coef


def baseline_fit(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange | None = None,
                 other_days: list[DateRange] = (), guard_days: int = 3, knot_days: int = 0,
                 month_prior_days: float | None = 0.0, iterations: int = 6, halo_days: int = HALO_DAYS,
                 halo_max_window: int = HALO_MAX_WINDOW) -> Baseline:
    """Fit the baseline of a daily series (``days`` consecutive, one value each) with every
    campaign window of ``windows`` left out (with ``guard_days`` either side) and the
    ``other_days`` (a store's one-day 会员日, holidays) left out as they are; ``target`` is the
    window being judged (for the same-period-last-year step)."""
    y = np.asarray(values, dtype=np.float64)
    n = len(days)
    if n != y.size:
        raise ValueError(f"{n} days but {y.size} values")
    if n and any((days[i + 1] - days[i]).days != 1 for i in range(n - 1)):
        raise ValueError("the days of a baseline series must be consecutive")
    excl = excluded_days(days, windows, guard_days=guard_days) | excluded_days(days, list(other_days), guard_days=0)
    if target is not None and halo_days > 0 and (target.last - target.first).days + 1 <= halo_max_window:
        # the halo: buyers the sale brought in keep buying for weeks, so the days right after a short
        # sale stand above its counterfactual — they would lift the baseline of the sale itself
        excl |= excluded_days(days, [DateRange(target.last, target.last + dt.timedelta(days=halo_days))],
                              guard_days=0)
    fit = ~excl & np.isfinite(y)
    if np.count_nonzero(fit) < 28:
        raise ValueError(f"only {np.count_nonzero(fit)} days without a campaign to learn the baseline from; "
                         "it needs at least 28")
    t = np.arange(n, dtype=np.float64)
    wd = np.array([d.weekday() for d in days])
    knots = _knots(t, fit, knot_days) if knot_days > 0 else None
    weekday = np.ones(7)
    level = np.full(n, y[fit].mean())
    # calendar-month factors (a month is a key of year and month): ratio estimates shrunk towards
    # the level with ``month_prior_days`` pseudo-days, so a month with few fit days moves little
    month_key = np.array([d.year * 12 + d.month for d in days])
    months = np.unique(month_key)
    month_of = np.searchsorted(months, month_key)
    month = np.ones(months.size)
    for _ in range(iterations):
        level = _fit_level(t, y / (weekday[wd] * month[month_of]), fit, knots)
        level = np.maximum(level, 1e-9)
        for w in range(7):
            m = fit & (wd == w)
            base = (level * month[month_of])[m]
            if m.any() and base.sum() > 0:
                weekday[w] = y[m].sum() / base.sum()
        weekday = weekday / weekday.mean()
        if month_prior_days is not None and month_prior_days >= 0:
            base = level * weekday[wd]
            for k in range(months.size):
                m = fit & (month_of == k)
                prior = month_prior_days * (base[month_of == k].mean() if (month_of == k).any() else 0.0)
                month[k] = (y[m].sum() + prior) / (base[m].sum() + prior) if base[m].sum() + prior > 0 else 1.0
    # a month without one ordinary day (a campaign all month long) borrows its neighbours' factors
    has = np.array([np.any(fit & (month_of == k)) for k in range(months.size)])
    if has.any() and not has.all():
        known = np.flatnonzero(has)
        month[~has] = np.interp(np.flatnonzero(~has), known, month[known])
    level = level * month[month_of]
    seasonal = False
    if target is not None:
        level, seasonal = _same_period_last_year(days, t, y / weekday[wd], fit, knots, level, target)
    expected = level * weekday[wd]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = y[fit] / expected[fit] - 1.0
    cv = float(np.nanstd(rel)) if rel.size else float("nan")
    return Baseline(days=list(days), actual=y, expected=expected, fit_mask=fit, weekday=weekday,
                    residual_cv=cv, seasonal=seasonal)


def _same_period_last_year(days, t, y_adj, fit, knots, level, target: DateRange):
    """Without fit days after the window, carry the level's move through the window from the same
    dates a year earlier (when the history reaches back that far)."""
    first = days[0]
    end_idx = (target.last - first).days
    if end_idx >= len(days) - 1 or fit[end_idx + 1:].any():
        return level, False
    ly_first, ly_last = target.first - dt.timedelta(days=364), target.last - dt.timedelta(days=364)
    a, b = (ly_first - first).days, (ly_last - first).days
    ref = a - 28
    if ref < 0 or not fit[max(ref, 0):a].any() or np.count_nonzero(fit[a:b + 1]) * 2 < b + 1 - a:
        # last year's same dates were mostly another sale or a holiday: their level says nothing
        return level, False
    ly_ref = level[ref:a][fit[ref:a]].mean()
    if ly_ref <= 0:
        return level, False
    ratio = level[a:b + 1] / ly_ref
    start_idx = (target.first - first).days
    this_ref_mask = fit[max(start_idx - 28, 0):start_idx]
    if not this_ref_mask.any():
        return level, False
    this_ref = level[max(start_idx - 28, 0):start_idx][this_ref_mask].mean()
    out = level.copy()
    span = min(ratio.size, len(days) - start_idx)
    out[start_idx:start_idx + span] = this_ref * ratio[:span]
    return out, True

