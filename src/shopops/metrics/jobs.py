"""Periodic jobs of the metrics app (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, every

JOBS = (
    PeriodicJob("cockpit_warm", "shopops.metrics.jobs.cockpit_warm", every(5),
                label=("驾驶舱：导入后预先计算", "Cockpit: pre-compute after an import")),
)


def cockpit_warm(*, scheduled_for: dt.datetime | None = None) -> str:
    """After an import (a new data version) the cockpit's default views — every store and each store,
    the last 7 days (the page opens with it) — are computed here, not by the first visitor; at
    an unchanged data version each is one cache read."""
    from shopops.metrics.cockpit import cockpit_warm as warm

    return f"{warm()} cockpit views warm"

