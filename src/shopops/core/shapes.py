"""A campaign's day shape from last year's same window (pure: numpy).

Both the live campaign page (``campaigns.pacing``: the target curve) and the campaign watch of
insights (``insights.pacing``: the expectation it judges) spread a plan's target over its days in
the shape of the same window last year. One rule for both, here:

* the days of last year's window **before the stores' first sale** are *unknown*, not ¥0 — a store
  that started trading (or whose history was imported) in the middle of last year's window would
  otherwise put no target at all on the campaign's first days and a projected finish of several
  hundred per cent on them. The leading run of zero days is read as unknown and carries an average
  day (the mean of the known days);
* at least half of the days must be known, else the shape is flat (a day or two of last year tells
  no shape);
* a window of another length, a negative or non-finite value, or nothing sold: flat.
"""

from __future__ import annotations

import numpy as np


def day_shares(reference, n_days: int) -> tuple[np.ndarray, str]:
    """Shares (summing to 1) of each of a campaign's ``n_days`` days, and their source
    (``"last_year"`` or ``"flat"``). ``reference``: last year's daily values of the same window, or None."""
    flat = np.full(n_days, 1.0 / n_days), "flat"
    if reference is None:
        return flat
    r = np.asarray(reference, dtype=float)
    if r.size != n_days or not np.all(np.isfinite(r)) or np.any(r < 0) or r.sum() <= 0:
        return flat
    first = int(np.argmax(r > 0))  # the first day with a sale: the days before it are unknown
    if n_days - first < n_days / 2:
        return flat
    r = r.copy()
    r[:first] = r[first:].mean()
    return r / r.sum(), "last_year"
