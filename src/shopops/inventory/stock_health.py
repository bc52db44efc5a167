"""Stock-health maths (pure) for the stock pages: days of cover, sell-through, stock-out days and
the sales they lost, aged stock (库龄) by FIFO layers, slow movers (滞销) with suggested actions.

Definitions follow shared/GLOSSARY.md:

* **days of cover** (可售天数) = on hand ÷ forecast daily demand (``None`` when no demand is forecast);
* **sell-through** (售罄率) = units sold ÷ (units sold + units on hand at the end);
* **stock-out days**: days with nothing on hand; with snapshots every ``every`` days each empty
  snapshot stands for ``every`` days;
* **lost sales** = Σ over stock-out days of (expected demand − units sold, ≥ 0), the expected demand
  from the forecast (its in-sample level, with uplift on campaign days) or, without it, the mean
  daily sales of the in-stock days;
* **aged stock**: on hand is made of the latest receipts (first in, first out), so its age is
  split into buckets by how long ago each of those receipts arrived. Receipts come from purchase
  order receipts, or are inferred from snapshots (``infer_receipts``: an increase of on hand
  beyond what sales explain);
* **projected stock-out** (``projected_stockout``): the first day on which the forecast's cumulative
  demand from tomorrow exceeds what is on hand (arrivals on order not counted: their days are
  uncertain; the replenishment's reorder point counts them); *within lead time* when that day comes
  before an order placed today could arrive;
* **lost sales on the forecast** (``forecast_shortfall``): walk the forecast day by day from
  tomorrow, stock = on hand + arrivals on their day − what sold (never below 0, lost sales are not
  back-ordered); a day's lost units = its forecast demand beyond the stock it starts with. The
  inventory alerts value them at the selling price (GMV) and at price − cost (margin);
* **slow movers**: ``dead`` — stock on hand and nothing sold for ``dead_days``;
  ``slow`` — cover above ``slow_cover_days`` or sell-through below ``slow_sell_through``;
  else ``ok``. Suggested actions: dead → clearance promotion + stop reordering; slow with much
  aged stock → clearance promotion; other slow → bundle with a best-seller + stop reordering
  while cover stays above the limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

AGE_BUCKETS = (30, 60, 90, 180)  # days: 0–30, 31–60, 61–90, 91–180, >180


def projected_stockout(on_hand: np.ndarray, daily: np.ndarray) -> np.ndarray:
    """Per row, the days from tomorrow until the stock runs out on the forecast path: the first day
    ``d`` (1-based) whose cumulative forecast demand exceeds ``on_hand``; NaN when the stock lasts
    the whole path (or nothing is forecast). Column-wise: ``on_hand`` ``[n]``, ``daily`` ``[n, days]``."""
    on_hand = np.maximum(np.asarray(on_hand, dtype=np.float64), 0.0)
    daily = np.nan_to_num(np.asarray(daily, dtype=np.float64), nan=0.0)
    if daily.ndim != 2 or daily.shape[0] != on_hand.shape[0]:
        raise ValueError(f"daily must be [n, days] with n = {on_hand.shape[0]}, got {daily.shape}")
    out = np.full(on_hand.shape[0], np.nan)
    if daily.shape[1] == 0:
        return out
    short = np.cumsum(daily, axis=1) > on_hand[:, None] + 1e-9
    hit = short.any(axis=1)
    out[hit] = np.argmax(short[hit], axis=1) + 1
    return out


@dataclass(frozen=True, slots=True)
class Shortfall:
    stockout_day: int | None  # first day (1 = tomorrow) with demand the stock cannot meet; None: it lasts
    lost_units: float  # forecast units not sold over the days looked at
    lost_days: int  # days with lost units


def forecast_shortfall(on_hand: float, daily, *, days: int, arrivals: dict[int, float] | None = None) -> Shortfall:
    """Lost sales of one item over days ``1 … days`` on the forecast path ``daily`` (``daily[0]`` is
    tomorrow). ``arrivals``: units arriving on day d (1-based; they can be sold that day). Past the end
    of the path the demand stays at the mean of its last 28 days."""
    if on_hand < 0:
        raise ValueError(f"on hand must not be negative, got {on_hand}")
    path = np.nan_to_num(np.asarray(daily, dtype=np.float64), nan=0.0)
    if days > path.size:
        tail = float(path[-28:].mean()) if path.size else 0.0
        path = np.concatenate([path, np.full(days - path.size, tail)])
    stock = float(on_hand)
    first, lost, lost_days = None, 0.0, 0
    for d in range(1, days + 1):
        stock += float((arrivals or {}).get(d, 0.0))
        demand = max(float(path[d - 1]), 0.0)
        short = demand - stock
        if short > 1e-9:
            lost += short
            lost_days += 1
            first = d if first is None else first
            stock = 0.0
        else:
            stock -= demand
    return Shortfall(first, lost, lost_days)


def forecast_demand_over(daily, uplift, *, days: int) -> float:
    """Forecast units over ``days`` from tomorrow: the path (with its campaign uplift) where it reaches,
    then the path's ordinary level (its mean ÷ uplift) for the days beyond it."""
    path = np.nan_to_num(np.asarray(daily, dtype=np.float64), nan=0.0)
    ups = np.asarray(uplift, dtype=np.float64)
    inside = float(path[:days].sum())
    if days <= path.size or path.size == 0:
        return inside
    base = float(np.mean(path / np.where(ups > 0, ups, 1.0)))
    return inside + base * (days - path.size)


def days_of_cover(on_hand: float, daily_demand: float) -> float | None:
    if on_hand < 0:
        raise ValueError(f"on hand must not be negative, got {on_hand}")
    return on_hand / daily_demand if daily_demand > 0 else None


def sell_through(units_sold: float, on_hand_end: float) -> float | None:
    total = units_sold + on_hand_end
    return units_sold / total if total > 0 else None


@dataclass(frozen=True, slots=True)
class StockOuts:
    days: int
    lost_units: float


def stockouts(on_hand: np.ndarray, sold: np.ndarray, expected: np.ndarray | None = None, *, every: int = 1) -> StockOuts:
    """Stock-out days and lost units of one item over aligned daily arrays (``on_hand`` may be NaN on
    days without a snapshot; with ``every`` > 1 only snapshot days are given and each stands for
    ``every`` days)."""
    oh = np.asarray(on_hand, dtype=np.float64)
    s = np.asarray(sold, dtype=np.float64)
    out = oh <= 0
    if expected is None:
        instock = ~out & ~np.isnan(oh)
        level = s[instock].mean() if instock.any() else 0.0
        expected = np.full(oh.shape, level)
    exp = np.asarray(expected, dtype=np.float64)
    lost = np.maximum(exp - s, 0.0)[out].sum() * every
    return StockOuts(days=int(out.sum()) * every, lost_units=float(lost))


def infer_receipts(on_hand: np.ndarray, sold: np.ndarray) -> np.ndarray:
    """Units received each day implied by daily snapshots: ``on_hand[d] − on_hand[d−1] + sold[d]`` when
    positive (day 0: none). Sales beyond stock (back orders) make this a lower bound."""
    oh = np.asarray(on_hand, dtype=np.float64)
    s = np.asarray(sold, dtype=np.float64)
    r = np.zeros(oh.shape)
    r[1:] = np.maximum(oh[1:] - oh[:-1] + s[1:], 0.0)
    return r


def stock_age(on_hand: int, receipts: list[tuple[dt.date, int]], *, today: dt.date,
              buckets: tuple[int, ...] = AGE_BUCKETS, unknown_age: int = 10_000) -> dict[str, int]:
    """Units on hand by age bucket (FIFO: the newest receipts are what is left). Units not explained by
    the receipts given are of unknown, old age (``>{last}`` bucket)."""
    if on_hand < 0:
        raise ValueError(f"on hand must not be negative, got {on_hand}")
    labels = _bucket_labels(buckets)
    out = {label: 0 for label in labels}
    left = on_hand
    for day, qty in sorted(receipts, key=lambda r: r[0], reverse=True):
        if left <= 0:
            break
        if qty < 0:
            raise ValueError(f"receipt on {day}: quantity must not be negative, got {qty}")
        take = min(qty, left)
        out[labels[_bucket((today - day).days, buckets)]] += take
        left -= take
    if left > 0:
        out[labels[_bucket(unknown_age, buckets)]] += left
    return out


def _bucket(age: int, buckets: tuple[int, ...]) -> int:
    for i, b in enumerate(buckets):
        if age <= b:
            return i
    return len(buckets)


def _bucket_labels(buckets: tuple[int, ...]) -> list[str]:
    labels, lo = [], 0
    for b in buckets:
        labels.append(f"{lo}-{b}")
        lo = b + 1
    labels.append(f">{buckets[-1]}")
    return labels


@dataclass(frozen=True, slots=True)
class SlowMoverSettings:
    dead_days: int = 60
    slow_cover_days: float = 120.0
    slow_sell_through: float = 0.15  # over the look-back period
    aged_share: float = 0.5  # share of on hand older than 90 days that calls for clearance


@dataclass(frozen=True, slots=True)
class SlowMover:
    status: str  # ok, slow, dead
    actions: tuple[str, ...]  # clearance_promotion, bundle, stop_reordering


def slow_mover(*, on_hand: int, days_since_last_sale: int | None, cover_days: float | None,
               sell_through_ratio: float | None, aged_over_90_share: float = 0.0,
               settings: SlowMoverSettings = SlowMoverSettings()) -> SlowMover:
    """Classify one item; ``days_since_last_sale`` None means never sold (in the look-back)."""
    if on_hand <= 0:
        return SlowMover("ok", ())
    never = days_since_last_sale is None or days_since_last_sale >= settings.dead_days
    if never:
        return SlowMover("dead", ("clearance_promotion", "stop_reordering"))
    slow = (cover_days is None or cover_days > settings.slow_cover_days) or \
        (sell_through_ratio is not None and sell_through_ratio < settings.slow_sell_through)
    if not slow:
        return SlowMover("ok", ())
    if aged_over_90_share >= settings.aged_share:
        return SlowMover("slow", ("clearance_promotion", "stop_reordering"))
    return SlowMover("slow", ("bundle", "stop_reordering"))


ACTION_LABELS = {
    "clearance_promotion": ("清仓促销", "Clearance promotion"),
    "bundle": ("搭配套餐", "Bundle with a best-seller"),
    "stop_reordering": ("停止补货", "Stop reordering"),
}
STATUS_LABELS = {"ok": ("正常", "OK"), "slow": ("滞销", "Slow mover"), "dead": ("不动销", "No sales")}
