"""Customer facts: one row per (store_id, customer_id), computed in the warehouse through Ibis.

``customer_facts(con, as_of=date(2025, 11, 30))`` returns an Ibis table expression (nothing
runs until you ``execute`` / ``to_pyarrow`` it, or filter and count it in the warehouse).
Paid orders are the metrics layer's (``metrics.sources.paid_orders``: status not
``pending_payment``/``closed``, ``paid_date`` set) and GMV is the catalog's ``gmv``
measure (sum of ``orders.paid_amount``); only orders paid on or before ``as_of`` count.
Guests (``customer_id`` ``guest:<order>``, buyers the export could not identify) are not
customers here. Ids are unique within a store only, so the key is (store_id, customer_id).

Columns (exact names; segment rules are written against them)
--------------------------------------------------------------
=====================  =========  =====================================================================
column                 type       meaning
=====================  =========  =====================================================================
store_id               string     store
customer_id            string     buyer id in the store
unified_id             string     ``customers.unified_id`` (same person across stores), null if unknown
platform               string     the store's platform (``tmall``, ``jd``, ``own`` …) = the channel
province               string     ``customers.province``, else the province of their latest paid order
city                   string     ``customers.city``, else the city of their latest paid order
first_order_date       date       business date of their first paid order
last_order_date        date       business date of their latest paid order (≤ as_of)
tenure_days            int        as_of − first_order_date
recency_days           int        as_of − last_order_date (0 = bought on as_of)
orders                 int        paid orders, lifetime up to as_of
gmv                    decimal    GMV of those orders
aov                    decimal    gmv / orders, rounded to the cent (笔单价 of this customer)
orders_window          int        paid orders in the RFM window (the ``window_days`` days ending as_of)
gmv_window             decimal    GMV of those (0 when none)
orders_12m             int        paid orders in the 365 days ending as_of (the VIP rule's window)
gmv_12m                decimal    GMV of those
refunds                int        successful refunds on their paid orders, refunded on or before as_of
refund_amount          decimal    amount of those refunds (0 when none)
reviews                int        reviews they posted on or before as_of
negative_reviews       int        of those, rated 1–2 (差评)
top_category           string     category with the most GMV in their paid order lines (ties: by name)
last_return_date       date       latest paid order placed ≥ churn_days after their previous one
in_window              boolean    orders_window > 0 (only these are RFM-scored)
r_score                int8       1–5 recency quintile within the store (null outside the window)
f_score                int8       1–5 frequency quintile (orders_window)
m_score                int8       1–5 monetary quintile (gmv_window)
fm_score               int8       floor((f_score + m_score) / 2)
rfm_segment            string     named RFM group (``customers.rfm.GROUPS``), null outside the window
stage                  string     lifecycle stage on as_of (``customers.lifecycle.STAGES``)
is_vip                 boolean    gmv_12m ≥ vip_min_spend and orders_12m ≥ vip_min_orders
=====================  =========  =====================================================================

Scoring and stage rules: :mod:`shopops.customers.rfm`, :mod:`shopops.customers.lifecycle`.
The window and stage/VIP rules are passed in (``rules=``: one ``StageRules`` for every store,
or ``customers.stage_rules.store_rules()``, each store's ``CustomerSettings`` from the app
DB); this module imports no Django. ``window_days=`` overrides the window for every store.

Also here: :func:`customer_categories` (store, customer, category, gmv, orders — for
"bought in category X" rules) and :func:`unified_customer_facts` (one row per person
across stores, by ``unified_id``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from shopops.customers import rfm
from shopops.customers.lifecycle import (
    GUEST_PREFIX, RulesByStore, StageRules, order_days, stage_expr, stage_history,
    stage_transitions,
)
from shopops.metrics.catalog import CATALOG
from shopops.metrics.sources import paid_orders
from shopops.warehouse.schema import MONEY

COLUMNS: tuple[str, ...] = (
    "store_id", "customer_id", "unified_id", "platform", "province", "city",
    "first_order_date", "last_order_date", "tenure_days", "recency_days",
    "orders", "gmv", "aov", "orders_window", "gmv_window", "orders_12m", "gmv_12m",
    "refunds", "refund_amount", "reviews", "negative_reviews", "top_category", "last_return_date",
    "in_window", "r_score", "f_score", "m_score", "fm_score", "rfm_segment", "stage", "is_vip",
)
VIP_WINDOW_DAYS = 365


def _rules(rules: RulesByStore | StageRules) -> RulesByStore:
    """The stage rules callers pass in (``customers.stage_rules.store_rules`` reads the stores'
    settings from the app DB): this module imports no Django."""
    if isinstance(rules, StageRules):
        return RulesByStore(rules)
    return rules


def _check(as_of, store_ids, window_days) -> list[str] | None:
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise ValueError(f"customer_facts: as_of={as_of!r}: expected a date (the store's business day)")
    if window_days is not None and (not isinstance(window_days, int) or window_days < 1):
        raise ValueError(f"customer_facts: window_days={window_days!r}: expected a whole number of days >= 1")
    if store_ids is None:
        return None
    if isinstance(store_ids, str):
        return [store_ids]
    return list(store_ids)


def customer_orders(con, *, as_of: dt.date, store_ids: list[str] | None = None) -> ir.Table:
    """Paid orders of identified customers, paid on or before ``as_of`` (the base of every fact here)."""
    o = paid_orders(con)
    o = o.filter(o.paid_date <= as_of, ~o.customer_id.startswith(GUEST_PREFIX))
    if store_ids is not None:
        o = o.filter(o.store_id.isin(store_ids))
    return o


def customer_categories(con, *, as_of: dt.date, store_ids=None) -> ir.Table:
    """(store_id, customer_id, category, gmv, orders): what each customer bought, by product category.

    Lines of their paid orders joined to ``products``; a missing category is ``""``.
    """
    store_ids = _check(as_of, store_ids, None)
    o = customer_orders(con, as_of=as_of, store_ids=store_ids).select("store_id", "order_id", "customer_id")
    lines = con.table("order_lines").select("store_id", "order_id", "product_id", "paid_amount")
    if store_ids is not None:
        lines = lines.filter(lines.store_id.isin(store_ids))
    products = con.table("products").select("store_id", "product_id", "category")
    j = lines.inner_join(o, ["store_id", "order_id"]).left_join(products, ["store_id", "product_id"])
    j = j.select("store_id", "customer_id", "order_id", "paid_amount", category=j.category.fill_null(""))
    return j.group_by("store_id", "customer_id", "category").aggregate(
        gmv=j.paid_amount.sum(), orders=j.order_id.nunique())


def _money_per(amount: ir.NumericValue, count: ir.IntegerValue) -> ir.NumericValue:
    """amount / count rounded half up to the cent, in exact integer arithmetic on every engine."""
    cents = (amount * 100).cast("int64")
    sign = (cents < 0).ifelse(-1, 1)
    rounded = sign * ((2 * cents.abs() + count) // (2 * count))
    return (rounded.cast(MONEY) * ibis.literal(Decimal("0.01"), type=MONEY)).cast(MONEY)


def _zero_money() -> ir.Value:
    return ibis.literal(0).cast(MONEY)


RFM_COLUMNS: tuple[str, ...] = (
    "store_id", "customer_id", "last_order_date", "recency_days", "orders_window", "gmv_window",
    "r_score", "f_score", "m_score", "fm_score", "rfm_segment",
)


def _rfm_scored(con, o: ir.Table, *, day: ir.DateValue, window: ir.IntegerValue) -> ir.Table:
    """The RFM columns (:data:`RFM_COLUMNS`) of the customers with a paid order in the window, from
    their paid orders ``o`` (with ``_ago``, days before as_of) alone: their last order is in the window,
    so its recency is the lifetime one. On PostgreSQL the scores are joined on one key column
    (``rfm.score_table``'s ``one_key``: its planner turned the two-column join into a filter over
    customers × values)."""
    w = o.filter(o._ago < window)
    agg = w.group_by("store_id", "customer_id").aggregate(
        last_order_date=w.paid_date.max(), orders_window=w.count(), gmv_window=w.paid_amount.sum())
    agg = agg.mutate(recency_days=day.delta(agg.last_order_date, unit="day"),
                     gmv_window=agg.gmv_window.fill_null(_zero_money()))
    return rfm.score_table(agg, one_key=con.name == "postgres").select(*RFM_COLUMNS)


def _aged_orders(con, *, as_of: dt.date, store_ids: Iterable[str] | None, window_days: int | None,
                 rules: RulesByStore | StageRules) -> tuple[ir.Table, ir.DateValue, ir.IntegerValue]:
    """The customers' paid orders up to ``as_of`` with ``_ago`` (days before it), the day as a literal and
    each store's RFM window (``window_days`` or the store's rule)."""
    store_ids = _check(as_of, store_ids, window_days)
    rules = _rules(rules)
    day = ibis.literal(as_of, type="date")
    o = customer_orders(con, as_of=as_of, store_ids=store_ids)
    o = o.mutate(_ago=day.delta(o.paid_date, unit="day"))
    window = ibis.literal(window_days) if window_days is not None else rules.expr(o.store_id, "rfm_window_days")
    return o, day, window


def rfm_facts(con, *, as_of: dt.date, store_ids: Iterable[str] | None = None, window_days: int | None = None,
              rules: RulesByStore | StageRules) -> ir.Table:
    """The RFM columns of :func:`customer_facts` (:data:`RFM_COLUMNS`, the same values), one row per
    customer *in the window* (``in_window``), computed from their paid orders in the window only —
    none of the other facts' joins (lines, refunds, reviews, profiles), which made an RFM grid of the
    large demo cost 25 s of CPU instead of ~2."""
    o, day, window = _aged_orders(con, as_of=as_of, store_ids=store_ids, window_days=window_days, rules=rules)
    return _rfm_scored(con, o, day=day, window=window)


def customer_facts(con, *, as_of: dt.date, store_ids: Iterable[str] | None = None, window_days: int | None = None,
                   rules: RulesByStore | StageRules) -> ir.Table:
    """One row per (store_id, customer_id) with the columns listed in the module docstring."""
    store_ids = _check(as_of, store_ids, window_days)
    rules = _rules(rules)
    o, day, window = _aged_orders(con, as_of=as_of, store_ids=store_ids, window_days=window_days, rules=rules)
    in_w = o._ago < window
    in_12m = o._ago < VIP_WINDOW_DAYS
    gmv = CATALOG["gmv"].measure  # the catalog's GMV: sum(orders.paid_amount) over paid orders
    agg = o.group_by("store_id", "customer_id").aggregate(
        first_order_date=o.paid_date.min(),
        last_order_date=o.paid_date.max(),
        orders=o.count(),
        gmv=gmv(o),
        orders_window=o.count(where=in_w),
        gmv_window=o.paid_amount.sum(where=in_w),
        orders_12m=o.count(where=in_12m),
        gmv_12m=o.paid_amount.sum(where=in_12m),
        _last_province=o.province.argmax(o.paid_at),
        _last_city=o.city.argmax(o.paid_at),
    )

    # reactivation: the latest order that ended a gap of churn_days or more
    days = order_days(o, as_of=as_of, rules=rules)
    returns = days.filter(days.is_return).group_by("store_id", "customer_id").aggregate(
        last_return_date=days.paid_date.max())

    r = con.table("refunds")
    r = r.filter(r.status == "success", r.refund_date.isnull() | (r.refund_date <= as_of))
    r = r.inner_join(o.select("store_id", "order_id", "customer_id"), ["store_id", "order_id"])
    refunds = r.group_by("store_id", "customer_id").aggregate(refunds=r.count(), refund_amount=r.amount.sum())

    v = con.table("reviews")
    v = v.filter(v.customer_id.notnull(), v.review_date <= as_of)
    if store_ids is not None:
        v = v.filter(v.store_id.isin(store_ids))
    reviews = v.group_by("store_id", "customer_id").aggregate(
        reviews=v.count(), negative_reviews=v.count(where=v.rating <= 2))

    cats = customer_categories(con, as_of=as_of, store_ids=store_ids)
    wc = ibis.window(group_by=[cats.store_id, cats.customer_id], order_by=[cats.gmv.desc(), cats.category])
    top = cats.mutate(_n=ibis.row_number().over(wc))
    top = top.filter(top._n == 0).select("store_id", "customer_id", top_category=top.category)

    people = con.table("customers").select("store_id", "customer_id", "unified_id", "province", "city")
    stores = con.table("stores").select("store_id", "platform")

    keys = ["store_id", "customer_id"]
    t = agg.left_join(people, keys).select(
        *[agg[c] for c in agg.columns], "unified_id",
        _province=people.province, _city=people.city)
    for extra in (returns, refunds, reviews, top):
        t = t.left_join(extra, keys).select(*t.columns, *[c for c in extra.columns if c not in keys])
    t = t.left_join(stores, "store_id").select(*t.columns, "platform")

    t = t.mutate(
        province=ibis.coalesce(t._province, t._last_province),
        city=ibis.coalesce(t._city, t._last_city),
        tenure_days=day.delta(t.first_order_date, unit="day"),
        recency_days=day.delta(t.last_order_date, unit="day"),
        aov=_money_per(t.gmv, t.orders),
        gmv_window=t.gmv_window.fill_null(_zero_money()),
        gmv_12m=t.gmv_12m.fill_null(_zero_money()),
        refunds=t.refunds.fill_null(0),
        refund_amount=t.refund_amount.fill_null(_zero_money()),
        reviews=t.reviews.fill_null(0),
        negative_reviews=t.negative_reviews.fill_null(0),
        in_window=t.orders_window > 0,
    )
    t = t.mutate(
        stage=stage_expr(
            tenure_days=t.tenure_days, recency_days=t.recency_days,
            return_days=day.delta(t.last_return_date, unit="day"),
            new_days=rules.expr(t.store_id, "new_days"), active_days=rules.expr(t.store_id, "active_days"),
            churn_days=rules.expr(t.store_id, "churn_days")),
        is_vip=(t.gmv_12m >= rules.expr(t.store_id, "vip_min_spend", cast=MONEY))
        & (t.orders_12m >= rules.expr(t.store_id, "vip_min_orders")),
    )
    # scored from the window's orders alone (the same values as scoring t's in-window rows, without a
    # second pass over every join above)
    scored = _rfm_scored(con, o, day=day, window=window)
    scored = scored.select("store_id", "customer_id", "r_score", "f_score", "m_score", "fm_score", "rfm_segment")
    t = t.left_join(scored, keys).select(*t.columns, "r_score", "f_score", "m_score", "fm_score", "rfm_segment")
    return t.select(*COLUMNS)


def unified_customer_facts(con, *, as_of: dt.date, store_ids=None) -> ir.Table:
    """One row per person across stores: ``person_id`` is ``unified_id`` when known, else ``store_id:customer_id``.

    Columns: person_id, stores (count), first_order_date,
    last_order_date, recency_days, orders, gmv. Lifetime up to ``as_of``.
    """
    store_ids = _check(as_of, store_ids, None)
    o = customer_orders(con, as_of=as_of, store_ids=store_ids)
    people = con.table("customers").select("store_id", "customer_id", "unified_id")
    j = o.left_join(people, ["store_id", "customer_id"]).select(*o.columns, "unified_id")
    j = j.mutate(person_id=ibis.coalesce(j.unified_id, j.store_id.concat(":", j.customer_id)))
    day = ibis.literal(as_of, type="date")
    out = j.group_by("person_id").aggregate(
        stores=j.store_id.nunique(),
        first_order_date=j.paid_date.min(),
        last_order_date=j.paid_date.max(),
        orders=j.count(),
        gmv=CATALOG["gmv"].measure(j),
    )
    return out.mutate(recency_days=day.delta(out.last_order_date, unit="day"))


def lifecycle_history(con, *, start: dt.date, as_of: dt.date, store_ids=None,
                      rules: RulesByStore | StageRules) -> ir.Table:
    """(store_id, customer_id, month_end, stage, prev_stage): each customer's stage at each month end.

    Month ends run from ``start``'s month to ``as_of`` (the last one is ``as_of`` itself);
    see :mod:`shopops.customers.lifecycle` for the rules.
    """
    store_ids = _check(as_of, store_ids, None)
    if not isinstance(start, dt.date) or start > as_of:
        raise ValueError(f"lifecycle: start={start!r}: expected a date on or before as_of={as_of}")
    rules = _rules(rules)
    return stage_history(customer_orders(con, as_of=as_of, store_ids=store_ids), start=start, as_of=as_of, rules=rules)


def lifecycle_transitions(con, *, start: dt.date, as_of: dt.date, store_ids=None,
                          rules: RulesByStore | StageRules) -> ir.Table:
    """(month_end, from_stage, to_stage, customers): how many customers moved between stages each month."""
    store_ids = _check(as_of, store_ids, None)
    if not isinstance(start, dt.date) or start > as_of:
        raise ValueError(f"lifecycle: start={start!r}: expected a date on or before as_of={as_of}")
    return stage_transitions(customer_orders(con, as_of=as_of, store_ids=store_ids), start=start, as_of=as_of,
                             rules=_rules(rules))
