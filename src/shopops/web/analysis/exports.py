"""Every analysis table as an Excel workbook: ``?format=xlsx`` on the page's own URL.

Same columns and headers (in the page's language) as the table on the page. Money is a
number with two decimals (``#,##0.00``), percents are the ratio with a ``0.00%`` format,
counts are integers: Excel can sum and chart them without parsing text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from shopops.web.analysis.tables import DataTable

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"money": "#,##0.00", "percent": "0.00%", "ratio": "0.00", "count": "#,##0"}
_HEADER_FILL = PatternFill("solid", fgColor="E8F0FD")


def _cell_value(value, unit: str):
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


def table_workbook(table: DataTable) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", str(table.title))[:31] or "data"
    sheet.append([str(c.label) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for row in table.rows:
        values = []
        for i, column in enumerate(table.columns):
            raw = row.values.get(column.key)
            if i == 0 and row.header:
                raw = row.header
            unit = row.units.get(column.key, column.value_unit) if column.is_numeric else ""
            values.append(_cell_value(raw, unit))
        sheet.append(values)
        for index, column in enumerate(table.columns, start=1):
            if column.key in row.units:
                sheet.cell(row=sheet.max_row, column=index).number_format = NUMBER_FORMATS[row.units[column.key]]
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        fmt = NUMBER_FORMATS.get(column.value_unit) if column.is_numeric else None
        if fmt:
            for row_number, (cell,) in enumerate(sheet.iter_rows(min_row=2, min_col=index, max_col=index)):
                if column.key not in table.rows[row_number].units:
                    cell.number_format = fmt
        elif any(isinstance(r.values.get(column.key), dt.date) for r in table.rows):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = max(12, min(40, len(str(column.label)) * 2 + 4))
    sheet.freeze_panes = "B2"
    return book


def xlsx_response(table: DataTable, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    table_workbook(table).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "table"
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response
