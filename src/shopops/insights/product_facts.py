"""A product finding's own numbers: where its item GMV change comes from, and its last two weeks.

A store's decomposition (visitors × conversion × AOV of the whole store) says little about one
product whose buyers walked away: the director asks "did fewer people look at it, or did the ones
who looked stop buying — and what happened to its price, its stock, its reviews?". This answers
from the arrays the run already holds for the store's top products (``crosscheck.StoreProducts``),
so it costs no query:

* ``factors``: the product's item GMV per day = product visitors × conversion (its buyers / its
  visitors) × item GMV per buyer, the finding's days (its window: the day, or the two days of a
  two-day signal, per day) against the average of the store's reference days; Shapley
  contributions that add up to the change (``diagnosis.factor_contributions``). None when the
  product has no visitor counts (a platform export without the product's traffic).
* ``days``: the product's last 14 days up to the finding's day, newest first — visitors, buyers, conversion,
  units, item GMV, the average paid unit price and the listed unit price at checkout, stock on
  hand at the day's snapshot, 1–2 star reviews.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np

from shopops.insights.diagnosis import factor_contributions

DAYS = 14


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else round(x, 6)


def _ratio(a: float, b: float) -> float | None:
    return None if math.isnan(a) or math.isnan(b) or b == 0 else round(a / b, 6)


def product_facts(sp, product_id: str, day: dt.date, reference_days: Sequence[dt.date], window: int = 1) -> dict:
    """The finding's product in ``sp`` (a ``StoreProducts``): ``{"factors": [...], "days": [...]}``, or {}
    when the product is not among the store's judged products or the day is outside the run's dates."""
    if sp is None or product_id not in sp.products or day not in sp.dates:
        return {}
    p = sp.products.index(product_id)
    at = {d: i for i, d in enumerate(sp.dates)}
    i = at[day]
    window_idx = [at[d] for d in (day - dt.timedelta(days=k) for k in range(max(window, 1))) if d in at]
    ref_idx = [at[d] for d in reference_days if d in at]

    def mean(arr: np.ndarray, idx: list[int]) -> float:
        vals = arr[p, idx] if idx else np.array([])
        vals = vals[np.isfinite(vals)]
        return float(vals.mean()) if len(vals) else math.nan

    factors: list[dict] = []
    ref = {"gmv": mean(sp.item_gmv, ref_idx), "visitors": mean(sp.visitors, ref_idx),
           "paying_buyers": mean(sp.buyers, ref_idx)}
    now = {"gmv": mean(sp.item_gmv, window_idx), "visitors": mean(sp.visitors, window_idx),
           "paying_buyers": mean(sp.buyers, window_idx)}
    if not any(math.isnan(v) for v in (*ref.values(), *now.values())) and ref["visitors"] > 0:
        factors = [asdict(c) for c in factor_contributions(ref, now)]
    days = []
    for k in range(min(DAYS, i + 1)):  # newest first: the finding's days on top
        j = i - k
        visitors, buyers = float(sp.visitors[p, j]), float(sp.buyers[p, j])
        units, gmv = float(sp.units[p, j]), float(sp.item_gmv[p, j])
        days.append({"date": sp.dates[j].isoformat(), "visitors": _num(visitors), "buyers": _num(buyers),
                     "conversion": _ratio(buyers, visitors), "units": _num(units), "item_gmv": _num(gmv),
                     "paid_price": _ratio(gmv, units),
                     "listed_price": _ratio(float(sp.placed_listed[p, j]), float(sp.placed_units[p, j])),
                     "on_hand": _num(sp.on_hand[p, j]), "bad_reviews": _num(sp.bad_reviews[p, j]),
                     "in_window": j in window_idx})
    return {"product_id": product_id, "factors": factors, "days": days}
