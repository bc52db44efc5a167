"""Shoppers and when they buy: the order skeleton.

A *person* has a province, a gender and one phone number. A person holds an
*account* in a home store and, for about one in seven, in a second store too (same
phone, different customer id — that is how channels link).

Purchases follow a BG/NBD-like process per account: each person has a purchase
rate drawn from a gamma distribution (most people buy rarely, a few often) and a
lifetime after which they drop out; within their lifetime orders arrive as a
Poisson process whose intensity follows the store's calendar (big sales pull
orders in). New persons are acquired throughout the window, more on sale days;
persons acquired before the window keep buying in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopops.demo.generator.calendar import PRESALE_SHARE, DemoCalendar
from shopops.demo.generator.regions import CITY_PROVINCE, CITY_WEIGHTS
from shopops.demo.generator.spec import STORES, Scale, cumulative, sample_rows, stream

SECOND_STORE_SHARE = 0.15
RATE_SHAPE = 0.5  # gamma shape of the purchase rate: small = very skewed
RATE_MEAN_PER_YEAR = 2.0
LIFETIME_MEAN_DAYS = 420.0
PHONE_PREFIXES = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155,
                           156, 157, 158, 159, 166, 176, 177, 180, 181, 182, 183, 185, 186,
                           187, 188, 189, 198, 199], dtype=np.int64)
MEMBER_LEVELS = {
    "tmall": ((1, "普通会员"), (2, "高级会员"), (4, "VIP会员")),
    "own": ((1, "普通会员"), (2, "银卡会员"), (4, "金卡会员"), (7, "钻石会员")),
}


@dataclass(frozen=True)
class People:
    n_persons: int
    city: np.ndarray  # [persons] index into regions.CITY_NAMES
    province: np.ndarray  # [persons] index into regions.PROVINCE_NAMES
    gender: np.ndarray  # [persons] 0 女, 1 男, 2 未知
    phone: np.ndarray  # [persons] int64, 11 digits, unique
    # accounts that ordered in the window, grouped by store, ordered by first order
    acc_store: np.ndarray
    acc_person: np.ndarray
    acc_first_seen: np.ndarray  # local seconds from window start (may be negative)
    acc_first_day: np.ndarray  # window day of the first order in the window
    acc_paid_orders: np.ndarray
    store_offsets: np.ndarray  # [S + 1] account range of each store

    def local_index(self, account: np.ndarray) -> np.ndarray:
        """Per-store number of an account (0-based), used for its customer id."""
        return account - self.store_offsets[self.acc_store[account]]

    def member_level(self, store: int) -> list[str]:
        lo, hi = self.store_offsets[store], self.store_offsets[store + 1]
        tiers = MEMBER_LEVELS.get(STORES[store].platform)
        n = self.acc_paid_orders[lo:hi]
        if tiers is None:
            return [""] * (hi - lo)
        out = np.full(hi - lo, "", dtype=object)
        for threshold, name in tiers:
            out[n >= threshold] = name
        return list(out)


@dataclass(frozen=True)
class Skeleton:
    """One row per order (paid or not), sorted by the day its buying session happened."""

    day: np.ndarray  # window day of the session (payment day for paid orders)
    store: np.ndarray
    account: np.ndarray  # index into People.acc_*
    paid: np.ndarray  # bool
    presale: np.ndarray  # bool: deposit earlier, balance paid on ``day``
    deposit_day: np.ndarray  # day the order was created (== day unless presale)

    def __len__(self) -> int:
        return int(self.day.size)


def _phones(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique 11-digit numbers on real mobile prefixes (synthetic: no real numbers meant)."""
    k = np.arange(n, dtype=np.int64)
    prefix = PHONE_PREFIXES[k % PHONE_PREFIXES.size]
    body = ((k // PHONE_PREFIXES.size) * 48_271 + 12_345_679) % 100_000_000
    phones = prefix * 100_000_000 + body
    return phones[rng.permutation(n)]


@dataclass(frozen=True)
class Accounts:
    """Persons and their store accounts before any order is drawn (what the truth of the demo's
    campaigns is computed from: :mod:`shopops.demo.generator.truth`)."""

    n_new: int  # persons acquired in the window (the first ``n_new`` persons)
    city: np.ndarray
    province: np.ndarray
    gender: np.ndarray
    phone: np.ndarray
    home: np.ndarray  # [persons] home store
    acquired: np.ndarray  # [persons] fractional window day (negative: before the window)
    a_person: np.ndarray  # [accounts] home accounts first, then second-store accounts
    a_store: np.ndarray
    a_start: np.ndarray
    a_rate: np.ndarray  # orders per ordinary day (calendar intensity 1)
    a_death: np.ndarray


def draw_accounts(rng: np.random.Generator, cal: DemoCalendar, scale: Scale) -> Accounts:
    n_days = cal.days
    n_stores = len(STORES)
    n_new = int(round(scale.new_persons_per_day * n_days))
    n_old = int(scale.existing_persons)
    n = n_new + n_old

    city_p = np.array(CITY_WEIGHTS)
    city = rng.choice(len(city_p), n, p=city_p / city_p.sum())
    province = np.array(CITY_PROVINCE)[city]
    gender = rng.choice(3, n, p=[0.63, 0.29, 0.08])
    phone = _phones(n, rng)

    shares = np.array([s.share for s in STORES])
    home = rng.choice(n_stores, n, p=shares / shares.sum())
    rate = rng.gamma(RATE_SHAPE, RATE_MEAN_PER_YEAR / RATE_SHAPE, n) / 365.0  # orders per ordinary day
    lifetime = rng.exponential(LIFETIME_MEAN_DAYS, n)

    # acquisition day: new persons over the window following the store's calendar
    acquired = np.empty(n)
    acq_weight = cal.order_mult ** 1.15  # sales bring in more new buyers than their share
    acq_cdf = cumulative(acq_weight)
    acquired[:n_new] = sample_rows(acq_cdf, home[:n_new], rng.random(n_new)) + rng.random(n_new)
    acquired[n_new:] = -rng.uniform(1.0, 730.0, n_old)
    death = acquired + lifetime

    # accounts: home store, plus a second store for some persons
    second = np.flatnonzero(rng.random(n) < SECOND_STORE_SHARE)
    other = (home[second] + 1 + rng.choice(n_stores - 1, second.size, p=_other_p(shares))) % n_stores
    a_person = np.concatenate([np.arange(n), second])
    a_store = np.concatenate([home, other])
    a_start = np.concatenate([acquired, acquired[second] + rng.exponential(150.0, second.size)])
    repeat = np.array([s.repeat_factor for s in STORES])
    a_rate = rate[a_person] * repeat[a_store]
    a_rate[n:] *= 0.6 * rng.gamma(2.0, 0.5, second.size)
    a_death = death[a_person]
    return Accounts(n_new, city, province, gender, phone, home, acquired, a_person, a_store, a_start, a_rate,
                    a_death)


def build_people(seed: int, cal: DemoCalendar, scale: Scale) -> tuple[People, Skeleton]:
    rng = stream(seed, "people")
    acc = draw_accounts(rng, cal, scale)
    n_days = cal.days
    n_stores = len(STORES)
    n = acc.home.size
    city, province, gender, phone = acc.city, acc.province, acc.gender, acc.phone
    a_person, a_store, a_start, a_rate, a_death = acc.a_person, acc.a_store, acc.a_start, acc.a_rate, acc.a_death
    n_acc = a_person.size

    # first order (acquisition) when it falls in the window and before dropping out
    first_in = (a_start >= 0) & (a_start < n_days) & (a_start < a_death)
    first_day = np.floor(a_start[first_in]).astype(np.int64)

    # repeat orders: Poisson process with intensity rate * calendar between start and death
    cum = np.zeros((n_stores, n_days + 1))
    cum[:, 1:] = np.cumsum(cal.order_mult, axis=1)
    lo = np.clip(a_start, 0.0, n_days)
    hi = np.clip(a_death, 0.0, n_days)
    hi = np.maximum(hi, lo)
    c_lo = _interp_cum(cum, a_store, lo)
    c_hi = _interp_cum(cum, a_store, hi)
    n_rep = rng.poisson(a_rate * (c_hi - c_lo))
    rep_acc = np.repeat(np.arange(n_acc), n_rep)
    u = c_lo[rep_acc] + rng.random(rep_acc.size) * (c_hi - c_lo)[rep_acc]
    rep_day = _invert_cum(cum, a_store[rep_acc], u)

    o_acc = np.concatenate([np.flatnonzero(first_in), rep_acc])
    o_day = np.concatenate([first_day, rep_day]).clip(0, n_days - 1)
    o_store = a_store[o_acc]

    # paid or not; presale orders on balance-payment days
    level = cal.level[o_store, o_day]
    paid = rng.random(o_acc.size) < np.where(level >= 3, 0.86, 0.9)
    presale_share = np.array([PRESALE_SHARE.get(s.platform, 0.0) for s in STORES])
    presale = paid & (cal.deposit_first[o_day] >= 0) & (rng.random(o_acc.size) < presale_share[o_store])
    deposit = o_day.copy()
    if presale.any():
        lo_d = cal.deposit_first[o_day[presale]]
        hi_d = cal.deposit_last[o_day[presale]]
        deposit[presale] = lo_d + np.floor(rng.random(int(presale.sum())) * (hi_d - lo_d + 1)).astype(np.int64)

    # keep accounts that ordered in the window; number them per store by first order
    n_orders = np.bincount(o_acc, minlength=n_acc)
    n_paid = np.bincount(o_acc, weights=paid, minlength=n_acc).astype(np.int64)
    first_created = np.full(n_acc, n_days, dtype=np.int64)
    np.minimum.at(first_created, o_acc, deposit)
    first_session = np.full(n_acc, n_days, dtype=np.int64)
    np.minimum.at(first_session, o_acc, o_day)
    kept = np.flatnonzero(n_orders > 0)
    order = np.lexsort((kept, first_session[kept], a_store[kept]))
    kept = kept[order]
    remap = np.full(n_acc, -1, dtype=np.int64)
    remap[kept] = np.arange(kept.size)
    k_store = a_store[kept]
    offsets = np.searchsorted(k_store, np.arange(n_stores + 1))

    # first seen: some days before the first order (or the account's start, if earlier)
    seen_day = np.minimum(first_created[kept], np.floor(a_start[kept]).astype(np.int64))
    seen_day = seen_day - 1 - np.floor(rng.exponential(9.0, kept.size)).astype(np.int64)
    first_seen = seen_day * 86_400 + rng.integers(8 * 3600, 23 * 3600, kept.size)

    people = People(
        n_persons=n, city=city, province=province, gender=gender, phone=phone,
        acc_store=k_store, acc_person=a_person[kept], acc_first_seen=first_seen,
        acc_first_day=first_session[kept], acc_paid_orders=n_paid[kept], store_offsets=offsets,
    )
    # skeleton sorted by session day, then store, then account (deterministic)
    s_acc = remap[o_acc]
    order = np.lexsort((rng.random(o_acc.size), s_acc, o_store, o_day))
    skeleton = Skeleton(
        day=o_day[order].astype(np.int64), store=o_store[order].astype(np.int64),
        account=s_acc[order], paid=paid[order], presale=presale[order], deposit_day=deposit[order],
    )
    return people, skeleton


def _other_p(shares: np.ndarray) -> np.ndarray:
    k = shares.size - 1
    return np.full(k, 1.0 / k)


def _interp_cum(cum: np.ndarray, store: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cumulative calendar intensity of ``store`` at fractional day ``t``."""
    n_days = cum.shape[1] - 1
    d = np.clip(np.floor(t).astype(np.int64), 0, n_days - 1)
    frac = np.clip(t - d, 0.0, 1.0)
    return cum[store, d] + frac * (cum[store, d + 1] - cum[store, d])


def _invert_cum(cum: np.ndarray, store: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Day whose cumulative intensity interval holds ``u`` (per store row)."""
    n_stores, width = cum.shape
    big = cum[:, -1].max() + 1.0
    flat = (cum + big * np.arange(n_stores)[:, None]).ravel()
    pos = np.searchsorted(flat, u + big * store, side="right") - 1
    return np.clip(pos - store * width, 0, width - 2)
