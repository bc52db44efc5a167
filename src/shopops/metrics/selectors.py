"""Reads of the metrics app: targets, and the KPI catalog grouped for people."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from shopops.metrics.catalog import CATALOG, kpi_dimensions
from shopops.metrics.dimensions import DIMENSIONS
from shopops.metrics.models import Target
from shopops.metrics.runners.targets import TargetSpec

# The catalog's groups: (tag, zh, en), in the glossary's order; a KPI is in the group of its first tag.
KPI_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("traffic", "流量与转化", "Traffic and conversion"),
    ("money", "交易", "Money"),
    ("customers", "客户", "Customers"),
    ("marketing", "营销与推广", "Marketing and promotions"),
    ("products", "商品与库存", "Products and stock"),
    ("reputation", "服务与口碑", "Service and reputation"),
)
UNIT_LABELS = {"money": ("金额", "money"), "count": ("数量", "count"), "percent": ("百分比", "percent"),
               "ratio": ("倍数/比值", "ratio")}


def target_list(*, month: dt.date | None = None, store_id: str | None = None) -> QuerySet[Target]:
    qs = Target.objects.all()
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    return qs


def target_specs(*, month: dt.date) -> tuple[TargetSpec, ...]:
    """The month's targets as the specs ``TargetQuery(targets=…)`` takes (the runner reads no app DB)."""
    return tuple(TargetSpec(t.store_id, t.kpi, t.month, t.value) for t in target_list(month=month))


def kpi_catalog_groups(*, q: str = "", language: str = "zh-hans") -> list[dict]:
    """The catalog's KPIs by group, those whose id, labels, definitions or formula contain
    ``q`` (case-insensitive): ``[{"tag", "label", "kpis": [{"kpi", "dimensions", "unit"}]}]``."""
    en = language.startswith("en")
    needle = q.strip().lower()
    groups = []
    for tag, zh, en_label in KPI_GROUPS:
        kpis = []
        for k in CATALOG.values():
            if not k.tags or k.tags[0] != tag:
                continue
            text = " ".join([k.id, k.label_zh, k.label_en, k.definition_zh, k.definition_en, k.formula()]).lower()
            if needle and needle not in text:
                continue
            dims = [DIMENSIONS[d].label(language) for d in kpi_dimensions(k.id)]
            kpis.append({"kpi": k, "dimensions": dims, "unit": UNIT_LABELS[k.unit.value][1 if en else 0]})
        if kpis:
            groups.append({"tag": tag, "label": en_label if en else zh, "kpis": kpis})
    return groups
