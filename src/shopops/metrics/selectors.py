"""Reads of the metrics app: targets."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from shopops.metrics.models import Target


def target_list(*, month: dt.date | None = None, store_id: str | None = None) -> QuerySet[Target]:
    qs = Target.objects.all()
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    return qs
