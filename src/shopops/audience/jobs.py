"""Periodic jobs of audience (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt
import io

from shopops.core.schedule import PeriodicJob, daily

JOBS = (
    PeriodicJob("audience_daily", "shopops.audience.jobs.audience_daily", daily(6, 30),
                label=("人群每日刷新与积分过期", "Audience refresh and points expiry")),
)


def audience_daily(*, scheduled_for: dt.datetime | None = None) -> str:
    """What ``shopops manage audience_daily`` does, as of yesterday."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("audience_daily", stdout=out)
    return out.getvalue().strip()
