"""Query runners: ``run_query(query)`` runs any query with the runner of its type (``RUNNERS``).

| kind | query → response | what |
|---|---|---|
| ``kpis`` | ``KpiQuery`` → ``KpiResult`` | KPIs over a period, by day/week/month (trend) and dimensions |
| ``breakdown`` | ``BreakdownQuery`` → ``BreakdownResult`` | KPIs by one dimension, sorted, top N + others + total |
| ``comparison`` | ``ComparisonQuery`` → ``ComparisonResult`` | vs previous period and same period last year |
| ``funnel`` | ``FunnelQuery`` → ``FunnelResult`` | events: home → product → cart → checkout → paid |
| ``traffic_funnel`` | ``TrafficFunnelQuery`` → ``FunnelResult`` | traffic_daily: visitors → add-to-cart → buyers |
| ``store_funnel`` | ``StoreFunnelQuery`` → ``FunnelResult`` | shop_traffic_daily: 访客 → 加购/收藏 → 下单 → 支付 |
| ``cohort`` | ``CohortQuery`` → ``CohortResult`` | monthly first-order cohorts × months since |
| ``targets`` | ``TargetQuery`` → ``TargetResult`` | monthly targets: achievement and run-rate projection |

Every runner: ``Runner(query, con=None, cache=None)``; ``.to_expr()`` (the Ibis
expressions it runs, by name); ``.calculate()`` (the response, with ``seconds``, ``timings``,
``sql``, ``cache_key``, ``cached``). ``get_runner(query)`` builds the runner for the query's
type; ``run_query(query, con=…, cache=…)`` runs it. Results are cached by data version
(``shopops.metrics.cache``) unless ``cache=False``. For analysts: ``query([...], period)``
returns a DataFrame.
"""

from __future__ import annotations

from shopops.metrics.runners.base import RUNNERS, Response, Runner, get_runner, run_query
from shopops.metrics.runners.breakdown import OTHERS, BreakdownQuery, BreakdownResult, BreakdownRow, BreakdownRunner
from shopops.metrics.runners.cohort import CohortCell, CohortQuery, CohortResult, CohortRunner
from shopops.metrics.runners.comparison import (
    LAST_YEAR, PREVIOUS, Change, ComparisonQuery, ComparisonResult, ComparisonRow, ComparisonRunner,
)
from shopops.metrics.runners.funnel import (
    ALL, EVENT_STEPS, STORE_STEPS, TRAFFIC_STEPS, FunnelQuery, FunnelResult, FunnelRow, FunnelRunner,
    StoreFunnelQuery, StoreFunnelRunner, TrafficFunnelQuery, TrafficFunnelRunner,
)
from shopops.metrics.runners.kpis import (
    KpiQuery, KpiResult, KpiRunner, StoreCoverage, TrafficCoverage, ad_coverage, base_frame, cost_coverage, derive,
    last_complete_day, last_fact_date, query, refund_coverage, sku_coverage, store_coverages, traffic_coverage,
)
from shopops.metrics.runners.targets import TargetProgress, TargetQuery, TargetResult, TargetRunner, TargetSpec
from shopops.metrics.sources import BUCKET, Filter

__all__ = [
    "ALL", "BUCKET", "EVENT_STEPS", "LAST_YEAR", "OTHERS", "PREVIOUS", "RUNNERS", "STORE_STEPS", "TRAFFIC_STEPS",
    "BreakdownQuery", "BreakdownResult", "BreakdownRow", "BreakdownRunner", "Change", "CohortCell", "CohortQuery",
    "CohortResult", "CohortRunner", "ComparisonQuery", "ComparisonResult", "ComparisonRow", "ComparisonRunner",
    "Filter", "FunnelQuery", "FunnelResult", "FunnelRow", "FunnelRunner", "KpiQuery", "KpiResult",
    "KpiRunner", "Response", "Runner", "base_frame", "TargetProgress", "TargetQuery", "TargetResult", "TargetRunner", "TargetSpec",
    "StoreFunnelQuery", "StoreFunnelRunner", "TrafficFunnelQuery", "TrafficFunnelRunner", "cost_coverage", "derive", "get_runner", "last_complete_day", "last_fact_date", "query",
    "run_query", "sku_coverage", "traffic_coverage", "TrafficCoverage", "StoreCoverage", "ad_coverage",
    "store_coverages", "refund_coverage",
]
