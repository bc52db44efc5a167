"""A small generated warehouse for the inventory pages' tests: two stores, six SKUs each (merchant
codes shared across the stores), weekly stock snapshots ending three days before ``DAY`` (with
some empty weeks) and daily paid sales — loaded through the real loader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from shopops.warehouse import loader

DAY = dt.date(2026, 11, 30)
LAST_SNAPSHOT = DAY - dt.timedelta(days=3)
STORES = ("s1", "s2")
CODES = tuple(f"M-{k}" for k in range(1, 7))
PRICE = {c: Decimal(50 + 10 * i) for i, c in enumerate(CODES)}
COST = {c: Decimal(20 + 4 * i) for i, c in enumerate(CODES)}


def sku_id(store: str, code: str) -> str:
    return f"{store}-{code}"


def build(con, seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    utc = dt.timezone.utc
    loader.load(con, "stores", pa.Table.from_pylist([
        {"store_id": s, "platform": "own", "name": f"店铺{s}", "currency": "CNY", "time_zone": "Asia/Shanghai"}
        for s in STORES]))
    loader.load(con, "products", pa.Table.from_pylist([
        {"store_id": s, "product_id": f"P-{c}", "title": f"商品{c}", "category": "女装"} for s in STORES for c in CODES]))
    loader.load(con, "skus", pa.Table.from_pylist([
        {"store_id": s, "sku_id": sku_id(s, c), "product_id": f"P-{c}", "spec": "颜色:黑", "merchant_code": c,
         "price": PRICE[c], "cost": COST[c]} for s in STORES for c in CODES]))
    snaps = []
    for s in STORES:
        for i, c in enumerate(CODES):
            d = LAST_SNAPSHOT - dt.timedelta(days=7 * 19)
            while d <= LAST_SNAPSHOT:
                on_hand = 0 if rng.random() < 0.2 else int(rng.integers(0, 400 if i % 3 == 0 else 60))
                snaps.append({"store_id": s, "date": d, "sku_id": sku_id(s, c), "on_hand": on_hand,
                              "in_transit": int(rng.integers(0, 3)) * 10})
                d += dt.timedelta(days=7)
    loader.load(con, "inventory_snapshots", pa.Table.from_pylist(snaps))
    orders, lines = [], []
    n = 0
    for s in STORES:
        for i, c in enumerate(CODES):
            rate = [0.0, 0.3, 2.0, 0.05, 5.0, 1.0][i]
            for back in range(0, 120):
                day = DAY - dt.timedelta(days=back)
                qty = int(rng.poisson(rate))
                if not qty:
                    continue
                n += 1
                oid = f"o{n}"
                paid_at = dt.datetime.combine(day, dt.time(4, 0), tzinfo=utc)
                amount = PRICE[c] * qty
                orders.append({"store_id": s, "order_id": oid, "customer_id": f"c{n % 17}", "status": "paid",
                               "created_at": paid_at, "paid_at": paid_at, "paid_date": day, "paid_amount": amount})
                lines.append({"store_id": s, "order_id": oid, "line_no": 1, "product_id": f"P-{c}",
                              "sku_id": sku_id(s, c), "quantity": qty, "paid_amount": amount, "paid_date": day})
    loader.load(con, "orders", pa.Table.from_pylist(orders))
    loader.load(con, "order_lines", pa.Table.from_pylist(lines))
    return {"snapshots": pd.DataFrame(snaps), "sales": pd.DataFrame(lines)}
