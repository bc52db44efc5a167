"""A purchase order as the supplier receives it: one sheet, header block (buyer, supplier, dates),
the lines, the total. Formula-safe: every cell goes through ``core.xlsx``."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from shopops.core.xlsx import sheet_append, sheet_cell, workbook_bytes
from shopops.inventory.models import PurchaseOrder

_HEAD = PatternFill("solid", fgColor="E8F0FD")


def purchase_order_xlsx(po: PurchaseOrder, *, buyer: str, labels: dict[str, str]) -> bytes:
    """``labels`` carries the page language's words (title, buyer, supplier, … see the view)."""
    book = Workbook()
    sheet = book.active
    sheet.title = po.number[:31]
    sheet_cell(sheet, row=1, column=1, value=labels["title"]).font = Font(bold=True, size=14)
    header = [
        (labels["number"], po.number), (labels["buyer"], buyer),
        (labels["supplier"], f"{po.supplier.code} {po.supplier.name}"),
        (labels["contact"], "; ".join(f"{c.name} {c.work_phone or c.work_email}".strip()
                                      for c in po.supplier.contacts.all())),
        (labels["ordered_on"], po.ordered_on), (labels["expected_on"], po.expected_on),
        (labels["currency"], po.currency), (labels["status"], str(po.get_status_display())),
    ]
    if po.supplier.payment_terms:
        header.append((labels["payment_terms"], po.supplier.payment_terms))
    for i, (label, value) in enumerate(header, start=3):
        sheet_cell(sheet, row=i, column=1, value=str(label)).font = Font(bold=True)
        cell = sheet_cell(sheet, row=i, column=2, value=value)
        if hasattr(value, "year"):
            cell.number_format = "yyyy-mm-dd"
    first = len(header) + 4
    columns = ["line", "merchant_code", "description", "sku", "store", "quantity", "unit_price", "amount", "expected_on"]
    sheet.append([])
    while sheet.max_row < first - 1:
        sheet.append([])
    sheet_append(sheet, [str(labels[c]) for c in columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD
    total = Decimal("0.00")
    units = 0
    for line in po.lines.all():
        amount = (line.unit_price * line.quantity).quantize(Decimal("0.01"))
        total += amount
        units += line.quantity
        sheet_append(sheet, [line.line_no, line.merchant_code, line.description, line.sku_id, line.store_id,
                             line.quantity, line.unit_price, amount, line.expected_on])
        row = sheet[sheet.max_row]
        row[6].number_format = "#,##0.00##"
        row[7].number_format = "#,##0.00"
        row[8].number_format = "yyyy-mm-dd"
    sheet_append(sheet, ["", "", str(labels["total"]), "", "", units, None, total, None])
    last = sheet[sheet.max_row]
    last[7].number_format = "#,##0.00"
    for cell in last:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", (10, 22, 34, 22, 10, 10, 12, 14, 14)):
        sheet.column_dimensions[letter].width = width
    data = workbook_bytes(book)
    return data
