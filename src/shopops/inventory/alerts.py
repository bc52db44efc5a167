"""Inventory's alerts for the insights inbox and the 晨报 (``shopops.core.alerts``).

Three conditions, each with the money at stake:

* ``stockout_risk`` — a top seller (the top 10 % of a store's SKUs by units sold in 90 days, at
  least 10 units) that is out of stock, or whose on hand plus in transit will not last its
  supplier's lead time: stake = the units it will miss over the lead time × its price (out of
  stock: at least the demand of the days until its next open delivery, or a lead time);
* ``overstock`` — the stock beyond 120 days of demand, at cost, when it is worth at least
  ``OVERSTOCK_MIN`` (the 20 largest);
* ``supplier_late`` — an open purchase order with lines past their expected delivery: stake =
  the late units × their unit price.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from shopops.core.alerts import Alert
from shopops.inventory import selectors
from shopops.inventory.models import PurchaseOrder, PurchaseOrderLine

TOP_SHARE = 0.10
TOP_MIN_UNITS = 10
OVERSTOCK_MIN = Decimal("5000")
OVERSTOCK_LIMIT = 20


def _top_sellers(rows: list[dict]) -> set[tuple[str, str]]:
    by_store: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["units_90"] >= TOP_MIN_UNITS:
            by_store[r["store_id"]].append(r)
    top = set()
    for store, members in by_store.items():
        members.sort(key=lambda r: -r["units_90"])
        n = max(1, math.ceil(len(members) * TOP_SHARE))
        top.update((r["store_id"], r["sku_id"]) for r in members[:n])
    return top


def alerts(day: dt.date, *, store_ids=None) -> list[Alert]:
    stores = tuple(store_ids or ())
    last = selectors.stock_day()
    out: list[Alert] = []
    if last is not None:
        health = selectors.stock_health(stores=stores, day=min(day, last))
        top = _top_sellers(health.rows)
        arrives: dict[tuple[str, str], dt.date] = {}  # the first open delivery of each (store, SKU)
        for store, sku, expected in PurchaseOrderLine.objects.filter(
                purchase_order__status__in=[PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTLY_RECEIVED]
        ).values_list("store_id", "sku_id", "expected_on"):
            arrives[(store, sku)] = min(expected, arrives.get((store, sku), expected))
        for r in health.rows:
            if (r["store_id"], r["sku_id"]) not in top or r["daily_demand"] <= 0:
                continue
            lead = r["lead_days"]
            need = r["daily_demand"] * lead
            short = need - (r["on_hand"] + r["in_transit"])
            if r["on_hand"] > 0 and short <= 0:
                continue
            missing = max(short, 0)
            if r["on_hand"] == 0:  # out now: every day until the next delivery (or a lead time) is lost
                restock = max(arrives.get((r["store_id"], r["sku_id"]), day + dt.timedelta(days=lead)), day)
                missing = max(missing, r["daily_demand"] * max((restock - day).days, 1))
            stake = (Decimal(r["price"] or 0) * Decimal(math.ceil(missing))).quantize(Decimal("0.01"))
            out_now = r["on_hand"] == 0
            days = r["days_of_cover"]
            out.append(Alert(
                source="inventory", kind="stockout_risk", key=f"{r['store_id']}:{r['sku_id']}", store_id=r["store_id"],
                day=day, severity="critical" if out_now else "high", money_at_stake=stake, product_id=r["product_id"],
                link=f"/inventory/?store={r['store_id']}&q={r['sku_id']}",
                text_zh=(f"畅销款 {r['merchant_code']}（{r['title']}）" + ("已断货" if out_now else f"库存仅够 {days:.0f} 天")
                         + f"，补货周期 {lead} 天，在途 {r['in_transit']} 件：交期内预计缺 {math.ceil(missing)} 件"),
                text_en=(f"Top seller {r['merchant_code']} ({r['title']}) " + ("is out of stock" if out_now else
                                                                                 f"has {days:.0f} days of cover")
                         + f"; lead time {lead} days, {r['in_transit']} in transit: about {math.ceil(missing)} units "
                         "short within the lead time"),
            ))
        over = sorted((r for r in health.rows if r["excess_value"] >= OVERSTOCK_MIN), key=lambda r: -r["excess_value"])
        for r in over[:OVERSTOCK_LIMIT]:
            out.append(Alert(
                source="inventory", kind="overstock", key=f"{r['store_id']}:{r['sku_id']}", store_id=r["store_id"],
                day=day, severity="medium", money_at_stake=r["excess_value"], product_id=r["product_id"],
                link=f"/inventory/?store={r['store_id']}&q={r['sku_id']}",
                text_zh=f"{r['merchant_code']}（{r['title']}）积压 {r['excess_units']} 件（超过 120 天销量），按成本 ¥{r['excess_value']}",
                text_en=f"{r['merchant_code']} ({r['title']}): {r['excess_units']} units beyond 120 days of demand, "
                        f"{r['excess_value']} at cost",
            ))
    late: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    lines = PurchaseOrderLine.objects.filter(
        purchase_order__status__in=[PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTLY_RECEIVED],
        expected_on__lt=day).select_related("purchase_order__supplier")
    if stores:
        lines = lines.filter(store_id__in=stores)
    for line in lines:
        if line.open_quantity > 0:
            late[line.purchase_order_id].append(line)
    for po_id, po_lines in sorted(late.items()):
        po = po_lines[0].purchase_order
        units = sum(line.open_quantity for line in po_lines)
        stake = sum((line.unit_price * line.open_quantity for line in po_lines), Decimal("0")).quantize(Decimal("0.01"))
        overdue = (day - min(line.expected_on for line in po_lines)).days
        store_set = {line.store_id for line in po_lines}
        out.append(Alert(
            source="inventory", kind="supplier_late", key=f"po:{po_id}",
            store_id=store_set.pop() if len(store_set) == 1 else "", day=day,
            severity="high" if overdue > 7 else "medium", money_at_stake=stake, link=f"/inventory/orders/{po_id}/",
            text_zh=f"供应商 {po.supplier.name} 的采购单 {po.number} 已逾期 {overdue} 天，未到 {units} 件",
            text_en=f"Supplier {po.supplier.name} is {overdue} days late on {po.number}: {units} units not delivered",
        ))
    return out
