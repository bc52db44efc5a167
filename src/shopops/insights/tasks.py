"""The morning job: detect and explain the last business day, then hand the 晨报 to its channels.

Thin wrapper over the services, for a scheduler (cron, or the task worker when one runs):
``shopops insights run && shopops insights brief --send`` does the same from the CLI.
"""

from __future__ import annotations

import datetime as dt

from shopops.insights import services
from shopops.metrics.cockpit import data_day


def insights_daily(*, day: dt.date | None = None, language: str = "zh-hans", link: str = "") -> str:
    day = day or data_day()  # never today: its first hours are not a day
    if day is None:
        return "insights: the warehouse has no paid orders yet"
    summary = services.insights_run(days=[day])
    alerts = services.module_alerts_collect(day=day)
    rows = services.brief_deliver(day=day, language=language, link=link)
    return f"{summary.text()}; {alerts.text()}; brief: {', '.join(f'{r.channel} {r.status}' for r in rows)}"
