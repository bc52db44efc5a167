"""Alerts that modules below insights raise, for the insights inbox and the 晨报.

Insights finds abnormal KPI days by itself; other modules know of risks it cannot see in the
KPIs: a best seller that will run out within its lead time (inventory), a supplier late on an
open purchase order, a wave of 1–2 star reviews on a product (service). Such a module offers a
source: a function ``alerts(day, *, store_ids=None) -> list[Alert]`` in its ``alerts.py``, named
in ``shopops.insights.alert_sources.SOURCES``. Insights is above those apps in the layers, so it
calls them; they never import insights.

An alert is a *condition*, identified by ``(source, kind, key)``: while the source keeps
returning it, it stays one open alert (its day, money and text are refreshed); when a run no
longer returns it, insights marks it resolved. Running the collection twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True)
class Alert:
    source: str  # the module raising it: "inventory", "service"…
    kind: str  # what it is within the source: "stockout_risk", "supplier_late", "review_wave"…
    key: str  # the condition's identity within (source, kind): "store-1:SKU-9", "po:42"…
    store_id: str  # "" when it concerns no single store (a supplier serving several)
    day: dt.date  # the business day the source judged
    severity: str  # one of SEVERITIES
    text_zh: str  # one line for people, in each UI language (plain text: pages escape it)
    text_en: str
    money_at_stake: Decimal = Decimal("0")  # in the store's currency
    product_id: str = ""
    link: str = ""  # a path inside shopops that shows the detail ("/inventory/…"), or ""

    def __post_init__(self) -> None:
        problems = []
        if not self.source or not self.kind or not self.key:
            problems.append("source, kind and key must not be empty")
        if self.severity not in SEVERITIES:
            problems.append(f"severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")
        if not isinstance(self.money_at_stake, Decimal):
            problems.append(f"money_at_stake must be a Decimal, got {type(self.money_at_stake).__name__}")
        if self.link and not (self.link.startswith("/") and not self.link.startswith("//")):
            problems.append(f"link {self.link!r} must be a path inside shopops (starting with one '/')")
        if problems:
            raise ValueError(f"alert {self.source}/{self.kind}/{self.key}: " + "; ".join(problems))

    def text(self, language: str) -> str:
        return self.text_zh if language.lower().startswith("zh") else self.text_en
