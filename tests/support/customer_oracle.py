"""A pandas reading of customer facts from raw frames (the kpi_store shape), for tests.

Definitions from the facts module docstring, written again here with plain pandas/numpy: paid =
status not pending_payment/closed with a paid date, GMV = sum of paid_amount, windows = the N
days ending as_of, stages and VIP by the lifecycle rules, RFM scores = 1 + floor(5 × strictly
worse / N) per store. Shares no code with shopops.customers.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

GRID = {  # (R, FM) -> group, typed again from the docs table
    5: ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "hibernating", "at_risk", "at_risk", "cant_lose"),
}


def score(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    v = v if higher_is_better else -v
    worse = np.searchsorted(np.sort(v), v, side="left")
    return 1 + (5 * worse) // len(v)


def with_rfm(facts: pd.DataFrame) -> pd.DataFrame:
    """Adds r/f/m scores and the group to the rows with an order in the window (per store)."""
    out = facts.copy()
    out["r"] = out["f"] = out["m"] = np.nan
    out["group"] = None
    for store in out.index.get_level_values(0).unique():
        sel = (out.index.get_level_values(0) == store) & (out.orders_window > 0)
        g = out[sel]
        if g.empty:
            continue
        r = score(g.recency_days.to_numpy(), False)
        f = score(g.orders_window.to_numpy(), True)
        m = score(np.array([float(x) for x in g.gmv_window]), True)
        out.loc[sel, "r"], out.loc[sel, "f"], out.loc[sel, "m"] = r, f, m
        out.loc[sel, "group"] = [GRID[int(a)][int((b + c) // 2) - 1] for a, b, c in zip(r, f, m)]
    return out


def oracle(frames, as_of: dt.date, window: int, rules) -> pd.DataFrame:
    o = frames["orders"]
    platforms = dict(zip(frames["stores"].store_id, frames["stores"].platform))
    paid = o[o.paid_date.notna() & ~o.status.isin(["pending_payment", "closed"])]
    paid = paid[(paid.paid_date <= as_of) & ~paid.customer_id.str.startswith("guest:")].copy()
    paid["ago"] = [(as_of - d).days for d in paid.paid_date]
    rows = []
    lines = frames["order_lines"].merge(paid[["store_id", "order_id", "customer_id"]], on=["store_id", "order_id"])
    lines = lines.merge(frames["products"][["store_id", "product_id", "category"]], on=["store_id", "product_id"], how="left")
    lines["category"] = lines.category.fillna("")
    refunds = frames["refunds"].merge(paid[["store_id", "order_id", "customer_id"]], on=["store_id", "order_id"])
    refunds = refunds[refunds.status == "success"]
    reviews = frames["reviews"]
    if "customer_id" not in reviews:
        reviews = reviews.assign(customer_id=None)
    reviews = reviews[reviews.customer_id.notna() & (reviews.review_date <= as_of)]
    for (store, cust), g in paid.groupby(["store_id", "customer_id"]):
        w = g[g.ago < window]
        y = g[g.ago < 365]
        dates = sorted(set(g.paid_date))
        returns = [d for prev, d in zip(dates, dates[1:]) if (d - prev).days >= rules.churn_days]
        first, last = dates[0], dates[-1]
        ret = returns[-1] if returns else None
        if (as_of - first).days < rules.new_days:
            stage = "new"
        elif (as_of - last).days >= rules.churn_days:
            stage = "churned"
        elif ret is not None and (as_of - ret).days < rules.active_days:
            stage = "reactivated"
        elif (as_of - last).days < rules.active_days:
            stage = "active"
        else:
            stage = "at_risk"
        cl = lines[(lines.store_id == store) & (lines.customer_id == cust)]
        by_cat = cl.groupby("category").paid_amount.apply(lambda s: sum(s, Decimal(0)))
        top = sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if len(by_cat) else None
        rf = refunds[(refunds.store_id == store) & (refunds.customer_id == cust)]
        rv = reviews[(reviews.store_id == store) & (reviews.customer_id == cust)]
        gmv_12m = sum(y.paid_amount, Decimal(0))
        rows.append({
            "store_id": store, "customer_id": cust, "first_order_date": first, "last_order_date": last,
            "orders": len(g), "gmv": sum(g.paid_amount, Decimal(0)),
            "orders_window": len(w), "gmv_window": sum(w.paid_amount, Decimal(0)),
            "orders_12m": len(y), "gmv_12m": gmv_12m,
            "recency_days": (as_of - last).days, "tenure_days": (as_of - first).days,
            "refunds": len(rf), "refund_amount": sum(rf.amount, Decimal(0)),
            "reviews": len(rv), "negative_reviews": int((rv.rating <= 2).sum()),
            "top_category": top, "stage": stage, "last_return_date": ret,
            "is_vip": gmv_12m >= rules.vip_min_spend and len(y) >= rules.vip_min_orders,
            "aov": (sum(g.paid_amount, Decimal(0)) / len(g)).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "platform": platforms.get(store),
        })
    return pd.DataFrame(rows).set_index(["store_id", "customer_id"]).sort_index()
