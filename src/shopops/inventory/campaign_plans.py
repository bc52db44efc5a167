"""Campaign plans as the stocking plan sees them, without importing the campaigns app (it sits above
inventory in the import-linter layers): the campaigns app registers a source at start-up
(``CampaignsConfig.ready`` → :func:`set_source`), the stocking-plan page asks it for the plans it can
start from and for one plan's facts. No source registered (campaigns not installed): no plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What the stocking plan takes from a campaign plan."""

    plan_id: int
    name: str
    status: str  # draft / approved / running …
    store_ids: tuple[str, ...]
    first: dt.date  # the first day of every phase (预热 included), store time
    last: dt.date  # the last day of every phase (返场 included)
    hero_skus: tuple[str, ...]  # SKU ids or merchant codes, in the plan's order
    goal_gmv: Decimal | None  # over the baseline GMV forecast: the expected uplift; None: learned from past campaigns
    currency: str = "CNY"
    url: str = ""  # the plan's page


_list: Callable[[dt.date], list[PlanFacts]] | None = None
_get: Callable[[int], PlanFacts | None] | None = None


def set_source(list_plans: Callable[[dt.date], list[PlanFacts]], get_plan: Callable[[int], PlanFacts | None]) -> None:
    """``list_plans(today)``: the plans a stocking plan can start from (draft or approved, not over);
    ``get_plan(plan_id)``: one plan's facts (None: no such plan)."""
    global _list, _get
    _list, _get = list_plans, get_plan


def plans(today: dt.date) -> list[PlanFacts]:
    return _list(today) if _list is not None else []


def plan(plan_id: int) -> PlanFacts | None:
    return _get(plan_id) if _get is not None else None
