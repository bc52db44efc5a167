"""customer_facts on the seeded little store equals a pandas reading of the same frames.

The oracle below re-derives every column from the raw frames with the definitions in the
facts module docstring (paid = status not pending_payment/closed with a paid date, GMV =
sum of paid_amount, windows = the N days ending as_of); it shares no code with the module.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from shopops.customers.facts import COLUMNS, customer_categories, customer_facts, unified_customer_facts
from shopops.customers.lifecycle import RulesByStore, StageRules
from support import kpi_store

AS_OF = dt.date(2025, 11, 14)


@pytest.fixture(scope="module")
def frames():
    f = kpi_store.build()
    # one guest and one review by a known customer, so those columns are exercised
    o = f["orders"]
    guest = o.iloc[[0]].assign(order_id="OG1", customer_id="guest:OG1", status="completed",
                               paid_date=dt.date(2025, 11, 2), paid_at=pd.Timestamp("2025-11-02T04:00:00Z"))
    f["orders"] = pd.concat([o, guest], ignore_index=True)
    r = f["reviews"]
    paid = o[o.paid_date.notna()]
    reviewers = paid.iloc[:40]
    f["reviews"] = pd.concat([r, pd.DataFrame({
        "store_id": reviewers.store_id.values, "review_id": [f"VC{i}" for i in range(40)],
        "product_id": "P01", "customer_id": reviewers.customer_id.values,
        "created_at": [dt.datetime(2025, 11, 3, 3, tzinfo=dt.UTC)] * 40,
        "review_date": [dt.date(2025, 11, 3)] * 40, "rating": [1 + i % 5 for i in range(40)],
    })], ignore_index=True)
    return f


@pytest.fixture
def loaded(warehouse, frames):
    kpi_store.load_into(warehouse, frames)
    return warehouse


def oracle(frames, as_of: dt.date, window: int, rules: StageRules) -> pd.DataFrame:
    o = frames["orders"]
    paid = o[o.paid_date.notna() & ~o.status.isin(["pending_payment", "closed"])]
    paid = paid[(paid.paid_date <= as_of) & ~paid.customer_id.str.startswith("guest:")].copy()
    paid["ago"] = [(as_of - d).days for d in paid.paid_date]
    rows = []
    lines = frames["order_lines"].merge(paid[["store_id", "order_id", "customer_id"]], on=["store_id", "order_id"])
    lines = lines.merge(frames["products"][["store_id", "product_id", "category"]], on=["store_id", "product_id"], how="left")
    lines["category"] = lines.category.fillna("")
    refunds = frames["refunds"].merge(paid[["store_id", "order_id", "customer_id"]], on=["store_id", "order_id"])
    refunds = refunds[refunds.status == "success"]
    reviews = frames["reviews"][frames["reviews"].customer_id.notna() & (frames["reviews"].review_date <= as_of)] \
        if "customer_id" in frames["reviews"] else frames["reviews"].iloc[0:0]
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
            "platform": kpi_store.PLATFORM[store],
        })
    return pd.DataFrame(rows).set_index(["store_id", "customer_id"]).sort_index()


def _got(con, **kwargs) -> pd.DataFrame:
    got = customer_facts(con, **kwargs).to_pandas()
    for col in ("first_order_date", "last_order_date", "last_return_date"):
        got[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in got[col]]
    return got.set_index(["store_id", "customer_id"]).sort_index()


@pytest.mark.parametrize("window", [365, 30])
def test_facts_equal_pandas(loaded, frames, window):
    rules = StageRules(new_days=14, active_days=30, churn_days=45, vip_min_spend=Decimal("1500"), vip_min_orders=3)
    got = _got(loaded, as_of=AS_OF, window_days=window, rules=rules)
    want = oracle(frames, AS_OF, window, rules)
    assert list(got.reset_index().columns) == list(COLUMNS)
    assert list(got.index) == list(want.index)
    assert not any(c.startswith("guest:") for _, c in got.index)
    for col in want.columns:
        assert list(got[col]) == list(want[col]), col
    # every stage occurs with these rules on this data (the test can tell them apart)
    assert set(got.stage) == {"new", "active", "reactivated", "at_risk", "churned"}
    assert got.is_vip.any() and not got.is_vip.all()
    assert (got.reviews > 0).any() and (got.negative_reviews > 0).any()
    # only customers with an order in the window are scored
    assert got.r_score.isna().sum() == (want.orders_window == 0).sum()


def test_rules_per_store_and_store_filter(loaded, frames):
    strict = StageRules(new_days=14, active_days=30, churn_days=45)
    loose = StageRules(new_days=14, active_days=60, churn_days=200)
    rules = RulesByStore(strict, {"jd": loose})
    got = _got(loaded, as_of=AS_OF, rules=rules, store_ids=["jd", "tmall"])
    assert set(got.index.get_level_values(0)) == {"jd", "tmall"}
    for store, r in (("jd", loose), ("tmall", strict)):
        want = oracle(frames, AS_OF, 365, r).loc[store]
        assert list(got.loc[store].stage) == list(want.stage), store


def test_categories_and_unified(loaded, frames):
    cats = customer_categories(loaded, as_of=AS_OF).to_pandas()
    facts = _got(loaded, as_of=AS_OF, rules=StageRules())
    assert len(cats.drop_duplicates(["store_id", "customer_id"])) == len(facts)
    total = cats.groupby(["store_id", "customer_id"]).gmv.sum().sort_index()
    # lines of the seeded store add up to the order amount exactly
    assert list(total) == list(facts.gmv)
    uni = unified_customer_facts(loaded, as_of=AS_OF).to_pandas()
    assert uni.orders.sum() == facts.orders.sum() and len(uni) == len(facts)  # no unified ids in this fixture


def test_bad_input_is_named(loaded):
    with pytest.raises(ValueError, match="as_of"):
        customer_facts(loaded, as_of="2025-11-14", rules=StageRules())
    with pytest.raises(ValueError, match="window_days=0"):
        customer_facts(loaded, as_of=AS_OF, window_days=0, rules=StageRules())
    with pytest.raises(ValueError, match="active_days=90 > churn_days=30"):
        StageRules(active_days=90, churn_days=30)
