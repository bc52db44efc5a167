"""Results of a send: conversion, repurchase and GMV per recipient, treatment vs holdout.

Over the window ``[sent_at, sent_at + window_days)`` (instants, UTC), from the warehouse's
paid orders (``metrics.sources.paid_orders``: the catalog's definition of a paid order)
of the recipients in the recipient's own store:

* conversion  — share of the group with at least one paid order in the window;
* repurchase  — share of the group with two or more paid orders in the window (the
  catalog's repeat-buyer test, ``repeat_buyers``, over the group instead of the buyers);
* GMV per recipient — paid amount in the window / customers in the group (customers
  without an order count as 0).

Treatment is everyone drawn into the treatment group (intent to treat: a failed
delivery stays in it); customers excluded before the draw (opted out, frequency cap)
are in neither group. Differences and 95% intervals: :mod:`.stats` (Welch / normal
approximation on the per-customer values). The warehouse returns per-group sums and
sums of squares; no order is pulled to Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import ibis
import pandas as pd

from shopops.audience.outreach.stats import Difference, Moments, welch_difference
from shopops.metrics.sources import paid_orders

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    group: str
    customers: int
    buyers: int
    repeaters: int
    orders: int
    gmv: Decimal
    gmv_sq: float

    @property
    def conversion(self) -> float | None:
        return self.buyers / self.customers if self.customers else None

    @property
    def repurchase(self) -> float | None:
        return self.repeaters / self.customers if self.customers else None

    @property
    def gmv_per_customer(self) -> Decimal | None:
        return (self.gmv / self.customers).quantize(CENT, ROUND_HALF_UP) if self.customers else None


@dataclass(frozen=True, slots=True)
class Results:
    window_start: dt.datetime
    window_end: dt.datetime
    treatment: GroupOutcome
    holdout: GroupOutcome
    conversion: Difference
    repurchase: Difference
    gmv: Difference

    def is_complete(self, now: dt.datetime) -> bool:
        return now >= self.window_end

    @property
    def incremental_gmv(self) -> Decimal | None:
        """GMV difference per recipient x treatment customers: the GMV the send added (estimate)."""
        if self.gmv.diff is None:
            return None
        return (Decimal(repr(self.gmv.diff)) * self.treatment.customers).quantize(CENT, ROUND_HALF_UP)


def outcomes(con, *, recipients: pd.DataFrame, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """Per group: customers, buyers, repeaters, orders, gmv, gmv_sq — summed in the warehouse.

    ``recipients``: columns store_id, customer_id, group (``treatment`` / ``holdout``).
    """
    r = ibis.memtable(recipients[["store_id", "customer_id", "group"]].astype(str))
    o = paid_orders(con)
    o = o.filter((o.paid_at >= ibis.literal(start)) & (o.paid_at < ibis.literal(end)))
    per = o.group_by("store_id", "customer_id").aggregate(n=o.count(), gmv=o.paid_amount.sum())
    j = r.inner_join(per, ["store_id", "customer_id"])
    agg = j.group_by("group").aggregate(
        buyers=j.count(),
        repeaters=j.count(where=j.n >= 2),
        orders=j.n.sum(),
        gmv=j.gmv.sum(),
        gmv_sq=(j.gmv.cast("float64") * j.gmv.cast("float64")).sum(),
    ).to_pandas()
    sizes = recipients.groupby("group").size().rename("customers")
    out = pd.DataFrame({"customers": sizes}).join(agg.set_index("group"), how="left")
    return out


def _group(frame: pd.DataFrame, name: str) -> GroupOutcome:
    if name not in frame.index:
        return GroupOutcome(name, 0, 0, 0, 0, Decimal("0.00"), 0.0)
    row = frame.loc[name]

    def n(v) -> int:
        return 0 if pd.isna(v) else int(v)

    gmv = row.get("gmv")
    return GroupOutcome(name, n(row["customers"]), n(row.get("buyers")), n(row.get("repeaters")), n(row.get("orders")),
                        Decimal("0.00") if gmv is None or pd.isna(gmv) else Decimal(str(gmv)).quantize(CENT),
                        0.0 if pd.isna(row.get("gmv_sq")) else float(row.get("gmv_sq")))


def results_compute(con, *, recipients: pd.DataFrame, sent_at: dt.datetime, window_days: int) -> Results:
    start, end = sent_at, sent_at + dt.timedelta(days=window_days)
    frame = outcomes(con, recipients=recipients, start=start, end=end)
    t, h = _group(frame, "treatment"), _group(frame, "holdout")

    def binary(g: GroupOutcome, k: int) -> Moments:
        return Moments(g.customers, float(k), float(k))

    return Results(
        window_start=start, window_end=end, treatment=t, holdout=h,
        conversion=welch_difference(binary(t, t.buyers), binary(h, h.buyers)),
        repurchase=welch_difference(binary(t, t.repeaters), binary(h, h.repeaters)),
        gmv=welch_difference(Moments(t.customers, float(t.gmv), t.gmv_sq), Moments(h.customers, float(h.gmv), h.gmv_sq)),
    )
