"""The demo store's year: weekly and yearly seasonality and the big-sale calendar.

Big sales drive the peaks: on their days orders rise (双11 is the biggest day of the
year, several times a normal day), discounts deepen (``level``), traffic rises ahead
of them (warm-up: people browse and add to cart, then wait), and ad spend ramps up.
All arrays are per window day; ``[S, D]`` arrays are per store too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from shopops.core.festivals import chinese_new_year
from shopops.demo.generator.spec import STORES

WEEKDAY = np.array([0.96, 0.95, 0.96, 0.98, 1.0, 1.06, 1.09])  # Monday first
MONTH = np.array([1.0, 0.92, 1.0, 1.0, 0.96, 0.96, 0.86, 0.86, 1.0, 1.08, 1.12, 1.12])
GROWTH_PER_YEAR = 0.18

# Hour-of-day profiles: normal, big-sale day opening at midnight, sale opening at 20:00.
_HOURS_NORMAL = np.array([2.0, 1.0, 0.5, 0.3, 0.2, 0.3, 0.8, 1.8, 3.0, 4.5, 5.5, 5.5,
                          5.0, 5.0, 5.5, 5.5, 5.0, 4.5, 4.5, 5.5, 7.0, 8.0, 7.5, 4.5])
HOUR_NORMAL, HOUR_MIDNIGHT, HOUR_EVENING = 0, 1, 2


def hour_profiles(store_index: int) -> np.ndarray:
    """[3, 24] weights: normal, midnight opening, 20:00 opening (per store)."""
    base = _HOURS_NORMAL.copy()
    if STORES[store_index].platform == "douyin":  # live rooms peak in the evening
        base[19:24] *= 1.5
    midnight = base.copy()
    midnight[0] *= 14
    midnight[1] *= 5
    midnight[20:24] *= 1.4
    evening = base.copy()
    evening[20:24] *= 3.0
    return np.stack([base, midnight, evening])


@dataclass(frozen=True, slots=True)
class Campaign:
    name: str
    first: dt.date
    last: dt.date
    uplift: float  # order intensity multiplier (all stores, scaled by their peak factor)
    level: int  # discount depth 0 (none) … 3 (peak)
    traffic_ratio: float = 1.0  # traffic multiplier relative to orders (>1: browsing ahead)
    hours: int = HOUR_NORMAL
    presale_deposits: tuple[dt.date, dt.date] | None = None  # days deposits were paid


def campaigns_of_year(y: int) -> list[Campaign]:
    d = dt.date
    cny = chinese_new_year(y)  # 春节, from the lunar calendar (lunar-python)
    td = dt.timedelta
    out = [
        Campaign("年货节", cny - td(30), cny - td(13), 1.35, 2),
        Campaign("春节", cny - td(9), cny - td(2), 0.55, 0, 1.35),
        Campaign("春节", cny - td(1), cny + td(1), 0.35, 0, 1.5),
        Campaign("春节", cny + td(2), cny + td(6), 0.6, 0, 1.3),
        Campaign("38节", d(y, 3, 1), d(y, 3, 6), 1.2, 1),
        Campaign("38节", d(y, 3, 7), d(y, 3, 8), 1.7, 2),
        Campaign("618", d(y, 5, 20), d(y, 5, 30), 1.1, 1, 1.5),
        Campaign("618", d(y, 5, 31), d(y, 5, 31), 1.5, 2, 1.2, HOUR_EVENING),
        Campaign("618", d(y, 6, 1), d(y, 6, 1), 2.4, 3, 0.8, HOUR_MIDNIGHT),
        Campaign("618", d(y, 6, 2), d(y, 6, 3), 1.8, 2),
        Campaign("618", d(y, 6, 4), d(y, 6, 15), 1.25, 1),
        Campaign("618", d(y, 6, 16), d(y, 6, 17), 1.7, 2, 1.1),
        Campaign("618", d(y, 6, 18), d(y, 6, 18), 3.6, 3, 0.75, HOUR_MIDNIGHT,
                 (d(y, 5, 20), d(y, 5, 31))),
        Campaign("618", d(y, 6, 19), d(y, 6, 20), 1.15, 1),
        Campaign("99划算节", d(y, 9, 7), d(y, 9, 8), 1.2, 1),
        Campaign("99划算节", d(y, 9, 9), d(y, 9, 9), 1.7, 2),
        Campaign("双11", d(y, 10, 15), d(y, 10, 23), 1.08, 1, 1.6),
        Campaign("双11", d(y, 10, 24), d(y, 10, 30), 1.2, 1, 1.5),
        Campaign("双11", d(y, 10, 31), d(y, 10, 31), 1.6, 2, 1.2, HOUR_EVENING),
        Campaign("双11", d(y, 11, 1), d(y, 11, 1), 3.0, 3, 0.8, HOUR_MIDNIGHT),
        Campaign("双11", d(y, 11, 2), d(y, 11, 3), 2.0, 2),
        Campaign("双11", d(y, 11, 4), d(y, 11, 9), 1.3, 1, 1.2),
        Campaign("双11", d(y, 11, 10), d(y, 11, 10), 1.6, 2, 1.3),
        Campaign("双11", d(y, 11, 11), d(y, 11, 11), 7.0, 3, 0.7, HOUR_MIDNIGHT,
                 (d(y, 10, 24), d(y, 10, 31))),
        Campaign("双11", d(y, 11, 12), d(y, 11, 13), 1.25, 1),
        Campaign("双12", d(y, 12, 5), d(y, 12, 11), 1.12, 1, 1.3),
        Campaign("双12", d(y, 12, 12), d(y, 12, 12), 2.4, 3, 0.8, HOUR_MIDNIGHT),
    ]
    return out


# Share of a presale payment day's orders that were presale orders, per store.
PRESALE_SHARE = {"tmall": 0.3, "jd": 0.25, "douyin": 0.15}


@dataclass(frozen=True)
class DemoCalendar:
    start: dt.date
    end: dt.date
    days: int
    dates: list[dt.date]
    weekday: np.ndarray  # [D] 0 = Monday
    month: np.ndarray  # [D] 1..12
    order_mult: np.ndarray  # [S, D] order intensity, 1 ≈ an ordinary day
    traffic_mult: np.ndarray  # [S, D] traffic intensity
    level: np.ndarray  # [S, D] discount depth 0..3
    hours: np.ndarray  # [D] hour profile kind
    campaign: list[str]  # [D] big-sale name or ""
    deposit_first: np.ndarray  # [D] presale payment day: first deposit day index, else -1
    deposit_last: np.ndarray  # [D]
    add_to_cart_mult: np.ndarray  # [D] warm-up days: people add to cart and wait

    def day_index(self, day: dt.date) -> int:
        return (day - self.start).days


def build_calendar(start: dt.date, end: dt.date, *, without: tuple[str, int] | None = None,
                   without_member_days: bool = False) -> DemoCalendar:
    """The window's calendar; ``without=(name, year)`` leaves that campaign out and
    ``without_member_days`` the own shop's 会员日 (the counterfactuals the demo's campaign truth is
    measured against — :mod:`shopops.demo.generator.truth`)."""
    n = (end - start).days + 1
    dates = [start + dt.timedelta(days=i) for i in range(n)]
    weekday = np.array([d.weekday() for d in dates], dtype=np.int64)
    month = np.array([d.month for d in dates], dtype=np.int64)
    t = np.arange(n) / 365.0
    base = WEEKDAY[weekday] * MONTH[month - 1] * (1.0 + GROWTH_PER_YEAR * t)

    uplift = np.ones(n)
    ratio = np.ones(n)
    level = np.zeros(n, dtype=np.int64)
    hours = np.zeros(n, dtype=np.int64)
    campaign = [""] * n
    dep_first = np.full(n, -1, dtype=np.int64)
    dep_last = np.full(n, -1, dtype=np.int64)
    for year in range(start.year - 1, end.year + 1):
        for c in campaigns_of_year(year):
            if without is not None and (c.name, year) == without:
                continue
            lo = max((c.first - start).days, 0)
            hi = min((c.last - start).days, n - 1)
            if hi < lo:
                continue
            uplift[lo:hi + 1] = c.uplift
            ratio[lo:hi + 1] = c.traffic_ratio
            level[lo:hi + 1] = c.level
            hours[lo:hi + 1] = c.hours
            for i in range(lo, hi + 1):
                campaign[i] = c.name
            if c.presale_deposits is not None:
                dep_first[lo:hi + 1] = (c.presale_deposits[0] - start).days
                dep_last[lo:hi + 1] = (c.presale_deposits[1] - start).days

    n_stores = len(STORES)
    order_mult = np.empty((n_stores, n))
    levels = np.empty((n_stores, n), dtype=np.int64)
    for s, spec in enumerate(STORES):
        lift = np.where(uplift > 1.0, 1.0 + (uplift - 1.0) * spec.peak_factor, uplift)
        lv = level.copy()
        if spec.platform == "own":  # 会员日 on the 18th of every month
            member_day = np.array([d.day == 18 and not without_member_days for d in dates]) & (level < 2)
            lift = np.where(member_day, lift * 1.8, lift)
            lv = np.where(member_day, 2, lv)
        order_mult[s] = base * lift
        levels[s] = lv
    traffic_mult = order_mult * ratio[None, :]
    atc = np.where((ratio > 1.05) & (uplift > 1.0), 1.8, 1.0)
    return DemoCalendar(
        start=start, end=end, days=n, dates=dates, weekday=weekday, month=month,
        order_mult=order_mult, traffic_mult=traffic_mult, level=levels, hours=hours,
        campaign=campaign, deposit_first=dep_first, deposit_last=dep_last, add_to_cart_mult=atc,
    )
