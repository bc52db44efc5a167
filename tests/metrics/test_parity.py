"""Every KPI, dimension and runner equals the pandas oracle, on DuckDB, PostgreSQL and Spark.

One test per engine: the fixture is loaded once and every check runs on it; mismatches
are collected and reported together.

Spark runs a few seconds per query even on this little store, so on Spark the test checks
every KPI's total (one query holding every source, entity count, join and derivation), a
breakdown by a joined dimension (``customer_type``: the outer-join-on-keys path), a weekly
trend, and the runners with their own SQL (funnels, cohorts). Breakdown, comparison and
targets only compose KpiRunner queries and are checked in full on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import pytest

from shopops.core.periods import Grain, Period
from shopops.metrics.catalog import CATALOG, kpi_dimensions
from shopops.metrics.dimensions import DIMENSIONS
from shopops.metrics.runners import (
    OTHERS, BreakdownQuery, CohortQuery, ComparisonQuery, FunnelQuery, KpiQuery, TargetQuery, TargetSpec,
    TrafficFunnelQuery, run, run_breakdown, run_cohort, run_comparison, run_funnel, run_targets,
)

from support.kpi_store import (
    DAYS, HISTORY_START, START, build, load_into, oracle, oracle_cohorts, oracle_funnel, oracle_values,
)

FRAMES = build()
PERIOD = Period(START + dt.timedelta(days=3), START + dt.timedelta(days=16))
WHOLE = Period(START, START + dt.timedelta(days=DAYS - 1))
MAX_VALUES_CHECKED = 6  # per dimension (every value's presence is checked, the first ones' KPIs)


@lru_cache(maxsize=None)
def _oracle(start, end, stores=(), where=()):
    return oracle(FRAMES, start, end, list(stores) or None, dict(where))


class Mismatches(list):
    def check(self, what: str, got, want) -> None:
        if isinstance(want, float):
            ok = got is not None and got == pytest.approx(want, rel=1e-9)
        else:
            ok = got == want and type(got) is type(want) if isinstance(want, Decimal) else got == want
        if not ok:
            self.append(f"{what}: got {got!r}, want {want!r}")

    def kpis(self, what: str, row: dict, want: dict, kpis) -> None:
        for k in kpis:
            self.check(f"{what} {k}", row[k], want[k])


def test_every_kpi_dimension_and_runner_equals_the_oracle(any_warehouse):
    con = any_warehouse
    load_into(con, FRAMES)
    bad = Mismatches()
    every = tuple(CATALOG)

    spark = con.name == "pyspark"
    if spark:
        conf = con._session.conf
        partitions = conf.get("spark.sql.shuffle.partitions")
        conf.set("spark.sql.shuffle.partitions", "1")  # a few thousand rows: one task per stage
        try:
            _spark_checks(con, bad)
        finally:
            conf.set("spark.sql.shuffle.partitions", partitions)
        assert not bad, f"{len(bad)} mismatches on {con.name}:\n" + "\n".join(bad[:40])
        return

    # 1. totals of every KPI, all stores and one store
    for stores in ((), ("jd",)):
        row = run(KpiQuery(every, PERIOD, stores=stores), con=con).rows[0]
        bad.kpis(f"total stores={stores}", row, _oracle(PERIOD.start, PERIOD.end, stores), every)

    # 2. every dimension, with every KPI that supports it
    for dim in DIMENSIONS:
        kpis = tuple(k for k in CATALOG if dim in kpi_dimensions(k))
        rows = run(KpiQuery(kpis, PERIOD, by=(dim,)), con=con).rows
        bad.check(f"{dim} values", [r[dim] for r in rows], oracle_values(FRAMES, PERIOD.start, PERIOD.end, dim))
        for r in rows[:MAX_VALUES_CHECKED]:
            bad.kpis(f"{dim}={r[dim]}", r, _oracle(PERIOD.start, PERIOD.end, where=((dim, r[dim]),)), kpis)

    # 3. trend by day and by week: each bucket is its own period (new buyers: new in the bucket)
    trend_kpis = ("gmv", "visitors", "conversion_rate", "new_buyers", "bounce_rate", "units_sold", "positive_rate",
                  "sell_through")
    days = run(KpiQuery(trend_kpis, WHOLE, grain=Grain.DAY), con=con).rows
    bad.check("daily buckets", [r["bucket"] for r in days], WHOLE.dates())
    for r in days:
        bad.kpis(f"day {r['bucket']}", r, _oracle(r["bucket"], r["bucket"]), trend_kpis)
    weeks = run(KpiQuery(trend_kpis, PERIOD, grain=Grain.WEEK), con=con).rows
    for r in weeks:
        start = max(r["bucket"], PERIOD.start)
        end = min(r["bucket"] + dt.timedelta(days=6), PERIOD.end)
        bad.kpis(f"week {r['bucket']}", r, _oracle(start, end), trend_kpis)

    # 4. breakdown: top 2 + others (others by exclusion, right for distinct counts too; with
    #    additive measures only, others and the total are added up from the groups)
    for dim, kpis in (("category", ("item_gmv", "units_sold", "avg_unit_price", "skus_sold")),
                      ("province", ("avg_unit_price", "item_gmv", "units_sold")),
                      ("traffic_source", ("visitors", "add_to_cart_users", "bounce_rate"))):
        result = run_breakdown(BreakdownQuery(kpis, PERIOD, dim, top=2), con=con)
        values = {v: _oracle(PERIOD.start, PERIOD.end, where=((dim, v),))[kpis[0]]
                  for v in oracle_values(FRAMES, PERIOD.start, PERIOD.end, dim)}
        top = sorted(values, key=lambda v: (-values[v], v))[:2]
        bad.check(f"breakdown {dim} order", [r.value for r in result.rows], [*top, OTHERS])
        for r in result.rows:
            where = (dim, ("not", tuple(top))) if r.is_others else (dim, r.value)
            bad.kpis(f"breakdown {dim}={r.value}", r.values, _oracle(PERIOD.start, PERIOD.end, where=(where,)), kpis)
        bad.kpis(f"breakdown {dim} total", result.total, _oracle(PERIOD.start, PERIOD.end), kpis)

    # 5. comparison with the previous period and last year (no data then: zeros, undefined ratios)
    current = Period(START + dt.timedelta(days=10), START + dt.timedelta(days=19))
    comp = run_comparison(ComparisonQuery(("gmv", "paying_buyers", "conversion_rate"), current), con=con)
    now, before = _oracle(current.start, current.end), _oracle(START, START + dt.timedelta(days=9))
    for k in ("gmv", "paying_buyers", "conversion_rate"):
        row = comp.row(k)
        bad.check(f"comparison {k} current", row.current, now[k])
        bad.check(f"comparison {k} previous", row.changes["previous"].base, before[k])
        bad.check(f"comparison {k} rate", row.changes["previous"].relative,
                  float((Decimal(str(now[k])) - Decimal(str(before[k]))) / Decimal(str(before[k]))))
        bad.check(f"comparison {k} last year", row.changes["last_year"].relative, None)

    # 6. funnels: strict and per step, all sources and by source; the platform traffic funnel
    for strict in (True, False):
        result = run_funnel(FunnelQuery(WHOLE, by_traffic_source=True, strict=strict), con=con)
        for source in ("", "ads", "feed", "search"):
            bad.check(f"funnel strict={strict} {source!r}", [r.visitors for r in result.steps(source)],
                      oracle_funnel(FRAMES, WHOLE.start, WHOLE.end, strict=strict, traffic_source=source))
    overall = run_funnel(FunnelQuery(WHOLE), con=con).steps()
    want = oracle_funnel(FRAMES, WHOLE.start, WHOLE.end)
    bad.check("funnel overall", [r.visitors for r in overall], want)
    bad.check("funnel rates", [(r.step_rate, r.overall_rate) for r in overall],
              [(None if i == 0 else want[i] / want[i - 1], want[i] / want[0]) for i in range(len(want))])
    traffic = run_funnel(TrafficFunnelQuery(PERIOD), con=con).steps()
    t = FRAMES["traffic_daily"]
    t = t[(t.date >= PERIOD.start) & (t.date <= PERIOD.end)]
    bad.check("traffic funnel", [r.visitors for r in traffic],
              [int(t.visitors.sum()), int(t.add_to_cart_users.sum()), int(t.buyers.sum())])

    # 7. cohorts
    cohorts = run_cohort(CohortQuery(Period(HISTORY_START, WHOLE.end), months=3), con=con)
    want_cells = oracle_cohorts(FRAMES, HISTORY_START, WHOLE.end, 3)
    bad.check("cohort cells", {(c.cohort, c.months_since): c.customers for c in cohorts.cells if c.customers},
              want_cells)
    for c in cohorts.cells:
        bad.check(f"cohort rate {c.cohort} +{c.months_since}", c.rate, c.customers / want_cells[(c.cohort, 0)])

    # 8. targets: achievement and run-rate projection, additive vs ratio KPIs
    as_of = START + dt.timedelta(days=9)
    specs = (TargetSpec("", "gmv", START, Decimal("500000")), TargetSpec("jd", "conversion_rate", START, Decimal("0.5")))
    progress = run_targets(TargetQuery(month=START, as_of=as_of, targets=specs), con=con).rows
    so_far, jd = _oracle(START, as_of), _oracle(START, as_of, ("jd",))
    bad.check("target gmv actual", progress[0].actual, so_far["gmv"])
    bad.check("target gmv projection", progress[0].projection, (so_far["gmv"] / 10 * 30).quantize(Decimal("0.01")))
    bad.check("target gmv achievement", progress[0].achievement, float(so_far["gmv"] / Decimal("500000")))
    bad.check("target jd conversion projection", progress[1].projection, jd["conversion_rate"])

    assert not bad, f"{len(bad)} mismatches on {con.name}:\n" + "\n".join(bad[:40])


def _spark_checks(con, bad: Mismatches) -> None:
    every = tuple(CATALOG)
    bad.kpis("total", run(KpiQuery(every, PERIOD), con=con).rows[0], _oracle(PERIOD.start, PERIOD.end), every)
    kpis = ("gmv", "new_buyers", "returning_buyers", "refund_rate")
    for r in run(KpiQuery(kpis, PERIOD, by=("customer_type",)), con=con).rows:
        bad.kpis(f"customer_type={r['customer_type']}", r,
                 _oracle(PERIOD.start, PERIOD.end, where=(("customer_type", r["customer_type"]),)), kpis)
    kpis = ("gmv", "new_buyers")  # week truncation and new-in-the-bucket
    for r in run(KpiQuery(kpis, PERIOD, grain=Grain.WEEK), con=con).rows:
        start, end = max(r["bucket"], PERIOD.start), min(r["bucket"] + dt.timedelta(days=6), PERIOD.end)
        bad.kpis(f"week {r['bucket']}", r, _oracle(start, end), kpis)
    result = run_funnel(FunnelQuery(WHOLE, by_traffic_source=True), con=con)
    for source in ("", "ads"):
        bad.check(f"funnel {source!r}", [r.visitors for r in result.steps(source)],
                  oracle_funnel(FRAMES, WHOLE.start, WHOLE.end, traffic_source=source))
    traffic = run_funnel(TrafficFunnelQuery(PERIOD), con=con).steps()
    t = FRAMES["traffic_daily"]
    t = t[(t.date >= PERIOD.start) & (t.date <= PERIOD.end)]
    bad.check("traffic funnel", [r.visitors for r in traffic],
              [int(t.visitors.sum()), int(t.add_to_cart_users.sum()), int(t.buyers.sum())])
    cohorts = run_cohort(CohortQuery(Period(HISTORY_START, WHOLE.end), months=3), con=con)
    bad.check("cohort cells", {(c.cohort, c.months_since): c.customers for c in cohorts.cells if c.customers},
              oracle_cohorts(FRAMES, HISTORY_START, WHOLE.end, 3))
