"""A seeded two-store shop for the audience tests (segments, outreach), and pandas oracles.

Stores ``tmall`` (platform tmall) and ``jd`` (platform jd); 300 customers per store with a
province each; 0–7 orders per customer between 2024-12-01 and AS_OF (some unpaid, some
refunded), lines on products of three categories (and one product without a category).
Guests (``guest:…``) buy too and are never customers. ``post_send_orders`` makes the
orders that arrive after a send (a higher chance for the treatment group).

The oracles below use only pandas over these frames and the glossary's definitions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from shopops.warehouse.loader import load

AS_OF = dt.date(2025, 11, 30)
FIRST = dt.date(2024, 12, 1)
SH = dt.timezone(dt.timedelta(hours=8))
STORES = {"tmall": "tmall", "jd": "jd"}
PROVINCES = ["浙江", "广东", "江苏", "上海", "四川"]
CATEGORIES = ["服装", "鞋靴", "配饰", None]
UNPAID = ("pending_payment", "closed")


def _money(cents: int) -> Decimal:
    return Decimal(int(cents)) / 100


def build(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame({"store_id": list(STORES), "platform": list(STORES.values()),
                           "name": ["天猫旗舰店", "京东自营店"], "currency": "CNY", "time_zone": "Asia/Shanghai"})
    products = pd.DataFrame([{"store_id": s, "product_id": f"P{i}", "category": CATEGORIES[i % 4], "status": "on_sale"}
                             for s in STORES for i in range(8)])
    customers, orders, lines = [], [], []
    span = (AS_OF - FIRST).days
    k = 0
    for s in STORES:
        for c in range(300):
            cid = f"c{c:04d}"
            customers.append({"store_id": s, "customer_id": cid, "province": PROVINCES[int(rng.integers(0, 5))]})
            for _ in range(int(rng.integers(0, 8))):
                day = FIRST + dt.timedelta(days=int(rng.integers(0, span + 1)))
                k += 1
                orders.append(_order(rng, s, f"O{k:06d}", cid, day))
        for g in range(20):
            k += 1
            orders.append(_order(rng, s, f"O{k:06d}", f"guest:G{g}", AS_OF - dt.timedelta(days=int(rng.integers(0, 100)))))
    for o in orders:
        for ln in range(int(rng.integers(1, 3))):
            lines.append({"store_id": o["store_id"], "order_id": o["order_id"], "line_no": ln + 1,
                          "product_id": f"P{int(rng.integers(0, 8))}", "quantity": 1,
                          "paid_amount": o["paid_amount"] if ln == 0 else Decimal("0.00"), "paid_date": o["paid_date"]})
    return {"stores": stores, "products": products, "customers": pd.DataFrame(customers),
            "orders": pd.DataFrame(orders), "order_lines": pd.DataFrame(lines)}


def _order(rng, store_id: str, order_id: str, customer_id: str, day: dt.date, *, status: str | None = None) -> dict:
    status = status or str(rng.choice(["completed", "paid", "refunded", "pending_payment", "closed"],
                                      p=[0.7, 0.1, 0.05, 0.1, 0.05]))
    at = dt.datetime.combine(day, dt.time(), SH) + dt.timedelta(minutes=int(rng.integers(0, 24 * 60)))
    paid = status not in UNPAID
    return {"store_id": store_id, "order_id": order_id, "customer_id": customer_id, "status": status,
            "created_at": at.astimezone(dt.UTC), "paid_at": at.astimezone(dt.UTC) if paid else None,
            "paid_date": day if paid else None, "paid_amount": _money(rng.integers(2000, 60000)),
            "province": PROVINCES[int(rng.integers(0, 5))]}


def load_frames(con, frames: dict[str, pd.DataFrame]) -> None:
    for table, frame in frames.items():
        load(con, table, pa.Table.from_pandas(frame, preserve_index=False))


def post_send_orders(groups: pd.DataFrame, *, sent_at: dt.datetime, seed: int = 5) -> pd.DataFrame:
    """Orders after a send: treatment buys with p=0.35, holdout p=0.2, others p=0.2; some land
    after the 14-day window, some are unpaid, and a few land just before the send."""
    rng = np.random.default_rng(seed)
    rows = []
    k = 0
    for g in groups.itertuples():
        p = 0.35 if g.group == "treatment" else 0.2
        for _ in range(int(rng.binomial(3, p))):
            k += 1
            offset = dt.timedelta(hours=float(rng.uniform(-24, 20 * 24)))  # -1 day .. +20 days
            at = (sent_at + offset).astimezone(SH)
            o = _order(rng, g.store_id, f"N{k:06d}", g.customer_id, at.date())
            o["created_at"] = at.astimezone(dt.UTC)
            o["paid_at"] = at.astimezone(dt.UTC) if o["paid_at"] is not None else None
            rows.append(o)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ oracles
def paid(frames, as_of: dt.date = AS_OF) -> pd.DataFrame:
    o = frames["orders"]
    o = o[~o.status.isin(UNPAID) & o.paid_date.notna() & ~o.customer_id.str.startswith("guest:")]
    return o[o.paid_date <= as_of]


def per_customer(frames, as_of: dt.date = AS_OF) -> pd.DataFrame:
    """store_id, customer_id, orders, gmv (Decimal), recency_days, province, platform, categories (set)."""
    p = paid(frames, as_of)
    g = p.groupby(["store_id", "customer_id"])
    out = pd.DataFrame({
        "orders": g.size(),
        "gmv": g.paid_amount.apply(lambda s: sum(s, Decimal("0"))),
        "recency_days": g.paid_date.max().map(lambda d: (as_of - d).days),
    }).reset_index()
    out = out.merge(frames["customers"][["store_id", "customer_id", "province"]], how="left")
    out = out.merge(frames["stores"][["store_id", "platform"]], how="left")
    lines = frames["order_lines"].merge(p[["store_id", "order_id", "customer_id"]]).merge(
        frames["products"][["store_id", "product_id", "category"]])
    cats = lines[lines.category.notna()].groupby(["store_id", "customer_id"]).category.apply(set)
    out = out.merge(cats.rename("categories").reset_index(), how="left")
    out["categories"] = out.categories.map(lambda v: v if isinstance(v, set) else set())
    return out
