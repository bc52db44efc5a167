"""Customer pages: list, RFM, lifecycle, CLV validation and the 360° page.

Each view is a :func:`shopops.ui.pages.ui_page` (stores, as-of day, page filters,
``format=xlsx|csv``): it calls one selector, fills the context and returns its tables for
export; numbers come from the selectors (computed in the warehouse).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shopops.core.roles import Module
from shopops.customers import selectors
from shopops.customers.keys import CustomerKeyError, customer_from_key, customer_key, customer_url
from shopops.customers.forms import ClvForm, CustomerFilterForm, CustomerListForm, LifecycleForm, RfmForm
from shopops.customers.labels import (
    GROUP_LABELS, ORDER_STATUS_LABELS, REFUND_STATUS_LABELS, clv_unavailable, group_label, stage_label,
)
from shopops.customers.lifecycle import NONE, STAGES
from shopops.customers.masking import mask_id, mask_phone
from shopops.customers.rfm import GROUPS
from shopops.metrics.dimensions import traffic_source_label
from shopops.ui.pages import Page, ui_page
from shopops.ui.tables import Column, DataTable, chart_data

DEFAULT_HOLDOUT_DAYS = 90


def customer_page(template: str, form_class=CustomerFilterForm, tables: tuple[str, ...] = (), section: str = ""):
    """A customers page (:func:`shopops.ui.pages.ui_page`): stores, the as-of day, ``format=xlsx|csv``."""
    return ui_page(Module.CUSTOMERS, template, form=form_class, tables=tables, period=False, as_of=True,
                   section=section, not_found=(selectors.CustomerNotFound,))


def _table(table_id: str, title, columns, rows, currency: str = "") -> DataTable:
    """A table of selector rows: (key, header, unit) columns."""
    return DataTable.from_dicts(table_id, title, [Column(k, h, unit=u) for k, h, u in columns], rows, currency=currency)


# ---------------------------------------------------------------------------
# RFM
# ---------------------------------------------------------------------------
@customer_page("customers/rfm.html", RfmForm, tables=("groups", "grid"), section="rfm")
def rfm(ctx: Page):
    window = ctx.data.get("window")
    result = selectors.rfm_overview(as_of=ctx.as_of, store_ids=ctx.selected, window_days=window)
    ctx.context.update(result=result, window=window, group_labels=GROUP_LABELS,
                       groups=[(g, group_label(g.group), ctx.url("customers:list", segment=g.group, page=None))
                               for g in result.groups])
    money = "money"
    groups = _table("groups", _("RFM groups"), [
        ("label", _("Group"), ""), ("group", _("Group id"), ""), ("customers", _("Customers"), "count"),
        ("customer_share", _("Share of customers"), "percent"), ("gmv", _("GMV in the window"), money),
        ("gmv_share", _("Share of GMV"), "percent"), ("avg_recency_days", _("Average recency (days)"), "ratio"),
        ("avg_orders", _("Average orders"), "ratio"), ("avg_gmv", _("Average GMV"), money)],
        [{"label": group_label(g.group), "group": g.group, "customers": g.customers,
          "customer_share": g.customer_share, "gmv": g.gmv, "gmv_share": g.gmv_share,
          "avg_recency_days": g.avg_recency_days, "avg_orders": g.avg_orders, "avg_gmv": g.avg_gmv}
         for g in result.groups], ctx.currency)
    grid = _table("grid", _("RFM grid"), [
        ("r", "R", "count"), ("fm", "FM", "count"), ("label", _("Group"), ""), ("customers", _("Customers"), "count"),
        ("customer_share", _("Share of customers"), "percent"), ("gmv", _("GMV in the window"), money),
        ("gmv_share", _("Share of GMV"), "percent")],
        [{"r": c.r, "fm": c.fm, "label": group_label(c.group), "customers": c.customers,
          "customer_share": c.customer_share, "gmv": c.gmv, "gmv_share": c.gmv_share} for c in result.cells],
        ctx.currency)
    return {"groups": groups, "grid": grid}


# ---------------------------------------------------------------------------
# lifecycle
# ---------------------------------------------------------------------------
def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


@customer_page("customers/lifecycle.html", LifecycleForm, tables=("stages", "transitions"), section="lifecycle")
def lifecycle(ctx: Page):
    start = ctx.data.get("start") or _months_back(ctx.as_of, 11)
    result = selectors.lifecycle_overview(start=start, as_of=ctx.as_of, store_ids=ctx.selected)
    latest = result.months[-1] if result.months else None
    months = [m.isoformat() for m in result.months]
    chart = chart_data(months, [
        {"key": s, "name": stage_label(s), "unit": "count", "type": "bar", "axis": 0,
         "data": [str(result.counts[m][s]) for m in result.months]} for s in STAGES], stack=True)
    rows = [{"month": m, **{s: result.counts[m][s] for s in STAGES}, "total": sum(result.counts[m].values())}
            for m in result.months]
    ctx.context.update(
        result=result, start=start, chart=chart, stage_rows=rows, stages=[(s, stage_label(s)) for s in STAGES],
        latest=latest, matrix=[(stage_label(f), cells) for f, cells in result.matrix(latest)] if latest else [],
        changes=[(m, stage_label(f), stage_label(t), n) for m, f, t, n in reversed(result.transitions)],
    )
    stages_sheet = _table("stages", _("Stages by month"), [("month", _("Month end"), "date"),
                                               *((s, stage_label(s), "count") for s in STAGES),
                                               ("total", _("Customers"), "count")], rows)
    transitions = _table("transitions", _("Stage transitions"), [
        ("month", _("Month end"), "date"), ("from", _("From stage"), ""), ("to", _("To stage"), ""),
        ("customers", _("Customers"), "count")],
        [{"month": m, "from": stage_label(f), "to": stage_label(t), "customers": n}
         for m, f, t, n in result.transitions_all])
    return {"stages": stages_sheet, "transitions": transitions}


# ---------------------------------------------------------------------------
# CLV validation
# ---------------------------------------------------------------------------
@customer_page("customers/clv.html", ClvForm, tables=("validation", "top"), section="clv")
def clv(ctx: Page):
    store_id = ctx.selected[0] if ctx.selected else ctx.stores[0].store_id
    holdout_days = ctx.data.get("holdout_days") or DEFAULT_HOLDOUT_DAYS
    calibration_end = ctx.data.get("calibration_end") or ctx.as_of - dt.timedelta(days=holdout_days)
    holdout_end = min(ctx.as_of, calibration_end + dt.timedelta(days=holdout_days))
    if calibration_end >= holdout_end:
        raise ValueError(_("The calibration end (%(cal)s) must be before the as-of day (%(as_of)s).")
                         % {"cal": calibration_end, "as_of": ctx.as_of})
    v = selectors.clv_validation(store_id=store_id, calibration_end=calibration_end, holdout_end=holdout_end)
    rows = [{**r, "bucket": f"{int(r['bucket'])}+" if int(r["bucket"]) == 7 else str(int(r["bucket"]))}
            for r in v.by_frequency]
    chart = chart_data([r["bucket"] for r in rows], [
        {"key": k, "name": name, "unit": "ratio", "type": t, "axis": 0, "data": [f"{r[k]:.4f}" for r in rows]}
        for k, name, t in (("actual", _("Actual"), "bar"), ("predicted", _("BG/NBD"), "bar"),
                           ("naive", _("Naive baseline"), "bar"))])
    overview = selectors.clv_overview(store_id=store_id, as_of=ctx.as_of)
    for r in overview["top"]:
        r["masked_id"] = mask_id(r["customer_id"])
        r["url"] = customer_url(store_id, r["customer_id"])
    for r in overview["by_group"]:
        r["label"] = group_label(r["key"]) if r["key"] else "—"
    for r in overview["by_stage"]:
        r["label"] = stage_label(r["key"]) if r["key"] else "—"
    names = {s.store_id: s.name for s in ctx.stores}
    by_store = []
    if len(ctx.selected) != 1:  # all stores or several: each store's fit, then the details of one
        scope = ctx.selected or tuple(s.store_id for s in ctx.stores)
        by_store = selectors.clv_by_store(store_ids=scope, as_of=ctx.as_of, fit_missing=bool(ctx.data.get("fit_all")))
        for r in by_store:
            r["name"] = names.get(r["store_id"], r["store_id"])
            r["currency"] = next((s.currency for s in ctx.stores if s.store_id == r["store_id"]), "")
            r["url"] = ctx.url(store=[r["store_id"]], fit_all=None)
            r["message"] = str(clv_unavailable(r["store_id"], r["reason"])) if r.get("reason") else ""
    ctx.context.update(validation=v, store_id=store_id, store_name=names[store_id],
                       holdout_days=(holdout_end - calibration_end).days, rows=rows, chart=chart,
                       single_store=len(ctx.selected) > 1, overview=overview, fit=overview["fit"], by_store=by_store,
                       by_store_missing=any(not r["fitted"] for r in by_store),
                       fit_all_url=ctx.url(fit_all="1"))
    sheet = _table("validation", _("CLV holdout validation"), [
        ("bucket", _("Repeat purchases in calibration"), ""), ("customers", _("Customers"), "count"),
        ("actual", _("Actual purchases in holdout (mean)"), "ratio"),
        ("predicted", _("BG/NBD prediction (mean)"), "ratio"), ("naive", _("Naive baseline (mean)"), "ratio")], rows)
    store_currency = next((s.currency for s in ctx.stores if s.store_id == store_id), "")
    top = _table("top", _("Top customers by predicted CLV"), [
        ("masked_id", _("Customer"), ""), ("clv", _("Predicted CLV (12 months)"), "money"),
        ("p_alive", _("P(active)"), "ratio"), ("predicted_purchases", _("Expected purchases (12 months)"), "ratio"),
        ("orders", _("Orders"), "count"), ("gmv", _("GMV"), "money")], overview["top"], store_currency)
    return {"validation": sheet, "top": top}


# ---------------------------------------------------------------------------
# list and 360°
# ---------------------------------------------------------------------------
LIST_COLUMNS = (
    ("orders", _lazy("Orders"), "count"), ("gmv", _lazy("GMV"), "money"), ("aov", _lazy("Average order value"), "money"),
    ("first_order_date", _lazy("First order"), "date"), ("last_order_date", _lazy("Last order"), "date"),
    ("recency_days", _lazy("Days since last order"), "count"),
)


@customer_page("customers/list.html", CustomerListForm, tables=("customers",), section="list")
def customer_list(ctx: Page):
    d = ctx.data
    sort = d.get("sort") or "gmv"
    descending = (d.get("dir") or "desc") == "desc"
    export = not ctx.is_html
    page = selectors.customer_list(
        as_of=ctx.as_of, store_ids=ctx.selected, search=d.get("q") or "", stage=d.get("stage") or "",
        segment=d.get("segment") or "", sort=sort, descending=descending,
        page=1 if export else (d.get("page") or 1), page_size=50_000 if export else selectors.PAGE_SIZE)
    names = {s.store_id: s.name for s in ctx.stores}
    for r in page.rows:
        r["masked_id"] = mask_id(r["customer_id"])
        r["key"] = customer_key(r["store_id"], r["customer_id"])
        r["url"] = reverse("customers:customer", args=(r["key"],)) + (
            f"?as_of={ctx.as_of}" if ctx.data.get("as_of") else "")
        r["store_name"] = names.get(r["store_id"], r["store_id"])
        r["stage_label"] = stage_label(r["stage"])
        r["segment_label"] = group_label(r["rfm_segment"]) if r["rfm_segment"] else "—"
    sort_links = {key: ctx.url(sort=key, dir="asc" if (key == sort and descending) else "desc", page=None)
                  for key, _label, _unit in LIST_COLUMNS}
    ctx.context.update(
        page=page, columns=LIST_COLUMNS, sort=sort, descending=descending, sort_links=sort_links,
        prev_url=ctx.url(page=page.page - 1) if page.page > 1 else "",
        next_url=ctx.url(page=page.page + 1) if page.page < page.pages else "",
        stage_choices=[(s, stage_label(s)) for s in STAGES], group_choices=[(g, group_label(g)) for g in GROUPS],
        q=d.get("q") or "", stage=d.get("stage") or "", segment=d.get("segment") or "",
    )
    sheet = _table("customers", _("Customers"), [
        ("store_name", _("Store"), ""), ("masked_id", _("Customer"), ""), ("stage_label", _("Stage"), ""),
        ("segment_label", _("RFM group"), ""), *LIST_COLUMNS, ("is_vip", "VIP", "")], page.rows, ctx.currency)
    return {"customers": sheet}


@customer_page("customers/customer.html", CustomerFilterForm, tables=("orders",), section="list")
def customer(ctx: Page, key: str):
    try:
        store_id, customer_id = customer_from_key(key)
    except CustomerKeyError as exc:
        raise Http404(str(exc)) from exc
    c = selectors.customer_360(store_id=store_id, customer_id=customer_id, as_of=ctx.as_of)
    names = {s.store_id: s for s in ctx.stores}
    for o in c.orders:
        o["status_label"] = str(ORDER_STATUS_LABELS.get(o.get("status") or "", o.get("status") or "—"))
        o["masked_customer"] = mask_id(o["customer_id"])
        o["traffic_source_label"] = traffic_source_label(o.get("traffic_source"), get_language() or "zh-hans")
    for r in c.refunds:
        r["status_label"] = str(REFUND_STATUS_LABELS.get(r.get("status") or "", r.get("status") or "—"))
    for a in c.accounts:
        a["masked_id"] = mask_id(a["customer_id"])
        a["store_name"] = names[a["store_id"]].name if a["store_id"] in names else a["store_id"]
        a["stage_label"] = stage_label(a["stage"])
        a["segment_label"] = group_label(a["rfm_segment"]) if isinstance(a["rfm_segment"], str) else "—"
    currency = names[store_id].currency if store_id in names else ""
    f = c.facts
    ctx.context.update(
        c=c, f=f, currency=currency, masked_id=mask_id(customer_id), phone=mask_phone(c.profile.get("phone_masked")),
        stage_label=stage_label(f["stage"]),
        segment_label=group_label(f["rfm_segment"]) if isinstance(f["rfm_segment"], str) else "",
        store_name=names[store_id].name if store_id in names else store_id,
        paid_orders=sum(1 for o in c.orders if o["is_paid"]),
        negative_reviews=sum(1 for r in c.reviews if r.get("rating") is not None and r["rating"] <= 2),
        refunded=[r for r in c.refunds if r.get("status") == "success"],
        refunded_amount=sum((r["amount"] for r in c.refunds if r.get("status") == "success"), Decimal("0.00")),
        channels=sorted({o["platform"] for o in c.orders if o.get("platform")}),
        none_stage=NONE,
    )
    sheet = _table("orders", _("Orders"), [
        ("store_name", _("Store"), ""), ("order_id", _("Order no."), ""), ("status_label", _("Status"), ""),
        ("paid_date", _("Paid on"), "date"), ("paid_amount", _("Paid amount"), "money"),
        ("province", _("Province"), ""), ("traffic_source_label", _("Traffic source"), "")], c.orders, currency)
    return {"orders": sheet}


__all__ = ["clv", "customer", "customer_list", "lifecycle", "rfm"]
