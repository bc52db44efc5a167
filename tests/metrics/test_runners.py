"""Runner behaviour on DuckDB: shapes, zeros, errors, caching, lookup. Numbers vs the oracle: test_parity.py."""

import datetime as dt
from decimal import Decimal

import pytest

from shopops import metrics
from shopops.core.periods import Grain, Period
from shopops.metrics.runners import (
    OTHERS, RUNNERS, BreakdownQuery, CohortQuery, ComparisonQuery, Filter, FunnelQuery, KpiQuery,
    KpiRunner, TargetQuery, TargetSpec, TrafficFunnelQuery, StoreFunnelQuery, run_query,
)
from shopops.metrics.cache import LocalCache

from support.kpi_store import DAYS, START, build, load_into, oracle, oracle_cohorts, oracle_funnel

FRAMES = build()
WHOLE = Period(START, START + dt.timedelta(days=DAYS - 1))


@pytest.fixture
def store(warehouse):
    load_into(warehouse, FRAMES)
    return warehouse


def test_trend_has_every_bucket_and_visitors_are_distinct_over_the_period(store):
    total = run_query(KpiQuery(("visitors",), WHOLE), con=store).total("visitors")
    daily = run_query(KpiQuery(("visitors",), WHOLE, grain=Grain.DAY), con=store).rows
    weekly = run_query(KpiQuery(("visitors",), WHOLE, grain=Grain.WEEK), con=store).rows
    monthly = run_query(KpiQuery(("visitors",), WHOLE, grain="month"), con=store).rows
    assert [r["bucket"] for r in daily] == WHOLE.dates()
    assert [r["bucket"] for r in weekly] == [dt.date(2025, 10, 27) + dt.timedelta(weeks=i) for i in range(4)]
    assert [r["bucket"] for r in monthly] == [dt.date(2025, 11, 1)] and monthly[0]["visitors"] == total
    assert total == oracle(FRAMES, WHOLE.start, WHOLE.end)["visitors"] < sum(r["visitors"] for r in daily)


def test_query_returns_a_frame_accepts_aliases_and_filters(store):
    frame = metrics.query(["gmv", "paid_orders", "aov"], WHOLE, by=["store"], con=store)
    assert list(frame.columns) == ["store_id", "gmv", "paid_orders", "aov"]
    assert list(frame.store_id) == ["jd", "tmall", "tmall2"]
    tmall = metrics.query(["gmv"], str(WHOLE), filters={"platform": "tmall"}, con=store)
    want = sum((oracle(FRAMES, WHOLE.start, WHOLE.end, [s])["gmv"] for s in ("tmall", "tmall2")), Decimal(0))
    assert tmall.gmv[0] == want
    assert sum(frame.gmv) == oracle(FRAMES, WHOLE.start, WHOLE.end)["gmv"]


def test_empty_period_gives_zeros_and_undefined_ratios(store):
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 7))
    row = run_query(KpiQuery(("gmv", "paid_orders", "conversion_rate", "aov", "gross_margin", "new_buyers"), period), con=store).rows[0]
    assert (str(row["gmv"]), row["paid_orders"], row["conversion_rate"], row["aov"], str(row["gross_margin"]),
            row["new_buyers"]) == ("0.00", 0, None, None, "0.00", 0)


def test_unknown_kpi_unsupported_breakdown_and_unknown_dimension_are_refused():
    with pytest.raises(KeyError, match="unknown KPI 'gmw'"):
        KpiQuery(("gmw",), Period(START, START))
    with pytest.raises(ValueError, match="cannot be broken down by 'ad_tool'"):
        KpiQuery(("gmv",), Period(START, START), by=("ad_tool",))
    with pytest.raises(ValueError, match="cannot be broken down by 'category'"):
        KpiQuery(("gmv",), Period(START, START), filters=(Filter("category", ("x",)),))
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        KpiQuery(("gmv",), Period(START, START), by=("colour",))


def test_breakdown_without_more_values_than_top_has_no_others(store):
    result = run_query(BreakdownQuery(("gmv", "aov"), WHOLE, "store", top=5), con=store)
    gmv = {s: oracle(FRAMES, WHOLE.start, WHOLE.end, [s])["gmv"] for s in ("tmall", "jd", "tmall2")}
    assert [r.value for r in result.rows] == sorted(gmv, key=lambda s: -gmv[s])
    assert OTHERS not in [r.value for r in result.rows]
    assert [r.values["gmv"] for r in result.rows] == sorted(gmv.values(), reverse=True)
    assert sum(r.share for r in result.rows) == pytest.approx(1.0)
    assert result.to_frame().columns.tolist() == ["store_id", "gmv", "aov", "share"]


def test_cache_hits_until_the_data_change(store):
    cache = LocalCache()
    q = KpiQuery(("gmv",), WHOLE)
    first = KpiRunner(q, con=store, cache=cache, capture_sql=True).calculate()
    second = KpiRunner(q, con=store, cache=cache, capture_sql=True).calculate()
    assert (first.cached, second.cached, second.rows) == (False, True, first.rows)
    assert first.cache_key == second.cache_key and first.timings["execute:kpis"] > 0 and "SELECT" in first.sql["kpis"]
    import pyarrow as pa

    from shopops.warehouse.loader import load

    extra = FRAMES["orders"].iloc[:1].assign(order_id="NEW1", status="paid", paid_date=START)
    load(store, "orders", pa.Table.from_pandas(extra, preserve_index=False))
    third = KpiRunner(q, con=store, cache=cache).calculate()
    assert (third.cached, third.cache_key != first.cache_key) == (False, True)
    assert third.rows[0]["gmv"] == first.rows[0]["gmv"] + extra.paid_amount.iloc[0]


def test_runners_use_the_shared_cache_by_default_and_a_load_of_another_table_misses_it(store):
    """Without ``cache=``: a repeat is served from the one cache; loading (any write path goes
    through the loader) a table the runner reads changes the data version; the next read sees it."""
    import pyarrow as pa

    from shopops.warehouse.loader import load
    from shopops.warehouse.versions import data_version

    q = BreakdownQuery(("item_gmv",), WHOLE, "category", top=None)
    first, again = run_query(q, con=store), run_query(q, con=store)
    assert (first.cached, again.cached) == (False, True) and again.rows == first.rows
    redemption = {"store_id": "jd", "code": "C1", "coupon_id": "K1", "order_id": "O1", "business_date": START,
                  "redeemed_at": dt.datetime(2025, 11, 1, 4, tzinfo=dt.UTC)}
    load(store, "coupon_redemptions", pa.Table.from_pylist([redemption]))  # no KPI reads it: still a hit
    assert run_query(q, con=store).cached
    before = data_version(store, ("products",))
    relabel = FRAMES["products"].iloc[[1]].assign(category="新类目")  # a product moves to a new category
    load(store, "products", pa.Table.from_pandas(relabel, preserve_index=False))
    assert data_version(store, ("products",)) != before
    after = run_query(q, con=store)
    assert not after.cached and "新类目" in [r.value for r in after.rows]
    moved = oracle(FRAMES, WHOLE.start, WHOLE.end, where={"product_id": relabel.product_id.iloc[0]},
                   stores=[relabel.store_id.iloc[0]])["item_gmv"]
    assert {r.value: r.values["item_gmv"] for r in after.rows}["新类目"] == moved
    assert run_query(q, con=store, cache=False).cached is False


def test_every_runner_is_found_by_query_type_and_answers_like_the_oracle(store):
    assert {r.kind for r in RUNNERS.values()} == {
        "kpis", "breakdown", "comparison", "funnel", "traffic_funnel", "store_funnel", "cohort", "targets"}
    want = oracle(FRAMES, WHOLE.start, WHOLE.end)
    assert run_query(KpiQuery(("gmv",), WHOLE), con=store).total("gmv") == want["gmv"]
    by_store = run_query(BreakdownQuery(("gmv",), WHOLE, "store_id"), con=store)
    assert {r.value: r.values["gmv"] for r in by_store.rows} == {
        s: oracle(FRAMES, WHOLE.start, WHOLE.end, [s])["gmv"] for s in ("tmall", "jd", "tmall2")}
    comparison = run_query(ComparisonQuery(("gmv",), WHOLE), con=store).row("gmv")
    before = WHOLE.previous()
    assert (comparison.current, comparison.changes["previous"].base) == (
        want["gmv"], oracle(FRAMES, before.start, before.end)["gmv"])
    funnel = run_query(FunnelQuery(WHOLE), con=store).steps()
    assert [r.visitors for r in funnel] == oracle_funnel(FRAMES, WHOLE.start, WHOLE.end)
    traffic = FRAMES["traffic_daily"]
    traffic = traffic[(traffic.date >= WHOLE.start) & (traffic.date <= WHOLE.end)]
    assert [r.visitors for r in run_query(TrafficFunnelQuery(WHOLE), con=store).steps()] == [
        int(traffic.visitors.sum()), int(traffic.add_to_cart_users.sum()), int(traffic.buyers.sum())]
    # the platform store funnel: sums of the store reports' days; payment measured against the orders
    shop = FRAMES["shop_traffic_daily"]
    shop = shop[(shop.date >= WHOLE.start) & (shop.date <= WHOLE.end)]
    steps = run_query(StoreFunnelQuery(WHOLE), con=store).rows
    want_steps = [int(shop[c].fillna(0).sum()) for c in
                  ("visitors", "add_to_cart_users", "favorite_users", "order_buyers", "buyers")]
    assert [r.visitors for r in steps] == want_steps
    assert steps[-1].step_rate == pytest.approx(want_steps[4] / want_steps[3])
    assert steps[2].step_rate == pytest.approx(want_steps[2] / want_steps[0])  # favourites vs visitors
    cohorts = run_query(CohortQuery(WHOLE, months=1), con=store).cells
    assert {(c.cohort, c.months_since): c.customers for c in cohorts if c.customers} == oracle_cohorts(
        FRAMES, WHOLE.start, WHOLE.end, 1)
    spec = TargetSpec("", "gmv", START, Decimal("1000"))
    target = run_query(TargetQuery(month=START, as_of=START, targets=(spec,)), con=store).rows[0]
    assert target.actual == oracle(FRAMES, START, START)["gmv"]
    with pytest.raises(TypeError, match="no runner for str"):
        run_query("gmv", con=store)


def test_targets_before_the_month_starts_have_no_projection(store):
    spec = TargetSpec("", "gmv", START, Decimal("1000"))
    row = run_query(TargetQuery(month=START, as_of=START - dt.timedelta(days=1), targets=(spec,)), con=store).rows[0]
    assert (row.actual, row.projection, row.on_track, row.days_elapsed, row.days_in_month) == (None, None, None, 0, 30)


@pytest.mark.django_db
def test_targets_are_read_from_the_app_db_and_passed_in(store):
    from shopops.metrics.services import target_set

    target_set(kpi="gmv", month=dt.date(2025, 11, 17), value="100000")
    target_set(kpi="gmv", month=START, value="200000")  # replaces
    target_set(kpi="paid_orders", month=START, value=10, store_id="jd")
    with pytest.raises(KeyError):
        target_set(kpi="gmw", month=START, value=1)
    from shopops.metrics.selectors import target_specs

    specs = target_specs(month=START)
    rows = run_query(TargetQuery(month=START, as_of=START + dt.timedelta(days=14), targets=specs), con=store).rows
    assert [(r.target.store_id, r.target.kpi, r.target.value) for r in rows] == [
        ("", "gmv", Decimal("200000")), ("jd", "paid_orders", Decimal("10"))]
    want = oracle(FRAMES, START, START + dt.timedelta(days=14), ["jd"])["paid_orders"]
    assert (rows[1].actual, rows[1].projection, rows[1].on_track) == (want, want * 2.0, want * 2 >= 10)


def test_cohorts_over_many_months_equal_a_hand_count_in_both_shapes(any_warehouse, monkeypatch):
    """The cohort runner's one-pass shape (a month mask per buyer, DuckDB/PostgreSQL) and its join shape (Spark,
    or a span of months too long for the mask) count the same buyers as pandas over the same orders: buyers who
    started before the cohorts, months beyond ``months``, a pending order, two orders in one month."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from shopops.metrics.runners import cohort
    from shopops.metrics.runners.base import compiled
    from shopops.warehouse.loader import load

    rng = np.random.default_rng(13)
    rows = []
    for i in range(300):
        store, first = ("s1", "s2")[i % 2], int(rng.integers(0, 30))  # first month: 2023-07 + first
        for n in range(int(rng.integers(1, 8))):
            month = first + (0 if n == 0 else int(rng.integers(0, 30)))
            if month >= 30:
                continue
            day = dt.date(2023 + (6 + month) // 12, (6 + month) % 12 + 1, 1 + int(rng.integers(0, 28)))
            at = dt.datetime(day.year, day.month, day.day, 3, tzinfo=dt.UTC)
            status = "pending_payment" if n == 1 and i % 7 == 0 else "paid"
            rows.append({"store_id": store, "order_id": f"o{i}-{n}", "customer_id": f"c{i}", "status": status,
                         "created_at": at, "paid_at": at if status == "paid" else None,
                         "paid_date": day if status == "paid" else None, "paid_amount": Decimal("10.00")})
    load(any_warehouse, "orders", pa.Table.from_pylist(rows))
    frames = {"orders": pd.DataFrame(rows)}
    cases = [(Period(dt.date(2024, 3, 1), dt.date(2025, 2, 28)), 11),  # mask: 12 cohorts + 11 months
             (Period(dt.date(2024, 1, 1), dt.date(2024, 6, 30)), 3),
             (Period(dt.date(2019, 1, 1), dt.date(2025, 12, 31)), 24)]  # 84 + 24 months: the join shape
    masked = any_warehouse.name in cohort.MASK_ENGINES  # Spark: the join shape only
    assert [cohort.CohortRunner(CohortQuery(p, months=k), con=any_warehouse)._masked() for p, k in cases] == [
        masked, masked, False]
    for period, months in cases:
        want = oracle_cohorts(frames, period.start, period.end, months)
        assert len(want) > 10 and max(k for _, k in want) == months
        got = run_query(CohortQuery(period, months=months), con=any_warehouse, cache=False).cells
        assert {(c.cohort, c.months_since): c.customers for c in got if c.customers} == want, period
        with monkeypatch.context() as m:
            m.setattr(cohort, "MASK_ENGINES", ())
            compiled.clear()  # the SQL compiled per query
            joined = run_query(CohortQuery(period, months=months), con=any_warehouse, cache=False).cells
        compiled.clear()
        assert joined == got, period
