"""Warehouse reads for the forecast and the stock maths (Ibis; no Django, no SQL text).

Series ids: ``level="sku"`` → ``"<store_id>:<sku_id>"`` (one listing); ``level="merchant_code"`` →
the merchant code (商家编码), the same goods summed over every store (SKUs without a code keep
their store id). Units are paid order lines (the metrics layer's paid orders: paid, not closed)
by business date.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from shopops.metrics.sources import paid_orders
from shopops.warehouse.connection import connect

LEVELS = ("sku", "merchant_code")


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")


def _series_id(t, level: str):
    store_sku = t.store_id.concat(":", t.sku_id)
    if level == "sku":
        return store_sku
    code = t.merchant_code
    return ibis.ifelse(code.notnull() & (code != ""), code, store_sku)


def daily_units(*, first: dt.date, last: dt.date, level: str = "sku", stores: tuple[str, ...] = (),
                skus: tuple[str, ...] = (), con=None) -> pd.DataFrame:
    """Paid units per series and business day (days without sales have no row): unique_id, ds, y.
    ``skus``: only these SKU ids' lines (one SKU's page reads its own, not the store's)."""
    _check_level(level)
    con = con or connect()
    o = paid_orders(con).filter(lambda o: (o.paid_date >= first) & (o.paid_date <= last))
    li = con.table("order_lines")
    if stores:
        o = o.filter(o.store_id.isin(list(stores)))
        li = li.filter(li.store_id.isin(list(stores)))
    li = li.filter(li.sku_id.isin(list(skus)) if skus else li.sku_id.notnull()).select(
        "store_id", "order_id", "sku_id", "quantity")
    j = li.inner_join(o.select("store_id", "order_id", "paid_date"), ["store_id", "order_id"])
    skus = con.table("skus").select("store_id", "sku_id", "merchant_code")
    j = j.left_join(skus, ["store_id", "sku_id"]).select(
        "store_id", "sku_id", "merchant_code", "paid_date", "quantity")
    g = j.mutate(unique_id=_series_id(j, level)).group_by("unique_id", ds=j.paid_date).aggregate(y=j.quantity.sum())
    out = g.order_by("unique_id", "ds").execute()
    if len(out):
        out["ds"] = pd.to_datetime(out["ds"]).dt.date
        out["y"] = out["y"].astype("float64")
    return out.reindex(columns=["unique_id", "ds", "y"])


def item_attributes(*, level: str = "sku", stores: tuple[str, ...] = (), con=None) -> pd.DataFrame:
    """One row per series: unique_id, category, subcategory, price (float: for price bands only),
    cost and price as Decimal (``cost``, ``price_amount``), launched_on, product_id, store_id (the first
    store, by id, for merchant codes)."""
    _check_level(level)
    con = con or connect()
    s = con.table("skus")
    p = con.table("products").select("store_id", "product_id", "category", "subcategory", "launched_on", "status")
    if stores:
        s = s.filter(s.store_id.isin(list(stores)))
    j = s.left_join(p, ["store_id", "product_id"]).select(
        "store_id", "sku_id", "product_id", "merchant_code", "price", "cost", "category", "subcategory",
        "launched_on", "status")
    j = j.mutate(unique_id=_series_id(j, level))
    t = j.order_by("unique_id", "store_id", "sku_id").execute()
    if t.empty:
        return pd.DataFrame(columns=["unique_id", "store_id", "sku_id", "product_id", "category", "subcategory",
                                     "price", "price_amount", "cost", "launched_on", "status"])
    agg = t.groupby("unique_id", sort=True).agg(
        store_id=("store_id", "first"), sku_id=("sku_id", "first"), product_id=("product_id", "first"),
        category=("category", "first"), subcategory=("subcategory", "first"), price_amount=("price", "first"),
        cost=("cost", "first"), launched_on=("launched_on", "min"), status=("status", "first")).reset_index()
    agg["price"] = pd.to_numeric(agg["price_amount"].astype(object), errors="coerce").astype("float64")
    agg["launched_on"] = pd.to_datetime(agg["launched_on"]).dt.date
    agg["category"] = agg["category"].fillna("")
    agg["subcategory"] = agg["subcategory"].fillna("")
    return agg


def stock_on(*, day: dt.date, level: str = "sku", stores: tuple[str, ...] = (), con=None) -> pd.DataFrame:
    """Each series' latest snapshot on or before ``day`` (summed over stores for merchant codes):
    unique_id, on_hand, in_transit, snapshot_date (the oldest of the summed snapshots)."""
    _check_level(level)
    con = con or connect()
    s = con.table("inventory_snapshots")
    s = s.filter(s.date <= day)
    if stores:
        s = s.filter(s.store_id.isin(list(stores)))
    latest = s.group_by("store_id", "sku_id").aggregate(_d=s.date.max())
    s = s.inner_join(latest, [s.store_id == latest.store_id, s.sku_id == latest.sku_id, s.date == latest._d]).select(
        s.store_id, s.sku_id, s.date, s.on_hand, s.in_transit)
    skus = con.table("skus").select("store_id", "sku_id", "merchant_code")
    j = s.left_join(skus, ["store_id", "sku_id"]).select("store_id", "sku_id", "merchant_code", "date", "on_hand",
                                                         "in_transit")
    j = j.mutate(unique_id=_series_id(j, level))
    g = j.group_by("unique_id").aggregate(on_hand=j.on_hand.fill_null(0).sum(), in_transit=j.in_transit.fill_null(0).sum(),
                                          snapshot_date=j.date.min())
    out = g.order_by("unique_id").execute()
    if len(out):
        out["snapshot_date"] = pd.to_datetime(out["snapshot_date"]).dt.date
        out[["on_hand", "in_transit"]] = out[["on_hand", "in_transit"]].astype("int64")
    return out.reindex(columns=["unique_id", "on_hand", "in_transit", "snapshot_date"])


def stock_history(*, first: dt.date, last: dt.date, level: str = "sku", stores: tuple[str, ...] = (),
                  con=None) -> pd.DataFrame:
    """Snapshots in ``first``–``last`` (summed over stores per day for merchant codes): unique_id, ds,
    on_hand, in_transit."""
    _check_level(level)
    con = con or connect()
    s = con.table("inventory_snapshots")
    s = s.filter((s.date >= first) & (s.date <= last))
    if stores:
        s = s.filter(s.store_id.isin(list(stores)))
    skus = con.table("skus").select("store_id", "sku_id", "merchant_code")
    j = s.left_join(skus, ["store_id", "sku_id"]).select("store_id", "sku_id", "merchant_code", "date", "on_hand",
                                                         "in_transit")
    j = j.mutate(unique_id=_series_id(j, level))
    g = j.group_by("unique_id", ds=j.date).aggregate(on_hand=j.on_hand.fill_null(0).sum(),
                                                     in_transit=j.in_transit.fill_null(0).sum())
    out = g.order_by("unique_id", "ds").execute()
    if len(out):
        out["ds"] = pd.to_datetime(out["ds"]).dt.date
    return out.reindex(columns=["unique_id", "ds", "on_hand", "in_transit"])
