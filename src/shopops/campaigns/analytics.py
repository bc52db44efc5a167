"""Reads for the live campaign page and the 复盘 page: a plan's parameters into the engines
(:mod:`~shopops.campaigns.retro`, :mod:`~shopops.campaigns.pacing`), cached per data version.

The windows left out of the baseline are every other plan on the same stores, the typical
platform festivals of the stores' platforms (``core.festivals``), the 春节 holiday period and
the stores' own days (``StoreDay``: 会员日 every month, 店庆 yearly)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shopops.campaigns.baseline import DateRange
from shopops.campaigns.models import BudgetLine, CampaignPlan, StoreDay
from shopops.campaigns.pacing import Pace, PacePlan, pace_build
from shopops.campaigns.retro import AFTER_DAYS, Retro, RetroPlan, retro_build
from shopops.core.festivals import chinese_new_year, festivals_between
from shopops.metrics.cache import cached
from shopops.warehouse.connection import connect

HISTORY_DAYS = 365
# stores: a store set to run no paid ads (stores.runs_no_ads) changes what its missing ad reports mean
FACT_TABLES = ("orders", "order_lines", "ad_spend_daily", "refunds", "products", "stores")


def _platforms(store_ids: list[str]) -> list[str]:
    from shopops.campaigns.selectors import stores_available

    known = {s.store_id: s.platform for s in stores_available()}
    return sorted({known[s] for s in store_ids if s in known})


def other_windows(plan: CampaignPlan, first: dt.date, last: dt.date) -> tuple[DateRange, ...]:
    out: list[DateRange] = []
    for other in CampaignPlan.objects.exclude(pk=plan.pk).filter(starts_on__lte=last, ends_on__gte=first):
        if set(other.store_ids) & set(plan.store_ids):
            out.append(DateRange(other.starts_on, other.ends_on))
    for platform in _platforms(plan.store_ids):
        try:
            fests = festivals_between(first, last, platform)
        except ValueError:  # a platform the festival calendar does not know (own shop)
            continue
        out.extend(DateRange(f.first, f.last) for f in fests)
    for year in range(first.year, last.year + 2):
        cny = chinese_new_year(year)
        out.append(DateRange(cny - dt.timedelta(days=10), cny + dt.timedelta(days=7)))
    window = DateRange(plan.starts_on, plan.ends_on)
    return tuple(sorted({r for r in out if not (r.first == window.first and r.last == window.last)},
                        key=lambda r: (r.first, r.last)))


def store_days(plan: CampaignPlan, first: dt.date, last: dt.date) -> tuple[DateRange, ...]:
    rows = list(StoreDay.objects.filter(store_id__in=plan.store_ids))
    out = []
    day = first
    while day <= last:
        if any(r.day == day.day and (r.month is None or r.month == day.month) for r in rows):
            out.append(DateRange(day, day))
        day += dt.timedelta(days=1)
    return tuple(out)


# the budget lines whose cost the data do not carry: added, as planned, to the ad spend the ad reports give. Ad tools
# are read as spent; coupons' expected cost is not a cost here — their discounts are already out of the paid GMV.
FIXED_COST_CHANNELS = (BudgetLine.Channel.CONTENT, BudgetLine.Channel.SAMPLES, BudgetLine.Channel.OTHER)


def fixed_cost(plan: CampaignPlan) -> Decimal:
    """The cost of a plan's ROI besides its ad spend ((GMV − cost) ÷ cost, the live page and the 复盘 alike)."""
    return sum((b.amount for b in plan.budget_lines.all() if b.channel in FIXED_COST_CHANNELS), Decimal(0))


def retro_plan(plan: CampaignPlan) -> RetroPlan:
    first = plan.starts_on - dt.timedelta(days=HISTORY_DAYS)
    last = plan.ends_on + dt.timedelta(days=AFTER_DAYS)  # every other window the baseline's days may hold
    return RetroPlan(
        stores=tuple(plan.store_ids), window=DateRange(plan.starts_on, plan.ends_on),
        other_campaigns=other_windows(plan, first, last), other_days=store_days(plan, first, last),
        target_gmv=plan.goal_gmv, target_paying_buyers=plan.goal_paying_buyers,
        target_new_buyers=plan.goal_new_buyers, target_roi=plan.goal_roi, fixed_cost=fixed_cost(plan),
        history_days=HISTORY_DAYS)


def plan_retro(plan: CampaignPlan, *, as_of: dt.date) -> Retro:
    """The 复盘 of a plan (raises ValueError with a message for people when it cannot be made)."""
    rp = retro_plan(plan)
    con = connect()
    return cached("campaigns:retro", (con.name, rp, as_of), lambda: retro_build(rp, as_of=as_of, con=con),
                  con=con, tables=FACT_TABLES, stores=rp.stores)


def plan_pace(plan: CampaignPlan, *, as_of: dt.date) -> Pace:
    pp = PacePlan(stores=tuple(plan.store_ids), first=plan.starts_on, last=plan.ends_on, target_gmv=plan.goal_gmv,
                  target_paying_buyers=plan.goal_paying_buyers, target_roi=plan.goal_roi, time_zone=plan.time_zone,
                  fixed_cost=fixed_cost(plan))
    con = connect()
    return cached("campaigns:pace", (con.name, pp, as_of), lambda: pace_build(pp, as_of=as_of, con=con),
                  con=con, tables=FACT_TABLES, stores=pp.stores)


LIVE_AFTER_DAYS = 7  # a plan's live page stays warm this many days after its last day
LIVE_BEFORE_DAYS = 14  # … and from this many days before its first (the team watches the warm-up)
RETRO_WITHIN_DAYS = 400  # 复盘 of plans that ended within this many days are warmed


def pages_warm(*, as_of: dt.date | None = None) -> dict[str, int]:
    """Build (into the cache, at the current data version) the live pace of running plans and the
    复盘 of plans over within the last year, at the day the pages open on (the last day with data),
    so the first visitor after an import or the demo set-up does not wait for them. A plan already
    cached at this data version costs one cache read. Returns how many of each were built or read."""
    from shopops.campaigns.selectors import hero_stock
    from shopops.metrics.runners import last_fact_date

    day = as_of or last_fact_date()
    done = {"live": 0, "retro": 0, "refused": 0, "stocking": 0}
    if day is None:  # no paid order yet (a new install): nothing to build
        return done
    soon = day + dt.timedelta(days=LIVE_BEFORE_DAYS)
    for plan in CampaignPlan.objects.filter(starts_on__lte=soon,
                                            ends_on__gte=day - dt.timedelta(days=RETRO_WITHIN_DAYS)):
        if plan.ends_on >= day - dt.timedelta(days=LIVE_AFTER_DAYS):  # running, about to start or just over
            plan_pace(plan, as_of=day)
            hero_stock(plan, refresh=True)  # rebuilt here before it gets old: no visitor waits for it
            done["live"] += 1
        if plan.ends_on <= day:
            try:
                plan_retro(plan, as_of=day)
                done["retro"] += 1
            except ValueError:  # too little history: the page says why, nothing to keep
                done["refused"] += 1
    # the hero SKUs' stock of approved plans further ahead too: their live and plan pages show it, and
    # its build (stock health of whole stores) is seconds on a large store — no visitor should wait for it
    for plan in CampaignPlan.objects.filter(starts_on__gt=soon, status=CampaignPlan.Status.APPROVED):
        if plan.hero_skus:
            hero_stock(plan, refresh=True)
            done["hero_stock"] = done.get("hero_stock", 0) + 1
    done["stocking"] = stocking_warm()
    return done


def stocking_warm() -> int:
    """The stocking plan of every plan not over (draft, approved, running), as the inventory module's page shows
    it when the plan is chosen (its days left, its stated uplift, its hero SKUs): seconds of forecasting per store
    on a large store, built here after an import rather than by the procurement lead opening the page. At an
    unchanged data version each store is one cache read. Returns the (plan, store) pairs read or built."""
    from shopops.campaigns.stocking import stocking_plans
    from shopops.inventory.selectors import plan_stocking_warm, stock_day
    from shopops.metrics.dimensions import store_list

    today = stock_day()  # the page's "today" (its fallback, the calendar day, has no stock to plan from)
    if today is None:
        return 0
    store_ids = {s.store_id for s in store_list()}
    return sum(plan_stocking_warm(facts, today=today, store_ids=store_ids) for facts in stocking_plans(today))
