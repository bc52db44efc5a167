"""Periodic jobs of the service desk (found by ``shopops.jobs``; see docs/jobs.md)."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, daily, every
from shopops.service.jobs_reviews import JOBS as REVIEW_JOBS

JOBS = (
    PeriodicJob("service_daily", "shopops.service.jobs.service_daily", daily(6, 45),
                label=("客服：退款与差评生成工单、发货后满意度调查", "Service: tickets from refunds and bad reviews, NPS surveys")),
    PeriodicJob("service_sla", "shopops.service.jobs.service_sla", every(15),
                label=("客服：SLA 超时标记与升级", "Service: SLA breaches and escalation")),
    *REVIEW_JOBS,
)


def service_daily(*, scheduled_for: dt.datetime | None = None) -> str:
    """Yesterday's refunds and 1–2 star reviews become tickets (once each); NPS surveys go out."""
    from django.conf import settings
    from django.utils import timezone

    from shopops.core.periods import business_today
    from shopops.service.services import tickets_from_facts
    from shopops.service.surveys import surveys_after_delivery

    now = scheduled_for or timezone.now()
    day = business_today(settings.SHOPOPS_TIME_ZONE, now) - dt.timedelta(days=1)
    made = tickets_from_facts(day=day, now=now)
    sent = surveys_after_delivery(as_of=day, now=now)
    return f"{day}: {made['refund']} refund tickets, {made['review']} bad-review tickets, {sent} NPS surveys"


def service_sla(*, scheduled_for: dt.datetime | None = None) -> str:
    from django.utils import timezone

    from shopops.service.services import tickets_escalate

    late = tickets_escalate(now=scheduled_for or timezone.now())
    return f"{len(late)} tickets breached their SLA"
