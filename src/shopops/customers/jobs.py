"""Periodic jobs of the customers app (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, every

JOBS = (
    PeriodicJob("customers_warm", "shopops.customers.jobs.customers_warm", every(5),
                label=("客户分析与RFM：导入后预先计算", "Customers and RFM pages: pre-compute after an import")),
)


def customers_warm(*, scheduled_for: dt.datetime | None = None) -> str:
    """After an import (a new data version) the default views of the customers page — new and returning
    buyers, cohorts: every order a buyer placed — and of the RFM page are computed here, not by the first
    visitor; at an unchanged data version each is one cache read, and what the job found is kept until its
    next runs (``metrics.cache.keep``)."""
    return warm_pages()


def warm_pages() -> str:
    """The work of the job (a web import runs it too, after the cockpit's): one line for the job log."""
    from shopops.customers.selectors import rfm_warm
    from shopops.metrics.customer_overview import customers_warm as overview_warm

    return f"{overview_warm()} customers page queries and {rfm_warm()} RFM view warm"
