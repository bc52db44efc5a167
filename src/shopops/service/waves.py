"""差评 waves: a burst of bad reviews on one product against its own usual share (no Django).

For each product and day, the window is the last ``window`` days (reviews arrive days after
the purchase, so a wave builds up over several days). With ``n`` reviews and ``k`` bad ones
(1–2 stars, or negative text when a review has no stars) in the window, the product's usual
bad share comes from the ``baseline`` days before the window, shrunk towards the store's
share with the weight of ``prior_reviews`` reviews (a product with few past reviews borrows
the store's habits). A wave fires when

- ``k >= min_bad`` (three bad reviews are the least a person would call a wave), and
- ``k >= ratio * expected`` (``expected = n * usual share``), and
- the binomial tail P(X >= k | n, usual share) is below ``alpha``.

The tail makes the rule care about counts, not shares: 2 of 2 bad reviews is not a wave,
9 of 12 when 1 in 10 is usual is. Consecutive firing days of one product are one wave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binom


@dataclass(frozen=True, slots=True)
class WaveRule:
    window: int = 7
    baseline: int = 56
    min_bad: int = 4
    ratio: float = 2.5
    alpha: float = 1e-4
    prior_reviews: float = 20.0


@dataclass(frozen=True, slots=True)
class Wave:
    store_id: str
    product_id: str
    first_day: dt.date  # first day the rule fired
    last_day: dt.date  # last day it fired (the wave's latest window ends here)
    bad: int  # bad reviews in the window of the strongest day
    reviews: int  # reviews in that window
    expected: float  # bad reviews the usual share predicts for it
    p_value: float

    @property
    def key(self) -> str:
        """Stable id of the wave: store, product and first day."""
        return f"{self.store_id}:{self.product_id}:{self.first_day.isoformat()}"


def detect(daily: pd.DataFrame, *, first_day: dt.date | None = None, last_day: dt.date | None = None,
           rule: WaveRule = WaveRule()) -> list[Wave]:
    """Waves in ``daily`` (columns store_id, product_id, date, reviews, bad: one row per product and
    day with reviews; missing days count as none), reporting days in [first_day, last_day]."""
    if daily.empty:
        return []
    waves: list[Wave] = []
    d = daily.copy()
    d["date"] = pd.to_datetime(d["date"]).dt.date
    lo = min(d["date"])
    hi = max(d["date"])
    last_day = last_day or hi
    first_day = first_day or lo
    days = pd.date_range(lo, max(hi, last_day), freq="D").date
    index = {day: i for i, day in enumerate(days)}
    n_days = len(days)
    for store_id, sd in d.groupby("store_id", sort=True):
        store_share = (float(sd["bad"].sum()) + 1.0) / (float(sd["reviews"].sum()) + 10.0)
        products = sorted(sd["product_id"].unique())
        pi = {p: i for i, p in enumerate(products)}
        rev = np.zeros((len(products), n_days + 1))
        bad = np.zeros((len(products), n_days + 1))
        rows = sd["product_id"].map(pi).to_numpy()
        cols = sd["date"].map(index).to_numpy() + 1
        np.add.at(rev, (rows, cols), sd["reviews"].to_numpy(dtype=float))
        np.add.at(bad, (rows, cols), sd["bad"].to_numpy(dtype=float))
        crev = np.cumsum(rev, axis=1)  # crev[:, i + 1] = reviews up to day i
        cbad = np.cumsum(bad, axis=1)
        lo_i = index.get(first_day, 0) if first_day >= lo else 0
        hi_i = index[last_day] if last_day in index else n_days - 1
        fired: dict[int, list[tuple[int, float, float, float, float]]] = {}
        for i in range(lo_i, hi_i + 1):
            w0 = max(i - rule.window + 1, 0)
            b0 = max(w0 - rule.baseline, 0)
            n = crev[:, i + 1] - crev[:, w0]
            k = cbad[:, i + 1] - cbad[:, w0]
            bn = crev[:, w0] - crev[:, b0]
            bk = cbad[:, w0] - cbad[:, b0]
            share = (bk + rule.prior_reviews * store_share) / (bn + rule.prior_reviews)
            expected = n * share
            cand = np.flatnonzero((k >= rule.min_bad) & (k >= rule.ratio * expected))
            if cand.size == 0:
                continue
            p = binom.sf(k[cand] - 1, n[cand], share[cand])
            for j, pv in zip(cand, p, strict=True):
                if pv < rule.alpha:
                    fired.setdefault(int(j), []).append((i, float(k[j]), float(n[j]), float(expected[j]), float(pv)))
        for j, hits in fired.items():
            run: list[tuple[int, float, float, float, float]] = []
            for h in hits + [(10**9, 0, 0, 0, 0)]:
                if run and h[0] > run[-1][0] + 1:
                    strongest = min(run, key=lambda r: r[4])
                    waves.append(Wave(str(store_id), str(products[j]), days[run[0][0]], days[run[-1][0]],
                                      int(strongest[1]), int(strongest[2]), round(strongest[3], 2), strongest[4]))
                    run = []
                run.append(h)
    return sorted(waves, key=lambda w: (w.first_day, w.store_id, w.product_id))
