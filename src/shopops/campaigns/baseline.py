"""The no-campaign baseline: what a window would have sold without the campaign (pure maths).

:func:`window_baseline` is what the 复盘 uses: the **trend model** (:func:`trend_fit`: log value =
piecewise-linear level with a ridge on its slope changes, chosen per series by GCV, + month-of-year
+ weekday) when ordinary days follow the window, else the **month-factor model** (:func:`baseline_fit`,
below), which does not extrapolate a slope. :func:`baseline_interval` gives a ~90 % interval of the window's total
(block bootstrap of the residuals and placebo windows). A store's own day (会员日) inside the window
gets the own days' usual lift on top (it would have run without the campaign). Given the units and
item GMV sold per store, day and product (:class:`ProductMix`), a value series is fitted divided by
its product-mix index and the window's days get back the mix they sold (:func:`mix_adjusted`): a
sale changes how many units sell, a launch or a season changes which. Given the same series of
stores the campaign does not touch (a 会员日 of one store: the others), the baseline is their
baseline × a slowly moving ratio to it (:func:`control_adjusted`). Given the new buyers per day
(:class:`BuyerBase`), the series is divided by a buyer-base index (:func:`buyer_index`: new buyers'
first orders + returning buyers ∝ every buyer seen before, fading) and the baseline multiplied back: a
young store's growth is read from its buyers, not from a level the season hides. docs/campaigns.md has
the measured errors.

The month-factor model (docs/campaigns.md, "The baseline"):

* **Fit days**: every day of the history that is not inside a campaign window (this campaign
  and every other one the caller passes: other plans, platform festivals, the store's own days,
  the 春节 holiday period), nor within ``guard_days`` after a window (the post-campaign dip) or
  before one (the pre-campaign wait) where those days are not ordinary (:func:`_unusual_guards`:
  their level against the ordinary days beyond them), so dips never pull the baseline down.
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
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

HALO_DAYS = 28
HALO_MAX_WINDOW = 14

__all__ = ["Baseline", "BuyerBase", "DateRange", "GrowthAdjustment", "MixAdjustment", "ProductMix", "baseline_fit",
           "buyer_base", "buyer_index", "baseline_interval", "excluded_days",
           "mix_adjusted", "mix_index", "placebo_errors", "trend_fit", "window_baseline", "window_interval"]


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
    model: str = "month"  # "month": baseline_fit; "trend": trend_fit; "control": control_adjusted
    mix: "MixAdjustment | None" = None  # the product-mix adjustment (:func:`mix_adjusted`), when one was made
    penalty: float = 0.0  # the trend model's ridge on the level's slope changes (chosen by GCV)
    months: bool = True  # the trend model has month-of-year effects (False: the ratio to a control)
    control: "ControlAdjustment | None" = None  # the baseline as a ratio to untouched stores (:func:`control_adjusted`)
    growth: "GrowthAdjustment | None" = None  # the buyer-base index the series was divided by (:func:`buyer_index`)
    month_steps: "np.ndarray | None" = None  # the trend model's ridge on each month step (:func:`_month_step_ridge`)

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


def _series_and_left_out(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange | None,
                         other_days, guard_days: int, halo_days: int, halo_max_window: int) -> tuple[np.ndarray, np.ndarray]:
    """The series as floats and the days a fit leaves out: every campaign window and its ``guard_days``
    either side where they are not ordinary (:func:`_unusual_guards`),
    the ``other_days`` as they are, and the halo after a short ``target`` sale — buyers the sale
    brought in keep buying for weeks, so the days right after it stand above its counterfactual."""
    y = np.asarray(values, dtype=np.float64)
    n = len(days)
    if n != y.size:
        raise ValueError(f"{n} days but {y.size} values")
    if n and any((days[i + 1] - days[i]).days != 1 for i in range(n - 1)):
        raise ValueError("the days of a baseline series must be consecutive")
    excl = excluded_days(days, windows, guard_days=0) | excluded_days(days, list(other_days), guard_days=0)
    excl |= _unusual_guards(days, y, windows, excl, guard_days)
    if target is not None and halo_days > 0 and (target.last - target.first).days + 1 <= halo_max_window:
        excl |= excluded_days(days, [DateRange(target.last, target.last + dt.timedelta(days=halo_days))],
                              guard_days=0)
    return y, excl


GUARD_Z = 2.0  # a guard block whose level differs from its ordinary neighbours' by more than this many se stays out
GUARD_REF_DAYS = 14  # the ordinary days beyond a guard block it is compared with (at most, within 28 days)
GUARD_MIN_REF_DAYS = 7


def _unusual_guards(days: list[dt.date], y: np.ndarray, windows: list[DateRange], core: np.ndarray,
                    guard_days: int) -> np.ndarray:
    """The guard days (``guard_days`` before and after each window) that are *not* ordinary: True for
    each guard block whose level — log value less the weekday effect — differs from the ordinary days
    just beyond it (up to ``GUARD_REF_DAYS`` within 28 days, on the side away from the window) by more than
    ``GUARD_Z`` standard errors; a block with too few such days to judge stays out. The guard exists
    for dips (buyers waiting for a sale, or bought ahead and resting after it); where the data show
    none, the days are ordinary and the baseline learns from them (three more days either side of
    every window). The noise is the day-to-day differences of the ordinary days (their spread ÷ √2)."""
    n = len(days)
    out = np.zeros(n, dtype=bool)
    if guard_days <= 0 or n == 0:
        return out
    guards = excluded_days(days, windows, guard_days=guard_days) & ~core
    ordinary = ~core & ~guards & np.isfinite(y) & (y > 0)
    if np.count_nonzero(ordinary) < 2 * GUARD_MIN_REF_DAYS:
        return guards
    ly = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), np.nan)
    # the weekday effect: log value less its centred 7-day mean, averaged per weekday over ordinary days
    wd = np.array([d.weekday() for d in days])
    series = pd.Series(np.where(ordinary, ly, np.nan))
    local = series.rolling(7, center=True, min_periods=4).mean().to_numpy()
    dev = ly - local
    effect = np.zeros(7)
    for w in range(7):
        m = ordinary & (wd == w) & np.isfinite(dev)
        effect[w] = float(dev[m].mean()) if m.any() else 0.0
    z = ly - (effect - effect.mean())[wd]
    pairs = ordinary[1:] & ordinary[:-1]
    if np.count_nonzero(pairs) < GUARD_MIN_REF_DAYS:
        return guards
    sigma = float(np.std(np.diff(z)[pairs]) / np.sqrt(2.0))
    first = days[0]
    for w in windows:
        for side in (-1, 1):
            if side < 0:
                lo, hi = (w.first - first).days - guard_days, (w.first - first).days - 1
            else:
                lo, hi = (w.last - first).days + 1, (w.last - first).days + guard_days
            lo, hi = max(lo, 0), min(hi, n - 1)
            if hi < lo:
                continue
            block = np.arange(lo, hi + 1)
            block = block[guards[block] & np.isfinite(z[block])]
            if block.size == 0:
                continue
            span = np.arange(lo - 28, lo) if side < 0 else np.arange(hi + 1, hi + 29)
            span = span[(span >= 0) & (span < n)]
            ref = span[ordinary[span]]
            ref = ref[-GUARD_REF_DAYS:] if side < 0 else ref[:GUARD_REF_DAYS]
            if ref.size < GUARD_MIN_REF_DAYS:
                out[block] = True
                continue
            se = sigma * np.sqrt(1.0 / block.size + 1.0 / ref.size)
            if abs(float(z[block].mean() - z[ref].mean())) > GUARD_Z * se:
                out[block] = True
    # a guard day of two windows is judged with each; left out if either block is unusual
    return out


def baseline_fit(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange | None = None,
                 other_days: list[DateRange] = (), guard_days: int = 3, knot_days: int = 0,
                 month_prior_days: float | None = 0.0, iterations: int = 6, halo_days: int = HALO_DAYS,
                 halo_max_window: int = HALO_MAX_WINDOW) -> Baseline:
    """Fit the baseline of a daily series (``days`` consecutive, one value each) with every
    campaign window of ``windows`` left out (with ``guard_days`` either side) and the
    ``other_days`` (a store's one-day 会员日, holidays) left out as they are; ``target`` is the
    window being judged (for the same-period-last-year step)."""
    y, excl = _series_and_left_out(days, values, windows, target=target, other_days=other_days,
                                   guard_days=guard_days, halo_days=halo_days, halo_max_window=halo_max_window)
    n = len(days)
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



# ---------------------------------------------------------------- trend model

TREND_KNOT_DAYS = 21
TREND_PENALTIES = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)  # ridges on the level's slope changes GCV chooses from
GCV_GAMMA = 1.4  # GCV's degrees of freedom counted 1.4 times (the usual guard against its under-smoothing)
POOL_MONTHS = True  # month-to-month steps the data cannot tell from noise are pooled (:func:`_month_step_ridge`)
MONTH_STEP_FLAT = 1e6  # the ridge of a step pooled completely (its estimate within its own noise)
MONTH_PENALTY = 1e-4  # a token ridge on the month-of-year effects (only to identify them against the level)


def _trend_design(days: list[dt.date], knot_days: int, months: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns: level (1, t, (t − k)+ per knot), month of year (12, unless ``months`` is False),
    weekday (Tue…Sun); the token ridge of each column, and which columns are the level's slope
    changes (their ridge is chosen)."""
    n = len(days)
    t = np.arange(n, dtype=np.float64) / 30.0  # months
    knots = np.arange(knot_days, n - 1, knot_days, dtype=np.float64) / 30.0
    cols = [np.ones(n), t] + [np.maximum(t - k, 0.0) for k in knots]
    pen = [0.0] * (2 + knots.size)
    moy = np.array([d.month for d in days])
    for m in range(1, 13 if months else 1):
        cols.append((moy == m).astype(np.float64))
        pen.append(MONTH_PENALTY)
    wd = np.array([d.weekday() for d in days])
    for w in range(1, 7):
        cols.append((wd == w).astype(np.float64))
        pen.append(1e-6)
    slope_changes = np.zeros(len(cols), dtype=bool)
    slope_changes[2:2 + knots.size] = True
    return np.column_stack(cols), np.array(pen), slope_changes


def _gcv_penalty(xf: np.ndarray, ly: np.ndarray, pen: np.ndarray, slope_changes: np.ndarray) -> float:
    """The ridge on the level's slope changes (of ``TREND_PENALTIES``) that minimises generalised
    cross-validation, n·RSS ÷ (n − edf)², edf the trace of the hat matrix: how much the level may
    bend is read from the series — a store whose growth slows bends, a steady one stays straight."""
    n = ly.size
    xtx, xty = xf.T @ xf, xf.T @ ly
    scores = []
    for p in TREND_PENALTIES:
        a = xtx + np.diag(pen + p * slope_changes)
        coef = np.linalg.solve(a, xty)
        rss = float(((ly - xf @ coef) ** 2).sum())
        edf = float(np.trace(np.linalg.solve(a, xtx)))
        scores.append(n * rss / max(n - GCV_GAMMA * edf, 1.0) ** 2)
    return float(TREND_PENALTIES[int(np.argmin(scores))])


def trend_fit(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange | None = None,
              other_days: list[DateRange] = (), guard_days: int = 3, knot_days: int = TREND_KNOT_DAYS,
              halo_days: int = 0, halo_max_window: int = HALO_MAX_WINDOW, penalty: float | None = None,
              months: bool = True, pool_months: bool = POOL_MONTHS, month_steps: np.ndarray | None = None) -> Baseline:
    """The trend model: ``log y = level(t) + month_of_year + weekday`` by ridge least squares on the
    fit days (the same fit days as :func:`baseline_fit`; no halo rule by default). The level is
    piecewise linear with a knot every ``knot_days`` and a ridge on each change of slope — ``penalty``,
    by default the one of ``TREND_PENALTIES`` generalised cross-validation prefers (:func:`_gcv_penalty`;
    the bootstrap keeps it); the month-of-year effects (a token ridge identifies them against the level;
    with ``pool_months`` a step between neighbouring months that the data cannot tell from noise is pooled,
    :func:`_month_step_ridge`) are shared by the same month of different years. Back to values with the mean
    of exp(residual)."""
    y, excl = _series_and_left_out(days, values, windows, target=target, other_days=other_days,
                                   guard_days=guard_days, halo_days=halo_days, halo_max_window=halo_max_window)
    fit = ~excl & np.isfinite(y) & (y > 0)
    if np.count_nonzero(fit) < 28:
        raise ValueError(f"only {np.count_nonzero(fit)} days without a campaign to learn the baseline from; "
                         "it needs at least 28")
    x, pen, slope_changes = _trend_design(days, knot_days, months)
    xf = x[fit]
    ly = np.log(y[fit])
    if penalty is None:
        penalty = _gcv_penalty(xf, ly, pen, slope_changes)
    a = xf.T @ xf + np.diag(pen + penalty * slope_changes)
    steps = None
    if months and pool_months:  # ``month_steps`` given: those ridges kept (as ``penalty``: the bootstrap's refits)
        steps = _month_step_ridge(xf, ly, a, x.shape[1]) if month_steps is None else np.asarray(month_steps)
        a = a + _month_step_matrix(steps, x.shape[1])
    coef = np.linalg.solve(a, xf.T @ ly)
    resid = ly - xf @ coef
    smear = float(np.mean(np.exp(resid)))
    expected = np.exp(x @ coef) * smear
    weekday = np.exp(np.concatenate([[0.0], coef[-6:]]))
    weekday = weekday / weekday.mean()
    rel = y[fit] / expected[fit] - 1.0
    return Baseline(days=list(days), actual=y, expected=expected, fit_mask=fit, weekday=weekday,
                    residual_cv=float(np.std(rel)), seasonal=False, model="trend", penalty=penalty, months=months,
                    month_steps=steps)


def _trend_totals(b: Baseline, target: DateRange, y_fit: np.ndarray) -> np.ndarray:
    """The window totals of :func:`trend_fit` refitted on each column of ``y_fit`` (values of the
    fit days, one replicate a column) — the same maths as ``trend_fit``, all replicates in one solve."""
    x, pen, slope_changes = _trend_design(b.days, TREND_KNOT_DAYS, b.months)
    pen = pen + b.penalty * slope_changes
    xf = x[b.fit_mask]
    ly = np.log(np.maximum(y_fit, 1e-9))
    a = xf.T @ xf + np.diag(pen)
    if b.month_steps is not None:  # the month steps keep the ridge the fit gave them (as GCV's penalty)
        a = a + _month_step_matrix(b.month_steps, x.shape[1])
    coef = np.linalg.solve(a, xf.T @ ly)
    smear = np.exp(ly - xf @ coef).mean(axis=0)
    w = np.array([target.first <= d <= target.last for d in b.days])
    return np.exp(x[w] @ coef).sum(axis=0) * smear




def _month_columns(ncols: int) -> np.ndarray:
    """The columns of the 12 month-of-year effects in :func:`_trend_design` (months, then six weekdays)."""
    return np.arange(ncols - 6 - 12, ncols - 6)


def _month_step_matrix(steps: np.ndarray, ncols: int) -> np.ndarray:
    """The ridge matrix Σ_k λ_k (m_k − m_{k−1})² on the month-of-year effects (December → January too)."""
    cols = _month_columns(ncols)
    d = np.zeros((12, ncols))
    for k in range(12):
        d[k, cols[k]] = 1.0
        d[k, cols[k - 1]] -= 1.0
    return d.T @ (steps[:, None] * d)


def _month_step_ridge(xf: np.ndarray, ly: np.ndarray, a: np.ndarray, ncols: int) -> np.ndarray:
    """The ridge of each month-to-month step of the month-of-year effects, by empirical Bayes: a step
    ``d`` measured with standard error ``se`` keeps ``max(0, 1 − se² ÷ d²)`` of itself (the positive-part
    James–Stein weight of one observation — the same rule as the window's product mix), i.e. a ridge
    ``σ² ÷ (d² − se²)`` on it (σ² the residual variance: the ridge is in X'X units). A month whose level differs
    from its neighbour's only by noise is learnt from both months' ordinary days (twice the days: half the
    variance); a real step (a season's turn, the ×0.92 of a February) stands. ``se`` from the unpooled fit's covariance and residual variance."""
    cov = np.linalg.inv(a)
    coef = cov @ (xf.T @ ly)
    resid = ly - xf @ coef
    edf = float(np.trace(cov @ (xf.T @ xf)))
    sigma2 = float((resid ** 2).sum()) / max(ly.size - edf, 1.0)
    cov_b = cov @ (xf.T @ xf) @ cov * sigma2  # the ridge estimator's covariance
    cols = _month_columns(ncols)
    present = np.abs(xf[:, cols]).sum(axis=0) > 0
    steps = np.empty(12)
    for k in range(12):
        i, j = cols[k], cols[k - 1]
        if not (present[k] and present[k - 1]):
            steps[k] = MONTH_STEP_FLAT  # a month without a fit day takes its neighbours' level
            continue
        d = coef[i] - coef[j]
        var = cov_b[i, i] + cov_b[j, j] - 2.0 * cov_b[i, j]
        excess = d * d - var
        steps[k] = sigma2 / excess if excess > 0 else MONTH_STEP_FLAT  # a prior variance d² − se², in X'X units
    return steps


def has_days_after(days: list[dt.date], fit_mask: np.ndarray, target: DateRange) -> bool:
    """Ordinary (fit) days after the window: the trend model interpolates, no need to extrapolate."""
    idx = [i for i, d in enumerate(days) if d > target.last]
    return bool(idx) and bool(fit_mask[idx].any())


def months_without_days(days: list[dt.date], fit_mask: np.ndarray, target: DateRange) -> list[dt.date]:
    """The calendar months (their first days) the window touches that hold no ordinary (fit) day in the
    series: their level is borrowed from a neighbouring month, so a month step into them (the demo's and
    many stores' February, ×0.92) is not seen. 年货节 read before 春节: February."""
    fit = np.asarray(fit_mask, dtype=bool)
    seen = {(d.year, d.month) for d, f in zip(days, fit) if f}
    touched = sorted({(d.year, d.month) for d in (target.first + dt.timedelta(days=n)
                                                  for n in range((target.last - target.first).days + 1))})
    return [dt.date(y, m, 1) for y, m in touched if (y, m) not in seen]


def window_baseline(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange,
                    other_days: list[DateRange] = (), mix: ProductMix | None = None, control=None,
                    buyers: "BuyerBase | None" = None, month_mix: bool = False) -> Baseline:
    """The baseline the 复盘 uses: the trend model when ordinary days follow the window (it
    interpolates the level across it), else the month-factor model with last year's shape
    (:func:`baseline_fit`), which does not extrapolate a slope. With ``mix`` (the units and value
    sold per store, day and product of the same days) and ordinary days after the window, the
    value series is first divided by its product-mix index and the window's own mix put back
    (:func:`mix_adjusted`). With ``control`` (the same series of stores the campaign does not touch)
    and ordinary days after the window, the baseline is the control's own baseline × the ratio of
    the series to it (:func:`control_adjusted`; no mix, no buyer base then). With ``buyers`` (the new
    buyers per day, :class:`BuyerBase`) the series is first divided by the buyer-base index
    (:func:`buyer_index`) and the baseline multiplied back by it: the level grows with the buyers
    who pile up, through the window (a 年货节 with no ordinary day after it) and past the new buyers
    a sale brings in (their later orders lift the days after the sale, not its counterfactual); the
    month-factor model then keeps the window's product mix too (``month_mix``: the mix alone would
    uncover its missing growth)."""
    trend = trend_fit(days, values, windows, target=target, other_days=other_days)
    after = has_days_after(days, trend.fit_mask, target)
    if control is not None and after:
        return control_adjusted(days, values, windows, target=target, other_days=other_days, control=control)
    if buyers is not None:
        y = np.asarray(values, dtype=np.float64)
        got = buyer_index(days, y, trend.fit_mask, buyers, target, pinned=after)
        if got is not None:
            index, share, base = got
            inner = window_baseline(days, y / index, windows, target=target, other_days=other_days, mix=mix,
                                    month_mix=True)
            w = np.array([target.first <= d <= target.last for d in days])
            total = float((inner.expected[w] * index[w]).sum())
            totals = []
            for memory in BUYER_MEMORY_RANGE:
                other = buyer_index(days, y, trend.fit_mask, buyers, target, memory, pinned=after)
                totals.append(float((inner.expected[w] * other[0][w]).sum()) if other is not None else total)
            spread = abs(totals[1] - totals[0]) / 2.0 / total if total > 0 else 0.0
            adj = GrowthAdjustment(index=index, returning_share=share, base=base, spread=spread, inner=inner)
            return replace(inner, actual=y, expected=inner.expected * index, growth=adj)
    b = trend if after else baseline_fit(days, values, windows, target=target, other_days=other_days)
    b = _own_days_inside(b, windows, target, other_days)
    if mix is not None and (after or month_mix):
        return mix_adjusted(days, values, windows, target=target, other_days=other_days, mix=mix, fitted=b)
    return b


# ---------------------------------------------------------------- the buyer base

BUYER_MEMORY_DAYS = 365.0  # a buyer's repeat orders fade with this e-folding time (churn), an assumption
BUYER_MEMORY_RANGE = (180.0, 730.0)  # the interval's span of that assumption
# the buyer base is read only once the data hold this many days of buyers before the window: early
# in the data every customer's first order there looks "new" (the store's old buyers are being seen
# for the first time), so the base seems to grow far faster than it does
MIN_BUYER_HISTORY_DAYS = 120
# ... unless ordinary days follow the window: the level is then fitted on both sides of it (the trend model),
# so the base's too-fast early growth is taken up by the level's slope and what the index adds is its step
# across the window — the sale's own new buyers, whose later orders lift the days after it (38节, ~73 days
# into the demo's data: without the base the level after it stood above the counterfactual; round 9)
MIN_REF_DAYS = 7


@dataclass(frozen=True)
class BuyerBase:
    """The stores' new buyers per day of the series (first paid order ever in the store) and the value
    of those days' orders of new buyers (:func:`buyer_index`). ``carried``: the buyers first seen
    before the series' first day, each decayed to that day (``Σ n e^(−age / memory)``; 0 when the data
    begin with the series)."""

    new_buyers: np.ndarray
    new_value: np.ndarray
    carried: float = 0.0
    memory_days: float = BUYER_MEMORY_DAYS
    since: dt.date | None = None  # the first day the data hold a buyer (None: the series' first day)


def buyer_base(buyers: BuyerBase, memory_days: float | None = None) -> np.ndarray:
    """The buyer base of every day: buyers first seen *before* that day, each weighted
    ``e^(−age / memory)`` — a buyer keeps buying at a rate that fades as buyers drop out."""
    memory = memory_days or buyers.memory_days
    n = np.asarray(buyers.new_buyers, dtype=np.float64)
    decay = np.exp(-1.0 / memory)
    out = np.empty(n.size)
    acc = float(buyers.carried)
    for i in range(n.size):
        acc *= decay
        out[i] = acc
        acc += n[i]
    return out


@dataclass(frozen=True)
class GrowthAdjustment:
    """What the buyer base did (:func:`window_baseline` with ``buyers``): ``index`` — the buyer-base
    index of every day (:func:`buyer_index`; 1 ≈ the 31 days before the window); the series was fitted
    divided by it (``inner``) and the baseline multiplied back; ``returning_share`` — the share of the
    reference days' value bought by returning buyers; ``base`` — the buyer base of every day
    (:func:`buyer_base`); ``spread`` — half the window total's relative change between the memories
    of ``BUYER_MEMORY_RANGE`` (added to the interval)."""

    index: np.ndarray
    returning_share: float
    base: np.ndarray
    spread: float
    inner: Baseline


def buyer_index(days: list[dt.date], y: np.ndarray, fit: np.ndarray, buyers: BuyerBase, target: DateRange,
                memory_days: float | None = None, *, pinned: bool = False) -> tuple[np.ndarray, float, np.ndarray] | None:
    """The buyer-base index of every day: ``share_new + (1 − share_new) × base(day) ÷ base(reference)``
    — the value of a day is what new buyers buy (their first orders: no growth term) plus what
    returning buyers buy, ∝ the buyer base (:func:`buyer_base`: every buyer seen before, fading with
    ``BUYER_MEMORY_DAYS``); the reference days are the ordinary (``fit``) days of the 31 days before the
    window, ``share_new`` the share of their value bought by new buyers. With the window's own new
    buyers (a sale's new buyers buy again inside it; the truth's counterfactual keeps them too).
    None without ``MIN_REF_DAYS`` reference days, or with fewer than ``MIN_BUYER_HISTORY_DAYS`` days of
    buyers before the window unless ``pinned`` (ordinary days follow the window: the level is fitted on both
    sides of it, so the base's early over-growth is absorbed by the level's slope)."""
    n = len(days)
    if np.asarray(buyers.new_buyers).size != n or np.asarray(buyers.new_value).size != n:
        raise ValueError(f"the buyer base has {np.asarray(buyers.new_buyers).size} days, the series {n}")
    first = target.first
    ref = fit & np.array([first - dt.timedelta(days=31) <= d < first for d in days]) & (y > 0)
    since = buyers.since or days[0]
    if np.count_nonzero(ref) < MIN_REF_DAYS or (not pinned and (first - since).days < MIN_BUYER_HISTORY_DAYS):
        return None
    g = buyer_base(buyers, memory_days)
    new_value = np.asarray(buyers.new_value, dtype=np.float64)
    share_new = float(np.clip(new_value[ref].sum() / y[ref].sum(), 0.0, 1.0))
    g_ref = float((g[ref] * y[ref]).sum() / y[ref].sum())
    if g_ref <= 0 or share_new >= 1.0:
        return None
    index = share_new + (1.0 - share_new) * g / g_ref
    return np.maximum(index, 1e-3), 1.0 - share_new, g


# ---------------------------------------------------------------- control stores

@dataclass(frozen=True)
class ControlAdjustment:
    """What :func:`control_adjusted` did: ``control`` — the baseline of the control series (the
    stores the campaign does not touch), ``ratio`` — the baseline of the series ÷ that baseline."""

    control: Baseline
    ratio: Baseline
    values: np.ndarray  # the control series


def control_adjusted(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange,
                     other_days: list[DateRange] = (), control) -> Baseline:
    """The baseline of a series with a control: the same KPI of stores the campaign does not touch
    (a 会员日 of one store, the others). The control's own baseline (:func:`window_baseline`, its
    campaigns left out the same way) carries the season, the weekdays and the growth — learnt from
    far more orders than a small store has — and the series' ratio to it is fitted by the trend
    model *without* month effects (a level that bends as GCV says, weekdays): a store's share of the
    brand moves slowly, its month-to-month swings are the brand's. The control's days inside the
    window are never read (only its baseline), so a control that a sale touches too does no harm
    beyond its fit days; the stores' own days inside the window get their usual lift on the ratio."""
    y = np.asarray(values, dtype=np.float64)
    c = np.asarray(control, dtype=np.float64)
    if c.shape != y.shape:
        raise ValueError(f"the control has {c.size} days, the series {y.size}")
    cb = window_baseline(days, c, windows, target=target)
    if not (cb.expected > 0).all():
        return window_baseline(days, y, windows, target=target, other_days=other_days)
    ratio = y / cb.expected
    rb = trend_fit(days, ratio, windows, target=target, other_days=other_days, months=False)
    rb = _own_days_inside(rb, windows, target, other_days)
    expected = cb.expected * rb.expected
    fit = rb.fit_mask
    rel = y[fit] / expected[fit] - 1.0
    return replace(rb, actual=y, expected=expected, residual_cv=float(np.std(rel)), model="control",
                   control=ControlAdjustment(control=cb, ratio=rb, values=c))


# ---------------------------------------------------------------- product mix

MIX_NOISE_FACTOR = 1.0  # weight of the window's mix deviation: max(0, 1 − factor × se² ÷ deviation²)


@dataclass(frozen=True)
class ProductMix:
    """Units sold and their value per store, day and product (``[stores, days, products]``; the
    days those of the series): what the mix index is computed from. Value is what the units were
    sold for (item GMV); only its ratio to units on ordinary days is used."""

    units: np.ndarray
    value: np.ndarray

    def __post_init__(self) -> None:
        if self.units.shape != self.value.shape or self.units.ndim != 3:
            raise ValueError(f"units {self.units.shape} and value {self.value.shape} must both be "
                             "[stores, days, products]")


@dataclass(frozen=True)
class MixAdjustment:
    """What :func:`mix_adjusted` did: ``deviation`` — the window's mix index against what its own
    ordinary days predict (relative, value-weighted over the window); ``se`` — the sampling error of
    that deviation (the formula's, scaled by how much more the index varies on ordinary days);
    ``weight`` — the share of it taken (``max(0, 1 − se² / deviation²)``);
    ``index`` — the mix index of every day (1 = the ordinary days' mean), ``used`` — the index the
    baseline was multiplied by (the window's days shrunk as above); ``inner`` — the baseline of the
    series divided by ``index`` (the interval is computed on it and scaled)."""

    deviation: float
    se: float
    weight: float
    index: np.ndarray
    used: np.ndarray
    inner: Baseline


def mix_index(mix: ProductMix, fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The product-mix index of every day and its sampling variance: the mean *ordinary* value of a
    unit sold that day — each product at its own value per unit over the ``fit`` days (per store;
    a product a store never sold on a fit day: the product's value in the other stores, else its
    window value scaled by the window's usual discount) — with the stores at their fixed shares of
    the fit days' units, divided by its mean over the fit days. A sale changes how *many* units
    sell and at what price, not (in the stores this is built for) *which* products sell; a launch,
    a delisting or a seasonal turn does, and moves the value of an ordinary day with it. The
    variance is the per-day sampling variance of that mean (the spread of the units' reference
    values ÷ units)."""
    units = np.asarray(mix.units, dtype=np.float64)
    value = np.asarray(mix.value, dtype=np.float64)
    if units.shape[1] != fit.size:
        raise ValueError(f"the mix has {units.shape[1]} days, the series {fit.size}")
    u_fit, v_fit = units[:, fit].sum(axis=1), value[:, fit].sum(axis=1)  # [S, P]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_product = np.where(u_fit.sum(axis=0) > 0, v_fit.sum(axis=0) / u_fit.sum(axis=0), np.nan)
        ref = np.where(u_fit > 0, v_fit / u_fit, per_product[None, :])
        missing = np.isnan(ref)
        if missing.any():
            u_out, v_out = units[:, ~fit].sum(axis=1), value[:, ~fit].sum(axis=1)
            out_price = np.where(u_out > 0, v_out / u_out, np.nan)
            ratios = (out_price / ref)[~missing & (u_out > 0)]
            usual = float(np.median(ratios)) if ratios.size else 1.0
            ref = np.where(missing, out_price / usual, ref)
            ref = np.where(np.isnan(ref), np.nanmean(ref) if np.isfinite(ref).any() else 1.0, ref)
    n = units.sum(axis=2)  # [S, D]
    m1 = (units * ref[:, None, :]).sum(axis=2) / np.maximum(n, 1e-12)
    m2 = (units * ref[:, None, :] ** 2).sum(axis=2) / np.maximum(n, 1e-12)
    var = np.maximum(m2 - m1 ** 2, 0.0) / np.maximum(n, 1.0)
    share = n[:, fit].sum(axis=1)
    if share.sum() <= 0:
        raise ValueError("no units sold on the ordinary days: no product mix to index")
    share = share / share.sum()
    index = (share[:, None] * m1).sum(axis=0)
    variance = (share[:, None] ** 2 * var).sum(axis=0)
    # a day a store sold nothing: that store's part of the index is its ordinary mean
    empty = n <= 0
    if empty.any():
        ordinary = np.array([(m1[s, fit] * n[s, fit]).sum() / max(n[s, fit].sum(), 1e-12) for s in range(n.shape[0])])
        index = index + (share[:, None] * np.where(empty, ordinary[:, None], 0.0)).sum(axis=0)
    scale = float(index[fit].mean())
    return index / scale, variance / scale ** 2


def mix_adjusted(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange,
                 other_days: list[DateRange] = (), mix: ProductMix, fitted: Baseline | None = None) -> Baseline:
    """The baseline with the window's product mix (:func:`mix_index`): the series divided by the
    mix index is fitted (:func:`window_baseline`, the same model), and its window days are put back
    at the mix the window *actually* sold — so a product launched, delisted or out of season
    around the sale moves the baseline as it moved the sales — shrunk towards the mix its ordinary
    days predict by how much of the window's deviation is sampling noise (a window of a few days
    of a small store is mostly noise: ``weight`` = max(0, 1 − se² ÷ deviation²), the positive-part
    James–Stein weight of one observation)."""
    y = np.asarray(values, dtype=np.float64)
    b0 = fitted or window_baseline(days, y, windows, target=target, other_days=other_days)
    index, variance = mix_index(mix, b0.fit_mask)
    if not (index > 0).all():
        return b0
    inner = window_baseline(days, y / index, windows, target=target, other_days=other_days)
    predicted = window_baseline(days, index, windows, target=target, other_days=other_days).expected
    w = np.array([target.first <= d <= target.last for d in days])
    z = inner.expected[w]
    base = float((z * predicted[w]).sum())
    if base <= 0:
        return b0
    deviation = float((z * (index[w] - predicted[w])).sum()) / base
    # the units of a line come together (a line of 3 is one draw, not three) and the mix moves a
    # little from day to day: the sampling variance is scaled by how much the index really varies
    # around its prediction on the ordinary days, against what the formula says (at least 1)
    fit = inner.fit_mask & (predicted > 0)
    resid = index[fit] / predicted[fit] - 1.0
    formula = float(np.mean(variance[fit] / predicted[fit] ** 2)) if fit.any() else 0.0
    design = max(1.0, float(np.var(resid)) / formula) if formula > 0 and resid.size > 7 else 1.0
    se = float(np.sqrt((z ** 2 * variance[w]).sum() * design)) / base
    weight = max(0.0, 1.0 - MIX_NOISE_FACTOR * se ** 2 / deviation ** 2) if deviation else 0.0
    used = index.copy()
    used[w] = predicted[w] * (1.0 + weight * deviation)
    adj = MixAdjustment(deviation=deviation, se=se, weight=weight, index=index, used=used, inner=inner)
    return replace(inner, actual=y, expected=inner.expected * used, mix=adj)


MIN_OWN_DAYS = 3


def _own_days_inside(b: Baseline, windows: list[DateRange], target: DateRange, other_days) -> Baseline:
    """The store's own days (``other_days``: 会员日, 店庆) that fall inside the judged window would
    have happened without the campaign too (a big sale usually takes their place): their
    counterfactual is the baseline times the own days' usual lift — Σ actual ÷ Σ baseline over the
    own days of the history outside every campaign window (at least ``MIN_OWN_DAYS``). A window that
    *is* an own day (a 会员日 plan) is judged against an ordinary day: no lift."""
    inside = [r for r in other_days if target.first <= r.first and r.last <= target.last and r != target]
    if not inside:
        return b
    day_set = {d for r in other_days for d in r.days()}
    busy = excluded_days(b.days, [*windows, target], guard_days=0)
    ref = np.array([d in day_set for d in b.days]) & ~busy & np.isfinite(b.actual)
    in_days = {d for r in inside for d in r.days()}
    at = np.array([d in in_days for d in b.days])
    if np.count_nonzero(ref) < MIN_OWN_DAYS or b.expected[ref].sum() <= 0:
        return b
    lift = float(b.actual[ref].sum() / b.expected[ref].sum())
    expected = b.expected.copy()
    expected[at] *= lift
    return replace(b, expected=expected)


def window_interval(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange,
                    other_days: list[DateRange] = (), replicates: int = 200, level: float = 0.9,
                    block_days: int = 7, seed: int = 0, fitted: Baseline | None = None) -> tuple[float, float]:
    """A ``level`` interval of the window's baseline total by a moving-block bootstrap of the
    ordinary days' residuals (blocks of ``block_days`` consecutive fit days keep the runs of
    good and bad weeks): each replicate puts resampled residuals on the fitted baseline, refits
    :func:`window_baseline` and takes the window's total. The basic (pivot) interval is returned,
    so it is centred on the estimate's own error, not on the replicates' mean."""
    b = fitted or window_baseline(days, values, windows, target=target, other_days=other_days)
    total = b.window_total(target)
    fit = np.flatnonzero(b.fit_mask)
    rel = b.actual[fit] / b.expected[fit] - 1.0
    rng = np.random.default_rng(seed)
    k = max(1, min(block_days, rel.size))
    starts_max = rel.size - k + 1
    draws = np.empty((rel.size, replicates))
    for r in range(replicates):
        starts = rng.integers(0, starts_max, size=-(-rel.size // k))
        draws[:, r] = np.concatenate([rel[s:s + k] for s in starts])[:rel.size]
    y_fit = b.expected[fit][:, None] * (1.0 + draws)
    if b.model == "trend":  # the fit days stay the fit days (all positive): one solve for every replicate
        # (the raw trend fit's totals, scaled by what the own days inside the window add to it)
        raw = float(_trend_totals(b, target, b.actual[fit][:, None])[0])
        totals = _trend_totals(b, target, y_fit) * (total / raw if raw > 0 else 1.0)
    else:
        totals = np.empty(replicates)
        for r in range(replicates):
            y = b.actual.copy()
            y[fit] = y_fit[:, r]
            totals[r] = window_baseline(days, y, windows, target=target, other_days=other_days).window_total(target)
    lo_q, hi_q = np.quantile(totals - total, [(1 - level) / 2, (1 + level) / 2])
    return float(total - hi_q), float(total - lo_q)


def placebo_errors(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange,
                   other_days: list[DateRange] = (), step_days: int = 7, max_placebos: int = 12,
                   control=None) -> np.ndarray:
    """How wrong the method is where the truth is known: the relative error (baseline − actual)
    ÷ actual of :func:`window_baseline` over *placebo* windows — ordinary stretches of the
    history as long as the target, treated as if they were a sale (left out of the fit, judged).
    Spreads of these errors include what the residual bootstrap cannot see (a wrong trend, a
    month step learnt from few days); they do not include a sale's own halo."""
    y = np.asarray(values, dtype=np.float64)
    length = (target.last - target.first).days + 1
    busy = excluded_days(days, [*windows, target], guard_days=3) | excluded_days(days, list(other_days), guard_days=0)
    n = len(days)
    starts, i = [], 0
    while i + length <= n:  # non-overlapping ordinary stretches
        if not busy[i:i + length].any() and (y[i:i + length] > 0).all():
            starts.append(i)
            i += max(step_days, length)
        else:
            i += 1
    t0 = (target.first - days[0]).days
    starts.sort(key=lambda s: abs(s - t0))  # the nearest ones: the same season and growth phase
    out = []
    for i in starts[:max_placebos]:
        p = DateRange(days[i], days[i + length - 1])
        try:
            b = window_baseline(days, y, [*windows, target, p], target=p, other_days=other_days, control=control)
        except ValueError:
            continue
        actual = float(y[i:i + length].sum())
        out.append((b.window_total(p) - actual) / actual)
    return np.array(out)


def baseline_interval(days: list[dt.date], values, windows: list[DateRange], *, target: DateRange,
                      other_days: list[DateRange] = (), fitted: Baseline | None = None,
                      replicates: int = 60) -> tuple[float, float]:
    """A ~90 % interval of the window's baseline total: the wider of the block bootstrap
    (:func:`window_interval`, the noise of the fit days) and ± the 90th percentile of the
    method's |error| on the nearest placebo windows (:func:`placebo_errors`, what a wrong trend
    or month step costs) — with fewer than five placebos, the bootstrap alone. The placebo part
    is conservative (a placebo's error also holds the window's own day-to-day noise, which the
    truth does not). Measured coverage: docs/campaigns.md."""
    b = fitted or window_baseline(days, values, windows, target=target, other_days=other_days)
    total = b.window_total(target)
    if b.control is not None:  # the ratio's bootstrap and the control's own interval, in quadrature; placebos
        adj = b.control
        ratio = np.asarray(values, dtype=np.float64) / adj.control.expected
        lo_r, hi_r = window_interval(days, ratio, windows, target=target, other_days=other_days, fitted=adj.ratio,
                                     replicates=replicates)
        total_r = adj.ratio.window_total(target)
        lo_c, hi_c = baseline_interval(days, adj.values, windows, target=target, fitted=adj.control,
                                       replicates=replicates)
        total_c = adj.control.window_total(target)
        lo = total * (1 - float(np.hypot(1 - lo_r / total_r, 1 - lo_c / total_c)))
        hi = total * (1 + float(np.hypot(hi_r / total_r - 1, hi_c / total_c - 1)))
        pe = placebo_errors(days, values, windows, target=target, other_days=other_days, control=adj.values)
        if pe.size >= 5:
            half = float(np.quantile(np.abs(pe), 0.9)) * total
            lo, hi = min(lo, total - half), max(hi, total + half)
        return lo, hi
    if b.growth is not None:  # the interval of the series ÷ the buyer-base index, scaled, and the memory's spread
        return _divided_interval(days, values, windows, target=target, other_days=other_days, total=total,
                                 index=b.growth.index, inner=b.growth.inner, half=total * b.growth.spread,
                                 replicates=replicates)
    if b.mix is not None:  # the interval of the mix-deflated series' baseline, scaled, and the mix's own error
        return _divided_interval(days, values, windows, target=target, other_days=other_days, total=total,
                                 index=b.mix.index, inner=b.mix.inner,
                                 half=total * b.mix.se * float(np.sqrt(b.mix.weight)), replicates=replicates)
    lo, hi = window_interval(days, values, windows, target=target, other_days=other_days, fitted=b,
                             replicates=replicates)
    pe = placebo_errors(days, values, windows, target=target, other_days=other_days)
    if pe.size >= 5:
        half = float(np.quantile(np.abs(pe), 0.9)) * total
        lo, hi = min(lo, total - half), max(hi, total + half)
    return lo, hi


def _divided_interval(days, values, windows, *, target, other_days, total, index, inner, half, replicates):
    """The interval of a baseline fitted to ``values ÷ index`` (``inner``), scaled to ``total``, widened in
    quadrature by ``half`` (the error of the index itself)."""
    z = np.asarray(values, dtype=np.float64) / index
    lo_z, hi_z = baseline_interval(days, z, windows, target=target, other_days=other_days, fitted=inner,
                                   replicates=replicates)
    total_z = inner.window_total(target)
    scale = total / total_z if total_z > 0 else 1.0
    return (total - float(np.hypot((total_z - lo_z) * scale, half)),
            total + float(np.hypot((hi_z - total_z) * scale, half)))
