"""What of a page a user may see beyond the page's own module: KPIs that belong to a module
(``Kpi.module``, e.g. ad spend and ROAS belong to Ads) are dropped for roles without it —
from tiles, tables, charts and exports alike, since they are all built from the same list."""

from __future__ import annotations

from shopops.metrics.catalog import CATALOG
from shopops.team.selectors import user_can_use


def kpi_visible(user, kpi_id: str) -> bool:
    module = CATALOG[kpi_id].module
    return module is None or user_can_use(user, module)


def visible_kpis(user, kpi_ids) -> tuple[str, ...]:
    """``kpi_ids`` without those of modules the user may not use (order kept)."""
    return tuple(k for k in kpi_ids if kpi_visible(user, k))
