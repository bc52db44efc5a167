"""Runner behaviour on DuckDB: shapes, zeros, errors, caching, lookup. Numbers vs the oracle: test_parity.py."""

import datetime as dt
from decimal import Decimal

import pytest

from shopops import metrics
from shopops.core.periods import Grain, Period
from shopops.metrics.runners import (
    OTHERS, RUNNERS, BreakdownQuery, CohortQuery, ComparisonQuery, DictCache, Filter, FunnelQuery, KpiQuery,
    KpiRunner, TargetQuery, TargetSpec, TrafficFunnelQuery, run, run_query,
)

from support.kpi_store import DAYS, START, build, load_into, oracle

FRAMES = build()
WHOLE = Period(START, START + dt.timedelta(days=DAYS - 1))


@pytest.fixture
def store(warehouse):
    load_into(warehouse, FRAMES)
    return warehouse


def test_trend_has_every_bucket_and_visitors_are_distinct_over_the_period(store):
    total = run(KpiQuery(("visitors",), WHOLE), con=store).total("visitors")
    daily = run(KpiQuery(("visitors",), WHOLE, grain=Grain.DAY), con=store).rows
    weekly = run(KpiQuery(("visitors",), WHOLE, grain=Grain.WEEK), con=store).rows
    monthly = run(KpiQuery(("visitors",), WHOLE, grain="month"), con=store).rows
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
    row = run(KpiQuery(("gmv", "paid_orders", "conversion_rate", "aov", "gross_margin", "new_buyers"), period), con=store).rows[0]
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
    assert [r.value for r in result.rows] == sorted((r.value for r in result.rows), key=lambda v: -result.rows[[x.value for x in result.rows].index(v)].values["gmv"])
    assert OTHERS not in [r.value for r in result.rows]
    assert sum(r.share for r in result.rows) == pytest.approx(1.0)
    assert result.to_frame().columns.tolist() == ["store_id", "gmv", "aov", "share"]


def test_cache_hits_until_the_data_change(store):
    cache = DictCache()
    q = KpiQuery(("gmv",), WHOLE)
    first = KpiRunner(q, con=store, cache=cache, capture_sql=True).calculate()
    second = KpiRunner(q, con=store, cache=cache).calculate()
    assert (first.cached, second.cached, second.rows) == (False, True, first.rows)
    assert first.cache_key == second.cache_key and first.timings["execute:kpis"] > 0 and "SELECT" in first.sql["kpis"]
    import pyarrow as pa

    from shopops.warehouse.loader import load

    extra = FRAMES["orders"].iloc[:1].assign(order_id="NEW1", status="paid", paid_date=START)
    load(store, "orders", pa.Table.from_pandas(extra, preserve_index=False))
    third = KpiRunner(q, con=store, cache=cache).calculate()
    assert (third.cached, third.cache_key != first.cache_key) == (False, True)
    assert third.rows[0]["gmv"] == first.rows[0]["gmv"] + extra.paid_amount.iloc[0]


def test_every_runner_is_registered_and_found_by_query_type(store):
    assert set(RUNNERS) == {"kpis", "breakdown", "comparison", "funnel", "traffic_funnel", "cohort", "targets"}
    queries = [KpiQuery(("gmv",), WHOLE), BreakdownQuery(("gmv",), WHOLE, "store_id"),
               ComparisonQuery(("gmv",), WHOLE), FunnelQuery(WHOLE), TrafficFunnelQuery(WHOLE),
               CohortQuery(WHOLE), TargetQuery(month=START, as_of=START, targets=())]
    for q in queries:
        result = run_query(q, con=store)
        assert result.seconds > 0 and result.to_frame() is not None, type(q)


def test_targets_before_the_month_starts_have_no_projection(store):
    spec = TargetSpec("", "gmv", START, Decimal("1000"))
    row = run_query(TargetQuery(month=START, as_of=START - dt.timedelta(days=1), targets=(spec,)), con=store).rows[0]
    assert (row.actual, row.projection, row.on_track, row.days_elapsed, row.days_in_month) == (None, None, None, 0, 30)


@pytest.mark.django_db
def test_targets_are_read_from_the_app_db(store):
    from shopops.metrics.services import target_set

    target_set(kpi="gmv", month=dt.date(2025, 11, 17), value="100000")
    target_set(kpi="gmv", month=START, value="200000")  # replaces
    target_set(kpi="paid_orders", month=START, value=10, store_id="jd")
    with pytest.raises(KeyError):
        target_set(kpi="gmw", month=START, value=1)
    rows = run_query(TargetQuery(month=START, as_of=START + dt.timedelta(days=14)), con=store).rows
    assert [(r.target.store_id, r.target.kpi, r.target.value) for r in rows] == [
        ("", "gmv", Decimal("200000")), ("jd", "paid_orders", Decimal("10"))]
    want = oracle(FRAMES, START, START + dt.timedelta(days=14), ["jd"])["paid_orders"]
    assert (rows[1].actual, rows[1].projection, rows[1].on_track) == (want, want * 2.0, want * 2 >= 10)
