"""The campaign plans the inventory module's stocking plan can start from (registered with
``inventory.campaign_plans`` at start-up: inventory sits below campaigns and cannot import it).

A plan's facts: its stores, the days of every phase (预热 … 返场, store time; the plan's own dates when it
has no phase), its hero SKUs in order, its GMV goal and currency. The stocking plan turns the goal into
the expected uplift (goal ÷ the stores' no-campaign GMV forecast of those days, ``inventory.selectors.
baseline_gmv``); a plan without a GMV goal gets the uplift the forecast learned from past campaigns.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from shopops.campaigns.models import CampaignPlan
from shopops.inventory.campaign_plans import PlanFacts

PLAN_STATUSES = (CampaignPlan.Status.DRAFT, CampaignPlan.Status.APPROVED, CampaignPlan.Status.RUNNING)


def plan_days(plan: CampaignPlan) -> tuple[dt.date, dt.date]:
    """The first and last store day of every phase and of the plan's own dates."""
    tz = ZoneInfo(plan.time_zone or "Asia/Shanghai")
    first, last = plan.starts_on, plan.ends_on
    for ph in plan.phases.all():
        first = min(first, ph.starts_at.astimezone(tz).date())
        last = max(last, (ph.ends_at - dt.timedelta(microseconds=1)).astimezone(tz).date())
    return first, last


def plan_facts(plan: CampaignPlan) -> PlanFacts:
    first, last = plan_days(plan)
    return PlanFacts(plan_id=plan.pk, name=plan.name, status=plan.status, store_ids=tuple(str(x) for x in plan.store_ids),
                     first=first, last=last, hero_skus=tuple(str(h) for h in plan.hero_skus or ()),
                     goal_gmv=plan.goal_gmv or None, currency=plan.currency, url=reverse("campaigns:plan", args=[plan.pk]))


def stocking_plans(today: dt.date) -> list[PlanFacts]:
    """Draft, approved and running plans that are not over by ``today`` (their uplift is read when one is chosen)."""
    out = []
    for plan in CampaignPlan.objects.filter(status__in=PLAN_STATUSES).prefetch_related("phases").order_by("starts_on", "pk"):
        facts = plan_facts(plan)
        if facts.last > today:
            out.append(facts)
    return out


def stocking_plan(plan_id: int) -> PlanFacts | None:
    plan = CampaignPlan.objects.filter(pk=plan_id).prefetch_related("phases").first()
    return None if plan is None else plan_facts(plan)


def stocking_url(plan: CampaignPlan, user) -> str:
    """The inventory module's stocking plan for ``plan`` ('' when the plan is over or the user has no inventory)."""
    from shopops.core.roles import Module
    from shopops.ui.pages import user_can_use

    if plan.status not in PLAN_STATUSES or not user_can_use(user, Module.INVENTORY):
        return ""
    return f"{reverse('inventory:stocking_plan')}?plan={plan.pk}"
