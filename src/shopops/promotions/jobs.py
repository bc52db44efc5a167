"""Periodic jobs of promotions (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt
import io

from shopops.core.schedule import PeriodicJob, every

JOBS = (
    # The web process flushes right after each redemption; this catches what a stopped process
    # left in the outbox and expires unpaid reservations even when nobody buys.
    PeriodicJob("promotions_flush", "shopops.promotions.jobs.promotions_flush", every(60),
                label=("促销事实写入数仓", "Flush promotion facts to the warehouse"),
                catch_up=dt.timedelta(minutes=59)),
)


def promotions_flush(*, scheduled_for: dt.datetime | None = None) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("promotions_flush", stdout=out)
    return out.getvalue().strip()
