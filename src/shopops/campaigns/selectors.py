"""Reads of the campaigns app: plans and their readiness, tasks (board, timeline, overdue, on-time
rates), the marketing calendar (and its ICS file), content results and the team scorecards."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy

from shopops.campaigns.models import (
    CampaignPlan, ContentPost, PublicHolidaySchedule, StoreDay, StoreResponsibility, Task, TaskKind, TaskTemplate,
)
from shopops.core.errors import ShopopsError
from shopops.core.periods import business_today
from shopops.core.roles import ROLE_LABELS, Module, Role
from shopops.promotions import selectors as promotion_selectors
from shopops.promotions.models import Campaign as PromoCampaign, Promotion


def store_today(plan_or_tz: CampaignPlan | str | None = None) -> dt.date:
    tz = plan_or_tz.time_zone if isinstance(plan_or_tz, CampaignPlan) else (plan_or_tz or settings.SHOPOPS_TIME_ZONE)
    return business_today(tz)


# ------------------------------------------------------------------------------ stores
def stores_available():
    """The warehouse's stores (id, platform, name, currency, time zone); empty when it has none."""
    from shopops.metrics.dimensions import store_list

    try:
        return store_list()
    except ShopopsError:
        return []


def stores_by_id(store_ids: Iterable[str]) -> list:
    wanted = list(store_ids)
    known = {s.store_id: s for s in stores_available()}
    missing = [s for s in wanted if s not in known]
    if missing:
        raise ShopopsError(_("Unknown store(s): %(missing)s; known: %(known)s.")
                           % {"missing": ", ".join(missing), "known": ", ".join(known) or "—"})
    return [known[s] for s in wanted]


# ------------------------------------------------------------------------------ plans
def plan_list(*, status: str = "", store_id: str = "") -> list[CampaignPlan]:
    qs = CampaignPlan.objects.select_related("owner", "promo_campaign").prefetch_related("phases", "budget_lines")
    if status:
        qs = qs.filter(status=status)
    plans = list(qs)
    if store_id:
        plans = [p for p in plans if store_id in p.store_ids]
    return plans


def plan_get(*, plan_id: int) -> CampaignPlan:
    return (CampaignPlan.objects.select_related("owner", "promo_campaign", "approved_by")
            .prefetch_related("phases", "budget_lines").get(pk=plan_id))


def budget_total(plan: CampaignPlan) -> Decimal:
    return sum((b.amount for b in plan.budget_lines.all()), Decimal("0.00"))


def budget_by_channel(plan: CampaignPlan) -> list[tuple[str, Decimal]]:
    out: dict[str, Decimal] = {}
    for b in plan.budget_lines.all():
        out[b.get_channel_display()] = out.get(b.get_channel_display(), Decimal("0")) + b.amount
    return list(out.items())


@dataclass(frozen=True, slots=True)
class PromotionVerdict:
    promotion: Promotion
    violations: int | None  # SKUs this offer helps take below their floor (None: not checked)

    @property
    def ok(self) -> bool | None:
        return None if self.violations is None else self.violations == 0


@dataclass(frozen=True, slots=True)
class FloorVerdict:
    checked: bool
    violations: int
    promotions: tuple[PromotionVerdict, ...]
    published: bool
    overridden: bool  # published over violations with a reason (audit log)


# Floor checks already run, by what they depend on (see ``_floor_fingerprint``): a plan page shows
# the last verdict while nothing it depends on changed, and runs the check only when asked.
_FLOOR_VERDICTS: dict[tuple, tuple[int, dict[str, int]]] = {}
_FLOOR_VERDICTS_SIZE = 64


def _floor_fingerprint(campaign: PromoCampaign, promos: Sequence[Promotion]) -> tuple:
    from django.db.models import Count, Max, Sum

    from shopops.promotions.models import FloorPrice

    floors = FloorPrice.objects.aggregate(n=Count("id"), last=Max("id"), cost=Sum("cost"), price=Sum("list_price"),
                                          committed=Sum("committed_price"), margin=Sum("min_margin"))
    return (campaign.pk, campaign.starts_at, campaign.ends_at, tuple((p.pk, p.updated_at, p.is_active) for p in promos),
            tuple(sorted(floors.items())))


def plan_floor_verdict(plan: CampaignPlan, *, check: bool = True) -> FloorVerdict:
    """Each attached offer with the floor guard's verdict (``promotions.selectors.campaign_floor_check``):
    how many SKUs can be bought below their floor with this offer among those applied.

    The check prices every SKU under every offer (about a second for the demo's 1,300 SKUs and
    eight offers), so it runs when ``check`` is true; otherwise the last verdict is shown if the
    offers, the campaign's window and the floor prices are unchanged since, else "not checked"."""
    campaign = plan.promo_campaign
    if campaign is None:
        return FloorVerdict(False, 0, (), False, False)
    promos = list(campaign.promotions.order_by("pk"))
    published = campaign.status == PromoCampaign.Status.PUBLISHED
    overridden = published and campaign.audit.filter(action="campaign_publish_override").exists()
    if not promos:
        return FloorVerdict(False, 0, (), published, overridden)
    key = _floor_fingerprint(campaign, promos)
    found = _FLOOR_VERDICTS.get(key)
    if found is None and check:
        report = promotion_selectors.campaign_floor_check(campaign=campaign)
        by_promo: dict[str, int] = defaultdict(int)
        for v in report.violations:
            for pid in set(v.applied):
                by_promo[pid] += 1
        found = (len(report.violations), dict(by_promo))
        if len(_FLOOR_VERDICTS) >= _FLOOR_VERDICTS_SIZE:
            _FLOOR_VERDICTS.pop(next(iter(_FLOOR_VERDICTS)))
        _FLOOR_VERDICTS[key] = found
    if found is None:
        return FloorVerdict(False, 0, tuple(PromotionVerdict(p, None) for p in promos), published, overridden)
    total, by_promo = found
    return FloorVerdict(True, total, tuple(PromotionVerdict(p, by_promo.get(str(p.pk), 0)) for p in promos),
                        published, overridden)


def promotions_attachable(plan: CampaignPlan) -> list[Promotion]:
    attached = set(plan.promo_campaign.promotions.values_list("pk", flat=True)) if plan.promo_campaign else set()
    return [p for p in Promotion.objects.filter(is_active=True).order_by("name") if p.pk not in attached]


@dataclass(frozen=True, slots=True)
class ReadinessItem:
    key: str
    label: str
    state: str  # "ok" | "open" | "hook" (another module will answer) | "past" (no longer judged: the campaign is over)
    detail: str


# The checklist's task kinds, in order: done when every task of the kind is done (and there is one).
READINESS_TASKS: tuple[tuple[str, str], ...] = (
    (TaskKind.CREATIVE, gettext_lazy("Creatives done")),
    (TaskKind.COPY, gettext_lazy("Copy done")),
    (TaskKind.ADS, gettext_lazy("Ad plans set")),
    (TaskKind.SERVICE, gettext_lazy("Service scripts (话术) ready")),
)


@dataclass(frozen=True, slots=True)
class HeroStock:
    """One hero SKU in one store, from the inventory module's stock health (last snapshot day)."""

    sku: str  # as the plan names it (SKU id or merchant code)
    store_id: str
    title: str
    on_hand: int
    in_transit: int
    daily_demand: float  # units a day over the last 30 days (ordinary pace; a sale sells faster)
    days_of_cover: float | None  # on hand ÷ daily demand (None: no sales in 30 days)
    needed_days: int  # from the stock day to the campaign's last day
    status: str  # the inventory module's status (healthy, at_risk, stockout, …)

    @property
    def covered(self) -> bool:
        if self.daily_demand <= 0:
            return self.on_hand > 0
        return self.days_of_cover is not None and self.days_of_cover >= self.needed_days


@dataclass(frozen=True, slots=True)
class HeroStockReport:
    day: dt.date | None  # the stock snapshot day (None: the warehouse has no stock data)
    rows: list[HeroStock]
    missing: list[str]  # hero SKUs no store of the plan stocks

    @property
    def short(self) -> list[str]:
        return sorted({r.sku for r in self.rows if not r.covered})


HERO_STOCK_TABLES = ("inventory_snapshots", "orders", "order_lines", "skus", "products")
HERO_STOCK_SECONDS = 600  # the campaigns_warm job's cadence: the job rebuilds a report older than half of it
HERO_STOCK_MAX_SECONDS = 3 * HERO_STOCK_SECONDS  # a page rebuilds the report only when no job did for this long


def hero_stock(plan: CampaignPlan, *, refresh: bool = False, now: float | None = None) -> HeroStockReport:
    """Stock cover of the plan's hero SKUs in its stores, read from the inventory module
    (``inventory.selectors.stock_health``: on hand + receipts after the snapshot, 30-day demand).
    A hero SKU matches a row by SKU id or merchant code; cover is needed from the stock day to the
    campaign's last day.

    The report is kept per data version of the stock facts with the time it was built. Stock health of
    whole stores takes seconds on a large store, so no visitor rebuilds it while it is fresh enough: the
    ``campaigns_warm`` job (every ten minutes) calls this with ``refresh=True``, which rebuilds a report
    older than half of ``HERO_STOCK_SECONDS`` — receipts recorded in shopops show within about ten
    minutes — and a page rebuilds it itself only when it is missing (a new data version the job has not
    warmed yet) or older than ``HERO_STOCK_MAX_SECONDS`` (no job running). ``now``: the clock
    (``time.time()``)."""
    from shopops.inventory import selectors as inventory_selectors
    from shopops.metrics.cache import cache_key, default_cache
    from shopops.warehouse.connection import connect

    heroes = [s for s in plan.hero_skus if s]
    if not heroes:
        return HeroStockReport(None, [], [])
    stores = tuple(plan.store_ids)
    con = connect()
    # Only the report (a few rows) is cached, not the whole stores' health: that is 1.5 MB pickled on the
    # small demo, ~50 ms of CPU to read back on every render of the live page
    cache = default_cache()
    key = cache_key("campaigns:hero_report", (con.name, stores, tuple(heroes), plan.ends_on), con=con,
                    tables=HERO_STOCK_TABLES, stores=stores)
    hit = cache.get(key)
    now = time.time() if now is None else now
    if hit is not None:
        built_at, report = hit
        age = now - built_at
        if age < HERO_STOCK_MAX_SECONDS and not (refresh and age >= HERO_STOCK_SECONDS / 2):
            return report
    report = _hero_report(inventory_selectors.stock_health(stores=stores), heroes, plan.ends_on)
    cache.set(key, (now, report), HERO_STOCK_MAX_SECONDS)
    return report


def _hero_report(health, heroes: list[str], ends_on: dt.date) -> HeroStockReport:
    if health.day is None:
        return HeroStockReport(None, [], heroes)
    needed = max((ends_on - health.day).days, 0)
    rows: list[HeroStock] = []
    wanted = set(heroes)
    matches = [r for r in health.rows if str(r["sku_id"]) in wanted or str(r["merchant_code"] or "") in wanted]
    for sku in heroes:
        for r in matches:
            if sku in (str(r["sku_id"]), str(r["merchant_code"] or "")):
                cover = r["days_of_cover"]
                rows.append(HeroStock(sku=sku, store_id=r["store_id"], title=str(r["title"] or ""),
                                      on_hand=int(r["on_hand"]), in_transit=int(r["in_transit"]),
                                      daily_demand=float(r["daily_demand"]),
                                      days_of_cover=None if cover is None else float(cover),
                                      needed_days=needed, status=str(r["status"])))
    found = {r.sku for r in rows}
    return HeroStockReport(health.day, rows, [s for s in heroes if s not in found])


def plan_readiness(plan: CampaignPlan, *, verdict: FloorVerdict | None = None,
                   stock: HeroStockReport | None = None) -> list[ReadinessItem]:
    """The readiness checklist, computed from what is known: promotions published and floor-checked,
    the tasks of each preparation kind done, stock cover of the hero SKUs (the inventory module)."""
    items: list[ReadinessItem] = []
    verdict = verdict or plan_floor_verdict(plan, check=False)
    n = len(verdict.promotions)
    if n == 0:
        items.append(ReadinessItem("promotions", _("Promotions published and floor-checked"), "open", _("No promotions attached yet.")))
    elif not verdict.published:
        extra = (_("; the floor guard finds %(n)s SKU(s) below their floor") % {"n": verdict.violations}
                 if verdict.checked and verdict.violations else "")
        items.append(ReadinessItem("promotions", _("Promotions published and floor-checked"), "open",
                                   _("%(n)s promotion(s) attached, not published yet%(extra)s.") % {"n": n, "extra": extra}))
    else:
        detail = (_("Published with an override of the floor guard (reason in the audit log).") if verdict.overridden
                  else _("Published; the floor guard passed at publishing."))
        items.append(ReadinessItem("promotions", _("Promotions published and floor-checked"), "ok", detail))
    if not plan.hero_skus:
        items.append(ReadinessItem("stock", _("Stock of hero SKUs covered"), "open", _("No hero SKUs chosen.")))
    elif plan.status in (CampaignPlan.Status.FINISHED, CampaignPlan.Status.REVIEWED):
        # today's stock against a campaign that is over would judge nothing: cover is a before-and-during check
        items.append(ReadinessItem("stock", _("Stock of hero SKUs covered"), "past",
                                   _("The campaign is over: stock cover is checked before and during it.")))
    else:
        stock = stock if stock is not None else hero_stock(plan)
        if stock.day is None:
            items.append(ReadinessItem("stock", _("Stock of hero SKUs covered"), "open",
                                       _("The warehouse has no stock snapshots yet (inventory module).")))
        else:
            problems = []
            if stock.short:
                problems.append(_("not covered to the campaign's end (%(day)s) at the last 30 days' pace: %(skus)s")
                                % {"day": plan.ends_on.isoformat(), "skus": ", ".join(stock.short)})
            if stock.missing:
                problems.append(_("not stocked in the plan's stores: %(skus)s") % {"skus": ", ".join(stock.missing)})
            detail = ("; ".join(problems) if problems else
                      _("Every hero SKU covered to the campaign's end (stock of %(day)s).") % {"day": stock.day.isoformat()})
            items.append(ReadinessItem("stock", _("Stock of hero SKUs covered"), "open" if problems else "ok", detail))
    tasks = list(plan.tasks.all())
    for kind, label in READINESS_TASKS:
        of_kind = [t for t in tasks if t.kind == kind]
        done = sum(1 for t in of_kind if t.status == Task.Status.DONE)
        if not of_kind:
            items.append(ReadinessItem(kind, str(label), "open", _("No task of this kind.")))
        else:
            items.append(ReadinessItem(kind, str(label), "ok" if done == len(of_kind) else "open",
                                       _("%(done)s of %(n)s task(s) done.") % {"done": done, "n": len(of_kind)}))
    return items


def template_list() -> list[TaskTemplate]:
    return list(TaskTemplate.objects.prefetch_related("steps"))


# ------------------------------------------------------------------------------ tasks
def task_list(*, plan: CampaignPlan | None = None, assignee_id: int | None = None, store_id: str = "") -> QuerySet[Task]:
    qs = Task.objects.select_related("assignee", "plan").prefetch_related("depends_on")
    if plan is not None:
        qs = qs.filter(plan=plan)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    return qs


def task_get(*, task_id: int) -> Task:
    return (Task.objects.select_related("assignee", "plan").prefetch_related("depends_on", "blocks", "comments__author",
                                                                            "attachments").get(pk=task_id))


BOARD_DONE_DAYS = 14  # the board's 已完成 column: tasks done in the last two weeks (all of them for one plan)


def task_board(tasks: Iterable[Task], *, done_since: dt.date | None = None) -> tuple[list[tuple[str, str, list[Task]]], int]:
    """The board's columns: (status, label, tasks by due day; done ones newest first) and how many done
    tasks were left out: with ``done_since`` only those done on or after that day are shown (a season of
    past campaigns would otherwise fill the column with hundreds of cards)."""
    columns = {s: [] for s in Task.Status.values}
    for t in tasks:
        columns[t.status].append(t)
    done = columns[Task.Status.DONE]
    hidden = 0
    if done_since is not None:
        shown = [t for t in done if t.done_on is not None and t.done_on >= done_since]
        hidden = len(done) - len(shown)
        columns[Task.Status.DONE] = shown
    out = []
    for s in Task.Status.values:
        if s == Task.Status.DONE:
            ordered = sorted(columns[s], key=lambda t: (t.done_on or t.due_on, t.pk), reverse=True)
        else:
            ordered = sorted(columns[s], key=lambda t: (t.due_on, t.pk))
        out.append((s, str(Task.Status(s).label), ordered))
    return out, hidden


def is_overdue(task: Task, day: dt.date) -> bool:
    return task.status != Task.Status.DONE and task.due_on < day


def overdue_tasks(*, day: dt.date, user=None, role: Role | str | None = None) -> list[Task]:
    """Open tasks due before ``day`` (a store day): of ``user`` (assigned to them), or of ``role``
    (the tasks' owner role), or all. What the 晨报 tells each owner."""
    qs = Task.objects.select_related("assignee", "plan").exclude(status=Task.Status.DONE).filter(due_on__lt=day)
    if user is not None:
        qs = qs.filter(assignee=user)
    if role is not None:
        qs = qs.filter(role=Role(role).value)
    return list(qs.order_by("due_on", "id"))


@dataclass(frozen=True, slots=True)
class Timeline:
    start: dt.date
    end: dt.date
    days: int
    rows: list[dict]
    months: list[dict]
    today_offset: float | None


def task_timeline(tasks: Sequence[Task], *, today: dt.date) -> Timeline | None:
    """The Gantt rows: each task's bar as left/width percentages of the span (server-rendered CSS)."""
    if not tasks:
        return None
    start = min(t.starts_on or t.due_on for t in tasks)
    end = max(max(t.due_on, t.done_on or t.due_on) for t in tasks)
    start, end = min(start, today), max(end, today)
    days = (end - start).days + 1
    rows = []
    for t in sorted(tasks, key=lambda t: (t.starts_on or t.due_on, t.due_on, t.pk)):
        first = t.starts_on or t.due_on
        rows.append({"task": t, "left": 100 * (first - start).days / days,
                     "width": max(100 * ((t.due_on - first).days + 1) / days, 100 / days),
                     "overdue": is_overdue(t, today),
                     "late": t.done_on is not None and t.done_on > t.due_on})
    months = []
    cursor = start.replace(day=1)
    while cursor <= end:
        nxt = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        a, b = max(cursor, start), min(nxt - dt.timedelta(days=1), end)
        shown = (b - a).days + 1
        # a month cut by the timeline's edge on a long timeline is too narrow for "2025-12" (it showed "2025-1"): its
        # month number alone
        label = cursor.strftime("%m") if shown < 25 and days > 180 else cursor.strftime("%Y-%m")
        months.append({"label": label, "left": 100 * (a - start).days / days, "width": 100 * shown / days})
        cursor = nxt
    return Timeline(start, end, days, rows, months, 100 * ((today - start).days + 0.5) / days)


@dataclass(frozen=True, slots=True)
class OnTime:
    key: str  # username or role
    label: str
    due: int  # tasks due in the period and judged (done, or open and past due)
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def on_time_counts(tasks: Iterable[Task], *, today: dt.date) -> tuple[int, int]:
    """(judged, on time): a task counts when done, or open past its due day; on time = done by its due day."""
    judged = on_time = 0
    for t in tasks:
        if t.status == Task.Status.DONE and t.done_on is not None:
            judged += 1
            on_time += t.done_on <= t.due_on
        elif t.due_on < today:
            judged += 1
    return judged, on_time


def on_time_rates(*, start: dt.date, end: dt.date, today: dt.date, language: str = "zh-hans") -> tuple[list[OnTime], list[OnTime]]:
    """On-time delivery of tasks due in [start, end], per person (assignee) and per owner role."""
    tasks = list(Task.objects.select_related("assignee").filter(due_on__gte=start, due_on__lte=end))
    by_user: dict[str, list[Task]] = defaultdict(list)
    by_role: dict[str, list[Task]] = defaultdict(list)
    for t in tasks:
        if t.assignee is not None:
            by_user[t.assignee.username].append(t)
        if t.role:
            by_role[t.role].append(t)
    en = language.startswith("en")
    people = [OnTime(k, k, *on_time_counts(v, today=today)) for k, v in sorted(by_user.items())]
    roles = [OnTime(k, ROLE_LABELS[Role(k)][1 if en else 0], *on_time_counts(v, today=today)) for k, v in sorted(by_role.items())]
    return people, roles


# ------------------------------------------------------------------------------ calendar
@dataclass(frozen=True, slots=True)
class CalendarItem:
    uid: str
    kind: str  # festival | holiday | workday | store_day | campaign | phase | promotion | content | task
    title: str
    start: dt.date
    end: dt.date  # inclusive
    store_id: str = ""
    owner: str = ""
    url: str = ""
    detail: str = ""
    overdue: bool = False


CALENDAR_KINDS: tuple[tuple[str, str], ...] = (
    ("festival", gettext_lazy("Platform festivals")), ("holiday", gettext_lazy("Holidays and make-up workdays (调休)")),
    ("store_day", gettext_lazy("Store days")), ("campaign", gettext_lazy("Campaigns")),
    ("promotion", gettext_lazy("Promotions")), ("content", gettext_lazy("Content")), ("task", gettext_lazy("Tasks")),
)


def calendar_range(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The days a view shows: the anchor's month, quarter or year."""
    if view == "year":
        return dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31)
    if view == "quarter":
        first = (anchor.month - 1) // 3 * 3 + 1
        last = first + 2
        return dt.date(anchor.year, first, 1), dt.date(anchor.year, last, _calendar.monthrange(anchor.year, last)[1])
    return anchor.replace(day=1), anchor.replace(day=_calendar.monthrange(anchor.year, anchor.month)[1])


# One name per festival across platforms (each platform brands it: 天猫年货节, 京东年货节 …)
FESTIVAL_NAMES_ZH = {"new_year_goods": "年货节", "38": "38节", "618": "618", "99": "99划算节", "double11": "双11",
                     "double12": "双12"}


def festival_items(start: dt.date, end: dt.date, *, platforms: Sequence[str] = (), language: str = "") -> list[CalendarItem]:
    """Platform festivals with their phases (one item per phase, the platforms sharing its days named
    together), public holidays and 调休 working days, lunar festivals: from ``shopops.core.festivals``.
    ``platforms`` restricts the festivals (empty: all four)."""
    from django.utils.translation import get_language

    from shopops.core import festivals as fest

    en = (language or get_language() or "zh-hans").startswith("en")
    wanted = [p for p in platforms if p in fest.Platform.__members__.values()] if platforms else []
    if platforms and not wanted:  # only stores without a platform festival schedule (the own shop)
        festivals = []
    else:
        festivals = [f for f in fest.festivals_between(start, end) if not wanted or f.platform.value in wanted]
    grouped: dict[tuple, list] = defaultdict(list)
    for f in festivals:
        for ph in f.phases:
            if ph.first <= end and ph.last >= start:
                name = f.name_en if en else FESTIVAL_NAMES_ZH.get(f.key, f.name_zh)
                grouped[(f.key, f.year, ph.kind, ph.first, ph.last, name)].append(f.platform)
    items = []
    for (key, year, kind, first, last, name), plats in grouped.items():
        names = ", ".join(p.label_en if en else p.label_zh for p in plats)
        items.append(CalendarItem(f"festival-{key}-{year}-{kind.value}-{first:%Y%m%d}-{'-'.join(p.value for p in plats)}",
                                  "festival", f"{name} · {kind.label_en if en else kind.label_zh}", first, last,
                                  detail=f"{names} · {fest.TYPICAL_SOURCE_EN if en else fest.TYPICAL_SOURCE_ZH}"))
    for year in range(start.year, end.year + 1):
        try:
            days = fest.public_days(year)
        except fest.HolidayDataMissing:
            days = []
        for d in days:
            if start <= d.day <= end:
                holiday = d.kind == fest.PublicDayKind.HOLIDAY
                label = (d.name_en if en else d.name_zh) + ("" if holiday else (" (make-up workday)" if en else " 调休上班"))
                items.append(CalendarItem(f"publicday-{d.day:%Y%m%d}", "holiday" if holiday else "workday", label, d.day, d.day))
        for lf in fest.lunar_festivals(year):
            if start <= lf.day <= end:
                items.append(CalendarItem(f"lunar-{lf.key}-{lf.day:%Y%m%d}", "lunar", lf.name_en if en else lf.name_zh,
                                          lf.day, lf.day, detail=f"农历 {lf.lunar_month}/{lf.lunar_day}"))
    return items


def holiday_years_missing(start: dt.date, end: dt.date) -> list[int]:
    """Years of the range with no State Council schedule: not in the installed ``chinesecalendar``
    and not entered by hand (``PublicHolidaySchedule``)."""
    from shopops.core import festivals as fest

    return [y for y in range(start.year, end.year + 1) if fest.public_days_origin(y) is None]


def holiday_schedules_entered(start: dt.date, end: dt.date) -> list[PublicHolidaySchedule]:
    """Schedules entered by hand for years of the range the package does not cover (shown on the
    calendar with who entered them: the package wins as soon as it has the year)."""
    from shopops.core import festivals as fest

    covered = fest.holiday_years()
    return [s for s in PublicHolidaySchedule.objects.filter(year__gte=start.year, year__lte=end.year)
            .select_related("entered_by") if s.year not in covered]


def holiday_schedule_list() -> list[PublicHolidaySchedule]:
    """Entered schedules with ``holiday_count`` (days off) and their days."""
    from django.db.models import Count, Q

    return list(PublicHolidaySchedule.objects.select_related("entered_by").prefetch_related("days")
                .annotate(holiday_count=Count("days", filter=Q(days__kind="holiday"))))


class _EnteredDays:
    """``core.festivals``' source of entered schedules: the database, cached per year in the process
    for ``ttl`` seconds (a save in this process forgets at once; other processes within a minute)."""

    ttl = 60.0

    def __init__(self) -> None:
        self._cache: dict[int, tuple[float, list | None]] = {}

    def __call__(self, year: int):
        import time

        from django.db import DatabaseError

        from shopops.campaigns.holidays import NAMES_EN
        from shopops.core import festivals as fest

        now = time.monotonic()
        hit = self._cache.get(year)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        try:
            schedule = PublicHolidaySchedule.objects.filter(year=year).first()
            days = None if schedule is None else [
                fest.PublicDay(d.day, fest.PublicDayKind(d.kind), d.name or "法定节假日",
                               NAMES_EN.get(d.name, d.name or "Public holiday"), entered=True)
                for d in schedule.days.all()]
        except (DatabaseError, RuntimeError):  # no database here (a pure engine's test, a closed connection)
            return None
        self._cache[year] = (now, days)
        return days

    def cache_clear(self) -> None:
        self._cache.clear()


entered_public_days = _EnteredDays()


def _local_date(moment: dt.datetime, tz: str) -> dt.date:
    return moment.astimezone(ZoneInfo(tz)).date()


def calendar_items(*, start: dt.date, end: dt.date, store_ids: Sequence[str] = (), owner_id: int | None = None,
                   kinds: Sequence[str] = (), today: dt.date | None = None) -> list[CalendarItem]:
    """Everything on the marketing calendar between ``start`` and ``end`` (inclusive), filtered by
    store (campaigns of any of them; store days, content of them) and owner (campaign owner, post
    owner, task assignee; festivals and holidays stay). Sorted by day."""
    today = today or store_today()
    tz = settings.SHOPOPS_TIME_ZONE
    wanted = set(kinds) or {k for k, _label in CALENDAR_KINDS}
    stores = set(store_ids)
    items: list[CalendarItem] = []
    if wanted & {"festival", "holiday"}:
        platforms = [s.platform for s in stores_available() if s.store_id in stores] if stores else []
        items += [i for i in festival_items(start, end, platforms=platforms)
                  if i.kind in wanted or (i.kind == "workday" and "holiday" in wanted) or (i.kind == "lunar" and "festival" in wanted)]
    if "store_day" in wanted and owner_id is None:
        for sd in StoreDay.objects.all():
            if stores and sd.store_id not in stores:
                continue
            for year in range(start.year, end.year + 1):
                for month in ([sd.month] if sd.month else range(1, 13)):
                    if sd.day > _calendar.monthrange(year, month)[1]:
                        continue
                    day = dt.date(year, month, sd.day)
                    if start <= day <= end:
                        items.append(CalendarItem(f"storeday-{sd.pk}-{day:%Y%m%d}", "store_day", sd.name, day, day, sd.store_id))
    plans = CampaignPlan.objects.filter(starts_on__lte=end, ends_on__gte=start).select_related("owner").prefetch_related("phases")
    if owner_id:
        plans = plans.filter(owner_id=owner_id)
    plan_ids = set()
    for p in plans:
        if stores and not stores & set(p.store_ids):
            continue
        plan_ids.add(p.pk)
        if "campaign" in wanted:
            url = reverse("campaigns:plan", args=[p.pk])
            items.append(CalendarItem(f"plan-{p.pk}", "campaign", p.name, p.starts_on, p.ends_on, ",".join(p.store_ids),
                                      p.owner.username if p.owner else "", url, p.get_status_display()))
            for ph in p.phases.all():
                a, b = _local_date(ph.starts_at, p.time_zone), _local_date(ph.ends_at - dt.timedelta(microseconds=1), p.time_zone)
                items.append(CalendarItem(f"phase-{ph.pk}", "phase", f"{p.name} · {ph}", a, b, ",".join(p.store_ids),
                                          p.owner.username if p.owner else "", url))
    if "promotion" in wanted and owner_id is None:
        start_at = dt.datetime.combine(start, dt.time(), tzinfo=ZoneInfo(tz))
        end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(tz))
        for c in PromoCampaign.objects.filter(starts_at__lt=end_at, ends_at__gt=start_at).prefetch_related("promotions"):
            plan = getattr(c, "plan", None) if hasattr(c, "plan") else None
            if stores and plan is not None and not stores & set(plan.store_ids):
                continue
            a, b = _local_date(c.starts_at, tz), _local_date(c.ends_at - dt.timedelta(microseconds=1), tz)
            names = ", ".join(pr.name for pr in c.promotions.all()[:6])
            items.append(CalendarItem(f"promo-campaign-{c.pk}", "promotion", c.name, a, b, "", "",
                                      reverse("promotions:campaign", args=[c.pk]),
                                      f"{c.get_status_display()} · {names}"))
    if "content" in wanted:
        posts = ContentPost.objects.select_related("owner").filter(
            publish_at__date__gte=start - dt.timedelta(days=1), publish_at__date__lte=end + dt.timedelta(days=1))
        if owner_id:
            posts = posts.filter(owner_id=owner_id)
        for post in posts:
            day = _local_date(post.publish_at, tz)
            if not start <= day <= end or (stores and post.store_id and post.store_id not in stores):
                continue
            items.append(CalendarItem(f"post-{post.pk}", "content", f"{post.get_channel_display()} · {post.title}", day, day,
                                      post.store_id, post.owner.username if post.owner else "",
                                      reverse("campaigns:content") + f"#post-{post.pk}", post.get_status_display()))
    if "task" in wanted:
        tasks = Task.objects.select_related("assignee", "plan").filter(due_on__gte=start, due_on__lte=end)
        task_url = reverse("campaigns:task", args=[0]).removesuffix("0/")  # one reverse, not one per task
        if owner_id:
            tasks = tasks.filter(assignee_id=owner_id)
        for t in tasks:
            if stores and t.plan_id is not None and t.plan_id not in plan_ids and not stores & set(t.plan.store_ids):
                continue
            items.append(CalendarItem(f"task-{t.pk}", "task", t.title, t.due_on, t.due_on,
                                      ",".join(t.plan.store_ids) if t.plan else "", t.assignee.username if t.assignee else "",
                                      f"{task_url}{t.pk}/", t.get_status_display(), is_overdue(t, today)))
    items.sort(key=lambda i: (i.start, i.kind != "holiday", i.kind, i.title))
    return items


def calendar_month_grid(items: Sequence[CalendarItem], month: dt.date) -> list[list[dict]]:
    """Weeks (Monday first) of ``month``: each day with the items that cover it."""
    first = month.replace(day=1)
    last = first.replace(day=_calendar.monthrange(first.year, first.month)[1])
    by_day: dict[dt.date, list[CalendarItem]] = defaultdict(list)
    for item in items:
        a, b = max(item.start, first), min(item.end, last)
        day = a
        while day <= b:
            by_day[day].append(item)
            day += dt.timedelta(days=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    weeks = []
    day = grid_start
    while day <= last or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append({"date": day, "in_month": day.month == first.month, "items": by_day.get(day, [])})
        day += dt.timedelta(days=1)
    return weeks


def calendar_ics(items: Sequence[CalendarItem], *, name: str, base_url: str = "") -> bytes:
    """The items as an iCalendar file (RFC 5545): all-day events (DTEND exclusive), stable UIDs."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//shopops//marketing calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for item in items:
        event = Event()
        event.add("uid", f"{item.uid}@shopops")
        event.add("dtstamp", stamp)
        event.add("summary", item.title)
        event.add("dtstart", item.start)
        event.add("dtend", item.end + dt.timedelta(days=1))
        event.add("categories", [item.kind])
        description = " · ".join(x for x in (item.detail, item.store_id, item.owner) if x)
        if description:
            event.add("description", description)
        if item.url and base_url:
            event.add("url", base_url.rstrip("/") + item.url)
        cal.add_component(event)
    return cal.to_ical()


# ------------------------------------------------------------------------------ content
@dataclass(frozen=True, slots=True)
class PostResults:
    post: ContentPost
    cost_per_engagement: Decimal | None
    cost_per_order: Decimal | None


def _per(cost: Decimal | None, count: int | None) -> Decimal | None:
    if cost is None or not count:
        return None
    return (cost / count).quantize(Decimal("0.01"))


def content_list(*, start: dt.date | None = None, end: dt.date | None = None, channel: str = "",
                 owner_id: int | None = None) -> list[PostResults]:
    qs = ContentPost.objects.select_related("owner", "plan")
    if channel:
        qs = qs.filter(channel=channel)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    tz = ZoneInfo(settings.SHOPOPS_TIME_ZONE)
    if start is not None:
        qs = qs.filter(publish_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=tz))
    if end is not None:
        qs = qs.filter(publish_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))
    return [PostResults(p, _per(p.cost, p.engagements), _per(p.cost, p.attributed_orders)) for p in qs]


# ------------------------------------------------------------------------------ scorecards
# The seeds' team KPIs: (key, zh, en, threshold, definition zh, definition en). docs/campaigns.md shows them.
SCORECARD_KPIS: tuple[tuple[str, str, str, Decimal, str, str], ...] = (
    ("target_achievement", "销售目标达成率", "Sales target achievement", Decimal("0.90"),
     "负责店铺当月支付金额 ÷ 当月支付金额目标(指标目标,按店铺);进行中的月份与时间进度比(达成率 ≥ 90 % × 时间进度即达标)。",
     "GMV of the person's stores in the month / their monthly GMV targets (metrics targets, per store); a month "
     "still running is judged against the time gone (met at ≥ 90 % × the share of the month's days with data)."),
    ("roi", "推广投产比 ROI", "Ad ROI", Decimal("2.00"),
     "负责店铺当月推广成交金额 ÷ 推广花费(目录指标 ad_gmv ÷ ad_spend;平台口径的“ROI”,即 ROAS)。",
     "Ad-attributed GMV / ad spend of the person's stores in the month (catalog KPIs ad_gmv / ad_spend; what "
     "the platforms' ad tools call ROI, i.e. ROAS)."),
    ("on_time", "任务按时完成率", "On-time task delivery", Decimal("0.95"),
     "当月到期的任务中按期完成的比例:已完成且完成日 ≤ 截止日;逾期未完成计为未按时;未到期未完成不计。",
     "Of the tasks due in the month: done on or before their due day / tasks done or past due (open tasks not yet "
     "due are not judged)."),
    ("csat", "客户满意度 CSAT", "CSAT", Decimal("0.85"),
     "问卷中 4–5 分(满分 5)的比例;由客服模块提供(尚未提供时留空)。",
     "Share of survey answers 4–5 of 5; provided by the service module (empty until it does)."),
)


@dataclass
class ScoreRow:
    user_id: int
    username: str
    role: str
    role_label: str
    stores: list[str]
    gmv: Decimal | None = None
    gmv_target: Decimal | None = None
    target_achievement: float | None = None
    ad_gmv: Decimal | None = None
    ad_spend: Decimal | None = None  # None: none of the person's stores has ad data in the month
    ad_stores: int = 0  # of the person's stores, those whose ad spend is known (ad data, or set to run no ads)
    runs_no_ads: bool = False  # every one of the person's stores is set to run no paid ads and has no ad spend
    roi: float | None = None
    tasks_judged: int = 0
    tasks_on_time: int = 0
    on_time: float | None = None
    csat: float | None = None
    csat_answers: int = 0
    # a month still running: the share of its days with data (时间进度); the achievement is judged against it
    time_progress: float | None = None
    flags: dict = field(default_factory=dict)  # kpi -> met (True/False) or None


def scorecard_visible_users(viewer) -> QuerySet:
    """Whom ``viewer`` may see: everyone with the team module (the director), else only themself."""
    User = get_user_model()
    if viewer.has_perm(f"team.use_{Module.TEAM.value}"):
        return User.objects.filter(is_active=True).order_by("username")
    return User.objects.filter(pk=viewer.pk)


def stores_currency() -> str:
    """The stores' one currency ("" when they mix): what the scorecards' and the content calendar's money is in."""
    currencies = {s.currency for s in stores_available()}
    return currencies.pop() if len(currencies) == 1 else ""


def _csat_hook(users, month: dt.date) -> dict[int, tuple[float, int]]:
    """CSAT per person from the service module, when it provides
    ``shopops.service.selectors.csat_by_agent(month) -> {user_id: row with .value (0–1) and .answers}``:
    ``{user_id: (share, answers)}`` (the answers weigh a role's pooled CSAT)."""
    try:
        from shopops.service import selectors as service_selectors
    except ImportError:  # pragma: no cover
        return {}
    fn = getattr(service_selectors, "csat_by_agent", None)
    if fn is None:
        return {}
    out = {}
    for user_id, row in fn(month).items():
        value = getattr(row, "value", row)
        if value is not None:
            out[user_id] = (float(value), int(getattr(row, "answers", 0) or 0))
    return out


def _store_kpis(store_ids: Sequence[str], month: dt.date, as_of: dt.date) -> dict[str, dict[str, Decimal | None]]:
    """{store: {gmv, ad_gmv, ad_spend}} from the month's first day to ``as_of`` (catalog KPIs)."""
    from shopops.core.periods import Period
    from shopops.metrics.runners.base import run_query
    from shopops.metrics.runners.kpis import KpiQuery

    if not store_ids:
        return {}
    end = min(as_of, (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1))
    if end < month:
        return {s: {} for s in store_ids}
    try:
        result = run_query(KpiQuery(("gmv", "ad_gmv", "ad_spend"), Period(month, end), by=("store_id",),
                                    stores=tuple(store_ids)))
    except ShopopsError:
        return {s: {} for s in store_ids}
    out: dict[str, dict] = {s: {} for s in store_ids}
    for row in result.rows:
        out[row["store_id"]] = {k: (Decimal(str(row[k])) if row.get(k) is not None else None)
                                for k in ("gmv", "ad_gmv", "ad_spend")}
    return out


def scorecards(*, viewer, month: dt.date, as_of: dt.date, language: str = "zh-hans") -> list[ScoreRow]:
    """Monthly scorecards of the people ``viewer`` may see (server-side: a person sees only their own)."""
    from shopops.metrics.dimensions import no_ad_stores
    from shopops.metrics.selectors import target_list
    from shopops.team.selectors import user_role

    month = month.replace(day=1)
    en = language.startswith("en")
    users = list(scorecard_visible_users(viewer).prefetch_related("groups"))
    resp = defaultdict(list)
    for r in StoreResponsibility.objects.filter(user__in=users).order_by("store_id"):
        resp[r.user_id].append(r.store_id)
    all_stores = sorted({s for v in resp.values() for s in v})
    kpis = _store_kpis(all_stores, month, as_of)
    declared = no_ad_stores() if all_stores else frozenset()  # stores set to run no paid ads
    targets = {t.store_id: t.value for t in target_list(month=month).filter(kpi="gmv")}
    month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    tasks = defaultdict(list)
    for t in Task.objects.filter(due_on__gte=month, due_on__lte=month_end, assignee__in=users):
        tasks[t.assignee_id].append(t)
    csat = _csat_hook(users, month)
    thresholds = {k: th for k, _zh, _en, th, _dz, _de in SCORECARD_KPIS}
    # a month in progress: GMV so far against the whole month's target reads 13 % on the 4th; judge it
    # against the time gone (时间进度 = days with data ÷ days of the month), as the cockpit's month pace does
    time_progress = None
    if month <= as_of < month_end:
        time_progress = ((as_of - month).days + 1) / ((month_end - month).days + 1)
    rows = []
    for u in users:
        role = user_role(u)
        stores = resp.get(u.pk, [])
        row = ScoreRow(u.pk, u.username, role.value if role else "", (ROLE_LABELS[role][1 if en else 0] if role else ""), stores)
        if stores:
            gmvs = [kpis.get(s, {}).get("gmv") for s in stores]
            row.gmv = sum((g for g in gmvs if g is not None), Decimal("0"))
            tg = [targets[s] for s in stores if s in targets]
            row.gmv_target = sum(tg, Decimal("0")) if tg else None
            if row.gmv_target:
                row.target_achievement = float(row.gmv / row.gmv_target)
            # a store without ad reports has its ad spend unknown (None), not 0: the person's ROI is over the
            # stores with ad data, and "—" (not 0 %) when none of theirs has any
            advertised = [s for s in stores if kpis.get(s, {}).get("ad_spend") is not None]
            row.ad_stores = len(advertised)
            if advertised:
                row.ad_gmv = sum((kpis[s].get("ad_gmv") or Decimal("0") for s in advertised), Decimal("0"))
                row.ad_spend = sum((kpis[s]["ad_spend"] for s in advertised), Decimal("0"))
            if row.ad_spend:
                row.roi = float(row.ad_gmv / row.ad_spend)
            # no ROI to judge, not missing data: the stores run no paid ads (store settings)
            row.runs_no_ads = not row.ad_spend and set(stores) <= declared
        row.tasks_judged, row.tasks_on_time = on_time_counts(tasks.get(u.pk, []), today=as_of + dt.timedelta(days=1))
        row.on_time = row.tasks_on_time / row.tasks_judged if row.tasks_judged else None
        row.csat, row.csat_answers = csat.get(u.pk, (None, 0))
        row.time_progress = time_progress if row.target_achievement is not None else None
        for key, value in (("target_achievement", row.target_achievement), ("roi", row.roi), ("on_time", row.on_time),
                           ("csat", row.csat)):
            bar = float(thresholds[key]) * (time_progress if key == "target_achievement" and time_progress else 1)
            row.flags[key] = None if value is None else value >= bar
        rows.append(row)
    return rows


def scorecards_by_role(rows: Sequence[ScoreRow]) -> list[dict]:
    """The people's rows summed per role (target achievement and ROI over the sums, on-time over the tasks,
    CSAT over the answers: satisfied answers ÷ answers of the role's people, not a mean of their shares)."""
    groups: dict[str, list[ScoreRow]] = defaultdict(list)
    for r in rows:
        groups[r.role_label or "—"].append(r)
    out = []
    for label, rs in sorted(groups.items()):
        gmv = sum((r.gmv or Decimal("0") for r in rs), Decimal("0"))
        target = sum((r.gmv_target or Decimal("0") for r in rs), Decimal("0"))
        ad_gmv = sum((r.ad_gmv or Decimal("0") for r in rs), Decimal("0"))
        spend = sum((r.ad_spend or Decimal("0") for r in rs), Decimal("0"))
        judged = sum(r.tasks_judged for r in rs)
        on = sum(r.tasks_on_time for r in rs)
        answers = sum(r.csat_answers for r in rs if r.csat is not None)
        satisfied = sum(r.csat * r.csat_answers for r in rs if r.csat is not None)
        out.append({"role": label, "people": len(rs), "target_achievement": float(gmv / target) if target else None,
                    "roi": float(ad_gmv / spend) if spend else None, "on_time": on / judged if judged else None,
                    "tasks_judged": judged, "csat": satisfied / answers if answers else None,
                    "csat_answers": answers})
    return out
