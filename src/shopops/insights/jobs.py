"""Periodic jobs of insights (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, daily, every

JOBS = (
    # After the night's imports (platform exports land by ~06:00): detect and explain the last
    # business day, then hand the 晨报 to its channels.
    PeriodicJob("insights_daily", "shopops.insights.jobs.insights_daily", daily(7, 0),
                label=("异常诊断与晨报", "Insights and the daily brief (晨报)")),
    # While a campaign plan runs: its pace on the hours so far, hero SKUs out of stock or off the plan's price
    # (insights/campaign_watch.py; nothing to do, and one query of the app DB, on days no plan covers).
    PeriodicJob("insights_campaign_pace", "shopops.insights.jobs.insights_campaign_pace", every(30),
                label=("活动节奏与主推款监控", "Campaign pace vs plan and hero products (hours so far)")),
)


def insights_daily(*, scheduled_for: dt.datetime | None = None) -> str:
    from shopops.insights.tasks import insights_daily as run

    return run()


def insights_campaign_pace(*, scheduled_for: dt.datetime | None = None) -> str:
    from django.conf import settings

    from shopops.core.periods import business_today
    from shopops.insights import services

    day = business_today(getattr(settings, "SHOPOPS_TIME_ZONE", "Asia/Shanghai"))
    return services.module_alerts_collect(day=day, sources=["shopops.insights.campaign_watch.alerts"]).text()
