"""Tables of the customer pages as Excel workbooks (``?format=xlsx&table=<id>``).

Same columns and headers (in the page's language) as on the page; money as numbers with
two decimals, shares as ``0.00%``, counts as integers, so Excel can sum and chart them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpResponse

from shopops.core.xlsx import (
    NUMBER_FORMATS, XLSX_CONTENT_TYPE, attachment_name, cell_value, format_column, new_workbook, sheet_append, workbook_bytes,
)


@dataclass(slots=True)
class Sheet:
    """A table for export: (key, header, unit) columns and rows of raw values by key."""

    title: str
    columns: list[tuple[str, str, str]]
    rows: list[dict] = field(default_factory=list)


def xlsx_response(sheet: Sheet, filename: str) -> HttpResponse:
    book, ws = new_workbook(sheet.title, [header for _, header, _ in sheet.columns])
    for row in sheet.rows:
        sheet_append(ws, [cell_value(row.get(key), unit) for key, _, unit in sheet.columns])
    for index, (_, header, unit) in enumerate(sheet.columns, start=1):
        format_column(ws, index, header, NUMBER_FORMATS.get(unit))
    response = HttpResponse(workbook_bytes(book), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{attachment_name(filename)}"'
    return response
