"""Writes of the metrics app: targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shopops.metrics.catalog import kpi as catalog_kpi
from shopops.metrics.models import Target


def target_set(*, kpi: str, month: dt.date, value: Decimal | int | str, store_id: str = "") -> Target:
    """Create or replace the target of ``kpi`` for ``store_id`` ("" = all stores) in ``month`` (any day of it)."""
    catalog_kpi(kpi)  # raises KeyError on an unknown KPI
    if isinstance(value, float):
        raise TypeError("target value must not be a float; pass a str, int or Decimal")
    value = Decimal(str(value))
    if value < 0:
        raise ValueError(f"target for {kpi} must not be negative: {value}")
    target, _ = Target.objects.update_or_create(
        store_id=store_id, kpi=kpi, month=month.replace(day=1), defaults={"value": value},
    )
    return target


def target_delete(*, kpi: str, month: dt.date, store_id: str = "") -> bool:
    deleted, _ = Target.objects.filter(store_id=store_id, kpi=kpi, month=month.replace(day=1)).delete()
    return bool(deleted)
