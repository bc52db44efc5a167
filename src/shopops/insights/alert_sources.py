"""The modules that raise alerts for insights (see ``shopops.core.alerts``).

Each entry is the dotted path of a function ``alerts(day, *, store_ids=None) -> list[Alert]``.
A module that ships alerts adds its line here; nothing else in insights changes.
"""

from __future__ import annotations

SOURCES: tuple[str, ...] = (
    "shopops.campaigns.alerts.alerts",  # overdue campaign tasks
    "shopops.inventory.alerts.alerts",
    "shopops.service.alerts_sla.alerts",  # tickets past their SLA, per store
    "shopops.service.alerts.alerts",  # 差评 waves per product
    "shopops.insights.campaign_watch.alerts",  # campaign plans: pace vs targets, hero SKUs out of stock or off the plan price
)
