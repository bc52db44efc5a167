"""Targets: achievement of monthly KPI targets and a run-rate projection for the month.

A target is ``(store_id or "" for all stores, kpi, month, value)``, kept in the app DB
(:class:`shopops.metrics.models.Target`, written by ``services.target_set``); callers pass
them in (``selectors.target_specs(month=)``): the runner reads only the warehouse. The runner
measures each target's KPI from the first of the month to ``as_of`` (inclusive, capped
at the month's end):

* ``achievement`` = actual / target;
* ``projection``: for KPIs additive over days (sums and counts): actual / days elapsed ×
  days in the month; for distinct counts the same run rate (an upper bound: buyers repeat);
  for ratios the current value;
* ``on_track``: the projection reaches the target (or stays under it for KPIs where down is good).

    run_query(TargetQuery(month=dt.date(2025, 11, 1), as_of=dt.date(2025, 11, 20),
                          targets=target_specs(month=dt.date(2025, 11, 1))))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from shopops.core.periods import Period, month_period
from shopops.metrics.catalog import CATALOG, Direction, Unit, kpi
from shopops.metrics.runners.base import Response, Runner, register
from shopops.metrics.runners.kpis import KpiQuery, KpiRunner, kpi_rows_of_records
from shopops.metrics.sources import TABLES_READ, today_in_period


@dataclass(frozen=True, slots=True)
class TargetSpec:
    store_id: str  # "" = all stores
    kpi: str
    month: dt.date  # first day of the month
    value: Decimal
    summed: bool = False  # an all-stores target made of the stores' own (``stores_summed``), not set as such


def stores_summed(specs, store_ids) -> tuple[TargetSpec, ...]:
    """All-stores targets the team did not set but did set per store: for a KPI that adds up over stores (sums and
    row counts: GMV, orders, ad spend — not buyers, not ratios), a month with no all-stores target and a target for
    *every* store gets their sum (``summed=True``). A month where some store has none gets nothing: a partial sum
    would read as the whole business's target."""
    stores = set(store_ids)
    if not stores:
        return ()
    by_key: dict[tuple[str, dt.date], dict[str, Decimal]] = {}
    whole = {(t.kpi, t.month) for t in specs if t.store_id == ""}
    for t in specs:
        if t.store_id:
            by_key.setdefault((t.kpi, t.month), {})[t.store_id] = t.value
    out = []
    for (kpi_id, month), values in sorted(by_key.items()):
        k = CATALOG.get(kpi_id)
        if (kpi_id, month) in whole or k is None or not k.is_additive_over_time or not stores <= set(values):
            continue
        out.append(TargetSpec("", kpi_id, month, sum((values[s] for s in stores), Decimal("0")), summed=True))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TargetQuery:
    month: dt.date  # any day of the month; normalised to the first
    as_of: dt.date  # last business day with complete data
    stores: tuple[str, ...] = ()  # restrict to these stores' targets (and the all-stores ones); empty: all
    targets: tuple[TargetSpec, ...] = ()  # the targets to measure (those of other months are ignored)

    def __post_init__(self) -> None:
        object.__setattr__(self, "month", self.month.replace(day=1))
        object.__setattr__(self, "stores", tuple(self.stores))
        object.__setattr__(self, "targets", tuple(self.targets))

    @property
    def period(self) -> Period:
        return month_period(self.month.year, self.month.month)


@dataclass(slots=True)
class TargetProgress:
    target: TargetSpec
    actual: Any
    achievement: float | None  # actual / target
    projection: Any
    projected_achievement: float | None
    on_track: bool | None
    days_elapsed: int
    days_in_month: int


@dataclass(slots=True)
class TargetResult(Response):
    query: TargetQuery
    rows: list[TargetProgress]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "store_id": r.target.store_id, "kpi": r.target.kpi, "month": r.target.month, "target": r.target.value,
            "actual": r.actual, "achievement": r.achievement, "projection": r.projection,
            "projected_achievement": r.projected_achievement, "on_track": r.on_track,
        } for r in self.rows])


def _ratio(a, b) -> float | None:
    if a is None or not b:
        return None
    return float(Decimal(str(a)) / Decimal(str(b)))


def project(kpi_id: str, actual, days_elapsed: int, days_in_month: int):
    k = kpi(kpi_id)
    if actual is None or days_elapsed == 0:
        return None
    if k.is_ratio:
        return actual
    value = Decimal(str(actual)) / days_elapsed * days_in_month
    return value.quantize(Decimal("0.01")) if k.unit is Unit.MONEY else float(value)


@register
class TargetRunner(Runner[TargetQuery, TargetResult]):
    kind = "targets"
    query_type = TargetQuery
    tables = TABLES_READ

    def stores(self) -> tuple[str, ...]:
        return ()  # all-stores targets read every store

    def specs(self) -> list[TargetSpec]:
        q = self.query
        specs = [t for t in q.targets if t.month == q.month]
        if q.stores:
            specs = [t for t in specs if t.store_id in ("", *q.stores)]
        return specs

    def _queries(self) -> dict[str, KpiQuery]:
        """One KPI query per scope (``all`` or ``store:<id>``), month start to ``as_of``; none before the month."""
        q = self.query
        elapsed = today_in_period(q.period, q.as_of)
        if not elapsed:
            return {}
        so_far = Period(q.period.start, q.period.start + dt.timedelta(days=elapsed - 1))
        by_scope: dict[str, list[str]] = {}
        for t in self.specs():
            by_scope.setdefault(t.store_id, [])
            if t.kpi not in by_scope[t.store_id]:
                by_scope[t.store_id].append(t.kpi)
        return {(f"store:{scope}" if scope else "all"): KpiQuery(tuple(kpis), so_far, stores=(scope,) if scope else ())
                for scope, kpis in by_scope.items()}

    def to_expr(self):
        return {name: KpiRunner(kq, con=self.con).to_expr()["kpis"] for name, kq in self._queries().items()}

    def _calculate(self) -> TargetResult:
        q = self.query
        specs = self.specs()
        elapsed = today_in_period(q.period, q.as_of)
        days = q.period.days
        sql: dict[str, str] = {}
        queries = self._queries()
        results = self.records(sql) if queries else {}
        actuals = {kq.stores[0] if kq.stores else "": kpi_rows_of_records(kq, results[name], con=self.con)[0] for name, kq in queries.items()}
        rows = []
        for t in specs:
            actual = actuals.get(t.store_id, {}).get(t.kpi) if elapsed else None
            projection = project(t.kpi, actual, elapsed, days)
            projected = _ratio(projection, t.value)
            up = CATALOG[t.kpi].direction is Direction.UP_IS_GOOD
            on_track = None if projection is None else (projection >= t.value if up else projection <= t.value)
            rows.append(TargetProgress(t, actual, _ratio(actual, t.value), projection, projected, on_track, elapsed, days))
        return TargetResult(q, rows, sql=sql)

