"""A purchase order as the supplier receives it, as one table for ``shopops.ui.exports`` (the one
export path, formula-safe): the header block (PO number, buyer, supplier, contact, dates,
currency, terms), a blank row, the line headings, the lines, the total.

The ui export writes one table; this lays the document out in its rows. Cells that hold text
in a numeric column (headings, labels) say so per row (``Row.units``), so every cell keeps
its type: quantities and money are numbers, dates are dates, everything else text.
"""

from __future__ import annotations

from decimal import Decimal

from shopops.inventory.models import PurchaseOrder
from shopops.metrics.dimensions import store_names
from shopops.ui.tables import Column, DataTable, Row

LINE_COLUMNS = (("line", ""), ("merchant_code", ""), ("description", ""), ("sku", ""), ("store", ""),
                ("quantity", "count"), ("unit_price", "money"), ("amount", "money"), ("expected_on", "date"))
_NUMERIC = ("quantity", "unit_price", "amount")
_AS_TEXT = {k: "" for k in _NUMERIC}


def purchase_order_table(po: PurchaseOrder, *, buyer: str, labels: dict[str, str]) -> DataTable:
    """``labels`` carries the page language's words (title, buyer, supplier, … see the view). Stores are named as the
    supplier knows them (their names, not shopops' ids)."""
    names = store_names()
    columns = [Column(key, str(labels["title"]) if key == "line" else "", unit=unit) for key, unit in LINE_COLUMNS]
    contacts = "; ".join(f"{c.name} {c.work_phone or c.work_email}".strip() for c in po.supplier.contacts.all())
    block = [("number", po.number), ("buyer", buyer), ("supplier", f"{po.supplier.code} {po.supplier.name}"),
             ("contact", contacts), ("ordered_on", po.ordered_on), ("expected_on", po.expected_on),
             ("currency", po.currency), ("status", str(po.get_status_display()))]
    if po.supplier.payment_terms:
        block.append(("payment_terms", po.supplier.payment_terms))
    rows = [Row({"line": str(labels[key]), "merchant_code": value}, units=_AS_TEXT) for key, value in block]
    rows.append(Row({}, units=_AS_TEXT))
    rows.append(Row({key: str(labels[key]) for key, _unit in LINE_COLUMNS}, units=_AS_TEXT))
    total, units = Decimal("0.00"), 0
    for line in po.lines.all():
        amount = (line.unit_price * line.quantity).quantize(Decimal("0.01"))
        total += amount
        units += line.quantity
        rows.append(Row({"line": line.line_no, "merchant_code": line.merchant_code, "description": line.description,
                         "sku": line.sku_id, "store": names.get(line.store_id, line.store_id), "quantity": line.quantity,
                         "unit_price": line.unit_price, "amount": amount, "expected_on": line.expected_on}))
    rows.append(Row({"description": str(labels["total"]), "quantity": units, "amount": total}, is_total=True))
    return DataTable("purchase_order", po.number, columns, rows, currency=po.currency)
