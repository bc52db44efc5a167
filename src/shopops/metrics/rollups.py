"""Which KPIs the daily rollups answer, and when the answer is exact.

The loader keeps ``product_daily`` and ``store_daily`` (``shopops.warehouse.rollups``). The KPI
runner (``runners.kpis.KpiRunner.pieces``) asks :func:`plan` for each source of a query which of
its base KPIs the rollup answers; those come from the rollup, the rest from the raw tables, in the
same single statement — callers see no difference.

A KPI is answered from a rollup when

* the rollup has a column for it (``COVERED``: a sum, or a per-day distinct count), and
* every dimension the query groups or filters by is on the rollup's rows (its store and product)
  or joined to them the same way the raw path joins them (platform from ``stores``, category from
  ``products``) — traffic source, province, customer type, ad tool … are not, and
* for a distinct count (``item_buyers``, ``paying_buyers``): the query is by day, and for a product
  count also by product — distinct buyers do not add across days or products (they do add across
  stores: a buyer is a (store, buyer) pair).

Each rollup row carries the number of source rows behind it (``line_rows``, ``traffic_rows`` …);
the rollup answer keeps only rows where one of the asked sources has rows, so its groups are
exactly the raw path's (one scan of the rollup for every KPI it answers in a query).

``rollup_reads(False)`` turns the rollups off for the code inside (the parity tests and the
benchmarks compare both paths); ``SHOPOPS_ROLLUPS=0`` turns them off for a process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import ibis.expr.types as ir

from shopops.core.periods import Grain, Period
from shopops.metrics.sources import BUCKET, Filter, attach, bucket_of, keeps
from shopops.warehouse import rollups as _warehouse


@dataclass(frozen=True, slots=True)
class Covered:
    rollup: str
    column: str  # the rollup column summed
    rows: str  # the column counting the source rows behind a rollup row (presence)
    per_day: bool = False  # a distinct count of the day: exact only by day (and by product for product_daily)


COVERED: dict[str, Covered] = {
    # paid_lines
    "item_gmv": Covered("product_daily", "item_gmv", "line_rows"),
    "units_sold": Covered("product_daily", "units_sold", "line_rows"),
    "item_buyers": Covered("product_daily", "item_buyers", "line_rows", per_day=True),
    # paid_lines_costed
    "cogs": Covered("product_daily", "cogs", "line_rows"),
    "costed_item_gmv": Covered("product_daily", "costed_gmv", "line_rows"),
    # stock (snapshots joined to skus for the product)
    "stock_unit_days": Covered("product_daily", "stock_unit_days", "stock_rows"),
    # traffic (the platforms' product traffic report)
    "visitor_days": Covered("product_daily", "visitor_days", "traffic_rows"),
    # reviews
    "review_count": Covered("product_daily", "review_rows", "review_rows"),
    "rated_reviews": Covered("product_daily", "rated_reviews", "review_rows"),
    "positive_reviews": Covered("product_daily", "positive_reviews", "review_rows"),
    "bad_reviews": Covered("product_daily", "bad_reviews", "review_rows"),
    # paid_orders
    "gmv": Covered("store_daily", "gmv", "order_rows"),
    "paid_orders": Covered("store_daily", "order_rows", "order_rows"),
    "paying_buyers": Covered("store_daily", "paying_buyers", "order_rows", per_day=True),
    "store_discount": Covered("store_daily", "store_discount", "order_rows"),
    "platform_discount": Covered("store_daily", "platform_discount", "order_rows"),
    # refunds_of_paid_orders
    "refund_amount": Covered("store_daily", "refund_amount", "refund_rows"),
    "refunded_orders": Covered("store_daily", "refunded_orders", "refund_rows"),
}
# dimensions on (or joined to) each rollup's rows
DIMENSIONS: dict[str, frozenset[str]] = {
    "product_daily": frozenset({"store_id", "product_id", "platform", "category"}),
    "store_daily": frozenset({"store_id", "platform"}),
}

_enabled: ContextVar[bool] = ContextVar("shopops_rollup_reads", default=True)


@contextlib.contextmanager
def rollup_reads(enabled: bool) -> Iterator[None]:
    """Answer from the rollups (True, the default) or only from the raw tables (False) inside."""
    token = _enabled.set(enabled)
    try:
        yield
    finally:
        _enabled.reset(token)


def enabled(con) -> bool:
    """Rollups are read on this connection: not turned off, and the warehouse has them."""
    if not _enabled.get() or os.environ.get("SHOPOPS_ROLLUPS", "1") == "0":
        return False
    return _warehouse.available(con)


def answerable(kid: str, *, grain: Grain | None, by: tuple[str, ...], filters: tuple[Filter, ...]) -> bool:
    """Whether the rollup answers ``kid`` exactly for a query with this grain, grouping and filters."""
    c = COVERED.get(kid)
    if c is None:
        return False
    if not {*by, *(f.dimension for f in filters)} <= DIMENSIONS[c.rollup]:
        return False
    if c.per_day:
        return grain is Grain.DAY and (c.rollup != "product_daily" or "product_id" in by)
    return True


def plan(kids: list[str], *, grain: Grain | None, by: tuple[str, ...], filters: tuple[Filter, ...]) -> dict[str, list[str]]:
    """The base KPIs (of ``kids``) to answer from each rollup: {rollup table: KPIs}."""
    out: dict[str, list[str]] = {}
    for k in kids:
        if answerable(k, grain=grain, by=by, filters=filters):
            out.setdefault(COVERED[k].rollup, []).append(k)
    return out


def rollup_piece(con, kids: list[str], *, period: Period, grain: Grain | None, stores: tuple[str, ...],
                 by: tuple[str, ...], filters: tuple[Filter, ...]) -> ir.Table:
    """One aggregate of one rollup answering ``kids``, grouped by the bucket and ``by`` like the raw
    pieces (``runners.kpis._keys``). Its groups are those where any of the KPIs' sources has rows —
    the union the raw path's outer join of one piece per source gives; a KPI whose source has no row
    in a group sums to null there, as the raw join leaves it (both read as 0)."""
    covered = [COVERED[k] for k in kids]
    rollup = covered[0].rollup
    assert all(c.rollup == rollup for c in covered), kids
    t = con.table(rollup)
    present = None
    for rows in dict.fromkeys(c.rows for c in covered):
        present = t[rows] > 0 if present is None else present | (t[rows] > 0)
    t = t.filter(present, t.date >= period.start, t.date <= period.end)
    if stores:
        t = t.filter(t.store_id.isin(list(stores)))
    t = t.mutate(_date=t.date)
    if grain:
        t = t.mutate(**{BUCKET: bucket_of(t._date, grain)})
    for dim in dict.fromkeys([*by, *(f.dimension for f in filters)]):
        t = attach(con, t, dim, period=period, grain=grain)
    for f in filters:
        t = t.filter(keeps(t[f.dimension], f))
    keys: list[ir.Value] = ([t[BUCKET]] if grain else []) + [t[d].fill_null("").name(d) for d in by]
    aggs = {kid: t[c.column].sum() for kid, c in zip(kids, covered)}
    return t.aggregate(aggs, by=keys) if keys else t.aggregate(aggs)


__all__ = ["COVERED", "DIMENSIONS", "Covered", "answerable", "enabled", "plan", "rollup_piece", "rollup_reads"]
