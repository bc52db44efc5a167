"""The metrics layer: every KPI defined once, and the query runners pages, reports and the API use.

For page builders (stable API):

* ``catalog`` — ``CATALOG`` (id → ``Kpi``: labels, definitions, unit, direction, formula()),
  ``kpi_dimensions(id)``, ``Unit``, ``Direction``.
* ``dimensions`` — ``DIMENSIONS`` (id → ``Dimension`` with labels), ``store_list()``.
* ``runners`` — typed queries and runners, see its docstring. Examples::

      from shopops.metrics.runners import *
      run_query(KpiQuery(("gmv", "aov"), Period.parse("2025-11"), grain=Grain.DAY))    # trend
      run_query(BreakdownQuery(("gmv",), period, "category", top=5))                  # top 5 + others
      run_query(ComparisonQuery(("gmv", "conversion_rate"), period))                  # vs prev / last year
      run_query(FunnelQuery(period, by_traffic_source=True))                          # event funnel
      run_query(TrafficFunnelQuery(period))                                           # platform traffic funnel
      run_query(CohortQuery(Period.parse("2025-01-01..2025-06-30"), months=6))
      run_query(TargetQuery(month=dt.date(2025, 11, 1), as_of=dt.date(2025, 11, 20),
                            targets=selectors.target_specs(month=dt.date(2025, 11, 1))))

  Results are cached by data version (``metrics.cache``); ``cache=False`` skips the cache.

* ``services.target_set(kpi=, month=, value=, store_id="")``, ``selectors.target_list(month=)``,
  ``selectors.target_specs(month=)``.
* For analysts: ``shopops.metrics.query(["gmv"], "2025-11", by=["store"])`` returns a DataFrame.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name == "query":
        from shopops.metrics.runners import query

        return query
    raise AttributeError(name)


__all__ = ["query"]
