"""Planned and past promotions as campaign windows for the forecast (reads the promotions app).

Each promotion is a window of kind ``promo:<kind>`` (满减, 秒杀, 限时折扣 … by their kind keys), over
the store days of its ``starts_at``–``ends_at`` (Asia/Shanghai unless told), limited to its scope:
its categories, and its SKUs mapped to the forecast's series ids (``"<store>:<sku>"`` series match
on the SKU part; merchant-code series match directly). Promotions without both ends are left out.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shopops.inventory.forecasting import CampaignWindow
from shopops.promotions.selectors import promotion_list


def promotion_windows(*, first: dt.date, last: dt.date, series_ids: list[str] | None = None,
                      time_zone: str = "Asia/Shanghai", active_only: bool = False) -> list[CampaignWindow]:
    """``active_only``: leave out promotions switched off (a clearance draft is not a plan yet)."""
    tz = ZoneInfo(time_zone)
    by_sku: dict[str, set[str]] = {}
    for sid in series_ids or ():
        by_sku.setdefault(sid.rsplit(":", 1)[-1], set()).add(sid)
    out = []
    for p in promotion_list(active_only=active_only):
        if p.starts_at is None or p.ends_at is None:
            continue
        a = p.starts_at.astimezone(tz).date()
        b = (p.ends_at - dt.timedelta(microseconds=1)).astimezone(tz).date()
        if b < first or a > last or b < a:
            continue
        ids = None
        if p.scope_skus:
            ids = frozenset(s for sku in p.scope_skus for s in by_sku.get(str(sku), {str(sku)}))
        cats = frozenset(str(c) for c in p.scope_categories) if p.scope_categories else None
        kind = f"promo:{p.kind}"
        if ids is None and cats is None:
            out.append(CampaignWindow(kind=kind, first=a, last=b))
        # the scope is SKUs *or* categories: one window each
        if ids is not None:
            out.append(CampaignWindow(kind=kind, first=a, last=b, ids=ids))
        if cats is not None:
            out.append(CampaignWindow(kind=kind, first=a, last=b, categories=cats))
    return sorted(out, key=lambda w: (w.first, w.kind))
