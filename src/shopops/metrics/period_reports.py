"""Which stores have the platform's period export for exactly a period (issue 19, 口径).

The platform's period export (``shop_traffic_period``) holds figures de-duplicated over a whole
period; the ``period_*`` KPIs read only the rows of exactly the period asked for. A page or report
shows them instead of visitor-days when every selected platform store has one for its period
(:func:`whole_period_reported`), then asks :func:`shopops.metrics.channels.visitor_kpi` with
``whole_period=True``. Everything goes through ``run_query`` (the KPI ``period_visitors`` by store).
"""

from __future__ import annotations

import ibis

from shopops.core.periods import Period
from shopops.metrics.channels import has_event_stream
from shopops.metrics.dimensions import store_list
from shopops.metrics.runners import KpiQuery, run_query


def period_report_stores(period: Period, stores: tuple[str, ...] = (),
                         con: ibis.BaseBackend | None = None) -> frozenset[str]:
    """The stores (among ``stores``; all when empty) with a period export of exactly ``period``."""
    result = run_query(KpiQuery(("period_visitors",), period, by=("store_id",), stores=stores), con=con)
    return frozenset(r["store_id"] for r in result.rows if r["period_visitors"])


def platform_stores(stores: tuple[str, ...] = (), con: ibis.BaseBackend | None = None) -> tuple[str, ...]:
    """The platform stores (no event stream) among ``stores`` (all stores when empty)."""
    chosen = set(stores)
    return tuple(s.store_id for s in store_list(con)
                 if (not chosen or s.store_id in chosen) and not has_event_stream(s.platform))


def whole_period_reported(period: Period | None, stores: tuple[str, ...] = (),
                          con: ibis.BaseBackend | None = None) -> bool:
    """Every selected platform store has its period export for exactly ``period`` (False without any
    platform store, or for a single day: a day's figure is exact in the daily report already)."""
    if period is None or period.days <= 1:
        return False
    wanted = platform_stores(stores, con)
    return bool(wanted) and set(wanted) <= period_report_stores(period, wanted, con)
