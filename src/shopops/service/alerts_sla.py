"""Service-desk alerts for insights: active tickets past their SLA, per store (one alert per store,
resolved by insights when no longer raised). Reviews' 差评 waves are ``service.alerts``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from shopops.core.alerts import Alert
from shopops.service.models import Ticket, TicketStatus

ACTIVE = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING)
HIGH_AT = 5  # this many late tickets in one store is a high-severity alert


def alerts(day: dt.date, *, store_ids=None, now: dt.datetime | None = None) -> list[Alert]:
    now = now or timezone.now()
    late = Q(first_response_breached=True) | Q(resolution_breached=True) | Q(next_due__lt=now)
    qs = Ticket.objects.filter(late, status__in=ACTIVE)
    if store_ids:
        qs = qs.filter(store_id__in=list(store_ids))
    from shopops.metrics.dimensions import store_names

    names = store_names()
    out = []
    for row in qs.values("store_id").annotate(n=Count("id")).order_by("store_id"):
        n = row["n"]
        name = names.get(row["store_id"], row["store_id"])
        out.append(Alert(
            source="service", kind="sla_breach", key=f"{row['store_id']}:sla", store_id=row["store_id"], day=day,
            severity="high" if n >= HIGH_AT else "medium",
            text_zh=f"{name}：{n} 个未完成工单已超过 SLA 时限",
            text_en=f"{name}: {n} open ticket is past its SLA deadline" if n == 1
            else f"{name}: {n} open tickets are past their SLA deadline",
            link="/service/?view=escalated"))
    return out
