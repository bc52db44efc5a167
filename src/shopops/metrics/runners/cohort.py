"""Cohort retention: buyers by the month of their first paid order × months since.

A buyer (per store) belongs to cohort M, the month of their first paid order ever in that
store. For k >= 1, ``customers`` is how many of the cohort have a paid order in month
M + k and ``rate`` that count / the cohort size; k = 0 is the cohort itself (rate 1).
``period`` selects the cohorts (first paid month within it); activity is counted up to
``months`` months after each cohort, whatever the period.

    run_query(CohortQuery(Period.parse("2025-01-01..2025-06-30"), months=6))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import ibis.expr.types as ir
import pandas as pd

from shopops.core.periods import Period
from shopops.metrics.runners.base import Response, Runner, register
from shopops.metrics.sources import paid_orders


@dataclass(frozen=True, slots=True)
class CohortQuery:
    period: Period
    stores: tuple[str, ...] = ()
    months: int = 12


@dataclass(slots=True)
class CohortCell:
    cohort: dt.date  # first day of the cohort month
    size: int
    months_since: int
    customers: int
    rate: float


@dataclass(slots=True)
class CohortResult(Response):
    query: CohortQuery
    cells: list[CohortCell]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(c) for c in self.cells],
                            columns=["cohort", "size", "months_since", "customers", "rate"])

    def matrix(self, value: str = "rate") -> pd.DataFrame:
        """Cohorts as rows, months since as columns (months after the data are absent, not 0)."""
        frame = self.to_frame()
        if frame.empty:
            return frame
        return frame.pivot(index="cohort", columns="months_since", values=value)


def _month_index(d: ir.DateValue) -> ir.IntegerValue:
    return d.year() * 12 + d.month()


@register
class CohortRunner(Runner[CohortQuery, CohortResult]):
    kind = "cohort"
    query_type = CohortQuery
    tables = ("orders",)

    def to_expr(self) -> dict[str, ir.Table]:
        q = self.query
        o = paid_orders(self.con)
        if q.stores:
            o = o.filter(o.store_id.isin(list(q.stores)))
        # one row per (store, buyer, month with a paid order): de-duplicate first
        active = o.group_by(o.store_id, o.customer_id, _month_index(o.paid_date).name("m")).aggregate()
        first = active.group_by("store_id", "customer_id").aggregate(c=active.m.min())
        lo, hi = q.period.start, q.period.end
        first = first.filter((first.c >= lo.year * 12 + lo.month) & (first.c <= hi.year * 12 + hi.month))
        j = active.inner_join(first, ["store_id", "customer_id"])
        j = j.mutate(k=j.m - j.c).filter(lambda t: t.k <= q.months)
        return {"cohort": j.group_by("c", "k").aggregate(customers=j.count())}

    def _calculate(self) -> CohortResult:
        sql: dict[str, str] = {}
        frame = self.frames(sql)["cohort"]
        counts = {(int(c), int(k)): int(n)
                  for c, k, n in zip(frame["c"].tolist(), frame["k"].tolist(), frame["customers"].tolist())}
        cells = []
        last = max((c + k for c, k in counts), default=0)  # the last month with data
        for c in sorted({c for c, _ in counts}):
            size = counts[(c, 0)]
            cohort = dt.date((c - 1) // 12, (c - 1) % 12 + 1, 1)
            for k in range(min(self.query.months, last - c) + 1):
                n = counts.get((c, k), 0)
                cells.append(CohortCell(cohort, size, k, n, n / size))
        return CohortResult(self.query, cells, sql=sql)

