"""Campaign plans watched on their days (an alert source of insights itself: ``alert_sources.SOURCES``).

For every campaign plan (``campaigns.CampaignPlan``, approved or later) whose window covers the
day judged, in the stores asked:

* **pace** — the campaign's GMV and paying buyers so far against the plan's targets spread by the
  day-of-campaign and intraday profiles (:mod:`shopops.insights.pacing`): an alert when the pace is
  clearly behind (or far ahead), naming the shortfall projected to the campaign's end, and the
  stores and products that carry it. Judged on the whole day by the morning job; judged on the
  hours so far when the day asked is today in the plan's time zone (the ``insights_campaign_pace``
  job, every 30 minutes, while a plan runs) — only as far as every store's paid orders reach: with
  today's data not in yet (platform exports come the next morning) it is judged through the data's
  last paid time, never "¥0 by 22:30".
* **hero stock-out** — a hero SKU of the plan (or, without hero SKUs, one of the campaign's 5 best
  sellers so far) at 0 on hand in the day's stock snapshot: the money at stake is its paid amount
  per day over the 7 days before × the campaign days left.
* **price off the plan** — a hero SKU whose average paid unit price (after item-level discounts:
  ``order_lines.unit_price``) of the day differs from the price the plan's promotions set —
  限时特价/秒杀 price, or 限时折扣 rate × the SKU's regular price — by more than 5 %: the money is
  the gap × the day's units.

Each alert is one condition ``(insights, kind, plan:<id>:…)``: while it holds it stays one open
alert (refreshed daily), when it no longer holds the collection resolves it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from shopops.core.alerts import Alert
from shopops.core.periods import Grain, Period
from shopops.core.shapes import day_shares
from shopops.insights.pacing import (
    PaceSettings, PaceVerdict, explain, hour_cum_share, judge_pace, price_off_plan, severity, shape_spread,
)

LAST_YEAR = dt.timedelta(days=364)  # the same weekdays
REFERENCE_DAYS = 28
TOP_SELLERS = 5
PRICED_KINDS = ("special_price", "flash_sale")  # a price for everyone (a member price is for members only)
RATE_KINDS = ("item_discount",)


@dataclass(frozen=True)
class WatchedPlan:
    """What the watch needs of a plan (read from the app DB by :func:`watched_plans`)."""

    plan_id: int
    name: str
    stores: tuple[str, ...]
    first: dt.date
    last: dt.date
    target_gmv: float | None = None
    target_buyers: float | None = None
    hero_skus: tuple[str, ...] = ()
    sku_prices: dict[str, float] = field(default_factory=dict)  # SKU id or merchant code -> the plan's price
    sku_rates: dict[str, float] = field(default_factory=dict)  # SKU id / product id -> item discount rate
    time_zone: str = "Asia/Shanghai"

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def watched_plans(day: dt.date, *, store_ids=None) -> list[WatchedPlan]:
    """Plans (approved, running, finished or reviewed) whose window covers ``day``, with the prices
    their attached promotions set (item-level kinds with a price or a rate)."""
    from shopops.campaigns.models import CampaignPlan

    wanted = set(store_ids or ())
    out = []
    plans = CampaignPlan.objects.filter(starts_on__lte=day, ends_on__gte=day).exclude(status=CampaignPlan.Status.DRAFT)
    for plan in plans.select_related("promo_campaign"):
        stores = tuple(str(s) for s in plan.store_ids or ())
        if wanted and not wanted & set(stores):
            continue
        prices: dict[str, float] = {}
        rates: dict[str, float] = {}
        if plan.promo_campaign is not None:
            for promo in plan.promo_campaign.promotions.filter(is_active=True):
                params = promo.parameters or {}
                if promo.kind in PRICED_KINDS and params.get("price") is not None:
                    for sku in promo.scope_skus or ():
                        prices[str(sku)] = float(Decimal(str(params["price"])))
                elif promo.kind in RATE_KINDS and params.get("rate") is not None:
                    for key in [*(promo.scope_skus or ()), *(promo.scope_products or ())]:
                        rates[str(key)] = float(Decimal(str(params["rate"])))
        out.append(WatchedPlan(plan.pk, plan.name, stores, plan.starts_on, plan.ends_on,
                               float(plan.goal_gmv) if plan.goal_gmv is not None else None,
                               float(plan.goal_paying_buyers) if plan.goal_paying_buyers else None,
                               tuple(str(s) for s in plan.hero_skus or () if s), prices, rates, plan.time_zone))
    return out


def alerts(day: dt.date, *, store_ids=None, now: dt.datetime | None = None) -> list[Alert]:
    """The alert source: every watched plan of ``day``. When ``day`` is today in the plan's time zone
    the pace is judged on the hours so far (``now``, default the clock)."""
    plans = watched_plans(day, store_ids=store_ids)
    if not plans:
        return []
    from shopops.warehouse.connection import connect

    con = connect()
    out: list[Alert] = []
    for plan in plans:
        tz = ZoneInfo(plan.time_zone)
        moment = (now or dt.datetime.now(tz)).astimezone(tz)
        as_of = moment if moment.date() == day else None
        if as_of is None:
            out += plan_alerts(plan, day, con=con)
            continue
        # today: judge only the hours the data reach. Platform exports arrive the next morning and an
        # import can be late: "¥0 by 22:30" would be the missing data, not the campaign
        reach = _data_until(plan.stores, day, con)
        if reach is None:
            out += product_alerts(plan, day, con=con)
            continue
        reach = reach.astimezone(tz)
        if reach.date() >= day:
            out += plan_alerts(plan, day, as_of=min(as_of, reach), con=con)
        elif reach.date() >= plan.first:
            out += pace_alerts(plan, reach.date(), as_of=reach, con=con)
            out += product_alerts(plan, day, con=con)
        else:
            out += product_alerts(plan, day, con=con)
    return out


def _data_until(stores, day: dt.date, con) -> dt.datetime | None:
    """The time every store's paid orders reach (UTC): the earliest of the stores' last paid time over
    the week to ``day`` (a store without a sale that week is left out); None without any."""
    from shopops.metrics.sources import paid_orders

    o = paid_orders(con, Period(day - dt.timedelta(days=7), day))
    o = o.filter(o.store_id.isin(list(stores)))
    last = o.group_by("store_id").aggregate(last=o.paid_at.max()).execute()
    times = [t for t in last["last"] if t is not None and t == t]
    if not times:
        return None
    first = pd.Timestamp(min(times))
    return (first.tz_convert("UTC") if first.tzinfo else first.tz_localize("UTC")).to_pydatetime()


# --------------------------------------------------------------------------------- warehouse reads
def _num(frame: pd.DataFrame, cols) -> pd.DataFrame:
    for c in cols:
        if c in frame:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    return frame


def _store_daily(stores, period: Period, con) -> pd.DataFrame:
    from shopops.metrics.runners import BUCKET, KpiQuery, run_query

    f = run_query(KpiQuery(("gmv", "paying_buyers", "paid_orders"), period, grain=Grain.DAY, by=("store_id",),
                           stores=tuple(stores)), con=con).to_frame()
    f = f.rename(columns={BUCKET: "date"})
    if len(f):
        f["date"] = pd.to_datetime(f["date"]).dt.date
    return _num(f, ("gmv", "paying_buyers", "paid_orders"))


def _distinct_buyers(stores, period: Period, con) -> float:
    from shopops.metrics.runners import KpiQuery, run_query

    v = run_query(KpiQuery(("paying_buyers",), period, stores=tuple(stores)), con=con).total("paying_buyers")
    return 0.0 if v is None else float(v)


def _utc_offset(tz: str, day: dt.date) -> float:
    return ZoneInfo(tz).utcoffset(dt.datetime.combine(day, dt.time(12))).total_seconds() / 3600


def _hour_profile(stores, days: list[dt.date], tz: str, con) -> np.ndarray:
    """GMV by store-local hour (24 values) over ``days`` (paid times: every store has them)."""
    from shopops.metrics.sources import paid_orders

    if not days:
        return np.zeros(24)
    o = paid_orders(con, Period(min(days), max(days)))
    o = o.filter(o.store_id.isin(list(stores)), o.paid_date.isin(list(days)))
    offset = int(_utc_offset(tz, days[0]))
    hour = ((o.paid_at.hour() + offset + 24) % 24).name("hour")
    g = o.group_by(hour).aggregate(gmv=o.paid_amount.sum()).execute()
    out = np.zeros(24)
    for h, v in zip(g["hour"], g["gmv"]):
        out[int(h)] += 0.0 if v is None else float(v)
    return out


def _so_far(stores, day: dt.date, as_of: dt.datetime, tz: str, con) -> tuple[float, float, float]:
    """(GMV, paid orders, paying buyers) of ``day`` paid before ``as_of``."""
    from shopops.metrics.sources import paid_orders

    o = paid_orders(con, Period(day, day))
    cut = as_of.astimezone(dt.timezone.utc).replace(tzinfo=None)
    o = o.filter(o.store_id.isin(list(stores)), o.paid_at.cast("timestamp") < cut)
    r = o.aggregate(gmv=o.paid_amount.sum(), orders=o.count(), buyers=o.customer_id.nunique()).execute()
    row = r.iloc[0]
    return tuple(0.0 if (v is None or v != v) else float(v) for v in (row.gmv, row.orders, row.buyers))  # type: ignore[return-value]


def _product_gmv(stores, period: Period, con) -> pd.DataFrame:
    from shopops.metrics.runners import KpiQuery, run_query

    f = run_query(KpiQuery(("item_gmv",), period, by=("store_id", "product_id"), stores=tuple(stores)),
                  con=con).to_frame()
    return _num(f, ("item_gmv",))


def _sku_lines(stores, first: dt.date, last: dt.date, con, skus: list[str] | None = None) -> pd.DataFrame:
    """Paid lines per store, SKU (with product and merchant code) and paid day: units, listed (Σ unit
    price × units: after item-level discounts), paid amount."""
    from shopops.metrics.sources import paid_orders

    o = paid_orders(con, Period(first, last))
    o = o.filter(o.store_id.isin(list(stores))).select("store_id", "order_id", "paid_date")
    li = con.table("order_lines")
    li = li.filter(li.store_id.isin(list(stores)))
    sk = con.table("skus").select("store_id", "sku_id", "merchant_code", "price")
    j = li.inner_join(o, ["store_id", "order_id"]).inner_join(sk, ["store_id", "sku_id"])
    if skus:
        j = j.filter(j.sku_id.isin(skus) | j.merchant_code.isin(skus))
    g = j.group_by("store_id", "sku_id", "product_id", "merchant_code", "paid_date").aggregate(
        units=j.quantity.sum(), listed=(j.unit_price * j.quantity).sum(), paid=j.paid_amount.sum(),
        regular=j.price.max()).execute()
    if len(g):
        g["paid_date"] = pd.to_datetime(g["paid_date"]).dt.date
    return _num(g, ("units", "listed", "paid", "regular"))


def _sku_stock(stores, day: dt.date, con) -> pd.DataFrame:
    """On hand per store and SKU at the last snapshot on or before ``day`` (within 7 days: snapshots may be weekly)."""
    s = con.table("inventory_snapshots")
    s = s.filter(s.store_id.isin(list(stores)), s.date <= day, s.date >= day - dt.timedelta(days=7))
    last = s.group_by("store_id").aggregate(last=s.date.max())
    j = s.inner_join(last, ["store_id"])
    j = j.filter(j.date == j["last"])
    sk = con.table("skus").select("store_id", "sku_id", "product_id", "merchant_code")
    j = j.inner_join(sk, ["store_id", "sku_id"])
    g = j.group_by("store_id", "sku_id", "product_id", "merchant_code", "date").aggregate(on_hand=j.on_hand.sum()).execute()
    if len(g):
        g["date"] = pd.to_datetime(g["date"]).dt.date
    return _num(g, ("on_hand",))


# ------------------------------------------------------------------------------------------ checks
def _money(x: float) -> Decimal:
    return Decimal(str(round(max(float(x), 0.0), 2))).quantize(Decimal("0.01"))


def _fmt(x: float) -> str:
    return f"¥{x:,.0f}"


def plan_alerts(plan: WatchedPlan, day: dt.date, *, as_of: dt.datetime | None = None, con=None,
                settings: PaceSettings = PaceSettings()) -> list[Alert]:
    """The alerts of one plan on ``day`` (``as_of``: judge the hours of ``day`` before it)."""
    if con is None:
        from shopops.warehouse.connection import connect

        con = connect()
    if not plan.first <= day <= plan.last or not plan.stores:
        return []
    out = pace_alerts(plan, day, as_of=as_of, con=con, settings=settings)
    out += product_alerts(plan, day, con=con, settings=settings)
    return out


@dataclass
class PaceReport:
    """What the pace check saw (for tests and the docs' numbers)."""

    verdicts: list[PaceVerdict]
    shape_source: str
    hour_share: float
    stores_behind: list[tuple[str, float]]
    products_behind: list[tuple[str, float]]


def pace_report(plan: WatchedPlan, day: dt.date, *, as_of: dt.datetime | None = None, con=None,
                settings: PaceSettings = PaceSettings()) -> PaceReport | None:
    targets = {k: v for k, v in (("gmv", plan.target_gmv), ("paying_buyers", plan.target_buyers)) if v}
    if not targets:
        return None
    days = plan.days
    k = days.index(day)
    ly = _store_daily(plan.stores, Period(plan.first - LAST_YEAR - dt.timedelta(days=REFERENCE_DAYS),
                                          plan.last - LAST_YEAR), con)
    ty = _store_daily(plan.stores, Period(plan.first - dt.timedelta(days=REFERENCE_DAYS), day), con)
    shares: dict[str, np.ndarray] = {}
    source = "flat"
    for kpi in targets:
        ref = None
        if len(ly):
            by_day = ly.groupby("date")[kpi].sum()
            ref = np.array([float(by_day.get(d - LAST_YEAR, 0.0)) for d in days])
        shares[kpi], source = day_shares(ref, len(days))
    hour_share, tz = 1.0, plan.time_zone
    now_gmv = now_orders = now_buyers = 0.0
    if as_of is not None:
        profile = _hour_profile(plan.stores, [d - LAST_YEAR for d in days], tz, con)
        if profile.sum() <= 0:
            profile = _hour_profile(plan.stores, [day - dt.timedelta(days=i) for i in range(1, REFERENCE_DAYS + 1)], tz, con)
        local = as_of.astimezone(ZoneInfo(tz))
        hour_share = hour_cum_share(profile, local.hour) + (
            (hour_cum_share(profile, local.hour + 1) - hour_cum_share(profile, local.hour)) * local.minute / 60)
        if hour_share < settings.min_hour_share:
            return PaceReport([], source, hour_share, [], [])
        now_gmv, now_orders, now_buyers = _so_far(plan.stores, day, as_of, tz, con)
    camp = ty[(ty.date >= plan.first) & (ty.date <= day)] if len(ty) else ty
    by_day = camp.groupby("date")[["gmv", "paying_buyers", "paid_orders"]].sum() if len(camp) else pd.DataFrame()
    full_days = [d for d in days if d < day] if as_of is not None else [d for d in days if d <= day]
    verdicts = []
    for kpi, target in targets.items():
        s = shares[kpi]
        done = [float(by_day[kpi].get(d, 0.0)) if len(by_day) else 0.0 for d in full_days]
        earlier = [d for d in days if d < day]
        sigma_shape = shape_spread([done[i] for i in range(len(earlier))],
                                   [target * s[i] for i in range(len(earlier))], settings=settings)
        if kpi == "gmv":
            actual = sum(done) + now_gmv
            count = (float(by_day["paid_orders"].sum()) if len(by_day) else 0.0) + now_orders
        else:
            last_full = full_days[-1] if full_days else None
            actual = (_distinct_buyers(plan.stores, Period(plan.first, last_full), con) if last_full else 0.0) + now_buyers
            count = actual
        v = judge_pace(kpi, target=target, shares=s, day_index=k, hour_share=hour_share, actual=actual,
                       sample_count=count, sigma_shape=sigma_shape, settings=settings, flat=source == "flat")
        if v is not None:
            verdicts.append(v)
    stores_behind: list[tuple[str, float]] = []
    products_behind: list[tuple[str, float]] = []
    gmv_v = next((v for v in verdicts if v.kpi == "gmv"), None)
    if gmv_v is not None and gmv_v.state == "behind":
        # who carries it: each store's (product's) share of the 28 days before the window, of the expected pace
        pre = ty[ty.date < plan.first] if len(ty) else ty
        weights = pre.groupby("store_id")["gmv"].sum().to_dict() if len(pre) else {}
        actual_by = camp.groupby("store_id")["gmv"].sum().to_dict() if len(camp) else {}
        stores_behind = explain(gmv_v.expected, actual_by, weights) if len(plan.stores) > 1 else []
        span_end = day if as_of is None else day - dt.timedelta(days=1)
        if span_end >= plan.first:
            ref = _product_gmv(plan.stores, Period(plan.first - dt.timedelta(days=REFERENCE_DAYS),
                                                   plan.first - dt.timedelta(days=1)), con)
            now = _product_gmv(plan.stores, Period(plan.first, span_end), con)
            key = lambda f: {f"{s}:{p}": float(v) for s, p, v in zip(f.store_id, f.product_id, f.item_gmv)}  # noqa: E731
            ref_w, now_a = key(ref), key(now)
            top = dict(sorted(ref_w.items(), key=lambda kv: -kv[1])[:50])
            expected_span = gmv_v.expected if as_of is None else plan.target_gmv * float(shares["gmv"][:k].sum())
            covered = sum(top.values()) / sum(ref_w.values()) if ref_w else 0.0
            products_behind = explain(expected_span * covered, now_a, top)
    return PaceReport(verdicts, source, hour_share, stores_behind, products_behind)


def _titles(keys: list[str], con) -> dict[str, str]:
    from shopops.metrics.dimensions import product_titles

    pairs = [tuple(k.split(":", 1)) for k in keys if ":" in k]
    return {f"{s}:{p}": t for (s, p), t in product_titles(pairs, con).items()}


def pace_alerts(plan: WatchedPlan, day: dt.date, *, as_of: dt.datetime | None = None, con=None,
                settings: PaceSettings = PaceSettings()) -> list[Alert]:
    report = pace_report(plan, day, as_of=as_of, con=con, settings=settings)
    through = day
    if report is not None and as_of is not None and not report.verdicts and day > plan.first:
        # too early in the day to judge its hours: the pace through yesterday holds (the condition stays open)
        through = day - dt.timedelta(days=1)
        report, as_of = pace_report(plan, through, con=con, settings=settings), None
    if report is None:
        return []
    titles = _titles([p for p, _ in report.products_behind], con) if report.products_behind else {}
    out = []
    local = as_of.astimezone(ZoneInfo(plan.time_zone)) if as_of is not None else None
    when_zh = f"截至 {local:%m-%d %H:%M}" if local is not None else f"截至 {through:%m-%d}"
    when_en = f"by {local:%m-%d %H:%M}" if local is not None else f"through {through:%m-%d}"
    for v in report.verdicts:
        if v.state == "on_pace":
            continue
        label_zh, label_en = ("支付金额", "GMV") if v.kpi == "gmv" else ("支付买家数", "paying buyers")
        fmt = _fmt if v.kpi == "gmv" else (lambda x: f"{x:,.0f}")
        if v.state == "behind":
            money = v.projected_shortfall if v.kpi == "gmv" else 0.0
            if v.kpi == "gmv":
                sev = severity(v.projected_shortfall, v.target)
            else:  # buyers: the same share of the target, in the GMV it would bring
                sev = severity(v.projected_shortfall / v.target, 1.0)
            sev = sev if sev != "low" else "medium"
            who_zh = who_en = ""
            if v.kpi == "gmv" and (report.stores_behind or report.products_behind):
                parts = [f"{s} {_fmt(g)}" for s, g in report.stores_behind]
                parts += [f"{titles.get(p, p.split(':', 1)[1])} {_fmt(g)}" for p, g in report.products_behind]
                who_zh = "；缺口主要在 " + "、".join(parts)
                who_en = "; the gap is mostly " + ", ".join(parts)
            proj = "" if v.projected is None else fmt(v.projected)
            text_zh = (f"{plan.name}：{label_zh}{when_zh} {fmt(v.actual)}，按计划节奏应为 {fmt(v.expected)}"
                       f"（区间 {fmt(v.low)}–{fmt(v.high)}，{(v.ratio - 1) * 100:+.0f}%），按此节奏收官 {proj}，"
                       f"目标 {fmt(v.target)}{who_zh}")
            text_en = (f"{plan.name}: {label_en} {when_en} {fmt(v.actual)} against {fmt(v.expected)} on the plan's pace "
                       f"(range {fmt(v.low)}–{fmt(v.high)}, {(v.ratio - 1) * 100:+.0f}%); at this pace it ends at {proj}, "
                       f"target {fmt(v.target)}{who_en}")
        else:
            money, sev = 0.0, "low"
            text_zh = (f"{plan.name}：{label_zh}{when_zh} {fmt(v.actual)}，远超计划节奏 {fmt(v.expected)}"
                       f"（{(v.ratio - 1) * 100:+.0f}%）：主推款库存与客服排班够吗？")
            text_en = (f"{plan.name}: {label_en} {when_en} {fmt(v.actual)}, far ahead of the plan's pace {fmt(v.expected)} "
                       f"({(v.ratio - 1) * 100:+.0f}%): are hero stock and service staffing enough?")
        out.append(Alert(source="insights", kind=f"plan_pace_{v.state}", key=f"plan:{plan.plan_id}:{v.kpi}",
                         store_id=plan.stores[0] if len(plan.stores) == 1 else "", day=day, severity=sev,
                         text_zh=text_zh, text_en=text_en, money_at_stake=_money(money),
                         link=f"/campaigns/plans/{plan.plan_id}/live/"))
    return out


def _code(value) -> str:
    """A merchant code as text; '' for a missing one (None, NaN)."""
    return "" if value is None or value != value else str(value).strip()


def _plan_price(plan: WatchedPlan, sku: str, code: str, product: str, regular: float) -> float | None:
    for key in (sku, code):
        if key and key in plan.sku_prices:
            return plan.sku_prices[key]
    for key in (sku, code, product):
        if key and key in plan.sku_rates and regular > 0:
            return regular * (1 - plan.sku_rates[key])
    return None


def product_alerts(plan: WatchedPlan, day: dt.date, *, con=None, settings: PaceSettings = PaceSettings()) -> list[Alert]:
    """Hero SKUs (else the campaign's best sellers so far) out of stock on ``day``, and hero SKUs whose
    paid price of the day is off the plan's price."""
    week = Period(day - dt.timedelta(days=7), day)
    heroes = list(plan.hero_skus)
    lines = _sku_lines(plan.stores, week.start, day, con, heroes or None)
    if not heroes and len(lines):
        camp = lines[lines.paid_date >= min(plan.first, day - dt.timedelta(days=6))]
        best = camp.groupby(["store_id", "product_id"])["paid"].sum().sort_values(ascending=False).head(TOP_SELLERS)
        watch_products = set(best.index)
    else:
        watch_products = set()
    stock = _sku_stock(plan.stores, day, con)
    days_left = (plan.last - day).days + 1
    out: list[Alert] = []
    before = lines[lines.paid_date < day] if len(lines) else lines
    titles = _titles(sorted({f"{s}:{p}" for s, p in zip(stock.store_id, stock.product_id)}
                            if len(stock) else set()), con) if len(stock) else {}
    # stock-outs: per hero SKU, or per best-selling product (all its SKUs at 0)
    if len(stock):
        if heroes:
            hit = stock[stock.sku_id.isin(heroes) | stock.merchant_code.isin(heroes)]
            groups = hit.groupby(["store_id", "sku_id", "product_id"])
        else:
            hit = stock[[(s, p) in watch_products for s, p in zip(stock.store_id, stock.product_id)]]
            groups = hit.groupby(["store_id", "product_id"])
        for key, g in groups:
            if float(g.on_hand.sum()) > 0:
                continue
            store, pid = key[0], key[-1]
            sel = before[(before.store_id == store) & ((before.sku_id == key[1]) if heroes else (before.product_id == pid))] \
                if len(before) else before
            per_day = float(sel.paid.sum()) / 7 if len(sel) else 0.0
            if not heroes:
                # a best seller (not named by the plan): only when the stock-out bites — its units of the day at
                # half or less of its daily average over the week before (snapshots are weekly; sales that go on
                # at "0 on hand" are a snapshot lag or presale stock, not a shelf gone empty)
                on_day = lines[(lines.store_id == store) & (lines.product_id == pid) & (lines.paid_date == day)]
                if float(on_day.units.sum()) > 0.5 * (float(sel.units.sum()) / 7 if len(sel) else 0.0):
                    continue
            money = per_day * days_left
            what = key[1] if heroes else pid
            # a hero SKU as the plan and the stock pages name it: its merchant code (商家编码), else the platform id
            code = _code(g.merchant_code.iloc[0]) if heroes else ""
            shown = code or what
            title = titles.get(f"{store}:{pid}", pid)
            sev = "high" if money >= 0.03 * (plan.target_gmv or math.inf) or per_day > 0 else "medium"
            out.append(Alert(
                source="insights", kind="plan_hero_stockout", key=f"plan:{plan.plan_id}:{store}:{what}", store_id=store,
                day=day, severity=sev, product_id=pid, money_at_stake=_money(money),
                text_zh=(f"{plan.name}：{'主推款' if heroes else '热销款'} {title}（{shown}）{g.date.iloc[0]:%m-%d} 库存为 0；"
                         f"近 7 天日均支付 {_fmt(per_day)}，活动剩余 {days_left} 天，约 {_fmt(money)} 的销售额受影响"),
                text_en=(f"{plan.name}: {'hero' if heroes else 'best-selling'} product {title} ({shown}) at 0 on hand on "
                         f"{g.date.iloc[0]:%m-%d}; it took {_fmt(per_day)} a day over the last 7 days, {days_left} campaign "
                         f"day(s) left: about {_fmt(money)} of sales at stake"),
                link="/inventory/"))
    # price off the plan: hero SKUs with a plan price
    if heroes and len(lines):
        today = lines[lines.paid_date == day]
        for r in today.itertuples():
            plan_price = _plan_price(plan, str(r.sku_id), str(r.merchant_code or ""), str(r.product_id),
                                     float(r.regular) if r.regular == r.regular else 0.0)
            if plan_price is None or r.units <= 0:
                continue
            paid = float(r.listed) / float(r.units)
            off = price_off_plan(paid, float(r.units), plan_price, settings=settings)
            if off is None:
                continue
            rel, money = off
            title = titles.get(f"{r.store_id}:{r.product_id}", str(r.product_id))
            shown = _code(r.merchant_code) or str(r.sku_id)
            direction_zh = "高于" if rel > 0 else "低于"
            direction_en = "above" if rel > 0 else "below"
            out.append(Alert(
                source="insights", kind="plan_price_off", key=f"plan:{plan.plan_id}:{r.store_id}:{r.sku_id}",
                store_id=str(r.store_id), day=day, severity="high" if abs(rel) >= 0.15 else "medium",
                product_id=str(r.product_id), money_at_stake=_money(money),
                text_zh=(f"{plan.name}：主推款 {title}（{shown}）{day:%m-%d} 成交单价 ¥{paid:,.2f}，{direction_zh}"
                         f"活动计划价 ¥{plan_price:,.2f}（{rel * 100:+.0f}%，{int(r.units)} 件，差额 {_fmt(money)}）"),
                text_en=(f"{plan.name}: hero product {title} ({shown}) sold at ¥{paid:,.2f} on {day:%m-%d}, {direction_en} "
                         f"the plan's price ¥{plan_price:,.2f} ({rel * 100:+.0f}%, {int(r.units)} units, {_fmt(money)} gap)"),
                link="/promotions/"))
    return out
