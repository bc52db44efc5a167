"""The demo store's suppliers and purchase orders, over the catalogue and stock as loaded in the
warehouse, so every inventory page has data on first run.

- one supplier per category (女装, 男装, 鞋靴, …) supplying every merchant code of it, at about
  90 % of the landed cost, MOQ and case pack as the stock generator orders, a price break at
  4 × MOQ, a list-price rise three months ago on a third of the items (the price history);
- a year of purchase-order history (monthly per supplier, the best sellers of the month):
  most arrive on time and in full, about one in six late, one in eight short (a second
  partial delivery, or the rest cancelled) — the scorecards have something to say; every
  historical receipt is dated on or before the last stock snapshot, so it is already in it;
- open POs for exactly the units the last snapshot shows in transit (so in-transit is the
  same whichever source counts it), one supplier's PO overdue (the late-supplier alert);
- one draft PO.

Deterministic (a fixed seed) and idempotent: does nothing when suppliers exist.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shopops.inventory.models import (
    PriceBreak, PriceRecord, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, Supplier, SupplierContact,
    SupplierItem,
)
from shopops.inventory.selectors import stock_day
from shopops.warehouse.connection import connect

SUPPLIERS = {  # category -> (code, name, promised lead days, payment terms)
    "女装": ("SUP-NZ", "杭州栖衣服饰有限公司", 14, "月结30天"),
    "男装": ("SUP-MZ", "宁波溪山制衣厂", 12, "月结30天"),
    "内衣家居服": ("SUP-JJ", "汕头暖居针织有限公司", 10, "货到付款"),
    "鞋靴": ("SUP-XX", "温州步履鞋业有限公司", 18, "预付30%，货到付清"),
    "家纺": ("SUP-JF", "南通棉语家纺有限公司", 15, "月结45天"),
    "配饰": ("SUP-PS", "义乌小满饰品商行", 7, "现结"),
}
LATE_SUPPLIER = "SUP-XX"  # its open PO is overdue in the demo


def _catalogue(con) -> tuple[list[dict], dict, dict]:
    skus = con.table("skus")
    products = con.table("products").select("store_id", "product_id", "category", "title")
    rows = skus.join(products, ["store_id", "product_id"]).select(
        "store_id", "sku_id", "merchant_code", "cost", "category", "title", "spec").to_pyarrow().to_pylist()
    snaps = con.table("inventory_snapshots")
    day = snaps.aggregate(d=snaps.date.max()).to_pyarrow().to_pylist()[0]["d"]
    transit = snaps.filter(snaps.date == day, snaps.in_transit > 0).select("store_id", "sku_id", "in_transit")
    in_transit = {(r["store_id"], r["sku_id"]): int(r["in_transit"]) for r in transit.to_pyarrow().to_pylist()}
    lines = con.table("order_lines")
    lines = lines.filter(lines.paid_date.notnull())
    sold = lines.join(skus.select("store_id", "sku_id", "merchant_code"), ["store_id", "sku_id"]).group_by(
        ["merchant_code", lines.paid_date.month().name("month")]).aggregate(units=lines.quantity.sum())
    by_month: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for r in sold.to_pyarrow().to_pylist():
        if r["merchant_code"]:
            by_month[r["month"]].append((r["merchant_code"], int(r["units"] or 0)))
    return rows, in_transit, by_month


def inventory_demo_ensure(*, echo: Callable[[str], None] = print, seed: int = 11) -> None:
    if Supplier.objects.exists():
        return
    day = stock_day()
    if day is None:
        return
    echo("first run: suppliers and purchase orders for the demo store (inventory) …")
    con = connect()
    rows, in_transit, by_month = _catalogue(con)
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        _seed(rows=rows, in_transit=in_transit, by_month=by_month, day=day, rng=rng, now=now)


def _seed(*, rows, in_transit, by_month, day: dt.date, rng: random.Random, now) -> None:
    suppliers = {}
    for category, (code, name, lead, terms) in SUPPLIERS.items():
        s = Supplier.objects.create(code=code, name=name, promised_lead_days=lead, payment_terms=terms)
        SupplierContact.objects.create(supplier=s, name=f"{name[2:4]}经理", role="销售", work_phone=f"0571-8888{sum(code.encode()) % 10000:04d}")
        suppliers[category] = s
    codes: dict[str, dict] = {}
    sku_of: dict[tuple[str, str], dict] = {}
    for r in rows:
        if not r["merchant_code"] or r["category"] not in suppliers:
            continue
        codes.setdefault(r["merchant_code"], r)
        sku_of[(r["store_id"], r["merchant_code"])] = r
    items = []
    for code, r in sorted(codes.items()):
        cost = Decimal(r["cost"] or 0)
        moq = 50 if cost < 100 else 20
        items.append(SupplierItem(supplier=suppliers[r["category"]], merchant_code=code,
                                  unit_price=(cost * Decimal("0.9")).quantize(Decimal("0.01")), moq=moq,
                                  case_pack=10 if moq == 50 else 5))
    SupplierItem.objects.bulk_create(items)
    items = {i.merchant_code: i for i in SupplierItem.objects.select_related("supplier")}
    breaks, records = [], []
    raised = day - dt.timedelta(days=90)
    for code, item in items.items():
        breaks.append(PriceBreak(item=item, min_quantity=item.moq * 4,
                                 unit_price=(item.unit_price * Decimal("0.95")).quantize(Decimal("0.01"))))
        if rng.random() < 0.33:
            old = (item.unit_price / Decimal("1.06")).quantize(Decimal("0.01"))
            records += [PriceRecord(item=item, unit_price=old, valid_from=day - dt.timedelta(days=365)),
                        PriceRecord(item=item, unit_price=item.unit_price, valid_from=raised)]
        else:
            records.append(PriceRecord(item=item, unit_price=item.unit_price, valid_from=day - dt.timedelta(days=365)))
    PriceBreak.objects.bulk_create(breaks)
    PriceRecord.objects.bulk_create(records)

    seq = defaultdict(int)

    def new_po(supplier, ordered_on, expected_on, status, **kw) -> PurchaseOrder:
        seq[ordered_on] += 1
        return PurchaseOrder.objects.create(number=f"PO{ordered_on:%Y%m%d}-{seq[ordered_on]:03d}", supplier=supplier,
                                            currency=supplier.currency, ordered_on=ordered_on, expected_on=expected_on,
                                            status=status, created_at=now, **kw)

    def price(item, ordered_on):
        return item.unit_price if ordered_on >= raised or not item.price_records.count() > 1 else \
            (item.unit_price / Decimal("1.06")).quantize(Decimal("0.01"))

    # a year of history: each month, each supplier's best sellers of that month
    month_start = (day - dt.timedelta(days=330)).replace(day=1)
    receipt_no = 0
    while month_start < day - dt.timedelta(days=45):
        top = sorted(by_month.get(month_start.month, []), key=lambda x: -x[1])
        for category, supplier in suppliers.items():
            mine = [c for c, _ in top if c in items and items[c].supplier_id == supplier.pk][:4]
            if not mine:
                continue
            ordered_on = month_start + dt.timedelta(days=rng.randint(2, 20))
            lead = supplier.promised_lead_days
            expected = ordered_on + dt.timedelta(days=lead)
            late = rng.random() < 0.17 or (supplier.code == LATE_SUPPLIER and rng.random() < 0.4)
            short = rng.random() < 0.12
            po = new_po(supplier, ordered_on, expected, PurchaseOrder.Status.RECEIVED, sent_at=now, closed_at=now)
            lines = []
            for n, code in enumerate(mine, start=1):
                item = items[code]
                store = rng.choice(["tmall", "jd", "pdd", "douyin", "own"])
                sku = sku_of.get((store, code))
                if sku is None:
                    continue
                qty = item.moq * rng.randint(1, 3)
                lines.append(PurchaseOrderLine(purchase_order=po, line_no=n, store_id=store, sku_id=sku["sku_id"],
                                               merchant_code=code, description=f"{sku['title']} {sku['spec'] or ''}"[:200],
                                               quantity=qty, unit_price=price(item, ordered_on), expected_on=expected,
                                               received_quantity=qty))
            PurchaseOrderLine.objects.bulk_create(lines)
            arrived = expected + dt.timedelta(days=rng.randint(3, 12) if late else -rng.randint(0, 2))
            receipt_no += 1
            first = Receipt.objects.create(purchase_order=po, reference=f"DN{receipt_no:05d}", received_on=arrived,
                                           created_at=now)
            rest = []
            for line in lines:
                q = line.quantity
                if short and line.line_no == 1:
                    q = line.quantity - item_case(items[line.merchant_code])
                    rest.append((line, line.quantity - q))
                ReceiptLine.objects.create(receipt=first, line=line, quantity=q)
            if rest:
                if rng.random() < 0.5 and arrived + dt.timedelta(days=9) <= day:
                    receipt_no += 1
                    second = Receipt.objects.create(purchase_order=po, reference=f"DN{receipt_no:05d}",
                                                    received_on=arrived + dt.timedelta(days=9), created_at=now)
                    for line, q in rest:
                        ReceiptLine.objects.create(receipt=second, line=line, quantity=q)
                else:  # the rest was never delivered: cancelled
                    for line, q in rest:
                        PurchaseOrderLine.objects.filter(pk=line.pk).update(received_quantity=line.quantity - q)
                    PurchaseOrder.objects.filter(pk=po.pk).update(status=PurchaseOrder.Status.CANCELLED)
        month_start = (month_start + dt.timedelta(days=32)).replace(day=1)

    # open POs: exactly what the last snapshot shows in transit
    open_lines: dict[int, list[tuple[str, str, str, int]]] = defaultdict(list)
    by_sku = {(r["store_id"], r["sku_id"]): r for r in rows}
    for (store, sku_id), qty in sorted(in_transit.items()):
        r = by_sku.get((store, sku_id))
        if r is None or r["merchant_code"] not in items:
            continue
        open_lines[items[r["merchant_code"]].supplier_id].append((store, sku_id, r["merchant_code"], qty))
    by_id = {s.pk: s for s in suppliers.values()}
    for supplier_id, lines in sorted(open_lines.items()):
        supplier = by_id[supplier_id]
        overdue = supplier.code == LATE_SUPPLIER
        ordered_on = day - dt.timedelta(days=supplier.promised_lead_days + 6 if overdue else rng.randint(2, 6))
        expected = ordered_on + dt.timedelta(days=supplier.promised_lead_days)
        po = new_po(supplier, ordered_on, expected, PurchaseOrder.Status.SENT, sent_at=now)
        PurchaseOrderLine.objects.bulk_create([
            PurchaseOrderLine(purchase_order=po, line_no=n, store_id=store, sku_id=sku_id, merchant_code=code,
                              description=f"{by_sku[(store, sku_id)]['title']}"[:200], quantity=qty,
                              unit_price=items[code].unit_price, expected_on=expected)
            for n, (store, sku_id, code, qty) in enumerate(lines, start=1)])
    # one draft, ready to send
    supplier = suppliers["配饰"]
    code = next(c for c, i in items.items() if i.supplier_id == supplier.pk)
    sku = next(r for r in rows if r["merchant_code"] == code and r["store_id"] == "tmall")
    po = new_po(supplier, day, day + dt.timedelta(days=supplier.promised_lead_days), PurchaseOrder.Status.DRAFT)
    PurchaseOrderLine.objects.create(purchase_order=po, line_no=1, store_id="tmall", sku_id=sku["sku_id"],
                                     merchant_code=code, description=sku["title"][:200], quantity=items[code].moq * 2,
                                     unit_price=items[code].unit_price,
                                     expected_on=day + dt.timedelta(days=supplier.promised_lead_days))


def item_case(item: SupplierItem) -> int:
    return item.case_pack
