"""Reads of the inventory app: suppliers, purchase orders, stock health and supplier scorecards.

Warehouse facts are read through Ibis and kept in the one cache keyed by the warehouse's
data version (``shopops.metrics.cache``); what the app DB adds (receipts, open POs) is read
fresh on every call — a few small queries — so a receipt shows at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

import ibis
import numpy as np
import pandas as pd
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

import math

from shopops.inventory import demand_data, ordering, planning, positions
from shopops.inventory.forecasting import CampaignWindow
from shopops.inventory.replenishment import PriceBreak as EnginePriceBreak
from shopops.inventory.replenishment import SupplyTerms
from shopops.inventory.models import (
    PriceBreak, PriceRecord, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, Supplier, SupplierItem,
)
from shopops.metrics.cache import cached
from shopops.metrics.sources import paid_orders
from shopops.core.festivals import festivals_between
from shopops.core.errors import ValidationError
from shopops.core.periods import Period
from shopops.metrics.dimensions import store_list
from shopops.warehouse.connection import connect
from shopops.warehouse.versions import versions_memo

STOCK_TABLES = ("inventory_snapshots", "order_lines", "orders", "skus", "products")
# refund reasons that point at the goods (the supplier), not at the buyer or the shop
DEFECT_REASONS = ("质量问题", "颜色/图案/款式与商品描述不符", "做工问题", "破损", "少件/漏发")


# ---------------------------------------------------------------------------- app DB
def supplier_list() -> QuerySet[Supplier]:
    """Suppliers with ``item_count`` (the merchant codes each supplies)."""
    return Supplier.objects.annotate(item_count=Count("items")).order_by("code")


def supplier_get(*, supplier_id: int) -> Supplier:
    return Supplier.objects.prefetch_related("contacts").get(pk=supplier_id)


def supplier_items(*, supplier: Supplier, offset: int = 0, limit: int | None = None) -> tuple[list[dict], int]:
    """(the supplier's items by merchant code from ``offset``, at most ``limit`` of them, how many it has):
    plain rows — merchant_code, unit_price, moq, case_pack, lead_days (the item's or the supplier's
    promised), price_breaks [(min quantity, unit price)] — read with two queries whatever their number."""
    qs = supplier.items.order_by("merchant_code")
    total = qs.count()
    rows = list(qs.values("pk", "merchant_code", "unit_price", "moq", "case_pack", "lead_days")[
        offset:None if limit is None else offset + limit])
    breaks: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for item_id, qty, price in PriceBreak.objects.filter(item_id__in=[r["pk"] for r in rows]).order_by(
            "item_id", "min_quantity").values_list("item_id", "min_quantity", "unit_price"):
        breaks[item_id].append((qty, price))
    for r in rows:
        r["lead_days"] = r["lead_days"] or supplier.promised_lead_days
        r["price_breaks"] = breaks.get(r.pop("pk"), [])
    return rows, total


def purchase_order_list(*, status: str = "", supplier_id: int | None = None) -> QuerySet[PurchaseOrder]:
    qs = PurchaseOrder.objects.select_related("supplier").prefetch_related("lines")
    if status:
        qs = qs.filter(status=status)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return qs


def purchase_order_get(*, po_id: int) -> PurchaseOrder:
    return PurchaseOrder.objects.select_related("supplier", "created_by", "approved_by").prefetch_related(
        "lines", Prefetch("receipts", queryset=Receipt.objects.prefetch_related("lines__line"))).get(pk=po_id)


def preferred_items() -> dict[str, SupplierItem]:
    """The preferred supplier item of every merchant code (the lowest supplier id among preferred ones),
    with its supplier and price breaks (two queries, whatever the number of items)."""
    out: dict[str, SupplierItem] = {}
    for item in SupplierItem.objects.filter(is_preferred=True, supplier__is_active=True).select_related(
            "supplier").order_by("merchant_code", "supplier_id"):
        out.setdefault(item.merchant_code, item)
    breaks: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for item_id, qty, price in PriceBreak.objects.filter(item__in=[i.pk for i in out.values()]).values_list(
            "item_id", "min_quantity", "unit_price").order_by("item_id", "min_quantity"):
        breaks[item_id].append((qty, price))
    for item in out.values():
        item.break_list = tuple(breaks.get(item.pk, ()))
    return out


def lead_days_by_code() -> dict[str, int]:
    return {code: lead or promised for code, lead, promised in SupplierItem.objects.filter(
        is_preferred=True, supplier__is_active=True).order_by("merchant_code", "-supplier_id").values_list(
        "merchant_code", "lead_days", "supplier__promised_lead_days")}


def open_po_frame(*, include_drafts: bool = False) -> pd.DataFrame:
    """Open PO units per (store, SKU): sent and partly received POs (and drafts when asked: the
    replenishment suggestion counts what is already being ordered)."""
    S = PurchaseOrder.Status
    statuses = [S.SENT, S.PARTLY_RECEIVED] + ([S.DRAFT] if include_drafts else [])
    rows = (PurchaseOrderLine.objects.filter(purchase_order__status__in=statuses)
            .values("store_id", "sku_id").annotate(open_quantity=Sum(F("quantity") - F("received_quantity"))))
    return pd.DataFrame(list(rows), columns=["store_id", "sku_id", "open_quantity"])


def ordered_here() -> set[tuple[str, str]]:
    """(store, SKU) pairs shopops has ever put on a PO (their in-transit comes from shopops)."""
    return set(PurchaseOrderLine.objects.exclude(purchase_order__status=PurchaseOrder.Status.DRAFT)
               .values_list("store_id", "sku_id").distinct())


def receipt_frame(*, since: dt.date) -> pd.DataFrame:
    rows = (ReceiptLine.objects.filter(receipt__received_on__gte=since)
            .values("line__store_id", "line__sku_id", "receipt__received_on", "quantity"))
    return pd.DataFrame([{"store_id": r["line__store_id"], "sku_id": r["line__sku_id"],
                          "received_on": r["receipt__received_on"], "quantity": r["quantity"]} for r in rows],
                        columns=["store_id", "sku_id", "received_on", "quantity"])


# ---------------------------------------------------------------------------- warehouse
ERP_TABLES = ("purchase_order_lines", "stock_receipts")
_tables_memo: ContextVar[dict | None] = ContextVar("inventory_tables_memo", default=None)


@contextlib.contextmanager
def request_memo() -> Iterator[None]:
    """Inside (one page request, a GET), the warehouse's data versions, its list of tables and each store's
    planning digest are read once (``warehouse.versions.versions_memo``): every cached read of a page asks for them."""
    token = _tables_memo.set({})
    try:
        with versions_memo():
            yield
    finally:
        _tables_memo.reset(token)


def _has_table(con: ibis.BaseBackend, name: str) -> bool:
    memo = _tables_memo.get()
    if memo is None:
        return name in con.list_tables()
    key = (id(con), con.name)
    if key not in memo:
        memo[key] = frozenset(con.list_tables())
    return name in memo[key]


def _as_store_skus(frame: pd.DataFrame, con: ibis.BaseBackend) -> pd.DataFrame:
    """ERP files name goods by their 商品编码: a platform ``sku_id`` or the ``merchant_code`` (商家编码)
    the stores share. A code that is not a SKU of the store but the merchant code of exactly one of its
    SKUs becomes that SKU (so the receipt lands on the position the snapshots and sales use)."""
    if frame.empty:
        return frame
    skus = _frame(con.table("skus").select("store_id", "sku_id", "merchant_code"))
    direct = pd.MultiIndex.from_frame(skus[["store_id", "sku_id"]])
    coded = skus.dropna(subset=["merchant_code"])
    coded = coded[coded.groupby(["store_id", "merchant_code"])["sku_id"].transform("size") == 1]
    code_map = coded.set_index(["store_id", "merchant_code"])["sku_id"]
    keys = pd.MultiIndex.from_frame(frame[["store_id", "sku_id"]])
    mapped = code_map.reindex(keys).to_numpy()
    use = ~keys.isin(direct) & pd.notna(mapped)
    frame = frame.copy()
    frame.loc[use, "sku_id"] = mapped[use]
    return frame


def erp_receipt_frame(*, since: dt.date, stores: tuple[str, ...] = (), con: ibis.BaseBackend | None = None
                      ) -> pd.DataFrame:
    """Receipts imported from the ERP (``stock_receipts``, profile ``erp_receipts``) since ``since``:
    store_id, sku_id, received_on, quantity. One row per receipt and SKU (the key), so a receipt
    imported twice counts once."""
    con = con or connect()
    cols = ["store_id", "sku_id", "received_on", "quantity"]
    if not _has_table(con, "stock_receipts"):
        return pd.DataFrame(columns=cols)

    def build() -> pd.DataFrame:
        t = con.table("stock_receipts")
        t = t.filter(t.date >= since)
        if stores:
            t = t.filter(t.store_id.isin(list(stores)))
        df = _frame(t.select("store_id", "sku_id", received_on=t.date, quantity=t.quantity))
        if not df.empty:
            df["received_on"] = pd.to_datetime(df["received_on"]).dt.date
        return _as_store_skus(df.reindex(columns=cols), con)

    return cached("inventory:erp_receipts", (since, tuple(sorted(stores))), build, con=con,
                  tables=("stock_receipts", "skus"), stores=stores)


def erp_open_po(*, stores: tuple[str, ...] = (), con: ibis.BaseBackend | None = None
                ) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """PO lines imported from the ERP (``purchase_order_lines``): (open units per store and SKU —
    ``open`` lines' quantity minus the imported receipts against the same PO and SKU, never below 0 —
    and the (store, SKU) pairs on any approved ERP PO, whose in-transit then comes from the POs)."""
    con = con or connect()
    cols = ["store_id", "sku_id", "open_quantity"]
    if not _has_table(con, "purchase_order_lines"):
        return pd.DataFrame(columns=cols), set()

    def build():
        po = _frame(con.table("purchase_order_lines").select("store_id", "po_number", "sku_id", "quantity", "status"))
        if stores:
            po = po[po["store_id"].isin(stores)]
        po = po[po["status"].fillna("open") != "draft"]
        if po.empty:
            return pd.DataFrame(columns=cols), set()
        received = pd.DataFrame(columns=["store_id", "po_number", "sku_id", "received"])
        if "stock_receipts" in con.list_tables():
            r = con.table("stock_receipts")
            received = _frame(r.filter(r.po_number.notnull()).group_by(["store_id", "po_number", "sku_id"])
                              .aggregate(received=r.quantity.sum()))
        po = po.merge(received, on=["store_id", "po_number", "sku_id"], how="left")
        po["open_quantity"] = (po["quantity"] - po["received"].fillna(0)).clip(lower=0)
        po.loc[po["status"].fillna("open") != "open", "open_quantity"] = 0
        po = _as_store_skus(po, con)
        opened = po.groupby(["store_id", "sku_id"], as_index=False)["open_quantity"].sum()
        opened["open_quantity"] = opened["open_quantity"].astype("int64")
        return opened[cols], set(zip(po["store_id"], po["sku_id"]))

    return cached("inventory:erp_open_po", (tuple(sorted(stores)),), build, con=con, tables=(*ERP_TABLES, "skus"),
                  stores=stores)


def stock_day(con: ibis.BaseBackend | None = None) -> dt.date | None:
    """The as-of day of the stock pages: the latest snapshot day in the warehouse."""
    con = con or connect()
    if not _has_table(con, "inventory_snapshots"):
        return None

    def build():
        t = con.table("inventory_snapshots")
        value = t.aggregate(last=t.date.max()).to_pyarrow().to_pylist()[0]["last"]
        return value

    return cached("inventory:stock_day", (), build, con=con, tables=("inventory_snapshots",))


def _frame(expr) -> pd.DataFrame:
    return expr.to_pyarrow().to_pandas()


def warehouse_positions(*, day: dt.date, stores: tuple[str, ...] = (), con: ibis.BaseBackend | None = None
                        ) -> pd.DataFrame:
    """``positions.position_facts`` of the warehouse as of ``day`` (cached by data version)."""
    con = con or connect()

    def build() -> pd.DataFrame:
        snaps = con.table("inventory_snapshots")
        snaps = snaps.filter(snaps.date >= day - dt.timedelta(days=positions.AGED_DAYS + 30), snaps.date <= day)
        if stores:
            snaps = snaps.filter(snaps.store_id.isin(list(stores)))
        orders = paid_orders(con, Period(day - dt.timedelta(days=positions.HISTORY_DAYS - 1), day)).select(
            "store_id", "order_id", "paid_date")
        if stores:
            orders = orders.filter(orders.store_id.isin(list(stores)))
        lines = con.table("order_lines").select("store_id", "order_id", "sku_id", "quantity")
        sales = (lines.inner_join(orders, ["store_id", "order_id"])
                 .group_by(["store_id", "sku_id", "paid_date"]).aggregate(units=lambda t: t.quantity.sum())
                 .rename(date="paid_date"))
        skus = con.table("skus")
        products = con.table("products").select("store_id", "product_id", "title")
        meta = skus.left_join(products, ["store_id", "product_id"]).select(
            skus.store_id, skus.sku_id, skus.merchant_code, skus.product_id, "title", skus.spec, skus.price, skus.cost)
        if stores:
            meta = meta.filter(meta.store_id.isin(list(stores)))
        snap_df = _frame(snaps.select("store_id", "sku_id", "date", "on_hand", "in_transit"))
        sales_df = _frame(sales)
        for df in (snap_df, sales_df):
            if not df.empty:
                df["date"] = pd.to_datetime(df["date"]).dt.date
        return positions.position_facts(snapshots=snap_df, sales=sales_df, skus=_frame(meta), day=day)

    return cached("inventory:positions", (day, tuple(sorted(stores))), build, con=con, tables=STOCK_TABLES,
                  stores=stores)


@dataclass(frozen=True, slots=True)
class StockHealth:
    day: dt.date | None
    rows: list[dict]

    def totals(self) -> dict:
        rows = self.rows
        return {
            "positions": len(rows),
            "on_hand": sum(r["on_hand"] for r in rows),
            "in_transit": sum(r["in_transit"] for r in rows),
            "stockouts": sum(1 for r in rows if r["status"] == "stockout"),
            "at_risk": sum(1 for r in rows if r["status"] == "at_risk"),
            "lost_sales": sum((r["lost_sales"] for r in rows), Decimal("0.00")),
            "excess_value": sum((r["excess_value"] for r in rows), Decimal("0.00")),
            "aged_value": sum((r["aged_value"] for r in rows), Decimal("0.00")),
            "slow": sum(1 for r in rows if r["status"] == "slow"),
        }


def stock_health(*, stores: tuple[str, ...] = (), day: dt.date | None = None,
                 con: ibis.BaseBackend | None = None, rules: positions.HealthRules = positions.HealthRules()
                 ) -> StockHealth:
    """Stock health per store and SKU (``positions.stock_health``), as of the last snapshot day."""
    con = con or connect()
    day = day or stock_day(con)
    if day is None:
        return StockHealth(None, [])
    inputs, digest = _stock_inputs(day=day, stores=stores, con=con)

    def build() -> list[dict]:
        facts = warehouse_positions(day=day, stores=stores, con=con)
        # the stock-out risk walks the stores' demand forecast (cached per data version: the alerts, the
        # replenishment and the forecast page share it), so the page's 断货风险 and the alerts agree
        paths: dict[tuple[str, str], np.ndarray] = {}
        for store_id in sorted(set(facts["store_id"])):
            for sku_id, (means, _ups) in store_forecast_paths(store_id=store_id, day=day, con=con).items():
                paths[(store_id, sku_id)] = means
        return positions.stock_health(positions=facts, day=day, rules=rules, paths=paths, **inputs)

    # the rows of every SKU (a large store: 6,000+, ~75 ms of Python) once per data version of the stock
    # facts and per digest of the app DB's inputs, which are read fresh (a few ms): a receipt or a PO
    # shows at once
    rows = cached("inventory:stock_health", (day, tuple(sorted(stores)), rules, digest), build,
                  con=con, tables=(*STOCK_TABLES, *ERP_TABLES), stores=stores)
    return StockHealth(day, rows)


def _stock_inputs(*, day: dt.date, stores: tuple[str, ...], con) -> tuple[dict, str]:
    """What the app DB (and the ERP's imported POs and receipts) add to the warehouse positions — receipts
    since the aged-stock window, open POs, the SKUs ordered in shopops, lead times — and their digest."""
    since = day - dt.timedelta(days=positions.AGED_DAYS + 30)
    receipts = pd.concat([receipt_frame(since=since), erp_receipt_frame(since=since, stores=stores, con=con)],
                         ignore_index=True)
    erp_open, erp_ordered = erp_open_po(stores=stores, con=con)
    inputs = {"receipts": receipts, "open_po": open_po_frame(), "ordered_here": ordered_here(),
              "lead_days": lead_days_by_code(), "erp_open_po": erp_open, "erp_ordered": erp_ordered,
              "dated_arrivals": open_po_arrivals(stores=stores)}
    h = hashlib.sha256()
    # the forecast the stock-out risk walks changes with the promotions planned (app DB) too
    h.update(repr(_windows_key(_promotion_windows_for_key(day))).encode())
    for name in sorted(inputs):
        value = inputs[name]
        h.update(name.encode())
        if isinstance(value, pd.DataFrame):
            h.update(repr(list(value.columns)).encode())
            h.update(pd.util.hash_pandas_object(value.astype(str), index=False).to_numpy().tobytes())
        elif isinstance(value, dict):
            h.update(repr(sorted((k, sorted(v) if isinstance(v, list) else v) for k, v in value.items())).encode())
        else:
            h.update(repr(sorted(value)).encode())
    return inputs, h.hexdigest()


def stock_view(*, stores: tuple[str, ...] = (), view: str = "sku", status: str = "", q: str = "",
               limit: int | None = None, rules: positions.HealthRules = positions.HealthRules(),
               con: ibis.BaseBackend | None = None) -> tuple[dt.date | None, list[dict], int, dict]:
    """The stock page: (as-of day, its rows — per store and SKU, or per merchant code with ``view="code"`` —
    most urgent first, of ``status`` if given and containing ``q`` in the SKU, merchant code or title, the
    first ``limit`` of them (all without), how many match, the totals of every row).

    Sorted, regrouped and summed once per version of their inputs (the key of ``stock_health``); without a
    search the page's slice is kept per status too, so a render reads the inputs and one small cache entry
    (unpickling every row of a large store was a third of a render)."""
    con = con or connect()
    day = stock_day(con)
    if day is None:
        return None, [], 0, StockHealth(None, []).totals()
    _inputs, digest = _stock_inputs(day=day, stores=stores, con=con)
    base = (day, tuple(sorted(stores)), view, rules, digest)
    tables = (*STOCK_TABLES, *ERP_TABLES)

    def build_all() -> tuple[list[dict], dict]:
        health = stock_health(stores=stores, day=day, con=con, rules=rules)
        rows = health.rows if view == "sku" else positions.by_merchant_code(health.rows, rules=rules)
        rows = sorted(rows, key=lambda r: (positions.STATUS_ORDER.index(r["status"]),
                                           -(r["lost_sales"] + r["excess_value"])))
        return rows, health.totals()

    def matching() -> tuple[list[dict], dict]:
        rows, totals = cached("inventory:stock_view", base, build_all, con=con, tables=tables, stores=stores)
        if status:
            rows = [r for r in rows if r["status"] == status]
        if q:
            needle = q.lower()
            rows = [r for r in rows if needle in (r.get("sku_id", "") + r["merchant_code"] + (r["title"] or "")).lower()]
        return rows, totals

    if q or limit is None:
        rows, totals = matching()
        return day, rows[:limit] if limit is not None else rows, len(rows), totals

    def build_page() -> tuple[list[dict], int, dict]:
        rows, totals = matching()
        return rows[:limit], len(rows), totals

    rows, count, totals = cached("inventory:stock_page", (*base, status, limit), build_page, con=con, tables=tables,
                                 stores=stores)
    return day, rows, count, totals


def po_lines_resolve(*, lines, con: ibis.BaseBackend | None = None) -> list:
    """Lines typed on the new-PO form (``services.LineIn``) with their store given by id or by name — the pages
    show names (栖木官方旗舰店), the warehouse keys ids (tmall) — as store ids, and an empty description filled
    with the warehouse's product title and SKU spec (as the replenishment's lines have it; the supplier's
    XLSX shows it). A store matching no store, or a name two stores share, is refused naming the stores."""
    con = con or connect()
    stores = store_list(con)
    by_id = {s.store_id.casefold(): s.store_id for s in stores}
    by_name: dict[str, list[str]] = defaultdict(list)
    for st in stores:
        if st.name:
            by_name[st.name.strip().casefold()].append(st.store_id)
    known = "、".join(f"{st.name or st.store_id} ({st.store_id})" for st in stores) or "—"
    out = []
    for n, line in enumerate(lines, start=1):
        text = (line.store_id or "").strip()
        store_id = by_id.get(text.casefold())
        if store_id is None and text:
            ids = by_name.get(text.casefold(), [])
            if len(ids) > 1:
                raise ValidationError(_("line %(n)s: store %(store)s is the name of several stores (%(ids)s): give its id")
                                      % {"n": n, "store": text, "ids": ", ".join(ids)})
            store_id = ids[0] if ids else None
        if store_id is None and text:
            raise ValidationError(_("line %(n)s: unknown store %(store)r — give a store's name or id: %(stores)s")
                                  % {"n": n, "store": text, "stores": known})
        out.append(replace(line, store_id=store_id or ""))
    titles = sku_titles([(line.store_id, line.sku_id) for line in out if not line.description and line.store_id], con=con)
    return [line if line.description else replace(line, description=titles.get((line.store_id, str(line.sku_id)), ""))
            for line in out]


def sku_titles(keys, con: ibis.BaseBackend | None = None) -> dict[tuple[str, str], str]:
    """{(store, SKU): "product title spec"} of the warehouse SKUs among ``keys`` (a PO line's description)."""
    keys = {(str(s), str(k)) for s, k in keys}
    if not keys:
        return {}
    con = con or connect()
    skus = con.table("skus")
    skus = skus.filter(skus.store_id.isin(sorted({s for s, _ in keys})), skus.sku_id.isin(sorted({k for _, k in keys})))
    products = con.table("products").select("store_id", "product_id", "title")
    rows = skus.left_join(products, ["store_id", "product_id"]).select(
        skus.store_id, skus.sku_id, "title", skus.spec).to_pyarrow().to_pylist()
    return {(r["store_id"], r["sku_id"]): f"{r['title'] or ''} {r['spec'] or ''}".strip()
            for r in rows if (r["store_id"], r["sku_id"]) in keys}


def sku_lookup(keys, con: ibis.BaseBackend | None = None) -> dict[tuple[str, str], str]:
    """{(store, SKU): merchant code} of the warehouse SKUs among ``keys`` (unknown ones are absent)."""
    keys = {(str(s), str(k)) for s, k in keys}
    if not keys:
        return {}
    con = con or connect()
    t = con.table("skus")
    t = t.filter(t.store_id.isin(sorted({s for s, _ in keys})), t.sku_id.isin(sorted({k for _, k in keys})))
    return {(r["store_id"], r["sku_id"]): r["merchant_code"] or ""
            for r in t.select("store_id", "sku_id", "merchant_code").to_pyarrow().to_pylist()
            if (r["store_id"], r["sku_id"]) in keys}


# ---------------------------------------------------------------------------- scorecard
def _refund_stats(codes: tuple[str, ...], *, day: dt.date, con: ibis.BaseBackend) -> dict:
    """Units sold and refunded (all reasons, and defect reasons) of the merchant codes in the 365 days to ``day``."""
    if not codes:
        return {"sold": 0, "refunded": 0, "defects": 0, "reasons": []}

    def build() -> dict:
        period = Period(day - dt.timedelta(days=364), day)
        skus = con.table("skus").filter(lambda s: s.merchant_code.isin(list(codes))).select("store_id", "sku_id")
        orders = paid_orders(con, period).select("store_id", "order_id")
        lines = con.table("order_lines").select("store_id", "order_id", "line_no", "sku_id", "quantity")
        mine = lines.inner_join(skus, ["store_id", "sku_id"])
        sold = mine.inner_join(orders, ["store_id", "order_id"]).aggregate(units=lambda t: t.quantity.sum())
        refunds = con.table("refunds")
        refunds = refunds.filter(refunds.status == "success", refunds.refund_date >= period.start,
                                 refunds.refund_date <= period.end)
        # a refund names its line, or is for the whole order (then every line of the order)
        j = refunds.inner_join(mine, [refunds.store_id == mine.store_id, refunds.order_id == mine.order_id,
                                      refunds.line_no.isnull() | (refunds.line_no == mine.line_no)])
        units = ibis.ifelse(j.line_no.isnull(), j.quantity_right, j.quantity.fill_null(j.quantity_right))
        by_reason = j.mutate(units=units).group_by("reason").aggregate(units=lambda t: t.units.sum())
        sold_units = int(_frame(sold)["units"].fillna(0).iloc[0] or 0)
        reasons = [(r["reason"] or "", int(r["units"] or 0)) for r in by_reason.to_pyarrow().to_pylist()]
        reasons.sort(key=lambda x: -x[1])
        refunded = sum(u for _, u in reasons)
        defects = sum(u for reason, u in reasons if reason in DEFECT_REASONS)
        return {"sold": sold_units, "refunded": refunded, "defects": defects, "reasons": reasons}

    return cached("inventory:refunds", (codes, day), build, con=con,
                  tables=("skus", "orders", "order_lines", "refunds"))


def supplier_scorecard(*, supplier: Supplier, today: dt.date, con: ibis.BaseBackend | None = None) -> dict:
    """Lead time promised vs actual, on-time and in-full rates (PO lines due by ``today``), the
    refund and defect rates of the supplier's goods, and its price history."""
    # plain rows, not model objects: a supplier of hundreds of codes has hundreds of PO lines and prices
    S = PurchaseOrder.Status
    lines = list(PurchaseOrderLine.objects.filter(purchase_order__supplier=supplier).exclude(
        purchase_order__status=S.DRAFT).order_by("pk").values(
        "pk", "purchase_order_id", "purchase_order__number", "purchase_order__status", "purchase_order__ordered_on",
        "merchant_code", "quantity", "received_quantity", "expected_on", "unit_price"))
    receipts = defaultdict(list)
    for line_id, received_on, qty in ReceiptLine.objects.filter(line__purchase_order__supplier=supplier).values_list(
            "line_id", "receipt__received_on", "quantity"):
        receipts[line_id].append((received_on, qty))
    lead_days, due, on_time, in_full, otif, late_open = [], 0, 0, 0, 0, []
    for line in lines:
        status, ordered_on = line["purchase_order__status"], line["purchase_order__ordered_on"]
        got = sorted(receipts.get(line["pk"], []))
        if got:
            lead_days.append((got[0][0] - ordered_on).days)
        complete_on = None
        running = 0
        for day, qty in got:
            running += qty
            if running >= line["quantity"]:
                complete_on = day
                break
        closed = status in (S.RECEIVED, S.CANCELLED)
        if line["expected_on"] > today and not closed and complete_on is None:
            continue  # not due yet
        if status == S.CANCELLED and not got:
            continue  # cancelled before anything came: not a delivery
        due += 1
        full = line["received_quantity"] >= line["quantity"]
        timely = complete_on is not None and complete_on <= line["expected_on"]
        on_time += timely
        in_full += full
        otif += timely and full
        if status in (S.SENT, S.PARTLY_RECEIVED) and complete_on is None and line["expected_on"] < today:
            late_open.append({"purchase_order_id": line["purchase_order_id"], "number": line["purchase_order__number"],
                              "merchant_code": line["merchant_code"], "expected_on": line["expected_on"],
                              "open_quantity": line["quantity"] - line["received_quantity"]})
    prices = defaultdict(list)
    for code, valid_from, price in PriceRecord.objects.filter(item__supplier=supplier).values_list(
            "item__merchant_code", "valid_from", "unit_price"):
        prices[code].append((valid_from, price))
    paid = defaultdict(list)
    for line in lines:
        paid[line["merchant_code"]].append((line["purchase_order__ordered_on"], line["unit_price"]))
    codes = tuple(sorted(supplier.items.values_list("merchant_code", flat=True)))
    refunds = _refund_stats(codes, day=today, con=con or connect()) if codes else \
        {"sold": 0, "refunded": 0, "defects": 0, "reasons": []}

    def rate(n, d):
        return n / d if d else None

    return {
        "promised_lead_days": supplier.promised_lead_days,
        "actual_lead_days": sum(lead_days) / len(lead_days) if lead_days else None,
        "max_lead_days": max(lead_days) if lead_days else None,
        "deliveries": len(lead_days), "lines_due": due,
        "on_time_rate": rate(on_time, due), "in_full_rate": rate(in_full, due), "otif_rate": rate(otif, due),
        "late_open_lines": late_open,
        "sold_units": refunds["sold"], "refunded_units": refunds["refunded"], "defect_units": refunds["defects"],
        "refund_rate": rate(refunds["refunded"], refunds["sold"]), "defect_rate": rate(refunds["defects"], refunds["sold"]),
        "refund_reasons": refunds["reasons"],
        "price_history": {code: {"list": sorted(prices.get(code, [])), "paid": sorted(paid.get(code, []))}
                          for code in sorted(set(prices) | set(paid))},
    }


# ---------------------------------------------------------------------------- planning inputs
def supplier_terms() -> dict[str, ordering.Terms]:
    """The preferred supplier's terms per merchant code."""
    return {code: ordering.Terms(
        supplier_id=item.supplier_id, supplier_code=item.supplier.code, supplier_name=item.supplier.name,
        currency=item.supplier.currency, unit_price=item.unit_price, moq=item.moq, case_pack=item.case_pack,
        lead_days=item.effective_lead_days,
        price_breaks=item.break_list)
        for code, item in preferred_items().items()}


def on_order() -> dict[tuple[str, str], int]:
    """Units on order per (store, SKU): open and draft POs (what is already being ordered)."""
    df = open_po_frame(include_drafts=True)
    return {(r.store_id, r.sku_id): int(r.open_quantity) for r in df.itertuples(index=False)}


def _planned_windows(*, store_id: str, day: dt.date, sku_ids: list[str]) -> list:
    """The promotions module's active promotions with both ends (planned and past) as campaign windows
    of the store's series: past ones teach the uplift of their kind, planned ones raise the forecast."""
    from shopops.inventory.promotion_windows import promotion_windows

    return promotion_windows(first=day - dt.timedelta(days=planning.HISTORY_DAYS), last=day + dt.timedelta(days=56),
                             series_ids=[f"{store_id}:{s}" for s in sku_ids], active_only=True)


def _promotion_windows_for_key(day: dt.date) -> list:
    """The active promotions over the forecast's reach (every store, SKUs unmapped): what changes a store's
    ``_planned_windows`` changes these."""
    from shopops.inventory.promotion_windows import promotion_windows

    return promotion_windows(first=day - dt.timedelta(days=planning.HISTORY_DAYS), last=day + dt.timedelta(days=56),
                             active_only=True)


def _windows_key(windows) -> tuple:
    return tuple((w.kind, w.first, w.last, tuple(sorted(w.ids or ())), tuple(sorted(w.categories or ())),
                  w.expected_uplift) for w in windows)


def store_forecast(*, store_id: str, day: dt.date, con: ibis.BaseBackend | None = None, plan_windows: tuple = ()):
    """The daily demand forecast of one store's SKUs (``planning.demand_forecast``: festival calendar +
    the promotions module's active promotions as uplift windows), cached by the warehouse's data version
    and the promotions' windows. ``plan_windows`` (a stocking plan's stated uplift) come first: they win
    over the promotions and the festival calendar on the days they cover."""
    con = con or connect()
    skus = con.table("skus")
    sku_ids = [str(x) for x in _frame(skus.filter(skus.store_id == store_id).select("sku_id"))["sku_id"]]
    extra = [*plan_windows, *_planned_windows(store_id=store_id, day=day, sku_ids=sku_ids)]
    return cached("inventory:forecast", (store_id, day, _windows_key(extra)), lambda: planning.demand_forecast(
        end=day, level="sku", stores=(store_id,), extra_windows=extra, con=con), con=con, tables=STOCK_TABLES,
        stores=(store_id,))


def store_forecast_paths(*, store_id: str, day: dt.date, con: ibis.BaseBackend | None = None
                         ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{sku_id: (daily forecast means from the day after ``day``, their campaign uplift)} of one store, from
    the cached ``store_forecast`` (festivals and planned promotions included)."""
    forecast = store_forecast(store_id=store_id, day=day, con=con)
    prefix = f"{store_id}:"
    return {uid[len(prefix):]: (means, ups) for uid, (means, ups, _sd) in planning._paths(forecast).items()
            if uid.startswith(prefix)}


def open_po_arrivals(*, stores: tuple[str, ...] = ()) -> dict[tuple[str, str], list[tuple[dt.date, int]]]:
    """Per (store, SKU), the open units of sent and partly received PO lines with their expected day."""
    S = PurchaseOrder.Status
    lines = PurchaseOrderLine.objects.filter(purchase_order__status__in=[S.SENT, S.PARTLY_RECEIVED])
    if stores:
        lines = lines.filter(store_id__in=stores)
    out: dict[tuple[str, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for store, sku, expected, qty, received in lines.values_list(
            "store_id", "sku_id", "expected_on", "quantity", "received_quantity"):
        if qty > received:
            out[(store, sku)].append((expected, qty - received))
    return dict(out)


def forecast_stock_cover(*, store_id: str, con: ibis.BaseBackend | None = None) -> tuple[dt.date | None, list[dict]]:
    """(as-of day, per SKU of the store: stock health on the *forecast* demand). Each row: store_id, sku_id,
    merchant_code, title, on_hand, in_transit, lead_days, ``forecast_daily`` (mean forecast units a day over
    the next 28 days, campaign and planned-promotion uplift included), ``days_of_cover_forecast`` (on hand ÷
    it; None without demand), ``stockout_in_days`` / ``stockout_date`` (the first day the forecast's
    cumulative demand exceeds on hand, within the 56-day forecast; None when the stock lasts) and
    ``stockout_within_lead`` (that day comes before an order placed today could arrive)."""
    from shopops.inventory.stock_health import projected_stockout

    con = con or connect()
    day = stock_day(con)
    if day is None:
        return None, []
    health = stock_health(stores=(store_id,), day=day, con=con)
    if not health.rows:
        return day, []
    forecast = store_forecast(store_id=store_id, day=day, con=con)
    paths = planning._paths(forecast)
    uids = [f"{r['store_id']}:{r['sku_id']}" for r in health.rows]
    width = max((len(p[0]) for p in paths.values()), default=0)
    daily = np.zeros((len(uids), width))
    for k, uid in enumerate(uids):
        if uid in paths:
            daily[k] = paths[uid][0]
    on_hand = np.array([r["on_hand"] for r in health.rows], dtype=np.float64)
    out_in = projected_stockout(on_hand, daily)
    mean28 = daily[:, :28].mean(axis=1) if width else np.zeros(len(uids))
    rows = []
    for k, r in enumerate(health.rows):
        d = None if np.isnan(out_in[k]) else int(out_in[k])
        rows.append({
            "store_id": r["store_id"], "sku_id": r["sku_id"], "merchant_code": r["merchant_code"], "title": r["title"],
            "on_hand": r["on_hand"], "in_transit": r["in_transit"], "lead_days": r["lead_days"],
            "forecast_daily": float(mean28[k]),
            "days_of_cover_forecast": r["on_hand"] / mean28[k] if mean28[k] > 0 else None,
            "stockout_in_days": d, "stockout_date": None if d is None else day + dt.timedelta(days=d),
            "stockout_within_lead": d is not None and d <= r["lead_days"],
        })
    return day, rows


def stocked_stores(con: ibis.BaseBackend | None = None) -> frozenset[str]:
    """The stores with any stock snapshot in the warehouse: the stock pages, the replenishment and the
    stocking plan have rows only for them."""
    con = con or connect()
    if not _has_table(con, "inventory_snapshots"):
        return frozenset()

    def build() -> frozenset[str]:
        t = con.table("inventory_snapshots")
        return frozenset(str(x) for x in _frame(t.select("store_id").distinct())["store_id"])

    return cached("inventory:stocked_stores", (), build, con=con, tables=("inventory_snapshots",))


def unsupplied_skus(*, store_id: str, con: ibis.BaseBackend | None = None) -> list[dict]:
    """The stock-health rows of one store whose merchant code no supplier supplies (SKUs to stop reordering
    left out), most urgent first: the replenishment cannot suggest them — there is no one to order from."""
    con = con or connect()
    day = stock_day(con)
    if day is None:
        return []
    codes = set(preferred_items())
    rank = {s: k for k, s in enumerate(positions.STATUS_ORDER)}
    rows = [r for r in stock_health(stores=(store_id,), day=day, con=con).rows
            if r["merchant_code"] not in codes and "stop_reordering" not in r["actions"]]
    return sorted(rows, key=lambda r: (rank.get(r["status"], 99), -float(r["lost_sales"]), r["sku_id"]))


def _engine_inputs(*, store_id: str, day: dt.date, con, plan_windows: tuple = ()) -> dict:
    """What the engines (``shopops.inventory.planning``) need for one store's SKUs: the forecast (cached by
    data version), the stock frame (snapshot + receipts after it), supplier terms and open POs per series id
    ``<store>:<sku>``. Open POs (and drafts) of SKUs shopops orders replace the snapshot's in-transit; for
    the others the snapshot's in-transit is kept — never both."""
    forecast = store_forecast(store_id=store_id, day=day, con=con, plan_windows=plan_windows)
    health = stock_health(stores=(store_id,), day=day, con=con)
    terms_by_code = supplier_terms()
    lead_sd = supplier_lead_sd()
    here, ordering_now = ordered_here(), on_order()
    rows, stock, terms, open_po, prices = {}, [], {}, {}, {}
    for r in health.rows:
        uid = f"{r['store_id']}:{r['sku_id']}"
        rows[uid] = r
        key = (r["store_id"], r["sku_id"])
        stock.append({"unique_id": uid, "on_hand": r["on_hand"], "in_transit": r["in_transit"]})
        t = terms_by_code.get(r["merchant_code"])
        if t is None or "stop_reordering" in r["actions"]:
            continue
        terms[uid] = SupplyTerms(
            supplier_id=str(t.supplier_id), unit_cost=t.unit_price, lead_time_days=t.lead_days,
            lead_time_sd_days=lead_sd.get(t.supplier_id, 0.0), moq=t.moq, case_pack=t.case_pack,
            price_breaks=tuple(EnginePriceBreak(q, p) for q, p in t.price_breaks))
        # shopops' own open + draft POs, then the ERP's open POs (or the snapshot's in-transit): never both
        open_po[uid] = ordering_now.get(key, 0) + (r.get("in_transit_erp", 0) if key in here else r["in_transit"])
        prices[uid] = r["price"]
    return {"forecast": forecast, "stock": pd.DataFrame(stock, columns=["unique_id", "on_hand", "in_transit"]),
            "terms": terms, "open_po": open_po, "prices": prices, "rows": rows, "suppliers": terms_by_code,
            "day": day}


def supplier_lead_sd() -> dict[int, float]:
    """Per supplier, the standard deviation of its actual lead times (first delivery − order date), in days."""
    days: dict[int, list[int]] = defaultdict(list)
    for supplier_id, ordered, received in Receipt.objects.values_list(
            "purchase_order__supplier_id", "purchase_order__ordered_on", "received_on"):
        days[supplier_id].append((received - ordered).days)
    return {k: float(pd.Series(v).std(ddof=1)) if len(v) > 1 else 0.0 for k, v in days.items()}


def _planning_digest(*, store_id: str, day: dt.date, con) -> str:
    """A digest of everything the app DB adds to one store's planning inputs — supplier terms and price
    breaks, actual lead times, open and draft POs, receipts since the aged-stock window, the promotions'
    uplift windows — read fresh (a few small queries), so a cached plan is reused only while none of them
    changed: a PO created, sent or received, a receipt or a supplier price shows at once. Inside one GET
    (``request_memo``: nothing is written) each store's digest is read once."""
    memo = _tables_memo.get()
    key = ("planning_digest", id(con), store_id, day)
    if memo is not None and key in memo:
        return memo[key]
    digest = _read_planning_digest(store_id=store_id, day=day, con=con)
    if memo is not None:
        memo[key] = digest
    return digest


def _read_planning_digest(*, store_id: str, day: dt.date, con) -> str:
    skus = con.table("skus")
    sku_ids = [str(x) for x in _frame(skus.filter(skus.store_id == store_id).select("sku_id"))["sku_id"]]
    # the rows the planning reads (supplier_terms, supplier_lead_sd, ordered_here, on_order, open_po_frame,
    # receipt_frame, lead_days_by_code) as plain tuples: no model objects, a few ms
    parts = (list(Supplier.objects.order_by("pk").values_list()),
             list(SupplierItem.objects.order_by("pk").values_list()),
             list(PriceBreak.objects.order_by("pk").values_list()),
             list(PurchaseOrderLine.objects.order_by("pk").values_list(
                 "pk", "purchase_order__status", "purchase_order__supplier_id", "purchase_order__ordered_on",
                 "store_id", "sku_id", "quantity", "received_quantity", "expected_on")),
             list(Receipt.objects.order_by("pk").values_list("pk", "purchase_order_id", "received_on")),
             list(ReceiptLine.objects.order_by("pk").values_list(
                 "pk", "line_id", "quantity", "receipt__received_on", "receipt__purchase_order_id")),
             _windows_key(_planned_windows(store_id=store_id, day=day, sku_ids=sku_ids)))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def replenishment_suggestions(*, store_id: str, language: str = "zh", budget: Decimal | None = None,
                              capacity: int | None = None, con: ibis.BaseBackend | None = None
                              ) -> tuple[dt.date | None, list[dict]]:
    """(as-of day, the suggested purchase list of one store grouped by supplier) from the replenishment engine;
    with a ``budget`` (money, the store's currency) and/or a warehouse ``capacity`` (units) the lines are
    fitted into them by value at risk per yuan (``replenishment.allocate``: cut lines say so in their reasons).

    Cached per data version of the stock facts and per digest of the app DB's inputs (``_planning_digest``):
    the plan of a large store (stock health of every SKU, then the engine) is about half a second of CPU,
    the digest a few small queries."""
    con = con or connect()
    day = stock_day(con)
    if day is None:
        return None, []
    digest = _planning_digest(store_id=store_id, day=day, con=con)
    limits = (None if budget is None else str(budget), capacity)
    groups = cached("inventory:replenishment", (store_id, day, language, digest, limits),
                    lambda: _suggestion_groups(store_id=store_id, day=day, language=language, con=con,
                                               budget=budget, capacity=capacity),
                    con=con, tables=(*STOCK_TABLES, *ERP_TABLES), stores=(store_id,))
    return day, groups


def replenishment_left_out(*, store_id: str, budget: Decimal | None, capacity: int | None, language: str = "zh",
                           con: ibis.BaseBackend | None = None) -> list[dict]:
    """The lines the plan would order without the limits but leaves out with them (most value at risk
    first): what a budget or the warehouse's room costs. Both plans come from the cache above."""
    if budget is None and capacity is None:
        return []
    _day, free = replenishment_suggestions(store_id=store_id, language=language, con=con)
    _day, fitted = replenishment_suggestions(store_id=store_id, language=language, budget=budget, capacity=capacity,
                                             con=con)
    kept = {(line["store_id"], line["sku_id"]) for g in fitted for line in g["lines"]}
    out = [{**line, "supplier_code": g["code"], "currency": g["currency"]} for g in free for line in g["lines"]
           if (line["store_id"], line["sku_id"]) not in kept]
    return sorted(out, key=lambda line: (-line["value_at_risk"], line["sku_id"]))


def _suggestion_groups(*, store_id: str, day: dt.date, language: str, con, budget: Decimal | None = None,
                       capacity: int | None = None) -> list[dict]:
    x = _engine_inputs(store_id=store_id, day=day, con=con)
    orders = planning.purchase_suggestions(forecast=x["forecast"], stock=x["stock"], terms=x["terms"],
                                           open_po=x["open_po"], prices=x["prices"], budget=budget,
                                           capacity=None if capacity is None else float(capacity))
    suppliers = {str(t.supplier_id): t for t in x["suppliers"].values()}
    groups = []
    for order in orders:
        t = suppliers.get(order.supplier_id)
        lines = []
        for plan in order.lines:
            if plan.quantity <= 0:
                continue
            r = x["rows"][plan.item_id]
            lines.append({"store_id": r["store_id"], "sku_id": r["sku_id"], "merchant_code": r["merchant_code"],
                          "title": r["title"], "spec": r["spec"], "on_hand": r["on_hand"],
                          "on_order": x["open_po"].get(plan.item_id, 0), "daily_demand": plan.daily_mean,
                          "safety_stock": plan.safety_stock, "reorder_point": plan.reorder_point,
                          "order_up_to": plan.order_up_to, "quantity": plan.quantity, "unit_price": plan.unit_cost,
                          "amount": plan.line_cost, "value_at_risk": plan.value_at_risk, "terms": t,
                          "reasons": [reason.text(language) for reason in plan.reasons]})
        if lines and t is not None:
            groups.append({"supplier_id": t.supplier_id, "code": t.supplier_code, "name": t.supplier_name,
                           "currency": t.currency, "lines": lines,
                           "total": sum((line["amount"] for line in lines), Decimal("0.00"))})
    return groups


def sku_forecast(*, store_id: str, sku_id: str, con: ibis.BaseBackend | None = None) -> dict | None:
    """One SKU's daily history (last 120 days), its forecast with 80 % / 95 % intervals, the chosen model,
    its demand class and backtest MASE next to seasonal naive's, and its ``cover`` on the forecast (the
    ``forecast_stock_cover`` row: days of cover, projected stock-out day, within lead time).

    Cached per SKU, data version of the stock facts and digest of the app DB's inputs (as the
    replenishment plan): built, it reads the store's whole cached forecast and stock health (seconds of
    unpickling on the large demo) for one SKU's rows."""
    con = con or connect()
    day = stock_day(con)
    if day is None:
        return None
    digest = _planning_digest(store_id=store_id, day=day, con=con)
    return cached("inventory:sku_forecast", (store_id, sku_id, day, digest),
                  lambda: _sku_forecast(store_id=store_id, sku_id=sku_id, day=day, con=con),
                  con=con, tables=(*STOCK_TABLES, *ERP_TABLES), stores=(store_id,))


def _sku_forecast(*, store_id: str, sku_id: str, day: dt.date, con) -> dict | None:
    forecast = store_forecast(store_id=store_id, day=day, con=con)
    uid = f"{store_id}:{sku_id}"
    series = forecast.series[forecast.series["unique_id"] == uid]
    if series.empty:
        return None
    f = forecast.forecasts[forecast.forecasts["unique_id"] == uid]
    history = demand_data.daily_units(first=day - dt.timedelta(days=119), last=day, level="sku", stores=(store_id,),
                                      skus=(sku_id,), con=con)
    history = history[history["unique_id"] == uid]
    sold = {(d if isinstance(d, dt.date) else pd.Timestamp(d).date()): float(y)
            for d, y in zip(history["ds"], history["y"])}
    cover = next((r for r in forecast_stock_cover(store_id=store_id, con=con)[1] if r["sku_id"] == sku_id), None)
    return {
        "day": day, "series": series.iloc[0].to_dict(), "cover": cover,
        "history": [{"day": day - dt.timedelta(days=k), "units": sold.get(day - dt.timedelta(days=k), 0.0)}
                    for k in range(119, -1, -1)],
        "forecast": [{"day": pd.Timestamp(r.ds).date(), "mean": r.mean, "lo_80": r.lo_80, "hi_80": r.hi_80,
                      "lo_95": r.lo_95, "hi_95": r.hi_95, "uplift": r.uplift} for r in f.itertuples(index=False)],
    }


FORECAST_WEEKS = 8  # the weekly view: the daily forecast's 56 days summed into weeks
HISTORY_WEEKS = 26  # the weekly view's history


def code_forecast(*, day: dt.date, con: ibis.BaseBackend | None = None):
    """The daily demand forecast (56 days) of every merchant code (the same goods summed over every store: one
    warehouse serves them all), festival-calendar windows; cached by the data version of the stock facts."""
    con = con or connect()
    return cached("inventory:code_forecast", (day,), lambda: planning.demand_forecast(
        end=day, level="merchant_code", con=con), con=con, tables=STOCK_TABLES)


def series_forecast(*, freq: str = "D", store_id: str = "", sku_id: str = "", merchant_code: str = "",
                    con: ibis.BaseBackend | None = None) -> dict | None:
    """One series' history and forecast for the forecast page: a store's SKU (``store_id`` + ``sku_id``) or a
    merchant code over every store (``merchant_code``), by day (``freq="D"``: 120 days of history, the 56-day
    forecast) or by week (``"W"``: ``HISTORY_WEEKS`` weeks of history and the daily forecast summed into
    ``FORECAST_WEEKS`` weeks, all ending on the stock day's weekday; a week's interval ±z·√(Σsd² + (σ·Σuplift/2)²)
    over its days, sd the engine's daily sd: σ·uplift, at least √mean; the second term a level error common to
    the days). ``history``: [{"start", "day" (the period's first and last day), "units"}];
    ``forecast``: [{"start", "day", "mean", "lo_80", "hi_80", "lo_95", "hi_95", "uplift"}]; ``series``: the
    engine's row (model, demand class, daily backtest MASE and seasonal naive's; None for NaN). None when the
    series has no history. The store SKU by day is ``sku_forecast`` (with its stock cover)."""
    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    con = con or connect()
    day = stock_day(con)
    if day is None:
        return None
    if merchant_code:
        key = ("code", merchant_code, freq, day)
        stores: tuple[str, ...] = ()
    else:
        key = ("sku", store_id, sku_id, freq, day, _planning_digest(store_id=store_id, day=day, con=con))
        stores = (store_id,)
    return cached("inventory:series_forecast", key, lambda: _series_forecast(
        freq=freq, store_id=store_id, sku_id=sku_id, merchant_code=merchant_code, day=day, con=con),
        con=con, tables=STOCK_TABLES, stores=stores)


def _series_forecast(*, freq: str, store_id: str, sku_id: str, merchant_code: str, day: dt.date, con) -> dict | None:
    from statistics import NormalDist

    if merchant_code:
        forecast = code_forecast(day=day, con=con)
        uid, level, stores = merchant_code, "merchant_code", ()
        skus = con.table("skus")
        sku_ids = tuple(str(x) for x in _frame(skus.filter(skus.merchant_code == merchant_code).select("sku_id"))["sku_id"])
        if not sku_ids:
            return None
    else:
        forecast = store_forecast(store_id=store_id, day=day, con=con)
        uid, level, stores, sku_ids = f"{store_id}:{sku_id}", "sku", (store_id,), (sku_id,)
    series = forecast.series[forecast.series["unique_id"] == uid]
    if series.empty:
        return None
    row = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in series.iloc[0].to_dict().items()}
    f = forecast.forecasts[forecast.forecasts["unique_id"] == uid].sort_values("ds", kind="stable")
    step = 7 if freq == "W" else 1
    periods = HISTORY_WEEKS if freq == "W" else 120
    first = day - dt.timedelta(days=periods * step - 1)
    history = demand_data.daily_units(first=first, last=day, level=level, stores=stores, skus=sku_ids, con=con)
    history = history[history["unique_id"] == uid]
    sold = np.zeros(periods * step)
    for d, y in zip(history["ds"], history["y"]):
        d = d if isinstance(d, dt.date) else pd.Timestamp(d).date()
        sold[(d - first).days] += float(y)
    per = sold.reshape(periods, step).sum(axis=1)
    days = [pd.Timestamp(x).date() for x in f["ds"]]
    if freq == "W":
        weeks = min(FORECAST_WEEKS, len(days) // 7)
        mean = f["mean"].to_numpy(dtype=float)[:weeks * 7].reshape(weeks, 7)
        up = f["uplift"].to_numpy(dtype=float)[:weeks * 7].reshape(weeks, 7)
        sigma = float(row.get("sigma") or 0.0)
        if "sd" in f.columns:  # the engine's per-day sd (σ·uplift, at least the Poisson noise √mean)
            day_sd = f["sd"].to_numpy(dtype=float)[:weeks * 7].reshape(weeks, 7)
        else:  # a forecast cached before the engine gave one
            day_sd = sigma * up
        # days' noise is independent, a level error is not: besides √Σsd², a common part of sd σ/2 a day (on the
        # one-year demo's held-out weeks, dev seeds 7 and 11, the 80 % interval held 63-69 % of the volume series'
        # weeks with the days independent, 81-86 % so; docs/inventory.md)
        sd = np.sqrt((day_sd ** 2).sum(axis=1) + (0.5 * sigma * up.sum(axis=1)) ** 2)
        out = []
        for k in range(weeks):
            r = {"start": days[7 * k], "day": days[7 * k + 6], "mean": float(mean[k].sum()), "uplift": float(up[k].mean())}
            for lvl in (80, 95):
                z = NormalDist().inv_cdf(0.5 + lvl / 200.0)
                r[f"lo_{lvl}"], r[f"hi_{lvl}"] = max(r["mean"] - z * sd[k], 0.0), r["mean"] + z * sd[k]
            out.append(r)
    else:
        out = [{"day": d, "start": d, "mean": r.mean, "lo_80": r.lo_80, "hi_80": r.hi_80, "lo_95": r.lo_95,
                "hi_95": r.hi_95, "uplift": r.uplift} for d, r in zip(days, f.itertuples(index=False))]
    return {
        "day": day, "freq": freq, "series": row,
        "history": [{"start": first + dt.timedelta(days=k * step), "day": first + dt.timedelta(days=(k + 1) * step - 1),
                     "units": float(per[k])} for k in range(periods)],
        "forecast": out,
    }


BASELINE_VALUE_DAYS = 90


def baseline_gmv(*, store_ids: tuple[str, ...], first: dt.date, last: dt.date, con: ibis.BaseBackend | None = None
                 ) -> Decimal | None:
    """The no-campaign GMV forecast of ``store_ids`` over ``first``–``last``: every SKU's ordinary forecast
    units (the store forecast's mean ÷ its campaign uplift, i.e. without festivals and promotions; flat past
    the horizon) × the SKU's realised value per unit sold over the last ``BASELINE_VALUE_DAYS`` days (paid
    amount ÷ units; the list price when it sold nothing). None without stock data. A campaign plan's GMV goal
    over this is its expected uplift (the stocking plan from a campaign plan)."""
    con = con or connect()
    day = stock_day(con)
    if day is None:
        return None
    stores = tuple(store_ids)
    key = ("baseline_gmv", stores, first, last, day,
           tuple(_planning_digest(store_id=s, day=day, con=con) for s in stores))
    return cached("inventory:baseline_gmv", key, lambda: _baseline_gmv(store_ids=stores, first=first, last=last,
                                                                         day=day, con=con),
                  con=con, tables=STOCK_TABLES, stores=stores)


MIN_GOAL_UPLIFT = 0.5  # below it a campaign plan's goal-derived uplift is not used (a goal of another scale)


@dataclass(frozen=True)
class PlanUplift:
    """A campaign plan's expected uplift for its stocking plan: its GMV goal ÷ its stores' no-campaign GMV forecast."""

    first: dt.date  # the first day left to stock for: the plan's first day, or tomorrow for a running plan
    goal: Decimal | None  # the GMV goal of those days (in proportion of the days left for a running plan)
    base: Decimal | None  # the stores' no-campaign GMV forecast of those days (None: no forecast)
    ratio: float | None  # goal ÷ base; None without a goal or a forecast

    @property
    def used(self) -> bool:
        """Whether the ratio is the plan's uplift (else the uplift learned from past campaigns applies)."""
        return self.ratio is not None and self.ratio >= MIN_GOAL_UPLIFT

    @property
    def stated(self) -> str:
        """The uplift as the stocking-plan page states it (two decimals), "" when not used."""
        return f"{self.ratio:.2f}" if self.used else ""


def plan_uplift(facts, *, today: dt.date) -> PlanUplift:
    """``facts`` (``campaign_plans.PlanFacts``): the uplift its stocking plan starts from on ``today``."""
    first = max(facts.first, today + dt.timedelta(days=1))
    if not facts.goal_gmv:
        return PlanUplift(first, None, None, None)
    if facts.first < first:  # a running plan: the goal of the days left, in proportion of their days
        goal = facts.goal_gmv * Decimal((facts.last - first).days + 1) / Decimal((facts.last - facts.first).days + 1)
    else:
        goal = facts.goal_gmv
    base = baseline_gmv(store_ids=tuple(facts.store_ids), first=first, last=facts.last)
    if not base or base <= 0:
        return PlanUplift(first, goal, None, None)
    return PlanUplift(first, goal, base, float(goal / base))


def plan_stocking_warm(facts, *, today: dt.date, store_ids: set[str]) -> int:
    """Build into the cache the stocking plan the page shows for ``facts`` on ``today`` (its stores among
    ``store_ids``, its stated uplift, its hero SKUs), so the procurement lead does not wait seconds of forecasting
    after an import; at an unchanged data version each store is one cache read. Returns the stores read or built."""
    from shopops.inventory.forms import MAX_UPLIFT, parse_uplift

    if facts.last <= today:
        return 0
    u = plan_uplift(facts, today=today)
    if u.stated and float(u.stated) > MAX_UPLIFT:  # the page refuses it (a typo in the goal?): nothing to keep
        return 0
    uplift = parse_uplift(u.stated) if u.stated else None  # the page's form reads the same text
    stores = [s for s in facts.store_ids if s in store_ids]
    for sid in stores:
        stocking_plan(store_id=sid, starts_on=u.first, ends_on=facts.last, expected_uplift=uplift,
                      hero_skus=facts.hero_skus)
    return len(stores)


def _baseline_gmv(*, store_ids: tuple[str, ...], first: dt.date, last: dt.date, day: dt.date, con) -> Decimal:
    a, b = (first - day).days - 1, (last - day).days - 1  # path index 0 is the day after ``day``
    if b < 0:
        return Decimal("0.00")
    orders = paid_orders(con, Period(day - dt.timedelta(days=BASELINE_VALUE_DAYS - 1), day)).select("store_id", "order_id")
    orders = orders.filter(orders.store_id.isin(list(store_ids)))
    lines = con.table("order_lines").select("store_id", "order_id", "sku_id", "quantity", "paid_amount")
    sold = _frame(lines.inner_join(orders, ["store_id", "order_id"]).group_by(["store_id", "sku_id"]).aggregate(
        units=lambda t: t.quantity.sum(), amount=lambda t: t.paid_amount.sum()))
    skus = con.table("skus")
    listed = _frame(skus.filter(skus.store_id.isin(list(store_ids))).select("store_id", "sku_id", "price"))
    value = {f"{r.store_id}:{r.sku_id}": float(r.price or 0) for r in listed.itertuples(index=False)}
    for r in sold.itertuples(index=False):
        if r.units and r.units > 0:
            value[f"{r.store_id}:{r.sku_id}"] = float(r.amount) / float(r.units)
    total = 0.0
    for store_id in store_ids:
        for uid, (means, ups, _sd) in planning._paths(store_forecast(store_id=store_id, day=day, con=con)).items():
            ordinary = np.asarray(means, dtype=float) / np.where(np.asarray(ups) > 0, ups, 1.0)
            if ordinary.size == 0:
                continue
            path = np.concatenate([ordinary, np.repeat(ordinary[-1:], max(b + 1 - ordinary.size, 0))])
            total += float(path[max(a, 0):b + 1].sum()) * value.get(uid, 0.0)
    return Decimal(repr(round(total, 2))).quantize(Decimal("0.01"))


STATED_UPLIFT_KIND = "stocking-plan:stated"  # never a past window's kind: its ``expected_uplift`` is used as is


def stocking_plan(*, store_id: str, starts_on: dt.date, ends_on: dt.date, expected_uplift: float | None = None,
                  hero_skus: tuple[str, ...] = (), con: ibis.BaseBackend | None = None
                  ) -> tuple[dt.date | None, list[dict]]:
    """The pre-campaign plan of one store's SKUs for ``starts_on``–``ends_on`` (the engine's
    ``campaign_plan``: festival uplift learned from past campaigns, lead times, service level).

    ``expected_uplift``: the campaign's demand as a multiple of ordinary demand, stated by the planner
    (a campaign plan's goal over its baseline, or typed): every SKU's forecast over the window is its
    ordinary forecast × that number, in place of the uplift learned from past festivals and promotions.
    ``hero_skus`` (SKU ids or merchant codes): listed first, and listed even when their stock covers
    the campaign (order 0)."""
    con = con or connect()
    day = stock_day(con)
    if day is None:
        return None, []
    # a plan is a few seconds of forecasting on a large store: kept per data version and app-DB inputs (the digest)
    key = ("stocking_plan/2", store_id, starts_on, ends_on, expected_uplift, tuple(hero_skus), day,
           _planning_digest(store_id=store_id, day=day, con=con))
    return day, cached("inventory:stocking_plan", key, lambda: _stocking_lines(
        store_id=store_id, starts_on=starts_on, ends_on=ends_on, expected_uplift=expected_uplift, hero_skus=hero_skus,
        day=day, con=con), con=con, tables=STOCK_TABLES, stores=(store_id,))


NO_SUPPLIER = ""  # the supplier id of a stocking-plan line whose merchant code no supplier supplies yet


def _stocking_lines(*, store_id: str, starts_on: dt.date, ends_on: dt.date, expected_uplift: float | None,
                    hero_skus: tuple[str, ...], day: dt.date, con) -> list[dict]:
    """The plan's lines. Every SKU with stock data is planned, not only those with a supplier: a SKU no
    supplier supplies yet is planned on the stock page's default lead time (``HealthRules.default_lead_days``,
    the row's ``lead_days``) with its cost unknown (``no_supplier``), so a hero SKU with nothing on hand is
    never left out of the plan for want of a supplier. A SKU with no stock and no demand forecast over the
    window (out of stock long enough that the forecast sees no sales), but sales in 90 days or a hero, is a
    line too (``no_forecast``, with its stock-out days of the last 30): its need is unknown, not nil."""
    windows = () if expected_uplift is None else (CampaignWindow(
        kind=STATED_UPLIFT_KIND, first=starts_on, last=ends_on, expected_uplift=float(expected_uplift)),)
    x = _engine_inputs(store_id=store_id, day=day, con=con, plan_windows=windows)
    terms, open_po = dict(x["terms"]), dict(x["open_po"])
    for uid, r in x["rows"].items():
        if uid not in terms and "stop_reordering" not in r["actions"]:
            terms[uid] = SupplyTerms(supplier_id=NO_SUPPLIER, unit_cost=Decimal("0"),
                                     lead_time_days=r["lead_days"])
            open_po[uid] = r["in_transit"]
    lines = planning.campaign_plan(forecast=x["forecast"], stock=x["stock"], terms=terms, today=day,
                                   first=starts_on, last=ends_on, open_po=open_po)
    suppliers = {str(t.supplier_id): t for t in x["suppliers"].values()}
    out = []
    heroes = {str(h) for h in hero_skus}
    for line in lines:
        r = x["rows"][line.item_id]
        hero = r["sku_id"] in heroes or (r["merchant_code"] or "") in heroes
        on_order = open_po.get(line.item_id, 0)
        no_forecast = (line.demand_campaign <= 1e-9 and r["on_hand"] + on_order <= 0
                       and (hero or r["units_90"] > 0))
        if line.order_qty <= 0 and not hero and not no_forecast:
            continue  # enough stock (late or not, there is nothing to order)
        price = Decimal(r["price"] or 0)
        no_supplier = line.supplier_id == NO_SUPPLIER
        out.append({"store_id": r["store_id"], "sku_id": r["sku_id"], "merchant_code": r["merchant_code"],
                    "title": r["title"], "on_hand": r["on_hand"], "on_order": on_order,
                    "need": line.needed_at_start, "demand_campaign": line.demand_campaign, "quantity": line.order_qty,
                    "order_cost": None if no_supplier else line.order_cost, "no_supplier": no_supplier,
                    "no_forecast": no_forecast, "stockout_days": int(r["stockout_days"]),
                    "attention": line.order_qty > 0 or no_forecast,
                    "order_by": line.latest_order_date, "late": line.late,
                    "stockout_probability": line.stockout_probability, "terms": suppliers.get(line.supplier_id),
                    "hero": hero, "forecast_before": line.demand_before, "available": line.available_at_start,
                    # the expected units short without the order (the normal loss), valued at the price: not
                    # rounded up to a whole unit, which put a unit's price at risk on every SKU with any doubt
                    "at_risk": (price * Decimal(repr(round(line.expected_short_units, 6)))).quantize(Decimal("0.01"))})
    out.sort(key=lambda p: (not p["hero"], p["order_by"], -p["at_risk"]))
    return out


def festival_choices(*, today: dt.date, language: str = "zh") -> list[dict]:
    """The next year's big sales (Tmall's typical schedule, ``core.festivals``) that start after ``today``."""
    out = []
    for f in festivals_between(today + dt.timedelta(days=1), today + dt.timedelta(days=365), platform="tmall"):
        if f.first > today:
            label = f.name_zh if language.lower().startswith("zh") else f.name_en
            out.append({"key": f"{f.key}-{f.year}", "label": f"{label} {f.year} ({f.first:%m-%d}–{f.last:%m-%d})",
                        "first": f.first, "last": f.last})
    return out
