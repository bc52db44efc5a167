"""复盘: a finished campaign against its targets and against the no-campaign baseline.

Reads the warehouse only through the metrics runners (``run_query``) and Ibis expressions of
``metrics.sources``; no Django model enters the maths — the page layer passes the plan's
parameters in (:class:`RetroPlan`). The baseline is :mod:`shopops.campaigns.baseline`.

What it answers (docs/campaigns.md, "复盘"):

* actual vs target vs baseline for GMV, paid orders, paying buyers;
* incremental GMV (actual − baseline) and incremental margin: incremental gross margin (net
  sales − cost of goods − store-borne discounts, so discounts are already netted) minus the ad
  spend above the baseline's ad spend;
* pull-forward before the window (people waiting for the sale) and the dip after it: actual −
  baseline over ``side_days`` before and after;
* new-buyer quality: of buyers whose first order in the store fell in the window, the share who
  bought again within 30/60/90 days, next to new buyers of the ``side_days``… 90 days before;
* per ad tool: spend, attributed GMV, ROAS (attributed GMV / spend, what ad tools call "ROI"),
  ROI as the seeds define it ((attributed GMV − spend) / spend), the marginal ROAS from the tool's
  response curve over the history, and a suggested split of a next budget (:func:`budget_split`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import numpy as np
import pandas as pd

from shopops.campaigns.baseline import (
    BUYER_MEMORY_DAYS,
    Baseline,
    BuyerBase,
    DateRange,
    ProductMix,
    baseline_interval,
    has_days_after,
    months_without_days,
    window_baseline,
)
from shopops.core.periods import Grain, Period
from shopops.metrics.catalog import cost_status
from shopops.metrics.runners import KpiQuery, cost_coverage, refund_coverage, run_query
from shopops.metrics.sources import Filter, paid_orders

CENT = Decimal("0.01")
SERIES_KPIS = ("gmv", "paid_orders", "paying_buyers", "gross_margin", "ad_spend")
REPURCHASE_DAYS = (30, 60, 90)
MIN_DAYS_BEFORE = 21
AFTER_DAYS = 365  # the baseline reads every known day up to this long after the window (both sides pin its level)


@dataclass(frozen=True)
class RetroPlan:
    """What the page layer passes in from a campaign plan."""

    stores: tuple[str, ...]
    window: DateRange
    other_campaigns: tuple[DateRange, ...] = ()  # other plans, platform festivals, 春节…
    other_days: tuple[DateRange, ...] = ()  # the stores' own one-day sales (会员日)
    target_gmv: Decimal | None = None
    target_paying_buyers: int | None = None
    target_new_buyers: int | None = None
    target_roi: Decimal | None = None  # (GMV − cost) / cost, as a ratio (2 = 200 %)
    # the plan's costs the data do not carry (content, samples, other: planned amounts), added to the ad spend read
    # from the ad reports for the ROI; coupons are not added — their discounts are already out of the paid GMV
    fixed_cost: Decimal = Decimal(0)
    history_days: int = 365
    side_days: int = 14


@dataclass(frozen=True)
class Figure:
    kpi: str
    actual: Decimal | None  # None: unknown (the gross margin of stores without SKU costs)
    baseline: Decimal | None
    target: Decimal | None

    @property
    def incremental(self) -> Decimal | None:
        return None if self.actual is None or self.baseline is None else self.actual - self.baseline

    @property
    def achievement(self) -> float | None:
        return float(self.actual / self.target) if self.target and self.actual is not None else None

    @property
    def lift(self) -> float | None:
        return float(self.actual / self.baseline - 1) if self.baseline and self.actual is not None else None


@dataclass(frozen=True)
class ChannelRoi:
    ad_tool: str
    spend: Decimal
    ad_gmv: Decimal
    elasticity: float | None  # d log(attributed GMV) / d log(spend) over the history
    suggested_share: float | None = None

    @property
    def roas(self) -> float | None:
        return float(self.ad_gmv / self.spend) if self.spend else None

    @property
    def roi(self) -> float | None:
        return float((self.ad_gmv - self.spend) / self.spend) if self.spend else None

    @property
    def marginal_roas(self) -> float | None:
        if self.elasticity is None or self.roas is None:
            return None
        return self.elasticity * self.roas


@dataclass(frozen=True)
class BuyerQuality:
    cohort: str  # "campaign" or "ordinary"
    buyers: int
    repurchase: dict[int, float | None]  # days -> share (None: not enough days observed yet)


# the incremental GMV's error where no ordinary day follows the window (年货节 read before 春节), as
# measured against the demo generator's truth (mean, worst |error| over round 8's 32 development seeds,
# docs/campaigns.md "Round 8"): the page and the PDF/XLSX say it in words next to the interval
CARRIED_FORWARD_ERROR = (0.14, 0.26)


@dataclass(frozen=True)
class BaselineLimits:
    """What the GMV baseline of a 复盘 cannot see, said in words on the page and in the exports:
    ``carried_forward`` — no ordinary day follows the window in the data yet (春节, another sale or the
    data's end comes next), so the level is carried forward from the days before the campaign instead
    of read across it (the month-factor model); ``borrowed_months`` — months of the window without one
    ordinary day of their own: their level is the month before's, a month step into them is not seen."""

    carried_forward: bool
    borrowed_months: tuple[dt.date, ...] = ()

    def __bool__(self) -> bool:
        return self.carried_forward or bool(self.borrowed_months)


@dataclass(frozen=True)
class Retro:
    plan: RetroPlan
    figures: dict[str, Figure]
    incremental_margin: Decimal | None  # incremental gross margin − incremental ad spend; None: no SKU costs
    ad_spend: Decimal
    roi: float | None  # (GMV − cost) / cost over the window, cost = ad spend + the plan's fixed cost
    pre: Decimal  # actual − baseline GMV over the side days before (negative: people waited)
    post: Decimal  # … after (negative: the post-campaign dip)
    daily: pd.DataFrame  # day, actual, baseline (GMV), in_window
    buyers: list[BuyerQuality]
    channels: list[ChannelRoi]
    baseline_cv: float  # day-to-day noise of GMV around the baseline on ordinary days
    seasonal: bool
    notes: list[str] = field(default_factory=list)
    # ~90 % interval of the incremental GMV (baseline.baseline_interval): (low, high)
    incremental_interval: tuple[Decimal, Decimal] | None = None
    limits: BaselineLimits = BaselineLimits(False)
    # the share of the item GMV of the fitted days whose SKUs have a cost (catalog cost_coverage): 0 — the
    # gross margin is unknown (None, not GMV and not 0); below 1 — it is partial (cost understated)
    margin_coverage: float | None = None


def _money(x: float) -> Decimal:
    return Decimal(str(round(float(x), 2))).quantize(CENT)


def _daily(plan: RetroPlan, period: Period, con, *, stores: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The plan's stores' daily KPIs (``stores=()``: every store's)."""
    res = run_query(KpiQuery(SERIES_KPIS, period, grain=Grain.DAY, stores=plan.stores if stores is None else stores),
                    con=con)
    frame = res.to_frame()
    days = [period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    frame["bucket"] = pd.to_datetime(frame["bucket"]).dt.date
    frame = frame.set_index("bucket").reindex(days)
    for k in SERIES_KPIS:
        frame[k] = pd.to_numeric(frame[k].map(lambda v: None if v is None else float(v)), errors="coerce").fillna(0.0)
    return frame


def series_baseline(plan: RetroPlan, days: list[dt.date], values, mix: ProductMix | None = None,
                    control=None, buyers: BuyerBase | None = None) -> Baseline:
    """The no-campaign baseline of one daily series of the plan's stores (what :func:`retro_build`
    fits for every KPI): the plan's window judged, every other campaign and the stores' own days
    left out of the fit (:func:`baseline.window_baseline`); ``mix`` (the products sold on the same
    days, :func:`product_mix`) for a value series (GMV): the window keeps its own product mix;
    ``control`` (the same KPI of the stores outside the plan, :func:`control_series`): the baseline
    is their baseline × the plan's stores' ratio to it (:func:`baseline.control_adjusted`); ``buyers``
    (the new buyers per day, :func:`buyer_series`) for GMV: the series is fitted divided by the
    buyer-base index and multiplied back, so the level grows with the buyers (:func:`baseline.buyer_index`)."""
    return window_baseline(days, values, [plan.window, *plan.other_campaigns], target=plan.window,
                           other_days=list(plan.other_days), mix=mix, control=control, buyers=buyers)


BUYER_HISTORY_DAYS = 730  # new buyers before the series are read this far back (decayed into ``carried``)


def buyer_series(plan: RetroPlan, days: list[dt.date], con=None) -> BuyerBase | None:
    """The plan's stores' new buyers per day of ``days`` (first paid order ever in the store) and the GMV
    of new buyers' orders on those days (the catalog's ``new_buyers`` and ``gmv`` of ``customer_type``
    new), with the new buyers of the ``BUYER_HISTORY_DAYS`` before ``days`` decayed into ``carried``:
    what :func:`baseline.buyer_index` grows the level with. None when the warehouse has no buyers."""
    start = days[0] - dt.timedelta(days=BUYER_HISTORY_DAYS)
    everything = [start + dt.timedelta(days=i) for i in range((days[-1] - start).days + 1)]
    new = run_query(KpiQuery(("new_buyers",), Period(start, days[-1]), grain=Grain.DAY, stores=plan.stores),
                    con=con).to_frame()
    value = run_query(KpiQuery(("gmv",), Period(days[0], days[-1]), grain=Grain.DAY, stores=plan.stores,
                               filters=(Filter("customer_type", ("new",)),)), con=con).to_frame()

    def by_day(frame: pd.DataFrame, kpi: str, over: list[dt.date]) -> np.ndarray:
        if frame.empty:
            return np.zeros(len(over))
        f = frame.assign(bucket=pd.to_datetime(frame["bucket"]).dt.date).set_index("bucket")[kpi]
        f = pd.to_numeric(f.map(lambda v: None if v is None else float(v)), errors="coerce")
        return f.reindex(over).fillna(0.0).to_numpy()

    n_all = by_day(new, "new_buyers", everything)
    if n_all.sum() <= 0:
        return None
    k = len(everything) - len(days)
    ages = np.arange(k, 0, -1, dtype=np.float64)  # days before days[0]
    carried = float((n_all[:k] * np.exp(-(ages - 1) / BUYER_MEMORY_DAYS)).sum())
    since = everything[int(np.flatnonzero(n_all > 0)[0])]
    return BuyerBase(new_buyers=n_all[k:], new_value=by_day(value, "gmv", days), carried=carried, since=since)


CONTROL_MIN_DAYS_SHARE = 0.9  # the stores outside the plan sold on at least this share of the days


def control_series(plan: RetroPlan, days: list[dt.date], values, every) -> np.ndarray | None:
    """The stores outside the plan as a control: ``every`` (the KPI of every store on ``days``)
    minus the plan's ``values`` — None when the plan holds every store, or the others sold on
    fewer than ``CONTROL_MIN_DAYS_SHARE`` of the days (too little to carry a season)."""
    c = np.asarray(every, dtype=np.float64) - np.asarray(values, dtype=np.float64)
    c = np.where(np.abs(c) < 0.005, 0.0, c)  # money sums to the cent
    if c.size == 0 or np.count_nonzero(c > 0) < CONTROL_MIN_DAYS_SHARE * c.size:
        return None
    return c


def product_mix(plan: RetroPlan, days: list[dt.date], con=None) -> ProductMix | None:
    """Units sold and item GMV per store, day and product of the plan's stores over ``days`` (the
    catalog's ``units_sold`` / ``item_gmv`` by ``store_id`` and ``product_id``, from the
    ``product_daily`` rollup): the product mix of :func:`baseline.mix_index`. None without lines."""
    res = run_query(KpiQuery(("units_sold", "item_gmv"), Period(days[0], days[-1]), grain=Grain.DAY,
                             by=("store_id", "product_id"), stores=plan.stores), con=con)
    f = res.to_frame()
    if f.empty:
        return None
    f["bucket"] = pd.to_datetime(f["bucket"]).dt.date
    for k in ("units_sold", "item_gmv"):
        f[k] = pd.to_numeric(f[k].map(lambda v: None if v is None else float(v)), errors="coerce").fillna(0.0)
    f = f[f["bucket"].isin(set(days)) & (f["units_sold"] > 0)]
    if f.empty:
        return None
    stores = sorted(f["store_id"].astype(str).unique())
    products = sorted(f["product_id"].astype(str).unique())
    si = f["store_id"].astype(str).map({s: i for i, s in enumerate(stores)}).to_numpy()
    di = f["bucket"].map({d: i for i, d in enumerate(days)}).to_numpy()
    pi = f["product_id"].astype(str).map({p: i for i, p in enumerate(products)}).to_numpy()
    units = np.zeros((len(stores), len(days), len(products)))
    value = np.zeros_like(units)
    np.add.at(units, (si, di, pi), f["units_sold"].to_numpy())
    np.add.at(value, (si, di, pi), f["item_gmv"].to_numpy())
    return ProductMix(units=units, value=value)


def series_interval(plan: RetroPlan, days: list[dt.date], values, fitted: Baseline) -> tuple[float, float]:
    """~90 % interval of the window's baseline total of one series (:func:`baseline.baseline_interval`)."""
    return baseline_interval(days, values, [plan.window, *plan.other_campaigns], target=plan.window,
                             other_days=list(plan.other_days), fitted=fitted)


class RetroNotReady(ValueError):
    """Why a 复盘 cannot be made yet: ``reason`` is ``running`` (the window's last day is after ``as_of``),
    ``no_history`` (no sale before the window) or ``short_history`` (``count`` ordinary days before ``day``,
    fewer than :data:`MIN_DAYS_BEFORE`). The pages say it in the reader's language."""

    def __init__(self, reason: str, *, day: dt.date, as_of: dt.date, count: int = 0):
        self.reason, self.day, self.as_of, self.count = reason, day, as_of, count
        super().__init__({
            "running": f"the campaign runs until {day}; a 复盘 needs its last day complete (data to {as_of})",
            "no_history": f"no sales of these stores before the campaign's first day ({day}): nothing to learn "
                          "the baseline from",
            "short_history": f"only {count} ordinary days (no campaign) before {day}; the baseline needs at least "
                             f"{MIN_DAYS_BEFORE} to know the level the campaign started from"}[reason])


def retro_build(plan: RetroPlan, *, as_of: dt.date, con=None) -> Retro:
    """The 复盘 of ``plan`` with the data known on ``as_of`` (the last complete day); :class:`RetroNotReady`
    when it cannot be made yet."""
    w = plan.window
    if w.last > as_of:
        raise RetroNotReady("running", day=w.last, as_of=as_of)
    start = w.first - dt.timedelta(days=plan.history_days)
    end = min(as_of, w.last + dt.timedelta(days=max(plan.side_days, AFTER_DAYS)))
    period = Period(start, end)
    frame = _daily(plan, period, con)
    # the history starts at the first day with a sale: days before the data began are not zero-sale days
    sold = np.flatnonzero(frame["gmv"].to_numpy() > 0)
    if sold.size == 0 or frame.index[sold[0]] > w.first:
        raise RetroNotReady("no_history", day=w.first, as_of=as_of)
    frame = frame.iloc[sold[0]:]
    period = Period(frame.index[0], end)
    days = list(frame.index)
    in_w = np.array([w.first <= d <= w.last for d in days])
    notes: list[str] = []
    fits: dict[str, Baseline] = {}
    mix = product_mix(plan, days, con)
    every = _daily(plan, period, con, stores=())["gmv"].reindex(days).fillna(0.0).to_numpy()
    control = control_series(plan, days, frame["gmv"].to_numpy(), every)
    buyers = buyer_series(plan, days, con)
    # the margin series of days without SKU costs is unknown (the runners' None, read as 0 here): with no
    # cost for anything sold, no margin baseline is fitted and the margin is said to be unknown
    margin_coverage = cost_coverage(period, stores=plan.stores, con=con)
    margin_known = cost_status(margin_coverage) != "missing"
    # … and of stores whose refunds were never imported (net sales unknown: catalog.refund_unknown)
    margin_known = margin_known and refund_coverage(period, stores=plan.stores, con=con).status != "missing"
    for k in SERIES_KPIS:
        if k == "gross_margin" and not margin_known:
            continue
        fits[k] = series_baseline(plan, days, frame[k].to_numpy(), mix if k == "gmv" else None,
                                  control if k == "gmv" else None, buyers if k == "gmv" else None)
    before = int(np.count_nonzero(fits["gmv"].fit_mask[:days.index(w.first)]))
    if before < MIN_DAYS_BEFORE:
        raise RetroNotReady("short_history", day=w.first, as_of=as_of, count=before)
    targets = {"gmv": plan.target_gmv, "paying_buyers": plan.target_paying_buyers}
    figures = {}
    for k in ("gmv", "paid_orders", "gross_margin", "ad_spend"):
        if k not in fits:  # the gross margin without SKU costs: unknown, not GMV and not 0
            figures[k] = Figure(k, None, None, None)
            continue
        b = fits[k]
        actual, base = b.actual[in_w].sum(), b.expected[in_w].sum()
        money = k != "paid_orders"
        conv = _money if money else (lambda x: Decimal(int(round(x))))
        tgt = targets.get(k)
        figures[k] = Figure(k, conv(actual), conv(base), Decimal(tgt) if tgt is not None else None)
    # paying buyers are distinct over the window: the sum of daily buyers over-counts, so the
    # window's actual comes from one query; the baseline scales the daily-sum baseline by the same ratio
    pb = run_query(KpiQuery(("paying_buyers", "new_buyers"), Period(w.first, w.last), stores=plan.stores), con=con)
    pb_actual = float(pb.total("paying_buyers") or 0)
    daily_sum = fits["paying_buyers"].actual[in_w].sum()
    ratio = pb_actual / daily_sum if daily_sum else 1.0
    figures["paying_buyers"] = Figure("paying_buyers", Decimal(int(pb_actual)),
                                      Decimal(int(round(fits["paying_buyers"].expected[in_w].sum() * ratio))),
                                      Decimal(plan.target_paying_buyers) if plan.target_paying_buyers else None)
    figures["new_buyers"] = Figure("new_buyers", Decimal(int(pb.total("new_buyers") or 0)), Decimal(0),
                                   Decimal(plan.target_new_buyers) if plan.target_new_buyers else None)
    ad_spend = figures["ad_spend"].actual
    cost = ad_spend + plan.fixed_cost
    gmv = figures["gmv"].actual
    roi = float((gmv - cost) / cost) if cost else None
    if not margin_known:
        notes.append("margin_unknown")
    elif cost_status(margin_coverage) == "partial":
        notes.append(f"margin_partial:{margin_coverage:.4f}")
    gm = figures["gross_margin"].incremental
    incremental_margin = None if gm is None else gm - figures["ad_spend"].incremental
    g = fits["gmv"]
    idx = {d: i for i, d in enumerate(days)}

    def side(lo: dt.date, hi: dt.date) -> Decimal:
        ii = [idx[d] for d in days if lo <= d <= hi]
        return _money(g.actual[ii].sum() - g.expected[ii].sum()) if ii else Decimal(0)

    pre = side(w.first - dt.timedelta(days=plan.side_days), w.first - dt.timedelta(days=1))
    post_hi = w.last + dt.timedelta(days=plan.side_days)
    if post_hi > as_of:
        notes.append(f"post_partial:{(as_of - w.last).days}")
    post = side(w.last + dt.timedelta(days=1), post_hi)
    daily = pd.DataFrame({"day": days, "actual": g.actual, "baseline": g.expected, "in_window": in_w})
    b_lo, b_hi = series_interval(plan, days, frame["gmv"].to_numpy(), g)
    actual_gmv = float(g.actual[in_w].sum())
    interval = (_money(actual_gmv - b_hi), _money(actual_gmv - b_lo))
    return Retro(
        plan=plan, figures=figures, incremental_margin=incremental_margin, ad_spend=ad_spend, roi=roi,
        pre=pre, post=post, daily=daily, buyers=buyer_quality(plan, as_of=as_of, con=con),
        channels=channel_rois(plan, period=period, con=con), baseline_cv=g.residual_cv, seasonal=g.seasonal,
        notes=notes, incremental_interval=interval, margin_coverage=margin_coverage,
        limits=BaselineLimits(not has_days_after(days, g.fit_mask, w), tuple(months_without_days(days, g.fit_mask, w))),
    )


# ---------------------------------------------------------------- new-buyer quality

def _repurchase_frame(stores: tuple[str, ...], first_lo: dt.date, first_hi: dt.date, con) -> pd.DataFrame:
    """(store, customer, first paid date, next paid date or NaT) of buyers first paying in the range."""
    from shopops.warehouse.connection import connect

    con = con or connect()
    o = paid_orders(con).filter(lambda t: t.customer_id.notnull())
    if stores:
        o = o.filter(o.store_id.isin(list(stores)))
    first = o.group_by("store_id", "customer_id").aggregate(first=o.paid_date.min())
    cohort = first.filter((first.first >= first_lo) & (first.first <= first_hi))
    later = o.join(cohort, ["store_id", "customer_id"]).filter(lambda t: t.paid_date > t.first)
    nxt = later.group_by("store_id", "customer_id").aggregate(next=later.paid_date.min())
    out = cohort.left_join(nxt, ["store_id", "customer_id"]).select("store_id", "customer_id", "first", "next")
    return out.to_pandas()


def buyer_quality(plan: RetroPlan, *, as_of: dt.date, con=None) -> list[BuyerQuality]:
    w = plan.window
    ref_lo, ref_hi = w.first - dt.timedelta(days=90), w.first - dt.timedelta(days=plan.side_days + 1)
    frame = _repurchase_frame(plan.stores, ref_lo, w.last, con)
    frame["first"] = pd.to_datetime(frame["first"]).dt.date
    frame["next"] = pd.to_datetime(frame["next"]).dt.date
    busy = [plan.window, *plan.other_campaigns]
    in_busy = frame["first"].map(lambda d: any(r.first <= d <= r.last for r in busy))
    cohorts = {"campaign": frame[(frame["first"] >= w.first) & (frame["first"] <= w.last)],
               "ordinary": frame[(frame["first"] >= ref_lo) & (frame["first"] <= ref_hi) & ~in_busy]}
    out = []
    for name, c in cohorts.items():
        rates: dict[int, float | None] = {}
        for n in REPURCHASE_DAYS:
            mature = c[c["first"].map(lambda d: d + dt.timedelta(days=n) <= as_of)]  # noqa: B023
            if mature.empty:
                rates[n] = None
                continue
            again = mature["next"].map(lambda x, n=n: x is not None and not pd.isna(x)) & mature.apply(
                lambda r, n=n: (not pd.isna(r["next"])) and (r["next"] - r["first"]).days <= n, axis=1)
            rates[n] = float(again.mean())
        out.append(BuyerQuality(name, int(len(c)), rates))
    return out


# ---------------------------------------------------------------- channels

def channel_rois(plan: RetroPlan, *, period: Period, con=None) -> list[ChannelRoi]:
    res = run_query(KpiQuery(("ad_spend", "ad_gmv"), period, grain=Grain.DAY, by=("ad_tool",), stores=plan.stores),
                    con=con)
    f = res.to_frame()
    if f.empty:
        return []
    f["bucket"] = pd.to_datetime(f["bucket"]).dt.date
    for k in ("ad_spend", "ad_gmv"):
        f[k] = pd.to_numeric(f[k].map(lambda v: None if v is None else float(v)), errors="coerce").fillna(0.0)
    w = plan.window
    out = []
    for tool, g in sorted(f.groupby("ad_tool"), key=lambda kv: str(kv[0])):
        inside = g[(g["bucket"] >= w.first) & (g["bucket"] <= w.last)]
        out.append(ChannelRoi(str(tool), _money(inside["ad_spend"].sum()), _money(inside["ad_gmv"].sum()),
                              response_elasticity(g["ad_spend"].to_numpy(), g["ad_gmv"].to_numpy())))
    shares = budget_split([c.elasticity for c in out], [c.roas for c in out], [float(c.spend) for c in out])
    return [ChannelRoi(c.ad_tool, c.spend, c.ad_gmv, c.elasticity, s) for c, s in zip(out, shares)]


def response_elasticity(spend: np.ndarray, gmv: np.ndarray) -> float | None:
    """Slope of log(attributed GMV) on log(spend) over days with both (least squares), in (0, 1]."""
    m = (spend > 0) & (gmv > 0)
    if np.count_nonzero(m) < 14 or np.ptp(np.log(spend[m])) < 0.2:
        return None
    slope = np.polyfit(np.log(spend[m]), np.log(gmv[m]), 1)[0]
    return float(min(max(slope, 0.05), 1.0))


def budget_split(elasticities, roas, spend) -> list[float | None]:
    """Shares of a next budget of the same size that equalise marginal ROAS across tools.

    Assumes each tool's attributed GMV follows ``a · spend^b`` (b = elasticity, a fitted through
    this campaign's spend and GMV), that attributed GMV is what the tool reports (not the
    incremental GMV) and that tools do not cannibalise each other. Tools without a curve keep
    their current share."""
    n = len(spend)
    total = sum(spend)
    if not total:
        return [None] * n
    fixed = [i for i in range(n) if elasticities[i] is None or not roas[i] or not spend[i] or elasticities[i] >= 1]
    free = [i for i in range(n) if i not in fixed]
    shares: list[float | None] = [spend[i] / total for i in range(n)]
    budget = total - sum(spend[i] for i in fixed)
    if not free or budget <= 0:
        return shares
    a = {i: roas[i] * spend[i] / spend[i] ** elasticities[i] for i in free}
    b = {i: elasticities[i] for i in free}

    def spend_at(lam: float) -> dict[int, float]:  # a·b·s^(b−1) = lam
        return {i: (a[i] * b[i] / lam) ** (1.0 / (1.0 - b[i])) for i in free}

    lo, hi = 1e-9, 1e9
    for _ in range(200):
        mid = (lo * hi) ** 0.5
        if sum(spend_at(mid).values()) > budget:
            lo = mid
        else:
            hi = mid
    s = spend_at((lo * hi) ** 0.5)
    for i in free:
        shares[i] = s[i] / total
    return shares
