"""Behaviour events (the funnel) and the daily traffic report derived from them.

Every order has a buying session: maybe the home page, a few product views, for each
line a product view and an add-to-cart, the checkout, and — when paid — one purchase
event per line at the payment time, by a logged-in visitor whose customer id is the
buyer. Around them are browsing sessions that do not buy (most of the traffic),
landing on the home page or straight on a product, some adding to cart, a few
reaching checkout. Sources follow each platform (Douyin: live and feed; Tmall:
search; own mini-program: social and direct).

``traffic_daily`` (生意参谋-style, per store × day × product × source) is aggregated
from exactly these events, so the two always agree; so is ``shop_traffic_daily``, the
platform store's whole-store daily report (访客 → 加购 → 下单 → 支付, per store × day),
which the generator writes for the platform stores only: a platform gives its stores
reports, the event stream stands for the platform's own tracking behind them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopops.demo.generator.calendar import DemoCalendar
from shopops.demo.generator.orders import DAY, OrderModel, OrdersChunk
from shopops.demo.generator.people import People
from shopops.demo.generator.spec import (
    SOURCE_CONVERSION, SOURCE_HOME_PROB, STORES, cumulative, group_starts, sample_rows, unique_sorted,
)

EVENT_TYPES = ("page_view", "product_view", "add_to_cart", "checkout", "purchase")
PAGE_OF_TYPE = ("home", "product", "product", "checkout", "checkout")
PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, CHECKOUT, PURCHASE = range(5)
ACCOUNT_VISITOR_BASE = 100_000_000_000  # visitor numbers of logged-in accounts start here
LOGGED_IN_BROWSE_SHARE = 0.12


@dataclass
class EventsChunk:
    store: np.ndarray
    seq: np.ndarray  # per-store event number
    session: np.ndarray  # per-store session number
    visitor: np.ndarray  # visitor number (accounts: ACCOUNT_VISITOR_BASE + local index)
    account: np.ndarray  # -1 when anonymous
    etype: np.ndarray
    product: np.ndarray  # -1 when none
    source: np.ndarray
    time: np.ndarray  # local seconds from window start


@dataclass
class TrafficChunk:
    store: np.ndarray
    day: np.ndarray
    product: np.ndarray
    source: np.ndarray
    visitors: np.ndarray
    page_views: np.ndarray
    add_to_cart_users: np.ndarray
    buyers: np.ndarray
    paid: np.ndarray  # cents


@dataclass
class ShopTrafficChunk:
    store: np.ndarray
    day: np.ndarray
    visitors: np.ndarray
    page_views: np.ndarray
    add_to_cart_users: np.ndarray
    order_buyers: np.ndarray
    buyers: np.ndarray
    paid: np.ndarray  # cents


class BehaviourModel:
    def __init__(self, cal: DemoCalendar, model: OrderModel, people: People,
                 expected_orders_per_day: np.ndarray, sessions_per_order: float,
                 browse_weights: np.ndarray):
        self.cal, self.model, self.people = cal, model, people
        self.sessions = expected_orders_per_day[:, None] * cal.traffic_mult * sessions_per_order  # [S, D]
        mix = np.array([s.source_mix for s in STORES]) / SOURCE_CONVERSION[None, :]
        self.browse_source_cdf = cumulative(mix)
        n_stores = len(STORES)
        self.browse_cdf = cumulative(browse_weights.reshape(n_stores * cal.days, -1))
        self.pool = np.maximum((self.sessions.sum(axis=1) * 0.7).astype(np.int64), 10)

    def _browse_products(self, rng, store, day):
        return sample_rows(self.browse_cdf, store * self.cal.days + day, rng.random(store.size))

    def build(self, rng: np.random.Generator, oc: OrdersChunk, d0: int, d1: int,
              counters: np.ndarray) -> EventsChunk:
        cal, people = self.cal, self.people
        parts: list[dict[str, np.ndarray]] = []

        # --- buying sessions (one per order) -----------------------------------------
        n = len(oc)
        if n:
            src = oc.source
            sess = np.arange(n)
            home = rng.random(n) < SOURCE_HOME_PROB[src]
            extra = rng.poisson(0.7, n)
            n_lines = np.bincount(oc.line_order, minlength=n)
            pre = home.astype(np.int64) + extra + 2 * n_lines  # events before checkout
            gap = rng.integers(20, 90, n)
            # pre-checkout events, in order: home, extra views, (view, add) per line
            e_sess = np.repeat(sess, pre)
            pos = np.arange(e_sess.size) - np.repeat(np.cumsum(pre) - pre, pre)
            is_home = home[e_sess] & (pos == 0)
            k = pos - home[e_sess]  # index after home
            is_extra = (~is_home) & (k < extra[e_sess])
            j = k - extra[e_sess]  # index inside the line block
            line_start = np.cumsum(n_lines) - n_lines
            line_idx = line_start[e_sess] + np.maximum(j, 0) // 2
            etype = np.where(is_home, PAGE_VIEW, np.where(is_extra, PRODUCT_VIEW,
                             np.where(j % 2 == 0, PRODUCT_VIEW, ADD_TO_CART)))
            product = np.full(e_sess.size, -1, dtype=np.int64)
            lp = ~is_home & ~is_extra
            product[lp] = oc.line_product[line_idx[lp]]
            if is_extra.any():
                product[is_extra] = self._browse_products(rng, oc.store[e_sess[is_extra]], oc.day[e_sess[is_extra]])
            day_start = oc.day * DAY
            t = oc.anchor[e_sess] - (pre[e_sess] - pos) * gap[e_sess] - rng.integers(0, 15, e_sess.size)
            t = np.maximum(t, day_start[e_sess] + pos)
            parts.append(dict(sess=e_sess, etype=etype, product=product, time=t))
            # checkout
            parts.append(dict(sess=sess, etype=np.full(n, CHECKOUT), product=np.full(n, -1),
                              time=oc.anchor))
            # purchases, one per line, at payment
            paid_line = oc.paid[oc.line_order]
            lo = oc.line_order[paid_line]
            parts.append(dict(sess=lo, etype=np.full(lo.size, PURCHASE), product=oc.line_product[paid_line],
                              time=oc.paid_at[lo]))
            b_store, b_src, b_day = oc.store, src, oc.day
            b_account = oc.account
            b_visitor = ACCOUNT_VISITOR_BASE + people.local_index(oc.account)
        else:
            b_store = b_src = b_day = b_account = b_visitor = np.zeros(0, dtype=np.int64)

        # --- browsing sessions -----------------------------------------------------------
        lam = self.sessions[:, d0:d1]
        counts = rng.poisson(lam)
        cell = np.repeat(np.arange(counts.size), counts.ravel())
        w_store = cell // (d1 - d0)
        w_day = d0 + cell % (d1 - d0)
        m = w_store.size
        w_src = sample_rows(self.browse_source_cdf, w_store, rng.random(m))
        logged = rng.random(m) < LOGGED_IN_BROWSE_SHARE
        w_account = np.full(m, -1, dtype=np.int64)
        if logged.any():
            for s in range(len(STORES)):
                sel = np.flatnonzero(logged & (w_store == s))
                lo_a, hi_a = people.store_offsets[s], people.store_offsets[s + 1]
                known = np.searchsorted(people.acc_first_day[lo_a:hi_a], w_day[sel], side="right")
                ok = known > 0
                pick = (rng.random(sel.size) * np.maximum(known, 1)).astype(np.int64)
                w_account[sel[ok]] = lo_a + pick[ok]
        anon = w_account < 0
        pool = self.pool[w_store]
        w_visitor = np.where(anon, (pool * rng.random(m) ** 1.3).astype(np.int64),
                             ACCOUNT_VISITOR_BASE + people.local_index(np.maximum(w_account, 0)))
        home = rng.random(m) < SOURCE_HOME_PROB[w_src]
        bounce = home & (rng.random(m) < 0.35)
        n_pv = np.where(home, np.where(bounce, 0, 1 + rng.poisson(0.6, m)), 1 + rng.poisson(0.45, m))
        p_atc = 0.055 * cal.add_to_cart_mult[w_day] * (1 + 0.3 * np.maximum(n_pv - 1, 0))
        atc = (n_pv > 0) & (rng.random(m) < p_atc)
        chk = atc & (rng.random(m) < 0.15)
        n_ev = home + n_pv + atc + chk
        hour_kind = cal.hours[w_day]
        t0 = w_day * DAY + np.minimum(self.model.sample_hour_seconds(rng, w_store, hour_kind), DAY - 1_200)
        gap = rng.integers(15, 80, m)
        ws = np.arange(m) + n  # session numbers after the buying sessions
        e_s = np.repeat(np.arange(m), n_ev)
        pos = np.arange(e_s.size) - np.repeat(np.cumsum(n_ev) - n_ev, n_ev)
        hm = home[e_s]
        k = pos - hm
        etype = np.where(hm & (pos == 0), PAGE_VIEW,
                         np.where(k < n_pv[e_s], PRODUCT_VIEW,
                                  np.where(k == n_pv[e_s], ADD_TO_CART, CHECKOUT)))
        product = np.full(e_s.size, -1, dtype=np.int64)
        pv = etype == PRODUCT_VIEW
        product[pv] = self._browse_products(rng, w_store[e_s[pv]], w_day[e_s[pv]])
        # add to cart: the first product viewed in the session
        first_pv = np.full(m, -1, dtype=np.int64)
        pv_idx = np.flatnonzero(pv)
        first_of = pv_idx[(pos[pv_idx] - hm[pv_idx]) == 0]
        first_pv[e_s[first_of]] = product[first_of]
        ad = etype == ADD_TO_CART
        product[ad] = first_pv[e_s[ad]]
        t = t0[e_s] + pos * gap[e_s] + rng.integers(0, 10, e_s.size)
        parts.append(dict(sess=ws[e_s], etype=etype, product=product, time=t))

        # --- assemble, number sessions and events per store ------------------------------
        sess = np.concatenate([p["sess"] for p in parts])
        etype = np.concatenate([p["etype"] for p in parts]).astype(np.int64)
        product = np.concatenate([p["product"] for p in parts]).astype(np.int64)
        time = np.concatenate([p["time"] for p in parts]).astype(np.int64)
        s_store = np.concatenate([b_store, w_store])
        s_src = np.concatenate([b_src, w_src])
        s_account = np.concatenate([b_account, w_account])
        s_visitor = np.concatenate([b_visitor, w_visitor])
        s_start = np.concatenate([oc.anchor if n else np.zeros(0, dtype=np.int64), t0])
        del b_day

        # sessions numbered per store by start time
        s_order = np.lexsort((np.arange(s_store.size), s_start, s_store))
        s_num = np.empty(s_store.size, dtype=np.int64)
        s_rank = np.empty(s_store.size, dtype=np.int64)
        s_rank[s_order] = np.arange(s_store.size)
        sorted_store = s_store[s_order]
        store_first = np.searchsorted(sorted_store, np.arange(len(STORES)))
        s_num = s_rank - store_first[s_store]
        ev_store = s_store[sess]
        e_order = np.lexsort((etype, s_rank[sess], time, ev_store))
        sess, etype, product, time, ev_store = sess[e_order], etype[e_order], product[e_order], time[e_order], ev_store[e_order]
        ev_first = np.searchsorted(ev_store, np.arange(len(STORES)))
        e_seq = np.arange(sess.size) - ev_first[ev_store]
        n_sess_store = np.bincount(s_store, minlength=len(STORES))
        n_ev_store = np.bincount(ev_store, minlength=len(STORES))
        out = EventsChunk(
            store=ev_store, seq=counters[1][ev_store] + e_seq, session=counters[0][ev_store] + s_num[sess],
            visitor=s_visitor[sess], account=s_account[sess], etype=etype, product=product,
            source=s_src[sess], time=time,
        )
        counters[0] += n_sess_store
        counters[1] += n_ev_store
        return out


class _DistinctCounts:
    """Counts per group key (int64): distinct visitors among the rows a mask keeps, and sums
    of values laid onto the groups that have any row at all (``groups``, sorted)."""

    SHIFT = np.int64(1) << np.int64(40)

    def __init__(self, group: np.ndarray, visitor: np.ndarray) -> None:
        self.group, self.visitor = group, visitor
        self.groups, self.visitors = self.distinct(np.ones(group.size, dtype=bool))

    def distinct(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pairs = unique_sorted(self.group[mask] * self.SHIFT + self.visitor[mask])
        g = pairs >> np.int64(40)
        starts = group_starts(g)
        return g[starts], np.diff(np.append(starts, g.size))

    def on_groups(self, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.groups.size, dtype=np.int64)
        if keys.size:
            np.add.at(out, np.searchsorted(self.groups, keys), values)
        return out

    def rows_per_group(self, keys: np.ndarray) -> np.ndarray:
        """How many of ``keys`` (rows, not distinct visitors) fall on each group."""
        keys = np.sort(keys)
        starts = group_starts(keys)
        return self.on_groups(keys[starts], np.diff(np.append(starts, keys.size)))


def traffic_from_events(ev: EventsChunk, oc: OrdersChunk, d0: int, n_products: int) -> TrafficChunk:
    """Per store × day × product × source: the 生意参谋 numbers, from the events themselves."""
    has_p = ev.product >= 0
    day = ev.time[has_p] // DAY
    group = ((ev.store[has_p] * 64 + (day - d0)) * n_products + ev.product[has_p]) * 8 + ev.source[has_p]
    visitor = ev.visitor[has_p]
    etype = ev.etype[has_p]
    counts = _DistinctCounts(group, visitor)
    groups, visitors = counts.groups, counts.visitors
    page_views = counts.rows_per_group(group[etype == PRODUCT_VIEW])
    add_to_cart = counts.on_groups(*counts.distinct(etype == ADD_TO_CART))
    buyers = counts.on_groups(*counts.distinct(etype == PURCHASE))
    paid = np.zeros(groups.size, dtype=np.int64)
    if len(oc):
        pl = oc.paid[oc.line_order]
        o = oc.line_order[pl]
        lg = ((oc.store[o] * 64 + (oc.paid_at[o] // DAY - d0)) * n_products + oc.line_product[pl]) * 8 + oc.source[o]
        paid = counts.on_groups(lg, oc.line_paid[pl])
    source = groups % 8
    rest = groups // 8
    product = rest % n_products
    rest = rest // n_products
    return TrafficChunk(store=rest // 64, day=d0 + rest % 64, product=product, source=source,
                        visitors=visitors, page_views=page_views, add_to_cart_users=add_to_cart,
                        buyers=buyers, paid=paid)


def shop_traffic_from_events(ev: EventsChunk, oc: OrdersChunk, d0: int) -> ShopTrafficChunk:
    """Per store × day: the whole-store report (访客数 de-duplicated within the day, 浏览量,
    加购人数, 下单买家数 = visitors who reached checkout, 支付买家数, 支付金额), from the events."""
    group = ev.store.astype(np.int64) * 64 + (ev.time // DAY - d0)
    counts = _DistinctCounts(group, ev.visitor)
    groups, visitors = counts.groups, counts.visitors
    page_views = counts.rows_per_group(group[(ev.etype == PAGE_VIEW) | (ev.etype == PRODUCT_VIEW)])
    paid = np.zeros(groups.size, dtype=np.int64)
    if len(oc):
        pl = oc.paid[oc.line_order]
        o = oc.line_order[pl]
        keys = oc.store[o].astype(np.int64) * 64 + (oc.paid_at[o] // DAY - d0)
        inside = np.isin(keys, groups)
        paid = counts.on_groups(keys[inside], oc.line_paid[pl][inside])
    return ShopTrafficChunk(store=groups // 64, day=d0 + groups % 64, visitors=visitors, page_views=page_views,
                            add_to_cart_users=counts.on_groups(*counts.distinct(ev.etype == ADD_TO_CART)),
                            order_buyers=counts.on_groups(*counts.distinct(ev.etype == CHECKOUT)),
                            buyers=counts.on_groups(*counts.distinct(ev.etype == PURCHASE)), paid=paid)
