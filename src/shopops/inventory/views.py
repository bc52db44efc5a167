"""Pages of the inventory module: parse, call one selector or service, render."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import wraps
from urllib.parse import urlencode
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.periods import business_today
from shopops.core.roles import Module
from shopops.inventory import campaign_plans, positions, selectors, services
from shopops.inventory.exports import purchase_order_table
from shopops.inventory.forms import (
    ContactForm, PurchaseOrderForm, ReceiveForm, ReplenishmentLimitsForm, StockFilterForm, StockingPlanForm, SupplierForm,
    SupplierItemForm,
)
from shopops.inventory.models import PurchaseOrder, Supplier
from shopops.metrics.dimensions import store_list
from shopops.ui.exports import export_response
from shopops.ui.formatting import format_money, format_value, raw_value, store_currencies, store_currency
from shopops.ui.forms import pk_param
from shopops.ui.pages import module_required
from shopops.ui.tables import Column, DataTable
from shopops.ui.templatetags.ui import store_named

PERMISSION = services.PERMISSION
_module = module_required(Module.INVENTORY)  # login + the inventory module, on every request


def _guarded(view):
    """The module check, and a GET's warehouse data versions and list of tables read once a request."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return view(request, *args, **kwargs)
        with selectors.request_memo():
            return view(request, *args, **kwargs)

    return _module(wrapped)


def _today() -> dt.date:
    return business_today(settings.SHOPOPS_TIME_ZONE)


def _stores() -> list:
    try:
        return store_list()
    except ShopopsError:
        return []


PAGE_ROWS = 100  # the most urgent rows; the export holds them all
ACTION_LABELS = {"stop_reordering": gettext_lazy("Stop reordering"), "clearance": gettext_lazy("Clearance promotion"),
                 "bundle": gettext_lazy("Bundle"), "reorder": gettext_lazy("Reorder")}
STATUS_LABELS = {"stockout": gettext_lazy("Out of stock"), "at_risk": gettext_lazy("Stock-out risk"), "overstock": gettext_lazy("Overstock"),
                 "slow": gettext_lazy("Slow mover"), "healthy": gettext_lazy("Healthy"), "inactive": gettext_lazy("Inactive")}
DEMAND_CLASS_LABELS = {"smooth": gettext_lazy("smooth"), "erratic": gettext_lazy("erratic"),
                       "intermittent": gettext_lazy("intermittent"), "lumpy": gettext_lazy("lumpy"),
                       "new": gettext_lazy("new product"), "inactive": gettext_lazy("no demand")}


# ---------------------------------------------------------------------------- stock health
@_guarded
def stock(request: HttpRequest) -> HttpResponse:
    form = StockFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    store = filters.get("store") or ""
    view = filters.get("view") or "sku"
    status, q = filters.get("status") or "", (filters.get("q") or "").strip()
    export = request.GET.get("format") in ("xlsx", "csv")
    try:
        day, rows, matching, totals = selectors.stock_view(stores=(store,) if store else (), view=view, status=status,
                                                           q=q, limit=None if export else PAGE_ROWS)
    except ShopopsError as exc:
        return render(request, "inventory/stock.html", {"form": form, "error": str(exc), "rows": []}, status=503)
    if export:
        return _stock_export(rows, view, request.GET["format"])
    stores = _stores()
    currencies = store_currencies(stores, (store,) if store else ())
    currency = currencies[0] if len(currencies) == 1 else ""
    return render(request, "inventory/stock.html", {
        "form": form, "day": day, "totals": totals, "rows": _stock_cells(rows, currency, day), "shown": len(rows),
        "currency": currency, "matching": matching, "view": view, "stores": stores, "store": store, "status": status,
        "action_labels": ACTION_LABELS, "status_labels": STATUS_LABELS, "can_promote": request.user.has_perm("team.use_promotions")})


def _stock_cells(rows: list[dict], currency: str, day: dt.date | None = None) -> list[dict]:
    """The shown rows' cell texts, made here once a row (no template filter per cell)."""
    out = []
    for r in rows:
        cover, sell = r["days_of_cover"], r["sell_through"]
        risk_on = None
        if r["status"] == "at_risk" and r.get("risk_day") and day is not None:
            risk_on = day + dt.timedelta(days=r["risk_day"])
        out.append({**r, "status_label": STATUS_LABELS[r["status"]], "risk_on": risk_on,
                    "risk_text": "" if risk_on is None else _("runs out %(date)s") % {"date": f"{risk_on:%m-%d}"},
                    "action_list": [(a, ACTION_LABELS[a]) for a in r.get("actions", ())],
                    "short_title": Truncator(r["title"] or "").chars(24),
                    "on_hand_text": format_value(r["on_hand"], "count"),
                    "in_transit_text": format_value(r["in_transit"], "count"),
                    "units_30_text": format_value(r["units_30"], "count"),
                    "aged_units_text": format_value(r["aged_units"], "count"),
                    "cover_raw": raw_value(cover), "cover_text": "—" if cover is None else f"{cover:,.0f}",
                    "sell_raw": raw_value(sell), "sell_text": format_value(sell, "percent"),
                    "lost_text": format_money(r["lost_sales"], currency),
                    "excess_text": format_money(r["excess_value"], currency)})
    return out


def _stock_export(rows: list[dict], view: str, fmt: str) -> HttpResponse:
    cols = [Column("merchant_code", _("Merchant code")), Column("title", _("Product")), Column("spec", _("Spec"))]
    if view == "sku":
        cols = [Column("store_id", _("Store")), Column("sku_id", "SKU")] + cols
    cols += [Column("on_hand", _("On hand"), unit="count"), Column("in_transit", _("In transit"), unit="count"),
             Column("units_30", _("Units sold (30 days)"), unit="count"),
             Column("days_of_cover", _("Days of cover"), unit="ratio"),
             Column("sell_through", _("Sell-through (30 days)"), unit="percent"),
             Column("stockout_days", _("Stock-out days (30)"), unit="count"),
             Column("lost_sales", _("Lost sales (est.)"), unit="money"),
             Column("aged_value", _("Aged > 90 days (cost)"), unit="money"),
             Column("excess_value", _("Overstock (cost)"), unit="money"), Column("status_label", _("Status"))]
    records = [{**r, "status_label": str(STATUS_LABELS[r["status"]])} for r in rows]
    table = DataTable.from_dicts("stock", _("Stock health"), cols, records, currency="CNY")
    return export_response(table, fmt, "stock-health")


@_guarded
@require_POST
def clearance(request: HttpRequest) -> HttpResponse:
    """A slow mover's "clearance promotion": a draft (inactive) 限时折扣 on the SKU in the promotions
    module, opened in its editor to set the rate and dates."""
    if not request.user.has_perm("team.use_promotions"):
        raise PermissionDenied
    from shopops.promotions.services import promotion_create

    sku, title = request.POST.get("sku", "").strip(), request.POST.get("title", "").strip()
    if not sku:
        messages.error(request, _("No SKU given for the clearance promotion."))
        return redirect("inventory:stock")
    promotion = promotion_create(name=_("Clearance: %(title)s") % {"title": title or sku}, kind="item_discount",
                                 parameters={"rate": "0.7"}, scope_skus=[sku], is_active=False)
    messages.success(request, _("Draft clearance promotion created (inactive): set the discount and dates, then activate it."))
    return redirect("promotions:promotion_edit", promotion_id=promotion.pk)


# ---------------------------------------------------------------------------- suppliers
@_guarded
def suppliers(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                supplier = services.supplier_create(user=request.user, **form.cleaned_data)
            except ShopopsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Supplier created."))
                return redirect("inventory:supplier", supplier_id=supplier.pk)
        status = 400
    return render(request, "inventory/suppliers.html",
                  {"suppliers": selectors.supplier_list(), "form": form}, status=status)


def _supplier(supplier_id: int) -> Supplier:
    try:
        return selectors.supplier_get(supplier_id=supplier_id)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc


@_guarded
def supplier_detail(request: HttpRequest, supplier_id: int) -> HttpResponse:
    supplier = _supplier(supplier_id)
    item_form, contact_form, status = SupplierItemForm(prefix="item"), ContactForm(prefix="contact"), 200
    if request.method == "POST":
        try:
            if "item-merchant_code" in request.POST:
                item_form = SupplierItemForm(request.POST, prefix="item")
                if item_form.is_valid():
                    d = item_form.cleaned_data
                    services.supplier_item_set(user=request.user, supplier=supplier, merchant_code=d["merchant_code"],
                                               unit_price=d["unit_price"], moq=d["moq"], case_pack=d["case_pack"],
                                               lead_days=d["lead_days"], price_breaks=d["price_breaks"],
                                               valid_from=_today())
                    messages.success(request, _("Item saved."))
                    return redirect("inventory:supplier", supplier_id=supplier.pk)
            else:
                contact_form = ContactForm(request.POST, prefix="contact")
                if contact_form.is_valid():
                    services.supplier_contact_add(user=request.user, supplier=supplier, **contact_form.cleaned_data)
                    messages.success(request, _("Contact added."))
                    return redirect("inventory:supplier", supplier_id=supplier.pk)
        except ValidationError as exc:
            (item_form if "item-merchant_code" in request.POST else contact_form).add_error(None, str(exc))
        status = 400
    try:
        scorecard = selectors.supplier_scorecard(supplier=supplier, today=selectors.stock_day() or _today())
    except ShopopsError as exc:
        scorecard, messages_error = None, str(exc)
        messages.error(request, messages_error)
    export = request.GET.get("export", "")
    if export in ("items", "prices") and request.method == "GET":
        return _supplier_export(supplier, scorecard, export, request.GET.get("format", "xlsx"))
    item_page = _page_number(request, "items")
    items, item_count = selectors.supplier_items(supplier=supplier, offset=(item_page - 1) * SUPPLIER_ROWS,
                                                 limit=SUPPLIER_ROWS)
    history = list((scorecard or {}).get("price_history", {}).items())
    price_page = _page_number(request, "prices")
    return render(request, "inventory/supplier.html", {
        "supplier": supplier, "scorecard": scorecard, "item_form": item_form, "contact_form": contact_form,
        "item_rows": [_item_cells(item) for item in items],
        "item_pager": _pager(request, "items", item_page, item_count),
        "price_rows": _price_rows(history[(price_page - 1) * SUPPLIER_ROWS:price_page * SUPPLIER_ROWS]),
        "price_pager": _pager(request, "prices", price_page, len(history)),
        "orders": selectors.purchase_order_list(supplier_id=supplier.pk)[:20]}, status=status)


SUPPLIER_ROWS = 100  # items and price-history rows on the page; the exports hold them all


def _page_number(request: HttpRequest, name: str) -> int:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def _pager(request: HttpRequest, name: str, number: int, total: int) -> dict:
    """Where one of the page's tables is (``?<name>=N``, the other table's page kept) and its export."""
    pages = max(1, -(-total // SUPPLIER_ROWS))
    number = min(number, pages)

    def url(n: int) -> str:
        query = request.GET.copy()
        query[name] = str(n)
        return "?" + query.urlencode()

    return {"number": number, "pages": pages, "total": total, "first": min(total, (number - 1) * SUPPLIER_ROWS + 1),
            "last": min(total, number * SUPPLIER_ROWS), "previous_url": url(number - 1) if number > 1 else "",
            "next_url": url(number + 1) if number < pages else "", "export_url": f"?export={name}&format=xlsx"}


def _price_text(pairs) -> str:
    return "; ".join(f"{day:%Y-%m-%d}: {price:.2f}" for day, price in pairs)


def _item_cells(item: dict) -> dict:
    """An item row's cells, made here (no template loop or filter per cell)."""
    return {**item, "unit_price_text": f"{item['unit_price']:.2f}",
            "breaks": ", ".join(f"≥{qty}: {price:.2f}" for qty, price in item["price_breaks"])}


def _price_rows(history: list[tuple[str, dict]]) -> list[dict]:
    """Price history a merchant code: list prices with their first day, the last six prices paid on POs."""
    return [{"code": code, "list": _price_text(h["list"]), "paid": _price_text(h["paid"][-6:])} for code, h in history]


def _supplier_export(supplier: Supplier, scorecard: dict | None, which: str, fmt: str) -> HttpResponse:
    """Every item (``items``) or every price of the history (``prices``: list prices and prices paid on POs,
    one row each) of the supplier, as XLSX or CSV."""
    fmt = fmt if fmt in ("xlsx", "csv") else "xlsx"
    if which == "items":
        items, _count = selectors.supplier_items(supplier=supplier)
        cols = [Column("merchant_code", _("Merchant code")), Column("unit_price", _("Unit price"), unit="money"),
                Column("moq", _("MOQ"), unit="count"), Column("case_pack", _("Case pack"), unit="count"),
                Column("lead_days", _("Lead time (days)"), unit="count"), Column("breaks", _("Price breaks"))]
        records = [_item_cells(item) for item in items]
        title, stem = _("Items supplied"), f"{supplier.code}-items"
    else:
        cols = [Column("merchant_code", _("Merchant code")), Column("kind", _("Price")),
                Column("day", _("From / ordered on"), unit="date"), Column("unit_price", _("Unit price"), unit="money")]
        history = (scorecard or {}).get("price_history", {})
        records = [{"merchant_code": code, "kind": str(label), "day": day, "unit_price": price}
                   for code, h in history.items()
                   for key, label in (("list", pgettext("supplier price", "List price")), ("paid", _("Paid on a PO")))
                   for day, price in h[key]]
        title, stem = _("Price history"), f"{supplier.code}-prices"
    table = DataTable.from_dicts(f"supplier_{which}", title, cols, records, currency=supplier.currency)
    return export_response(table, fmt, stem)


# ---------------------------------------------------------------------------- purchase orders
@_guarded
def orders(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in PurchaseOrder.Status.values:
        status = ""
    pos = list(selectors.purchase_order_list(status=status)[:200])
    for po in pos:
        po.total = services.purchase_order_total(po)
    return render(request, "inventory/orders.html", {"orders": pos, "status": status,
                                                     "statuses": PurchaseOrder.Status.choices})


@_guarded
def order_create(request: HttpRequest) -> HttpResponse:
    initial = {"supplier": request.GET.get("supplier")} if request.GET.get("supplier") else None
    form = PurchaseOrderForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                lines = selectors.po_lines_resolve(lines=d["lines"])  # store by name or id, description from the title
                known = selectors.sku_lookup([(line.store_id, line.sku_id) for line in lines])
                po = services.purchase_order_create(user=request.user, supplier=d["supplier"], lines=lines,
                                                    ordered_on=_today(), now=timezone.now(), notes=d["notes"],
                                                    known_skus=known)
            except ShopopsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Draft purchase order %(number)s created.") % {"number": po.number})
                return redirect("inventory:order", po_id=po.pk)
        status = 400
    return render(request, "inventory/order_form.html", {"form": form, "stores": _stores()}, status=status)


def _po(po_id: int) -> PurchaseOrder:
    try:
        return selectors.purchase_order_get(po_id=po_id)
    except PurchaseOrder.DoesNotExist as exc:
        raise Http404 from exc


def _order_page(request: HttpRequest, po: PurchaseOrder, *, receive_form: ReceiveForm | None = None,
                error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "inventory/order.html", {
        "po": po, "total": services.purchase_order_total(po), "needs_approval": services.needs_approval(po),
        "threshold": services.approval_threshold(), "can_approve": services.user_can_approve(request.user),
        "receive_form": receive_form or ReceiveForm(po=po, initial={"received_on": _today()}),
        "error": error}, status=status)


@_guarded
def order_detail(request: HttpRequest, po_id: int) -> HttpResponse:
    po = _po(po_id)
    if request.GET.get("format") == "xlsx":
        labels = {"title": _("Purchase order"), "number": _("PO number"), "buyer": _("Buyer"), "supplier": _("Supplier"),
                  "contact": _("Contact"), "ordered_on": _("Order date"), "expected_on": _("Expected delivery"),
                  "currency": _("Currency"), "status": _("Status"), "payment_terms": _("Payment terms"),
                  "line": _("Line"), "merchant_code": _("Merchant code"), "description": _("Description"),
                  "sku": "SKU", "store": _("Deliver for store"), "quantity": _("Quantity"),
                  "unit_price": _("Unit price"), "amount": _("Amount"), "total": _("Total")}
        # the buying company as configured; else the stores the goods are for, by name (never a setup hint in a
        # document sent to a supplier)
        buyer = getattr(settings, "SHOPOPS_BUYER_NAME", "") or store_named(sorted({ln.store_id for ln in po.lines.all()}),
                                                                        summarise_all=False)
        return export_response(purchase_order_table(po, buyer=buyer, labels=labels), "xlsx", po.number)
    return _order_page(request, po)


_ACTIONS = {"send": services.purchase_order_send, "approve": services.purchase_order_approve,
            "cancel": services.purchase_order_cancel}
_DONE = {"send": gettext_lazy("Purchase order sent."), "approve": gettext_lazy("Purchase order approved."),
         "cancel": gettext_lazy("Purchase order cancelled.")}


@_guarded
@require_POST
def order_action(request: HttpRequest, po_id: int, action: str) -> HttpResponse:
    po = _po(po_id)
    if action not in _ACTIONS:
        raise Http404
    try:
        _ACTIONS[action](user=request.user, po=po, now=timezone.now())
    except services.InventoryPermissionError as exc:
        return _order_page(request, _po(po_id), error=str(exc), status=403)
    except ShopopsError as exc:
        return _order_page(request, _po(po_id), error=str(exc), status=400)
    messages.success(request, str(_DONE[action]))
    return redirect("inventory:order", po_id=po.pk)


@_guarded
@require_POST
def order_receive(request: HttpRequest, po_id: int) -> HttpResponse:
    po = _po(po_id)
    form = ReceiveForm(request.POST, po=po)
    if not form.is_valid():
        return _order_page(request, po, receive_form=form, status=400)
    try:
        receipt, created = services.purchase_order_receive(
            user=request.user, po=po, reference=form.cleaned_data["reference"],
            received_on=form.cleaned_data["received_on"], quantities=form.quantities(), now=timezone.now())
    except services.InventoryPermissionError as exc:
        return _order_page(request, po, receive_form=form, error=str(exc), status=403)
    except ShopopsError as exc:
        return _order_page(request, _po(po_id), receive_form=form, error=str(exc), status=400)
    if created:
        messages.success(request, _("Delivery %(ref)s recorded.") % {"ref": receipt.reference})
    else:
        messages.info(request, _("Delivery %(ref)s was already recorded; nothing changed.") % {"ref": receipt.reference})
    return redirect("inventory:order", po_id=po.pk)


# ---------------------------------------------------------------------------- replenishment
def _store_choice(request: HttpRequest, stores: list) -> str:
    """The store asked for, else the first store with stock data (the engines plan one store's SKUs at a
    time; a store with no stock snapshot has nothing to plan), else the first store."""
    wanted = request.GET.get("store", "")
    ids = [s.store_id for s in stores]
    if wanted in ids:
        return wanted
    try:
        stocked = selectors.stocked_stores() if ids else frozenset()
    except ShopopsError:
        stocked = frozenset()
    return next((i for i in ids if i in stocked), ids[0] if ids else "")


@_guarded
def replenishment(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _replenishment_submit(request)
    stores = _stores()
    store = _store_choice(request, stores)
    language = get_language() or "zh"
    limits_form = ReplenishmentLimitsForm(request.GET)
    if not limits_form.is_valid():
        return render(request, "inventory/replenishment.html", {
            "form": limits_form, "groups": [], "stores": stores, "store": store,
            "budget": limits_form["budget"].value(), "capacity": limits_form["capacity"].value()}, status=400)
    budget, capacity = limits_form.cleaned_data["budget"], limits_form.cleaned_data["capacity"]
    try:
        day, groups = selectors.replenishment_suggestions(store_id=store, language=language, budget=budget,
                                                          capacity=capacity) if store else (None, [])
        left_out = selectors.replenishment_left_out(store_id=store, budget=budget, capacity=capacity,
                                                    language=language) if store else []
        # why a store may have nothing to suggest: no stock data, or SKUs no supplier supplies (not "all is well")
        has_stock = store in selectors.stocked_stores() if store else False
        unsupplied = selectors.unsupplied_skus(store_id=store) if has_stock else []
        positions_count = len(selectors.stock_health(stores=(store,)).rows) if unsupplied else 0
    except ShopopsError as exc:
        return render(request, "inventory/replenishment.html", {"error": str(exc), "groups": []}, status=503)
    urgent = [r for r in unsupplied if r["status"] in ("stockout", "at_risk")]
    # one supplier's suggestions at a time (a large store has hundreds of lines): the picker lists every
    # supplier with its lines and money; the form creates that supplier's draft PO
    wanted = request.GET.get("supplier", "")
    group = next((g for g in groups if str(g["supplier_id"]) == wanted), groups[0] if groups else None)
    suppliers = [{"supplier_id": g["supplier_id"], "code": g["code"], "name": g["name"], "currency": g["currency"],
                  "count": len(g["lines"]), "total": g["total"], "current": g is group} for g in groups]
    return render(request, "inventory/replenishment.html", {
        "form": limits_form, "currency": store_currency(stores, (store,)), "day": day,
        "groups": [group] if group else [], "group": group, "suppliers": suppliers,
        "rows": _suggestion_rows(group, language) if group else [], "order_label": _("Order this line"),
        "quantity_label": _("Quantity"),
        "line_count": sum(s["count"] for s in suppliers), "token": uuid.uuid4().hex, "stores": stores,
        "store": store, "budget": budget, "capacity": capacity, "limits": budget is not None or capacity is not None,
        "planned_total": sum((s["total"] for s in suppliers), Decimal("0.00")),
        "left_out": left_out[:20], "left_out_count": len(left_out),
        "left_out_risk": sum((line["value_at_risk"] for line in left_out), Decimal("0.00")),
        "limit_query": urlencode({k: v for k, v in (("budget", budget), ("capacity", capacity)) if v is not None}),
        "has_stock": has_stock, "unsupplied_count": len(unsupplied), "none_supplied": len(unsupplied) >= positions_count > 0, "unsupplied_urgent_count": len(urgent),
        "unsupplied_urgent": ", ".join(r["sku_id"] for r in urgent[:5]) + (" …" if len(urgent) > 5 else ""),
        "store_label": store_named(store) if store else ""})


def _suggestion_rows(group: dict, language: str = "zh") -> list[dict]:
    """The shown supplier's lines with their form keys and texts made here, once a line: a supplier can
    have hundreds of lines, and template filters on each cell were most of the page's time."""
    rows = []
    for s in group["lines"]:
        key = f"{group['supplier_id']}|{s['store_id']}|{s['sku_id']}|{s['merchant_code']}"
        rows.append({**s, "key": key, "desc": f"{s['title'] or ''} {s['spec'] or ''}".strip(),
                     "short_title": Truncator(s["title"] or "").chars(20),
                     "demand_text": f"{s['daily_demand']:.2f}", "price_text": format_money(s["unit_price"], group["currency"]),
                     "why": ("；" if language.startswith("zh") else "; ").join(s["reasons"]), "step": s["terms"].case_pack})
    return rows


def _replenishment_back(request: HttpRequest) -> HttpResponse:
    """Back to the store and supplier the form was posted from."""
    query = {k: request.POST[k] for k in ("store", "supplier") if request.POST.get(k)}
    return redirect(reverse("inventory:replenishment") + (f"?{urlencode(query)}" if query else ""))


def _replenishment_submit(request: HttpRequest) -> HttpResponse:
    rows = []
    for key in request.POST.getlist("row"):
        parts = key.split("|")
        if len(parts) != 4:
            messages.error(request, _("A suggestion row could not be read: %(row)s") % {"row": key[:80]})
            return _replenishment_back(request)
        supplier_id, store_id, sku_id, code = parts
        rows.append(services.SuggestionIn(supplier_id=supplier_id, store_id=store_id, sku_id=sku_id, merchant_code=code,
                                          quantity=request.POST.get(f"qty|{key}", "0"),
                                          description=request.POST.get(f"desc|{key}", "")))
    try:
        known = selectors.sku_lookup([(r.store_id, r.sku_id) for r in rows])
        pos = services.replenishment_submit(user=request.user, suggestions=rows, key=request.POST.get("token", ""),
                                            ordered_on=_today(), now=timezone.now(), known_skus=known)
    except services.InventoryPermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except (ShopopsError, ValueError) as exc:
        messages.error(request, str(exc))
        return _replenishment_back(request)
    messages.success(request, _("Draft purchase orders: %(numbers)s") % {"numbers": ", ".join(p.number for p in pos)})
    return redirect(reverse("inventory:orders") + "?status=draft")


# ---------------------------------------------------------------------------- forecast and stocking plan
@_guarded
def forecast(request: HttpRequest) -> HttpResponse:
    """One series: a store's SKU (``store`` + ``sku``) or a merchant code over every store (``code``), by day
    (``freq=D``) or by week (``freq=W``): the history and the forecast with its intervals, the chosen model and
    its backtest error."""
    stores = _stores()
    store, sku = _store_choice(request, stores), request.GET.get("sku", "").strip()
    code = request.GET.get("code", "").strip()
    freq = "W" if request.GET.get("freq", "D") == "W" else "D"
    context = {"stores": stores, "store": store, "sku": sku, "code": code, "freq": freq, "result": None}
    if code or (store and sku):
        try:
            if freq == "D" and not code:
                context["result"] = selectors.sku_forecast(store_id=store, sku_id=sku)
            else:
                context["result"] = selectors.series_forecast(freq=freq, store_id=store, sku_id=sku, merchant_code=code)
        except ShopopsError as exc:
            context["error"] = str(exc)
            return render(request, "inventory/forecast.html", context, status=503)
        if context["result"] is None:
            context["error"] = (_("No sales history for merchant code %(code)s.") % {"code": code} if code else
                                _("No sales history for SKU %(sku)s in store %(store)s.") % {"sku": sku, "store": store})
            return render(request, "inventory/forecast.html", context, status=404)
        r = context["result"]
        r["series"] = {k: (None if isinstance(v, float) and v != v else v) for k, v in r["series"].items()}  # NaN: —
        context["demand_class_label"] = DEMAND_CLASS_LABELS.get(r["series"]["demand_class"], r["series"]["demand_class"])
        if freq == "W":
            context["history_weeks"] = r["history"]
        else:
            history = r["history"]
            # whole weeks ending on the last day (120 days: the first day is left out, not a one-day last week)
            context["history_weeks"] = [
                {"start": history[i]["day"], "day": history[i + 6]["day"],
                 "units": sum(h["units"] for h in history[i:i + 7])} for i in range(len(history) % 7, len(history), 7)]
        base = {"code": code} if code else {"store": store, "sku": sku}
        context["freq_links"] = {f: "?" + urlencode({**base, "freq": f}) for f in ("D", "W")}
        cover = r.get("cover")
        if not code and cover and cover.get("merchant_code"):
            context["code_link"] = "?" + urlencode({"code": cover["merchant_code"], "freq": freq})
    return render(request, "inventory/forecast.html", context)


def _plan_uplift(facts: campaign_plans.PlanFacts, data, *, today: dt.date) -> str:
    """Put a campaign plan's expected uplift (its GMV goal ÷ its stores' no-campaign GMV forecast of the same
    days, ``selectors.plan_uplift``) into ``data`` unless one was typed; return the sentence that says where the
    uplift comes from."""
    if data.get("uplift"):
        return _("Expected uplift as typed.")
    if not facts.goal_gmv:
        return _("No GMV goal: the uplift learned from the same campaign in past years (festival calendar) applies.")
    try:
        u = selectors.plan_uplift(facts, today=today)
    except ShopopsError:
        u = None
    if u is None or u.ratio is None:
        return _("No sales forecast to compare the GMV goal with: the uplift learned from past campaigns applies.")
    if not u.used:  # a goal far under ordinary sales is a goal of another scale, not a plan to sell less
        return _("The GMV goal %(goal)s is under half of what the stores would sell without the campaign (%(base)s): "
                 "not used; the uplift learned from past campaigns applies. Check the goal, or type the uplift you "
                 "expect.") % {"goal": format_money(u.goal.quantize(Decimal("0.01")), facts.currency),
                               "base": format_money(u.base, facts.currency)}
    data["uplift"] = u.stated
    below = (" " + _("Below 1: the goal is under what the stores would sell without the campaign — check the goal, "
                     "or type the uplift you expect.")) if u.ratio < 1 else ""
    return _basis(u.ratio, u.goal, u.base, u.first, facts) + below


def _basis(uplift: float, goal: Decimal, base: Decimal, first: dt.date, facts) -> str:
    return _("Expected uplift %(u)s× = the GMV goal %(goal)s ÷ the stores' GMV forecast without the campaign "
             "%(base)s (%(first)s–%(last)s: every SKU's ordinary forecast × its value per unit sold).") % {
        "u": f"{uplift:.2f}", "goal": format_money(goal.quantize(Decimal("0.01")), facts.currency),
        "base": format_money(base, facts.currency), "first": first, "last": facts.last}


def _plan_choices(plans) -> list[dict]:
    """The campaign plans of the picker with their stores by name (as every other page shows them)."""
    return [{"plan_id": p.plan_id, "name": p.name, "first": p.first, "last": p.last,
             "stores": store_named(p.store_ids)} for p in plans]


@_guarded
def stocking_plan(request: HttpRequest) -> HttpResponse:
    """The pre-campaign stocking plan: from a campaign plan (``plan``: its stores, every phase's days,
    hero SKUs first, its expected uplift) or from a store, a festival or dates and a typed uplift."""
    stores = _stores()
    store = _store_choice(request, stores)
    today = selectors.stock_day() or _today()
    festivals = selectors.festival_choices(today=today, language=get_language() or "zh")
    plans = campaign_plans.plans(today)
    data = request.GET.copy()
    facts, uplift_basis = None, ""
    if data.get("plan"):
        raw = data["plan"]
        facts = campaign_plans.plan(pk) if (pk := pk_param(raw)) else None
        if facts is None:
            context = {"form": StockingPlanForm(), "plan": None, "festivals": festivals, "stores": stores,
                       "store": store, "festival": "", "plans": _plan_choices(plans), "chosen_plan": None,
                       "error": _("There is no campaign plan %(plan)s.") % {"plan": raw}}
            return render(request, "inventory/stocking_plan.html", context, status=404)
        # a running plan: what is left of it, from tomorrow (the stock for today is what is on the shelf)
        data["starts_on"] = max(facts.first, today + dt.timedelta(days=1)).isoformat()
        data["ends_on"] = facts.last.isoformat()
        uplift_basis = _plan_uplift(facts, data, today=today)
    chosen = next((f for f in festivals if f["key"] == data.get("festival")), None)
    if facts is None and chosen is not None and not data.get("starts_on"):
        data["starts_on"], data["ends_on"] = chosen["first"].isoformat(), chosen["last"].isoformat()
    form = StockingPlanForm(data if request.GET else None)
    plan_stores = [s for s in facts.store_ids if s in {x.store_id for x in stores}] if facts else [store]
    context: dict = {"form": form, "plan": None, "festivals": festivals, "stores": stores, "store": store,
                     "festival": data.get("festival", ""), "plans": _plan_choices(plans), "chosen_plan": facts,
                     "plan_stores": store_named(plan_stores, summarise_all=False), "uplift_basis": uplift_basis if facts else ""}
    if facts is not None and facts.last <= today:
        context["error"] = _("Campaign plan %(name)s ended on %(day)s: nothing left to stock for.") % {
            "name": facts.name, "day": facts.last}
        return render(request, "inventory/stocking_plan.html", context, status=400)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("starts_on") and form.cleaned_data.get("ends_on"):
        d = form.cleaned_data
        if d["starts_on"] <= today:
            form.add_error("starts_on", _("the campaign must start after %(day)s") % {"day": today})
            return render(request, "inventory/stocking_plan.html", context, status=400)
        plan: list[dict] = []
        day = None
        try:
            for sid in plan_stores:
                day, lines = selectors.stocking_plan(store_id=sid, starts_on=d["starts_on"], ends_on=d["ends_on"],
                                                     expected_uplift=d.get("uplift"),
                                                     hero_skus=facts.hero_skus if facts else ())
                plan += lines
        except ShopopsError as exc:
            context["error"] = str(exc)
            return render(request, "inventory/stocking_plan.html", context, status=503)
        if facts is not None:
            rank = {h: k for k, h in enumerate(facts.hero_skus)}
            plan.sort(key=lambda p: (not p["hero"], min(rank.get(p["sku_id"], 999), rank.get(p["merchant_code"], 999)),
                                     p["order_by"], -p["at_risk"]))
        else:
            plan.sort(key=lambda p: (p["order_by"], -p["at_risk"]))
        currency = store_currency(stores, tuple(plan_stores))
        # needing attention: something to order, or no stock and no forecast (the need is unknown, not nil)
        attention = [p for p in plan if p.get("attention", p["quantity"] > 0)]
        costed = [p for p in attention if p.get("order_cost") is not None]
        stocked = selectors.stocked_stores()
        matched = {str(v) for p in plan for v in (p["sku_id"], p["merchant_code"] or "")}
        context.update(day=day, plan=[{**p, "at_risk_text": format_money(p["at_risk"], currency),
                                       "on_hand_and_order": p["on_hand"] + p["on_order"]} for p in plan[:300]],
                       plan_count=len(attention), uplift=d.get("uplift"), window=(d["starts_on"], d["ends_on"]),
                       plan_total=format_money(sum((p["at_risk"] for p in attention), Decimal("0.00")), currency),
                       order_total=format_money(sum((p["order_cost"] for p in costed), Decimal("0.00")), currency),
                       no_supplier_count=sum(1 for p in attention if p.get("no_supplier")),
                       no_forecast_count=sum(1 for p in attention if p.get("no_forecast")),
                       default_lead_days=positions.HealthRules().default_lead_days,
                       unstocked_stores=store_named([s for s in plan_stores if s not in stocked]),
                       all_unstocked=not any(s in stocked for s in plan_stores),
                       heroes_without_stock=[h for h in (facts.hero_skus if facts else ()) if h and h not in matched])
    elif form.is_bound and not form.is_valid():
        return render(request, "inventory/stocking_plan.html", context, status=400)
    return render(request, "inventory/stocking_plan.html", context)
