"""Tables of the customer pages as Excel workbooks (``?format=xlsx&table=<id>``).

Same columns and headers (in the page's language) as on the page; money as numbers with
two decimals, shares as ``0.00%``, counts as integers, so Excel can sum and chart them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"money": "#,##0.00", "percent": "0.00%", "ratio": "0.00", "count": "#,##0", "date": "yyyy-mm-dd"}


@dataclass(slots=True)
class Sheet:
    """A table for export: (key, header, unit) columns and rows of raw values by key."""

    title: str
    columns: list[tuple[str, str, str]]
    rows: list[dict] = field(default_factory=list)


def _value(value, unit: str):
    if value is None:
        return None
    if unit == "money":
        return Decimal(value).quantize(Decimal("0.01"))
    if unit in ("percent", "ratio"):
        return float(value)
    if unit == "count":
        return int(value)
    if isinstance(value, dt.date | int | float | Decimal):
        return value
    return str(value)


def xlsx_response(sheet: Sheet, filename: str) -> HttpResponse:
    book = Workbook()
    ws = book.active
    ws.title = re.sub(r"[\[\]:*?/\\]", " ", sheet.title)[:31] or "data"
    ws.append([str(header) for _, header, _ in sheet.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F0FD")
    for row in sheet.rows:
        ws.append([_value(row.get(key), unit) for key, _, unit in sheet.columns])
    for index, (_, header, unit) in enumerate(sheet.columns, start=1):
        if unit in FORMATS:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = FORMATS[unit]
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = max(12, min(40, len(str(header)) * 2 + 4))
    ws.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "table"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response
