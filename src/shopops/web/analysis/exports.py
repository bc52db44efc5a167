"""Every analysis table as an Excel workbook: ``?format=xlsx`` on the page's own URL.

Same columns and headers (in the page's language) as the table on the page. Money is a
number with two decimals (``#,##0.00``), percents are the ratio with a ``0.00%`` format,
counts are integers: Excel can sum and chart them without parsing text.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from openpyxl import Workbook

from shopops.core.xlsx import (
    NUMBER_FORMATS, XLSX_CONTENT_TYPE, attachment_name, cell_value, format_column, new_workbook, sheet_append, workbook_bytes,
)
from shopops.web.analysis.tables import DataTable


def table_workbook(table: DataTable) -> Workbook:
    book, sheet = new_workbook(table.title, [c.label for c in table.columns])
    for row in table.rows:
        values = []
        for i, column in enumerate(table.columns):
            raw = row.values.get(column.key)
            if i == 0 and row.header:
                raw = row.header
            unit = row.units.get(column.key, column.value_unit) if column.is_numeric else ""
            values.append(cell_value(raw, unit))
        sheet_append(sheet, values)
        for index, column in enumerate(table.columns, start=1):
            if column.key in row.units:
                sheet.cell(row=sheet.max_row, column=index).number_format = NUMBER_FORMATS[row.units[column.key]]
    for index, column in enumerate(table.columns, start=1):
        fmt = NUMBER_FORMATS.get(column.value_unit) if column.is_numeric else None
        if not fmt and any(isinstance(r.values.get(column.key), dt.date) for r in table.rows):
            fmt = NUMBER_FORMATS["date"]
        own_units = {n for n, r in enumerate(table.rows) if column.key in r.units}
        format_column(sheet, index, column.label, fmt, skip_rows=own_units)
    return book


def xlsx_response(table: DataTable, filename: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(table_workbook(table)), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{attachment_name(filename)}"'
    return response
