"""Breakdown: KPIs by one dimension, sorted, the top N and "others", plus the total.

    run_query(BreakdownQuery(("gmv", "aov"), period, "category", top=5))

When every KPI is built from additive measures (sums and counts of rows: GMV, units,
page views, ad cost…, and ratios of them), one grouped query answers everything: the
total and "others" add up the groups' measures and derive the ratios from those sums.
When a KPI counts distinct entities (buyers, visitors), which do not add up across
groups, "others" and the total are queried (excluding the top values, not subtracting).
``to_expr()`` holds the grouped query (and the total's, with distinct counts); the
"others" row of a distinct-count breakdown is a second query that excludes the top values
found by the first, so it is built after the first ran (:meth:`BreakdownRunner.others_expr`).
``share`` is each row's part of the total for the sort KPI when that KPI is additive
across the dimension's values (not a ratio).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from shopops.core.periods import Period
from shopops.metrics.catalog import CATALOG, measures_needed
from shopops.metrics.dimensions import dimension_id
from shopops.metrics.runners.base import Response, Runner, register
from shopops.metrics.runners.kpis import (
    KpiQuery, KpiRunner, derive, kpi_rows_of_records, no_ads_groups, store_level, zero,
)
from shopops.metrics.sources import OTHERS, TABLES_READ, Filter



@dataclass(frozen=True, slots=True)
class BreakdownQuery:
    kpis: tuple[str, ...]
    period: Period
    dimension: str
    stores: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    sort_by: str | None = None  # default: the first KPI
    descending: bool = True
    top: int | None = 10  # None: every value, no "others"

    def __post_init__(self) -> None:
        object.__setattr__(self, "kpis", tuple(self.kpis))
        object.__setattr__(self, "dimension", dimension_id(self.dimension))
        if self.sort_by is None:
            object.__setattr__(self, "sort_by", self.kpis[0])
        if self.sort_by not in self.kpis:
            raise ValueError(f"sort_by {self.sort_by!r} must be one of the KPIs asked for")
        self.kpi_query()  # validates KPIs and dimension

    def kpi_query(self, *, grouped: bool = True, extra: tuple[Filter, ...] = (),
                  kpis: tuple[str, ...] | None = None) -> KpiQuery:
        return KpiQuery(kpis or self.kpis, self.period, by=(self.dimension,) if grouped else (), stores=self.stores,
                        filters=self.filters + extra)


@dataclass(slots=True)
class BreakdownRow:
    value: str  # the dimension value, or OTHERS
    values: dict[str, Any]  # KPI id -> value
    share: float | None = None  # of the total, for the sort KPI

    @property
    def is_others(self) -> bool:
        return self.value == OTHERS


@dataclass(slots=True)
class BreakdownResult(Response):
    query: BreakdownQuery
    rows: list[BreakdownRow]  # top N sorted, then "others" when there are more values
    total: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        q = self.query
        return pd.DataFrame(
            [{q.dimension: r.value, **r.values, "share": r.share} for r in self.rows],
            columns=[q.dimension, *q.kpis, "share"],
        )


@register
class BreakdownRunner(Runner[BreakdownQuery, BreakdownResult]):
    kind = "breakdown"
    query_type = BreakdownQuery
    tables = TABLES_READ

    def summable(self) -> bool:
        """Every KPI is built from additive measures: the total and "others" add the groups up."""
        return not any(CATALOG[k].is_entity_count for k in measures_needed(self.query.kpis))

    def _queries(self) -> dict[str, KpiQuery]:
        q = self.query
        if self.summable():  # one query: the groups carry their measures; total and others add them up
            return {"groups": q.kpi_query(kpis=tuple(dict.fromkeys([*q.kpis, *measures_needed(q.kpis)])))}
        return {"groups": q.kpi_query(), "total": q.kpi_query(grouped=False)}

    def to_expr(self):
        return {name: KpiRunner(kq, con=self.con).to_expr()["kpis"] for name, kq in self._queries().items()}

    def others_query(self, top_values: tuple[str, ...]) -> KpiQuery:
        q = self.query
        return q.kpi_query(grouped=False, extra=(Filter(q.dimension, top_values, exclude=True),))

    def _calculate(self) -> BreakdownResult:
        q = self.query
        sql: dict[str, str] = {}
        queries = self._queries()
        results = self.records(sql)
        parts = measures_needed(q.kpis)
        summable = self.summable()
        grouped = kpi_rows_of_records(queries["groups"], results["groups"], con=self.con)
        # stores set to run no paid ads: the total asks the ungrouped query (no group may have a row), "others" its groups
        no_ads = no_ads_groups(queries["groups"], self.con)
        whole = q.kpi_query(grouped=False)
        total = _combine(grouped, parts, q.kpis, store_level(whole), no_ads_groups(whole, self.con)({})) if summable else kpi_rows_of_records(queries["total"], results["total"], con=self.con)[0]

        def sort_key(row):
            v = row[q.sort_by]
            missing = v is None
            return (missing, -v if (q.descending and not missing) else (v if not missing else 0), str(row[q.dimension]))

        grouped.sort(key=sort_key)
        head = grouped if q.top is None else grouped[: q.top]
        additive = not CATALOG[q.sort_by].is_ratio
        denominator = total[q.sort_by] if additive else None

        def share(v):
            return float(v / denominator) if (denominator and v is not None) else None

        rows = [BreakdownRow(str(r[q.dimension]), {k: r[k] for k in q.kpis}, share(r[q.sort_by])) for r in head]
        if q.top is not None and len(grouped) > q.top:
            if summable:
                others = _combine(grouped[q.top:], parts, q.kpis, store_level(queries["groups"]),
                                  all(no_ads(r) for r in grouped[q.top:]))
            else:  # the second stage: a query excluding the top values
                sub = KpiRunner(self.others_query(tuple(r.value for r in rows)), con=self.con,
                                capture_sql=self.capture_sql)
                sub.timings = self.timings
                others_sql: dict[str, str] = {}
                others = kpi_rows_of_records(sub.query, sub.records(others_sql)["kpis"], con=self.con)[0]
                sql.update({f"others:{k}": v for k, v in others_sql.items()})
            rows.append(BreakdownRow(OTHERS, {k: others[k] for k in q.kpis}, share(others[q.sort_by])))
        return BreakdownResult(q, rows, {k: total[k] for k in q.kpis}, sql=sql)


def _combine(rows: list[dict], parts: list[str], kpis: tuple[str, ...], traffic: bool, no_ads: bool) -> dict:
    """The KPIs of the union of some groups, from the sums of their additive measures (``traffic``: the
    groups are whole stores, so no traffic row means unknown visitors: ``kpis.store_level``; ``no_ads``: every
    store of the union is set to run no paid ads, so no ad report row means a known 0 spend)."""
    # a group's cost of goods may be unknown (None): its lines have no cost, so they add nothing to it
    sums = {k: sum((r[k] for r in rows if r[k] is not None), zero(k)) for k in parts}
    return {k: derive(k, sums, traffic=traffic, no_ads=no_ads) for k in kpis}

