"""The queries of the customers overview page (``/customers/``: tiles, new and returning buyers by day,
cohort retention) and their warm-up after an import.

New and returning buyers and the cohorts look at every order a buyer ever placed: on the large demo
(7M orders) the page's first render after a new data version took 31 s. The page builds its queries
here and :func:`customers_warm` runs the same ones for the page's default view (the last 7 days, every
store) after a web import and every few minutes (the ``customers_warm`` job of the customers app, which
warms the RFM page too), so that the first visitor reads them from the cache. At an unchanged data
version each is one cache read, and the job keeps what it found (``metrics.cache.keep``): the runners'
results would otherwise expire after Django's default 5 minutes and be computed again by a visitor or
the job's next run.
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopops.core.periods import Grain, Period
from shopops.metrics.cache import keep
from shopops.metrics.cockpit import WARM_PRESETS, cockpit_period, warm_anchor
from shopops.metrics.runners import run_query
from shopops.metrics.runners.cohort import CohortQuery
from shopops.metrics.runners.comparison import PREVIOUS, ComparisonQuery
from shopops.metrics.runners.kpis import KpiQuery
from shopops.metrics.sources import Filter
from shopops.warehouse.connection import connect

CUSTOMER_KPIS = ("paying_buyers", "new_buyers", "returning_buyers", "repurchase_rate", "returning_buyer_rate", "aov")
DAILY_KPIS = ("new_buyers", "returning_buyers", "paying_buyers", "repurchase_rate")
COHORT_MONTHS = 11


def tiles_query(kpis: tuple[str, ...], period: Period, *, stores: tuple[str, ...] = (),
                filters: tuple[Filter, ...] = ()) -> ComparisonQuery:
    """The KPI tiles of an analysis page: each KPI against the previous period, refunds at the same age."""
    return ComparisonQuery(kpis, period, stores=stores, filters=filters, against=(PREVIOUS,), refunds_at_same_age=True)


def daily_query(period: Period, *, stores: tuple[str, ...] = ()) -> KpiQuery:
    return KpiQuery(DAILY_KPIS, period, grain=Grain.DAY, stores=stores)


def cohort_period(end: dt.date) -> Period:
    """The cohorts of the twelve months up to ``end`` (the page's period alone is often a few days)."""
    first = dt.date(end.year - (end.month <= COHORT_MONTHS), (end.month - COHORT_MONTHS - 1) % 12 + 1, 1)
    return Period(first, end)


def cohort_query(end: dt.date, *, stores: tuple[str, ...] = ()) -> CohortQuery:
    return CohortQuery(cohort_period(end), stores=stores, months=COHORT_MONTHS)


def customers_warm(*, today: dt.date | None = None, con: ibis.BaseBackend | None = None,
                   presets: tuple[str, ...] = WARM_PRESETS) -> int:
    """Run the customers page's queries of its default view (every store; the ``presets``, the page's
    default first) at the current data version. Returns how many queries were computed or found."""
    con = con or connect()
    anchor = warm_anchor(con, today=today)
    if anchor is None:
        return 0
    done = 0
    for preset in presets:
        period = cockpit_period(preset, today=anchor)
        for query in (tiles_query(CUSTOMER_KPIS, period), daily_query(period), cohort_query(period.end)):
            keep(run_query(query, con=con).cache_key)  # kept while the job runs, not the cache's 5 minutes
            done += 1
    return done
