"""Lifecycle stages (new, active, at risk, churned, reactivated) and the VIP flag, as of any date.

Stage of a customer of a store on day ``D`` (business dates; "days since X" is ``D − X``)
-------------------------------------------------------------------------------------------
Only customers with a paid order on or before ``D`` have a stage. With the store's rules
(:class:`StageRules`, from ``CustomerSettings``: ``new_days``, ``active_days``,
``churn_days``), checked in this order:

1. **new** — first paid order less than ``new_days`` days ago;
2. **churned** — last paid order ``churn_days`` or more days ago;
3. **reactivated** — their latest *return* is less than ``active_days`` days ago, a
   return being a paid order placed ``churn_days`` or more days after the customer's
   previous paid order (they had churned, then came back);
4. **active** — last paid order less than ``active_days`` days ago;
5. **at_risk** — otherwise (last order ``active_days`` to ``churn_days − 1`` days ago).

**VIP** (a flag, not a stage): GMV of paid orders in the 365 days ending ``D`` at least
``vip_min_spend`` *and* at least ``vip_min_orders`` such orders.

**Transitions** (:func:`stage_transitions`): for each month end ``E`` (the last month ends
on ``as_of``) and each customer with a stage on ``E``, the pair (stage on the previous
month end, stage on ``E``); ``none`` when they had no paid order by the previous month end.
Stage counts per month are the ``to`` side summed. Everything is computed in the
warehouse: one row per customer and month after their first order, through a range join
of each customer's active months with the month ends.

``StageRules`` and the pandas reference :func:`stage_of` have no Django import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir

STAGES: tuple[str, ...] = ("new", "active", "reactivated", "at_risk", "churned")
NONE = "none"  # "not a customer yet" on the from-side of a transition
GUEST_PREFIX = "guest:"  # ingest names unidentified buyers guest:<order>: they are not customers here


@dataclass(frozen=True, slots=True)
class StageRules:
    """One store's lifecycle and VIP rules (defaults equal ``CustomerSettings``' defaults)."""

    new_days: int = 30
    active_days: int = 90
    churn_days: int = 180
    vip_min_spend: Decimal = Decimal("2000.00")
    vip_min_orders: int = 1
    rfm_window_days: int = 365

    def __post_init__(self) -> None:
        for name in ("new_days", "active_days", "churn_days", "rfm_window_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"StageRules.{name}={value!r}: expected a whole number of days >= 1")
        if self.active_days > self.churn_days:
            raise ValueError(
                f"StageRules.active_days={self.active_days} > churn_days={self.churn_days}: "
                "expected active_days <= churn_days")
        if self.vip_min_orders < 0 or Decimal(self.vip_min_spend) < 0:
            raise ValueError(f"StageRules VIP rule ({self.vip_min_spend}, {self.vip_min_orders}): expected >= 0")

    @classmethod
    def from_settings(cls, s) -> StageRules:
        """From a ``CustomerSettings`` row (duck-typed: no Django import here)."""
        return cls(new_days=s.new_days, active_days=s.active_days, churn_days=s.churn_days,
                   vip_min_spend=Decimal(s.vip_min_spend), vip_min_orders=s.vip_min_orders,
                   rfm_window_days=s.rfm_window_days)


class RulesByStore:
    """Rules per store with a default; turns a rule field into an Ibis CASE over ``store_id``."""

    def __init__(self, default: StageRules | None = None, per_store: dict[str, StageRules] | None = None) -> None:
        self.default = default or StageRules()
        self.per_store = {k: v for k, v in (per_store or {}).items() if k and v != self.default}

    def for_store(self, store_id: str) -> StageRules:
        return self.per_store.get(store_id, self.default)

    def expr(self, store_id: ir.StringValue, field: str, cast: str = "int32") -> ir.Value:
        default = ibis.literal(getattr(self.default, field)).cast(cast)
        if not self.per_store:
            return default
        return ibis.cases(*((store_id == s, ibis.literal(getattr(r, field)).cast(cast)) for s, r in self.per_store.items()),
                          else_=default)

    def __repr__(self) -> str:  # part of cache keys
        return f"RulesByStore({self.default!r}, {sorted(self.per_store.items())!r})"


def stage_of(*, as_of: dt.date, first: dt.date, last: dt.date, last_return: dt.date | None, rules: StageRules) -> str:
    """The stage of one customer (plain Python, the reference for the warehouse expression)."""
    if (as_of - first).days < rules.new_days:
        return "new"
    if (as_of - last).days >= rules.churn_days:
        return "churned"
    if last_return is not None and (as_of - last_return).days < rules.active_days:
        return "reactivated"
    if (as_of - last).days < rules.active_days:
        return "active"
    return "at_risk"


def stage_expr(*, tenure_days: ir.IntegerValue, recency_days: ir.IntegerValue, return_days: ir.IntegerValue,
               new_days: ir.IntegerValue, active_days: ir.IntegerValue, churn_days: ir.IntegerValue) -> ir.StringValue:
    """The same rule as :func:`stage_of` over day counts (``return_days`` null: never returned)."""
    return ibis.cases(
        (tenure_days < new_days, "new"),
        (recency_days >= churn_days, "churned"),
        (return_days.notnull() & (return_days < active_days), "reactivated"),
        (recency_days < active_days, "active"),
        else_="at_risk",
    )


def order_days(paid: ir.Table, *, as_of: dt.date, rules: RulesByStore) -> ir.Table:
    """One row per (store, customer, paid_date ≤ as_of) with ``is_return`` (the gap before it ≥ churn_days)."""
    days = paid.filter(paid.paid_date <= as_of).select("store_id", "customer_id", "paid_date").distinct()
    w = ibis.window(group_by=[days.store_id, days.customer_id], order_by=[days.paid_date])
    prev = days.paid_date.lag().over(w)
    gap = days.paid_date.delta(prev, unit="day")
    churn = rules.expr(days.store_id, "churn_days")
    return days.mutate(is_return=prev.notnull() & (gap >= churn))


def month_ends(start: dt.date, as_of: dt.date) -> list[dt.date]:
    """The last day of each month from ``start``'s month to ``as_of``'s (the last one is ``as_of``)."""
    if start > as_of:
        raise ValueError(f"month_ends: start {start} is after as_of {as_of}")
    out, y, m = [], start.year, start.month
    while (y, m) <= (as_of.year, as_of.month):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append(min(dt.date(ny, nm, 1) - dt.timedelta(days=1), as_of))
        y, m = ny, nm
    return out


def stage_history(paid: ir.Table, *, start: dt.date, as_of: dt.date, rules: RulesByStore) -> ir.Table:
    """(store_id, customer_id, month_end, stage, prev_stage) for every month end in start..as_of.

    ``paid`` is the paid orders (already scoped to stores / identified customers).
    """
    ends = month_ends(start, as_of)
    days = order_days(paid, as_of=as_of, rules=rules)
    # per customer and month with a paid order: last order, latest return so far, first order
    days = days.mutate(m=days.paid_date.truncate("M"),
                       ret=days.is_return.ifelse(days.paid_date, ibis.null("date")))
    months = days.group_by("store_id", "customer_id", "m").aggregate(last=days.paid_date.max(), ret_m=days.ret.max())
    w = ibis.window(group_by=[months.store_id, months.customer_id], order_by=[months.m])
    w_all = ibis.window(group_by=[months.store_id, months.customer_id], order_by=[months.m],
                        preceding=None, following=0)
    far = dt.date(9999, 12, 1)
    months = months.mutate(
        ret=months.ret_m.max().over(w_all),
        next_m=months.m.lead().over(w).fill_null(ibis.literal(far, type="date")),
    )
    # the first paid date (not month) is needed for "new": take it from the day rows
    first_day = days.group_by("store_id", "customer_id").aggregate(first_day=days.paid_date.min())
    months = months.inner_join(first_day, ["store_id", "customer_id"])
    # prepend the month end before `start` so the first month has a from-stage
    before = dt.date(start.year, start.month, 1) - dt.timedelta(days=1)
    cal = ibis.memtable({"month_end": [before, *ends]}, schema={"month_end": "date"})
    cal = cal.mutate(me_m=cal.month_end.truncate("M"))
    j = months.join(cal, [months.m <= cal.me_m, cal.me_m < months.next_m])
    stage = stage_expr(
        tenure_days=j.month_end.delta(j.first_day, unit="day"),
        recency_days=j.month_end.delta(j.last, unit="day"),
        return_days=j.month_end.delta(j.ret, unit="day"),
        new_days=rules.expr(j.store_id, "new_days"),
        active_days=rules.expr(j.store_id, "active_days"),
        churn_days=rules.expr(j.store_id, "churn_days"),
    )
    h = j.select("store_id", "customer_id", "month_end", stage=stage)
    wp = ibis.window(group_by=[h.store_id, h.customer_id], order_by=[h.month_end])
    prev_end = h.month_end.lag().over(wp)
    prev = h.stage.lag().over(wp)
    # the previous row is the previous month end only when the customer existed then
    cal_prev = ibis.memtable({"month_end": ends, "prev_end": [before, *ends[:-1]]},
                             schema={"month_end": "date", "prev_end": "date"})
    h = h.mutate(prev_row_end=prev_end, prev_stage=prev)
    h = h.inner_join(cal_prev, "month_end")
    h = h.mutate(prev_stage=(h.prev_row_end == h.prev_end).ifelse(h.prev_stage, ibis.literal(NONE)))
    return h.select("store_id", "customer_id", "month_end", "stage", h.prev_stage.fill_null(NONE).name("prev_stage"))


def stage_transitions(paid: ir.Table, *, start: dt.date, as_of: dt.date, rules: RulesByStore) -> ir.Table:
    """(month_end, from_stage, to_stage, customers) for every month end from start's month to as_of."""
    h = stage_history(paid, start=start, as_of=as_of, rules=rules)
    return h.group_by("month_end", from_stage=h.prev_stage, to_stage=h.stage).aggregate(customers=h.count())
