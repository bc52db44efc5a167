"""KPIs over a period, by time bucket (trend) and by dimensions: the workhorse runner.

``KpiQuery`` asks for KPIs over a period, optionally by time bucket (day/week/month)
and by dimensions, filtered to some stores and dimension values. The runner groups the
needed base KPIs by source, builds one aggregate per source for the plain measures and
one de-duplicating aggregate per entity count (``to_expr``), runs them, joins the
pieces on the group keys and derives ratios and combinations from their parts.

    run(KpiQuery(("gmv", "conversion_rate"), Period.parse("2025-11"), grain=Grain.DAY))
    query(["gmv", "aov"], "2025-11", by=["store"])            # a DataFrame
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from shopops.core.money import money_ratio
from shopops.core.periods import Grain, Period
from shopops.metrics.catalog import (
    AD_PRESENCE, CATALOG, TRAFFIC_PRESENCE, Unit, ad_dependent, ad_unknown, cost_dependent, cost_unknown, kpi,
    kpi_dimensions, measures_needed, refund_dependent, refund_unknown, sku_dependent, sku_unknown, traffic_unknown,
)
from shopops.metrics import rollups
from shopops.metrics.cache import cached
from shopops.metrics.dimensions import StoreInfo, dimension_id, no_ad_stores, store_list
from shopops.metrics.runners.base import Response, Runner, compiled_sql, register, run_query
from shopops.metrics.runners.base import records as records_of
from shopops.metrics.sources import BUCKET, TABLES_READ, Filter, bucket_of, source_rows
from shopops.warehouse.backends.compiled import execute_compiled
from shopops.warehouse.connection import connect
from shopops.warehouse.schema import TABLES


@dataclass(frozen=True, slots=True)
class KpiQuery:
    kpis: tuple[str, ...]
    period: Period
    grain: Grain | None = None  # None: one row for the whole period
    by: tuple[str, ...] = ()  # dimensions, e.g. ("store_id",); aliases such as "store" accepted
    stores: tuple[str, ...] = ()  # empty: every store
    filters: tuple[Filter, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "kpis", tuple(self.kpis))
        object.__setattr__(self, "by", tuple(dimension_id(d) for d in self.by))
        object.__setattr__(self, "stores", tuple(self.stores))
        object.__setattr__(self, "filters", tuple(
            Filter(dimension_id(f.dimension), tuple(f.values), f.exclude) for f in self.filters))
        if self.grain is not None:
            object.__setattr__(self, "grain", Grain(self.grain))
        for kid in self.kpis:
            kpi(kid)  # raises on an unknown id
        wanted = [*self.by, *(f.dimension for f in self.filters)]
        for kid in self.kpis:
            supported = kpi_dimensions(kid)
            for dim in wanted:
                if dim not in supported:
                    raise ValueError(f"KPI {kid!r} cannot be broken down by {dim!r}; it supports {supported}")

    @property
    def keys(self) -> list[str]:
        return ([BUCKET] if self.grain else []) + list(self.by)


@dataclass(slots=True)
class KpiResult(Response):
    query: KpiQuery
    rows: list[dict]  # one dict per group: the keys, then one entry per KPI

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.query.keys + list(self.query.kpis))

    def total(self, kpi_id: str):
        if self.query.grain or self.query.by:
            raise ValueError("total() is for ungrouped queries")
        return self.rows[0][kpi_id] if self.rows else None


@register
class KpiRunner(Runner[KpiQuery, KpiResult]):
    kind = "kpis"
    query_type = KpiQuery
    tables = TABLES_READ

    def pieces(self) -> dict[str, ir.Table]:
        """One aggregate per source for its plain measures (``source:<id>``), one per entity count (its KPI id);
        the base KPIs a daily rollup answers exactly come from it instead (``rollup:<id>``)."""
        q = self.query
        by_source: dict[str, list[str]] = {}
        for kid in measures_needed(q.kpis):
            by_source.setdefault(CATALOG[kid].source, []).append(kid)
        exprs: dict[str, ir.Table] = {}
        if rollups.enabled(self.con):  # the daily rollups answer these exactly (shopops.metrics.rollups)
            for rollup, from_rollup in rollups.plan(measures_needed(q.kpis), grain=q.grain, by=q.by,
                                                    filters=q.filters).items():
                exprs[f"rollup:{rollup}"] = rollups.rollup_piece(
                    self.con, from_rollup, period=q.period, grain=q.grain, stores=q.stores, by=q.by, filters=q.filters)
                for kid in from_rollup:
                    by_source[CATALOG[kid].source].remove(kid)
        for source_id, kids in by_source.items():
            if not kids:
                continue
            needs = tuple(d for kid in kids for d in CATALOG[kid].needs)
            t = source_rows(self.con, source_id, period=q.period, grain=q.grain, stores=q.stores,
                            dims=tuple(dict.fromkeys([*q.by, *needs])), filters=q.filters)
            plain = {kid: CATALOG[kid].measure(t) for kid in kids if CATALOG[kid].measure is not None}
            if plain:
                exprs[f"source:{source_id}"] = _aggregate(t, _keys(t, q), plain)
            for kid in kids:
                if CATALOG[kid].is_entity_count:
                    exprs[kid] = entity_count(t, kid, _key_names(q))
        return exprs

    def to_expr(self) -> dict[str, ir.Table]:
        """``{"kpis": …}``: the pieces joined into one query: a cross join of one-row aggregates,
        or full outer joins on the group keys (so the engine runs one plan, one round trip)."""
        keys = self.query.keys
        pieces = list(self.pieces().values())
        out = pieces[0]
        for piece in pieces[1:]:
            if not keys:
                out = out.cross_join(piece)
                continue
            joined = out.outer_join(piece, keys, rname="{name}__r")
            fixed = {k: ibis.coalesce(joined[k], joined[f"{k}__r"]) for k in keys}
            out = joined.mutate(**fixed).drop(*[f"{k}__r" for k in keys])
        return {"kpis": out}

    def _calculate(self) -> KpiResult:
        sql: dict[str, str] = {}
        records = self.records(sql)["kpis"]  # rows straight from the engine: no pandas frame
        with self.timings.step("derive"):
            rows = kpi_rows_of_records(self.query, records, con=self.con)
        return KpiResult(self.query, rows, sql=sql)


def base_frame(q: KpiQuery, *, con: ibis.BaseBackend | None = None) -> pd.DataFrame:
    """A grouped query of base KPIs as a frame of floats, built column by column: the rows of
    ``run_query(q).to_frame()`` (sorted the same way) with every KPI as ``float`` — 0 where a group has
    no row of the KPI's source, money its exact cents — without the dict and the ``Decimal`` per cell
    of a ``KpiResult`` (insights reads ~1,500 products × 57 days this way: the per-cell shaping cost
    more than the query). Base KPIs only (a ratio or a combination derives per row: ``run_query``),
    and a query by some dimension (a trend without one fills every bucket: ``run_query``). Not cached:
    a result this large is above ``CACHE_MAX_ROWS`` anyway."""
    if not q.by or any(not CATALOG[k].is_base for k in q.kpis):
        raise ValueError("base_frame: base KPIs of a query by a dimension only")
    runner = KpiRunner(q, con=con or connect(), cache=None)
    frame = runner.frames({})["kpis"]
    out = pd.DataFrame(index=range(len(frame)))
    for k in q.keys:
        col = frame[k]
        if k == BUCKET:
            out[k] = (pd.to_datetime(col).dt.date.to_numpy() if pd.api.types.is_datetime64_any_dtype(col)
                      else [_as_date(v) for v in col])
        else:
            out[k] = col.to_numpy(dtype=object)
    for kid in q.kpis:
        out[kid] = _float_column(frame[kid], kid)
    # the order of _rows (keys compared as text: an ISO date, a store or product id)
    return out.sort_values(q.keys, kind="mergesort").reset_index(drop=True) if len(out) else out


def _float_column(col: pd.Series, kid: str) -> np.ndarray:
    """``float(_clean(value, kid))`` of every value of a result column; column-wise for numbers."""
    if col.dtype == object or CATALOG[kid].unit is Unit.MONEY:  # Decimals; whole numbers with nulls
        return np.array([float(_clean(v, kid)) for v in col], dtype="float64")
    values = col.to_numpy(dtype="float64", na_value=np.nan)
    if CATALOG[kid].unit is not Unit.RATIO:
        values = np.trunc(values)  # _clean's int() of a count
    return np.where(np.isnan(values), 0.0, values)


def kpi_rows(q: KpiQuery, frame: pd.DataFrame | None, *, con: ibis.BaseBackend | None = None) -> list[dict]:
    """The rows of a ``KpiResult`` from the frame of ``KpiRunner.to_expr()["kpis"]`` (composite
    runners run that expression under their own names and shape it here)."""
    return kpi_rows_of_records(q, [] if frame is None else records_of(frame), con=con)


def kpi_rows_of_records(q: KpiQuery, records: list[dict], *, con: ibis.BaseBackend | None = None) -> list[dict]:
    """``kpi_rows`` from the result's rows (``Runner.records``); a bucket may come as a date, a
    datetime / ``Timestamp`` or an ISO string (engines differ) and leaves as a ``datetime.date``.
    ``con``: the warehouse the rows came from (its stores declared to run no ads: :func:`no_ads_groups`)."""
    if q.grain:
        for rec in records:
            rec[BUCKET] = _as_date(rec[BUCKET])
    return _rows(q, records, q.keys, no_ads_groups(q, con))


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _key_names(q: KpiQuery) -> list[str]:
    return q.keys


def _keys(t: ir.Table, q: KpiQuery) -> list[ir.Value]:
    out: list[ir.Value] = [t[BUCKET]] if q.grain else []
    return out + [t[d].fill_null("").name(d) for d in q.by]


def _aggregate(t: ir.Table, keys: list[ir.Value], aggs: dict[str, ir.Scalar]) -> ir.Table:
    return t.aggregate(aggs, by=keys) if keys else t.aggregate(aggs)


def entity_count(t: ir.Table, kid: str, keys: list[str]) -> ir.Table:
    """Distinct entities per group, de-duplicated first: SELECT DISTINCT keys, store, entity (GROUP BY
    them with a row count when the KPI filters entities by it: ``having``); then COUNT(*)."""
    k = CATALOG[kid]
    rows = t.filter(t[k.entity].notnull())
    if k.where is not None:
        rows = rows.filter(k.where(rows))
    key_exprs = [rows[BUCKET] if name == BUCKET else rows[name].fill_null("").name(name) for name in keys]
    per_entity = [rows.store_id.name("_store"), rows[k.entity].name("_entity")]
    if k.having is None:  # SELECT DISTINCT: a hash aggregate with no aggregate to keep (5-10 % less CPU)
        grouped = rows.select(*key_exprs, *per_entity).distinct()
    else:
        grouped = rows.group_by([*key_exprs, *per_entity]).aggregate(_n=rows.count())
        grouped = grouped.filter(k.having(grouped._n))
    return _aggregate(grouped, [grouped[name] for name in keys], {kid: grouped.count()})


def zero(kid: str):
    """The value of a KPI over no rows: 0, or 0.00 for money."""
    return Decimal("0.00") if CATALOG[kid].unit is Unit.MONEY else 0


def _clean(value, kid: str):
    if value is None or (not isinstance(value, Decimal) and pd.isna(value)):
        return zero(kid)
    if CATALOG[kid].unit is Unit.MONEY:
        return Decimal(str(value) if isinstance(value, float) else value).quantize(Decimal("0.01"))
    if CATALOG[kid].unit is Unit.RATIO:  # a weighted sum (chat KPIs: average × its base), not a count
        return float(value)
    return int(value)


# the groupings whose rows are whole stores (or all of them) over days: where "no traffic row" means the
# store imported no traffic data (a product or a traffic source without events of a store that has them
# is a real 0)
STORE_LEVEL: frozenset[str] = frozenset({"store_id", "platform"})


def store_level(q: KpiQuery) -> bool:
    """The query's groups are whole stores (by store or platform, filtered at most to stores or
    platforms), so a group without traffic rows has no traffic data (``catalog.traffic_unknown``)."""
    return set(q.by) <= STORE_LEVEL and all(f.dimension in STORE_LEVEL for f in q.filters)


def derive(kid: str, values: dict, *, traffic: bool = True, no_ads: bool = False):
    """The value of any KPI from the values of the base KPIs it needs; None (unknown, not 0) for a KPI
    built on the cost of goods where items were sold and none has a SKU cost (``catalog.cost_unknown``),
    one counting SKUs where items were sold and no line has a SKU id (``catalog.sku_unknown``), one built on
    the refunds where no paid order of the group is of a store with refund data (``catalog.refund_unknown``:
    judged on the stores over all time, so at any grouping), and —
    with ``traffic`` (groups of whole stores: :func:`store_level`) — one built on traffic data where no
    traffic source it reads has a row (``catalog.traffic_unknown``), one built on the ad reports where
    the group has no ad report row (``catalog.ad_unknown``) unless ``no_ads``: every store of the group is
    declared to run no paid ads (:func:`no_ads_groups`), so its spend is a known 0 (ROAS, CPC … have a 0
    denominator: None, not applicable)."""
    if cost_dependent(kid) and cost_unknown(values):
        return None
    if sku_dependent(kid) and sku_unknown(values):
        return None
    if refund_dependent(kid) and refund_unknown(values):
        return None
    if traffic and (traffic_unknown(kid, values) or (ad_dependent(kid) and ad_unknown(values) and not no_ads)):
        return None
    k = CATALOG[kid]
    if k.is_base:
        return values[kid]
    if k.is_combination:
        parts = [(t, derive(t.lstrip("-"), values, traffic=traffic, no_ads=no_ads)) for t in k.combine]
        # a channel figure adds the channels whose data are there (traffic: the others are unknown)
        total = sum(((-1 if t.startswith("-") else 1) * v for t, v in parts if v is not None), 0)
        return Decimal(total).quantize(Decimal("0.01")) if k.unit is Unit.MONEY else total
    num = derive(k.numerator, values, traffic=traffic, no_ads=no_ads)
    den = derive(k.denominator, values, traffic=traffic, no_ads=no_ads)
    if num is None or not den:
        return None
    if k.unit is Unit.MONEY:
        return money_ratio(Decimal(num) * k.scale, den)
    return float(Decimal(num) * k.scale / Decimal(den))


def bucket_starts(period: Period, grain: Grain) -> list[dt.date]:
    if grain is Grain.DAY:
        return period.dates()
    seen: dict[dt.date, None] = {}
    for d in period.dates():
        seen[d - dt.timedelta(days=d.weekday()) if grain is Grain.WEEK else d.replace(day=1)] = None
    return list(seen)


def no_ads_groups(q: KpiQuery, con: ibis.BaseBackend | None) -> Callable[[dict], bool]:
    """Whether a result row of ``q`` is a group of stores that all are declared to run no paid ads
    (``stores.runs_no_ads``): its ad spend without an ad report row is a known 0, not unknown. A row by store
    is that store; by platform, the selected stores of that platform; else every selected store (every
    store when none is selected). Only for queries of whole stores that need the ad reports' presence."""
    if con is None or AD_PRESENCE not in measures_needed(q.kpis) or not store_level(q):
        return _never
    infos = store_list(con)
    declared = {s.store_id for s in infos if s.runs_no_ads}
    if not declared:
        return _never
    scope = [s for s in infos if (not q.stores or s.store_id in q.stores)
             and all((getattr(s, f.dimension) in f.values) != f.exclude for f in q.filters)]
    if "store_id" in q.by:
        return lambda rec: rec.get("store_id") in declared
    if "platform" in q.by:
        return lambda rec: _all_declared([s for s in scope if s.platform == rec.get("platform")], declared)
    every = _all_declared(scope, declared)
    return lambda rec: every


def _all_declared(stores: list[StoreInfo], declared: set[str]) -> bool:
    return bool(stores) and all(s.store_id in declared for s in stores)


def _never(rec: dict) -> bool:
    return False


def _rows(q: KpiQuery, records: list[dict], keys: list[str], no_ads: Callable[[dict], bool] = _never) -> list[dict]:
    measures = measures_needed(q.kpis)
    traffic = store_level(q)
    if not keys and not records:
        records = [{}]
    if q.grain and not q.by:
        # a trend has a point for every bucket, with zeros where nothing happened
        present = {r[BUCKET]: r for r in records}
        records = [present.get(d, {BUCKET: d}) for d in bucket_starts(q.period, q.grain)]
    out = []
    for rec in records:
        values = {kid: _clean(rec.get(kid), kid) for kid in measures}
        row = {k: rec[k] for k in keys}
        declared = no_ads(rec)
        row.update({kid: derive(kid, values, traffic=traffic, no_ads=declared) for kid in q.kpis})
        out.append(row)
    out.sort(key=lambda r: tuple(str(r[k]) for k in keys))
    return out


def cost_coverage(period: Period, *, stores: tuple[str, ...] | list[str] = (), filters: tuple[Filter, ...] = (),
                  con: ibis.BaseBackend | None = None) -> float | None:
    """The catalog's ``cost_coverage`` over ``period`` (the share of item GMV whose SKUs have a cost): what a
    page or the 复盘 says next to a figure built on the cost of goods (``catalog.cost_status``)."""
    return _share("cost_coverage", period, stores, filters, con)


def sku_coverage(period: Period, *, stores: tuple[str, ...] | list[str] = (), filters: tuple[Filter, ...] = (),
                 con: ibis.BaseBackend | None = None) -> float | None:
    """The catalog's ``sku_coverage`` over ``period`` (the share of item GMV whose order lines carry a SKU
    id): what a page says next to SKUs sold (``catalog.data_status``)."""
    return _share("sku_coverage", period, stores, filters, con)


def _share(kid: str, period: Period, stores, filters, con) -> float | None:
    """One coverage KPI of the catalog over ``period``, in total (:func:`cost_coverage`, :func:`sku_coverage`)."""
    return run_query(KpiQuery((kid,), period, stores=tuple(stores), filters=tuple(filters)), con=con).total(kid)


@dataclass(frozen=True, slots=True)
class StoreCoverage:
    """Which of the selected stores have a kind of data (traffic: events or a platform daily report; ads: the
    ad tools' plan reports) in a period (refunds: a refund row ever, :func:`refund_coverage`). Ads: a store the team declared to run no paid ads
    (``stores.runs_no_ads``) and without ad report rows has a known ¥0 spend (``no_ads``), not missing data;
    one declared so that has rows anyway is counted with its rows and named in ``contradicted``."""

    stores: int  # stores of the selection with orders or such data in the period
    with_data: int  # of them, with the data
    gmv_share: float | None  # the share of the selection's GMV whose figures are known (None: no GMV)
    without: tuple[str, ...] = ()  # the stores with orders and none of the data (not declared to run no ads)
    kind: str = "traffic"  # or "ads", "refunds"
    no_ads: tuple[str, ...] = ()  # ads: declared to run no paid ads, no ad report row: spend a known 0
    contradicted: tuple[str, ...] = ()  # ads: declared to run no paid ads, yet with ad report rows

    @property
    def with_traffic(self) -> int:
        return self.with_data

    @property
    def known(self) -> int:
        """The stores whose figures are known: with the data, or declared to run no ads."""
        return self.with_data + len(self.no_ads)

    @property
    def status(self) -> str | None:
        """"missing" (no store's figures are known: unknown), "partial" (some are), "no_ads" (every store is
        declared to run no paid ads and has no ad report: spend ¥0, ROAS … not applicable) or None."""
        if not self.known:
            return "missing"
        if self.known < self.stores:
            return "partial"
        return "no_ads" if not self.with_data else None

    @property
    def said(self) -> bool:
        """A page says something next to the figures: a status, or declared no-ads stores with ad rows."""
        return bool(self.status or self.contradicted)


TrafficCoverage = StoreCoverage  # the name the traffic coverage had first


def traffic_coverage(period: Period, *, stores: tuple[str, ...] | list[str] = (), sources: frozenset[str] | None = None,
                     con: ibis.BaseBackend | None = None) -> StoreCoverage:
    """How much of the selection the traffic figures cover: a store has traffic data in ``period`` when it
    has an event or a platform daily report row in it (``catalog.TRAFFIC_PRESENCE``; only ``sources`` when
    given: page views are in the events only); a report row of 0 visitors is traffic data (a real 0)."""
    return store_coverages(period, ("traffic",), stores=stores, sources=sources, con=con)["traffic"]


def ad_coverage(period: Period, *, stores: tuple[str, ...] | list[str] = (),
                con: ibis.BaseBackend | None = None) -> StoreCoverage:
    """How much of the selection the ad figures cover: a store has ad data in ``period`` when its ad tools'
    plan reports have a row in it (``catalog.AD_PRESENCE``); a row of 0 spend is ad data (a real 0)."""
    return store_coverages(period, ("ads",), stores=stores, con=con)["ads"]


def refund_coverage(period: Period, *, stores: tuple[str, ...] | list[str] = (),
                    con: ibis.BaseBackend | None = None) -> StoreCoverage:
    """How much of the selection the refund figures cover: a store has refund data when the warehouse holds a
    refund row of it, of any status and date (``catalog.refund_unknown``); a store with refund data and no
    refund in ``period`` has a real 0."""
    return store_coverages(period, ("refunds",), stores=stores, con=con)["refunds"]


def store_coverages(period: Period, kinds: tuple[str, ...] = ("traffic", "ads"), *,
                    stores: tuple[str, ...] | list[str] = (), sources: frozenset[str] | None = None,
                    con: ibis.BaseBackend | None = None) -> dict[str, StoreCoverage]:
    """:func:`traffic_coverage` and :func:`ad_coverage` (``kinds``) from one grouped query by store (GMV and
    every kind's presence counts): what the cockpit asks for both."""
    presence = {"ads": (AD_PRESENCE,), "refunds": ("refund_covered_gmv",), "traffic": (
        tuple(dict.fromkeys(p for s, p in TRAFFIC_PRESENCE.items() if sources is None or s in sources))
        or tuple(dict.fromkeys(TRAFFIC_PRESENCE.values())))}  # e.g. the period export: judged on every source
    needed = tuple(dict.fromkeys(p for k in kinds for p in presence[k]))
    rows = run_query(KpiQuery(("gmv", *needed), period, by=("store_id",), stores=tuple(stores)), con=con).rows
    return {k: _store_coverage(rows, presence[k], k, con) for k in kinds}


def _store_coverage(rows: list[dict], presence: tuple[str, ...], kind: str, con) -> StoreCoverage:
    # derive calls a store's figures unknown (None) when it has none of the data: absent either way
    seen = [r for r in rows if r["gmv"] or any(r[p] for p in presence)]
    covered = [r for r in seen if any(r[p] for p in presence)]
    declared = no_ad_stores(con) if kind == "ads" else frozenset()
    no_ads = [r for r in seen if r not in covered and r["store_id"] in declared]
    total = sum((r["gmv"] for r in seen), Decimal(0))
    share = float(sum((r["gmv"] for r in covered + no_ads), Decimal(0)) / total) if total else None
    without = tuple(r["store_id"] for r in seen if r not in covered and r not in no_ads)
    return StoreCoverage(len(seen), len(covered), share, without, kind, tuple(r["store_id"] for r in no_ads),
                         tuple(r["store_id"] for r in covered if r["store_id"] in declared))


def query(
    kpis: list[str] | tuple[str, ...],
    period: Period | str,
    *,
    grain: Grain | str | None = None,
    by: list[str] | tuple[str, ...] = (),
    stores: list[str] | tuple[str, ...] = (),
    filters: dict[str, list[str] | tuple[str, ...] | str] | None = None,
    con: ibis.BaseBackend | None = None,
) -> pd.DataFrame:
    """For analysts: KPIs as a DataFrame.

        query(["gmv", "conversion_rate"], "2025-11", by=["store"])
        query(["gmv"], "2025-11-01..2025-11-30", grain="week", filters={"platform": ["tmall"]})
    """
    if isinstance(period, str):
        period = Period.parse(period)
    flt = tuple(Filter(d, (v,) if isinstance(v, str) else tuple(v)) for d, v in (filters or {}).items())
    q = KpiQuery(tuple(kpis), period, Grain(grain) if grain else None, tuple(by), tuple(stores), flt)
    return run_query(q, con=con).to_frame()


def last_fact_date(con: ibis.BaseBackend | None = None, *, stores: tuple[str, ...] | list[str] = ()) -> dt.date | None:
    """The latest business date with a paid order (of ``stores``; every store when empty): where
    "yesterday" is for a demo or stale store."""
    con = con or connect()
    if stores:
        return _stores_last_fact_date(con, tuple(sorted(stores)))

    def scan() -> dt.date | None:
        if "orders" not in con.list_tables():
            return None
        def build():  # the canonical schema, not the catalog's: no round trip to describe the table
            orders = ibis.table(TABLES["orders"].schema, name="orders")
            return {"last": orders.aggregate(last=orders.paid_date.max())}

        value = execute_compiled(con, *compiled_sql(con, ("last_fact_date",), build)["last"])["last"].iloc[0]
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    # every page asks (several times): one scan of the orders per data version of them
    return cached("metrics:last_fact_date", con.name, scan, con=con, tables=("orders",))


def last_complete_day(con: ibis.BaseBackend | None = None, *, today: dt.date,
                      stores: tuple[str, ...] | list[str] = ()) -> dt.date | None:
    """The latest business date whose data are complete: the last day with a paid order, but never ``today``
    (the store's date now). Orders sent as they happen (the own site's collector, an export taken in the
    morning) put today's first hours in the warehouse, and today is not over: its month-so-far run-rate and
    its insights would read a few hours as a whole day."""
    last = last_fact_date(con, stores=stores)
    return None if last is None else min(last, today - dt.timedelta(days=1))


def _stores_last_fact_date(con: ibis.BaseBackend, stores: tuple[str, ...]) -> dt.date | None:
    """The latest business date with a paid order of these stores: a store whose data end earlier than
    the others' has its own month so far and its own "yesterday"."""
    def scan() -> dt.date | None:
        if "orders" not in con.list_tables():
            return None
        orders = con.table("orders")  # as the scan over every store: the latest paid date
        value = orders.filter(orders.store_id.isin(list(stores))).paid_date.max().execute()
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    return cached("metrics:last_fact_date", (con.name, stores), scan, con=con, tables=("orders",))
