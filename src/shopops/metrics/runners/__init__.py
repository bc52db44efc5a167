"""Query runners, looked up by kind in ``RUNNERS``.

| kind | query → response | what |
|---|---|---|
| ``kpis`` | ``KpiQuery`` → ``KpiResult`` | KPIs over a period, by day/week/month (trend) and dimensions |
| ``breakdown`` | ``BreakdownQuery`` → ``BreakdownResult`` | KPIs by one dimension, sorted, top N + others + total |
| ``comparison`` | ``ComparisonQuery`` → ``ComparisonResult`` | vs previous period and same period last year |
| ``funnel`` | ``FunnelQuery`` → ``FunnelResult`` | events: home → product → cart → checkout → paid |
| ``traffic_funnel`` | ``TrafficFunnelQuery`` → ``FunnelResult`` | traffic_daily: visitors → add-to-cart → buyers |
| ``cohort`` | ``CohortQuery`` → ``CohortResult`` | monthly first-order cohorts × months since |
| ``targets`` | ``TargetQuery`` → ``TargetResult`` | monthly targets: achievement and run-rate projection |

Every runner: ``Runner(query, con=None, cache=None)``; ``.to_expr()`` (the Ibis
expression(s)); ``.calculate()`` (the response, with ``seconds``, ``timings``, ``sql``,
``cache_key``, ``cached``). ``run_query(query)`` picks the runner from the query's type.
"""

from __future__ import annotations

from shopops.metrics.runners.base import RUNNERS, DictCache, Response, Runner, data_version
from shopops.metrics.runners.breakdown import OTHERS, BreakdownQuery, BreakdownResult, BreakdownRow, BreakdownRunner, run_breakdown
from shopops.metrics.runners.cohort import CohortCell, CohortQuery, CohortResult, CohortRunner, run_cohort
from shopops.metrics.runners.comparison import (
    LAST_YEAR, PREVIOUS, Change, ComparisonQuery, ComparisonResult, ComparisonRow, ComparisonRunner, run_comparison,
)
from shopops.metrics.runners.funnel import (
    ALL, EVENT_STEPS, TRAFFIC_STEPS, FunnelQuery, FunnelResult, FunnelRow, FunnelRunner, TrafficFunnelQuery,
    TrafficFunnelRunner, run_funnel,
)
from shopops.metrics.runners.kpis import KpiQuery, KpiResult, KpiRunner, derive, last_fact_date, query, run
from shopops.metrics.runners.targets import TargetProgress, TargetQuery, TargetResult, TargetRunner, TargetSpec, run_targets
from shopops.metrics.sources import BUCKET, Filter

_BY_QUERY = {
    KpiQuery: KpiRunner, BreakdownQuery: BreakdownRunner, ComparisonQuery: ComparisonRunner,
    FunnelQuery: FunnelRunner, TrafficFunnelQuery: TrafficFunnelRunner, CohortQuery: CohortRunner,
    TargetQuery: TargetRunner,
}


def runner_for(query, **kwargs) -> Runner:
    return _BY_QUERY[type(query)](query, **kwargs)


def run_query(query, **kwargs):
    """Run any query with its runner: ``run_query(FunnelQuery(period))``."""
    return runner_for(query, **kwargs).calculate()


__all__ = [
    "ALL", "BUCKET", "EVENT_STEPS", "LAST_YEAR", "OTHERS", "PREVIOUS", "RUNNERS", "TRAFFIC_STEPS",
    "BreakdownQuery", "BreakdownResult", "BreakdownRow", "BreakdownRunner", "Change", "CohortCell", "CohortQuery",
    "CohortResult", "CohortRunner", "ComparisonQuery", "ComparisonResult", "ComparisonRow", "ComparisonRunner",
    "DictCache", "Filter", "FunnelQuery", "FunnelResult", "FunnelRow", "FunnelRunner", "KpiQuery", "KpiResult",
    "KpiRunner", "Response", "Runner", "TargetProgress", "TargetQuery", "TargetResult", "TargetRunner", "TargetSpec",
    "TrafficFunnelQuery", "TrafficFunnelRunner", "data_version", "derive", "last_fact_date", "query", "run",
    "run_breakdown", "run_cohort", "run_comparison", "run_funnel", "run_query", "run_targets", "runner_for",
]
