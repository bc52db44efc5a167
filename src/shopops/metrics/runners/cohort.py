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

import ibis
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


MASK_ENGINES = ("duckdb", "postgres")  # engines whose Ibis compiler has bit_or and shifts (Spark's has not)
MASK_BITS = 62  # months a buyer's mask can hold (bit 0: any month before the first cohort)


@register
class CohortRunner(Runner[CohortQuery, CohortResult]):
    kind = "cohort"
    query_type = CohortQuery
    tables = ("orders",)

    def _months(self) -> tuple[int, int, int]:
        """(first cohort month, last cohort month, bits a buyer's month mask needs)."""
        lo, hi = self.query.period.start, self.query.period.end
        lo_m, hi_m = lo.year * 12 + lo.month, hi.year * 12 + hi.month
        return lo_m, hi_m, hi_m + self.query.months - lo_m + 2

    def _masked(self) -> bool:
        return self.con.name in MASK_ENGINES and self._months()[2] <= MASK_BITS

    def to_expr(self) -> dict[str, ir.Table]:
        q = self.query
        o = paid_orders(self.con)
        if q.stores:
            o = o.filter(o.store_id.isin(list(q.stores)))
        lo_m, hi_m, _ = self._months()
        if self._masked():
            # one pass: per buyer the first month ever and a mask of the months with a paid order (bit 1 is
            # the first cohort's month, bit 0 any month before it); then per cohort, for each k, the buyers
            # whose mask has the bit of month c + k. One aggregation over the orders instead of two, a join
            # and a third (the shape of the hand-written SQL): a third less CPU on the medium demo.
            o = o.select("store_id", "customer_id", _m=_month_index(o.paid_date).cast("int32"))
            pos = ibis.greatest(o._m - (lo_m - 1), 0)  # PostgreSQL shifts a bigint by an integer
            bit = (o._m <= hi_m + q.months).ifelse(ibis.literal(1).cast("int64") << pos, 0)
            per = o.group_by(o.store_id, o.customer_id).aggregate(c=o._m.min(), _months=bit.bit_or())
            per = per.filter((per.c >= lo_m) & (per.c <= hi_m))
            shift = (per.c - (lo_m - 1)).cast("int32")
            return {"cohort": per.group_by("c").aggregate(**{
                f"k{k}": ((per._months >> (shift + k)) & 1).sum() for k in range(q.months + 1)})}
        # one row per (store, buyer, month with a paid order): de-duplicate first
        active = o.group_by(o.store_id, o.customer_id, _month_index(o.paid_date).name("m")).aggregate()
        first = active.group_by("store_id", "customer_id").aggregate(c=active.m.min())
        first = first.filter((first.c >= lo_m) & (first.c <= hi_m))
        j = active.inner_join(first, ["store_id", "customer_id"])
        j = j.mutate(k=j.m - j.c).filter(lambda t: t.k <= q.months)
        return {"cohort": j.group_by("c", "k").aggregate(customers=j.count())}

    def _counts(self, sql: dict[str, str]) -> dict[tuple[int, int], int]:
        """(cohort month index, months since) -> buyers, whichever shape the engine ran."""
        records = self.records(sql)["cohort"]
        if self._masked():
            return {(int(r["c"]), k): int(r[f"k{k}"]) for r in records for k in range(self.query.months + 1)
                    if r[f"k{k}"]}
        return {(int(r["c"]), int(r["k"])): int(r["customers"]) for r in records}

    def _calculate(self) -> CohortResult:
        sql: dict[str, str] = {}
        counts = self._counts(sql)
        cells = []
        last = max((c + k for c, k in counts), default=0)  # the last month with data
        for c in sorted({c for c, _ in counts}):
            size = counts[(c, 0)]
            cohort = dt.date((c - 1) // 12, (c - 1) % 12 + 1, 1)
            for k in range(min(self.query.months, last - c) + 1):
                n = counts.get((c, k), 0)
                cells.append(CohortCell(cohort, size, k, n, n / size))
        return CohortResult(self.query, cells, sql=sql)

