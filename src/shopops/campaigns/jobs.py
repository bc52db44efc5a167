"""Periodic jobs of the campaign season (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, every

JOBS = (
    PeriodicJob("campaigns_warm", "shopops.campaigns.jobs.campaigns_warm", every(10),
                label=("大促：预先计算活动实时、复盘与备货计划页", "Campaigns: pre-compute the live, retrospective and stocking-plan pages")),
)


def campaigns_warm(*, scheduled_for: dt.datetime | None = None) -> str:
    """After an import (a new data version) the live and 复盘 pages are built here, not by the first
    visitor; at an unchanged data version every plan is one cache read."""
    from shopops.campaigns.analytics import pages_warm

    done = pages_warm()
    return (f"{done['live']} live pages, {done['retro']} 复盘 warm ({done['refused']} without enough history), "
            f"{done['stocking']} stocking plans (plan × store)")
