"""Demand classes from two cheap numbers per series (Syntetos–Boylan–Croston).

* **ADI** — average demand interval: periods per period with demand (1 = sells every period);
* **CV²** — squared coefficient of variation of the *non-zero* demand sizes.

With the published cut-offs (ADI 1.32, CV² 0.49) a series is **smooth** (regular, steady
sizes), **erratic** (regular, sizes vary), **intermittent** (many empty periods, steady
sizes) or **lumpy** (both). Two more classes sit beside them: **new** (too little history
to backtest: it is forecast from similar products) and **inactive** (no demand at all in the
look-back: forecast zero). All of it is column-wise numpy over a ``[series, periods]`` matrix.
"""

from __future__ import annotations

import numpy as np

SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NEW, INACTIVE = "smooth", "erratic", "intermittent", "lumpy", "new", "inactive"
CLASSES = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NEW, INACTIVE)
ADI_CUT = 1.32
CV2_CUT = 0.49


def adi_cv2(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ADI and CV² per row of ``values`` (``[n, T]``; NaN = before the series started).

    ADI is ``inf`` and CV² ``nan`` for a row without demand; CV² is 0 for one non-zero period."""
    v = np.asarray(values, dtype=np.float64)
    seen = ~np.isnan(v)
    periods = seen.sum(axis=1)
    pos = np.where(seen, v, 0.0) > 0
    k = pos.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(k > 0, periods / np.maximum(k, 1), np.inf)
        sizes = np.where(pos, v, 0.0)
        mean = sizes.sum(axis=1) / np.maximum(k, 1)
        var = np.where(pos, (v - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(k, 1)
        cv2 = np.where(k > 0, var / np.where(mean > 0, mean, 1.0) ** 2, np.nan)
    return adi, cv2


def classify(values: np.ndarray, history: np.ndarray, *, min_history: int,
             adi_cut: float = ADI_CUT, cv2_cut: float = CV2_CUT) -> np.ndarray:
    """The demand class of each row: ``history`` is each series' number of periods (since it
    started); fewer than ``min_history`` → ``new``; no demand → ``inactive``."""
    adi, cv2 = adi_cv2(values)
    out = np.where(adi < adi_cut, np.where(cv2 < cv2_cut, SMOOTH, ERRATIC),
                   np.where(cv2 < cv2_cut, INTERMITTENT, LUMPY)).astype(object)
    out[~np.isfinite(adi)] = INACTIVE
    out[np.asarray(history) < min_history] = NEW
    return out
