"""A random but seeded little store, as canonical tables, shared by metrics tests.

Three stores on two platforms, products with categories, SKUs with costs, 20 days of
orders (plus three months of history for new/returning buyers and cohorts), order
lines, refunds, events with sessions and pages, daily traffic, ad plans, reviews and
daily stock snapshots.

The oracle functions compute KPIs with plain pandas straight from the glossary
definitions; they share no code with the metrics layer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from shopops.warehouse import rollups, versions
from shopops.warehouse.loader import conform, load
from shopops.warehouse.schema import TABLES

START = dt.date(2025, 11, 1)
DAYS = 20
HISTORY_START = dt.date(2025, 8, 1)
STORES = ["tmall", "jd", "tmall2"]
PLATFORM = {"tmall": "tmall", "jd": "jd", "tmall2": "tmall"}
SH = dt.timezone(dt.timedelta(hours=8))
CENT = Decimal("0.01")


def _money(cents) -> Decimal:
    return Decimal(int(cents)) / 100


def build(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame({"store_id": STORES, "platform": [PLATFORM[s] for s in STORES], "name": STORES,
                           "currency": "CNY", "time_zone": "Asia/Shanghai"})
    products = pd.DataFrame([
        {"store_id": s, "product_id": f"P{i:02d}", "category": [None, "服装", "鞋靴", "配饰"][i % 4], "status": "on_sale"}
        for s in STORES for i in range(12)
    ])
    skus = pd.DataFrame([
        {"store_id": p.store_id, "sku_id": f"{p.product_id}-{k}", "product_id": p.product_id,
         "cost": None if (i + k) % 11 == 0 else _money(rng.integers(500, 9000))}
        for i, p in enumerate(products.itertuples()) for k in range(2)
    ])

    # orders: 900 in the 20 days, 300 of history before them
    n_hist, n = 300, 900
    days = np.concatenate([rng.integers((HISTORY_START - START).days, 0, n_hist), rng.integers(0, DAYS, n)])
    total = n + n_hist
    minute = rng.integers(0, 24 * 60, total)
    local = [dt.datetime.combine(START + dt.timedelta(days=int(d)), dt.time(), SH) + dt.timedelta(minutes=int(m))
             for d, m in zip(days, minute)]
    status = rng.choice(["completed", "paid", "pending_payment", "closed", "refunded"], total, p=[0.6, 0.15, 0.1, 0.05, 0.1])
    unpaid = np.isin(status, ["pending_payment", "closed"])
    cents = rng.integers(990, 59900, total)
    discount = rng.integers(0, 3000, total)
    orders = pd.DataFrame({
        "store_id": rng.choice(STORES, total),
        "order_id": [f"O{i:05d}" for i in range(total)],
        "customer_id": [f"c{x}" for x in rng.zipf(1.6, total) % 300],  # the same ids occur in every store
        "status": status,
        "created_at": [t.astimezone(dt.UTC) for t in local],
        "paid_at": [None if u else t.astimezone(dt.UTC) for t, u in zip(local, unpaid)],
        "paid_date": [None if u else t.date() for t, u in zip(local, unpaid)],
        "discount_amount": [_money(d) for d in discount],
        "platform_discount": [_money(d // 3) for d in discount],
        "paid_amount": [_money(c) for c in cents],
        "province": rng.choice(["浙江", "广东", "江苏", None], total),
        "traffic_source": rng.choice(["search", "ads", "feed"], total),
    })
    lines = []
    for o in orders.itertuples():
        k = int(rng.integers(1, 4))
        shares = rng.integers(1, 10, k)
        cents_left = int(o.paid_amount * 100)
        for ln in range(k):
            part = cents_left if ln == k - 1 else int(int(o.paid_amount * 100) * shares[ln] / shares.sum())
            cents_left -= part
            pid = f"P{int(rng.integers(0, 12)):02d}"
            lines.append({"store_id": o.store_id, "order_id": o.order_id, "line_no": ln + 1, "product_id": pid,
                          "sku_id": None if rng.random() < 0.05 else f"{pid}-{int(rng.integers(0, 2))}",
                          "quantity": int(rng.integers(1, 4)), "paid_amount": _money(part), "paid_date": o.paid_date})
    order_lines = pd.DataFrame(lines)

    paid = orders[orders.paid_date.notna()]
    ref = paid.sample(frac=0.15, random_state=seed)
    refunds = pd.DataFrame({
        "store_id": ref.store_id.values,
        "refund_id": [f"R{i}" for i in range(len(ref))],
        "order_id": ref.order_id.values,
        "amount": [(a / 2).quantize(CENT) for a in ref.paid_amount],
        "status": rng.choice(["success", "rejected"], len(ref), p=[0.8, 0.2]),
    })

    m = 8000
    eday = rng.integers(-3, DAYS + 3, m)
    visitor = rng.integers(0, 800, m)
    etype = rng.choice(["page_view", "product_view", "add_to_cart", "checkout", "purchase"], m,
                       p=[0.35, 0.35, 0.15, 0.08, 0.07])
    page = [{"page_view": ["home", "search", "category"][int(rng.integers(0, 3))], "product_view": "product",
             "add_to_cart": "product", "checkout": "checkout", "purchase": "checkout"}[e] for e in etype]
    events = pd.DataFrame({
        "store_id": rng.choice(STORES, m),
        "event_id": [f"E{i}" for i in range(m)],
        "visitor_id": [f"v{x}" for x in visitor],
        "session_id": [None if rng.random() < 0.03 else f"s{v}-{d}-{int(rng.integers(0, 3))}" for v, d in zip(visitor, eday)],
        "event_type": etype,
        "page": page,
        "product_id": [f"P{int(rng.integers(0, 12)):02d}" if e != "page_view" else None for e in etype],
        "occurred_at": [dt.datetime.combine(START + dt.timedelta(days=int(d)), dt.time(12), dt.UTC) for d in eday],
        "event_date": [START + dt.timedelta(days=int(d)) for d in eday],
        "traffic_source": rng.choice(["search", "ads", "feed", None], m, p=[0.3, 0.3, 0.3, 0.1]),
    })
    traffic = pd.DataFrame([
        {"store_id": s, "date": START + dt.timedelta(days=d), "product_id": p, "traffic_source": src,
         "visitors": int(rng.integers(10, 200)), "page_views": int(rng.integers(200, 600)),
         "add_to_cart_users": int(rng.integers(0, 10)), "buyers": int(rng.integers(0, 5))}
        for s in STORES for d in range(-2, DAYS) for p in ("P01", "P02", "P05") for src in ("search", "feed")
    ])
    k = 150
    ads = pd.DataFrame({
        "store_id": rng.choice(STORES, k),
        "date": [START + dt.timedelta(days=int(d)) for d in rng.integers(0, DAYS, k)],
        "ad_tool": rng.choice(["ztc", "jzt"], k),
        "plan_id": [f"P{i}" for i in range(k)],
        "impressions": rng.integers(1000, 50000, k),
        "clicks": rng.integers(0, 900, k),
        "cost": [_money(c) for c in rng.integers(1000, 90000, k)],
        "attributed_gmv": [_money(c) for c in rng.integers(0, 400000, k)],
    })
    ads["attributed_orders"] = ads.clicks // 20  # no random draw: the other columns stay as they were
    # 京准通 rows carry add-to-carts, 直通车 rows none (a report without the column)
    ads["attributed_cart_adds"] = pd.array([c // 8 if t == "jzt" else None for c, t in zip(ads.clicks, ads.ad_tool)],
                                           dtype="Int64")
    r = 400
    rday = rng.integers(0, DAYS, r)
    reviews = pd.DataFrame({
        "store_id": rng.choice(STORES, r),
        "review_id": [f"V{i}" for i in range(r)],
        "product_id": [f"P{int(x):02d}" for x in rng.integers(0, 12, r)],
        "created_at": [dt.datetime.combine(START + dt.timedelta(days=int(d)), dt.time(3), dt.UTC) for d in rday],
        "review_date": [START + dt.timedelta(days=int(d)) for d in rday],
        "rating": [None if rng.random() < 0.1 else int(x) for x in rng.integers(1, 6, r)],
    })
    stock = pd.DataFrame([
        {"store_id": s.store_id, "date": START + dt.timedelta(days=d), "sku_id": s.sku_id,
         "on_hand": int(max(0, rng.integers(-10, 60)))}
        for s in skus.itertuples() for d in range(0, DAYS, 2)
    ] + [{"store_id": "jd", "date": START, "sku_id": "GHOST-1", "on_hand": 5}])  # a SKU missing from `skus`
    # chat-service rows per agent and day (issue 16), from their own generator so the draws above stay put
    crng = np.random.default_rng(seed + 1000)
    chat = pd.DataFrame([
        {"store_id": s, "date": START + dt.timedelta(days=d), "agent_name": f"{s}:kf{a}"}
        for s in STORES for a in range(2) for d in range(DAYS) if crng.random() < 0.8
    ])
    c = len(chat)
    chat["consultations"] = crng.integers(0, 400, c)
    chat["inquiries"] = (chat.consultations * crng.uniform(0.3, 0.7, c)).astype("int64")
    chat["inquiry_buyers"] = (chat.inquiries * crng.uniform(0.1, 0.5, c)).astype("int64")
    chat["first_response_seconds"] = [None if crng.random() < 0.1 else float(x) for x in crng.integers(3, 90, c)]
    chat["avg_response_seconds"] = [None if crng.random() < 0.1 else float(x) for x in crng.integers(10, 150, c)]
    chat["response_3min_rate"] = [None if crng.random() < 0.1 else round(float(x), 4) for x in crng.uniform(0.7, 1, c)]
    chat["rated"] = crng.integers(0, 40, c)
    chat["satisfaction_rate"] = [None if crng.random() < 0.15 else round(float(x), 4) for x in crng.uniform(0.6, 1, c)]
    # the platforms' whole-store daily reports (issue 19), from their own generator as well
    srng = np.random.default_rng(seed + 2000)
    shop = pd.DataFrame([
        {"store_id": s, "date": START + dt.timedelta(days=d), "visitors": int(srng.integers(500, 3000)),
         "page_views": int(srng.integers(1500, 9000)), "add_to_cart_users": int(srng.integers(20, 300)),
         "favorite_users": None if srng.random() < 0.1 else int(srng.integers(5, 120)),
         "order_buyers": int(srng.integers(10, 90)), "buyers": int(srng.integers(5, 80)),
         "paid_amount": _money(srng.integers(10000, 2000000))}
        for s in STORES for d in range(-2, DAYS) if srng.random() < 0.9
    ])
    # the platforms' period exports (issue 19): whole periods, counted only when asked for exactly. Days 3..16
    # (the tests' PERIOD) for tmall and jd (not tmall2), and periods around it that must never be added in
    prng = np.random.default_rng(seed + 3000)
    spans = [(3, 16, ("tmall", "jd")), (3, 9, STORES), (0, 16, STORES), (3, 17, ("tmall",)), (0, DAYS - 1, ("jd",))]
    period = pd.DataFrame([
        {"store_id": s, "period_start": START + dt.timedelta(days=a), "period_end": START + dt.timedelta(days=b),
         "visitors": int(prng.integers(5000, 20000)), "page_views": int(prng.integers(20000, 60000)),
         "add_to_cart_users": int(prng.integers(300, 2000)),
         "favorite_users": None if s == "jd" else int(prng.integers(100, 800)),
         "order_buyers": int(prng.integers(100, 600)), "buyers": int(prng.integers(80, 500)),
         "paid_amount": _money(prng.integers(1_000_000, 30_000_000))}
        for a, b, stores_of in spans for s in stores_of
    ])
    return {"stores": stores, "products": products, "skus": skus, "orders": orders, "order_lines": order_lines,
            "refunds": refunds, "events": events, "traffic_daily": traffic, "ad_spend_daily": ads, "reviews": reviews,
            "inventory_snapshots": stock, "service_chat_daily": chat, "shop_traffic_daily": shop,
            "shop_traffic_period": period}


def with_last_year(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames plus a copy, 365 days earlier and with new ids (``LY…``), of the orders (and
    their lines) placed in the 20 days and of the events of those days: a same-period-last-year
    to compare with (2024-11 to 2025-11 spans no 29 February)."""
    year = dt.timedelta(days=365)

    def back(values):
        return [None if v is None or pd.isna(v) else v - year for v in values]

    out = dict(frames)
    o = frames["orders"]
    o = o[[t >= dt.datetime.combine(START, dt.time(), SH) for t in o.created_at]]
    out["orders"] = pd.concat([frames["orders"], o.assign(
        order_id="LY" + o.order_id, created_at=back(o.created_at), paid_at=back(o.paid_at),
        paid_date=back(o.paid_date))], ignore_index=True)
    lines = frames["order_lines"]
    lines = lines[lines.order_id.isin(set(o.order_id))]
    out["order_lines"] = pd.concat([frames["order_lines"], lines.assign(
        order_id="LY" + lines.order_id, paid_date=back(lines.paid_date))], ignore_index=True)
    e = frames["events"]
    e = e[e.event_date >= START]
    out["events"] = pd.concat([frames["events"], e.assign(
        event_id="LY" + e.event_id, occurred_at=back(e.occurred_at), event_date=back(e.event_date))],
        ignore_index=True)
    return out


def spark_append(con, table: str, batch: pa.Table) -> None:
    """Append conformed rows to a Spark table as they are (no merge), with the month partition
    column the loader writes on facts; columns in the table's order (partition column last)."""
    from pyspark.sql import functions as F

    from shopops.warehouse.backends.sql import SPARK_MONTH, spark_month

    spark = con._session
    rows, columns = spark.createDataFrame(conform(TABLES[table], batch)), spark.table(table).columns
    if SPARK_MONTH in columns:
        rows = rows.withColumn(SPARK_MONTH, F.expr(spark_month("", TABLES[table].business_date)))
    rows.select(*columns).write.insertInto(table)


def load_into(con, frames: dict[str, pd.DataFrame]) -> None:
    """Load through the warehouse loader; on Spark (tables start empty in tests) append the
    conformed rows directly instead (columns in the table's order, with the month partition
    column the loader writes on facts, which Spark stores last), refill the daily rollups,
    which the loader keeps, and give the warehouse a new epoch (one write of the versions
    table, not one per table: each is a Spark job of ~0.6 s)."""
    for table, frame in frames.items():
        batch = pa.Table.from_pandas(frame, preserve_index=False)
        if con.name == "pyspark":
            spark_append(con, table, batch)
        else:
            load(con, table, batch)
    if con.name == "pyspark":
        rollups.rebuild(con)
        versions.new_epoch(con)


# --- the oracle: glossary definitions in pandas ------------------------------------

def _dsum(values) -> Decimal:
    return sum((Decimal(v) for v in values if v is not None and not pd.isna(v)), Decimal("0"))


def _per_money(a: Decimal, b, scale: int = 1) -> Decimal | None:
    return (a * scale / b).quantize(CENT) if b else None


def _per(a, b) -> float | None:
    return float(Decimal(a) / Decimal(b)) if b else None


def _first_paid(frames) -> pd.DataFrame:
    o = frames["orders"]
    paid = o[o.paid_date.notna() & ~o.status.isin(["pending_payment", "closed"])]
    return paid.groupby(["store_id", "customer_id"], as_index=False).paid_date.min().rename(columns={"paid_date": "first_paid"})


_TABLES_CACHE: dict = {}


def oracle_tables(frames, start: dt.date, end: dt.date, stores=None) -> dict[str, pd.DataFrame]:
    """Each fact's rows that count in the window, with every dimension it supports as a column (cached)."""
    key = (id(frames), start, end, tuple(stores or ()))
    if key not in _TABLES_CACHE:
        _TABLES_CACHE[key] = _oracle_tables(frames, start, end, stores)
    return _TABLES_CACHE[key]


def _oracle_tables(frames, start: dt.date, end: dt.date, stores=None) -> dict[str, pd.DataFrame]:
    def window(df, col):
        d = df[df[col].notna()]
        d = d[(d[col] >= start) & (d[col] <= end)]
        return d[d.store_id.isin(stores)] if stores else d

    def exact(df):  # a whole-period report counts only for exactly its period
        d = df[(df.period_start == start) & (df.period_end == end)]
        return d[d.store_id.isin(stores)] if stores else d

    platform = frames["stores"][["store_id", "platform"]]
    category = frames["products"][["store_id", "product_id", "category"]]
    first = _first_paid(frames)

    def with_platform(df):
        return df.merge(platform, on="store_id", how="left")

    def with_category(df):
        return df.merge(category, on=["store_id", "product_id"], how="left")

    def with_type(df):
        df = df.merge(first, on=["store_id", "customer_id"], how="left")
        df["customer_type"] = np.where(df.first_paid >= start, "new", "returning")
        return df

    orders = frames["orders"]
    paid = with_type(with_platform(window(orders[~orders.status.isin(["pending_payment", "closed"])], "paid_date")))
    order_cols = paid[["store_id", "order_id", "customer_id", "traffic_source", "province", "platform", "customer_type"]]
    lines = frames["order_lines"].drop(columns="paid_date").merge(order_cols, on=["store_id", "order_id"])
    lines = with_category(lines).merge(frames["skus"][["store_id", "sku_id", "cost"]], on=["store_id", "sku_id"], how="left")
    refunds = frames["refunds"][frames["refunds"].status == "success"].merge(order_cols, on=["store_id", "order_id"])
    stock = window(frames["inventory_snapshots"], "date").merge(
        frames["skus"][["store_id", "sku_id", "product_id"]], on=["store_id", "sku_id"], how="left")
    out = {
        "paid": paid, "lines": lines, "refunds": refunds,
        "events": with_category(with_platform(window(frames["events"], "event_date"))),
        "traffic": with_category(with_platform(window(frames["traffic_daily"], "date"))),
        "ads": with_platform(window(frames["ad_spend_daily"], "date")),
        "reviews": with_category(with_platform(window(frames["reviews"], "review_date"))),
        "stock": with_category(with_platform(stock)),
        "chat": with_platform(window(frames["service_chat_daily"], "date")),
        "shop": with_platform(window(frames["shop_traffic_daily"], "date")),
        "shop_period": with_platform(exact(frames["shop_traffic_period"])),
    }
    out["stock_all"] = out["stock"]  # kept whole: the closing date is the store's, whatever the filter
    for df in out.values():
        for col in ("category", "province", "traffic_source", "product_id"):
            if col in df.columns:
                df[col] = df[col].fillna("")
    return out


def _keep(df, dim, value):
    """Rows whose dimension equals ``value``, or with ("not", values) is none of them."""
    if dim not in df.columns:
        return df.iloc[0:0]
    if isinstance(value, tuple) and value[:1] == ("not",):
        return df[~df[dim].isin(value[1])]
    return df[df[dim] == value]


def oracle(frames, start: dt.date, end: dt.date, stores=None, where: dict | None = None) -> dict:
    """Every KPI over [start, end], optionally only rows whose dimension equals a value (``where``)."""
    t = oracle_tables(frames, start, end, stores)
    for dim, value in (where or {}).items():
        t = {name: (df if name == "stock_all" else _keep(df, dim, value)) for name, df in t.items()}
    paid, lines, refunds, events, ads, reviews, stock = (
        t["paid"], t["lines"], t["refunds"], t["events"], t["ads"], t["reviews"], t["stock"])

    def distinct(df, col):
        return len(df[df[col].notna()][["store_id", col]].drop_duplicates())

    gmv = _dsum(paid.paid_amount)
    orders_n = len(paid)
    buyers = distinct(paid, "customer_id")
    new = distinct(paid[paid.customer_type == "new"], "customer_id")
    returning = distinct(paid[paid.customer_type == "returning"], "customer_id")
    per_buyer = paid.groupby(["store_id", "customer_id"]).size()
    repeat = int((per_buyer >= 2).sum())
    units = int(lines.quantity.sum())
    item_gmv = _dsum(lines.paid_amount)
    refund_amount = _dsum(refunds.amount)
    net_sales = gmv - refund_amount
    # refund data: the GMV of stores with a refund row ever (any status); none -> refund KPIs unknown
    refund_covered = _dsum(paid.paid_amount[paid.store_id.isin(set(frames["refunds"].store_id))])
    cogs = _dsum(q * c for q, c in zip(lines.quantity, lines.cost) if c is not None and not pd.isna(c))
    store_discount = _dsum(d - p for d, p in zip(paid.discount_amount, paid.platform_discount))
    platform_discount = _dsum(paid.platform_discount)
    # the item GMV of lines whose SKU has a cost: none with sales -> the cost of goods is unknown (None)
    costed = _dsum(a for a, c in zip(lines.paid_amount, lines.cost) if c is not None and not pd.isna(c))
    unknown = bool(item_gmv) and not costed
    margin = None if unknown else net_sales + platform_discount - cogs  # paid amounts are after every discount
    visitors = distinct(events, "visitor_id")
    pv = events.event_type.isin(["page_view", "product_view"])
    sessions = distinct(events, "session_id")
    pv_per_session = events[pv & events.session_id.notna()].groupby(["store_id", "session_id"]).size()
    bounced = int((pv_per_session == 1).sum())
    spend, ad_gmv = _dsum(ads.cost), _dsum(ads.attributed_gmv)
    impressions, clicks = int(ads.impressions.sum()), int(ads.clicks.sum())
    skus_sold = distinct(lines, "sku_id")
    skus_in_stock = distinct(stock[stock.on_hand > 0], "sku_id")
    unit_days = int(stock.on_hand.sum())
    last_day = t["stock_all"].groupby("store_id").date.transform("max")
    closing_rows = t["stock_all"][t["stock_all"].date == last_day]
    for dim, value in (where or {}).items():
        closing_rows = _keep(closing_rows, dim, value)
    closing = int(closing_rows.on_hand.sum())
    chat = t["chat"]

    def weighted(value, base):  # sum of average × base over rows that report the average, and that base
        has = chat[value].notna()
        return float((chat[value][has] * chat[base][has]).sum()), int(chat[base][has].sum())

    fr_total, fr_base = weighted("first_response_seconds", "consultations")
    resp_total, resp_base = weighted("avg_response_seconds", "consultations")
    m3_total, m3_base = weighted("response_3min_rate", "consultations")
    sat_total, sat_rated = weighted("satisfaction_rate", "rated")
    rated = int(reviews.rating.notna().sum())
    positive = int((reviews.rating >= 4).sum())
    out = {
        "gmv": gmv, "paid_orders": orders_n, "paying_buyers": buyers, "units_sold": units, "item_gmv": item_gmv,
        "item_buyers": distinct(lines, "customer_id"),
        "refund_amount": refund_amount,
        "refunded_orders": len(refunds[["store_id", "order_id"]].drop_duplicates()),
        "net_sales": net_sales, "cogs": None if unknown else cogs, "store_discount": store_discount,
        "platform_discount": platform_discount, "gross_margin": margin,
        "gross_margin_rate": None if unknown else _per(margin, net_sales),
        "costed_item_gmv": costed, "cost_coverage": _per(costed, item_gmv),
        "refund_covered_gmv": refund_covered, "refund_coverage": _per(refund_covered, gmv),
        "aov": _per_money(gmv, buyers), "aov_per_order": _per_money(gmv, orders_n),
        "avg_unit_price": _per_money(item_gmv, units), "upt": _per(units, orders_n),
        "refund_rate": _per(refund_amount, gmv),
        "refund_order_rate": _per(len(refunds[["store_id", "order_id"]].drop_duplicates()), orders_n),
        "new_buyers": new, "returning_buyers": returning, "repeat_buyers": repeat,
        "repurchase_rate": _per(repeat, buyers), "returning_buyer_rate": _per(returning, buyers),
        "visitors": visitors, "page_views": int(pv.sum()),
        "add_to_cart_users": distinct(events[events.event_type == "add_to_cart"], "visitor_id"),
        "sessions": sessions, "bounced_sessions": bounced, "bounce_rate": _per(bounced, sessions),
        "visitor_days": int(t["traffic"].visitors.sum()),
        "conversion_rate": _per(buyers, visitors),
        "ad_spend": spend, "ad_gmv": ad_gmv, "impressions": impressions, "clicks": clicks,
        "ctr": _per(clicks, impressions), "cpc": _per_money(spend, clicks), "cpm": _per_money(spend, impressions, 1000),
        "roas": _per(ad_gmv, spend), "ad_return": ad_gmv - spend, "roi": _per(ad_gmv - spend, spend),
        "cac": _per_money(spend, new),
        "skus_sold": skus_sold, "skus_in_stock": skus_in_stock, "sku_sales_rate": _per(skus_sold, skus_in_stock),
        "stock_unit_days": unit_days, "days_of_inventory": _per(unit_days, units),
        "closing_on_hand": closing, "units_sold_and_on_hand": units + closing,
        "sell_through": _per(units, units + closing),
        "review_count": len(reviews), "rated_reviews": rated, "positive_reviews": positive,
        "bad_reviews": int((reviews.rating <= 2).sum()), "positive_rate": _per(positive, rated),
        # issue 19: the director's daily KPIs
        "uv_value": _per_money(gmv, visitors),
        "add_to_cart_rate": _per(distinct(events[events.event_type == "add_to_cart"], "visitor_id"), visitors),
        "favorite_users": distinct(events[events.event_type == "favorite"], "visitor_id"),
        "favorite_rate": _per(distinct(events[events.event_type == "favorite"], "visitor_id"), visitors),
        "ad_orders": int(ads.attributed_orders.sum()),
        "ad_cost_per_order": _per_money(spend, int(ads.attributed_orders.sum())),
        "ad_spend_ratio": _per(spend, gmv),
        "ad_cart_adds": int(ads.attributed_cart_adds.sum()),
        "ad_spend_with_cart_adds": _dsum(ads.cost[ads.attributed_cart_adds.notna()]),
        "ad_cost_per_cart_add": _per_money(_dsum(ads.cost[ads.attributed_cart_adds.notna()]),
                                           int(ads.attributed_cart_adds.sum())),
        "item_conversion_rate": _per(distinct(lines, "customer_id"), visitors),
        "item_margin": None if unknown else item_gmv - cogs,
        # issue 16: chat service, averages weighted by their bases
        "chat_consultations": int(chat.consultations.sum()), "chat_inquiries": int(chat.inquiries.sum()),
        "chat_inquiry_buyers": int(chat.inquiry_buyers.sum()),
        "chat_inquiry_conversion": _per(int(chat.inquiry_buyers.sum()), int(chat.inquiries.sum())),
        "chat_first_response_total": fr_total, "chat_first_response_base": fr_base,
        "chat_first_response_seconds": fr_total / fr_base if fr_base else None,
        "chat_response_total": resp_total, "chat_response_base": resp_base,
        "chat_avg_response_seconds": resp_total / resp_base if resp_base else None,
        "chat_answered_3min": m3_total, "chat_answered_3min_base": m3_base,
        "chat_response_3min_rate": m3_total / m3_base if m3_base else None,
        "chat_rated": sat_rated, "chat_satisfied": sat_total,
        "chat_satisfaction": sat_total / sat_rated if sat_rated else None,
        # issue 19: each channel's own 口径 — the platform's store report, events only for own-site stores
        **_channel_kpis(t["shop"], events, gmv, buyers),
        **_period_kpis(t["shop_period"], events, gmv, buyers),
    }
    return _unknowns(out, lines, item_gmv, skus_sold, visitors, t["shop"], ads, store_level=all(
        d in ("store_id", "platform") for d in (where or {})))


# docs/kpis.md "Traffic": built on event visitors / on the platform's daily report / on either
_EVENT_VISITOR_KPIS = ("visitors", "add_to_cart_users", "favorite_users", "conversion_rate", "uv_value",
                       "add_to_cart_rate", "favorite_rate", "item_conversion_rate", "site_visitors",
                       "site_add_to_cart_users", "page_views", "sessions", "bounced_sessions", "bounce_rate")
# docs/kpis.md "Ads": built on the ad tools' plan reports
_AD_KPIS = ("ad_spend", "ad_plan_days", "ad_gmv", "impressions", "clicks", "ctr", "cpc", "cpm", "roas", "ad_return", "roi",
            "cac", "ad_orders", "ad_cost_per_order", "ad_spend_ratio", "ad_cart_adds", "ad_spend_with_cart_adds",
            "ad_cost_per_cart_add")
_REPORT_KPIS = ("report_visitors", "report_add_to_cart_users", "report_favorite_users", "report_order_buyers",
                "report_buyers", "report_gmv", "report_conversion_rate", "report_uv_value", "report_add_to_cart_rate",
                "report_favorite_rate", "report_traffic_days")
_CHANNEL_KPIS = ("channel_visitors", "channel_add_to_cart_users", "channel_conversion_rate", "channel_uv_value",
                 "channel_add_to_cart_rate")


def _unknowns(out: dict, lines, item_gmv, skus_sold, visitors, shop, ads, *, store_level: bool) -> dict:
    """Unknown, not 0: SKUs sold where items were sold and no line has a SKU id; on whole stores, figures
    built on visitors where the group has no event (visitors 0) / no platform daily report row, and figures
    of the ad reports where it has no ad row."""
    sku_gmv = _dsum(a for a, s in zip(lines.paid_amount, lines.sku_id) if s is not None and not pd.isna(s))
    out.update(sku_item_gmv=sku_gmv, sku_coverage=_per(sku_gmv, item_gmv), report_traffic_days=len(shop),
               ad_plan_days=len(ads))
    if item_gmv and not skus_sold:
        out.update(skus_sold=None, sku_sales_rate=None)
    if out["gmv"] and not out["refund_covered_gmv"]:  # no store of the group has refund data: unknown anywhere
        out.update({k: None for k in ("refund_amount", "refunded_orders", "net_sales", "gross_margin",
                                      "gross_margin_rate", "refund_rate", "refund_order_rate")})
    if store_level:
        no_events, no_report = visitors == 0, len(shop) == 0
        out.update({k: None for k in _EVENT_VISITOR_KPIS if no_events})
        out.update({k: None for k in _REPORT_KPIS if no_report})
        out.update({k: None for k in _CHANNEL_KPIS if no_events and no_report})
        out.update({k: None for k in _AD_KPIS if len(ads) == 0})
    return out


def _channel_kpis(shop, events, gmv, buyers) -> dict:
    def total(col):
        return int(shop[col].fillna(0).sum())

    def distinct(df):
        return len(df[["store_id", "visitor_id"]].drop_duplicates())

    visitors, report_buyers = total("visitors"), total("buyers")
    report_gmv = _dsum(shop.paid_amount)
    own = events[events.platform == "own"]
    site, site_cart = distinct(own), distinct(own[own.event_type == "add_to_cart"])
    return {
        "report_visitors": visitors, "report_add_to_cart_users": total("add_to_cart_users"),
        "report_favorite_users": total("favorite_users"), "report_order_buyers": total("order_buyers"),
        "report_buyers": report_buyers, "report_gmv": report_gmv,
        "report_conversion_rate": _per(report_buyers, visitors), "report_uv_value": _per_money(report_gmv, visitors),
        "report_add_to_cart_rate": _per(total("add_to_cart_users"), visitors),
        "report_favorite_rate": _per(total("favorite_users"), visitors),
        "site_visitors": site, "site_add_to_cart_users": site_cart,
        "channel_visitors": site + visitors, "channel_add_to_cart_users": site_cart + total("add_to_cart_users"),
        "channel_conversion_rate": _per(buyers, site + visitors), "channel_uv_value": _per_money(gmv, site + visitors),
        "channel_add_to_cart_rate": _per(site_cart + total("add_to_cart_users"), site + visitors),
    }


def _period_kpis(period, events, gmv, buyers) -> dict:
    def total(col):
        return int(period[col].fillna(0).sum())

    def distinct(df):
        return len(df[["store_id", "visitor_id"]].drop_duplicates())

    visitors, cart = total("visitors"), total("add_to_cart_users")
    own = events[events.platform == "own"]
    site, site_cart = distinct(own), distinct(own[own.event_type == "add_to_cart"])
    period_gmv = _dsum(period.paid_amount)
    return {
        "period_visitors": visitors, "period_add_to_cart_users": cart,
        "period_favorite_users": total("favorite_users"), "period_order_buyers": total("order_buyers"),
        "period_buyers": total("buyers"), "period_gmv": period_gmv,
        "period_conversion_rate": _per(total("buyers"), visitors), "period_uv_value": _per_money(period_gmv, visitors),
        "period_add_to_cart_rate": _per(cart, visitors), "period_favorite_rate": _per(total("favorite_users"), visitors),
        "channel_period_visitors": site + visitors, "channel_period_add_to_cart_users": site_cart + cart,
        "channel_period_conversion_rate": _per(buyers, site + visitors),
        "channel_period_uv_value": _per_money(gmv, site + visitors),
        "channel_period_add_to_cart_rate": _per(site_cart + cart, site + visitors),
    }


def oracle_values(frames, start: dt.date, end: dt.date, dim: str, stores=None) -> list[str]:
    """The values a dimension takes in the window (over every table that has it)."""
    values: set[str] = set()
    for df in oracle_tables(frames, start, end, stores).values():
        if dim in df.columns:
            values |= set(df[dim].dropna().astype(str))
    return sorted(values)


FUNNEL = [
    ("visit", lambda e: e.event_type.isin(["page_view", "product_view"])),
    ("product", lambda e: e.event_type == "product_view"),
    ("cart", lambda e: e.event_type == "add_to_cart"),
    ("checkout", lambda e: e.event_type == "checkout"),
    ("paid", lambda e: e.event_type == "purchase"),
]


def oracle_funnel(frames, start, end, *, strict: bool = True, traffic_source: str | None = None) -> list[int]:
    """Visitors reaching each step (with every earlier step when strict)."""
    e = frames["events"]
    e = e[(e.event_date >= start) & (e.event_date <= end)]
    if traffic_source is not None:
        e = e[e.traffic_source.fillna("") == traffic_source]
    did = [set(zip(e[cond(e)].store_id, e[cond(e)].visitor_id)) for _, cond in FUNNEL]
    out, reached = [], None
    for s in did:
        reached = s if (reached is None or not strict) else reached & s
        out.append(len(reached))
    return out


def oracle_cohorts(frames, start: dt.date, end: dt.date, months: int) -> dict[tuple[dt.date, int], int]:
    """(cohort month, months since) -> buyers of the cohort with a paid order that month."""
    o = frames["orders"]
    paid = o[o.paid_date.notna() & ~o.status.isin(["pending_payment", "closed"])].copy()
    paid["m"] = [d.year * 12 + d.month - 1 for d in paid.paid_date]
    first = paid.groupby(["store_id", "customer_id"]).m.min().rename("c").reset_index()
    j = paid[["store_id", "customer_id", "m"]].drop_duplicates().merge(first, on=["store_id", "customer_id"])
    lo, hi = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    j = j[(j.c >= lo) & (j.c <= hi) & (j.m - j.c <= months)]
    counts = j.groupby(["c", "m"]).size()
    return {(dt.date(c // 12, c % 12 + 1, 1), m - c): int(n) for (c, m), n in counts.items()}
