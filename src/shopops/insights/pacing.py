"""A campaign plan's targets as an expectation, day by day and hour by hour (pure: numpy, no Django).

The campaigns app's live page shows a plan's pace (``campaigns.pacing``); this module *judges* it.
For a plan with a GMV (or paying-buyers) target over its days:

* **Day-of-campaign profile** ``s_k``: the share of the campaign's total that day *k* carries —
  last year's same window (364 days earlier: the same weekdays) as shares of its total
  (``core.shapes.day_shares``, shared with the live page: days before last year's first sale are
  unknown and carry an average day), else the
  store's own last 28 days before the window repeated (a flat profile over the weekdays' pattern,
  i.e. each weekday's share of a usual week), else flat.
* **Intraday profile** ``H_h``: the cumulative share of a day's GMV paid before hour *h*, from the
  paid times of last year's window (else the 28 days before the day). Platform stores have no
  event stream: paid orders' times serve for every store.
* **Expected so far** ``E = T × (S_{k−1} + s_k × H_h)`` with ``S`` the cumulative profile (the whole
  day: ``H = 1``).
* **Interval** (log scale): σ = √(σ_shape² + σ_sample²). σ_shape is the robust spread (1.4826 × MAD)
  of log(actual ÷ expected) over the campaign's earlier full days (at least 3), else
  ``PaceSettings.shape_error`` (0.25: how far a day of one campaign lands from last year's profile
  on the demo's campaigns); never below ``min_spread``. σ_sample is the sampling noise of the
  count behind the KPI (1.3/√orders for GMV, 1/√buyers). The cumulative pace divides σ_shape by
  √(days elapsed) (day errors taken as independent: optimistic) but never below ``min_spread``.
* **Verdict**: behind when actual ÷ expected < e^(−z·σ) *and* the shortfall is at least
  ``min_shortfall`` (15 %); far ahead when above e^(z·σ) and at least ``min_ahead`` (30 %) ahead.
  z = ``PaceSettings.z`` (2.5: a plan is itself a guess; its interval is not a 3.5-σ alarm band).

The money at stake is the shortfall projected to the campaign's end if the pace holds:
T − actual ÷ (share of the profile elapsed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PaceSettings:
    z: float = 2.5
    shape_error: float = 0.25  # σ of a day against the profile when the campaign has < 3 earlier days
    min_spread: float = 0.08
    min_shortfall: float = 0.15  # behind: at least this share below the expected pace
    min_ahead: float = 0.3  # far ahead: at least this share above it
    # without last year's profile (flat), a campaign's peak days (开门红, the last day: 1.6–2.4× a presale day on the
    # eval demo) are not in the expectation, so its first days run ~20 % behind a flat pace: behind needs this much
    min_shortfall_flat: float = 0.3
    min_hour_share: float = 0.25  # intraday: judged only once this share of the day's profile has passed
    flat_days: float = 4.0  # a flat profile's day errors are correlated (a campaign's presale days all run low):
    # the cumulative pace counts at most this many independent days
    price_tolerance: float = 0.05  # a hero product's paid unit price off the plan's price by more than this
    min_price_units: int = 1  # … over at least this many units of the day (a price is a fact, not a sample: one order shows it)


def weekday_shares(days_weekday: list[int], usual: dict[int, float]) -> np.ndarray:
    """Shares from a usual week (weekday → a usual day's value) for days of these weekdays."""
    v = np.array([max(usual.get(w, 0.0), 0.0) for w in days_weekday], dtype=float)
    if v.sum() <= 0:
        return np.full(len(days_weekday), 1.0 / max(len(days_weekday), 1))
    return v / v.sum()


def hour_cum_share(profile: np.ndarray | list[float] | None, hour: int) -> float:
    """Share of a day's value paid before ``hour`` (0–24) by a 24-value hour profile; flat without one."""
    hour = max(0, min(24, hour))
    if profile is None:
        return hour / 24
    p = np.asarray(profile, dtype=float)
    if p.size != 24 or p.sum() <= 0:
        return hour / 24
    return float(p[:hour].sum() / p.sum())


@dataclass(frozen=True)
class PaceVerdict:
    kpi: str  # "gmv" | "paying_buyers"
    actual: float  # so far (cumulative over the campaign, or the day/hours judged)
    expected: float
    low: float
    high: float
    sigma: float  # the interval's σ on the log scale
    ratio: float  # actual ÷ expected
    state: str  # "behind" | "ahead" | "on_pace"
    projected: float | None  # the campaign's total if the pace holds
    target: float

    @property
    def shortfall(self) -> float:
        return max(self.expected - self.actual, 0.0)

    @property
    def projected_shortfall(self) -> float:
        return max(self.target - self.projected, 0.0) if self.projected is not None else self.shortfall


def shape_spread(actual_days: list[float], expected_days: list[float], *, settings: PaceSettings = PaceSettings()) -> float:
    """σ_shape: the robust spread of log(actual ÷ expected) over the campaign's earlier full days."""
    r = [math.log(a / e) for a, e in zip(actual_days, expected_days) if a > 0 and e > 0]
    if len(r) < 3:
        return settings.shape_error
    x = np.array(r)
    return max(1.4826 * float(np.median(np.abs(x - np.median(x)))), settings.min_spread)


def judge_pace(kpi: str, *, target: float, shares: np.ndarray, day_index: int, hour_share: float, actual: float,
               sample_count: float, sigma_shape: float, settings: PaceSettings = PaceSettings(),
               cumulative: bool = True, flat: bool = False) -> PaceVerdict | None:
    """The plan's pace on campaign day ``day_index`` (0-based) with ``hour_share`` of it elapsed
    (1 = the whole day). ``actual``: the KPI so far (cumulative over the campaign when ``cumulative``,
    else the day's hours so far); ``sample_count``: the orders (GMV) or buyers behind it."""
    if target <= 0 or not 0 <= day_index < len(shares):
        return None
    before = float(shares[:day_index].sum())
    today = float(shares[day_index]) * hour_share
    elapsed = (before + today) if cumulative else today
    expected = target * elapsed
    if expected <= 0:
        return None
    days_elapsed = day_index + hour_share if cumulative else 1.0
    if flat:
        days_elapsed = min(days_elapsed, settings.flat_days)
    shape = sigma_shape / math.sqrt(max(days_elapsed, 1.0))
    noise = (1.3 if kpi == "gmv" else 1.0) / math.sqrt(max(sample_count, 1.0))
    sigma = max(math.sqrt(shape ** 2 + noise ** 2), settings.min_spread)
    low, high = expected * math.exp(-settings.z * sigma), expected * math.exp(settings.z * sigma)
    ratio = actual / expected
    state = "on_pace"
    if actual < low and ratio <= 1 - (settings.min_shortfall_flat if flat else settings.min_shortfall):
        state = "behind"
    elif actual > high and ratio >= 1 + settings.min_ahead:
        state = "ahead"
    share_done = before + today
    projected = (actual / elapsed * 1.0) if cumulative and share_done > 0 else None
    return PaceVerdict(kpi, actual, expected, low, high, sigma, ratio, state, projected, target)


def severity(money: float, target: float) -> str:
    """By the projected shortfall as a share of the target (the findings' scale: 20 / 8 / 3 %)."""
    share = money / target if target > 0 else 0.0
    return "critical" if share >= 0.2 else "high" if share >= 0.08 else "medium" if share >= 0.03 else "low"


def explain(expected_total: float, actual: dict[str, float], weights: dict[str, float], *, top: int = 3) -> list[tuple[str, float]]:
    """Who carries a shortfall: each part's (store's, product's) expected share of ``expected_total``
    by ``weights`` (its share of the reference period) minus its actual; the ``top`` largest
    shortfalls, largest first (positive = behind)."""
    total_w = sum(w for w in weights.values() if w > 0)
    if total_w <= 0:
        return []
    gaps = {k: expected_total * max(w, 0.0) / total_w - actual.get(k, 0.0) for k, w in weights.items()}
    gaps = {k: v for k, v in gaps.items() if v > 0}
    return sorted(gaps.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def price_off_plan(paid: float, units: float, plan_price: float, *,
                   settings: PaceSettings = PaceSettings()) -> tuple[float, float] | None:
    """(relative gap, money the gap moves on the day's units) when the day's average paid unit price
    ``paid`` over ``units`` is off the plan's price by more than the tolerance; else None."""
    if plan_price <= 0 or units < settings.min_price_units or not math.isfinite(paid):
        return None
    rel = paid / plan_price - 1
    if abs(rel) <= settings.price_tolerance:
        return None
    return rel, abs(paid - plan_price) * units
