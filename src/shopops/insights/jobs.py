"""Periodic jobs of insights (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, daily

JOBS = (
    # After the night's imports (platform exports land by ~06:00): detect and explain the last
    # business day, then hand the 晨报 to its channels.
    PeriodicJob("insights_daily", "shopops.insights.jobs.insights_daily", daily(7, 0),
                label=("异常诊断与晨报", "Insights and the daily brief (晨报)")),
)


def insights_daily(*, scheduled_for: dt.datetime | None = None) -> str:
    from shopops.insights.tasks import insights_daily as run

    return run()
