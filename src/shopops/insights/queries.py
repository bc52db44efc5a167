"""What insights reads from the warehouse: KPI series through the metrics runners, and the
few evidence rows no KPI covers (review texts, competitor prices, stock by product) through Ibis.

**Visitors in each store's own 口径** (issue 19; :mod:`shopops.metrics.channels`): only a store
whose channel has an event stream (own site / mini-program) has tracked visitors. For a platform
store the ``visitors`` column (and the visitor-based KPIs: conversion, UV value, add-to-cart …)
holds the platform's report instead — the whole-store daily report (``report_*`` KPIs) per store
and day, the product/source traffic report (``visitor_days``) per product or traffic source — and
KPIs only events can give (page views, sessions, bounce rate …) are NaN: not available there.
``tracked_visitors`` keeps the event visitors alone (NaN for platform stores) for the tracking check.

Everything returns pandas frames small enough for one store's few weeks; big tables are
aggregated in the warehouse.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from shopops.core.periods import Grain, Period
from shopops.metrics.catalog import CATALOG, Direction, judged_daily, noise_base
from shopops.metrics.channels import VISITOR_KPIS, has_event_stream
from shopops.metrics.dimensions import product_titles as dimension_titles
from shopops.metrics.dimensions import store_list
from shopops.metrics.runners import BUCKET, Filter, KpiQuery, base_frame, run_query
from shopops.insights.detection import SeriesSpec

# per product and day, in one grouped query: the time-series KPIs (item GMV, units, visitors) and
# what the product detector reads (its paying buyers, its reviews and 1–2 star ones)
PRODUCT_KPIS = ("item_gmv", "units_sold", "visitors", "item_buyers", "bad_reviews", "review_count")
PRODUCT_SERIES_KPIS = ("item_gmv", "units_sold", "visitors")


def detection_kpis() -> tuple[str, ...]:
    """The KPIs judged per store and day: every catalog KPI its catalog facts call daily."""
    return tuple(kid for kid in CATALOG if judged_daily(kid))


def spec_of(kid: str) -> SeriesSpec:
    """How a KPI is judged, from its catalog facts (unit, direction, noise base, alerts, priority)."""
    k = CATALOG[kid]
    return SeriesSpec(kid, k.unit, k.direction is Direction.UP_IS_GOOD, noise_base(kid), is_ratio=k.is_ratio,
                      alerting=k.alerts, drives_gmv=k.drives_gmv, priority=k.priority)


def _numeric(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for c in columns:
        frame[c] = pd.to_numeric(frame[c].map(lambda v: None if v is None else float(v)), errors="coerce")
    return frame


def _from_events(kid: str) -> bool:
    """Whether a KPI needs the behaviour events (a ratio with an event part; a combination of event parts
    only: ``channel_visitors`` adds the platform reports, so it is not)."""
    k = CATALOG[kid]
    if k.is_base:
        return k.source == "events"
    if k.is_ratio:
        return any(_from_events(p) for p in k.parts)
    return all(_from_events(p) for p in k.parts)


def platform_stores(*, con=None) -> frozenset[str]:
    """The stores whose channel gives only its reports, no event stream (``stores.platform``: tmall, jd …).
    A store not in ``stores`` keeps its events."""
    return frozenset(s.store_id for s in store_list(_connect(con)) if not has_event_stream(s.platform))


def _in_own_words(frame: pd.DataFrame, columns: dict[str, str], platforms: frozenset[str]) -> pd.DataFrame:
    """Rows of platform stores: each column in ``columns`` takes the value of its platform-report
    column; other event-based columns become NaN (the platform gives no event stream)."""
    platform = frame["store_id"].isin(platforms) if "store_id" in frame else pd.Series(False, index=frame.index)
    if "visitors" in frame:
        frame["tracked_visitors"] = frame["visitors"].where(~platform)
    if not platform.any():
        return frame
    for col in [c for c in frame.columns if c in CATALOG and _from_events(c)]:
        frame.loc[platform, col] = frame.loc[platform, columns[col]] if col in columns else float("nan")
    return frame


def store_daily(period: Period, kpis: tuple[str, ...], *, stores: tuple[str, ...] = (), con=None) -> pd.DataFrame:
    """``bucket``, ``store_id`` and one float column per KPI (and the denominators of rates), each store
    in its own 口径 (visitor KPIs of a platform store from its whole-store daily report), and
    ``tracked_visitors`` (event visitors; NaN for a store without an event stream)."""
    wanted = list(dict.fromkeys([*kpis, *(spec_of(k).volume for k in kpis if spec_of(k).volume)]))
    reports = {k: VISITOR_KPIS[k][1] for k in wanted if k in VISITOR_KPIS}
    asked = list(dict.fromkeys([*wanted, *reports.values()]))
    res = run_query(KpiQuery(tuple(asked), period, grain=Grain.DAY, by=("store_id",), stores=stores), con=con)
    frame = _numeric(res.to_frame(), asked)
    frame = _in_own_words(frame, reports, platform_stores(con=con))
    return frame[[c for c in frame.columns if c not in reports.values() or c in wanted]]


def total_daily(period: Period, kpis: tuple[str, ...], *, con=None) -> pd.DataFrame:
    """All stores together: ``bucket`` and one float column per KPI (and the volumes); visitor KPIs
    add each store's own 口径 (``channel_*``: events where a store has them, its platform report elsewhere)."""
    wanted = list(dict.fromkeys([*kpis, *(spec_of(k).volume for k in kpis if spec_of(k).volume)]))
    across = {k: VISITOR_KPIS[k][2] for k in wanted if k in VISITOR_KPIS}
    asked = list(dict.fromkeys([*(across.get(k, k) for k in wanted)]))
    frame = _numeric(run_query(KpiQuery(tuple(asked), period, grain=Grain.DAY), con=con).to_frame(), asked)
    for k, c in across.items():
        frame[k] = frame[c]
    return frame[[c for c in frame.columns if c not in across.values() or c in wanted]]


def product_daily(period: Period, products: dict[str, list[str]], *, kpis=PRODUCT_KPIS, con=None) -> pd.DataFrame:
    """Daily KPIs of chosen products: ``products`` maps a store to its product ids. A platform store's
    product ``visitors`` are its product traffic report's (``visitor_days``: the platform's daily uniques
    per product and source, added over the sources)."""
    ids = sorted({p for ps in products.values() for p in ps})
    if not ids:
        return pd.DataFrame(columns=[BUCKET, "store_id", "product_id", *kpis])
    asked = tuple(dict.fromkeys([*kpis, *(["visitor_days"] if "visitors" in kpis else [])]))
    # every product KPI is a base KPI: read column-wise as floats (metrics.runners.base_frame), not row by row
    frame = base_frame(KpiQuery(asked, period, grain=Grain.DAY, by=("store_id", "product_id"),
                                stores=tuple(products), filters=(Filter("product_id", tuple(ids)),)), con=con)
    pairs = pd.DataFrame([(s, p) for s, ps in products.items() for p in ps], columns=["store_id", "product_id"])
    frame = frame.merge(pairs, on=["store_id", "product_id"], how="inner")  # a product id of another store
    frame = _in_own_words(frame, {"visitors": "visitor_days"}, platform_stores(con=con))
    return frame[[c for c in frame.columns if c in (BUCKET, "store_id", "product_id", *kpis)]]


def top_products(period: Period, n: int, *, stores: tuple[str, ...] = (), con=None) -> dict[str, list[str]]:
    """Each store's ``n`` best sellers by item GMV over ``period``."""
    res = run_query(KpiQuery(("item_gmv",), period, by=("store_id", "product_id"), stores=stores), con=con)
    frame = _numeric(res.to_frame(), ["item_gmv"])
    out: dict[str, list[str]] = {}
    for store, g in frame.groupby("store_id"):
        out[str(store)] = [str(p) for p in g.sort_values(["item_gmv", "product_id"], ascending=[False, True])
                           .head(n)["product_id"] if p]
    return out


def watched_products(period: Period, *, recent_days: int = 28, by_buyers: int = 15, matched: int = 30,
                     matched_days: int = 14, stores: tuple[str, ...] = (), con=None) -> dict[str, list[str]]:
    """Products worth judging beyond the best sellers by item GMV: each store's ``by_buyers`` products
    with the most paying buyers over the last ``recent_days`` of ``period`` (a cheap product many buy, a
    product that took off recently), and up to ``matched`` products a competitor item is matched to
    (priced in the last ``matched_days``), those selling most recently first — a competitor's cut can
    only be seen on them. One KPI query and one read of the competitor snapshots."""
    recent = Period(max(period.start, period.end - dt.timedelta(days=recent_days - 1)), period.end)
    res = run_query(KpiQuery(("item_gmv", "item_buyers"), recent, by=("store_id", "product_id"), stores=stores), con=con)
    frame = _numeric(res.to_frame(), ["item_gmv", "item_buyers"])
    frame = frame[frame.product_id.notna() & (frame.product_id.astype(str) != "")]
    matched_ids: dict[str, set[str]] = {}
    if matched:
        con_ = _connect(con)
        if "competitor_snapshots" in con_.list_tables():
            c = con_.table("competitor_snapshots")
            c = c.filter(c.date >= period.end - dt.timedelta(days=matched_days - 1), c.date <= period.end)
            if stores:
                c = c.filter(c.store_id.isin(list(stores)))
            for r in c.select("store_id", "product_id").distinct().execute().itertuples():
                matched_ids.setdefault(str(r.store_id), set()).add(str(r.product_id))
    out: dict[str, list[str]] = {}
    for store, g in frame.groupby("store_id"):
        g = g.assign(product_id=g.product_id.astype(str))
        picked = list(g.sort_values(["item_buyers", "product_id"], ascending=[False, True]).head(by_buyers).product_id)
        ids = matched_ids.get(str(store), set())
        if ids:
            m = g[g.product_id.isin(ids)].sort_values(["item_gmv", "product_id"], ascending=[False, True])
            picked += [p for p in m.product_id.head(matched) if p not in picked]
        out[str(store)] = picked
    return out


def breakdown_daily(period: Period, kpis: tuple[str, ...], dimension: str, store_id: str, *, con=None) -> pd.DataFrame:
    """One store's KPIs per day and ``dimension`` value; a platform store's ``visitors`` by source or
    product from its traffic report (``visitor_days``), other event KPIs NaN."""
    platforms = platform_stores(con=con)
    platform = store_id in platforms and any(_from_events(k) for k in kpis)
    asked = tuple(dict.fromkeys([*kpis, "visitor_days"])) if platform and "visitors" in kpis else kpis
    res = run_query(KpiQuery(asked, period, grain=Grain.DAY, by=(dimension,), stores=(store_id,)), con=con)
    frame = _numeric(res.to_frame(), asked)
    if platform:
        frame = _in_own_words(frame.assign(store_id=store_id), {"visitors": "visitor_days"}, platforms)
        frame = frame.drop(columns=["store_id", "tracked_visitors"], errors="ignore")
    return frame[[c for c in frame.columns if c in kpis or c not in asked]]


# --- evidence rows (no KPI covers them) ------------------------------------------------------------

def _connect(con):
    if con is not None:
        return con
    from shopops.warehouse.connection import connect

    return connect()


def bad_review_texts(store_id: str, products: list[str], first: dt.date, last: dt.date, *, con=None) -> pd.DataFrame:
    """Reviews rated 1–2 of ``products`` between ``first`` and ``last``: product_id, review_date, rating, content, tags."""
    con = _connect(con)
    r = con.table("reviews")
    r = r.filter(r.store_id == store_id, r.product_id.isin(products), r.rating <= 2,
                 r.review_date >= first, r.review_date <= last)
    return _dates(r.select("product_id", "review_date", "rating", "content", "tags").limit(500).execute(), "review_date")


def competitor_prices(store_id: str, products: list[str], first: dt.date, last: dt.date, *, con=None) -> pd.DataFrame:
    """Competitor snapshots matched to ``products``: product_id, competitor, title, date, price, promo_text."""
    con = _connect(con)
    if "competitor_snapshots" not in con.list_tables():
        return pd.DataFrame(columns=["product_id", "competitor", "competitor_item_id", "title", "date", "price", "promo_text"])
    c = con.table("competitor_snapshots")
    c = c.filter(c.store_id == store_id, c.product_id.isin(products), c.date >= first, c.date <= last)
    return _dates(c.select("product_id", "competitor", "competitor_item_id", "title", "date", "price", "promo_text").execute())


def stock_by_product(store_id: str, products: list[str], first: dt.date, last: dt.date, *, con=None) -> pd.DataFrame:
    """On hand per product and snapshot date (summed over its SKUs): product_id, date, on_hand, in_transit."""
    con = _connect(con)
    s = con.table("inventory_snapshots")
    s = s.filter(s.store_id == store_id, s.date >= first, s.date <= last)
    skus = con.table("skus").select("store_id", "sku_id", "product_id")
    j = s.inner_join(skus, ["store_id", "sku_id"])
    j = j.filter(j.product_id.isin(products))
    out = j.group_by("product_id", "date").aggregate(on_hand=j.on_hand.sum(), in_transit=j.in_transit.sum())
    return _dates(out.execute())


def stock_daily(products: dict[str, list[str]], first: dt.date, last: dt.date, *, con=None) -> pd.DataFrame:
    """On hand per store, product and snapshot date (summed over its SKUs) of the chosen products of
    every store, in one grouped query: store_id, product_id, date, on_hand."""
    con = _connect(con)
    ids = sorted({p for ps in products.values() for p in ps})
    if not ids:
        return pd.DataFrame(columns=["store_id", "product_id", "date", "on_hand"])
    s = con.table("inventory_snapshots")
    s = s.filter(s.store_id.isin(list(products)), s.date >= first, s.date <= last)
    skus = con.table("skus").select("store_id", "sku_id", "product_id")
    j = s.inner_join(skus, ["store_id", "sku_id"])
    j = j.filter(j.product_id.isin(ids))
    out = j.group_by("store_id", "product_id", "date").aggregate(on_hand=j.on_hand.sum())
    return _numeric(_dates(out.execute()), ["on_hand"])


def placed_prices(products: dict[str, list[str]], first: dt.date, last: dt.date, *, utc_offset_hours: int = 8,
                  con=None) -> pd.DataFrame:
    """The price buyers saw at checkout: per store, product and day the order was placed (paid or not),
    units and Σ unit price × units of its lines, in one grouped query: store_id, product_id, date,
    units, listed. A price rise shows here even on a day when nobody paid for the product."""
    con = _connect(con)
    ids = sorted({p for ps in products.values() for p in ps})
    if not ids:
        return pd.DataFrame(columns=["store_id", "product_id", "date", "units", "listed"])
    o = con.table("orders")
    # instants compared as instants (UTC literals): no cast of every stored row, so the engine prunes by
    # created_at (the large demo's 7.3M orders: 7.2 → 2.3 s CPU, the same rows)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=utc_offset_hours)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=utc_offset_hours)
    o = o.filter(o.store_id.isin(list(products)), o.created_at >= start, o.created_at < end)
    o = o.select("store_id", "order_id", date=(o.created_at.cast("timestamp") + ibis.interval(hours=utc_offset_hours)).date())
    li = con.table("order_lines")
    li = li.filter(li.store_id.isin(list(products)), li.product_id.isin(ids), li.unit_price.notnull())
    j = li.inner_join(o, ["store_id", "order_id"])
    out = j.group_by("store_id", "product_id", "date").aggregate(
        units=j.quantity.sum(), listed=(j.unit_price * j.quantity).sum())
    return _numeric(_dates(out.execute()), ["units", "listed"])


def competitor_daily(products: dict[str, list[str]], first: dt.date, last: dt.date, *, con=None) -> pd.DataFrame:
    """Matched competitor items' daily prices for the chosen products of every store (one query):
    store_id, product_id, competitor_item_id, date, price."""
    con = _connect(con)
    ids = sorted({p for ps in products.values() for p in ps})
    cols = ["store_id", "product_id", "competitor_item_id", "date", "price"]
    if not ids or "competitor_snapshots" not in con.list_tables():
        return pd.DataFrame(columns=cols)
    c = con.table("competitor_snapshots")
    c = c.filter(c.store_id.isin(list(products)), c.product_id.isin(ids), c.date >= first, c.date <= last)
    return _numeric(_dates(c.select(*cols).execute()), ["price"])


def _dates(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    if len(frame):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def product_titles(store_id: str, products: list[str], *, con=None) -> dict[str, str]:
    """{product_id: title} of one store's products (``metrics.dimensions.product_titles``)."""
    return {pid: title for (_s, pid), title in dimension_titles([(store_id, p) for p in products], con=con).items()}


__all__ = [
    "PRODUCT_KPIS", "PRODUCT_SERIES_KPIS", "bad_review_texts", "competitor_daily", "placed_prices", "stock_daily", "breakdown_daily", "competitor_prices", "detection_kpis",
    "product_daily", "product_titles", "spec_of", "stock_by_product", "store_daily", "top_products",
    "watched_products",
]
