"""Orders and their lines for one chunk of days (vectorised; no loop per order).

Money is integer cents throughout. An order's amounts are consistent by construction:

    goods_amount    = Σ sku price × quantity                 (商品总价)
    item discounts  = Σ (sku price − unit price) × quantity  (单品优惠, deeper on sale days)
    order discounts = store coupon/满减 + platform 满减/subsidy
    discount_amount = item discounts + order discounts; platform_discount ≤ discount_amount
    paid_amount     = goods_amount − discount_amount = Σ line paid_amount

Order discounts are prorated to lines by line amount to the cent (largest remainder).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopops.demo.generator.calendar import HOUR_NORMAL, DemoCalendar, hour_profiles
from shopops.demo.generator.catalogue import Catalogue
from shopops.demo.generator.people import People, Skeleton
from shopops.demo.generator.regions import CITY_WEIGHTS
from shopops.demo.generator.spec import STORES, cumulative, group_starts, rank_within, sample_rows

DAY = 86_400

# order status codes (index into STATUS_CODES)
STATUS_CODES = ("pending_payment", "paid", "shipped", "completed", "closed", "refunded")
PENDING, PAID, SHIPPED, COMPLETED, CLOSED, REFUNDED = range(6)

_LINES_P = {0: [0.68, 0.22, 0.07, 0.03], 1: [0.64, 0.24, 0.08, 0.04],
            2: [0.56, 0.28, 0.11, 0.05], 3: [0.5, 0.3, 0.13, 0.07]}
_ITEM_PCT = {0: ([0, 5, 10], [0.85, 0.07, 0.08]), 1: ([0, 10, 15], [0.5, 0.3, 0.2]),
             2: ([10, 15, 20], [0.4, 0.3, 0.3]), 3: ([15, 20, 30], [0.3, 0.4, 0.3])}
# store 满减 tiers (threshold, off) in cents, and the share of orders that use one
_STORE_TIERS = {0: (0.3, ((19_900, 1_000), (29_900, 2_000), (49_900, 4_000))),
                1: (0.6, ((19_900, 1_500), (29_900, 3_000), (49_900, 5_000))),
                2: (0.8, ((20_000, 2_000), (30_000, 4_000), (50_000, 7_000), (80_000, 12_000))),
                3: (0.92, ((30_000, 4_000), (50_000, 8_000), (100_000, 18_000)))}
_MULTI_UNIT_SUBCATS = ("袜子", "内裤", "毛巾浴巾")


@dataclass
class OrdersChunk:
    # orders, sorted by store then session time
    store: np.ndarray
    account: np.ndarray
    seq: np.ndarray  # per-store running number (for ids)
    day: np.ndarray  # session day (payment day when paid)
    created: np.ndarray  # local seconds from window start
    paid_at: np.ndarray  # -1 when unpaid
    anchor: np.ndarray  # checkout time of the buying session
    paid: np.ndarray
    presale: np.ndarray
    status: np.ndarray
    goods: np.ndarray
    discount: np.ndarray
    platform: np.ndarray
    shipping: np.ndarray
    amount: np.ndarray  # paid_amount (amount due when unpaid)
    city: np.ndarray
    source: np.ndarray
    shipped_at: np.ndarray
    completed_at: np.ndarray
    # lines, sorted by order then line number
    line_order: np.ndarray
    line_no: np.ndarray
    line_product: np.ndarray
    line_sku: np.ndarray
    line_qty: np.ndarray
    line_unit: np.ndarray
    line_discount: np.ndarray
    line_paid: np.ndarray

    def __len__(self) -> int:
        return int(self.store.size)


class OrderModel:
    """What stays the same for every chunk: sampling tables built once."""

    def __init__(self, cal: DemoCalendar, cat: Catalogue, people: People, product_weights: np.ndarray):
        self.cal, self.cat, self.people = cal, cat, people
        n_stores = len(STORES)
        self.product_cdf = cumulative(product_weights.reshape(n_stores * cal.days, cat.n_products))
        self.hour_cdf = cumulative(np.concatenate([hour_profiles(s) for s in range(n_stores)]))
        self.source_cdf = cumulative(np.array([s.source_mix for s in STORES]))
        # SKU within product: flat cumulative offset by product
        w = cat.sku_weight
        starts = group_starts(cat.sku_product)
        sums = np.add.reduceat(w, starts)
        within = np.cumsum(w) - np.repeat(np.cumsum(sums) - sums, np.diff(np.append(starts, w.size)))
        frac = within / np.repeat(sums, np.diff(np.append(starts, w.size)))
        frac[np.append(starts[1:] - 1, w.size - 1)] = 1.0
        self.sku_flat = cat.sku_product + frac
        city_p = np.array(CITY_WEIGHTS)
        self.city_cdf = cumulative(city_p[None, :])
        multi = np.isin(np.array(cat.subcategory_names)[cat.subcategory], _MULTI_UNIT_SUBCATS)
        self.product_multi_unit = multi

    def sample_hour_seconds(self, rng: np.random.Generator, store: np.ndarray, kind: np.ndarray) -> np.ndarray:
        hour = sample_rows(self.hour_cdf, store * 3 + kind, rng.random(store.size))
        within = rng.random(store.size) * np.where(hour == 23, 2_400, 3_600)
        return hour * 3_600 + within.astype(np.int64)

    def sample_products(self, rng: np.random.Generator, store: np.ndarray, day: np.ndarray) -> np.ndarray:
        return sample_rows(self.product_cdf, store * self.cal.days + day, rng.random(store.size))

    def sample_skus(self, rng: np.random.Generator, product: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.sku_flat, product + rng.random(product.size), side="right")
        return np.clip(pos, 0, self.cat.n_skus - 1)

    def build(self, rng: np.random.Generator, sk: Skeleton, lo: int, hi: int,
              counters: np.ndarray) -> OrdersChunk:
        cal, cat = self.cal, self.cat
        store = sk.store[lo:hi]
        day = sk.day[lo:hi]
        n = store.size
        if n == 0:
            return empty_chunk()
        paid = sk.paid[lo:hi]
        presale = sk.presale[lo:hi]
        level = cal.level[store, day]
        end_sec = cal.days * DAY

        # times (local seconds from window start)
        # (a session needs a few minutes after midnight for its views before checkout)
        created_sod = np.maximum(self.sample_hour_seconds(rng, store, cal.hours[day]), 240)
        delay = np.minimum(10 + rng.exponential(90.0, n).astype(np.int64), 1_190)
        created = day * DAY + created_sod
        paid_at = np.where(paid, created + delay, -1)
        anchor = created.copy()
        if presale.any():
            k = int(presale.sum())
            balance = day[presale] * DAY + rng.integers(300, 7_200, k)
            deposit_sod = self.sample_hour_seconds(rng, store[presale], np.full(k, HOUR_NORMAL))
            created[presale] = sk.deposit_day[lo:hi][presale] * DAY + deposit_sod
            paid_at[presale] = balance
            anchor[presale] = np.maximum(balance - rng.integers(20, 120, k), day[presale] * DAY)

        # per-store order sequence, ordered by session time
        order = np.lexsort((anchor, store))
        store, day, paid, presale, level = store[order], day[order], paid[order], presale[order], level[order]
        created, paid_at, anchor = created[order], paid_at[order], anchor[order]
        account = sk.account[lo:hi][order]
        seq = np.empty(n, dtype=np.int64)
        for s in range(len(STORES)):
            m = store == s
            seq[m] = counters[s] + np.arange(int(m.sum()))
            counters[s] += int(m.sum())

        source = sample_rows(self.source_cdf, store, rng.random(n))
        person_city = self.people.city[self.people.acc_person[account]]
        gift = rng.random(n) < 0.05
        city = np.where(gift, sample_rows(self.city_cdf, np.zeros(n, dtype=np.int64), rng.random(n)), person_city)

        # lines
        n_lines = np.empty(n, dtype=np.int64)
        for lv, p in _LINES_P.items():
            m = level == lv
            n_lines[m] = rng.choice(4, int(m.sum()), p=p) + 1
        l_order = np.repeat(np.arange(n), n_lines)
        l_product = self.sample_products(rng, store[l_order], day[l_order])
        l_sku = self.sample_skus(rng, l_product)
        # drop repeated SKUs within an order
        key = l_order * (cat.n_skus + 1) + l_sku
        srt = np.argsort(key, kind="stable")
        dup = np.zeros(key.size, dtype=bool)
        dup[srt[1:]] = key[srt[1:]] == key[srt[:-1]]
        keep = ~dup
        l_order, l_product, l_sku = l_order[keep], l_product[keep], l_sku[keep]
        n_l = l_order.size
        l_no = rank_within(l_order) + 1
        multi = self.product_multi_unit[l_product]
        qty = np.where(multi, rng.choice(4, n_l, p=[0.5, 0.3, 0.1, 0.1]),
                       rng.choice(4, n_l, p=[0.86, 0.1, 0.03, 0.01])) + 1

        price = cat.sku_price[l_sku]
        l_level = level[l_order]
        pct = np.zeros(n_l, dtype=np.int64)
        for lv, (choices, p) in _ITEM_PCT.items():
            m = l_level == lv
            pct[m] = rng.choice(choices, int(m.sum()), p=p)
        unit = (price * (100 - pct) // 1_000) * 10
        line_goods = price * qty
        line_sub = unit * qty

        starts = group_starts(l_order)
        goods = np.add.reduceat(line_goods, starts)
        subtotal = np.add.reduceat(line_sub, starts)

        store_off = np.zeros(n, dtype=np.int64)
        for lv, (share, tiers) in _STORE_TIERS.items():
            m = (level == lv) & (rng.random(n) < share)
            off = np.zeros(n, dtype=np.int64)
            for threshold, amount in tiers:
                off = np.where(subtotal >= threshold, amount, off)
            store_off[m] = off[m]
        platform = np.zeros(n, dtype=np.int64)
        plat = np.array([s.platform for s in STORES])[store]
        big = level >= 2
        platform = np.where((plat == "tmall") & big, subtotal // 30_000 * 5_000, platform)
        platform = np.where((plat == "jd") & big, subtotal // 29_900 * 5_000, platform)
        platform = np.where((plat == "douyin") & big & (subtotal >= 19_900) & (rng.random(n) < 0.7), 2_000, platform)
        subsidy = (plat == "pdd") & (rng.random(n) < np.where(big, 0.6, 0.3))
        platform = np.where(subsidy, subtotal * 5 // 100 // 100 * 100, platform)
        order_off = store_off + platform
        amount = subtotal - order_off
        discount = goods - amount

        l_disc = prorate(order_off, line_sub, l_order, starts)
        l_paid = line_sub - l_disc

        shipping = np.zeros(n, dtype=np.int64)
        shipping = np.where((plat == "own") & (amount < 9_900), 800, shipping)
        shipping = np.where((plat == "jd") & (amount < 9_900) & (rng.random(n) < 0.6), 600, shipping)

        # fulfilment and status as of the end of the window
        shipped_at = np.where(paid, paid_at + rng.integers(6 * 3_600, 2 * DAY, n), -1)
        completed_at = np.where(paid, shipped_at + rng.integers(3 * DAY, 10 * DAY, n), -1)
        status = np.full(n, COMPLETED, dtype=np.int64)
        status = np.where(paid & (completed_at > end_sec), SHIPPED, status)
        status = np.where(paid & (shipped_at > end_sec), PAID, status)
        status = np.where(~paid, np.where(created >= end_sec - DAY, PENDING, CLOSED), status)

        return OrdersChunk(
            store=store, account=account, seq=seq, day=day, created=created, paid_at=paid_at,
            anchor=anchor, paid=paid, presale=presale, status=status, goods=goods,
            discount=discount, platform=platform, shipping=shipping, amount=amount, city=city,
            source=source, shipped_at=shipped_at, completed_at=completed_at,
            line_order=l_order, line_no=l_no, line_product=l_product, line_sku=l_sku,
            line_qty=qty, line_unit=unit, line_discount=l_disc, line_paid=l_paid,
        )


def prorate(total: np.ndarray, weight: np.ndarray, group: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Split ``total[g]`` over the items of each group in proportion to ``weight``, to the cent.

    Largest remainder: every item gets the floor of its exact share, then the cents
    left over go one each to the items with the largest remainders (ties: first item).
    Groups are contiguous runs in ``group`` (sorted); ``starts`` their first indices.
    """
    sizes = np.diff(np.append(starts, group.size))
    w_sum = np.add.reduceat(weight, starts)
    w_sum_item = np.repeat(w_sum, sizes)
    exact = total[group] * weight
    share = np.where(w_sum_item > 0, exact // np.maximum(w_sum_item, 1), 0)
    rem = np.where(w_sum_item > 0, exact % np.maximum(w_sum_item, 1), 0)
    left = total - np.add.reduceat(share, starts)
    # rank items within their group by remainder, largest first
    idx = np.arange(group.size)
    order = np.lexsort((idx, -rem, group))
    rank = np.empty(group.size, dtype=np.int64)
    rank[order] = rank_within(group[order])
    return share + (rank < left[group]).astype(np.int64)


def empty_chunk() -> OrdersChunk:
    z = np.zeros(0, dtype=np.int64)
    b = np.zeros(0, dtype=bool)
    return OrdersChunk(z, z, z, z, z, z, z, b, b, z, z, z, z, z, z, z, z, z, z,
                       z, z, z, z, z, z, z, z)
