"""The demo store's campaign season: a year of campaign plans, their tasks, content and scorecards.

Built once on first run (``campaigns_demo_ensure``), from the same calendar the generator
multiplies demand with (``demo.generator.calendar.campaigns_of_year``), so a plan's days are
the days the data shows a peak:

- every big sale of the past twelve months (年货节, 38节, 618, 99划算节, 双11) as a plan over the
  five demo stores, finished and reviewed, with phases, goals, budget by channel, the standard
  tasks (mostly on time, some late) and review notes; 双11 owns the promotions module's
  "双11 主会场" — published (over its planted floor violation, with the director's reason in the
  audit log), no longer a draft after 11-11;
- the next one, 双12 (its warm-up starts 12-05), approved with tasks in progress, some overdue;
  年货节 of next year a draft with its tasks not started;
- content posts on 小红书, 抖音, 微信 and 微博 with imported results; the store's own days
  (会员日, 店庆); who answers for which store, and monthly GMV targets for the last three months
  (only where none is set), so the team scorecards have numbers.
- after insights' first run (``retro_findings_demo_link``): each reviewed plan gets up to two of the
  findings insights has in its 复盘 window linked — real findings only; the default demo detects the
  last five days, which no reviewed plan's window reaches, so there it links none and says so.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from shopops.campaigns import services
from shopops.campaigns.models import CampaignPlan, ContentPost, Task
from shopops.campaigns.services import StoreRef
from shopops.core.errors import ShopopsError
from shopops.demo.generator.calendar import HOUR_MIDNIGHT, campaigns_of_year

TZ = ZoneInfo("Asia/Shanghai")
STORES = ("tmall", "jd", "pdd", "douyin", "own")
MARKER = "demo:"  # festival key prefix of the demo's plans: running the seeding again changes nothing

# name -> (GMV goal, budget per channel: ad tools, content, coupons, samples) in CNY, for the small demo's level of
# sales; the goal the demo sets is made from the store's own data (``_goal``) and the budget scaled with it
PLANS: dict[str, tuple[int, tuple[int, int, int, int]]] = {
    "年货节": (900_000, (60_000, 15_000, 30_000, 5_000)),
    "38节": (420_000, (30_000, 12_000, 15_000, 3_000)),
    "618": (2_400_000, (160_000, 40_000, 90_000, 12_000)),
    "99划算节": (300_000, (20_000, 6_000, 10_000, 2_000)),
    "双11": (3_600_000, (240_000, 60_000, 120_000, 20_000)),
    "双12": (800_000, (50_000, 12_000, 25_000, 4_000)),
}
# the uplift over ordinary sales each plan aims for: a team sets a goal as "ordinary days × how much more";
# the demo's demand is lifted a little less or more than this, so some plans reach their goal and some miss it
GOAL_UPLIFT: dict[str, Decimal] = {"年货节": Decimal("1.20"), "38节": Decimal("1.40"), "618": Decimal("1.30"),
                                   "99划算节": Decimal("1.35"), "双11": Decimal("1.50"), "双12": Decimal("1.30")}
# the ad tools' budget: ordinary daily spend × the window's days × this (a sale's bids and budgets go up; the demo's
# generator ramps spend 1.6–3.4× by discount depth, so some plans overspend their ad budget and some do not)
AD_RAMP = Decimal("2.5")
LEVEL_DAYS = 28  # the ordinary level: median daily GMV of the 4 weeks before the plan (or before today)
NOTES: dict[str, tuple[str, str, str]] = {
    "年货节": ("礼盒套装连带率高，老客召回短信转化好。", "春节前物流截止日沟通不足，最后三天退款率上升。", "提前公告发货截止日；礼盒提前两周备货。"),
    "38节": ("女装新品首发带来新客。", "满减门槛偏高，客单价未达目标。", "门槛按客单价分布设定，满199减20 更合适。"),
    "618": ("开门红预售定金膨胀效果好，预售占比提升。", "万相台中后段 ROI 下滑，预算未及时调整。", "按日复核推广 ROI，低于 2 倍的计划当日降预算。"),
    "99划算节": ("清仓款动销率提升。", "活动周期短，内容准备不足。", "内容提前两周排期，小红书铺量。"),
    "双11": ("第一波 10-31 晚8点开门红达成率高，主推款售罄。", "限时特价款叠加满减和跨店满减后破价（已知、总监批准），毛利受损。",
             "破价检查在发布前完成并修正排除清单；主推款备货提高 30%。"),
}


def _span(name: str, year: int) -> tuple[dt.date, dt.date, list]:
    segments = [c for c in campaigns_of_year(year) if c.name == name]
    return min(c.first for c in segments), max(c.last for c in segments), segments


def _at(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _phases(plan: CampaignPlan, segments: list) -> None:
    """Phases from the generator's segments: the first is the warm-up, the peak day the main event,
    a midnight start before it the 开门红, deposits the presale, what follows the peak the encore."""
    peak = max(segments, key=lambda c: c.uplift)
    services.phase_add(plan=plan, kind="warmup", starts_at=_at(segments[0].first), ends_at=_at(segments[0].last + dt.timedelta(days=1)))
    for c in segments:
        if c is not peak and c.hours == HOUR_MIDNIGHT and c.first < peak.first:
            services.phase_add(plan=plan, kind="kickoff", starts_at=_at(c.first), ends_at=_at(c.last + dt.timedelta(days=1)))
    if peak.presale_deposits:
        a, b = peak.presale_deposits
        services.phase_add(plan=plan, kind="presale_deposit", starts_at=_at(a, 20), ends_at=_at(b + dt.timedelta(days=1)))
        services.phase_add(plan=plan, kind="balance", starts_at=_at(peak.first), ends_at=_at(peak.first, 12))
    services.phase_add(plan=plan, kind="main", starts_at=_at(peak.first), ends_at=_at(peak.last + dt.timedelta(days=1)))
    after = [c for c in segments if c.first > peak.last]
    if after:
        services.phase_add(plan=plan, kind="encore", starts_at=_at(after[0].first), ends_at=_at(after[-1].last + dt.timedelta(days=1)))


def _budget(plan: CampaignPlan, amounts: tuple[int, int, int, int]) -> None:
    ads, content, coupons, samples = amounts
    services.budget_line_add(plan=plan, channel="ad_tools", label="直通车 / 万相台", amount=Decimal(ads * 6 // 10), currency="CNY")
    services.budget_line_add(plan=plan, channel="ad_tools", label="巨量千川", amount=Decimal(ads * 4 // 10), currency="CNY")
    services.budget_line_add(plan=plan, channel="content", label="小红书达人 / 抖音短视频", amount=Decimal(content), currency="CNY")
    services.budget_line_add(plan=plan, channel="coupons", label="店铺券与满减（预计成本）", amount=Decimal(coupons), currency="CNY")
    services.budget_line_add(plan=plan, channel="samples", label="达人寄样", amount=Decimal(samples), currency="CNY")


def _tasks_done(plan: CampaignPlan, template, *, today: dt.date, late_every: int = 4) -> None:
    """The template's tasks, all done: on the due day or a day before, every ``late_every``-th two days late."""
    tasks = services.tasks_generate(plan=plan, template=template)
    for i, task in enumerate(tasks):
        done = task.due_on + (dt.timedelta(days=2) if i % late_every == late_every - 1 else -dt.timedelta(days=i % 2))
        services.task_status_set(task=task, status=Task.Status.DONE, today=min(done, today))


def _hero_skus(day: dt.date | None = None) -> list[str]:
    """The plan's 主推款: the three best sellers of the 30 days to ``day`` (the last stock day when None) by
    merchant code (units, every store: the same goods sell on every platform), as a team picks them; without
    stock facts, three of the dearest SKUs with a floor price (the promotions plan sets them on the own store)."""
    from shopops.inventory.selectors import stock_health
    from shopops.promotions.models import FloorPrice

    try:
        rows = stock_health(stores=(), day=day).rows
    except ShopopsError:
        rows = []
    units: dict[str, int] = {}
    for r in rows:
        if r["merchant_code"]:
            units[r["merchant_code"]] = units.get(r["merchant_code"], 0) + int(r["units_30"] or 0)
    top = [code for code in sorted(units, key=lambda c: (-units[c], c)) if units[code] > 0][:3]
    return top or list(FloorPrice.objects.order_by("-list_price", "sku").values_list("sku", flat=True)[:3])


# the demo's paid GMV per paying buyer in a campaign window is ¥510–590 (was assumed ¥250: the 双12 pace check then
# raised a critical "paying buyers 146 against 333" alert on every first run)
GMV_PER_BUYER = 540


def _goal(name: str, first: dt.date, last: dt.date, today: dt.date) -> tuple[int, tuple[int, ...]]:
    """A plan's GMV goal and budget from the store's own sales: the median daily GMV (all stores) of the
    ``LEVEL_DAYS`` days before the plan starts (or before today, for a plan ahead), × the window's days ×
    ``GOAL_UPLIFT``, rounded to ¥10,000; the ad tools' budget from the median daily ad spend of the same days × the
    window's days × ``AD_RAMP`` (to ¥100), the other lines scaled from ``PLANS`` by the goal's ratio. Medians, so a
    campaign inside those weeks does not lift the level much. Falls back to ``PLANS`` when there are no sales."""
    from shopops.core.periods import Grain, Period
    from shopops.metrics.runners import run_query
    from shopops.metrics.runners.kpis import KpiQuery

    fixed_goal, fixed_budget = PLANS[name]
    end = min(first, today) - dt.timedelta(days=1)
    try:
        rows = run_query(KpiQuery(("gmv", "ad_spend"), Period(end - dt.timedelta(days=LEVEL_DAYS - 1), end),
                                  grain=Grain.DAY)).rows
    except ShopopsError:
        rows = []
    daily = [Decimal(str(r["gmv"] or 0)) for r in rows]
    level = statistics.median(daily) if len(daily) >= LEVEL_DAYS // 2 else Decimal(0)
    if level <= 0:
        return fixed_goal, fixed_budget
    days = (last - first).days + 1
    goal = int((level * days * GOAL_UPLIFT[name] / 10_000).to_integral_value()) * 10_000
    goal = max(goal, 10_000)
    scaled = tuple(max(int(round(b * goal / fixed_goal, -2)), 100) for b in fixed_budget)
    spend = statistics.median(Decimal(str(r["ad_spend"] or 0)) for r in rows)
    ads = max(int(round(spend * days * AD_RAMP, -2)), 100) if spend > 0 else scaled[0]
    return goal, (ads, *scaled[1:])


def _planned_roi(goal: int, budget: tuple[int, int, int, int]) -> Decimal:
    """The ROI goal a team writes next to its GMV goal and budget: (goal − cost) ÷ cost with the cost the ROI counts
    (ad tools + content + samples; coupons are already out of the paid GMV: ``campaigns.analytics.fixed_cost``)."""
    ads, content, _coupons, samples = budget
    cost = Decimal(ads + content + samples)
    return ((Decimal(goal) - cost) / cost).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _users() -> dict[str, object]:
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=["director", "ops_specialist", "ads_specialist", "designer",
                                                                     "copywriter", "customer_service", "analyst", "procurement"])}


def _low_margin_skus() -> list[str]:
    """The SKUs a team leaves out of store-wide offers: cost over ``LOW_MARGIN_COST_SHARE`` of the price (the 双11
    plan's 9折 exclusion list), from the floor prices the promotions plan set."""
    from django.db.models import F

    from shopops.demo.promotions_plan import LOW_MARGIN_COST_SHARE
    from shopops.promotions.models import FloorPrice

    rows = FloorPrice.objects.filter(list_price__gt=0, cost__gt=F("list_price") * LOW_MARGIN_COST_SHARE)
    return sorted(rows.values_list("sku", flat=True))


def _sale_promotions(plan, *, first: dt.date, director, low_margin: list[str], echo: Callable[[str], None]) -> None:
    """A sale's offers as the team set them up: a 满减 and a store coupon over the sale's days, the usual low-margin
    SKUs left out (``_low_margin_skus``), published by the director two days before the
    first day with the floor guard passing — for the sales that have begun by the demo's today (the 双11 plan has
    the promotions module's 双11 主会场 instead)."""
    from shopops.promotions import services as promotion_services

    container = plan.promo_campaign
    if container is None or director is None:
        return
    window = {"starts_at": container.starts_at, "ends_at": container.ends_at}
    for name, kind, parameters in (
            ("满300减30", "tiered_reduction", {"tiers": [["300", "30"]]}),
            ("¥20 店铺券 (满199)", "store_coupon", {"amount": "20", "threshold": "199"})):
        offer = promotion_services.promotion_create(name=f"{plan.name} {name}", kind=kind, parameters=parameters,
                                                    stackable=True, exclude_skus=low_margin, **window)
        services.plan_promotion_attach(plan=plan, promotion=offer)
    try:
        promotion_services.campaign_publish(campaign=container, user=director, now=_at(first) - dt.timedelta(days=2))
    except ShopopsError as exc:  # the demo goes on; the plan's page shows the draft and why
        echo(f"{plan.name} promotions not published: {exc}")


def next_steps(first: dt.date, last: dt.date, today: dt.date) -> list[tuple[str, dt.datetime]]:
    """How far the approved next campaign has gone by ``today``: running from its first day,
    finished the day after its last (its 复盘 is then the team's to write)."""
    steps = []
    if first <= today:
        steps.append(("running", _at(first)))
    if last < today:
        steps.append(("finished", _at(last + dt.timedelta(days=1))))
    return steps


def campaigns_demo_create(*, today: dt.date, echo: Callable[[str], None] = print) -> int:
    """Create the demo's campaign season around ``today`` (a store day); returns the number of plans."""
    from shopops.promotions import services as promotion_services
    from shopops.promotions.models import Campaign as PromoCampaign

    users = _users()
    director, ops = users.get("director"), users.get("ops_specialist")
    stores = [StoreRef(s, "CNY", "Asia/Shanghai") for s in STORES]
    template = services.task_template_standard_ensure()
    year = today.year
    created = 0
    low_margin = _low_margin_skus()
    with transaction.atomic():
        for name in ("年货节", "38节", "618", "99划算节", "双11"):
            y = year if _span(name, year)[1] < today else year - 1  # its last run before today
            first, last, segments = _span(name, y)
            goal, budget = _goal(name, first, last, today)
            container = None
            if name == "双11":
                container = PromoCampaign.objects.filter(name="双11 主会场").first()
                if container is not None and hasattr(container, "plan"):
                    container = None
            plan = services.plan_create(
                name=f"{y} {name}", stores=stores, starts_on=first, ends_on=last, owner=ops, festival=f"{MARKER}{name}",
                theme=f"{name}：全店大促，主推当季爆款，老客召回与新客首单并重。", goal_gmv=Decimal(goal), goal_paying_buyers=goal // GMV_PER_BUYER,
                goal_new_buyers=goal // (3 * GMV_PER_BUYER), goal_roi=_planned_roi(goal, budget), goal_margin_floor=Decimal("0.3000"),
                promo_campaign=container, hero_skus=_hero_skus(first - dt.timedelta(days=1)))
            if container is None:
                _sale_promotions(plan, first=first, director=director, low_margin=low_margin, echo=echo)
            _phases(plan, segments)
            _budget(plan, budget)
            _tasks_done(plan, template, today=today)
            when = _at(first) - dt.timedelta(days=20)
            services.plan_transition(plan=plan, to="approved", user=director, now=when)
            services.plan_transition(plan=plan, to="running", user=ops, now=_at(first))
            services.plan_transition(plan=plan, to="finished", user=ops, now=_at(last + dt.timedelta(days=1)))
            well, badly, nxt = NOTES[name]
            services.plan_review_notes_save(plan=plan, went_well=well, went_badly=badly, next_time=nxt)
            services.plan_transition(plan=plan, to="reviewed", user=users.get("analyst") or director, now=_at(last + dt.timedelta(days=4)))
            if container is not None and container.status == PromoCampaign.Status.DRAFT and director is not None:
                try:
                    promotion_services.campaign_publish(campaign=container, user=director, now=_at(first) - dt.timedelta(days=2),
                                                        override_reason="限时特价款为引流款，总监批准破价（演示数据）")
                except Exception as exc:  # noqa: BLE001 - the demo goes on; the page shows the draft
                    echo(f"双11 主会场 not published: {exc}")
            created += 1

        # the next one: 双12, approved (running once its first day has come), tasks in progress and some overdue
        first, last, segments = _span("双12", year)
        goal, budget = _goal("双12", first, last, today)
        nxt = services.plan_create(
            name=f"{year} 双12", stores=stores, starts_on=first, ends_on=last, owner=ops, festival=f"{MARKER}双12",
            theme="双12：年终回馈，冬季主推款 + 会员专享券。", goal_gmv=Decimal(goal), goal_paying_buyers=goal // GMV_PER_BUYER,
            goal_new_buyers=goal // (3 * GMV_PER_BUYER), goal_roi=_planned_roi(goal, budget), goal_margin_floor=Decimal("0.3200"),
            hero_skus=_hero_skus())
        _phases(nxt, segments)
        _budget(nxt, budget)
        tasks = services.tasks_generate(plan=nxt, template=template)
        for task in tasks:
            if task.due_on <= today - dt.timedelta(days=9):
                services.task_status_set(task=task, status=Task.Status.DONE, today=task.due_on)
            elif task.kind in ("promotions", "ads"):
                services.task_status_set(task=task, status=Task.Status.DOING, today=today)
        approved = min(_at(today) - dt.timedelta(days=10), _at(first) - dt.timedelta(days=3))
        services.plan_transition(plan=nxt, to="approved", user=director, now=approved)
        for status, when in next_steps(first, last, today):  # a demo built on or after its first day: running
            services.plan_transition(plan=nxt, to=status, user=ops, now=when)
        if first <= today:  # its offers went live two days before (before that they are the team's work in progress)
            _sale_promotions(nxt, first=first, director=director, low_margin=low_margin, echo=echo)
        created += 1

        # next year's 年货节: a draft, its tasks not started
        first, last, segments = _span("年货节", year + 1)
        goal, budget = _goal("年货节", first, last, today)
        draft = services.plan_create(
            name=f"{year + 1} 年货节", stores=stores, starts_on=first, ends_on=last, owner=ops, festival=f"{MARKER}年货节",
            theme="年货节：礼盒套装与家庭装，春节前发货截止日提前公告。", goal_gmv=Decimal(goal))
        _phases(draft, segments)
        services.tasks_generate(plan=draft, template=template)
        created += 1

        _content(users, today)
        services.store_day_save(store_id="own", name="会员日", day=18)
        services.store_day_save(store_id="own", name="店庆", month=9, day=20)
        services.store_day_save(store_id="tmall", name="品牌日", month=4, day=16)
        if ops is not None:
            services.store_responsibility_set(user=ops, store_ids=["tmall", "own"])
        if users.get("ads_specialist") is not None:
            services.store_responsibility_set(user=users["ads_specialist"], store_ids=["jd", "pdd", "douyin"])
        if director is not None:
            services.store_responsibility_set(user=director, store_ids=list(STORES))
    return created


def _content(users: dict, today: dt.date) -> None:
    """Posts around 双11 (with results) and 双12 (planned), on each channel."""
    copy, ops = users.get("copywriter"), users.get("ops_specialist")
    posts = [
        ("XHS-1101", "xiaohongshu", "post", "双11 冬季通勤穿搭 5 套", dt.date(today.year, 10, 20), copy, "published", 800, (32000, 1450, 38, "9120")),
        ("DY-1102", "douyin", "livestream", "双11 开门红 直播专场", dt.date(today.year, 10, 31), ops, "published", 5000, (180000, 9200, 410, "98400")),
        ("WX-1103", "wechat_article", "post", "双11 会员攻略：定金膨胀怎么用", dt.date(today.year, 10, 24), copy, "published", 0, (12000, 640, 95, "22800")),
        ("SPH-1104", "wechat_channels", "video", "羽绒服 3 种穿法", dt.date(today.year, 11, 5), copy, "published", 300, (26000, 980, 21, "5040")),
        ("WB-1105", "weibo", "post", "双11 抽奖转发", dt.date(today.year, 11, 8), copy, "published", 1200, (54000, 3100, 12, "2880")),
        ("XHS-1201", "xiaohongshu", "post", "双12 年终好物清单", dt.date(today.year, 12, 3), copy, "published", 800, None),
        ("DY-1202", "douyin", "livestream", "双12 狂欢夜直播", dt.date(today.year, 12, 11), ops, "scheduled", 5000, None),
        ("WX-1203", "wechat_article", "post", "双12 会员专享券", dt.date(today.year, 12, 9), copy, "drafting", 0, None),
        ("XHS-0101", "xiaohongshu", "video", "年货节 礼盒开箱", dt.date(today.year + 1, 1, 8), copy, "idea", 600, None),
    ]
    plans = {}
    for p in CampaignPlan.objects.filter(festival__startswith=MARKER).order_by("starts_on"):
        plans[p.festival] = p  # the latest of each name
    now = dt.datetime.combine(today, dt.time(9), tzinfo=TZ)
    for code, channel, fmt, title, day, owner, status, cost, results in posts:
        plan = plans.get(MARKER + {"11": "双11", "12": "双12"}.get(code[-4:-2], "年货节"))
        post = services.content_post_save(code=code, channel=channel, format=fmt, title=title, owner=owner, status=status,
                                          publish_at=dt.datetime.combine(day, dt.time(20), tzinfo=TZ), plan=plan,
                                          cost=Decimal(cost), store_id="own" if channel.startswith("wechat") else "")
        if results:
            reach, engagements, orders, gmv = results
            ContentPost.objects.filter(pk=post.pk).update(reach=reach, engagements=engagements, attributed_orders=orders,
                                                          attributed_gmv=Decimal(gmv), results_imported_at=now)


def _targets(today: dt.date, echo: Callable[[str], None]) -> None:
    """Monthly GMV targets per store for the last three months, where none is set: the month's
    GMV scaled by a fixed factor per store (some stores hit their target, some miss it)."""
    from shopops.core.periods import Period
    from shopops.metrics.models import Target
    from shopops.metrics.runners import run_query
    from shopops.metrics.runners.kpis import KpiQuery
    from shopops.metrics.services import target_set

    factor = {"tmall": Decimal("1.05"), "jd": Decimal("0.92"), "pdd": Decimal("1.15"), "douyin": Decimal("0.97"), "own": Decimal("1.02")}
    month = today.replace(day=1)
    for _ in range(3):
        end = min(today - dt.timedelta(days=1), (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1))
        if end >= month:
            full_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            try:
                rows = run_query(KpiQuery(("gmv",), Period(month, end), by=("store_id",))).rows
            except ShopopsError as exc:
                echo(f"demo targets skipped: {exc}")
                return
            for row in rows:
                store = row["store_id"]
                if store not in factor or Target.objects.filter(store_id=store, kpi="gmv", month=month).exists():
                    continue
                run_rate = Decimal(str(row["gmv"])) / ((end - month).days + 1) * ((full_end - month).days + 1)
                target_set(kpi="gmv", month=month, store_id=store, value=(run_rate * factor[store]).quantize(Decimal("1")))
        month = (month - dt.timedelta(days=1)).replace(day=1)


def campaigns_demo_ensure(*, today: dt.date | None = None, echo: Callable[[str], None] = print) -> None:
    """Demo setup: the campaign season once (when no demo plan exists yet)."""
    from shopops.campaigns.selectors import store_today

    if CampaignPlan.objects.filter(festival__startswith=MARKER).exists():
        return
    today = today or store_today()
    n = campaigns_demo_create(today=today, echo=echo)
    _targets(today, echo)
    echo(f"campaign season: {n} campaign plans (past ones reviewed, 双12 approved with tasks in progress)")


def retro_findings_demo_link(*, echo: Callable[[str], None] = print) -> int:
    """First run, after insights: each reviewed demo plan without linked findings gets up to two of the
    findings insights has in its 复盘 window (the campaign and the 14 days after) — the largest rise above
    the expected value (actual ÷ expected) as "went well", the largest fall below it as "went badly", each with a note from
    the finding's own numbers. Only findings insights really made: when its days do not reach a plan's
    window nothing is linked (the echo says so). Returns the number of links made."""
    from shopops.campaigns import retro_findings, retro_links
    from shopops.campaigns.models import RetroFinding
    from shopops.campaigns.selectors import store_today

    director = _users().get("director")
    if director is None or not retro_findings.available():
        return 0
    plans = list(CampaignPlan.objects.filter(festival__startswith=MARKER, status=CampaignPlan.Status.REVIEWED)
                 .exclude(pk__in=RetroFinding.objects.values("plan_id")).order_by("starts_on"))
    made, without = 0, []
    now = dt.datetime.combine(store_today(), dt.time(9), tzinfo=TZ)
    for plan in plans:
        first, last = retro_links.window(plan)
        found = retro_findings.findings_between(store_ids=plan.store_ids, start=first, end=last) or []
        ratio = {f.finding_id: f.actual / f.expected for f in found if f.expected > 0}  # KPIs differ in unit: compare ratios
        ups = sorted((f for f in found if ratio.get(f.finding_id, 1) > 1), key=lambda f: (-ratio[f.finding_id], f.day))
        downs = sorted((f for f in found if ratio.get(f.finding_id, 1) < 1), key=lambda f: (ratio[f.finding_id], f.day))
        picks = [(f, "went_well") for f in ups[:1]] + [(f, "went_badly") for f in downs[:1]]
        if not picks:
            without.append(plan.name)
            continue
        for f, verdict in picks:
            change = ratio.get(f.finding_id, 1.0) - 1
            kpi = f.texts.get("zh", {}).get("kpi", f.kpi)
            note = f"{'活动后' if f.day > plan.ends_on else '活动期间'}{kpi}比预期{'高' if change >= 0 else '低'}{abs(change):.0%}"
            retro_links.retro_finding_link(plan=plan, finding_id=f.finding_id, verdict=verdict, note=note,
                                           user=director, now=now)
            made += 1
    if without:
        echo(f"复盘 linked findings: none for {', '.join(without)} — insights has no finding in their windows "
             "(the demo detects its last five days only); nothing faked")
    if made:
        echo(f"复盘 linked findings: {made} linked to the reviewed plans")
    return made
