"""Every KPI, dimension and runner equals the pandas oracle, on DuckDB, PostgreSQL and Spark.

The store is loaded once per engine (``module_warehouse``); each case is its own test, so a
failure names the case and the engine. The store carries a copy of its 20 days one year
earlier (``with_last_year``), so the comparison with the same period last year is checked
against real numbers. A case that an engine cannot run is declared on that engine with
``xfail(raises=<the exact exception>, strict=True)`` (:func:`gap`): when the engine learns
it, the test fails and the mark must go.
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
    TrafficFunnelQuery, run_query,
)

from support.kpi_store import (
    DAYS, HISTORY_START, START, build, load_into, oracle, oracle_cohorts, oracle_funnel, oracle_values,
    with_last_year,
)

FRAMES = with_last_year(build())
PERIOD = Period(START + dt.timedelta(days=3), START + dt.timedelta(days=16))
WHOLE = Period(START, START + dt.timedelta(days=DAYS - 1))
MAX_VALUES_CHECKED = 6  # per dimension (every value's presence is checked, the first ones' KPIs)
EVERY = tuple(CATALOG)

# Known gaps: (engine, test name) -> the exception that engine raises on that case.
GAPS: dict[tuple[str, str], type[BaseException]] = {}


@lru_cache(maxsize=None)
def _oracle(start, end, stores=(), where=()):
    return oracle(FRAMES, start, end, list(stores) or None, dict(where))


@pytest.fixture(scope="module")
def con(module_warehouse):
    con = module_warehouse
    load_into(con, FRAMES)
    if con.name == "pyspark":
        conf = con._session.conf
        partitions = conf.get("spark.sql.shuffle.partitions")
        conf.set("spark.sql.shuffle.partitions", "1")  # a few thousand rows: one task per stage
        yield con
        conf.set("spark.sql.shuffle.partitions", partitions)
        return
    yield con


@pytest.fixture(autouse=True)
def gap(request, con):
    """Declare this case's known gap on this engine (see GAPS) as a strict xfail naming the exception."""
    exc = GAPS.get((con.name, request.node.originalname))
    if exc is not None:
        request.applymarker(pytest.mark.xfail(raises=exc, strict=True, reason=f"{con.name}: {exc.__name__}"))


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

    def assert_none(self, con) -> None:
        assert not self, f"{len(self)} mismatches on {con.name}:\n" + "\n".join(self[:40])


def run(query, con):
    return run_query(query, con=con, cache=False)


@pytest.mark.parametrize("stores", [(), ("jd",)], ids=["all_stores", "jd"])
def test_every_kpi_total(con, stores):
    bad = Mismatches()
    bad.kpis(f"total stores={stores}", run(KpiQuery(EVERY, PERIOD, stores=stores), con).rows[0],
             _oracle(PERIOD.start, PERIOD.end, stores), EVERY)
    bad.assert_none(con)


@pytest.mark.parametrize("dim", sorted(DIMENSIONS))
def test_every_kpi_by_dimension(con, dim):
    bad = Mismatches()
    kpis = tuple(k for k in CATALOG if dim in kpi_dimensions(k))
    rows = run(KpiQuery(kpis, PERIOD, by=(dim,)), con).rows
    bad.check(f"{dim} values", [r[dim] for r in rows], oracle_values(FRAMES, PERIOD.start, PERIOD.end, dim))
    for r in rows[:MAX_VALUES_CHECKED]:
        bad.kpis(f"{dim}={r[dim]}", r, _oracle(PERIOD.start, PERIOD.end, where=((dim, r[dim]),)), kpis)
    bad.assert_none(con)


TREND_KPIS = ("gmv", "visitors", "conversion_rate", "new_buyers", "bounce_rate", "units_sold", "positive_rate",
              "sell_through")


def test_daily_trend(con):
    """Each bucket is its own period (new buyers: new in the bucket)."""
    bad = Mismatches()
    days = run(KpiQuery(TREND_KPIS, WHOLE, grain=Grain.DAY), con).rows
    bad.check("daily buckets", [r["bucket"] for r in days], WHOLE.dates())
    for r in days:
        bad.kpis(f"day {r['bucket']}", r, _oracle(r["bucket"], r["bucket"]), TREND_KPIS)
    bad.assert_none(con)


def test_weekly_trend(con):
    bad = Mismatches()
    weeks = run(KpiQuery(TREND_KPIS, PERIOD, grain=Grain.WEEK), con).rows
    assert weeks
    for r in weeks:
        start, end = max(r["bucket"], PERIOD.start), min(r["bucket"] + dt.timedelta(days=6), PERIOD.end)
        bad.kpis(f"week {r['bucket']}", r, _oracle(start, end), TREND_KPIS)
    bad.assert_none(con)


@pytest.mark.parametrize(("dim", "kpis"), [
    ("category", ("item_gmv", "units_sold", "avg_unit_price", "skus_sold")),
    ("province", ("avg_unit_price", "item_gmv", "units_sold")),
    ("traffic_source", ("visitors", "add_to_cart_users", "bounce_rate")),
], ids=["category", "province", "traffic_source"])
def test_breakdown_top_two_and_others(con, dim, kpis):
    """Others by exclusion (right for distinct counts too); with additive measures only, others
    and the total are added up from the groups."""
    bad = Mismatches()
    result = run(BreakdownQuery(kpis, PERIOD, dim, top=2), con)
    values = {v: _oracle(PERIOD.start, PERIOD.end, where=((dim, v),))[kpis[0]]
              for v in oracle_values(FRAMES, PERIOD.start, PERIOD.end, dim)}
    top = sorted(values, key=lambda v: (-values[v], v))[:2]
    bad.check(f"breakdown {dim} order", [r.value for r in result.rows], [*top, OTHERS])
    for r in result.rows:
        where = (dim, ("not", tuple(top))) if r.is_others else (dim, r.value)
        bad.kpis(f"breakdown {dim}={r.value}", r.values, _oracle(PERIOD.start, PERIOD.end, where=(where,)), kpis)
    bad.kpis(f"breakdown {dim} total", result.total, _oracle(PERIOD.start, PERIOD.end), kpis)
    bad.assert_none(con)


def test_comparison_with_the_previous_period_and_the_same_period_last_year(con):
    bad = Mismatches()
    current = Period(START + dt.timedelta(days=10), START + dt.timedelta(days=19))
    kpis = ("gmv", "paying_buyers", "conversion_rate")
    comp = run(ComparisonQuery(kpis, current), con)
    last_year = current.same_period_last_year()
    assert last_year == Period(current.start - dt.timedelta(days=365), current.end - dt.timedelta(days=365))
    now = _oracle(current.start, current.end)
    bases = {"previous": _oracle(START, START + dt.timedelta(days=9)),
             "last_year": _oracle(last_year.start, last_year.end)}
    assert bases["last_year"]["gmv"] > 0 and bases["last_year"]["paying_buyers"] > 0  # a real base to compare with
    for k in kpis:
        row = comp.row(k)
        bad.check(f"comparison {k} current", row.current, now[k])
        for name, base in bases.items():
            bad.check(f"comparison {k} {name}", row.changes[name].base, base[k])
            bad.check(f"comparison {k} {name} rate", row.changes[name].relative,
                      float((Decimal(str(now[k])) - Decimal(str(base[k]))) / Decimal(str(base[k]))))
    bad.assert_none(con)


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "per_step"])
def test_event_funnel_by_traffic_source(con, strict):
    bad = Mismatches()
    result = run(FunnelQuery(WHOLE, by_traffic_source=True, strict=strict), con)
    for source in ("", "ads", "feed", "search"):
        bad.check(f"funnel strict={strict} {source!r}", [r.visitors for r in result.steps(source)],
                  oracle_funnel(FRAMES, WHOLE.start, WHOLE.end, strict=strict, traffic_source=source))
    bad.assert_none(con)


def test_event_funnel_overall_and_its_rates(con):
    overall = run(FunnelQuery(WHOLE), con).steps()
    want = oracle_funnel(FRAMES, WHOLE.start, WHOLE.end)
    assert [r.visitors for r in overall] == want
    assert [(r.step_rate, r.overall_rate) for r in overall] == [
        (None if i == 0 else want[i] / want[i - 1], want[i] / want[0]) for i in range(len(want))]


def test_traffic_funnel(con):
    traffic = run(TrafficFunnelQuery(PERIOD), con).steps()
    t = FRAMES["traffic_daily"]
    t = t[(t.date >= PERIOD.start) & (t.date <= PERIOD.end)]
    assert [r.visitors for r in traffic] == [int(t.visitors.sum()), int(t.add_to_cart_users.sum()), int(t.buyers.sum())]


def test_cohorts(con):
    cohorts = run(CohortQuery(Period(HISTORY_START, WHOLE.end), months=3), con)
    want_cells = oracle_cohorts(FRAMES, HISTORY_START, WHOLE.end, 3)
    assert {(c.cohort, c.months_since): c.customers for c in cohorts.cells if c.customers} == want_cells
    for c in cohorts.cells:
        assert c.rate == pytest.approx(c.customers / want_cells[(c.cohort, 0)], rel=1e-12), (c.cohort, c.months_since)


def test_targets_achievement_and_run_rate_projection(con):
    """Additive KPIs project by run rate; ratios project their current value."""
    bad = Mismatches()
    as_of = START + dt.timedelta(days=9)
    specs = (TargetSpec("", "gmv", START, Decimal("500000")), TargetSpec("jd", "conversion_rate", START, Decimal("0.5")))
    progress = run(TargetQuery(month=START, as_of=as_of, targets=specs), con).rows
    so_far, jd = _oracle(START, as_of), _oracle(START, as_of, ("jd",))
    bad.check("target gmv actual", progress[0].actual, so_far["gmv"])
    bad.check("target gmv projection", progress[0].projection, (so_far["gmv"] / 10 * 30).quantize(Decimal("0.01")))
    bad.check("target gmv achievement", progress[0].achievement, float(so_far["gmv"] / Decimal("500000")))
    bad.check("target jd conversion actual", progress[1].actual, jd["conversion_rate"])
    bad.check("target jd conversion projection", progress[1].projection, jd["conversion_rate"])
    bad.assert_none(con)
