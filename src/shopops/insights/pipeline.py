"""A daily run: detection over every KPI × store and the top products, then a diagnosis of
each finding (no Django: reads through :mod:`shopops.insights.queries`, decides with the
pure engines). ``run_days([day])`` is the morning job; a list of days backfills (oldest
first, so the cool-down sees earlier alerts).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from shopops.core.periods import Period
from shopops.insights import crosssection, queries
from shopops.insights.calendar import CampaignCalendar
from shopops.insights.campaign_year import campaign_band, campaign_day, peer_residual, window_of
from shopops.insights.crosscheck import CrossSettings, StoreProducts, peer_signals, product_signals, tracking_signal
from shopops.insights.detection import (
    Band, Finding, Series, Settings, Signal, detect_period, expected_band, judge, poisson_interval,
)
from shopops.insights.diagnosis import (
    Contribution, Evidence, ProductFacts, PromoWindow, StoreFacts, _ev, additive, average_day, evidence_for_product,
    evidence_for_promotions, evidence_for_store, factor_contributions, mix_rate, rank, reference_days, topics_of,
)
from shopops.insights.product_facts import product_facts
from shopops.metrics.catalog import CATALOG, Unit
from shopops.metrics.runners import BUCKET
from shopops.metrics.runners.breakdown import OTHERS

CHART_DAYS = 28


@dataclass(frozen=True)
class RunConfig:
    settings: Settings = field(default_factory=Settings)
    calendar: CampaignCalendar = field(default_factory=CampaignCalendar)
    top_products: int = 30  # best sellers by item GMV over the history …
    recent_buyers: int = 15  # … and the products most paid for over its last 28 days …
    matched_products: int = 30  # … and (up to this many) products a competitor item is matched to
    kpis: tuple[str, ...] = ()  # empty: every daily catalog KPI
    stores: tuple[str, ...] = ()  # empty: every store
    promotions: tuple[PromoWindow, ...] = ()  # from the app DB, for the promotion evidence
    cross: CrossSettings = field(default_factory=CrossSettings)  # the checks within the day
    campaign_year: bool = True  # judge campaign days against last year's same campaign (when the warehouse has it)
    platforms: Mapping[str, str] = field(default_factory=dict)  # store -> platform (the campaign's phases); default: the store id
    cross_section: bool = True  # campaign days: conversion against the other stores, a product's share collapsing (crosssection.py)
    # campaign days, two expectations must agree: a store KPI against last year's campaign alerts only when it also
    # fell against the other stores' own last year (campaign_year.peer_residual; with fewer than 2 other stores, last
    # year's alone), and ad clicks or conversion against the other stores only when below last year's band too
    campaign_peers: bool = True


@dataclass
class Diagnosed:
    finding: Finding
    reference_days: list[dt.date]
    factors: list[Contribution]
    by_product: list[Contribution]
    by_source: list[Contribution]
    conversion_by_source: list[Contribution]
    by_customer_type: list[Contribution]
    evidence: list[Evidence]
    titles: dict[str, str]
    chart: dict  # the headline KPI: dates, actual, expected, low, high
    product: dict = field(default_factory=dict)  # a product finding's own factors and last days (product_facts.py)

    @property
    def cause(self) -> Evidence | None:
        return self.evidence[0] if self.evidence else None


@dataclass
class RunResult:
    days: list[dt.date]
    diagnosed: list[Diagnosed]
    timings: dict[str, float]
    series: int  # series judged per day
    skipped: dict[str, list[dt.date]]  # campaign days not judged, per store


# a product's own time series (item GMV, units, visitors) are context only: whether buyers walked away from a
# product is judged by the product check within the day (crosscheck.product_signals), which a campaign does not move
PRODUCT_ALERTING: frozenset[str] = frozenset()


def _series_from(frame: pd.DataFrame, dates: list[dt.date], kpis: Sequence[str], key_cols: Sequence[str],
                 alerting: frozenset[str] | None = None) -> list[Series]:
    """One series per group of ``key_cols`` (in the groups' sorted order) and KPI: the KPI's value on each
    date (NaN without a row; a count or an amount 0 where the row has none), its volume alongside. Built
    column-wise: one (group × date) array per column, then a row of it per series."""
    out: list[Series] = []
    if frame.empty:
        return out
    pos = {d: i for i, d in enumerate(dates)}
    grouped = frame.groupby(list(key_cols))
    group = grouped.ngroup().to_numpy()
    col = np.array([pos.get(d, -1) for d in frame[BUCKET]], dtype=np.int64)
    ok = (group >= 0) & (col >= 0)
    group, col = group[ok], col[ok]
    n, m = grouped.ngroups, len(dates)
    has_row = np.zeros((n, m), dtype=bool)
    has_row[group, col] = True
    grids: dict[str, np.ndarray] = {}

    def grid(name: str) -> np.ndarray:
        if name not in grids:
            g = np.full((n, m), np.nan)
            g[group, col] = frame[name].to_numpy(dtype=float)[ok]
            grids[name] = g
        return grids[name]

    specs = []
    for kid in kpis:
        spec = queries.spec_of(kid)
        if alerting is not None:
            spec = replace(spec, alerting=kid in alerting)
        values = grid(kid)
        if spec.kind is Unit.COUNT or spec.kind is Unit.MONEY:
            # a count or an amount with no row on a day with other data is 0
            values = np.where(np.isnan(values) & has_row, 0.0, values)
        den = grid(spec.volume) if spec.volume and spec.volume in frame else None
        specs.append((spec, values, den))
    for k, keys in enumerate(_group_keys(grouped)):
        keys = keys if isinstance(keys, tuple) else (keys,)
        store = str(keys[0])
        product = str(keys[1]) if len(keys) > 1 else ""
        for spec, values, den in specs:
            out.append(Series(spec, store, product, dates, values[k].copy(), None if den is None else den[k].copy()))
    return out


def _group_keys(grouped) -> list:
    """The keys of a groupby in the order of its ``ngroup`` numbers (sorted)."""
    return list(grouped.size().index)


def _fill_products(frame: pd.DataFrame, products: Mapping[str, list[str]], store_dates: Mapping[str, set]) -> pd.DataFrame:
    """Products sell nothing on some days: their KPIs are 0 there (not missing) when the store has data."""
    wanted = pd.DataFrame([(store, p, d) for store, ps in products.items() for d in store_dates.get(store, ())
                           for p in ps], columns=["store_id", "product_id", BUCKET])
    if wanted.empty:
        return frame
    have = frame[["store_id", "product_id", BUCKET]].drop_duplicates()
    extra = wanted.merge(have, on=["store_id", "product_id", BUCKET], how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
    if extra.empty:
        return frame
    for c in frame.columns:
        if c not in extra:
            extra[c] = 0.0
    return pd.concat([frame, extra[frame.columns]], ignore_index=True)


def _store_products(frame: pd.DataFrame, products: Mapping[str, list[str]], dates: list[dt.date], first: dt.date,
                    last: dt.date, *, con, judged_from: dt.date | None = None,
                    reference_days: int = 28,
                    campaign_days: Mapping[str, frozenset[dt.date]] | None = None) -> dict[str, StoreProducts]:
    """The product detector's arrays per store: buyers, units, item GMV, 差评 from the product frame;
    stock and competitor prices from one grouped query each over the whole period."""
    pos = {d: i for i, d in enumerate(dates)}
    judged_from = judged_from or first
    stock = queries.stock_daily(dict(products), judged_from - dt.timedelta(days=1), last, con=con)
    comp = queries.competitor_daily(dict(products), first - dt.timedelta(days=14), last, con=con)
    placed = queries.placed_prices(dict(products), max(first, judged_from - dt.timedelta(days=reference_days + 2)), last,
                                   con=con)  # the checks' reference window only: the widest of the reads here
    cuts: dict[tuple[str, str], dict[dt.date, float]] = {}
    if len(comp):
        comp = comp.sort_values(["store_id", "competitor_item_id", "date"])
        for (store, pid, _item), g in comp.groupby(["store_id", "product_id", "competitor_item_id"]):
            prices = g.set_index("date")["price"]
            dates_g = list(prices.index)
            vals = prices.to_numpy(dtype=float)
            for k, d in enumerate(dates_g):
                before = vals[[j for j in range(k) if (d - dates_g[j]).days <= 14]]
                if before.size >= 3:
                    cut = 1 - vals[k] / float(np.median(before))
                    key = (str(store), str(pid))
                    cuts.setdefault(key, {})
                    cuts[key][d] = max(cuts[key].get(d, 0.0), cut)
    # the market's cut of the day: the median over every matched item of the store (a campaign cuts them all)
    market_cut: dict[str, dict[dt.date, float]] = {}
    all_cuts: dict[tuple[str, dt.date], list[float]] = {}
    for (store, _p), by_day in cuts.items():
        for d, v in by_day.items():
            all_cuts.setdefault((store, d), []).append(v)
    for (store, d), vs in all_cuts.items():
        market_cut.setdefault(store, {})[d] = float(np.median(vs)) if len(vs) >= 3 else 0.0
    # campaign days: the cut beyond what the market's move predicts for each item (crosssection.py)
    on_campaign = crosssection.campaign_competitor_cuts(comp, dict(campaign_days)) if campaign_days and len(comp) else {}
    out: dict[str, StoreProducts] = {}
    for store, ps in products.items():
        n, m = len(ps), len(dates)
        idx = {p: k for k, p in enumerate(ps)}
        arrays = {k: np.full((n, m), np.nan) for k in ("item_buyers", "visitors", "units_sold", "item_gmv", "bad_reviews",
                                                         "review_count")}
        g = frame[frame.store_id == store] if len(frame) else frame
        if len(g):
            rows = np.array([idx.get(str(p), -1) for p in g.product_id])
            cols = np.array([pos.get(d, -1) for d in g[BUCKET]])
            ok = (rows >= 0) & (cols >= 0)
            for k, arr in arrays.items():
                arr[rows[ok], cols[ok]] = g[k].to_numpy(dtype=float)[ok]
        placed_units, placed_listed = np.full((n, m), np.nan), np.full((n, m), np.nan)
        pg = placed[placed.store_id == store] if len(placed) else placed
        if len(pg):
            rows = np.array([idx.get(str(p), -1) for p in pg.product_id])
            cols = np.array([pos.get(d, -1) for d in pg.date])
            ok = (rows >= 0) & (cols >= 0)
            placed_units[rows[ok], cols[ok]] = pg.units.to_numpy(dtype=float)[ok]
            placed_listed[rows[ok], cols[ok]] = pg.listed.to_numpy(dtype=float)[ok]
        on_hand = np.full((n, m), np.nan)
        sg = stock[stock.store_id == store] if len(stock) else stock
        if len(sg):
            rows = np.array([idx.get(str(p), -1) for p in sg.product_id])
            cols = np.array([pos.get(d, -1) for d in sg.date])
            ok = (rows >= 0) & (cols >= 0)
            on_hand[rows[ok], cols[ok]] = sg.on_hand.to_numpy(dtype=float)[ok]
        cut = np.zeros((n, m))
        market = market_cut.get(store, {})
        for p in ps:
            for d, v in cuts.get((store, p), {}).items():
                if d in pos:
                    cut[idx[p], pos[d]] = max(v - market.get(d, 0.0), 0.0)
            for d, v in on_campaign.get((store, p), {}).items():
                if d in pos:
                    cut[idx[p], pos[d]] = max(cut[idx[p], pos[d]], v)
        out[store] = StoreProducts(store, list(ps), dates, arrays["item_buyers"], arrays["visitors"], arrays["units_sold"],
                                   arrays["item_gmv"], placed_units, placed_listed, arrays["bad_reviews"],
                                   arrays["review_count"], on_hand, cut)
    return out


def _within_day_checks(store_frame: pd.DataFrame, store_products: Mapping[str, StoreProducts], dates: list[dt.date],
                       stores: list[str], *, skip: Mapping[str, frozenset[dt.date]],
                       expected_gmv: Mapping[tuple[str, dt.date], float], settings: Settings, cross: CrossSettings):
    """The checks within the day (:mod:`shopops.insights.crosscheck`) as a callback per day: product
    shares and tracking on every day; stores against their peers on campaign days."""

    def column(kpi: str) -> np.ndarray | None:
        return crosssection.store_day_matrix(store_frame, kpi, stores, dates, date_col=BUCKET)

    # tracked (event) visitors: NaN for a store without an event stream, so only its own site is checked
    tracked = "tracked_visitors" if "tracked_visitors" in store_frame else "visitors"
    visitors, report, clicks = column(tracked), column("visitor_days"), column("clicks")
    prio = {k: CATALOG[k].priority for k in ("item_buyers", "visitors", "clicks")}

    def checks(day: dt.date) -> list[Signal]:
        out: list[Signal] = []
        for store, sp in store_products.items():
            out += product_signals(sp, day, settings=settings, cs=cross, store_gmv=expected_gmv.get((store, day), 0.0),
                                   priority=prio["item_buyers"])
        if visitors is not None and report is not None:
            for k, store in enumerate(stores):
                sig = tracking_signal(store, dates, visitors[k], report[k], day, settings=settings, cs=cross,
                                      priority=prio["visitors"])
                if sig is not None:
                    out.append(sig)
        if clicks is not None:
            on_campaign = [s for s in stores if day in skip.get(s, frozenset())]
            if on_campaign:
                out += [sig for sig in peer_signals("clicks", stores, dates, clicks, day, settings=settings, cs=cross,
                                                    priority=prio["clicks"]) if sig.store_id in on_campaign]
        return out

    return checks


CAMPAIGN_PRE_DAYS = 28  # the ordinary days before a campaign window that give a store's level
# store-level signals of campaign days from the checks against the other stores (crosscheck.peer_signals on ad
# clicks, crosssection.conversion_peer_signals) that must agree with last year's same campaign day when it is known
CONFIRMED_BY_LAST_YEAR = ("clicks", "conversion_rate")


def _campaign_year_checks(store_frame: pd.DataFrame, stores: list[str], days: list[dt.date], kpis: Sequence[str], *,
                          skip: Mapping[str, frozenset[dt.date]], config: RunConfig, con):
    """Campaign days of the store KPIs that alert, against last year's same campaign aligned by phase
    (:mod:`shopops.insights.campaign_year`), as a callback per day; None when no judged day is a campaign
    day with a last year, or the warehouse does not reach back to it."""
    st = config.settings
    cds = {}
    for d in days:
        for s in stores:
            if d in skip.get(s, frozenset()):
                cd = campaign_day(d, config.platforms.get(s, s))
                if cd is not None and cd.aligned is not None:
                    cds[(s, d)] = cd
    if not cds:
        return None
    # the sales KPIs that alert (money, or a KPI that moves GMV): what a campaign's shape carries from year to year
    alerting = tuple(k for k in kpis if queries.spec_of(k).alerting
                     and (queries.spec_of(k).kind is Unit.MONEY or queries.spec_of(k).drives_gmv))
    # banded but not raised here: the KPIs of the checks against the other stores (ad clicks), which must agree
    confirming = tuple(k for k in CONFIRMED_BY_LAST_YEAR if k in kpis and k not in alerting)
    have = set(store_frame[BUCKET]) if len(store_frame) else set()
    first_have = min(have) if have else days[0]
    frames = [store_frame]
    for label, year in sorted({(cd.label, cd.year) for cd in cds.values()}):
        f, _l = window_of(label, year)
        lf, ll = window_of(label, year - 1)
        pre = dt.timedelta(days=CAMPAIGN_PRE_DAYS + 7)
        for p in (Period(lf - pre, ll), Period(f - pre, f - dt.timedelta(days=1))):
            if p.start < first_have:
                frames.append(queries.store_daily(Period(p.start, min(p.end, first_have - dt.timedelta(days=1))),
                                                  alerting + confirming, stores=config.stores, con=con))
    frame = pd.concat([fr for fr in frames if len(fr)], ignore_index=True).drop_duplicates([BUCKET, "store_id"])
    if frame.empty or frame[BUCKET].min() >= min(cd.aligned for cd in cds.values()):
        return None  # no last year in the warehouse
    by: dict[str, dict[str, dict[dt.date, float]]] = {}
    for store, g in frame.groupby("store_id"):
        by[str(store)] = {c: dict(zip(g[BUCKET], g[c].to_numpy(dtype=float))) for c in g.columns
                          if c not in (BUCKET, "store_id")}
    calendar = config.calendar

    def value(store: str, kpi: str, d: dt.date) -> float:
        v = by.get(store, {}).get(kpi, {}).get(d)
        return float("nan") if v is None else float(v)

    def pre(store: str, kpi: str, first: dt.date) -> list[float]:
        out = []
        for k in range(1, CAMPAIGN_PRE_DAYS + 1):
            d = first - dt.timedelta(days=k)
            if not calendar.name(d, store):
                out.append(value(store, kpi, d))
        return out

    aligned_cache: dict[tuple[str, dt.date], dt.date | None] = {}

    def aligned(store: str, d: dt.date) -> dt.date | None:
        if (store, d) not in aligned_cache:
            cd = campaign_day(d, config.platforms.get(store, store))
            aligned_cache[(store, d)] = cd.aligned if cd is not None else None
        return aligned_cache[(store, d)]

    def same_part(store: str, d: dt.date, a: dt.date) -> bool:
        # a store's own campaign day (会员日 on the 18th) falls on another campaign day each year of a 年货节 (tied
        # to 春节): a day and its aligned day play the same part only when both are one, or neither
        return calendar.store_day(d, store) == calendar.store_day(a, store)

    def log_ratio(x: float, y: float, scale: float) -> float:
        return math.log(x / (y * scale)) if x > 0 and y > 0 and scale > 0 else float("nan")

    day_bands: dict[dt.date, tuple[dict, dict]] = {}

    def bands_of(day: dt.date) -> tuple[dict, dict]:
        if day not in day_bands:
            day_bands.clear()  # the run goes day by day: one day's bands at a time
            day_bands[day] = _bands(day)
        return day_bands[day]

    def _bands(day: dt.date) -> tuple[dict[tuple[str, str], Band], dict[tuple[str, str], tuple[dict, float]]]:
        """Last year's band of every (store, KPI) of ``day``, and the store's log ratios to last year so far."""
        bands: dict[tuple[str, str], Band] = {}
        ratios: dict[tuple[str, str], tuple[dict[dt.date, float], float]] = {}
        for (store, d), cd in cds.items():
            if d != day or not same_part(store, day, cd.aligned):
                continue
            for kpi in alerting + confirming:
                spec = queries.spec_of(kpi)
                value_ly = value(store, kpi, cd.aligned)
                earlier = [cd.first + dt.timedelta(days=k) for k in range((day - cd.first).days)]
                pairs = [(e, value(store, kpi, e), value(store, kpi, a)) for e in earlier
                         if (a := aligned(store, e)) is not None and same_part(store, e, a)]
                vol = spec.volume
                b = campaign_band(actual_ty=[p[1] for p in pairs], expected_ly=[p[2] for p in pairs], value_ly=value_ly,
                                  volume_ly=value(store, vol, cd.aligned) if vol else None,
                                  volume_ty=value(store, vol, day) if vol else None,
                                  pre_ty=pre(store, kpi, cd.first), pre_ly=pre(store, kpi, window_of(cd.label, cd.year - 1)[0]),
                                  aligned=cd.aligned, z=st.z, kind=spec.kind.value, is_ratio=spec.is_ratio)
                if b is not None:
                    bands[(store, kpi)] = Band(b.expected, b.low, b.high, b.spread, b.history)
                    r = {e: log_ratio(x, y, b.scale) for e, x, y in pairs}
                    r[day] = log_ratio(value(store, kpi, day), value_ly, b.scale)
                    ratios[(store, kpi)] = (r, b.noise)
        return bands, ratios

    def agrees(sig: Signal) -> bool:
        """A store-level signal of another check on a campaign day (ad clicks or conversion against the other
        stores) agrees with last year's same campaign day: beyond its band the same way (True when there is no
        band to ask: a campaign without last year, a day whose aligned day played another part)."""
        band = bands_of(sig.day)[0].get((sig.store_id, sig.kpi))
        if band is None or sig.product_id:
            return True
        actual = value(sig.store_id, sig.kpi, sig.day)
        if not actual == actual or not band.expected:
            return True
        rel = actual / band.expected - 1
        return (actual < band.low if sig.relative < 0 else actual > band.high) and rel * sig.relative > 0 \
            and abs(rel) >= st.min_relative

    def checks(day: dt.date) -> list[Signal]:
        bands, ratios = bands_of(day)
        bands = {k: b for k, b in bands.items() if k[1] in alerting}
        out: list[Signal] = []
        for (store, kpi), band in bands.items():
            actual = value(store, kpi, day)
            gmv = bands.get((store, "gmv"))
            sig = judge(queries.spec_of(kpi), actual=actual, band=band, store_id=store, day=day,
                        driver_gmv=gmv.expected if gmv else 0.0, store_gmv=gmv.expected if gmv else 0.0, settings=st)
            if sig is None:
                continue
            # the other stores moved the same way against their last year (a weaker campaign everywhere)
            others = [value(o, kpi, day) / b.expected - 1 for (o, k), b in bands.items()
                      if k == kpi and o != store and b.expected and value(o, kpi, day) == value(o, kpi, day)]
            if len(others) >= 2 and float(np.median(others)) * sig.relative > 0 \
                    and abs(float(np.median(others))) >= 0.5 * abs(sig.relative):
                continue
            # two expectations must agree: last year's alone, and against the other stores' own last year the same
            # days (what moved every store alike that day cancels; see campaign_year.peer_residual)
            own, noise = ratios[(store, kpi)]
            peer = peer_residual(own, [r for (o, k), (r, _n) in ratios.items() if k == kpi and o != store], day,
                                 z=st.z, noise=noise)
            if peer is not None and config.campaign_peers:
                u, spread, _n = peer
                if u * sig.relative <= 0 or abs(u) < st.z * spread or abs(math.expm1(u)) < st.min_relative:
                    continue
            out.append(sig)
        return out

    checks.agrees = agrees  # the other store-level campaign-day checks ask it (run_days)
    return checks


def run_days(days: Sequence[dt.date], *, config: RunConfig | None = None, con=None,
             last_alerted: dict | None = None, last_z: dict | None = None) -> RunResult:
    config = config or RunConfig()
    st = config.settings
    days = sorted(set(days))
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    first = days[0] - dt.timedelta(days=st.lookback_days)
    period = Period(first, days[-1])
    dates = period.dates()
    kpis = config.kpis or queries.detection_kpis()
    if "gmv" not in kpis:
        kpis = ("gmv", *kpis)
    store_frame = queries.store_daily(period, kpis, stores=config.stores, con=con)
    timings["kpi_queries"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    history = Period(first, days[0] - dt.timedelta(days=1))
    products = queries.top_products(history, config.top_products, stores=config.stores, con=con) if config.top_products else {}
    if products and (config.recent_buyers or config.matched_products):
        extra = queries.watched_products(history, by_buyers=config.recent_buyers, matched=config.matched_products,
                                         stores=config.stores, con=con)
        for store, ps in extra.items():
            if store in products:
                products[store] = list(dict.fromkeys([*products[store], *ps]))
    product_frame = queries.product_daily(period, products, con=con) if products else pd.DataFrame()
    store_dates = {s: set(g[BUCKET]) for s, g in store_frame.groupby("store_id")} if len(store_frame) else {}
    if len(product_frame):
        product_frame = _fill_products(product_frame, products, store_dates)
    timings["product_queries"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    stores = sorted(store_dates)
    skip = config.calendar.days(stores, first, days[-1])
    series = _series_from(store_frame, dates, kpis, ["store_id"])
    series += _series_from(product_frame, dates, queries.PRODUCT_SERIES_KPIS, ["store_id", "product_id"],
                           PRODUCT_ALERTING)
    gmv_series = {s.store_id: s for s in series if s.spec.kpi == "gmv" and not s.product_id}
    expected_gmv = {}
    for store, s in gmv_series.items():
        for d in days:
            band = expected_band(s.dates, s.values, d, kind=s.spec.kind, settings=st, skip=skip.get(store, frozenset()),
                                 volumes=s.volumes)
            if band is not None:
                expected_gmv[(store, d)] = band.expected
    t_ev = time.perf_counter()
    store_products = _store_products(product_frame, products, dates, first, days[-1], con=con, judged_from=days[0],
                                     reference_days=config.cross.reference_days,
                                     campaign_days=skip if config.cross_section else None) if products else {}
    timings["product_queries"] += time.perf_counter() - t_ev
    within = _within_day_checks(store_frame, store_products, dates, stores, skip=skip, expected_gmv=expected_gmv,
                                settings=st, cross=config.cross)
    last_year = _campaign_year_checks(store_frame, stores, days, kpis, skip=skip, config=config, con=con) \
        if config.campaign_year else None
    if last_year is not None:
        within_day = within

        def within(day: dt.date) -> list[Signal]:  # the ad clicks against the other stores agree with last year
            return [s for s in within_day(day) if not config.campaign_peers or s.product_id
                    or s.kpi not in CONFIRMED_BY_LAST_YEAR or day not in skip.get(s.store_id, frozenset())
                    or last_year.agrees(s)] + last_year(day)
    sections = crosssection.campaign_checks(store_frame, store_products, dates, stores, skip=skip, settings=st,
                                            date_col=BUCKET, cross=config.cross, expected_gmv=expected_gmv) \
        if config.cross_section else None
    if sections is not None:
        within_sections = within

        def within(day: dt.date) -> list[Signal]:  # a product the product check already raised is raised once
            first = within_sections(day)
            seen = {(s.store_id, s.kpi, s.product_id) for s in first}
            return first + [s for s in sections(day) if (s.store_id, s.kpi, s.product_id) not in seen
                            and (last_year is None or not config.campaign_peers or s.product_id
                                 or s.kpi not in CONFIRMED_BY_LAST_YEAR
                                 or last_year.agrees(s))]
    findings = detect_period(series, days, settings=st, skip=skip, expected_gmv=expected_gmv,
                             last_alerted=last_alerted, last_z=last_z, extra=within)
    timings["detection"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    diagnosed = []
    cache: dict = {}
    by_key = {(s.store_id, s.spec.kpi, s.product_id): s for s in series}
    for f in findings:
        diagnosed.append(_diagnose(f, store_frame=store_frame, period=period, skip=skip.get(f.store_id, frozenset()),
                                   series=by_key, settings=st, cache=cache, con=con, promotions=config.promotions,
                                   store_products=store_products))
    timings["diagnosis"] = time.perf_counter() - t3
    timings["total"] = time.perf_counter() - t0
    skipped = {s: sorted(d for d in ds if d in set(days)) for s, ds in skip.items()}
    return RunResult(days=list(days), diagnosed=diagnosed, timings=timings, series=len(series), skipped=skipped)


def _store_breakdowns(store: str, period: Period, cache: dict, con) -> dict[str, pd.DataFrame]:
    if store not in cache:
        cache[store] = {
            "source": queries.breakdown_daily(period, ("gmv", "visitors", "paying_buyers"), "traffic_source", store, con=con),
            "product": queries.breakdown_daily(period, ("item_gmv", "units_sold", "bad_reviews"), "product_id", store, con=con),
            "customer_type": queries.breakdown_daily(period, ("gmv", "paying_buyers"), "customer_type", store, con=con),
        }
    return cache[store]


def _chart(s: Series | None, day: dt.date, settings: Settings, skip: frozenset) -> dict:
    if s is None:
        return {}
    out = {"kpi": s.spec.kpi, "unit": s.spec.kind.value, "dates": [], "actual": [], "expected": [], "low": [], "high": []}
    for k in range(CHART_DAYS - 1, -1, -1):
        d = day - dt.timedelta(days=k)
        if d not in s.dates:
            continue
        i = s.dates.index(d)
        band = None if d in skip else expected_band(s.dates, s.values, d, kind=s.spec.kind, settings=settings, skip=skip,
                                                   volumes=s.volumes, is_ratio=s.spec.is_ratio)
        v = s.values[i]
        out["dates"].append(d.isoformat())
        out["actual"].append(None if math.isnan(v) else round(float(v), 6))
        out["expected"].append(None if band is None else round(band.expected, 6))
        out["low"].append(None if band is None else round(max(band.low, 0.0), 6))
        out["high"].append(None if band is None else round(band.high, 6))
    return out


def _product_chart(sp, head) -> dict:
    """The chart of a product signal the checks within the day raised (no judged series behind it):
    the product's paying buyers per day — or, for a signal over the last ``window`` days, the sum of each
    ``window`` days ending that day (``window`` in the chart), so the last point is the signal's own figure —
    and the signal's expected value and range on its day."""
    if sp is None or head.product_id not in sp.products or head.kpi != "item_buyers":
        return {}
    p = sp.products.index(head.product_id)
    w = max(int(head.window), 1)
    out = {"kpi": head.kpi, "unit": "count", "window": w, "dates": [], "actual": [], "expected": [], "low": [], "high": []}
    for i, d in enumerate(sp.dates):
        if (head.day - d).days >= CHART_DAYS or d > head.day or i + 1 < w:
            continue
        v = float(np.sum(sp.buyers[p, i + 1 - w:i + 1]))  # NaN when a day of the window is missing
        on_day = d == head.day
        out["dates"].append(d.isoformat())
        out["actual"].append(None if math.isnan(v) else round(v, 6))
        out["expected"].append(round(head.expected, 6) if on_day else None)
        out["low"].append(round(max(head.low, 0.0), 6) if on_day else None)
        out["high"].append(round(head.high, 6) if on_day else None)
    return out


def _diagnose(f: Finding, *, store_frame: pd.DataFrame, period: Period, skip: frozenset, series: dict,
              settings: Settings, cache: dict, con, promotions: Sequence[PromoWindow] = (),
              store_products: dict | None = None) -> Diagnosed:
    store, day = f.store_id, f.day
    sf = store_frame[store_frame.store_id == store]
    refs = reference_days(day, skip=skip, available=list(sf[BUCKET]))
    totals = ["gmv", "visitors", "paying_buyers", "ad_spend", "visitor_days", "tracked_visitors"]
    totals = [c for c in totals if c in sf]
    ref = average_day(sf, refs, date_col=BUCKET, keys=(), values=totals).iloc[0].to_dict()
    today = average_day(sf, [day], date_col=BUCKET, keys=(), values=totals).iloc[0].to_dict()
    factors = factor_contributions(ref, today) if {"gmv", "visitors", "paying_buyers"} <= set(totals) else []

    b = _store_breakdowns(store, period, cache, con)
    src, prod, ctype = b["source"], b["product"], b["customer_type"]

    def pair(frame, key, values):
        return (average_day(frame, refs, date_col=BUCKET, keys=(key,), values=values),
                average_day(frame, [day], date_col=BUCKET, keys=(key,), values=values))

    s_ref, s_day = pair(src, "traffic_source", ["gmv", "visitors", "paying_buyers"])
    by_source = additive(s_ref, s_day, key="traffic_source", value="gmv")
    visitors_by_source = additive(s_ref, s_day, key="traffic_source", value="visitors")
    conv_by_source = mix_rate(s_ref, s_day, key="traffic_source", base="visitors", part="paying_buyers")
    p_ref, p_day = pair(prod, "product_id", ["item_gmv", "units_sold"])
    by_product = additive(p_ref, p_day, key="product_id", value="item_gmv", top=10)
    c_ref, c_day = pair(ctype, "customer_type", ["gmv"])
    by_ctype = additive(c_ref, c_day, key="customer_type", value="gmv")

    # top contributors: products that signalled, then the biggest falls
    signalled = [s.product_id for s in f.signals if s.product_id]
    falls = [c.name for c in by_product if c.value < 0 and c.name != OTHERS]
    top = list(dict.fromkeys([*signalled, *falls[:3]]))[:5]
    net_drop = float(ref.get("gmv", 0.0)) - float(today.get("gmv", 0.0))
    evidence: list[Evidence] = []
    relevance_of: dict[str, float] = {}
    # titles of every product the finding names (top contributors and the by-product rows), in one read
    named = list(dict.fromkeys([*top, *(c.name for c in by_product if c.name != OTHERS)]))
    titles = queries.product_titles(store, named, con=con) if named else {}
    if top:
        rv_first = day - dt.timedelta(days=3)
        texts = queries.bad_review_texts(store, top, rv_first, day, con=con)
        comp = queries.competitor_prices(store, top, day - dt.timedelta(days=14), day, con=con)
        stock = queries.stock_by_product(store, top, day - dt.timedelta(days=7), day, con=con)
        bad_daily = prod[prod.product_id.isin(top)][[BUCKET, "product_id", "bad_reviews"]]
        pr = p_ref.set_index("product_id")
        pd_ = p_day.set_index("product_id")
        for pid in top:
            drop = (pr["item_gmv"].get(pid, 0.0) - pd_["item_gmv"].get(pid, 0.0))
            relevance = 1.0 if pid in signalled else (0.8 * min(1.0, drop / net_drop) if net_drop > 0 and drop > 0 else 0.0)
            relevance_of[pid] = relevance
            units_ref, units_day = float(pr["units_sold"].get(pid, 0.0)), float(pd_["units_sold"].get(pid, 0.0))
            price_ref = float(pr["item_gmv"].get(pid, 0.0)) / units_ref if units_ref else None
            price_day = float(pd_["item_gmv"].get(pid, 0.0)) / units_day if units_day else None
            bd = bad_daily[bad_daily.product_id == pid]
            recent = int(bd[(bd[BUCKET] >= rv_first) & (bd[BUCKET] <= day)]["bad_reviews"].sum())
            base_window = bd[(bd[BUCKET] < rv_first) & (bd[BUCKET] >= rv_first - dt.timedelta(days=28))]
            base = float(base_window["bad_reviews"].sum()) / 7.0  # per 4 days
            ptexts = [str(t) for t in texts[texts.product_id == pid]["content"]] if len(texts) else []
            items = []
            if len(comp):
                for item_id, g in comp[comp.product_id == pid].groupby("competitor_item_id"):
                    g = g.sort_values("date")
                    today_rows = g[g.date == day]
                    before = g[g.date < day]
                    if today_rows.empty or before.empty:
                        continue
                    row = today_rows.iloc[-1]
                    items.append({"competitor": row.competitor, "title": row.title, "promo_text": row.promo_text,
                                  "price_day": float(row.price), "price_ref": float(before.price.astype(float).median())})
            on_hand = on_date = None
            if len(stock):
                ps = stock[stock.product_id == pid].sort_values("date")
                if len(ps):
                    last = ps.iloc[-1]
                    on_hand, on_date = float(last.on_hand), last.date
                    if hasattr(on_date, "date") and not isinstance(on_date, dt.date):
                        on_date = on_date.date()
            facts = ProductFacts(pid, titles.get(pid, ""), relevance, units_ref, units_day, price_ref, price_day,
                                 recent, base, ptexts, items, on_hand, on_date)
            evidence += evidence_for_product(facts)
    visitors_signalled = any(s.kpi == "visitors" and not s.product_id for s in f.signals)
    ads_drop = next((-c.value for c in visitors_by_source if c.name == "ads" and c.value < 0), 0.0)
    total_drop = -sum(c.value for c in visitors_by_source if c.value < 0)
    tracked = "tracked_visitors" if "tracked_visitors" in totals else "visitors"  # events only (own site)
    has_events = tracked in sf and bool(sf[tracked].notna().any())  # a platform store has none: no tracking gap
    ratio = lambda v: (float(v[tracked]) / float(v["visitor_days"])  # noqa: E731
                       if has_events and v.get("visitor_days") else None)
    store_facts = StoreFacts(
        ad_spend_ref=float(ref.get("ad_spend", 0.0)), ad_spend_day=float(today.get("ad_spend", 0.0)),
        ads_share_of_drop=ads_drop / total_drop if total_drop else 0.0,
        tracking_ratio_ref=ratio(ref), tracking_ratio_day=ratio(today), visitors_signalled=visitors_signalled,
        source_drops=visitors_by_source, visitors_ref=float(ref.get("visitors", 0.0)),
    )
    evidence += evidence_for_store(store_facts)
    # what the checks within the day saw on a signalled product (relative to the store's other products, or to the
    # market): the same facts the detection used, so the named cause is the reason the finding was raised
    for sig in f.signals:
        for kind, strength, facts in sig.evidence:
            if kind == "bad_reviews" and not facts.get("topics"):  # the week the check counted, in the buyers' words
                since = day - dt.timedelta(days=facts.get("days", 7) - 1)
                week = queries.bad_review_texts(store, [sig.product_id], since, day, con=con)
                facts = {**facts, "topics": topics_of([str(t) for t in week["content"]] if len(week) else [])}
            e = _ev(kind, strength, 1.0, product_id=sig.product_id, subject=titles.get(sig.product_id, sig.product_id),
                    facts=facts)
            if e is not None:
                evidence.append(e)
    best: dict[tuple[str, str], Evidence] = {}
    for e in evidence:
        k = (e.kind, e.product_id or e.subject)
        if k not in best or e.score > best[k].score:
            best[k] = e
    evidence = list(best.values())
    evidence += evidence_for_promotions(promotions, store_id=store, day=day, product_relevance=relevance_of)
    head = f.headline
    chart = _chart(series.get((store, head.kpi, head.product_id)), day, settings, skip) \
        or _product_chart((store_products or {}).get(store), head)
    product = product_facts((store_products or {}).get(store), head.product_id, day, refs, head.window) \
        if head.product_id else {}
    return Diagnosed(finding=f, reference_days=refs, factors=factors, by_product=by_product, by_source=by_source,
                     conversion_by_source=conv_by_source, by_customer_type=by_ctype, evidence=rank(evidence),
                     titles=titles, chart=chart, product=product)


BRIEF_KPIS = ("gmv", "visitors", "conversion_rate", "aov", "paid_orders", "net_sales", "ad_spend", "roas")


# the 晨报's range: where 8 of 10 ordinary days fall (the alert band, z = 3.5, is what below/above judge).
# Nominally z = 1.28; the robust spread runs ~1.3x narrow on real days (measured on the dev seeds of
# bench/eval_brief_ranges.py: 64–71 % of normal days inside at 1.28), so the range uses 1.7.
USUAL_Z = 1.7
# … and 1.5 for a band that holds its expectation's own error (Settings.expected_error, Band.est > 0): that error
# is most of what the plain spread missed (dev seeds 2778 8903 9266 1992 1370 3982, bench/eval_brief_ranges.py: at
# 1.7 82-94 % of normal days inside, at 1.5 77-90 %, the plain band at 1.7 77-89 %)
USUAL_Z_EST = 1.5


def usual_range(band, z: float | None = None, *, positive: bool = False) -> tuple[float, float]:
    """The central range of a band's distribution at normal score ``z`` (Poisson tails for a Poisson band).
    ``positive``: an amount or count that is never below 0 (GMV, orders): the range is multiplicative —
    expected × e^(±z·spread/expected) — so a wide spread (a small store's few orders) gives a range from a
    fraction of the level, never one from 0 that says nothing; for a narrow spread it is expected ± z × spread.
    ``z`` defaults to ``USUAL_Z``, ``USUAL_Z_EST`` for a band that holds its expectation's error."""
    if z is None:
        z = USUAL_Z_EST if getattr(band, "est", 0.0) > 0 else USUAL_Z
    if band.poisson:  # the day's Poisson noise, widened by the expectation's own error (Band.inflate)
        return poisson_interval(band.expected, z * band.inflate)
    if positive and band.expected > 0:
        cv = band.spread / band.expected
        return band.expected * math.exp(-z * cv), band.expected * math.exp(z * cv)
    return band.expected - z * band.spread, band.expected + z * band.spread


def positive_kpi(spec) -> bool:
    """An amount or a count (not a ratio): its usual range is multiplicative (``usual_range``)."""
    return not spec.is_ratio and spec.kind in (Unit.MONEY, Unit.COUNT)


@dataclass(frozen=True)
class BriefRow:
    kpi: str
    store_id: str  # "" for all stores together
    actual: float | None
    expected: float | None
    low: float | None  # the alert band (what a finding is judged on)
    high: float | None
    campaign: str  # the campaign of the day when it is one (no expectation then)
    usual_low: float | None = None  # the usual range (8 of 10 ordinary days): what the brief shows
    usual_high: float | None = None

    @property
    def state(self) -> str:
        """below / above the alert band, within it, or "" when there is no expectation."""
        if self.actual is None or self.low is None or self.high is None:
            return ""
        return "below" if self.actual < self.low else "above" if self.actual > self.high else "within"


def brief_rows(day: dt.date, *, config: RunConfig | None = None, con=None) -> list[BriefRow]:
    """The 晨报's numbers: the day's headline KPIs for all stores and per store, with the expected range."""
    config = config or RunConfig()
    st = config.settings
    period = Period(day - dt.timedelta(days=st.lookback_days), day)
    dates = period.dates()
    out: list[BriefRow] = []
    per_store = queries.store_daily(period, BRIEF_KPIS, con=con)
    if per_store.empty:
        return out
    total = queries.total_daily(period, BRIEF_KPIS, con=con).assign(store_id="__all__")
    frames = [total, per_store]
    calendar = config.calendar
    for frame in frames:
        for store, g in frame.groupby("store_id"):
            for s in _series_from(g, dates, BRIEF_KPIS, ["store_id"]):
                sid = "" if s.store_id == "__all__" else s.store_id
                campaign = calendar.name(day, sid)
                skip = calendar.days([sid], period.start, day)[sid]
                i = s.dates.index(day) if day in s.dates else None
                actual = None if i is None or math.isnan(s.values[i]) else float(s.values[i])
                band = None if campaign else expected_band(s.dates, s.values, day, kind=s.spec.kind, settings=st, skip=skip,
                                                           volumes=s.volumes, is_ratio=s.spec.is_ratio)
                usual = usual_range(band, positive=positive_kpi(s.spec)) if band else (None, None)
                out.append(BriefRow(s.spec.kpi, sid, actual, band.expected if band else None,
                                    band.low if band else None, band.high if band else None, campaign,
                                    usual[0], usual[1]))
    order = {k: i for i, k in enumerate(BRIEF_KPIS)}
    out.sort(key=lambda r: (r.store_id != "", r.store_id, order[r.kpi]))
    return out
