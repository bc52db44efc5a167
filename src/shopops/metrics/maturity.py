"""Refund KPIs on a matured basis: compare periods at the same order age.

Refunds are dated by the paid date of the order they reverse (catalog source
``refunds_of_paid_orders``), so the refund rate of last week is low simply because last
week's orders have not had time to be refunded: 0.64 % vs 3.80 % is not an improvement.

Two rules, used by the cockpit and the weekly / monthly reports:

* **Same order age.** The base period is read as it stood when its orders were as old as
  the current period's are now: only refunds with ``refund_date`` on or before
  ``as_of − offset`` count, where ``offset`` is the distance between the two periods
  (the previous period: its length; the same period last year: the year). Each base day's
  orders then had exactly the time the matching current day's orders have had.
* **Immature.** A period whose last orders are younger than ``MATURITY_DAYS`` (7-day
  returns, shipping back and the platform's handling take about a month) still collects
  refunds: its figure is marked, and a fall is never called an improvement.

Reads the warehouse through Ibis only; no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis

from shopops.core.periods import Period
from shopops.metrics.runners.base import compiled_sql
from shopops.metrics.sources import paid_orders
from shopops.warehouse.backends.compiled import execute_compiled_records
from shopops.warehouse.connection import connect

MATURITY_DAYS = 30
# KPIs whose value grows as refunds arrive after the period
REFUND_KPIS = frozenset({"refund_rate", "refund_order_rate", "refund_amount", "refunded_orders", "net_sales"})
TOTAL = ""  # the key of the all-stores figure


def is_mature(period: Period, as_of: dt.date | None) -> bool:
    """Whether every order of ``period`` is at least ``MATURITY_DAYS`` old on ``as_of``."""
    return as_of is not None and (as_of - period.end).days >= MATURITY_DAYS


@dataclass(frozen=True, slots=True)
class RefundFigures:
    """Refunds of the orders paid in a period, as known on ``known_by``."""

    gmv: Decimal
    paid_orders: int
    refund_amount: Decimal
    refunded_orders: int
    # the GMV of orders of stores with refund data (a refund row ever: ``catalog.refund_unknown``); None: not asked
    covered_gmv: Decimal | None = None

    @property
    def unknown(self) -> bool:
        """Orders were paid and none of them is of a store with refund data: every refund figure is unknown."""
        return self.covered_gmv is not None and bool(self.gmv) and not self.covered_gmv

    @property
    def refund_rate(self) -> float | None:
        return float(self.refund_amount / self.gmv) if self.gmv else None

    @property
    def refund_order_rate(self) -> float | None:
        return self.refunded_orders / self.paid_orders if self.paid_orders else None

    @property
    def net_sales(self) -> Decimal:
        return self.gmv - self.refund_amount

    def value(self, kpi: str):
        """The KPI's value; None (unknown, not 0) for a store (or stores) without refund data."""
        return None if self.unknown else getattr(self, kpi)


def refund_figures(*, period: Period, known_by: dt.date | None, stores: tuple[str, ...] = (), by_store: bool = False,
                   con: ibis.BaseBackend | None = None) -> dict[str, RefundFigures]:
    """Refund figures of the orders paid in ``period`` counting successful refunds dated on or
    before ``known_by`` (all of them when None), by store id (``by_store``) or in total (key ``""``).
    The two statements are compiled once per set of inputs (the cockpit, the comparison tables and
    the reports ask for the same periods again after every import)."""
    con = con or connect()
    stores = tuple(stores)

    def build() -> dict[str, ibis.Table]:
        orders = paid_orders(con, period)
        if stores:
            orders = orders.filter(orders.store_id.isin(list(stores)))
        r = con.table("refunds")
        r = r.filter(r.status == "success")
        if known_by is not None:  # a refund without its refund date yet counts from the day it was asked for
            day = r.refund_date.fill_null(r.requested_at.date())
            r = r.filter(day.notnull() & (day <= known_by))
        refunds = r.inner_join(orders.select("store_id", "order_id"), ["store_id", "order_id"])
        # stores with refund data: a refund row ever, of any status (``catalog.refund_unknown``)
        every = con.table("refunds")
        with_refunds = every.select("store_id").distinct().mutate(_refund_data=ibis.literal(1, type="int8"))
        orders = orders.left_join(with_refunds, "store_id").select(*orders.columns, "_refund_data")
        keys = ["store_id"] if by_store else []
        sales = dict(gmv=orders.paid_amount.sum(), paid_orders=orders.count(),
                     covered_gmv=orders.paid_amount.sum(where=orders._refund_data.notnull()))
        back = dict(refund_amount=refunds.amount.sum(),
                    refunded_orders=(refunds.store_id.cast("string") + "|" + refunds.order_id).nunique())
        if keys:
            return {"sales": orders.group_by(keys).aggregate(**sales), "back": refunds.group_by(keys).aggregate(**back)}
        return {"sales": orders.aggregate(**sales), "back": refunds.aggregate(**back)}

    sql = compiled_sql(con, ("refund_figures", period, known_by, stores, by_store), build)
    rows = {name: execute_compiled_records(con, *sql[name]) for name in sql}
    got: dict[str, RefundFigures] = {}
    refunded = {(row.get("store_id") or TOTAL): row for row in rows["back"]}
    for row in rows["sales"]:
        key = row.get("store_id") or TOTAL
        rr = refunded.get(key, {})
        got[key] = RefundFigures(
            gmv=Decimal(row["gmv"] or 0).quantize(Decimal("0.01")), paid_orders=int(row["paid_orders"] or 0),
            refund_amount=Decimal(rr.get("refund_amount") or 0).quantize(Decimal("0.01")),
            refunded_orders=int(rr.get("refunded_orders") or 0),
            covered_gmv=Decimal(row["covered_gmv"] or 0).quantize(Decimal("0.01")))
    return got


@dataclass(frozen=True, slots=True)
class RefundComparison:
    """A refund KPI of ``period`` against ``base`` at the same order age."""

    kpi: str
    current: object
    base: object  # the base period as known ``offset`` days before ``as_of``
    known_by: dt.date  # refunds of the base period counted up to this day
    mature: bool  # the current period's orders are all ``MATURITY_DAYS`` old

    @property
    def change(self) -> float | None:
        if self.current is None or not self.base:
            return None
        return float((Decimal(str(self.current)) - Decimal(str(self.base))) / Decimal(str(self.base)))


def refund_comparisons(*, kpis: tuple[str, ...], period: Period, base: Period, as_of: dt.date,
                       stores: tuple[str, ...] = (), by_store: bool = False,
                       con: ibis.BaseBackend | None = None) -> dict[tuple[str, str], RefundComparison]:
    """``{(kpi, store key): RefundComparison}`` for the refund KPIs among ``kpis``."""
    wanted = [k for k in kpis if k in REFUND_KPIS]
    if not wanted:
        return {}
    con = con or connect()
    known_by = as_of - (period.start - base.start)
    now = refund_figures(period=period, known_by=as_of, stores=stores, by_store=by_store, con=con)
    then = refund_figures(period=base, known_by=known_by, stores=stores, by_store=by_store, con=con)
    mature = is_mature(period, as_of)
    out = {}
    for key in sorted(set(now) | set(then)):
        for kpi in wanted:
            cur = now[key].value(kpi) if key in now else None
            old = then[key].value(kpi) if key in then else None
            out[(kpi, key)] = RefundComparison(kpi, cur, old, known_by, mature)
    return out
