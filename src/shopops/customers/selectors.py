"""Reads for the customer pages and the API: RFM grid and groups, lifecycle, CLV, the customer list and 360°,
the points balance and ledger.

Every aggregate is computed in the warehouse over :func:`shopops.customers.facts.customer_facts`;
only the small result (a 5×5 grid, 11 groups, a page of customers, one customer's orders)
comes back to Python. CLV fits run in Python on the per-customer summary and are cached
per store, as-of date and warehouse data version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import pandas as pd
from django.db.models import Sum

from shopops.core.errors import ValidationError
from shopops.customers import clv
from shopops.customers.facts import customer_facts, customer_orders, lifecycle_transitions, rfm_facts
from shopops.customers.lifecycle import GUEST_PREFIX, NONE, STAGES
from shopops.customers.models import PointsEntry
from shopops.customers.rfm import GROUP_GRID, GROUPS
from shopops.customers.sections import Section, customer_sections
from shopops.customers.stage_rules import store_rules
from shopops.metrics.cache import cache_key, cached, default_cache
from shopops.metrics.runners.base import bound_sql
from shopops.warehouse.backends.compiled import execute_compiled
from shopops.warehouse.connection import connect

SORTABLE = ("gmv", "orders", "recency_days", "last_order_date", "first_order_date", "gmv_window", "orders_window",
            "aov", "customer_id")
PAGE_SIZE = 50
CLV_TABLES = ("orders",)
CLV_CACHE_SECONDS = 6 * 3600


def _money(value) -> Decimal:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return Decimal("0.00")
    return Decimal(value).quantize(Decimal("0.01"))


def _date(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _stores(store_ids) -> list[str] | None:
    return list(store_ids) if store_ids else None


# --- RFM ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class RfmCell:
    r: int
    fm: int
    group: str
    customers: int
    gmv: Decimal
    customer_share: float
    gmv_share: float


@dataclass(slots=True)
class RfmGroup:
    group: str
    customers: int
    customer_share: float
    gmv: Decimal
    gmv_share: float
    avg_recency_days: float
    avg_orders: float
    avg_gmv: Decimal


@dataclass(slots=True)
class RfmResult:
    as_of: dt.date
    window_days: int | None
    customers: int
    gmv: Decimal
    cells: list[RfmCell]
    groups: list[RfmGroup]

    def cell(self, r: int, fm: int) -> RfmCell:
        return next(c for c in self.cells if c.r == r and c.fm == fm)

    def grid(self) -> list[tuple[int, list[RfmCell]]]:
        """Rows R = 5..1, each with cells FM = 1..5 (for the heatmap)."""
        return [(r, [self.cell(r, fm) for fm in range(1, 6)]) for r in range(5, 0, -1)]


FACT_TABLES = ("orders", "order_lines", "refunds", "reviews", "customers", "products", "stores")
PAGE_CACHE_SECONDS = 3600


def _cached(con, kind: str, parts: tuple, build, *, tables: tuple[str, ...] = FACT_TABLES, stores=(),
            timeout: int = PAGE_CACHE_SECONDS, keep_for: float | None = None):
    """A result cached per warehouse data version (``shopops.metrics.cache``); ``parts`` holds the
    inputs, including the store rules, so a new import or a rule change misses."""
    return cached(f"customers:{kind}", (con.name, *parts), build, con=con, tables=tables, stores=stores,
                  timeout=timeout, keep_for=keep_for)


RFM_TABLES = ("orders",)  # what the grid reads (``facts.rfm_facts``): a new version of the orders misses


def rfm_overview(*, as_of: dt.date, store_ids=None, window_days: int | None = None, con=None,
                 keep_for: float | None = None) -> RfmResult:
    """Customers and GMV (window) per (R, FM) cell and per named group, over the scored customers (cached;
    ``keep_for``: kept at least that long, for the warm-up job)."""
    con = con or connect()
    rules = store_rules(_stores(store_ids))
    return _cached(con, "rfm", (as_of, _stores(store_ids), window_days, repr(rules)),
                   lambda: _rfm_overview(con, as_of, store_ids, window_days, rules), tables=RFM_TABLES,
                   keep_for=keep_for)


def rfm_warm(*, con=None) -> int:
    """The RFM page's default view — every store, the last day with a paid order, each store's window — at
    the current data version, so that the first visitor after an import reads it from the cache (the
    ``customers_warm`` job; 25 s of CPU on the large demo before the grid read the window's orders only,
    about 3 s now). Kept while the job runs (:data:`shopops.metrics.cache.WARM_TIMEOUT`). Returns how many
    views were computed or found (0 without paid orders)."""
    from shopops.metrics.cache import WARM_TIMEOUT
    from shopops.metrics.runners.kpis import last_fact_date

    con = con or connect()
    as_of = last_fact_date(con)
    if as_of is None:
        return 0
    rfm_overview(as_of=as_of, con=con, keep_for=WARM_TIMEOUT)
    return 1


def _rfm_overview(con, as_of, store_ids, window_days, rules) -> RfmResult:
    f = rfm_facts(con, as_of=as_of, store_ids=_stores(store_ids), window_days=window_days, rules=rules)
    cells = f.group_by("r_score", "fm_score").aggregate(
        customers=f.count(), gmv=f.gmv_window.sum(), recency=f.recency_days.sum(), orders=f.orders_window.sum(),
    ).to_pandas()
    total_n = int(cells.customers.sum()) if len(cells) else 0
    total_gmv = _money(sum((Decimal(v) for v in cells.gmv), Decimal(0))) if len(cells) else Decimal("0.00")
    by_cell = {(int(r.r_score), int(r.fm_score)): r for r in cells.itertuples()}
    out_cells = []
    for (r, fm), name in sorted(GROUP_GRID.items()):
        row = by_cell.get((r, fm))
        n = int(row.customers) if row is not None else 0
        gmv = _money(row.gmv) if row is not None else Decimal("0.00")
        out_cells.append(RfmCell(r, fm, name, n, gmv, n / total_n if total_n else 0.0,
                                 float(gmv / total_gmv) if total_gmv else 0.0))
    groups = []
    for name in GROUPS:
        rows = [by_cell[k] for k, g in GROUP_GRID.items() if g == name and k in by_cell]
        n = sum(int(r.customers) for r in rows)
        gmv = _money(sum((Decimal(r.gmv) for r in rows), Decimal(0)))
        recency = sum(int(r.recency) for r in rows)
        orders = sum(int(r.orders) for r in rows)
        groups.append(RfmGroup(
            name, n, n / total_n if total_n else 0.0, gmv, float(gmv / total_gmv) if total_gmv else 0.0,
            recency / n if n else 0.0, orders / n if n else 0.0, _money(gmv / n) if n else Decimal("0.00")))
    return RfmResult(as_of, window_days, total_n, total_gmv, out_cells, groups)


# --- lifecycle ---------------------------------------------------------------------------------

@dataclass(slots=True)
class LifecycleResult:
    start: dt.date
    as_of: dt.date
    months: list[dt.date]  # month ends
    counts: dict[dt.date, dict[str, int]]  # month end -> stage -> customers
    transitions: list[tuple[dt.date, str, str, int]]  # (month end, from, to, customers), from != to
    vip: int = 0

    def matrix(self, month_end: dt.date) -> list[tuple[str, list[int]]]:
        """From-stage rows (none + stages) × to-stage columns for one month."""
        cells = {(f, t): n for m, f, t, n in self.transitions_all if m == month_end}
        return [(f, [cells.get((f, t), 0) for t in STAGES]) for f in (NONE, *STAGES)]

    transitions_all: list[tuple[dt.date, str, str, int]] = field(default_factory=list)


def lifecycle_overview(*, start: dt.date, as_of: dt.date, store_ids=None, con=None) -> LifecycleResult:
    """Stage counts per month end and transitions between them (cached)."""
    con = con or connect()
    rules = store_rules(_stores(store_ids))
    return _cached(con, "lifecycle", (start, as_of, _stores(store_ids), repr(rules)),
                   lambda: _lifecycle_overview(con, start, as_of, _stores(store_ids), rules))


def _lifecycle_overview(con, start, as_of, stores, rules) -> LifecycleResult:
    t = lifecycle_transitions(con, start=start, as_of=as_of, store_ids=stores, rules=rules).to_pandas()
    t["month_end"] = [_date(v) for v in t.month_end]
    months = sorted(set(t.month_end))
    counts = {m: dict.fromkeys(STAGES, 0) for m in months}
    rows = []
    for r in t.sort_values(["month_end", "from_stage", "to_stage"]).itertuples():
        counts[r.month_end][r.to_stage] += int(r.customers)
        rows.append((r.month_end, r.from_stage, r.to_stage, int(r.customers)))
    f = customer_facts(con, as_of=as_of, store_ids=stores, rules=rules)
    vip = int(f.filter(f.is_vip).count().execute())
    return LifecycleResult(start, as_of, months, counts, [r for r in rows if r[1] != r[2]], vip, rows)


# --- the customer list ------------------------------------------------------------------------

@dataclass(slots=True)
class CustomerPage:
    rows: list[dict]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool


def customer_list(*, as_of: dt.date, store_ids=None, search: str = "", stage: str = "", segment: str = "",
                  sort: str = "gmv", descending: bool = True, page: int = 1, page_size: int = PAGE_SIZE,
                  con=None) -> CustomerPage:
    """One page of customers (facts columns), filtered by id prefix, stage and RFM group, sorted in the warehouse."""
    if sort not in SORTABLE:
        raise ValueError(f"sort={sort!r}: expected one of {', '.join(SORTABLE)}")
    if stage and stage not in STAGES:
        raise ValueError(f"stage={stage!r}: expected one of {', '.join(STAGES)}")
    if segment and segment not in GROUPS:
        raise ValueError(f"segment={segment!r}: expected one of {', '.join(GROUPS)}")
    if page < 1:
        raise ValueError(f"page={page!r}: expected 1 or more")
    con = con or connect()
    stores = _stores(store_ids)
    rules = store_rules(stores)
    search = search.strip().lower()

    def build(marks: dict[str, str]) -> dict[str, ibis.Table]:
        f = customer_facts(con, as_of=as_of, store_ids=stores, rules=rules)
        if search:
            f = f.filter(f.customer_id.lower().contains(marks["search"]))
        if stage:
            f = f.filter(f.stage == stage)
        if segment:
            f = f.filter(f.rfm_segment == segment)
        key = f[sort].desc() if descending else f[sort].asc()
        page_rows = f.order_by([key, f.store_id, f.customer_id]).limit(page_size, offset=(page - 1) * page_size)
        return {"total": f.aggregate(n=f.count()), "page": page_rows}

    # the facts expression takes ~0.5 s to compile: kept per filter, sort and page, the search bound as a value
    sql = bound_sql(con, ("customer_list", as_of, tuple(stores or ()), repr(rules), stage, segment, sort, descending,
                          page, page_size), build, {"search": search} if search else {})
    total = int(execute_compiled(con, *sql["total"])["n"].iloc[0])
    frame = execute_compiled(con, *sql["page"])
    rows = []
    for r in frame.to_dict("records"):
        for k in ("first_order_date", "last_order_date", "last_return_date"):
            r[k] = _date(r[k])
        for k in ("gmv", "gmv_window", "aov", "gmv_12m", "refund_amount"):
            r[k] = _money(r[k])
        for k in ("r_score", "f_score", "m_score", "fm_score"):
            r[k] = None if pd.isna(r[k]) else int(r[k])
        r["rfm_segment"] = None if pd.isna(r["rfm_segment"]) else r["rfm_segment"]
        rows.append(r)
    pages = max(1, -(-total // page_size))
    return CustomerPage(rows, total, page, pages, sort, descending)


# --- CLV ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class StoreClvFit:
    """One store's CLV fit as of a day: the per-customer predictions and how the fit went, or
    why there is none (``message``, in the user's language)."""

    store_id: str
    as_of: dt.date
    frame: pd.DataFrame | None
    status: clv.FitStatus | None
    params: clv.ClvParams | None
    reason: str = ""

    @property
    def message(self) -> str:
        if not self.reason:
            return ""
        from shopops.customers.labels import clv_unavailable

        return str(clv_unavailable(self.store_id, self.reason))


def store_clv_fit(*, store_id: str, as_of: dt.date, horizon_days: int = 365, con=None) -> StoreClvFit:
    """The store's CLV fit (cached until the data change)."""
    con = con or connect()

    def fit() -> StoreClvFit:
        try:
            frame = clv.store_clv(con, store_id=store_id, as_of=as_of, horizon_days=horizon_days)
        except clv.ClvFitError as exc:  # cached too: "no model" until the data change
            return StoreClvFit(store_id, as_of, None, None, None, exc.reason)
        status = frame.attrs.get("status")
        return StoreClvFit(store_id, as_of, frame, status, frame.attrs.get("params"),
                           "" if status is not None and status.has_clv else "no_spend_fit")

    return _cached(con, "clv", (store_id, as_of, horizon_days), fit, tables=CLV_TABLES, stores=(store_id,),
                   timeout=CLV_CACHE_SECONDS)


def clv_by_store(*, store_ids: tuple[str, ...] | list[str], as_of: dt.date, horizon_days: int = 365,
                 fit_missing: bool = False, con=None) -> list[dict]:
    """Predicted CLV per store: ``store_id``, ``fitted`` and, for a fitted store, ``total``,
    ``mean``, ``customers`` (or ``reason`` when the store has no acceptable model).

    A fit takes seconds per store; without ``fit_missing`` only fits already made (cached by
    :func:`store_clv_fit` for this data version) are read and the others say ``fitted=False``."""
    con = con or connect()
    out = []
    for store_id in store_ids:
        if fit_missing:
            fit = store_clv_fit(store_id=store_id, as_of=as_of, horizon_days=horizon_days, con=con)
        else:
            key = cache_key("customers:clv", (con.name, store_id, as_of, horizon_days), con=con, tables=CLV_TABLES,
                            stores=(store_id,))
            fit = default_cache().get(key)
        if fit is None:
            out.append({"store_id": store_id, "fitted": False})
        elif fit.frame is None or fit.reason:
            out.append({"store_id": store_id, "fitted": True, "reason": fit.reason, "total": None, "mean": None,
                        "customers": 0})
        else:
            f = fit.frame
            out.append({"store_id": store_id, "fitted": True, "reason": "", "total": _money(f.clv.sum()),
                        "mean": _money(f.clv.mean()), "customers": len(f)})
    return out


def store_clv(*, store_id: str, as_of: dt.date, horizon_days: int = 365, con=None) -> pd.DataFrame | None:
    """Per-customer CLV predictions of one store (cached); None when there is no acceptable fit
    (:func:`store_clv_fit` says why)."""
    return store_clv_fit(store_id=store_id, as_of=as_of, horizon_days=horizon_days, con=con).frame


@dataclass(slots=True)
class ClvValidation:
    store_id: str
    calibration_end: dt.date
    holdout_end: dt.date
    accuracy: clv.HoldoutAccuracy | None
    params: clv.ClvParams | None
    by_frequency: list[dict]
    reason: str = ""  # why there is no fit (ClvFitError.reason); the message is made in the reader's language
    status: clv.FitStatus | None = None

    @property
    def error(self) -> str:
        if not self.reason:
            return ""
        from shopops.customers.labels import clv_unavailable

        return str(clv_unavailable(self.store_id, self.reason))


def clv_validation(*, store_id: str, calibration_end: dt.date, holdout_end: dt.date, con=None) -> ClvValidation:
    """Fit on orders up to calibration_end, compare predicted and naive holdout purchases with the actual ones."""
    con = con or connect()
    return _cached(con, "clv_validation", (store_id, calibration_end, holdout_end),
                   lambda: _clv_validation(con, store_id, calibration_end, holdout_end), tables=CLV_TABLES,
                   stores=(store_id,), timeout=CLV_CACHE_SECONDS)


def _clv_validation(con, store_id: str, calibration_end: dt.date, holdout_end: dt.date) -> ClvValidation:
    frame = clv.calibration_holdout(con, store_id=store_id, calibration_end=calibration_end, holdout_end=holdout_end)
    try:
        model = clv.ClvModel().fit(frame)
    except clv.ClvFitError as exc:
        result = ClvValidation(store_id, calibration_end, holdout_end, None, None, [], exc.reason)
    else:
        preds = clv.holdout_predictions(frame, model)
        table = clv.by_calibration_frequency(preds)
        result = ClvValidation(store_id, calibration_end, holdout_end, clv.holdout_accuracy(frame, model),
                               model.params, table.to_dict("records"), status=model.status)
    return result


def clv_overview(*, store_id: str, as_of: dt.date, top: int = 20, con=None) -> dict:
    """The store's predicted 12-month CLV: total, mean, by RFM group and lifecycle stage, and the
    top customers — or the reason there is none."""
    con = con or connect()
    fit = store_clv_fit(store_id=store_id, as_of=as_of, con=con)
    out = {"fit": fit, "total": None, "mean": None, "customers": 0, "by_group": [], "by_stage": [], "top": []}
    if fit.frame is None or fit.reason:
        return out
    f = fit.frame
    out.update(total=_money(f.clv.sum()), mean=_money(f.clv.mean()), customers=len(f))
    facts = customer_facts(con, as_of=as_of, store_ids=[store_id], rules=store_rules([store_id]))
    cols = [c for c in ("customer_id", "rfm_segment", "stage", "orders", "gmv") if c in facts.columns]
    info = facts.select(*cols).to_pandas().set_index("customer_id")
    j = f[["clv", "p_alive", "predicted_purchases"]].join(info, how="left")
    for column, key in (("rfm_segment", "by_group"), ("stage", "by_stage")):
        if column in j.columns:
            g = j.groupby(j[column].fillna("")).agg(customers=("clv", "size"), total=("clv", "sum"), mean=("clv", "mean"))
            out[key] = [{"key": k, "customers": int(r.customers), "total": _money(r.total), "mean": _money(r["mean"])}
                        for k, r in g.sort_values("total", ascending=False).iterrows()]
    best = j.sort_values("clv", ascending=False).head(top)
    out["top"] = [{"customer_id": cid, "clv": _money(r.clv), "p_alive": float(r.p_alive),
                   "predicted_purchases": float(r.predicted_purchases),
                   "orders": int(r.orders) if "orders" in j.columns and pd.notna(r.orders) else None,
                   "gmv": _money(r.gmv) if "gmv" in j.columns and pd.notna(r.gmv) else None}
                  for cid, r in best.iterrows()]
    return out


# --- 360° --------------------------------------------------------------------------------------

@dataclass(slots=True)
class Customer360:
    store_id: str
    customer_id: str
    as_of: dt.date
    facts: dict
    profile: dict
    accounts: list[dict]  # the same person's accounts in other stores (unified_id)
    orders: list[dict]  # every order of every linked account, newest first
    refunds: list[dict]
    reviews: list[dict]
    clv: dict | None
    sections: list[Section] = field(default_factory=list)  # blocks other apps add (customers.sections)


class CustomerNotFound(LookupError):
    pass


def customer_360(*, store_id: str, customer_id: str, as_of: dt.date, con=None) -> Customer360:
    """Everything shopops knows about one customer (and their accounts in other stores) up to as_of."""
    con = con or connect()
    if customer_id.startswith(GUEST_PREFIX):
        raise CustomerNotFound(f"{customer_id!r} is a guest checkout, not a customer")
    people = con.table("customers")
    me = people.filter(people.store_id == store_id, people.customer_id == customer_id).to_pandas()
    profile = me.iloc[0].to_dict() if len(me) else {}
    unified = profile.get("unified_id")
    if unified:
        linked = people.filter(people.unified_id == unified).select("store_id", "customer_id").to_pandas()
        keys = sorted({(r.store_id, r.customer_id) for r in linked.itertuples()} | {(store_id, customer_id)})
    else:
        keys = [(store_id, customer_id)]
    account_stores, rules = sorted({s for s, _ in keys}), store_rules()

    def accounts_facts(ids: dict[str, str]) -> dict[str, ibis.Table]:
        f = customer_facts(con, as_of=as_of, store_ids=account_stores, rules=rules)
        return {"facts": f.filter(ibis.or_(*[(f.store_id == s) & (f.customer_id == ids[f"c{i}"])
                                             for i, (s, _c) in enumerate(keys)]))}

    # the facts expression takes ~0.5 s to compile: kept once per shape, the customer ids bound as values
    sql = bound_sql(con, ("customer_360:facts", as_of, tuple(account_stores), repr(rules), tuple(s for s, _ in keys)),
                    accounts_facts, {f"c{i}": c for i, (_s, c) in enumerate(keys)})
    facts = execute_compiled(con, *sql["facts"])
    mine = facts[(facts.store_id == store_id) & (facts.customer_id == customer_id)]
    if mine.empty:
        raise CustomerNotFound(f"no paid order of customer {customer_id!r} in store {store_id!r} up to {as_of}")
    accounts = []
    for r in facts.sort_values(["store_id", "customer_id"]).to_dict("records"):
        for k in ("first_order_date", "last_order_date", "last_return_date"):
            r[k] = _date(r[k])
        accounts.append(r)
    main = next(a for a in accounts if a["store_id"] == store_id and a["customer_id"] == customer_id)

    o = con.table("orders")
    ocond = ibis.or_(*[(o.store_id == s) & (o.customer_id == c) for s, c in keys])
    stores = con.table("stores").select("store_id", "platform", store_name="name")
    orders = o.filter(ocond, o.created_at.date() <= as_of).left_join(stores, "store_id")
    orders = orders.order_by([orders.created_at.desc(), orders.order_id]).to_pandas().to_dict("records")
    paid = customer_orders(con, as_of=as_of)
    paid = paid.filter(ibis.or_(*[(paid.store_id == s) & (paid.customer_id == c) for s, c in keys]))
    paid_ids = set(paid.select("store_id", "order_id").to_pandas().itertuples(index=False, name=None))
    for r in orders:
        r["is_paid"] = (r["store_id"], r["order_id"]) in paid_ids
        r["paid_date"] = _date(r["paid_date"])
    rf = con.table("refunds")
    order_keys = [(r["store_id"], r["order_id"]) for r in orders]
    refunds = []
    if order_keys:
        rcond = ibis.or_(*[(rf.store_id == s) & (rf.order_id == i) for s, i in order_keys[:500]])
        refunds = rf.filter(rcond).order_by(rf.requested_at.desc()).to_pandas().to_dict("records")
    rv = con.table("reviews")
    vcond = ibis.or_(*[(rv.store_id == s) & (rv.customer_id == c) for s, c in keys])
    reviews = rv.filter(vcond, rv.review_date <= as_of).order_by(rv.created_at.desc()).to_pandas().to_dict("records")

    predictions = None
    fit = store_clv_fit(store_id=store_id, as_of=as_of, con=con)
    frame = fit.frame
    if fit.reason and (frame is None or fit.status is None or not fit.status.has_clv):
        predictions = {"unavailable": fit.message}
    if frame is not None and customer_id in frame.index:
        p = frame.loc[customer_id]
        predictions = {"predicted_purchases": float(p.predicted_purchases), "p_alive": float(p.p_alive),
                       "clv": None if pd.isna(p.clv) else _money(p.clv), "horizon_days": 365,
                       "expected_spend": None if pd.isna(p.expected_spend) else _money(p.expected_spend)}
    return Customer360(store_id, customer_id, as_of, main, profile, accounts, orders, refunds, reviews, predictions,
                       sections=customer_sections(store_id=store_id, customer_id=customer_id))


def customer_facts_with_clv(*, as_of: dt.date, store_ids=None, window_days: int | None = None, con=None):
    """``customer_facts`` plus ``clv``, ``p_alive`` and ``predicted_purchases`` (365 days) per customer.

    The CLV columns come from each store's cached fit (:func:`store_clv`, Python) and are
    joined to the warehouse expression as an in-memory table; null for stores too small to fit.
    """
    con = con or connect()
    stores = _stores(store_ids) or [s for s in con.table("stores").store_id.to_pandas()]
    facts = customer_facts(con, as_of=as_of, store_ids=_stores(store_ids), window_days=window_days,
                           rules=store_rules(_stores(store_ids)))
    parts = []
    for store_id in stores:
        frame = store_clv(store_id=store_id, as_of=as_of, con=con)
        if frame is not None:
            parts.append(frame[["clv", "p_alive", "predicted_purchases"]].reset_index().assign(store_id=store_id))
    if not parts:
        return facts.mutate(clv=ibis.null("float64"), p_alive=ibis.null("float64"),
                            predicted_purchases=ibis.null("float64"))
    clv_rows = pd.concat(parts, ignore_index=True)[["store_id", "customer_id", "clv", "p_alive", "predicted_purchases"]]
    clv_rows.attrs = {}  # the fit's parameters ride along in attrs: not table data
    mem = ibis.memtable(clv_rows)
    return facts.left_join(mem, ["store_id", "customer_id"]).select(*facts.columns, "clv", "p_alive",
                                                                     "predicted_purchases")


# --- points ------------------------------------------------------------------------------------

def points_balance(*, store_id: str, customer_id: str) -> int:
    """Sum of the customer's ledger."""
    return int(PointsEntry.objects.filter(store_id=store_id, customer_id=customer_id)
               .aggregate(s=Sum("points"))["s"] or 0)


def points_history(*, store_id: str, customer_id: str, limit: int = 50) -> list[PointsEntry]:
    for name, value in (("store_id", store_id), ("customer_id", customer_id)):
        if not value or not str(value).strip():
            raise ValidationError(f"{name} is required")
        if len(str(value)) > 128:
            raise ValidationError(f"{name}: at most 128 characters, got {len(str(value))}")
    return list(PointsEntry.objects.filter(store_id=store_id, customer_id=customer_id)
                .order_by("-created_at", "-id")[:limit])
