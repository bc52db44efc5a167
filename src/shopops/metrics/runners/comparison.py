"""Comparison: KPIs for a period next to the previous period and the same period last year.

    run_query(ComparisonQuery(("gmv", "conversion_rate"), Period.parse("2025-11")))

Each row holds both periods' values and the absolute and relative change
(``(current − base) / base``; None when the base is 0 or undefined). For percent KPIs the
absolute change is in points of the ratio (0.012 = +1.2 pp).

With ``refunds_at_same_age=True`` the refund KPIs (``metrics.maturity.REFUND_KPIS``) are
compared on a matured basis: the previous period as it stood when its orders were as old as
the current period's are on the data's last day (totals and by store; other breakdowns keep
the plain base), and a row whose orders are younger than ``MATURITY_DAYS`` is marked
``immature`` — its fall is never called good.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from shopops.core.periods import Period
from shopops.metrics.catalog import CATALOG, Direction, Unit
from shopops.metrics.dimensions import dimension_id
from shopops.metrics.runners.base import Response, Runner, register
from shopops.metrics.runners.kpis import KpiQuery, KpiRunner, kpi_rows_of_records
from shopops.metrics.sources import TABLES_READ, Filter

PREVIOUS = "previous"
LAST_YEAR = "last_year"


@dataclass(frozen=True, slots=True)
class ComparisonQuery:
    kpis: tuple[str, ...]
    period: Period
    by: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    against: tuple[str, ...] = (PREVIOUS, LAST_YEAR)
    refunds_at_same_age: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kpis", tuple(self.kpis))
        object.__setattr__(self, "by", tuple(dimension_id(d) for d in self.by))
        for a in self.against:
            if a not in (PREVIOUS, LAST_YEAR):
                raise ValueError(f"cannot compare against {a!r}; use {PREVIOUS!r} or {LAST_YEAR!r}")
        self.kpi_query(self.period)

    def periods(self) -> dict[str, Period]:
        out = {"current": self.period}
        if PREVIOUS in self.against:
            out[PREVIOUS] = self.period.previous()
        if LAST_YEAR in self.against:
            out[LAST_YEAR] = self.period.same_period_last_year()
        return out

    def kpi_query(self, period: Period) -> KpiQuery:
        return KpiQuery(self.kpis, period, by=self.by, stores=self.stores, filters=self.filters)


@dataclass(slots=True)
class Change:
    base: Any  # the value in the period compared with
    absolute: Any  # current − base (None when either is undefined)
    relative: float | None  # (current − base) / base


@dataclass(slots=True)
class ComparisonRow:
    keys: dict[str, Any]  # dimension values ({} without `by`)
    kpi: str
    current: Any
    changes: dict[str, Change]  # "previous" / "last_year" -> Change
    immature: bool = False  # a refund KPI whose orders can still be refunded (see refunds_at_same_age)
    same_age_known_by: dt.date | None = None  # the previous period's refunds counted up to this day

    @property
    def is_good(self) -> bool | None:
        """Whether the change vs the previous period is good news (None: no change / undefined,
        or an immature refund figure that looks better: not yet known to be)."""
        ch = self.changes.get(PREVIOUS)
        if ch is None or not ch.relative:
            return None
        good = (ch.relative > 0) == (CATALOG[self.kpi].direction is Direction.UP_IS_GOOD)
        return None if good and self.immature else good


@dataclass(slots=True)
class ComparisonResult(Response):
    query: ComparisonQuery
    periods: dict[str, Period]
    rows: list[ComparisonRow]

    def row(self, kpi: str, **keys) -> ComparisonRow:
        for r in self.rows:
            if r.kpi == kpi and all(r.keys.get(k) == v for k, v in keys.items()):
                return r
        raise KeyError((kpi, keys))

    def to_frame(self) -> pd.DataFrame:
        records = []
        for r in self.rows:
            rec = {**r.keys, "kpi": r.kpi, "current": r.current}
            for name, ch in r.changes.items():
                rec.update({name: ch.base, f"{name}_change": ch.absolute, f"{name}_change_rate": ch.relative})
            records.append(rec)
        return pd.DataFrame(records)


def change(kpi_id: str, current, base) -> Change:
    if current is None or base is None:
        return Change(base, None, None)
    if CATALOG[kpi_id].unit is Unit.MONEY:
        absolute = Decimal(current) - Decimal(base)
    else:
        absolute = current - base
    relative = None if not base else float((Decimal(str(current)) - Decimal(str(base))) / Decimal(str(base)))
    return Change(base, absolute, relative)


@register
class ComparisonRunner(Runner[ComparisonQuery, ComparisonResult]):
    kind = "comparison"
    query_type = ComparisonQuery
    tables = TABLES_READ

    def to_expr(self):
        """One KPI query per period: ``current``, ``previous``, ``last_year``."""
        return {name: KpiRunner(self.query.kpi_query(p), con=self.con).to_expr()["kpis"]
                for name, p in self.query.periods().items()}

    def _calculate(self) -> ComparisonResult:
        q = self.query
        sql: dict[str, str] = {}
        results = self.records(sql)
        by_period: dict[str, dict[tuple, dict]] = {}
        for name, period in q.periods().items():
            rows = kpi_rows_of_records(q.kpi_query(period), results[name], con=self.con)
            by_period[name] = {tuple(r[d] for d in q.by): r for r in rows}
        keys = sorted(set().union(*(set(v) for v in by_period.values())), key=lambda k: tuple(map(str, k)))
        rows = []
        for key in keys:
            current = by_period["current"].get(key, {})
            for kid in q.kpis:
                cur = current.get(kid, _empty(kid))
                changes = {name: change(kid, cur, by_period[name].get(key, {}).get(kid, _empty(kid)))
                           for name in by_period if name != "current"}
                rows.append(ComparisonRow(dict(zip(q.by, key)), kid, cur, changes))
        if q.refunds_at_same_age:
            self._mature(rows)
        return ComparisonResult(q, q.periods(), rows, sql=sql)

    def _mature(self, rows: list[ComparisonRow]) -> None:
        from shopops.metrics.maturity import REFUND_KPIS, TOTAL, is_mature, refund_comparisons
        from shopops.metrics.runners.kpis import last_fact_date

        q = self.query
        if not REFUND_KPIS & set(q.kpis):
            return
        as_of = last_fact_date(self.con)
        if as_of is None:
            return
        immature = not is_mature(q.period, as_of)
        same_age = {}
        if PREVIOUS in q.against and q.by in ((), ("store_id",)) and not q.filters:
            same_age = refund_comparisons(kpis=q.kpis, period=q.period, base=q.period.previous(), as_of=as_of,
                                          stores=q.stores, by_store=bool(q.by), con=self.con)
        for r in rows:
            if r.kpi not in REFUND_KPIS or r.current is None:  # unknown (no refund data): nothing to mature
                continue
            r.immature = immature
            basis = same_age.get((r.kpi, r.keys.get("store_id", TOTAL)))
            if basis is not None:
                r.changes[PREVIOUS] = change(r.kpi, r.current, basis.base)
                r.same_age_known_by = basis.known_by


def _empty(kid: str):
    k = CATALOG[kid]
    if k.is_ratio:
        return None
    return Decimal("0.00") if k.unit is Unit.MONEY else 0

