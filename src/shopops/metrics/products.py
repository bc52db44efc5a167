"""Products at real size: styles (款) across channels, and a product's SKUs.

The same goods are listed in every store under each platform's own product id; the
merchant code (商家编码) on the SKUs is the store's own and shared across platforms. A
product's **style code** is what its SKUs' merchant codes share: the part before the
last ``-`` when they all agree on it (``QM-YR03-0012-0104`` → ``QM-YR03-0012``), else
their longest common prefix, else the product id.

``style_rollup`` adds up product rows (one per store × product, as the KPI runner returns
them) by style: sums stay sums, ratios are recomputed from their parts.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from decimal import Decimal

import ibis

from shopops.core.periods import Period
from shopops.metrics.cache import cached
from shopops.metrics.catalog import CATALOG
from shopops.metrics.sources import paid_orders
from shopops.warehouse.connection import connect


def style_of(codes: list[str], product_id: str) -> str:
    codes = sorted({c for c in codes if c})
    if not codes:
        return product_id
    heads = {c.rsplit("-", 1)[0] for c in codes if "-" in c}
    if len(heads) == 1 and all("-" in c for c in codes):
        return heads.pop()
    prefix = os.path.commonprefix(codes).rstrip("-_ ")
    return prefix or product_id


def product_style_codes(keys, con: ibis.BaseBackend | None = None) -> dict[tuple[str, str], str]:
    """``{(store_id, product_id): style code}`` from the SKUs' merchant codes (products without SKUs: left out)."""
    keys = {(str(s), str(p)) for s, p in keys if p}
    if not keys:
        return {}
    con = con or connect()
    stores = tuple(sorted({s for s, _ in keys}))

    def read() -> dict[tuple[str, str], str]:
        # every product of the stores (one read per data version of the SKUs), not a filter of
        # thousands of ids
        t = con.table("skus")
        t = t.filter(t.store_id.isin(list(stores)))
        codes: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in t.select("store_id", "product_id", "merchant_code").to_pyarrow().to_pylist():
            codes[(r["store_id"], r["product_id"])].append(r["merchant_code"] or "")
        return {key: style_of(cs, key[1]) for key, cs in codes.items()}

    styles = cached("metrics:product_styles", (stores, con.name), read, con=con, tables=("skus",), stores=stores)
    return {k: styles[k] for k in keys if k in styles}


def _ratio(num, den):
    if num is None or not den:
        return None
    return float(Decimal(str(num)) / Decimal(str(den)))


def style_rollup(rows: list[dict], styles: dict[tuple[str, str], str], kpis: tuple[str, ...],
                 parts: dict[str, tuple[str, str]]) -> list[dict]:
    """Rows by style: ``style``, ``stores`` (how many listings), ``products`` (ids), and each KPI of
    ``kpis`` — summed when additive over stores, else recomputed as ``parts[kpi]`` (numerator,
    denominator; both must be in the rows)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[styles.get((r["store_id"], r["product_id"]), r["product_id"])].append(r)
    out = []
    for style, members in groups.items():
        row: dict = {"style": style, "listings": len(members),
                     "members": sorted((m["store_id"], m["product_id"]) for m in members)}
        needed = set(kpis) | {p for k in kpis if k in parts for p in parts[k]}
        for k in needed:
            if k in parts:
                continue
            values = [m.get(k) for m in members if m.get(k) is not None]
            row[k] = sum(values[1:], values[0]) if values else None
        for k in kpis:
            if k in parts:
                row[k] = _ratio(row.get(parts[k][0]), row.get(parts[k][1]))
        out.append(row)
    return out


def sku_breakdown(*, store_id: str, product_id: str, period: Period,
                  con: ibis.BaseBackend | None = None) -> list[dict]:
    """One row per SKU of a product: spec, merchant code, list price, cost, units sold and item GMV
    in ``period`` (paid lines), closing stock (its last snapshot in the period)."""
    con = con or connect()
    skus = con.table("skus")
    skus = skus.filter(skus.store_id == store_id, skus.product_id == product_id)
    orders = paid_orders(con, period).filter(lambda o: o.store_id == store_id).select("store_id", "order_id")
    lines = con.table("order_lines")
    lines = lines.filter(lines.store_id == store_id, lines.product_id == product_id)
    sold = (lines.inner_join(orders, ["store_id", "order_id"]).group_by("sku_id")
            .aggregate(units_sold=lambda t: t.quantity.sum(), item_gmv=lambda t: t.paid_amount.sum()))
    snaps = con.table("inventory_snapshots")
    snaps = snaps.filter(snaps.store_id == store_id, snaps.date >= period.start, snaps.date <= period.end)
    last = snaps.group_by("sku_id").aggregate(_last=snaps.date.max())
    stock = (snaps.inner_join(last, [snaps.sku_id == last.sku_id, snaps.date == last._last])
             .select(sku_id=snaps.sku_id, on_hand=snaps.on_hand))
    sold_rows = {r["sku_id"]: r for r in sold.to_pyarrow().to_pylist()}
    stock_rows = {r["sku_id"]: r["on_hand"] for r in stock.to_pyarrow().to_pylist()}
    days = period.days
    out = []
    for r in skus.select("sku_id", "spec", "merchant_code", "price", "cost").order_by("sku_id").to_pyarrow().to_pylist():
        s = sold_rows.get(r["sku_id"], {})
        units = int(s.get("units_sold") or 0)
        on_hand = stock_rows.get(r["sku_id"])
        out.append({**r, "units_sold": units, "item_gmv": s.get("item_gmv") or Decimal("0.00"), "on_hand": on_hand,
                    "days_of_cover": (on_hand / (units / days)) if on_hand is not None and units else None})
    return out


def price_history(*, store_id: str, product_id: str, period: Period,
                  con: ibis.BaseBackend | None = None) -> list[dict]:
    """Per day of ``period`` with sales: the lowest, average and highest unit price paid (item GMV ÷ units
    of each line), so a promotion or a price change shows as a step."""
    con = con or connect()
    orders = paid_orders(con, period).filter(lambda o: o.store_id == store_id).select("store_id", "order_id", "paid_date")
    lines = con.table("order_lines")
    lines = lines.filter(lines.store_id == store_id, lines.product_id == product_id, lines.quantity > 0)
    t = lines.drop("paid_date").inner_join(orders, ["store_id", "order_id"]) if "paid_date" in lines.columns else \
        lines.inner_join(orders, ["store_id", "order_id"])
    unit = t.paid_amount / t.quantity
    daily = t.group_by("paid_date").aggregate(low=unit.min(), high=unit.max(), gmv=t.paid_amount.sum(),
                                               units=t.quantity.sum()).order_by("paid_date")
    out = []
    for r in daily.to_pyarrow().to_pylist():
        avg = (Decimal(r["gmv"]) / r["units"]).quantize(Decimal("0.01")) if r["units"] else None
        day = r["paid_date"]
        out.append({"day": day if isinstance(day, dt.date) else day.date(), "low": Decimal(r["low"]).quantize(Decimal("0.01")),
                    "avg": avg, "high": Decimal(r["high"]).quantize(Decimal("0.01"))})
    return out


# ratios of the product table, rebuilt from their parts when products are added up
PRODUCT_RATIO_PARTS = {k: (CATALOG[k].numerator, CATALOG[k].denominator)
                       for k in ("avg_unit_price", "item_conversion_rate", "days_of_inventory", "positive_rate")}


def product_visitors_from_reports(rows: list[dict], event_stores) -> list[dict]:
    """Product rows (store × product, or store × product × day) in each store's own 口径 (issue 19;
    :mod:`shopops.metrics.channels`): a store without an event stream (a platform store) takes its
    product ``visitors`` from its product traffic report (``visitor_days``: the platform's daily uniques
    per product, added over the days and sources), its ``item_conversion_rate`` as item buyers over
    those, and has no ``add_to_cart_users`` by product (None: the platform gives no event stream).
    Rows of stores with events are returned as they are. The rows need ``visitor_days``."""
    event_stores = set(event_stores)
    out = []
    for r in rows:
        if r.get("store_id") in event_stores:
            out.append(r)
            continue
        r = dict(r)
        if "visitors" in r:
            r["visitors"] = r.get("visitor_days")
        if "item_conversion_rate" in r:
            r["item_conversion_rate"] = _ratio(r.get("item_buyers"), r.get("visitor_days"))
        if "add_to_cart_users" in r:
            r["add_to_cart_users"] = None
        out.append(r)
    return out


def item_gmv_gap(period: Period, *, stores: tuple[str, ...] | list[str] = (),
                 con: ibis.BaseBackend | None = None) -> tuple[Decimal, Decimal, Decimal] | None:
    """``(item GMV, GMV, item GMV − GMV)`` of ``period`` when the two differ, else None.

    Item GMV adds the order lines' paid amounts; GMV the orders'. They are equal when every paid order's lines
    carry what was paid for them. They are not when an export gives no per-line paid amount: the Tmall 宝贝报表
    and the JD order export give each line's price × quantity, before the order-level discounts (店铺优惠券, 满减,
    the order's 应付 vs 京东价), so item GMV reads higher than GMV by those discounts (not yet allocated to the
    lines at import: 分摊); and lower when some paid orders have no lines imported. A page that shows item GMV says
    which, with the amount (``docs/kpis.md``: ``item_gmv``)."""
    from shopops.metrics.runners import KpiQuery, run_query

    got = run_query(KpiQuery(("item_gmv", "gmv"), period, stores=tuple(stores)), con=con)
    item, gmv = got.total("item_gmv"), got.total("gmv")
    if item is None or gmv is None or item == gmv:
        return None
    return item, gmv, item - gmv
