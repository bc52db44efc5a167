"""The cockpit (驾驶舱): headline KPIs for a period with change vs the previous period, and a daily trend."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis

from shopops.core.periods import Grain, Period, PeriodPreset, month_period, preset_period
from shopops.metrics.cache import cached
from shopops.metrics.catalog import (
    CATALOG, Direction, Kpi, ad_dependent, cost_dependent, cost_status, refund_dependent, traffic_dependent,
)
from shopops.metrics.channels import is_whole_period_kpi, visitor_kpi
from shopops.metrics.dimensions import store_list, store_platforms
from shopops.metrics.maturity import TOTAL, refund_comparisons
from shopops.metrics.period_reports import whole_period_reported
from shopops.metrics.runners import (
    KpiQuery, KpiResult, StoreCoverage, TargetProgress, TargetQuery, TrafficCoverage, last_complete_day, last_fact_date,
    run_query, store_coverages,
)
from shopops.metrics.runners.targets import project, stores_summed
from shopops.metrics.sources import paid_orders, today_in_period
from shopops.warehouse.connection import connect
from shopops.warehouse.schema import TABLES

COCKPIT_KPIS: tuple[str, ...] = (
    "gmv",
    "paid_orders",
    "paying_buyers",
    "visitors",
    "conversion_rate",
    "aov",
    "refund_rate",
    "ad_spend",
    "roas",
)

# The cockpit's tiles: the stores page keeps COCKPIT_KPIS; the director's daily page adds
# value per visitor, add-to-cart and favourite rates and the gross margin (issue 19).
COCKPIT_TILES: tuple[str, ...] = (
    "gmv", "paid_orders", "paying_buyers", "aov", "visitors", "conversion_rate", "uv_value", "add_to_cart_rate",
    "favorite_rate", "gross_margin", "gross_margin_rate", "refund_rate", "ad_spend", "roas",
)


# shown only when the data have them
OPTIONAL_TILES = frozenset({"favorite_rate", "report_favorite_rate"})

# the periods cockpit_warm computes after an import: the page's default (PeriodPreset.LAST_7) first
WARM_PRESETS: tuple[str, ...] = (PeriodPreset.LAST_7,)

# the month so far with its run-rate, shown for these KPIs even when no target is set
MONTH_SO_FAR_KPIS: tuple[str, ...] = ("gmv", "paid_orders", "gross_margin")


def first_fact_date(con: ibis.BaseBackend | None = None) -> dt.date | None:
    """The first business day with a paid order (the start of the data); read once per data
    version of the orders (the cockpit asks on every render, for 同比)."""
    con = con or connect()
    if "orders" not in con.list_tables():
        return None

    def scan() -> dt.date | None:
        first = paid_orders(con).paid_date.min().execute()
        return None if first is None or first != first else (first.date() if hasattr(first, "date") else first)

    return cached("cockpit:first_fact_date", con.name, scan, con=con, tables=("orders",))


def comparison_base(period: Period) -> tuple[Period, str]:
    """What a period is compared with: one day with the same weekday a week before (昨日 vs
    上周同日 — the weekly rhythm makes the day before a poor base); longer periods with the
    equally long period just before (``Period.previous``). Returns (base, kind)."""
    if period.days == 1:
        week = dt.timedelta(days=7)
        return Period(period.start - week, period.end - week), "same_weekday"
    return period.previous(), "previous"


def _change(value, base) -> float | None:
    if value is None or not base:
        return None
    return float((Decimal(str(value)) - Decimal(str(base))) / Decimal(str(base)))


@dataclass(frozen=True, slots=True)
class Tile:
    kpi: Kpi
    value: Decimal | int | float | None
    previous: Decimal | int | float | None
    # refund KPIs: the previous period is read at the same order age (refunds known by this day) …
    same_age_known_by: dt.date | None = None
    # … and the current figure is still growing (its orders are younger than MATURITY_DAYS)
    immature: bool = False
    last_year: Decimal | int | float | None = None  # the same dates a year earlier (同比)
    # a KPI built on the cost of goods: the share of the period's item GMV whose SKUs have a cost
    # (0: unknown, the value is None; below 1: partial, shown with it); None for other KPIs or no sales
    cost_coverage: float | None = None
    # a KPI built on visitors, when some or all of the selected stores have no traffic data in the period
    # (None: every store has, or another KPI): "missing" — the value is None —, or "partial"
    traffic: TrafficCoverage | None = None
    # the same for a KPI built on the ad tools' reports (ad spend, ROAS …) and the stores' ad data
    ads: StoreCoverage | None = None
    # the same for a KPI built on the refunds (refund rate, net sales, gross margin …) and the stores' refund data
    refunds: StoreCoverage | None = None

    @property
    def cost_status(self) -> str | None:
        """"missing" (no SKU cost for what was sold: the value is unknown), "partial" or None."""
        return cost_status(self.cost_coverage)

    @property
    def coverages(self) -> tuple[StoreCoverage, ...]:
        """The stores' traffic or ad data behind the value, when missing or partial (the tile says so)."""
        return tuple(c for c in (self.traffic, self.ads, self.refunds) if c is not None and c.said)

    @property
    def change_last_year(self) -> float | None:
        return _change(self.value, self.last_year)

    @property
    def is_good_last_year(self) -> bool | None:
        change = self.change_last_year
        if change is None or change == 0:
            return None
        good = (change > 0) == (self.kpi.direction is Direction.UP_IS_GOOD)
        return None if good and self.immature else good

    @property
    def change(self) -> float | None:
        """Relative change vs the previous period (0.12 = +12%); None when undefined."""
        if self.value is None or not self.previous:
            return None
        return float((Decimal(str(self.value)) - Decimal(str(self.previous))) / Decimal(str(self.previous)))

    @property
    def is_good(self) -> bool | None:
        change = self.change
        if change is None or change == 0:
            return None
        good = (change > 0) == (self.kpi.direction is Direction.UP_IS_GOOD)
        if good and self.immature:
            return None  # an immature refund figure is never called an improvement
        return good


@dataclass(frozen=True, slots=True)
class Cockpit:
    period: Period
    previous: Period  # the comparison base (see comparison_base)
    tiles: tuple[Tile, ...]
    trend: KpiResult
    stores: tuple[str, ...]
    as_of: dt.date | None
    base_kind: str = "previous"  # or "same_weekday"
    last_year: Period | None = None
    month_targets: tuple[TargetProgress, ...] = ()  # this month so far vs its targets, with the run-rate
    month: dt.date | None = None  # first day of the month of month_targets
    # as_of is the selected stores' own latest data date (not the latest over every store) …
    # … and this is the latest over every store, when later (the panels say whose date they use)
    data_date: dt.date | None = None
    # (kpi, actual from the 1st to as_of, run-rate projection of the whole month) for the
    # MONTH_SO_FAR_KPIS the scope has no target for
    month_so_far: tuple[tuple[Kpi, object, object], ...] = ()
    # the KPI shown for each one asked for: visitor KPIs in the selected stores' own 口径
    # (metrics.channels.visitor_kpi: events for own-site stores, the platform's report otherwise)
    shown: dict[str, str] = dataclasses.field(default_factory=dict)
    # the same for the daily trend: never a period figure (metrics.channels: a period export has no days)
    trend_shown: dict[str, str] = dataclasses.field(default_factory=dict)
    # the tiles show the platforms' period export (the period is exactly an imported one), not visitor-days
    whole_period: bool = False

    def kpi_shown(self, kpi_id: str) -> str:
        return self.shown.get(kpi_id, kpi_id)

    def trend_kpi(self, kpi_id: str) -> str:
        return self.trend_shown.get(kpi_id, kpi_id)


def cockpit_period(
    preset: str | None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date,
) -> Period:
    """Resolve the period a user picked; custom needs start and end."""
    if preset == PeriodPreset.CUSTOM or (start and end and not preset):
        if not (start and end):
            raise ValueError("a custom period needs a start and an end date")
        return Period(start, end)
    return preset_period(preset or PeriodPreset.LAST_7, today=today)


def reference_today(con: ibis.BaseBackend | None = None, *, today: dt.date, stores: tuple[str, ...] = ()) -> dt.date:
    """The business 'today' the presets are relative to.

    A live store's data reaches yesterday, so this is simply today. When the data stop
    earlier (the demo store, or imports that are days behind), presets are anchored to
    the day after the last paid order, so "yesterday" shows the last complete day — of the selected
    ``stores`` when given (a store whose data end earlier than the others' gets its own "yesterday").
    """
    last = last_fact_date(con, stores=stores)
    if last is None or last >= today - dt.timedelta(days=1):
        return today
    return last + dt.timedelta(days=1)


# what a cockpit reads: any load of these changes its data version and so its cache key
COCKPIT_TABLES: tuple[str, ...] = tuple(TABLES)


def cockpit_build(
    *,
    period: Period,
    stores: tuple[str, ...] = (),
    kpis: tuple[str, ...] = COCKPIT_TILES,
    con: ibis.BaseBackend | None = None,
    with_targets: bool = True,
) -> Cockpit:
    """The cockpit of ``period`` for ``stores`` (every store when empty), computed once per data
    version of the warehouse (and per set of month targets, which live in the app DB): a repeat
    visit is one version lookup and one cache read. :func:`cockpit_warm` computes the default
    views after an import, before the first visitor asks."""
    con = con or connect()
    # the selected stores' own data date: a store whose data end earlier has its own month so far
    as_of = data_day(con, stores=tuple(stores))
    specs = None
    if with_targets and as_of is not None:
        from shopops.metrics.selectors import target_specs

        specs = target_specs(month=as_of.replace(day=1))
    key = (period, tuple(stores), tuple(kpis), with_targets, specs, as_of, con.name)  # as_of moves with the clock too
    return cached("metrics:cockpit", key,
                  lambda: _cockpit_compute(period=period, stores=tuple(stores), kpis=tuple(kpis), con=con,
                                           as_of=as_of, specs=specs),
                  con=con, tables=COCKPIT_TABLES)


def data_day(con: ibis.BaseBackend | None = None, *, stores: tuple[str, ...] = ()) -> dt.date | None:
    """The last complete business day with data (:func:`last_complete_day` at the store's date now): what the
    month so far, the morning's insights and the 晨报 are about."""
    from django.conf import settings

    from shopops.core.periods import business_today

    return last_complete_day(con, today=business_today(settings.SHOPOPS_TIME_ZONE), stores=stores)


def warm_anchor(con: ibis.BaseBackend, *, today: dt.date | None = None) -> dt.date | None:
    """The day a warm-up job computes the pages' default views for (:func:`reference_today` of the
    store's business today, or ``today``); None when the warehouse holds no facts yet."""
    if last_fact_date(con) is None:
        return None
    if today is None:
        from django.conf import settings

        from shopops.core.periods import business_today

        today = business_today(settings.SHOPOPS_TIME_ZONE)
    return reference_today(con, today=today)


def cockpit_warm(*, today: dt.date | None = None, con: ibis.BaseBackend | None = None,
                 presets: tuple[str, ...] = WARM_PRESETS) -> int:
    """Compute the cockpit the pages open with — every store together and each store alone, for the
    ``presets`` (the page's default first) — at the current data version, so that the first visitor
    after an import reads it from the cache. Returns how many cockpits were computed or found."""
    con = con or connect()
    anchor = warm_anchor(con, today=today)
    if anchor is None:
        return 0
    scopes = [(), *((s.store_id,) for s in store_list(con))]
    done = 0
    for preset in presets:
        period = cockpit_period(preset, today=anchor)
        for stores in scopes:
            cockpit_build(period=period, stores=stores, con=con)
            done += 1
    return done


def _cockpit_compute(*, period: Period, stores: tuple[str, ...], kpis: tuple[str, ...], con: ibis.BaseBackend,
                     as_of: dt.date | None, specs) -> Cockpit:
    with_targets = specs is not None
    platforms = store_platforms(stores, con)
    # the period is exactly an imported platform period export for every platform store: tiles show its
    # exact figures; the daily trend keeps the daily reports (exact per day)
    whole = whole_period_reported(period, stores, con)
    trend_shown = {k: visitor_kpi(k, platforms) for k in kpis}
    shown = {k: visitor_kpi(k, platforms, whole_period=whole) for k in kpis}
    kpis = tuple(dict.fromkeys(shown.values()))
    trend_kpis = tuple(dict.fromkeys(trend_shown.values()))
    # with a tile built on the cost of goods, its coverage: from the base sums the margin needs anyway
    costed = any(cost_dependent(k) for k in kpis)
    current = run_query(KpiQuery((*kpis, "cost_coverage") if costed else kpis, period, stores=stores), con=con)
    base_period, base_kind = comparison_base(period)
    base = run_query(KpiQuery(kpis, base_period, stores=stores), con=con)
    ly_period = period.same_period_last_year()
    first = first_fact_date(con)
    if first is None or ly_period.start < first:
        ly_period = None  # the data do not reach back a year: no 同比 rather than a comparison with zero
    last_year = run_query(KpiQuery(kpis, ly_period, stores=stores), con=con) if ly_period else None
    trend = run_query(KpiQuery(trend_kpis, period, grain=Grain.DAY, stores=stores), con=con)
    same_age = refund_comparisons(kpis=kpis, period=period, base=base_period, as_of=as_of, stores=stores,
                                  con=con) if as_of else {}
    same_age_ly = refund_comparisons(kpis=kpis, period=period, base=ly_period, as_of=as_of, stores=stores,
                                     con=con) if as_of and ly_period else {}
    coverage = current.total("cost_coverage") if costed else None
    # visitors of stores without traffic data are unknown, and ad spend of stores without ad reports unless they
    # run no ads: which of the selected stores have them (both kinds from one query by store)
    kinds = (("traffic",) if any(traffic_dependent(k) for k in kpis) else ()) + (
        ("ads",) if any(ad_dependent(k) for k in kpis) else ()) + (
        ("refunds",) if any(refund_dependent(k) for k in kpis) else ())
    coverages = store_coverages(period, kinds, stores=stores, con=con) if kinds else {}
    traffic = coverages.get("traffic")
    if traffic is not None and traffic.status is None:
        traffic = None
    refunds = coverages.get("refunds")
    if refunds is not None and refunds.status is None:  # every store with orders has refund data
        refunds = None
    ads = coverages.get("ads")
    if ads is not None and not ads.said:  # every store's ads known (a store that runs no ads: ¥0), none contradicted
        ads = None
    tiles = []
    for k in kpis:
        if k in OPTIONAL_TILES and not current.total(k) and not base.total(k):
            continue  # the data hold none of it (e.g. no favourite events): no tile rather than 0 %
        basis, basis_ly = same_age.get((k, TOTAL)), same_age_ly.get((k, TOTAL))
        if refunds is not None and refunds.status == "missing" and refund_dependent(k):
            basis = basis_ly = None  # unknown refunds have no order age to compare at
        ly = basis_ly.base if basis_ly is not None else (last_year.total(k) if last_year else None)
        if is_whole_period_kpi(k):  # a base period without its own period export: no comparison, not 0
            previous = base.total(k) or None
            tiles.append(Tile(CATALOG[k], current.total(k), previous, last_year=ly or None))
        elif basis is None:
            tiles.append(Tile(CATALOG[k], current.total(k), base.total(k), last_year=ly,
                              cost_coverage=coverage if cost_dependent(k) else None,
                              traffic=traffic if traffic_dependent(k) else None,
                              ads=ads if ad_dependent(k) else None,
                              refunds=refunds if refund_dependent(k) else None))
        else:
            tiles.append(Tile(CATALOG[k], current.total(k), basis.base, same_age_known_by=basis.known_by,
                              immature=not basis.mature, last_year=ly,
                              refunds=refunds if refund_dependent(k) else None))
    month_targets: tuple[TargetProgress, ...] = ()
    month = None
    if with_targets and as_of is not None:
        month = as_of.replace(day=1)
        if not stores:  # every store: the stores' own targets add up where no all-stores one is set
            specs = (*specs, *stores_summed(specs, [st.store_id for st in store_list(con)]))
        progress = run_query(TargetQuery(month=month, as_of=as_of, stores=stores, targets=specs), con=con)
        scope = set(stores) if stores else {""}
        month_targets = tuple(r for r in progress.rows if r.target.store_id in scope)
        month_so_far = _month_so_far(month, as_of, stores,
                                     [k for k in MONTH_SO_FAR_KPIS if k in kpis
                                      and not any(r.target.kpi == k for r in month_targets)], con)
    else:
        month_so_far = ()
    return Cockpit(period, base_period, tuple(tiles), trend, stores, as_of, base_kind=base_kind,
                   last_year=ly_period, month_targets=month_targets, month=month, month_so_far=month_so_far,
                   shown=shown, trend_shown=trend_shown, whole_period=whole,
                   data_date=_later(last_fact_date(con) if stores else None, as_of))


def _later(everyone: dt.date | None, own: dt.date | None) -> dt.date | None:
    """The latest data date over every store when it is later than the selected stores' own."""
    return everyone if everyone and own and everyone > own else None


def _month_so_far(month: dt.date, as_of: dt.date, stores: tuple[str, ...], kpis: list[str],
                  con) -> tuple[tuple[Kpi, object, object], ...]:
    """Each KPI from the 1st of the month to ``as_of`` and its run-rate projection (the targets'
    :func:`~shopops.metrics.runners.targets.project`)."""
    whole = month_period(month.year, month.month)
    elapsed = today_in_period(whole, as_of)
    if not kpis or not elapsed:
        return ()
    so_far = run_query(KpiQuery(tuple(kpis), Period(whole.start, whole.start + dt.timedelta(days=elapsed - 1)),
                                stores=stores), con=con)
    return tuple((CATALOG[k], so_far.total(k), project(k, so_far.total(k), elapsed, whole.days)) for k in kpis)
