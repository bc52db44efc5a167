"""Planted incidents: known causes of abnormal days, for evaluating shopops.insights.

``generate(..., incidents=[Incident("price_rise", "tmall", date(2025, 9, 3))])`` changes
the generated store around each incident, the way the real cause would show in the
data, and writes the truth to ``incidents.json`` next to the files:

| kind | what changes in the data |
|---|---|
| ``price_rise`` | a top product's unit prices +18 %; 70 % of its buyers walk away (orders left unpaid) |
| ``stock_out`` | a top product's SKUs show 0 on hand; 95 % of its orders are never paid |
| ``bad_reviews`` | a week of 1-star 尺码 reviews on a top product (every review written in the 6 days before and during); 75 % of its buyers walk away |
| ``competitor_cut`` | a competitor cuts the matched item's price 22 % (限时直降); 75 % of our buyers of it walk away |
| ``ad_cut`` | every ad plan of the store spends 10 % of its budget; 85 % of ad-sourced traffic and orders vanish |
| ``tracking_outage`` | the event snippet is broken 08:00–22:00: those events are missing; orders and the product traffic report are intact (only a store with an event stream, the own site / mini-program, can have one) |

"Walk away" means the order is placed but never paid (closed), so the visit is
still seen and conversion falls. The product is the store's ``rank``-th best seller
by expected sales over the 28 days before the incident (for ``competitor_cut``: among
the products a competitor lists against). With no incidents nothing here runs, and
the generator's output is byte-identical to a run without this module.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from shopops.demo.generator.orders import CLOSED, DAY, OrdersChunk
from shopops.demo.generator.spec import SOURCES, STORE_IDS, STORES, stream
from shopops.metrics.channels import has_event_stream

KINDS = ("price_rise", "stock_out", "bad_reviews", "competitor_cut", "ad_cut", "tracking_outage")
# the cause shopops.insights should name for each kind
CAUSE_OF_KIND = {
    "price_rise": "price_change", "stock_out": "stock_out", "bad_reviews": "bad_reviews",
    "competitor_cut": "competitor_price", "ad_cut": "ad_spend", "tracking_outage": "tracking_gap",
}
PRODUCT_KINDS = ("price_rise", "stock_out", "bad_reviews", "competitor_cut")
LISTED_BEFORE = 7  # days a competitor item is listed before a planted cut on it
# kinds that only a store with its own event stream (metrics.channels.has_event_stream) can show
EVENT_KINDS = ("tracking_outage",)
_LOST = {"price_rise": 0.7, "stock_out": 0.95, "bad_reviews": 0.75, "competitor_cut": 0.75}
_ADS = SOURCES.index("ads")
_PURCHASE = 4  # behaviour.PURCHASE
_BAD_REVIEW_TEXT = ("尺码偏小很多，平时穿M这次要XL，差评。", "尺码严重不准，和详情页尺码表完全不一样，退了。",
                    "码数偏小两个号，穿不上，失望。", "尺码不标准，客服说按尺码表买也不行。")


def event_stream_stores() -> tuple[str, ...]:
    """The demo stores whose channel has an event stream (the only ones a tracking outage can hit)."""
    return tuple(s.store_id for s in STORES if has_event_stream(s.platform))


@dataclass(frozen=True, slots=True)
class Incident:
    kind: str
    store_id: str
    day: dt.date  # first day
    days: int = 2
    rank: int = 0  # which best seller (0 = the top one), for product incidents

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"incident kind {self.kind!r} is unknown; expected one of {', '.join(KINDS)}")
        if self.store_id not in STORE_IDS:
            raise ValueError(f"incident store {self.store_id!r} is unknown; expected one of {', '.join(STORE_IDS)}")
        if self.days < 1:
            raise ValueError(f"incident days must be at least 1, got {self.days}")
        platform = STORES[STORE_IDS.index(self.store_id)].platform
        if self.kind in EVENT_KINDS and not has_event_stream(platform):
            raise ValueError(f"incident {self.kind} on {self.store_id!r}: a {platform} store has no event stream "
                             f"to lose (only {', '.join(event_stream_stores())} have one)")

    @classmethod
    def parse(cls, text: str) -> Incident:
        """``kind:store:YYYY-MM-DD[:days]``, e.g. ``price_rise:tmall:2025-09-03:2``."""
        parts = text.split(":")
        if len(parts) not in (3, 4):
            raise ValueError(f"incident {text!r}: expected kind:store:YYYY-MM-DD[:days]")
        return cls(parts[0], parts[1], dt.date.fromisoformat(parts[2]), int(parts[3]) if len(parts) == 4 else 2)


@dataclass(frozen=True, slots=True)
class Planted:
    incident: Incident
    store: int
    d0: int  # window day index, first
    d1: int  # last + 1
    product: int  # -1 for store-wide incidents


class IncidentPlan:
    """The incidents resolved against one generated window; hooks called by ``generate``."""

    def __init__(self, seed: int, incidents, start: dt.date, n_days: int, sales_w: np.ndarray,
                 listed: dict[int, dict[int, tuple[int, int]]]):
        self.seed = seed
        self.start = start
        self.items: list[Planted] = []
        for inc in incidents:
            d0 = (inc.day - start).days
            if d0 < 0 or d0 + inc.days > n_days:
                raise ValueError(f"incident {inc.kind} on {inc.day}: not inside the generated window "
                                 f"{start}..{start + dt.timedelta(days=n_days - 1)}")
            s = STORE_IDS.index(inc.store_id)
            product = -1
            if inc.kind in PRODUCT_KINDS:
                weights = sales_w[s, max(d0 - 28, 0):d0 + 1].sum(axis=0)
                ranked = np.argsort(-weights, kind="stable")
                if inc.kind == "competitor_cut":
                    # a product whose competitor item is listed a week before the cut (its usual price is
                    # known: the cut shows in the data) and still listed on the incident's days
                    spans = listed.get(s, {})
                    ranked = [p for p in ranked if int(p) in spans and spans[int(p)][0] <= d0 - LISTED_BEFORE
                              and spans[int(p)][1] >= d0 + inc.days - 1]
                    if not ranked:
                        raise ValueError(f"incident competitor_cut on {inc.store_id}: no competitor lists against it")
                product = int(ranked[min(inc.rank, len(ranked) - 1)])
            self.items.append(Planted(inc, s, d0, d0 + inc.days, product))

    def __bool__(self) -> bool:
        return bool(self.items)

    # -- orders ---------------------------------------------------------------------------
    def orders(self, oc: OrdersChunk, chunk: int) -> OrdersChunk:
        if not len(oc):
            return oc
        rng = stream(self.seed, "incidents", "orders", chunk)
        u = rng.random(len(oc))
        pay_day = np.where(oc.paid, oc.paid_at // DAY, oc.day)
        walk = np.zeros(len(oc), dtype=bool)
        drop = np.zeros(len(oc), dtype=bool)
        for it in self.items:
            in_window = (oc.store == it.store) & (pay_day >= it.d0) & (pay_day < it.d1) & oc.paid & ~oc.presale
            kind = it.incident.kind
            if kind in PRODUCT_KINDS:
                has = np.zeros(len(oc), dtype=bool)
                has[oc.line_order[oc.line_product == it.product]] = True
                hit = in_window & has
                walk |= hit & (u < _LOST[kind])
                if kind == "price_rise":
                    lines = (oc.line_product == it.product) & hit[oc.line_order]
                    extra = (oc.line_unit[lines] * 18 // 100 // 10) * 10  # whole 0.1 yuan
                    delta = extra * oc.line_qty[lines]
                    oc.line_unit[lines] += extra
                    oc.line_paid[lines] += delta
                    np.add.at(oc.goods, oc.line_order[lines], delta)
                    np.add.at(oc.amount, oc.line_order[lines], delta)
            elif kind == "ad_cut":
                drop |= in_window & (oc.source == _ADS) & (u < 0.85)
        if walk.any():
            oc.paid[walk] = False
            oc.paid_at[walk] = -1
            oc.shipped_at[walk] = -1
            oc.completed_at[walk] = -1
            oc.status[walk] = CLOSED
        if drop.any():
            oc = _keep_orders(oc, ~drop)
        return oc

    # -- reviews ---------------------------------------------------------------------------
    def reviews(self, rv) -> None:
        """Turn the reviews of the product written in the days before and during the wave into 1-star 尺码 ones."""
        waves = [it for it in self.items if it.incident.kind == "bad_reviews"]
        if not waves or rv.store.size == 0:
            return
        rating = rv.rating
        content = rv.content.to_pylist()
        tags = rv.tags.to_pylist()
        for it in waves:
            day = rv.created_at // DAY
            hit = np.flatnonzero((rv.store == it.store) & (rv.product == it.product)
                                 & (day >= it.d0 - 6) & (day < it.d1))
            for j, i in enumerate(hit):
                rating[i] = 1
                content[i] = _BAD_REVIEW_TEXT[j % len(_BAD_REVIEW_TEXT)]
                tags[i] = "尺码"
        rv.rating = rating
        rv.content = pa.array(content, pa.string())
        rv.tags = pa.array(tags, pa.string())

    # -- events ----------------------------------------------------------------------------
    def traffic_events(self, ev, chunk: int):
        """Ad cut: most ad-sourced browsing sessions never happen (before the platform report is built)."""
        cuts = [it for it in self.items if it.incident.kind == "ad_cut"]
        if not cuts or ev.store.size == 0:
            return ev
        day = ev.time // DAY
        key = ev.store.astype(np.int64) * (1 << 40) + ev.session
        bought = np.unique(key[ev.etype == _PURCHASE])
        drop = np.zeros(ev.store.size, dtype=bool)
        for it in cuts:
            cand = (ev.store == it.store) & (ev.source == _ADS) & (day >= it.d0) & (day < it.d1)
            cand &= ~np.isin(key, bought)
            sessions = np.unique(key[cand])
            rng = stream(self.seed, "incidents", "sessions", chunk, it.store, it.d0)
            gone = sessions[rng.random(sessions.size) < 0.85]
            drop |= cand & np.isin(key, gone)
        return _keep_events(ev, ~drop)

    def tracking_events(self, ev):
        """Tracking outage: the snippet sent nothing from 08:00 to 22:00 (after the platform report is built)."""
        outages = [it for it in self.items if it.incident.kind == "tracking_outage"]
        if not outages or ev.store.size == 0:
            return ev
        drop = np.zeros(ev.store.size, dtype=bool)
        for it in outages:
            lo, hi = it.d0 * DAY, it.d1 * DAY
            sod = ev.time % DAY
            drop |= (ev.store == it.store) & (ev.time >= lo) & (ev.time < hi) & (sod >= 8 * 3600) & (sod < 22 * 3600)
        return _keep_events(ev, ~drop)

    # -- ads, stock, competitors ---------------------------------------------------------------
    def ads(self, ads) -> None:
        for it in self.items:
            if it.incident.kind != "ad_cut":
                continue
            m = (ads.store == it.store) & (ads.day >= it.d0) & (ads.day < it.d1)
            ads.cost[m] = np.maximum(np.round(ads.cost[m] * 0.1 / 100).astype(np.int64) * 100, 100)
            for name in ("impressions", "clicks", "orders", "gmv"):
                col = getattr(ads, name)
                col[m] = np.round(col[m] * 0.1).astype(np.int64)
            reported = m & (ads.cart_adds >= 0)  # -1: the tool reports no add-to-cart
            ads.cart_adds[reported] = np.maximum(np.round(ads.cart_adds[reported] * 0.1).astype(np.int64),
                                                 ads.orders[reported])

    def stock(self, st, sku_product: np.ndarray):
        """Stock-out: the product's SKUs at 0 on hand from the day before through the incident (rows added
        for days without a snapshot, replaced where one exists)."""
        outs = [it for it in self.items if it.incident.kind == "stock_out"]
        if not outs:
            return st
        keep = np.ones(st.store.size, dtype=bool)
        add = {k: [] for k in ("store", "day", "sku", "on_hand", "in_transit")}
        for it in outs:
            skus = np.flatnonzero(sku_product == it.product)
            days = np.arange(max(it.d0 - 1, 0), it.d1)
            keep &= ~((st.store == it.store) & np.isin(st.day, days) & np.isin(st.sku, skus))
            dd, kk = np.meshgrid(days, skus, indexing="ij")
            add["store"].append(np.full(dd.size, it.store))
            add["day"].append(dd.ravel())
            add["sku"].append(kk.ravel())
            add["on_hand"].append(np.zeros(dd.size, dtype=np.int64))
            add["in_transit"].append(np.zeros(dd.size, dtype=np.int64))
        store = np.concatenate([st.store[keep], *add["store"]])
        day = np.concatenate([st.day[keep], *add["day"]])
        sku = np.concatenate([st.sku[keep], *add["sku"]])
        order = np.lexsort((sku, day, store))
        return type(st)(store=store[order], day=day[order], sku=sku[order],
                        on_hand=np.concatenate([st.on_hand[keep], *add["on_hand"]])[order],
                        in_transit=np.concatenate([st.in_transit[keep], *add["in_transit"]])[order])

    def competitors(self, comp) -> None:
        for it in self.items:
            if it.incident.kind != "competitor_cut":
                continue
            m = np.flatnonzero((comp.store == it.store) & (comp.product == it.product)
                               & (comp.day >= it.d0) & (comp.day < it.d1))
            for i in m:
                cut = int(comp.price[i] * 22 // 100 // 100) * 100
                comp.price[i] -= cut
                comp.promo[i] = f"限时直降{cut // 100}元"

    # -- truth ------------------------------------------------------------------------------
    def write_truth(self, out_dir: Path, product_ids) -> Path:
        rows = []
        for it in self.items:
            row = asdict(it.incident)
            row["day"] = it.incident.day.isoformat()
            row["last_day"] = (it.incident.day + dt.timedelta(days=it.incident.days - 1)).isoformat()
            row["cause"] = CAUSE_OF_KIND[it.incident.kind]
            row["product_id"] = str(product_ids(it.store, it.product)) if it.product >= 0 else None
            rows.append(row)
        path = out_dir / "incidents.json"
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path


def _keep_orders(oc: OrdersChunk, keep: np.ndarray) -> OrdersChunk:
    new_index = np.cumsum(keep) - 1
    line_keep = keep[oc.line_order]
    fields = {}
    for name in OrdersChunk.__dataclass_fields__:
        value = getattr(oc, name)
        if name.startswith("line_"):
            value = value[line_keep]
        else:
            value = value[keep]
        fields[name] = value
    fields["line_order"] = new_index[oc.line_order[line_keep]]
    return OrdersChunk(**fields)


def _keep_events(ev, keep: np.ndarray):
    return replace(ev, **{name: getattr(ev, name)[keep] for name in ev.__dataclass_fields__})
