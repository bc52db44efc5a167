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

from shopops.customers.facts import (
    COLUMNS, RFM_COLUMNS, customer_categories, customer_facts, lifecycle_transitions, rfm_facts,
    unified_customer_facts,
)
from shopops.customers.lifecycle import RulesByStore, StageRules
from shopops.customers.rfm import score_table
from support.customer_oracle import oracle, with_rfm
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


def _rfm_rows(con, **kwargs) -> pd.DataFrame:
    got = rfm_facts(con, **kwargs).to_pandas()
    assert list(got.columns) == list(RFM_COLUMNS)
    got["last_order_date"] = [pd.Timestamp(v).date() for v in got.last_order_date]
    return got.set_index(["store_id", "customer_id"]).sort_index()


@pytest.mark.parametrize("window", [365, 6])
def test_rfm_facts_are_the_oracles_scored_customers(loaded, frames, window):
    """The RFM page's own query (the window's orders only) scores exactly the customers with an order in
    the window, with the oracle's R, F, M, scores and group — per store."""
    rules = RulesByStore(StageRules(), {"jd": StageRules(rfm_window_days=5)})
    got = _rfm_rows(loaded, as_of=AS_OF, window_days=window, rules=rules)
    want = with_rfm(oracle(frames, AS_OF, window, StageRules()))
    want = want[want.orders_window > 0]
    assert list(got.index) == list(want.index) and len(got) > 50
    for col in ("recency_days", "orders_window", "gmv_window", "last_order_date"):
        assert list(got[col]) == list(want[col]), col
    assert list(got.r_score) == [int(v) for v in want.r] and list(got.f_score) == [int(v) for v in want.f]
    assert list(got.m_score) == [int(v) for v in want.m] and list(got.rfm_segment) == list(want.group)
    # each store's own window when none is given (jd: 5 days, the others the default 365)
    per_store = _rfm_rows(loaded, as_of=AS_OF, rules=rules)
    assert len(per_store.loc["jd"]) < len(got.loc["jd"]) or window < 365
    for store, days in (("jd", 5), ("tmall", 365)):
        want = with_rfm(oracle(frames, AS_OF, days, StageRules()))
        want = want[want.orders_window > 0].loc[store]
        assert list(per_store.loc[store].index) == list(want.index), store
        assert list(per_store.loc[store].rfm_segment) == list(want.group), store


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


def test_facts_and_transitions_on_every_engine(any_warehouse, frames):
    """The same facts (and monthly transitions) on DuckDB, PostgreSQL and Spark, equal to the oracle."""
    kpi_store.load_into(any_warehouse, frames)
    rules = StageRules(new_days=14, active_days=30, churn_days=45, vip_min_spend=Decimal("1500"), vip_min_orders=3)
    got = _got(any_warehouse, as_of=AS_OF, window_days=60, rules=rules)
    want = oracle(frames, AS_OF, 60, rules)
    for col in ("orders", "gmv", "orders_window", "gmv_window", "recency_days", "stage", "is_vip", "top_category",
                "refunds", "aov", "last_return_date"):
        assert list(got[col]) == list(want[col]), col
    scored = with_rfm(want)
    assert [None if pd.isna(v) else int(v) for v in got.r_score] == [None if pd.isna(v) else int(v) for v in scored.r]
    assert [v if isinstance(v, str) else None for v in got.rfm_segment] == list(scored.group)
    rfm = _rfm_rows(any_warehouse, as_of=AS_OF, window_days=60, rules=rules)
    in_window = scored[scored.orders_window > 0]
    assert list(rfm.index) == list(in_window.index) and list(rfm.rfm_segment) == list(in_window.group)
    t = lifecycle_transitions(any_warehouse, start=dt.date(2025, 9, 1), as_of=AS_OF, rules=rules).to_pandas()
    last = t[[pd.Timestamp(v).date() == AS_OF for v in t.month_end]]
    assert last.groupby("to_stage").customers.sum().to_dict() == want.stage.value_counts().to_dict()


@pytest.mark.parametrize("one_key", [False, True], ids=["two_columns", "one_key"])
def test_rfm_scores_by_either_join_on_every_engine(any_warehouse, frames, one_key):
    """``rfm.score_table`` joins each score back on (store, value) or on one text key of them (what
    PostgreSQL gets: its planner turned the two-column join into customers × values); both give the
    oracle's scores and groups on DuckDB, PostgreSQL and Spark."""
    kpi_store.load_into(any_warehouse, frames)
    f = rfm_facts(any_warehouse, as_of=AS_OF, window_days=60, rules=StageRules())
    base = f.select("store_id", "customer_id", "recency_days", "orders_window", "gmv_window")
    got = score_table(base, one_key=one_key).to_pandas().set_index(["store_id", "customer_id"]).sort_index()
    want = with_rfm(oracle(frames, AS_OF, 60, StageRules()))
    want = want[want.orders_window > 0]
    assert list(got.index) == list(want.index) and len(got) > 50
    assert list(got.r_score) == [int(v) for v in want.r] and list(got.f_score) == [int(v) for v in want.f]
    assert list(got.m_score) == [int(v) for v in want.m] and list(got.rfm_segment) == list(want.group)
