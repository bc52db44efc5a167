"""Synthetic Walmart-style weekly sales (a test bed for the weekly forecast; no held-out data needed).

``walmart_like(seed)`` draws store × department series of weekly sales dated on Fridays (Walmart's
layout: the week ending on that day), ~2.8 years by default, each built day by day and summed into
weeks so that calendar holidays fall into a different week from one year to the next:

* a level (log-normal: small and large departments), a trend (−15 … +15 % a year), for some series
  a level shift (a store refit, a competitor: −40 … +30 %);
* a smooth yearly profile (two harmonics, amplitude 0–45 %, shared by the department group plus a
  series' own part);
* holidays as day effects: the Super Bowl weekend, Easter, Memorial Day, back-to-school (August),
  Labor Day, Thanksgiving week and Black Friday, and the ten days before Christmas (department
  groups react differently: toys and electronics ×2–4 before Christmas, grocery little);
* noise: log-normal week noise (sd 4–25 %) and rare outliers (×0.5 or ×1.8);
* some series intermittent: a few units a week (Poisson, mean 0.3–3), same seasonality.

Weeks without sales of an intermittent series have no row (as in Walmart's file), so the reader
must treat missing weeks as zeros. Values are rounded to cents (sales) or whole units.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

GROUPS = ("grocery", "apparel", "toys", "electronics", "home", "garden")
# the holidays' strength per group (multiplier − 1 at the peak day), drawn around these
XMAS = {"grocery": 0.4, "apparel": 1.2, "toys": 3.0, "electronics": 2.0, "home": 0.8, "garden": 0.2}
SUMMER = {"grocery": 0.05, "apparel": 0.1, "toys": 0.0, "electronics": 0.0, "home": 0.1, "garden": 0.6}


def _thanksgiving(year: int) -> dt.date:
    nov1 = dt.date(year, 11, 1)
    return nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7 + 21)


def _easter(year: int) -> dt.date:  # anonymous Gregorian algorithm
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = ((h + l_ - 7 * m + 114) % 31) + 1
    return dt.date(year, month, day)


def _first(year: int, month: int, weekday: int, nth: int = 1) -> dt.date:
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(weekday - d.weekday()) % 7 + 7 * (nth - 1))


def _last(year: int, month: int, weekday: int) -> dt.date:
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - weekday) % 7)


def holiday_days(first: dt.date, last: dt.date) -> dict[str, np.ndarray]:
    """Per holiday, a day profile over [first, last] (1 on the peak day, tapering)."""
    days = (last - first).days + 1
    out = {k: np.zeros(days) for k in ("superbowl", "easter", "memorial", "school", "labor", "thanks", "xmas")}

    def put(name: str, day: dt.date, shape: list[float], before: int) -> None:
        for j, w in enumerate(shape):
            k = (day - first).days - before + j
            if 0 <= k < days:
                out[name][k] = max(out[name][k], w)

    for year in range(first.year - 1, last.year + 2):
        put("superbowl", _first(year, 2, 6, 1), [0.4, 1.0, 0.5], 1)
        put("easter", _easter(year), [0.3, 0.6, 1.0, 0.2], 3)
        put("memorial", _last(year, 5, 0), [0.5, 1.0, 1.0, 0.3], 3)
        put("school", dt.date(year, 8, 10), [0.4] * 4 + [0.8] * 10 + [0.4] * 4, 9)
        put("labor", _first(year, 9, 0), [0.5, 1.0, 1.0, 0.3], 3)
        put("thanks", _thanksgiving(year), [0.2, 0.4, 0.3, 1.0, 0.8, 0.5], 1)
        put("xmas", dt.date(year, 12, 24), [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0, -0.3, 0.1,
                                             0.2], 10)
    return out


def walmart_like(seed: int, *, stores: int = 6, depts: int = 20, first_friday: dt.date = dt.date(2010, 2, 5),
                 weeks: int = 143, intermittent_share: float = 0.12, ar: float = 0.0,
                 drift: float = 0.0) -> pd.DataFrame:
    """Long frame ``unique_id, ds, y`` (weekly, dated on Fridays; the week ending that day).

    A harder variant (a stress test, not what the floors are set on): ``ar`` > 0 makes the log noise an AR(1)
    (runs of good and bad weeks: the recent level carries information last year's weeks do not); ``drift`` > 0
    lets the yearly profile's and the holidays' strength change from one year to the next (log-normal, sd
    ``drift`` a year)."""
    rng = np.random.default_rng(seed)
    first = first_friday - dt.timedelta(days=6)
    days = weeks * 7
    dates = [first + dt.timedelta(days=k) for k in range(days)]
    doy = np.array([d.timetuple().tm_yday for d in dates]) / 365.25
    t_year = np.arange(days) / 365.25
    hol = holiday_days(first, dates[-1])
    weekday = np.array([0.9, 0.85, 0.85, 0.9, 1.05, 1.35, 1.1])[[d.weekday() for d in dates]]
    group_phase = {g: rng.uniform(0, 2 * np.pi, size=2) for g in GROUPS}
    group_amp = {g: rng.uniform(0.0, 0.3, size=2) for g in GROUPS}
    rows = []
    for s in range(stores):
        store_level = rng.lognormal(0, 0.4)
        for d_i in range(depts):
            g = GROUPS[d_i % len(GROUPS)]
            amp = group_amp[g] * rng.uniform(0.5, 1.5, size=2)
            phase = group_phase[g] + rng.normal(0, 0.3, size=2)
            year_k = np.floor(t_year).astype(int)
            yearly = np.exp(rng.normal(0, drift, size=year_k.max() + 1))[year_k] if drift > 0 else np.ones(days)
            season = 1 + yearly * (amp[0] * np.sin(2 * np.pi * doy + phase[0])
                                   + amp[1] * np.sin(4 * np.pi * doy + phase[1]))
            effect = np.ones(days)
            effect += XMAS[g] * rng.uniform(0.5, 1.5) * hol["xmas"]
            effect += (0.3 + 0.5 * XMAS[g] / 3) * rng.uniform(0.3, 1.5) * hol["thanks"]
            effect += rng.uniform(0.0, 0.4) * hol["superbowl"] * (g in ("grocery", "electronics"))
            effect += rng.uniform(0.0, 0.5) * hol["easter"] * (g in ("grocery", "apparel", "toys"))
            effect += (SUMMER[g] + rng.uniform(0, 0.3)) * (hol["memorial"] + hol["labor"])
            effect += rng.uniform(0.0, 0.6) * hol["school"] * (g in ("apparel", "electronics", "home"))
            trend = np.exp(rng.uniform(-0.15, 0.15) * t_year)
            shift = np.ones(days)
            if rng.random() < 0.25:
                at = rng.integers(days // 5, days - 60)
                shift[at:] = np.exp(rng.uniform(np.log(0.6), np.log(1.3)))
            if drift > 0:
                effect = 1 + (effect - 1) * np.exp(rng.normal(0, drift, size=year_k.max() + 1))[year_k]
            lam_day = np.maximum(season * effect, 0.05) * trend * shift * weekday
            week_shape = lam_day.reshape(weeks, 7).sum(axis=1) / 7
            uid = f"{s + 1}_{d_i + 1}"
            if rng.random() < intermittent_share:
                base = rng.uniform(0.3, 3.0)
                y = rng.poisson(base * week_shape).astype(float)
            else:
                level = store_level * rng.lognormal(np.log(8000), 1.0)
                sd = rng.uniform(0.04, 0.25)
                if ar > 0:
                    e = rng.normal(0, sd * np.sqrt(1 - ar ** 2), size=weeks)
                    z = np.zeros(weeks)
                    z[0] = rng.normal(0, sd)
                    for j in range(1, weeks):
                        z[j] = ar * z[j - 1] + e[j]
                    noise = np.exp(z)
                else:
                    noise = rng.lognormal(0, sd, size=weeks)
                out = rng.random(weeks)
                noise = np.where(out < 0.01, 0.5, np.where(out > 0.99, 1.8, 1.0)) * noise
                y = np.round(level * week_shape * noise, 2)
            keep = y > 0
            labels = [first_friday + dt.timedelta(days=7 * k) for k in range(weeks)]
            rows.append(pd.DataFrame({"unique_id": uid, "ds": np.array(labels, dtype=object)[keep], "y": y[keep]}))
    return pd.concat(rows, ignore_index=True)


def to_csv(frame: pd.DataFrame, path) -> None:
    frame.rename(columns={"unique_id": "id", "ds": "date", "y": "value"}).to_csv(path, index=False)
