"""A random but seeded little store, as canonical Arrow tables, shared by metrics tests.

The oracle functions compute KPIs with plain pandas straight from the glossary
definitions; they share no code with the metrics layer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from shopops.warehouse.loader import load

START = dt.date(2025, 11, 1)
DAYS = 20
STORES = ["tmall", "jd"]
SH = dt.timezone(dt.timedelta(hours=8))


def build(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 900
    day = rng.integers(0, DAYS, n)
    minute = rng.integers(0, 24 * 60, n)
    local = [dt.datetime.combine(START + dt.timedelta(days=int(d)), dt.time(), SH) + dt.timedelta(minutes=int(m)) for d, m in zip(day, minute)]
    status = rng.choice(["completed", "paid", "pending_payment", "closed", "refunded"], n, p=[0.6, 0.15, 0.1, 0.05, 0.1])
    unpaid = np.isin(status, ["pending_payment", "closed"])
    cents = rng.integers(990, 59900, n)
    orders = pd.DataFrame({
        "store_id": rng.choice(STORES, n),
        "order_id": [f"O{i:05d}" for i in range(n)],
        "customer_id": [f"c{x}" for x in rng.zipf(1.6, n) % 300],  # the same ids occur in both stores
        "status": status,
        "created_at": [t.astimezone(dt.UTC) for t in local],
        "paid_at": [None if u else t.astimezone(dt.UTC) for t, u in zip(local, unpaid)],
        "paid_date": [None if u else t.date() for t, u in zip(local, unpaid)],
        "paid_amount": [Decimal(int(c)) / 100 for c in cents],
        "traffic_source": rng.choice(["search", "ads", "feed"], n),
    })
    paid = orders[orders.paid_date.notna()]
    ref = paid.sample(frac=0.15, random_state=seed)
    refunds = pd.DataFrame({
        "store_id": ref.store_id.values,
        "refund_id": [f"R{i}" for i in range(len(ref))],
        "order_id": ref.order_id.values,
        "amount": [(a / 2).quantize(Decimal("0.01")) for a in ref.paid_amount],
        "status": rng.choice(["success", "rejected"], len(ref), p=[0.8, 0.2]),
    })
    m = 6000
    eday = rng.integers(-3, DAYS + 3, m)
    events = pd.DataFrame({
        "store_id": rng.choice(STORES, m),
        "event_id": [f"E{i}" for i in range(m)],
        "visitor_id": [f"v{x}" for x in rng.integers(0, 2500, m)],
        "event_type": rng.choice(["page_view", "product_view", "add_to_cart", "purchase"], m, p=[0.4, 0.4, 0.15, 0.05]),
        "occurred_at": [dt.datetime.combine(START + dt.timedelta(days=int(d)), dt.time(12), dt.UTC) for d in eday],
        "event_date": [START + dt.timedelta(days=int(d)) for d in eday],
        "traffic_source": rng.choice(["search", "ads", "feed"], m),
    })
    k = 120
    ads = pd.DataFrame({
        "store_id": rng.choice(STORES, k),
        "date": [START + dt.timedelta(days=int(d)) for d in rng.integers(0, DAYS, k)],
        "ad_tool": rng.choice(["ztc", "jzt"], k),
        "plan_id": [f"P{i}" for i in range(k)],
        "cost": [Decimal(int(c)) / 100 for c in rng.integers(1000, 90000, k)],
        "attributed_gmv": [Decimal(int(c)) / 100 for c in rng.integers(0, 400000, k)],
    })
    return {"orders": orders, "refunds": refunds, "events": events, "ad_spend_daily": ads}


def load_into(con, frames: dict[str, pd.DataFrame]) -> None:
    for table, frame in frames.items():
        load(con, table, pa.Table.from_pandas(frame, preserve_index=False))


# --- the oracle: glossary definitions in pandas ------------------------------------

def oracle(frames, start: dt.date, end: dt.date, stores=None) -> dict:
    def window(df, col):
        d = df[df[col].notna()]
        d = d[(d[col] >= start) & (d[col] <= end)]
        return d[d.store_id.isin(stores)] if stores else d

    orders = frames["orders"]
    paid = window(orders[~orders.status.isin(["pending_payment", "closed"])], "paid_date")
    ok_refunds = frames["refunds"][frames["refunds"].status == "success"].merge(
        orders[["store_id", "order_id", "paid_date"]], on=["store_id", "order_id"]
    )
    refunds = window(ok_refunds, "paid_date")
    events = window(frames["events"], "event_date")
    ads = window(frames["ad_spend_daily"], "date")
    gmv = sum(paid.paid_amount, Decimal("0"))
    buyers = len(paid[["store_id", "customer_id"]].drop_duplicates())
    visitors = len(events[["store_id", "visitor_id"]].drop_duplicates())
    spend = sum(ads.cost, Decimal("0"))
    ad_gmv = sum(ads.attributed_gmv, Decimal("0"))
    refund_amount = sum(refunds.amount, Decimal("0"))
    return {
        "gmv": gmv,
        "paid_orders": len(paid),
        "paying_buyers": buyers,
        "visitors": visitors,
        "page_views": int(events.event_type.isin(["page_view", "product_view"]).sum()),
        "conversion_rate": buyers / visitors if visitors else None,
        "aov": (gmv / buyers).quantize(Decimal("0.01")) if buyers else None,
        "aov_per_order": (gmv / len(paid)).quantize(Decimal("0.01")) if len(paid) else None,
        "refund_amount": refund_amount,
        "refunded_orders": len(refunds[["store_id", "order_id"]].drop_duplicates()),
        "refund_rate": float(refund_amount / gmv) if gmv else None,
        "ad_spend": spend,
        "ad_gmv": ad_gmv,
        "roas": float(ad_gmv / spend) if spend else None,
    }
