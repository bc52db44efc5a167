"""The campaign plans the inventory module's stocking plan can start from (registered with
``inventory.campaign_plans`` at start-up: inventory sits below campaigns and cannot import it).

A plan's facts: its stores, the days of every phase (预热 … 返场, store time; the plan's own dates when it
has no phase), its hero SKUs in order, and the **expected uplift** = the GMV goal ÷ the no-campaign
baseline GMV of the same days, where the baseline is the plan's stores' median daily GMV over the
``BASELINE_DAYS`` days before the plan (or before the data's last day, if earlier) × the number of days.
The median keeps a sale inside those days (双11 before 双12) out of the baseline. A plan without a GMV
goal (or without sales to compare it with) has no stated uplift: the forecast's uplift learned from the
same festival in past years (its calendar) applies.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _

from shopops.campaigns.models import CampaignPlan
from shopops.core.periods import Grain, Period
from shopops.inventory.campaign_plans import PlanFacts
from shopops.metrics.runners import KpiQuery, run_query
from shopops.ui.formatting import format_money

BASELINE_DAYS = 56
PLAN_STATUSES = (CampaignPlan.Status.DRAFT, CampaignPlan.Status.APPROVED, CampaignPlan.Status.RUNNING)


def plan_days(plan: CampaignPlan) -> tuple[dt.date, dt.date]:
    """The first and last store day of every phase and of the plan's own dates."""
    tz = ZoneInfo(plan.time_zone or "Asia/Shanghai")
    first, last = plan.starts_on, plan.ends_on
    for ph in plan.phases.all():
        first = min(first, ph.starts_at.astimezone(tz).date())
        last = max(last, (ph.ends_at - dt.timedelta(microseconds=1)).astimezone(tz).date())
    return first, last


def baseline_gmv(store_ids: tuple[str, ...], *, before: dt.date, days: int, con=None) -> tuple[Decimal, dt.date] | None:
    """(baseline GMV of ``days`` ordinary days, the last day it was read to): the stores' median daily GMV
    over the ``BASELINE_DAYS`` days before ``before`` (days with no sale left out: the data may end earlier)."""
    period = Period(before - dt.timedelta(days=BASELINE_DAYS), before - dt.timedelta(days=1))
    f = run_query(KpiQuery(("gmv",), period, grain=Grain.DAY, stores=store_ids), con=con).to_frame()
    values = [Decimal(str(v)) for v in f["gmv"] if v is not None and Decimal(str(v)) > 0]
    if len(values) < 7:
        return None
    values.sort()
    k = len(values)
    median = values[k // 2] if k % 2 else (values[k // 2 - 1] + values[k // 2]) / 2
    last = max(f.loc[f["gmv"].notna() & (f["gmv"] > 0), "bucket"])
    last = last.date() if hasattr(last, "date") else last
    return median * days, last


def plan_facts(plan: CampaignPlan, *, con=None) -> PlanFacts:
    first, last = plan_days(plan)
    stores = tuple(str(s) for s in plan.store_ids)
    uplift, basis = None, _("No GMV goal: the uplift learned from the same campaign in past years (festival calendar) applies.")
    if plan.goal_gmv:
        base = baseline_gmv(stores, before=first, days=(last - first).days + 1, con=con) if stores else None
        if base is None or base[0] <= 0:
            basis = _("Not enough sales before the plan to compare its GMV goal with: the uplift learned from "
                      "past campaigns applies.")
        else:
            uplift = float(plan.goal_gmv / base[0])
            basis = _("Expected uplift %(u)s× = the GMV goal %(goal)s ÷ the baseline %(base)s (the stores' median "
                      "day of the %(n)s days to %(day)s × %(days)s days).") % {
                "u": f"{uplift:.2f}", "goal": format_money(plan.goal_gmv, plan.currency),
                "base": format_money(base[0].quantize(Decimal("0.01")), plan.currency), "n": BASELINE_DAYS,
                "day": base[1].isoformat(), "days": (last - first).days + 1}
    return PlanFacts(plan_id=plan.pk, name=plan.name, status=plan.status, store_ids=stores, first=first, last=last,
                     hero_skus=tuple(str(h) for h in plan.hero_skus or ()), expected_uplift=uplift,
                     uplift_basis=basis, url=reverse("campaigns:plan", args=[plan.pk]))


def stocking_plans(today: dt.date) -> list[PlanFacts]:
    """Draft, approved and running plans that are not over by ``today`` (their uplift is read when one is chosen)."""
    out = []
    for plan in CampaignPlan.objects.filter(status__in=PLAN_STATUSES).prefetch_related("phases").order_by("starts_on", "pk"):
        first, last = plan_days(plan)
        if last > today:
            out.append(PlanFacts(plan_id=plan.pk, name=plan.name, status=plan.status,
                                 store_ids=tuple(str(s) for s in plan.store_ids), first=first, last=last,
                                 hero_skus=tuple(str(h) for h in plan.hero_skus or ()), expected_uplift=None,
                                 uplift_basis="", url=reverse("campaigns:plan", args=[plan.pk])))
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
