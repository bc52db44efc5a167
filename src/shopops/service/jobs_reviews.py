"""Periodic job of the reviews side (listed in ``service.jobs.JOBS``; see docs/jobs.md and docs/reviews.md)."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, daily

JOBS = (
    # after the night's review imports, before insights (07:00) collects the 差评-wave alerts
    PeriodicJob("reviews_daily", "shopops.service.jobs_reviews.reviews_daily", daily(6, 30),
                label=("评价：情感与维度打分、差评集中生成工单", "Reviews: sentiment and aspects, tickets for bad-review waves")),
)


def reviews_daily(*, scheduled_for: dt.datetime | None = None) -> str:
    from django.conf import settings
    from django.utils import timezone

    from shopops.core.periods import business_today
    from shopops.service.services_reviews import review_scores_run, review_wave_tickets

    now = scheduled_for or timezone.now()
    day = business_today(settings.SHOPOPS_TIME_ZONE, now) - dt.timedelta(days=1)
    scored = review_scores_run()
    made = review_wave_tickets(day=day, now=now)
    adapted = f", adapted to {len(scored.store_versions)} stores" if scored.store_versions else ""
    return (f"{scored.scored} reviews scored (model {scored.model_version}{adapted}, {scored.seconds:.1f} s); "
            f"{made} bad-review wave tickets")
