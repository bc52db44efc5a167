"""Query runners: a typed query in, an Ibis expression per fact source, a typed result out.

``KpiQuery`` asks for KPIs over a period, optionally by time bucket (day/week/month)
and by dimensions, filtered to some stores. The runner groups the needed *measures*
by source table, builds one aggregate per source (``to_exprs``), runs them, joins the
pieces on the group keys and derives ratio KPIs from their parts.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import ibis.expr.types as ir
import pandas as pd

from shopops.core.money import money_ratio
from shopops.core.periods import Grain, Period
from shopops.metrics.catalog import CATALOG, SOURCES, Unit, kpi, measures_needed, source_table
from shopops.warehouse.connection import connect

BUCKET = "bucket"


@dataclass(frozen=True, slots=True)
class KpiQuery:
    kpis: tuple[str, ...]
    period: Period
    grain: Grain | None = None  # None: one row for the whole period
    by: tuple[str, ...] = ()  # dimensions, e.g. ("store_id",)
    stores: tuple[str, ...] = ()  # empty: every store

    def __post_init__(self) -> None:
        for kid in self.kpis:
            kpi(kid)  # raises on an unknown id
        for kid in measures_needed(list(self.kpis)):
            source = SOURCES[CATALOG[kid].source]
            for dim in self.by:
                if dim not in source.dimensions:
                    raise ValueError(f"KPI {kid!r} cannot be broken down by {dim!r}; it supports {source.dimensions}")


@dataclass(slots=True)
class KpiResult:
    query: KpiQuery
    rows: list[dict]  # one dict per group: the keys, then one entry per KPI
    seconds: float = 0.0
    sql: dict[str, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        keys = ([BUCKET] if self.query.grain else []) + list(self.query.by)
        return pd.DataFrame(self.rows, columns=keys + list(self.query.kpis))

    def total(self, kpi_id: str):
        if self.query.grain or self.query.by:
            raise ValueError("total() is for ungrouped queries")
        return self.rows[0][kpi_id] if self.rows else None


def _bucket(date_col: ir.DateColumn, grain: Grain) -> ir.DateColumn:
    if grain is Grain.DAY:
        return date_col
    return date_col.truncate("W" if grain is Grain.WEEK else "M")


class KpiRunner:
    def __init__(self, query: KpiQuery, *, con: ibis.BaseBackend | None = None) -> None:
        self.query = query
        self.con = con or connect()

    def to_exprs(self) -> dict[str, ir.Table]:
        """One aggregate expression per fact source the query needs."""
        q = self.query
        by_source: dict[str, list[str]] = {}
        for kid in measures_needed(list(q.kpis)):
            by_source.setdefault(CATALOG[kid].source, []).append(kid)
        exprs = {}
        for source_id, kids in by_source.items():
            t = source_table(self.con, SOURCES[source_id])
            t = t.filter((t._date >= q.period.start) & (t._date <= q.period.end))
            if q.stores:
                t = t.filter(t.store_id.isin(list(q.stores)))
            groups = []
            if q.grain:
                groups.append(_bucket(t._date, q.grain).name(BUCKET))
            groups += [t[d] for d in q.by]
            aggs = {kid: CATALOG[kid].measure(t) for kid in kids}
            exprs[source_id] = t.aggregate(aggs, by=groups) if groups else t.aggregate(aggs)
        return exprs

    def calculate(self) -> KpiResult:
        started = time.perf_counter()
        q = self.query
        keys = ([BUCKET] if q.grain else []) + list(q.by)
        merged: pd.DataFrame | None = None
        sql = {}
        for source_id, expr in self.to_exprs().items():
            sql[source_id] = str(ibis.to_sql(expr, dialect=self.con.name))
            frame = self.con.execute(expr)
            if q.grain and len(frame):
                frame[BUCKET] = pd.to_datetime(frame[BUCKET]).dt.date
            if merged is None:
                merged = frame
            elif keys:
                merged = merged.merge(frame, on=keys, how="outer")
            else:
                merged = pd.concat([merged, frame], axis=1)
        rows = _rows(q, merged, keys)
        return KpiResult(q, rows, time.perf_counter() - started, sql)


def _zero(kid: str):
    return Decimal("0.00") if CATALOG[kid].unit is Unit.MONEY else 0


def _clean(value, kid: str):
    if value is None or (not isinstance(value, Decimal) and pd.isna(value)):
        return _zero(kid)
    if CATALOG[kid].unit is Unit.MONEY:
        return Decimal(value).quantize(Decimal("0.01"))
    return int(value)


def _derive(kid: str, values: dict):
    k = CATALOG[kid]
    if not k.is_ratio:
        return values[kid]
    num, den = _derive(k.numerator, values), _derive(k.denominator, values)
    if k.unit is Unit.MONEY:
        return money_ratio(num, den)
    if not den:
        return None
    return float(Decimal(num) / Decimal(den))


def _rows(q: KpiQuery, merged: pd.DataFrame | None, keys: list[str]) -> list[dict]:
    measures = measures_needed(list(q.kpis))
    records = [] if merged is None else merged.to_dict("records")
    if not keys and not records:
        records = [{}]
    if q.grain is Grain.DAY and not q.by:
        # a trend has a point for every day, with zeros where nothing happened
        present = {r[BUCKET]: r for r in records}
        records = [present.get(d, {BUCKET: d}) for d in q.period.dates()]
    out = []
    for rec in records:
        values = {kid: _clean(rec.get(kid), kid) for kid in measures}
        row = {k: rec[k] for k in keys}
        row.update({kid: _derive(kid, values) for kid in q.kpis})
        out.append(row)
    out.sort(key=lambda r: tuple(str(r[k]) for k in keys))
    return out


def run(query: KpiQuery, *, con: ibis.BaseBackend | None = None) -> KpiResult:
    return KpiRunner(query, con=con).calculate()


def query(
    kpis: list[str] | tuple[str, ...],
    period: Period | str,
    *,
    grain: Grain | str | None = None,
    by: list[str] | tuple[str, ...] = (),
    stores: list[str] | tuple[str, ...] = (),
    con: ibis.BaseBackend | None = None,
) -> pd.DataFrame:
    """For analysts: KPIs as a DataFrame. ``query(["gmv"], "2025-11", by=["store_id"])``."""
    if isinstance(period, str):
        period = Period.parse(period)
    q = KpiQuery(tuple(kpis), period, Grain(grain) if grain else None, tuple(by), tuple(stores))
    return run(q, con=con).to_frame()


def last_fact_date(con: ibis.BaseBackend | None = None) -> dt.date | None:
    """The latest business date with a paid order: where "yesterday" is for a demo or stale store."""
    con = con or connect()
    if "orders" not in con.list_tables():
        return None
    value = con.table("orders").paid_date.max().execute()
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
