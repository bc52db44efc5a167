"""Campaign uplift: learned from past campaign windows, applied to future ones (multiplicative).

A :class:`CampaignWindow` is a kind (``双11/3``, ``618/1``, ``满减``, ``秒杀`` …: the same kind
recurs, e.g. every year), a first and a last day, and optionally the series or categories it
applies to (a planned 满减 on some categories). The kind is the unit of learning, so callers
that know a campaign's phases (预热 / 正式 / 返场) pass each phase as its own kind.

For every past occurrence of a kind, each series' **baseline** is its mean demand on up to
``baseline_days`` ordinary days (no window of any kind for that series) before the window
starts. Then, per kind:

* the **profile** ``P(kind, day offset)`` = Σ units on that day of the window ÷ Σ baselines,
  over every series and occurrence (the shape of the campaign: 双11 day vs its warm-up days);
* a **category factor** ``r_c`` = (category's window units ÷ its baseline units) ÷ the same ratio
  over all series, shrunk toward 1 in log space by ``B / (B + shrink_units)`` where ``B`` is the
  category's baseline units over the windows (what it would have sold without the campaign);
* a **series factor** ``r_i`` the same way, relative to its category and shrunk toward it.

The multiplier of series *i* on day *o* of a window of that kind is ``P(kind, o) · r_c · r_i``
(an offset never seen falls back to the kind's overall ratio; a kind never seen to the window's
``expected_uplift``, else 1). Days under several windows take the first window in the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True)
class CampaignWindow:
    kind: str
    first: dt.date
    last: dt.date
    ids: frozenset[str] | None = None  # series it applies to; None: every series (or ``categories``)
    categories: frozenset[str] | None = None
    expected_uplift: float | None = None  # used when no past occurrence of the kind was seen

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"campaign window {self.kind!r}: last day {self.last} is before the first {self.first}")
        if self.expected_uplift is not None and not self.expected_uplift > 0:
            raise ValueError(f"campaign window {self.kind!r}: expected uplift must be > 0, got {self.expected_uplift}")

    def applies(self, ids: np.ndarray, categories: np.ndarray) -> np.ndarray:
        mask = np.ones(ids.size, dtype=bool)
        if self.ids is not None:
            mask &= np.isin(ids, list(self.ids))
        if self.categories is not None:
            mask &= np.isin(categories, list(self.categories))
        return mask


@dataclass
class UpliftModel:
    """What was learned: per kind the profile by day offset, the overall ratio, the category and
    series factors (both already shrunk), and how much evidence each rests on."""

    profile: dict[str, dict[int, float]] = field(default_factory=dict)
    overall: dict[str, float] = field(default_factory=dict)
    category_factor: dict[tuple[str, str], float] = field(default_factory=dict)
    series_factor: dict[str, np.ndarray] = field(default_factory=dict)  # kind -> [n] factors
    occurrences: dict[str, int] = field(default_factory=dict)
    baseline_units: dict[str, float] = field(default_factory=dict)

    def kind_rows(self) -> list[dict]:
        """One row per learned kind (for pages and docs): kind, occurrences, overall uplift, peak day uplift."""
        return [{"kind": k, "occurrences": self.occurrences.get(k, 0), "uplift": round(self.overall[k], 3),
                 "peak": round(max(self.profile[k].values()), 3) if self.profile.get(k) else None,
                 "baseline_units": round(self.baseline_units.get(k, 0.0), 1)} for k in sorted(self.overall)]


def _day_index(dates: list[dt.date] | np.ndarray, day: dt.date) -> int:
    return (day - dates[0]).days


def window_days(windows: list[CampaignWindow], *, start: dt.date, days: int, ids: np.ndarray,
                categories: np.ndarray) -> tuple[np.ndarray, list[CampaignWindow]]:
    """``[n, days]`` index of the window covering each series-day (-1: none), first window wins."""
    cover = np.full((ids.size, days), -1, dtype=np.int64)
    for w_i, w in enumerate(windows):
        a = max((w.first - start).days, 0)
        b = min((w.last - start).days, days - 1)
        if b < a:
            continue
        if w.ids is None and w.categories is None:
            block = cover[:, a:b + 1]  # a view: written in place
            block[block < 0] = w_i
            continue
        rows = np.flatnonzero(w.applies(ids, categories))
        if rows.size == 0:
            continue
        block = cover[np.ix_(rows, np.arange(a, b + 1))]
        block[block < 0] = w_i
        cover[np.ix_(rows, np.arange(a, b + 1))] = block
    return cover, windows


def learn_uplift(y: np.ndarray, *, start: dt.date, ids: np.ndarray, categories: np.ndarray,
                 windows: list[CampaignWindow], baseline_days: int = 28, shrink_units: float = 30.0,
                 min_baseline_days: int = 7) -> UpliftModel:
    """Learn the uplift of every kind with a past occurrence in ``y`` (``[n, T]`` daily units from
    ``start``; NaN before a series started)."""
    n, t_days = y.shape
    cover, _ = window_days(windows, start=start, days=t_days, ids=ids, categories=categories)
    ordinary = (cover < 0) & ~np.isnan(y)
    y0 = np.nan_to_num(y, nan=0.0)
    model = UpliftModel()
    # per kind accumulators
    acc: dict[str, dict] = {}
    for w_i, w in enumerate(windows):
        a = (w.first - start).days
        b = (w.last - start).days
        if a < min_baseline_days or b > t_days - 1:
            continue  # no room for a baseline, or not fully in the past
        lo = max(a - 3 * baseline_days, 0)
        pre_ok = ordinary[:, lo:a]
        # the last ``baseline_days`` ordinary days before the window, per series
        rank = np.cumsum(pre_ok[:, ::-1], axis=1)[:, ::-1]
        take = pre_ok & (rank <= baseline_days)
        k = take.sum(axis=1)
        base = np.where(k >= min_baseline_days, (y0[:, lo:a] * take).sum(axis=1) / np.maximum(k, 1), np.nan)
        mine = cover[:, a:b + 1] == w_i  # days this window owns for each series
        use = ~np.isnan(base) & mine.any(axis=1)
        if not use.any():
            continue
        d = acc.setdefault(w.kind, {"units": np.zeros(n), "base": np.zeros(n), "off_units": {}, "off_base": {},
                                    "occ": 0})
        d["occ"] += 1
        for o in range(b - a + 1):
            on = use & mine[:, o]
            if not on.any():
                continue
            units = y0[on, a + o]
            d["units"][on] += units
            d["base"][on] += base[on]
            d["off_units"][o] = d["off_units"].get(o, 0.0) + float(units.sum())
            d["off_base"][o] = d["off_base"].get(o, 0.0) + float(base[on].sum())
    cats = np.asarray(categories)
    for kind, d in acc.items():
        total_base = d["base"].sum()
        if total_base <= 0:
            continue
        overall = float(d["units"].sum() / total_base)
        if overall <= 0:
            continue
        model.overall[kind] = overall
        model.occurrences[kind] = d["occ"]
        model.baseline_units[kind] = float(total_base)
        model.profile[kind] = {o: max(d["off_units"][o] / d["off_base"][o], 0.05)
                               for o in d["off_units"] if d["off_base"][o] > 0}
        series = np.ones(n)
        for c in np.unique(cats):
            rows = cats == c
            cb, cu = d["base"][rows].sum(), d["units"][rows].sum()
            if cb <= 0:
                continue
            ratio_c = max(cu / cb, 1e-3) / overall
            w_c = cb / (cb + shrink_units)
            factor_c = float(np.exp(w_c * np.log(ratio_c)))
            model.category_factor[(kind, str(c))] = factor_c
            sb, su = d["base"][rows], d["units"][rows]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio_i = np.where(sb > 0, np.maximum(su / np.where(sb > 0, sb, 1.0), 1e-3) / (overall * factor_c), 1.0)
            w_i = sb / (sb + shrink_units)
            series[rows] = np.exp(w_i * np.log(ratio_i))
        model.series_factor[kind] = series
    return model


def multipliers(model: UpliftModel, *, start: dt.date, days: int, ids: np.ndarray, categories: np.ndarray,
                windows: list[CampaignWindow], cap: tuple[float, float] = (0.05, 100.0)) -> np.ndarray:
    """``[n, days]`` multipliers from ``start`` (1 outside windows)."""
    cover, _ = window_days(windows, start=start, days=days, ids=ids, categories=categories)
    out = np.ones(cover.shape)
    cats = np.asarray(categories)
    for w_i, w in enumerate(windows):
        a = max((w.first - start).days, 0)
        b = min((w.last - start).days, days - 1)
        if b < a:
            continue
        rows, cols = np.nonzero(cover[:, a:b + 1] == w_i)
        if rows.size == 0:
            continue
        cols = cols + a
        offsets = cols + (start - w.first).days
        if w.kind in model.overall:
            prof = model.profile.get(w.kind, {})
            u_off, inv_off = np.unique(offsets, return_inverse=True)
            level = np.array([prof.get(int(o), model.overall[w.kind]) for o in u_off])[inv_off]
            u_cat, inv_cat = np.unique(cats[rows].astype(str), return_inverse=True)
            cf = np.array([model.category_factor.get((w.kind, c), 1.0) for c in u_cat])[inv_cat]
            out[rows, cols] = level * cf * model.series_factor[w.kind][rows]
        elif w.expected_uplift is not None:
            out[rows, cols] = w.expected_uplift
    return np.clip(out, *cap)
