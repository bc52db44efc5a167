"""The demo's campaign truth: what each big sale really added, per store.

The generator multiplies demand on purpose (``calendar.Campaign.uplift``), so it can say what a
campaign window would have sold without the campaign. This module computes that counterfactual
from the generator's **own intensities**, without generating anything else and without changing
a byte of the generated files:

* the persons and accounts are drawn exactly as ``people.build_people`` draws them (same random
  stream) and held fixed;
* **repeat orders** are a Poisson process with intensity ``rate × calendar``: a window day's
  expected repeat orders are ``Σ rate × (time alive that day) × calendar``, so the counterfactual
  swaps the calendar for the one built ``without`` the campaign (``calendar.build_calendar``);
* **first orders** of persons acquired in the window are spread over days with weights
  ``calendar ** 1.15`` normalised over the window. The generator keeps the number of persons
  fixed, so a sale *moves* acquisitions from every other day into its window. The truth measures
  the window against an ordinary day *of this same data* (the normalisation of the run that
  happened is kept), which is what any baseline method can see; the year-wide net effect of a
  sale on acquisitions is zero by construction of the generator (say so when quoting numbers);
* first orders in a **second store** (a person's second account starts ``Exp(150 days)`` after
  acquisition) do not react to the sale: same expectation in both worlds;
* a share of sessions stays unpaid (14 % on peak days, 10 % otherwise), as in ``build_people``;
* the **GMV per paid order** without the campaign (no sale discount, no extra lines) is measured
  by running the generator's own ``OrderModel`` on the counterfactual calendar over a large
  synthetic sample of orders on each window day (a separate random stream; ``samples`` per store
  and day), and likewise with the campaign for the expected GMV with it.

So ``gmv_without`` is an *expected* value (the counterfactual is never observed); the honest
incremental GMV of a campaign is the GMV the generated data actually holds in the window minus
``gmv_without`` (:func:`incremental`). ``gmv_with_expected`` is there to check the model: the
actual GMV should be close to it (Poisson noise).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from shopops.demo.generator.calendar import DemoCalendar, build_calendar, campaigns_of_year
from shopops.demo.generator.catalogue import build_catalogue, product_day_weights, store_affinity
from shopops.demo.generator.orders import _ITEM_PCT, _LINES_P, OrderModel
from shopops.demo.generator.people import People, Skeleton, build_people, draw_accounts
from shopops.demo.generator.spec import SCALES, STORES, stream

# the big sales of the generator's calendar (春节 is a dip, not a campaign)
CAMPAIGN_NAMES = ("年货节", "38节", "618", "99划算节", "双11", "双12")
SECOND_STORE_DELAY_DAYS = 150.0  # people.build_people: second account starts Exp(150) days later
ACQUISITION_POWER = 1.15  # people.build_people: acquisition weight calendar ** 1.15


@dataclass(frozen=True, slots=True)
class CampaignWindow:
    name: str
    year: int  # the calendar year the generator files it under (年货节: the year of its 春节)
    first: dt.date
    last: dt.date


@dataclass(frozen=True, slots=True)
class CampaignTruth:
    name: str
    year: int
    store_id: str
    first: dt.date
    last: dt.date
    paid_orders_with_expected: float
    paid_orders_without: float  # expected paid orders in the window had the campaign not run
    gmv_with_expected: Decimal  # yuan
    gmv_without: Decimal  # yuan: the counterfactual GMV


def campaign_windows(start: dt.date, end: dt.date) -> list[CampaignWindow]:
    """The generator's big sales lying wholly inside ``start``–``end``, by first day."""
    out = []
    for year in range(start.year - 1, end.year + 2):
        spans: dict[str, list[dt.date]] = {}
        for c in campaigns_of_year(year):
            if c.name in CAMPAIGN_NAMES:
                spans.setdefault(c.name, []).extend((c.first, c.last))
        for name, days in spans.items():
            w = CampaignWindow(name, year, min(days), max(days))
            if start <= w.first and w.last <= end:
                out.append(w)
    return sorted(out, key=lambda w: w.first)


def member_days(start: dt.date, end: dt.date) -> dict[str, list[dt.date]]:
    """The store's own recurring sale days the generator plants: the own mini-program's 会员日
    (the 18th of every month)."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return {s.store_id: [d for d in days if d.day == 18] for s in STORES if s.platform == "own"}


def _overlap_per_day(lo: np.ndarray, hi: np.ndarray, weight: np.ndarray, n_days: int) -> np.ndarray:
    """``Σ weight × |[lo, hi) ∩ [d, d+1)|`` for every day ``d`` (lo, hi fractional, within [0, n])."""
    pos = np.concatenate([lo, hi])
    w = np.concatenate([weight, -weight])
    day = np.minimum(np.floor(pos).astype(np.int64), n_days)
    frac = pos - day
    full = np.bincount(day, w, minlength=n_days + 1)
    partial = np.bincount(day, w * (1.0 - frac), minlength=n_days + 1)
    before = np.cumsum(full) - full  # events on earlier days: the whole day counts
    return (before + partial)[:n_days]


def _paid_share(cal: DemoCalendar) -> np.ndarray:
    return np.where(cal.level >= 3, 0.86, 0.9)


def campaign_truth(*, seed: int, end_date: dt.date, days: int = 365, scale: str = "small",
                   samples: int = 800, member_days_too: bool = False,
                   control_variate: bool = True) -> list[CampaignTruth]:
    """Per campaign wholly inside the window and per store: the expected paid orders and GMV
    with and without the campaign (see the module docstring for how). ``member_days_too``: also
    every 会员日 of the own shop outside a big sale (name ``会员日``), against the calendar without
    the 会员日. ``control_variate=False``: the GMV per order by plain sampling (the old, noisier
    estimate; kept to check the new one against)."""
    sc = SCALES[scale]
    start = end_date - dt.timedelta(days=days - 1)
    cal = build_calendar(start, end_date)
    n_days = cal.days
    n_stores = len(STORES)
    acc = draw_accounts(stream(seed, "people"), cal, sc)
    people, _ = build_people(seed, cal, sc)
    n = acc.home.size

    # repeat-order exposure per store and day (rate × time alive), held fixed in both worlds
    lo = np.clip(acc.a_start, 0.0, n_days)
    hi = np.maximum(np.clip(acc.a_death, 0.0, n_days), lo)
    exposure = np.stack([_overlap_per_day(lo[acc.a_store == s], hi[acc.a_store == s],
                                          acc.a_rate[acc.a_store == s], n_days) for s in range(n_stores)])
    new_home = np.bincount(acc.home[:acc.n_new], minlength=n_stores).astype(np.float64)
    norm = (cal.order_mult ** ACQUISITION_POWER).sum(axis=1)
    # second-store accounts: first order at acquired + Exp(150), if before dropping out
    sec = np.arange(n, acc.a_person.size)
    sec_acq = acc.acquired[acc.a_person[sec]]
    sec_death = acc.a_death[sec]
    sec_store = acc.a_store[sec]

    def second_firsts(day_idx: np.ndarray) -> np.ndarray:  # [S, len(day_idx)]
        a, b = day_idx[None, :].astype(np.float64), day_idx[None, :] + 1.0
        upper = np.minimum(b, sec_death[:, None]) - sec_acq[:, None]
        lower = np.maximum(a, sec_acq[:, None]) - sec_acq[:, None]
        cdf = lambda x: 1.0 - np.exp(-np.maximum(x, 0.0) / SECOND_STORE_DELAY_DAYS)  # noqa: E731
        p = np.where(upper > lower, cdf(upper) - cdf(lower), 0.0)
        return np.stack([p[sec_store == s].sum(axis=0) for s in range(n_stores)])

    def expected_orders(c: DemoCalendar, day_idx: np.ndarray, second: np.ndarray) -> np.ndarray:
        m = c.order_mult[:, day_idx]
        sessions = (exposure[:, day_idx] * m + new_home[:, None] * m ** ACQUISITION_POWER / norm[:, None]
                    + second)
        return sessions * _paid_share(c)[:, day_idx]

    cat = build_catalogue(seed, n_days)
    base_w = product_day_weights(cat, cal.month, n_days)
    sales_w = store_affinity(cat)[:, None, :] * base_w[None, :, :]
    model = OrderModel(cal, cat, people, sales_w)

    def gmv_per_order(c: DemoCalendar, day_idx: np.ndarray, key: str) -> np.ndarray:  # [S, days] cents
        m = copy.copy(model)
        m.cal = c
        return expected_amount(m, people, day_idx, stream(seed, "truth", key), samples=samples,
                               control=control_variate)

    out = []
    targets = [(w, build_calendar(start, end_date, without=(w.name, w.year))) for w in campaign_windows(start, end_date)]
    if member_days_too:
        cal_m = build_calendar(start, end_date, without_member_days=True)
        for d in member_days(start, end_date)["own"]:
            if not cal.campaign[(d - start).days]:  # a 会员日 outside a big sale and 春节
                targets.append((CampaignWindow("会员日", d.year, d, d), cal_m))
    for w, cal0 in targets:
        day_idx = np.arange((w.first - start).days, (w.last - start).days + 1)
        second = second_firsts(day_idx)
        with_orders = expected_orders(cal, day_idx, second)
        without_orders = expected_orders(cal0, day_idx, second)
        aov_with = gmv_per_order(cal, day_idx, f"{w.name}-{w.year}-with")
        aov_without = gmv_per_order(cal0, day_idx, f"{w.name}-{w.year}-without")
        for s, spec in enumerate(STORES):
            out.append(CampaignTruth(
                name=w.name, year=w.year, store_id=spec.store_id, first=w.first, last=w.last,
                paid_orders_with_expected=float(with_orders[s].sum()),
                paid_orders_without=float(without_orders[s].sum()),
                gmv_with_expected=_yuan((with_orders[s] * aov_with[s]).sum()),
                gmv_without=_yuan((without_orders[s] * aov_without[s]).sum()),
            ))
    return out


def expected_subtotal(model: OrderModel, day_idx: np.ndarray) -> np.ndarray:
    """[S, len(day_idx)] the *exact* expected subtotal (cents) of one order — Σ over its lines of
    unit price × quantity, after the item discount and before the order's 满减/platform discounts —
    on each store and day, at the day's discount level of ``model.cal``.

    By linearity over the SKUs: an order draws ``k`` lines (``_LINES_P`` of the level), each a
    product from the store-day's sampling table and a SKU within it, and keeps each SKU once, so SKU
    ``i`` (drawn with probability π) is in it with probability ``1 − (1 − π)^k``; its quantity and its
    item-discount percentage are drawn afterwards, independently of each other. The probabilities are
    read off the order model's own sampling tables (``product_cdf``, ``sku_flat``), the unit prices
    with its integer rounding — so this is the expectation of what ``OrderModel.build`` samples."""
    cal, cat = model.cal, model.cat
    n_stores = len(STORES)
    sku_prod = cat.sku_product
    within = model.sku_flat - sku_prod  # cumulative share within the product, last SKU at 1.0
    first = np.ones(sku_prod.size, dtype=bool)
    first[1:] = sku_prod[1:] != sku_prod[:-1]
    sku_p = np.where(first, within, within - np.concatenate([[0.0], within[:-1]]))
    multi = model.product_multi_unit[sku_prod]
    e_qty = np.where(multi, 1 * 0.5 + 2 * 0.3 + 3 * 0.1 + 4 * 0.1, 1 * 0.86 + 2 * 0.1 + 3 * 0.03 + 4 * 0.01)
    price = cat.sku_price
    e_unit = {lv: sum(p * ((price * (100 - pct) // 1_000) * 10) for pct, p in zip(*_ITEM_PCT[lv]))
              for lv in _ITEM_PCT}
    out = np.zeros((n_stores, day_idx.size))
    for s in range(n_stores):
        rows = model.product_cdf[s * cal.days + day_idx]  # [days, P]
        p_prod = np.diff(rows, axis=1, prepend=0.0)
        pi = p_prod[:, sku_prod] * sku_p[None, :]  # [days, SKUs]
        for j, d in enumerate(day_idx):
            lv = int(cal.level[s, d])
            value = e_unit[lv] * e_qty
            out[s, j] = sum(pk * float(((1.0 - (1.0 - pi[j]) ** k) * value).sum())
                            for k, pk in enumerate(_LINES_P[lv], start=1))
    return out


def expected_amount(model: OrderModel, people: People, day_idx: np.ndarray, rng: np.random.Generator, *,
                    samples: int, control: bool = True) -> np.ndarray:
    """[S, len(day_idx)] the expected paid amount (cents) of one paid order of each store and day.

    ``samples`` synthetic orders per store and day run through the generator's own ``OrderModel``;
    with ``control`` the exact expected subtotal (:func:`expected_subtotal`) is the control variate:
    amount = subtotal − order discounts, the subtotal carries nearly all of the amount's variance
    and its expectation is known, so only the (small, bounded) order discounts are left to sampling
    noise — ``mean(amount) − β (mean(subtotal) − E[subtotal])`` with β the within-day regression
    slope of amount on subtotal per store. Without ``control``: the plain sample mean."""
    n_stores = len(STORES)
    n_days = model.cal.days
    k = samples
    store = np.repeat(np.arange(n_stores), day_idx.size * k)
    day = np.tile(np.repeat(day_idx, k), n_stores)
    lo_acc, hi_acc = people.store_offsets[store], people.store_offsets[store + 1]
    account = lo_acc + (rng.random(store.size) * np.maximum(hi_acc - lo_acc, 1)).astype(np.int64)
    order = np.argsort(day, kind="stable")
    sk = Skeleton(day=day[order], store=store[order], account=account[order],
                  paid=np.ones(store.size, dtype=bool), presale=np.zeros(store.size, dtype=bool),
                  deposit_day=day[order])
    oc = model.build(rng, sk, 0, store.size, np.zeros(n_stores, dtype=np.int64))
    amount = oc.amount.astype(np.float64)
    cell = oc.store * n_days + oc.day
    size = n_stores * n_days

    def cell_mean(x: np.ndarray) -> np.ndarray:
        return (np.bincount(cell, x, minlength=size) / k).reshape(n_stores, n_days)[:, day_idx]

    mean_amount = cell_mean(amount)
    if not control:
        return mean_amount
    subtotal = np.bincount(oc.line_order, (oc.line_unit * oc.line_qty).astype(np.float64), minlength=oc.store.size)
    mean_sub = cell_mean(subtotal)
    full_mean_sub = np.zeros((n_stores, n_days))
    full_mean_sub[:, day_idx] = mean_sub
    full_mean_amount = np.zeros((n_stores, n_days))
    full_mean_amount[:, day_idx] = mean_amount
    dx = subtotal - full_mean_sub[oc.store, oc.day]
    dy = amount - full_mean_amount[oc.store, oc.day]
    sxy = np.bincount(oc.store, dx * dy, minlength=n_stores)
    sxx = np.bincount(oc.store, dx * dx, minlength=n_stores)
    beta = np.divide(sxy, sxx, out=np.ones(n_stores), where=sxx > 0)
    return mean_amount - beta[:, None] * (mean_sub - expected_subtotal(model, day_idx))


def _yuan(cents: float) -> Decimal:
    return (Decimal(str(round(float(cents)))) / 100).quantize(Decimal("0.01"))


def incremental(truth: CampaignTruth, actual_gmv: Decimal) -> Decimal:
    """The campaign's true incremental GMV: what the window actually sold minus the counterfactual."""
    return actual_gmv - truth.gmv_without


@dataclass(frozen=True)
class DailySales:
    """Paid GMV and paid orders per store and day of a generated window, straight from the
    generator's order model (no files written): what the 复盘's accuracy is measured on."""

    start: dt.date
    gmv: np.ndarray  # [S, D] yuan, by payment day (store time)
    orders: np.ndarray  # [S, D] paid orders
    units: np.ndarray | None = None  # [S, D, P] units of paid lines per product (``by_product=True``)
    item_gmv: np.ndarray | None = None  # [S, D, P] yuan paid for those lines (the warehouse's item GMV)
    new_buyers: np.ndarray | None = None  # [S, D] buyers whose first paid order in the store is that day
    new_gmv: np.ndarray | None = None  # [S, D] yuan of those first paid orders (the warehouse's customer_type new)

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.gmv.shape[1])]


def daily_sales(*, seed: int, end_date: dt.date, days: int = 365, scale: str = "small",
                by_product: bool = False) -> DailySales:
    """The daily paid GMV the files of ``generate(seed=, days=, scale=, end_date=)`` (without
    incidents) hold, computed by running only the people and order models on the same random
    streams — the events, reviews, refunds and CSV writing are skipped (~10× faster).
    ``by_product``: also the units and item GMV of the paid lines per store, day and product (the
    warehouse's ``units_sold`` / ``item_gmv`` by product: the product mix the 复盘 reads)."""
    from shopops.demo.generator import _months
    from shopops.demo.generator.orders import DAY

    sc = SCALES[scale]
    start = end_date - dt.timedelta(days=days - 1)
    cal = build_calendar(start, end_date)
    cat = build_catalogue(seed, cal.days)
    people, skeleton = build_people(seed, cal, sc)
    base_w = product_day_weights(cat, cal.month, cal.days)
    model = OrderModel(cal, cat, people, store_affinity(cat)[:, None, :] * base_w[None, :, :])
    n_stores = len(STORES)
    gmv = np.zeros((n_stores, cal.days))
    orders = np.zeros((n_stores, cal.days))
    order_seq = np.zeros(n_stores, dtype=np.int64)
    shape = (n_stores, cal.days, cat.n_products)
    units = np.zeros(shape) if by_product else None
    item_gmv = np.zeros(shape) if by_product else None
    paid_parts: list[tuple[np.ndarray, ...]] = []
    for i, (d0, d1) in enumerate(_months(start, cal.days)):
        lo, hi = (int(b) for b in np.searchsorted(skeleton.day, [d0, d1]))
        oc = model.build(stream(seed, "orders", i), skeleton, lo, hi, order_seq)
        paid = oc.paid & (oc.paid_at >= 0)
        day = oc.paid_at[paid] // DAY
        keep = (day >= 0) & (day < cal.days)
        np.add.at(gmv, (oc.store[paid][keep], day[keep]), oc.amount[paid][keep] / 100.0)
        np.add.at(orders, (oc.store[paid][keep], day[keep]), 1.0)
        paid_parts.append((oc.account[paid][keep], oc.paid_at[paid][keep], oc.store[paid][keep], day[keep],
                           oc.amount[paid][keep] / 100.0))
        if by_product:
            ok = paid & (oc.paid_at >= 0) & (oc.paid_at // DAY < cal.days)
            line = ok[oc.line_order]
            at = (oc.store[oc.line_order][line], (oc.paid_at // DAY)[oc.line_order][line], oc.line_product[line])
            np.add.at(units, at, oc.line_qty[line])
            np.add.at(item_gmv, at, oc.line_paid[line] / 100.0)
    # a buyer's first paid order in the store (an account is one customer of one store)
    acc, at, st, dy, amt = (np.concatenate(x) for x in zip(*paid_parts))
    order = np.lexsort((at, acc))
    first = order[np.r_[True, acc[order][1:] != acc[order][:-1]]] if order.size else order
    new_buyers = np.zeros((n_stores, cal.days))
    new_gmv = np.zeros((n_stores, cal.days))
    np.add.at(new_buyers, (st[first], dy[first]), 1.0)
    np.add.at(new_gmv, (st[first], dy[first]), amt[first])
    return DailySales(start=start, gmv=gmv, orders=orders, units=units, item_gmv=item_gmv, new_buyers=new_buyers,
                      new_gmv=new_gmv)
