"""From generated arrays to profile columns, one store at a time."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from shopops.demo.generator import ids
from shopops.demo.generator.aftersale import REASONS, REFUND_STATUS, RefundsChunk, ReviewsChunk
from shopops.demo.generator.behaviour import EVENT_TYPES, PAGE_OF_TYPE, EventsChunk, TrafficChunk
from shopops.demo.generator.catalogue import Catalogue
from shopops.demo.generator.csv_out import Formatter, PartWriter, boolean, integer, labels, money, text
from shopops.demo.generator.market import AdRows, CompetitorRows
from shopops.demo.generator.orders import STATUS_CODES, OrdersChunk
from shopops.demo.generator.people import People
from shopops.demo.generator.regions import CITY_NAMES, CITY_PROVINCE, PROVINCE_NAMES
from shopops.demo.generator.spec import BRAND, SOURCES, STORES
from shopops.demo.generator.stock import StockRows


_CITY_PROVINCE = np.array(CITY_PROVINCE)


def store_slices(store: np.ndarray):
    """(store index, slice) for each store, over an array sorted by store."""
    bounds = np.searchsorted(store, np.arange(len(STORES) + 1))
    for s in range(len(STORES)):
        yield s, slice(int(bounds[s]), int(bounds[s + 1]))


class TableWriter:
    def __init__(self, fmt: Formatter, cat: Catalogue, people: People, n_days: int):
        self.fmt, self.cat, self.people, self.n_days = fmt, cat, people, n_days
        self.product_ids = [integer(p) for p in cat.product_ids]
        self.sku_ids = [integer(k) for k in cat.sku_ids]
        self.customer_ids = []
        for s in range(len(STORES)):
            lo, hi = people.store_offsets[s], people.store_offsets[s + 1]
            self.customer_ids.append(ids.customer_ids(s, np.arange(hi - lo)))
        self.review_seq = np.zeros(len(STORES), dtype=np.int64)
        self.refund_seq = np.zeros(len(STORES), dtype=np.int64)

    def _pid(self, s: int, product: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        p = np.asarray(product, dtype=np.int64)
        if valid is None:
            return self.product_ids[s].take(pa.array(p))
        return self.product_ids[s].take(pa.array(np.where(valid, p, 0), mask=~np.asarray(valid, dtype=bool)))

    def _cid(self, s: int, account: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        local = np.asarray(account, dtype=np.int64) - self.people.store_offsets[s]
        if valid is None:
            return self.customer_ids[s].take(pa.array(local))
        return self.customer_ids[s].take(pa.array(np.where(valid, local, 0), mask=~np.asarray(valid, dtype=bool)))

    # --- dimension-like tables ------------------------------------------------------
    def products(self, w: PartWriter, s: int) -> None:
        cat = self.cat
        off = cat.offshelf_day < self.n_days
        status = w.profile.status_label
        w.write({
            "product_id": self.product_ids[s],
            "title": text(cat.title),
            "category": labels(cat.category_names, cat.category),
            "subcategory": labels(cat.subcategory_names, cat.subcategory),
            "brand": labels((BRAND,), np.zeros(cat.n_products, dtype=np.int64)),
            "list_price": money(cat.list_price),
            "launched_on": self.fmt.date(cat.launch_day),
            "status": labels((status["on_sale"], status["off_shelf"]), off.astype(np.int64)),
        }, cat.n_products)

    def skus(self, w: PartWriter, s: int) -> None:
        cat = self.cat
        w.write({
            "sku_id": self.sku_ids[s],
            "product_id": self._pid(s, cat.sku_product),
            "spec": text(cat.sku_spec),
            "merchant_code": text(cat.sku_merchant),
            "price": money(cat.sku_price),
            "cost": money(cat.sku_cost),
        }, cat.n_skus)

    def customers(self, w: PartWriter, s: int) -> None:
        ppl = self.people
        lo, hi = int(ppl.store_offsets[s]), int(ppl.store_offsets[s + 1])
        person = ppl.acc_person[lo:hi]
        status = w.profile.status_label
        w.write({
            "customer_id": self.customer_ids[s],
            "phone": integer(ppl.phone[person]),
            "first_seen_at": self.fmt.datetime(ppl.acc_first_seen[lo:hi]),
            "province": labels(PROVINCE_NAMES, ppl.province[person]),
            "city": labels(CITY_NAMES, ppl.city[person]),
            "gender": labels((status["f"], status["m"], status[""]), ppl.gender[person]),
            "member_level": pa.array(ppl.member_level(s), pa.string()),
        }, hi - lo)

    # --- facts ----------------------------------------------------------------------------
    def order_ids(self, oc: OrdersChunk) -> list[pa.Array]:
        """Order ids of a chunk, one array per store (aligned with the store's slice)."""
        out = []
        for s, sl in store_slices(oc.store):
            created_date = self.fmt.date(oc.created[sl] // 86_400)
            out.append(ids.order_ids(s, oc.seq[sl], created_date))
        return out

    def orders(self, w: PartWriter, s: int, sl: slice, oc: OrdersChunk, oid: pa.Array) -> None:
        n = sl.stop - sl.start
        paid = oc.paid[sl]
        city = oc.city[sl]
        status = w.profile.status_label
        w.write({
            "order_id": oid,
            "customer_id": self._cid(s, oc.account[sl]),
            "status": labels([status[c] for c in STATUS_CODES], oc.status[sl]),
            "created_at": self.fmt.datetime(oc.created[sl]),
            "paid_at": self.fmt.datetime(oc.paid_at[sl], paid),
            "goods_amount": money(oc.goods[sl]),
            "discount_amount": money(oc.discount[sl]),
            "platform_discount": money(oc.platform[sl]),
            "shipping_fee": money(oc.shipping[sl]),
            "paid_amount": money(oc.amount[sl]),
            "province": labels(PROVINCE_NAMES, _CITY_PROVINCE[city]),
            "city": labels(CITY_NAMES, city),
            "traffic_source": labels(SOURCES, oc.source[sl]),
            "is_presale": boolean(oc.presale[sl]),
        }, n)

    def order_lines(self, w: PartWriter, s: int, sl: slice, oc: OrdersChunk, oid: pa.Array) -> None:
        lines = np.flatnonzero((oc.line_order >= sl.start) & (oc.line_order < sl.stop))
        o = oc.line_order[lines]
        paid = oc.paid[o]
        w.write({
            "order_id": oid.take(pa.array(o - sl.start)),
            "line_no": integer(oc.line_no[lines]),
            "product_id": self._pid(s, oc.line_product[lines]),
            "sku_id": self.sku_ids[s].take(pa.array(oc.line_sku[lines])),
            "quantity": integer(oc.line_qty[lines]),
            "unit_price": money(oc.line_unit[lines]),
            "discount_amount": money(oc.line_discount[lines]),
            "paid_amount": money(oc.line_paid[lines]),
            "paid_at": self.fmt.datetime(oc.paid_at[o], paid),
        }, lines.size)

    def refunds(self, w: PartWriter, s: int, rf: RefundsChunk, oc: OrdersChunk, order_slices, oids) -> None:
        m = np.flatnonzero(rf.store == s)
        n = m.size
        seq = self.refund_seq[s] + np.arange(n)
        self.refund_seq[s] += n
        sl = order_slices[s]
        status = w.profile.status_label
        done = rf.refunded_at[m] >= 0
        w.write({
            "refund_id": ids.refund_ids(s, seq),
            "order_id": oids[s].take(pa.array(rf.order[m] - sl.start)),
            "line_no": integer(rf.line_no[m], rf.line_no[m] > 0),
            "requested_at": self.fmt.datetime(rf.requested_at[m]),
            "refunded_at": self.fmt.datetime(rf.refunded_at[m], done),
            "amount": money(rf.amount[m]),
            "quantity": integer(rf.quantity[m]),
            "status": labels([status[c] for c in REFUND_STATUS], rf.status[m]),
            "reason": labels(REASONS, rf.reason[m]),
            "with_return": boolean(rf.with_return[m]),
        }, n)

    def reviews(self, w: PartWriter, s: int, rv: ReviewsChunk, order_slices, oids) -> None:
        m = np.flatnonzero(rv.store == s)
        n = m.size
        seq = self.review_seq[s] + np.arange(n)
        self.review_seq[s] += n
        take = pa.array(m)
        w.write({
            "review_id": ids.review_ids(s, seq),
            "order_id": oids[s].take(pa.array(rv.order[m] - order_slices[s].start)),
            "product_id": self._pid(s, rv.product[m]),
            "sku_id": self.sku_ids[s].take(pa.array(rv.sku[m])),
            "customer_id": self._cid(s, rv.account[m]),
            "created_at": self.fmt.datetime(rv.created_at[m]),
            "rating": integer(rv.rating[m]),
            "content": text(rv.content.take(take)),
            "tags": text(rv.tags.take(take)),
        }, n)

    def events(self, w: PartWriter, s: int, sl: slice, ev: EventsChunk) -> None:
        n = sl.stop - sl.start
        acc = ev.account[sl]
        logged = acc >= 0
        product = ev.product[sl]
        has_p = product >= 0
        etype = ev.etype[sl]
        w.write({
            "event_id": ids.event_ids(s, ev.seq[sl]),
            "visitor_id": ids.visitor_ids(s, ev.visitor[sl]),
            "customer_id": self._cid(s, np.where(logged, acc, self.people.store_offsets[s]), logged),
            "session_id": ids.session_ids(s, ev.session[sl]),
            "event_type": labels(EVENT_TYPES, etype),
            "page": labels(PAGE_OF_TYPE, etype),
            "product_id": self._pid(s, product, has_p),
            "traffic_source": labels(SOURCES, ev.source[sl]),
            "occurred_at": self.fmt.datetime(ev.time[sl]),
        }, n)

    def traffic(self, w: PartWriter, s: int, sl: slice, tr: TrafficChunk) -> None:
        w.write({
            "date": self.fmt.date(tr.day[sl]),
            "product_id": self._pid(s, tr.product[sl]),
            "traffic_source": labels(SOURCES, tr.source[sl]),
            "visitors": integer(tr.visitors[sl]),
            "page_views": integer(tr.page_views[sl]),
            "add_to_cart_users": integer(tr.add_to_cart_users[sl]),
            "buyers": integer(tr.buyers[sl]),
            "paid_amount": money(tr.paid[sl]),
        }, sl.stop - sl.start)

    def shop_traffic(self, w: PartWriter, s: int, sl: slice, sh) -> None:
        w.write({
            "date": self.fmt.date(sh.day[sl]),
            "visitors": integer(sh.visitors[sl]),
            "page_views": integer(sh.page_views[sl]),
            "add_to_cart_users": integer(sh.add_to_cart_users[sl]),
            "order_buyers": integer(sh.order_buyers[sl]),
            "buyers": integer(sh.buyers[sl]),
            "paid_amount": money(sh.paid[sl]),
        }, sl.stop - sl.start)

    def ads(self, w: PartWriter, s: int, sl: slice, ad: AdRows) -> None:
        w.write({
            "date": self.fmt.date(ad.day[sl]),
            "ad_tool": pa.array(ad.tool[sl], pa.string()),
            "plan_id": integer(ad.plan_id[sl]),
            "plan_name": text(ad.plan_name[sl]),
            "impressions": integer(ad.impressions[sl]),
            "clicks": integer(ad.clicks[sl]),
            "cost": money(ad.cost[sl]),
            "attributed_orders": integer(ad.orders[sl]),
            "attributed_gmv": money(ad.gmv[sl]),
            "attributed_cart_adds": integer(ad.cart_adds[sl], ad.cart_adds[sl] >= 0),
        }, sl.stop - sl.start)

    def stock(self, w: PartWriter, s: int, sl: slice, st: StockRows) -> None:
        w.write({
            "date": self.fmt.date(st.day[sl]),
            "sku_id": self.sku_ids[s].take(pa.array(st.sku[sl])),
            "on_hand": integer(st.on_hand[sl]),
            "in_transit": integer(st.in_transit[sl]),
        }, sl.stop - sl.start)

    def competitors(self, w: PartWriter, s: int, sl: slice, cr: CompetitorRows) -> None:
        w.write({
            "competitor_item_id": integer(cr.item_id[sl]),
            "date": self.fmt.date(cr.day[sl]),
            "competitor": text(cr.competitor[sl]),
            "product_id": self._pid(s, cr.product[sl]),
            "title": text(cr.title[sl]),
            "price": money(cr.price[sl]),
            "promo_text": text(cr.promo[sl]),
            "monthly_sales": integer(cr.monthly_sales[sl]),
        }, sl.stop - sl.start)

