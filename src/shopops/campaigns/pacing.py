"""Live campaign pace: where the campaign stands against its target, by day and by hour.

Reads the warehouse through the metrics runners and ``metrics.sources`` (Ibis); the page layer
passes the plan's parameters in (:class:`PacePlan`). Pure maths in :func:`target_curve` and
:func:`project`.

* **The target curve** spreads the GMV target over the campaign's days in the shape of the *same
  campaign last year* (the daily GMV of the window 364 days earlier — same weekdays — as shares
  of its total; days before last year's first sale are unknown, not ¥0: they carry an average day,
  ``core.shapes``). Without last year's data the shape is flat per day. The hour curve of a day is
  the hour profile of the stores' past campaign days (the last year's window), else of all past
  days.
* **Projected finish** = GMV so far / the share of the target curve elapsed (so a campaign
  that runs 10 % ahead of the curve is projected to finish 10 % above target).
* ROI as the seeds define it: (GMV − cost) / cost with cost = ad spend so far + the plan's fixed cost (its content,
  samples and other budget lines, bought before the sale: counted from the first day; the 复盘 counts the same, so
  the last day's ROI here is the 复盘's; coupons are not added — their discounts are out of the paid GMV already;
  ``campaigns.analytics.fixed_cost``). The ad spend is read as
  every page reads it (``metrics.runners.ad_coverage``): a store set to run no paid ads adds a known ¥0; a
  store without ad reports that is not so set leaves the spend unknown (None, "—") — on its days and in the
  total, and the ROI with it — never counted as ¥0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from shopops.core.periods import Grain, Period
from shopops.core.shapes import day_shares
from shopops.metrics.dimensions import product_titles
from shopops.metrics.runners import KpiQuery, StoreCoverage, ad_coverage, run_query
from shopops.metrics.sources import paid_orders

CENT = Decimal("0.01")
LAST_YEAR = dt.timedelta(days=364)  # same weekdays


@dataclass(frozen=True)
class PacePlan:
    stores: tuple[str, ...]
    first: dt.date
    last: dt.date
    target_gmv: Decimal | None = None
    target_paying_buyers: int | None = None
    target_roi: Decimal | None = None
    fixed_cost: Decimal = Decimal(0)  # content, samples, other: counted in the ROI's cost from the first day
    time_zone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the campaign ends ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class PaceDay:
    day: dt.date
    gmv: Decimal
    cum_gmv: Decimal
    target_cum: Decimal | None
    paying_buyers: int
    ad_spend: Decimal | None  # None: unknown (a store of the plan without ad reports, not set to run no ads)
    roi: float | None


@dataclass(frozen=True)
class Pace:
    plan: PacePlan
    as_of: dt.date  # the last day with data counted
    days: list[PaceDay]  # campaign days up to ``as_of``
    shape_source: str  # "last_year" or "flat"
    curve: list[float]  # cumulative share of the target per campaign day
    gmv: Decimal
    paying_buyers: int
    ad_spend: Decimal | None  # None: unknown (see ``ads``)
    roi: float | None
    projected_gmv: Decimal | None
    hours: pd.DataFrame  # hour, gmv, cum_gmv, expected_cum (of the target day's share) for ``as_of``
    top_products: list[dict]
    ad_by_channel: list[dict]
    ads: StoreCoverage | None = None  # the plan's stores' ad data over the days counted (None: no day yet)

    @property
    def ad_spend_known(self) -> bool:
        """Every store's ad spend is known: ad reports, or set to run no paid ads (a known ¥0)."""
        return self.ads is None or self.ads.status in (None, "no_ads")


def target_curve(shape: list[float] | np.ndarray | None, n_days: int) -> tuple[np.ndarray, str]:
    """Cumulative shares (ending at 1) of a campaign of ``n_days`` from last year's daily values
    (``core.shapes.day_shares``: days before last year's first sale are unknown, not ¥0)."""
    shares, source = day_shares(shape, n_days)
    return np.cumsum(shares), source


def project(cum_actual: float, curve: np.ndarray, elapsed_days: int) -> float | None:
    """Projected finish: GMV so far / the share of the curve elapsed after ``elapsed_days`` days."""
    if elapsed_days <= 0:
        return None
    share = float(curve[min(elapsed_days, curve.size) - 1])
    return cum_actual / share if share > 0 else None


def _num(v) -> float:
    return 0.0 if v is None else float(v)


def _daily(stores, period: Period, con) -> pd.DataFrame:
    f = run_query(KpiQuery(("gmv", "paying_buyers", "ad_spend"), period, grain=Grain.DAY, stores=stores),
                  con=con).to_frame()
    f["bucket"] = pd.to_datetime(f["bucket"]).dt.date
    days = [period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    f = f.set_index("bucket").reindex(days)
    for k in ("gmv", "paying_buyers"):
        f[k] = f[k].map(_num).fillna(0.0)
    # a day's ad spend stays unknown (None) where the runner says so: not ¥0
    f["ad_spend"] = [None if v is None or pd.isna(v) else float(v) for v in f["ad_spend"]]
    return f


def hour_profile(stores, days: list[dt.date], time_zone: str, con=None) -> np.ndarray:
    """GMV by store-local hour (24 values) over ``days``."""
    from shopops.warehouse.connection import connect

    con = con or connect()
    if not days:
        return np.zeros(24)
    o = paid_orders(con, Period(min(days), max(days)))
    if stores:
        o = o.filter(o.store_id.isin(list(stores)))
    o = o.filter(o.paid_date.isin(list(days)))
    offset = ZoneInfo(time_zone).utcoffset(dt.datetime.combine(days[0], dt.time(12))).total_seconds() / 3600
    hour = ((o.paid_at.hour() + int(offset)) % 24).name("hour")
    g = o.group_by(hour).aggregate(gmv=o.paid_amount.sum()).to_pandas()
    out = np.zeros(24)
    for h, v in zip(g["hour"], g["gmv"]):
        out[int(h)] += _num(v)
    return out


def pace_build(plan: PacePlan, *, as_of: dt.date, con=None) -> Pace:
    """The pace of ``plan`` with data up to ``as_of`` (today: the hours so far)."""
    end = min(as_of, plan.last)
    n = len(plan.days)
    if end < plan.first:
        elapsed_days: list[dt.date] = []
        frame = pd.DataFrame(columns=["gmv", "paying_buyers", "ad_spend"])
    else:
        elapsed_days = [d for d in plan.days if d <= end]
        frame = _daily(plan.stores, Period(plan.first, end), con)
    ly_first, ly_last = plan.first - LAST_YEAR, plan.last - LAST_YEAR
    ly = _daily(plan.stores, Period(ly_first, ly_last), con)
    curve, source = target_curve(ly["gmv"].to_numpy() if ly["gmv"].sum() > 0 else None, n)
    target = float(plan.target_gmv) if plan.target_gmv else None
    ads = ad_coverage(Period(plan.first, end), stores=plan.stores, con=con) if elapsed_days else None
    known = ads is None or ads.status in (None, "no_ads")  # else a store's spend is unknown: so is the total
    out_days, cum = [], 0.0
    spend_cum: float | None = 0.0 if known else None
    for i, d in enumerate(elapsed_days):
        row = frame.loc[d]
        cum += row["gmv"]
        spend = row["ad_spend"] if known else None
        spend_cum = None if spend is None or spend_cum is None else spend_cum + spend
        out_days.append(PaceDay(d, _money(row["gmv"]), _money(cum), _money(target * curve[i]) if target else None,
                                int(row["paying_buyers"]), None if spend is None else _money(spend),
                                _roi(cum, spend_cum, plan.fixed_cost)))
    buyers = 0
    if elapsed_days:
        buyers = int(_num(run_query(KpiQuery(("paying_buyers",), Period(plan.first, end), stores=plan.stores),
                                    con=con).total("paying_buyers")))
    projected = project(cum, curve, len(elapsed_days))
    # hours of the last day counted, against the hour shape of last year's campaign days
    hours = pd.DataFrame({"hour": range(24)})
    if elapsed_days:
        today = hours_today = hour_profile(plan.stores, [end], plan.time_zone, con)
        shape = hour_profile(plan.stores, [d - LAST_YEAR for d in plan.days], plan.time_zone, con)
        if shape.sum() <= 0:
            shape = hour_profile(plan.stores, [end - dt.timedelta(days=k) for k in range(1, 29)], plan.time_zone, con)
        day_target = None
        if target:
            i = len(elapsed_days) - 1
            day_target = target * (curve[i] - (curve[i - 1] if i else 0.0))
        hours["gmv"] = today
        hours["cum_gmv"] = np.cumsum(hours_today)
        if day_target is not None and shape.sum() > 0:
            hours["expected_cum"] = day_target * np.cumsum(shape) / shape.sum()
        else:
            hours["expected_cum"] = np.nan
    return Pace(
        plan=plan, as_of=end, days=out_days, shape_source=source, curve=[float(c) for c in curve],
        gmv=_money(cum), paying_buyers=buyers, ad_spend=None if spend_cum is None else _money(spend_cum),
        roi=_roi(cum, spend_cum, plan.fixed_cost),
        projected_gmv=_money(projected) if projected is not None else None, hours=hours,
        top_products=top_products(plan, end, con) if elapsed_days else [],
        ad_by_channel=ad_by_channel(plan, end, con) if elapsed_days else [],
        ads=ads,
    )


def _roi(gmv: float, spend: float | None, fixed: Decimal = Decimal(0)) -> float | None:
    """(GMV − cost) / cost, cost = ad spend + the plan's fixed cost; None when the spend is unknown, or when the cost
    is 0 (stores that run no ads and nothing else in the budget: not applicable)."""
    if spend is None:
        return None
    cost = spend + float(fixed)
    return (gmv - cost) / cost if cost else None


def _money(x: float) -> Decimal:
    return Decimal(str(round(float(x), 2))).quantize(CENT)


def top_products(plan: PacePlan, end: dt.date, con=None, n: int = 10) -> list[dict]:
    f = run_query(KpiQuery(("item_gmv", "units_sold"), Period(plan.first, end), by=("store_id", "product_id"),
                           stores=plan.stores), con=con).to_frame()
    if f.empty:
        return []
    f["item_gmv"] = f["item_gmv"].map(_num)
    f = f.sort_values(["item_gmv", "store_id", "product_id"], ascending=[False, True, True]).head(n)
    titles = product_titles(list(zip(f["store_id"], f["product_id"])), con)
    return [{"store_id": s, "product_id": p, "title": titles.get((s, p), p), "item_gmv": _money(g),
             "units": int(_num(u))} for s, p, g, u in zip(f["store_id"], f["product_id"], f["item_gmv"], f["units_sold"])]


def ad_by_channel(plan: PacePlan, end: dt.date, con=None) -> list[dict]:
    f = run_query(KpiQuery(("ad_spend", "ad_gmv"), Period(plan.first, end), by=("ad_tool",), stores=plan.stores),
                  con=con).to_frame()
    out = []
    for tool, spend, gmv in sorted(zip(f["ad_tool"], f["ad_spend"].map(_num), f["ad_gmv"].map(_num)),
                                   key=lambda r: -r[1]):
        out.append({"ad_tool": str(tool), "ad_spend": _money(spend), "ad_gmv": _money(gmv),
                    "roas": gmv / spend if spend else None})
    return out
