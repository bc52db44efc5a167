"""KPI runners equal a pandas oracle written from the glossary, on every engine."""

import datetime as dt

import pytest

from shopops.core.periods import Grain, Period
from shopops.metrics.runners import KpiQuery, query, run

from support.kpi_store import START, build, load_into, oracle

KPIS = ("gmv", "paid_orders", "paying_buyers", "visitors", "page_views", "conversion_rate", "aov",
        "aov_per_order", "refund_amount", "refunded_orders", "refund_rate", "ad_spend", "ad_gmv", "roas")
FRAMES = build()


@pytest.fixture
def store(any_warehouse):
    load_into(any_warehouse, FRAMES)
    return any_warehouse


def assert_kpis_equal(got: dict, want: dict):
    for k, v in want.items():
        if isinstance(v, float):
            assert got[k] == pytest.approx(v, rel=1e-12), k
        else:
            assert got[k] == v, k


@pytest.mark.parametrize("stores", [(), ("jd",)])
def test_period_totals_equal_the_oracle(store, stores):
    period = Period(START + dt.timedelta(days=3), START + dt.timedelta(days=16))
    result = run(KpiQuery(KPIS, period, stores=stores), con=store)
    assert_kpis_equal(result.rows[0], oracle(FRAMES, period.start, period.end, list(stores)))


def test_daily_trend_has_every_day_and_each_equals_the_oracle(store):
    period = Period(START, START + dt.timedelta(days=19))
    rows = run(KpiQuery(("gmv", "visitors", "conversion_rate"), period, grain=Grain.DAY), con=store).rows
    assert [r["bucket"] for r in rows] == period.dates()
    for r in rows:
        want = oracle(FRAMES, r["bucket"], r["bucket"])
        assert_kpis_equal(r, {k: want[k] for k in ("gmv", "visitors", "conversion_rate")})


def test_visitors_are_distinct_over_the_period_not_a_sum_of_days(store):
    period = Period(START, START + dt.timedelta(days=19))
    total = run(KpiQuery(("visitors",), period), con=store).total("visitors")
    daily = run(KpiQuery(("visitors",), period, grain=Grain.DAY), con=store).rows
    assert total == oracle(FRAMES, period.start, period.end)["visitors"]
    assert total < sum(r["visitors"] for r in daily)


def test_breakdown_by_store_sums_for_additive_kpis(store):
    period = Period(START, START + dt.timedelta(days=19))
    frame = query(["gmv", "paid_orders", "aov"], period, by=["store_id"], con=store)
    assert list(frame.store_id) == ["jd", "tmall"]
    for row in frame.itertuples():
        want = oracle(FRAMES, period.start, period.end, [row.store_id])
        assert (row.gmv, row.paid_orders, row.aov) == (want["gmv"], want["paid_orders"], want["aov"])


def test_empty_period_gives_zeros_and_undefined_ratios(store):
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 7))
    row = run(KpiQuery(("gmv", "paid_orders", "conversion_rate", "aov"), period), con=store).rows[0]
    assert (str(row["gmv"]), row["paid_orders"], row["conversion_rate"], row["aov"]) == ("0.00", 0, None, None)


def test_unknown_kpi_and_unsupported_breakdown_are_refused():
    with pytest.raises(KeyError, match="unknown KPI 'gmw'"):
        KpiQuery(("gmw",), Period(START, START))
    with pytest.raises(ValueError, match="cannot be broken down by 'ad_tool'"):
        KpiQuery(("gmv",), Period(START, START), by=("ad_tool",))
