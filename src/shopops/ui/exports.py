"""The one export path: any :class:`~shopops.ui.tables.DataTable` as an Excel workbook or a CSV file.

Pages export with ``?format=xlsx`` or ``?format=csv`` (and ``&table=<id>``) on their own URL
(:func:`shopops.ui.pages.ui_page` answers it); other views call :func:`export_response`.
Same columns and headers (in the page's language) as the table on the page:

- XLSX: money is a number with two decimals in the store's currency (``"US$"#,##0.00`` for
  a USD store; no symbol when the stores mix currencies), percents the ratio with a
  ``0.00%`` format, counts integers, dates real dates, datetimes in the store's time zone:
  Excel can sum and chart them without parsing text. Header bold on a light fill, frozen.
- CSV: UTF-8 with a byte-order mark (Excel opens Chinese text right), CRLF line ends, the
  same values as the workbook written as plain text (money ``1234.50``, percents the ratio,
  dates ``2025-11-01``); a money column's header names its currency (``GMV (USD)``).

Formula-safe (CSV/formula injection): every cell goes through :mod:`shopops.core.xlsx`'s
rules — text that starts with ``= + - @``, a tab or a carriage return is never a formula (a
text cell with Excel's quote prefix in XLSX, a leading ``'`` in CSV); plain numbers stay
numbers. File names are cleaned (no path, quotes or control characters) and sent with
RFC 6266 ``filename*`` so Chinese names arrive intact.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from shopops.core.xlsx import NUMBER_FORMATS, XLSX_CONTENT_TYPE, cell_value, csv_cell, text_cell
from shopops.ui.formatting import currency_symbol
from shopops.ui.tables import Column, DataTable, Row

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_HEADER_FILL = PatternFill("solid", fgColor="E8F0FD")
_BAD_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def money_format(currency: str) -> str:
    """The Excel number format of money in ``currency``: ``"¥"#,##0.00``, ``"US$"#,##0.00``; ``#,##0.00`` for none."""
    symbol = currency_symbol(currency).replace('"', "")  # a quote would end the format's literal
    return f'"{symbol}"{NUMBER_FORMATS["money"]}' if symbol else NUMBER_FORMATS["money"]


def export_filename(stem: str, extension: str) -> str:
    """A file name safe to offer for download: no path, quotes or control characters; letters of any script kept."""
    name = _BAD_NAME.sub("-", str(stem))
    name = re.sub(r"\s+", "-", name).strip(" .-")[:120] or "table"
    return f"{name}.{extension}"


def attachment_header(filename: str) -> str:
    """``Content-Disposition`` of a download; non-ASCII names travel as ``filename*=utf-8''…`` (RFC 6266)."""
    return content_disposition_header(True, filename)


# ---------------------------------------------------------------------------
# cells: what each unit holds
# ---------------------------------------------------------------------------
def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _cell_unit(table: DataTable, row: Row, column: Column) -> str:
    return row.units.get(column.key, column.value_unit) if column.is_numeric else column.unit


def export_value(table: DataTable, row: Row, index: int, column: Column):
    """The value a spreadsheet holds for one cell (the first column shows the row's header text)."""
    raw = row.values.get(column.key)
    if index == 0 and row.header and not column.is_numeric:
        raw = row.header
    unit = _cell_unit(table, row, column)
    raw = _local(raw)
    if unit in ("date", "datetime") or isinstance(raw, dt.date):
        return raw if isinstance(raw, dt.date) or raw is None else str(raw)
    if unit in ("money", "percent", "ratio", "count"):
        return cell_value(raw, unit)
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return raw
    return cell_value(raw, "")


def _number_format(table: DataTable, unit: str, value) -> str | None:
    if unit == "money":
        return money_format(table.currency)
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return NUMBER_FORMATS["date"]
    return NUMBER_FORMATS.get(unit) if unit in ("percent", "ratio", "count") else None


def _header(column: Column) -> str:
    return str(column.label)


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------
def table_workbook_bytes(table: DataTable) -> bytes:
    """The table as one sheet of an .xlsx file (written row by row: large tables fit)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", str(table.title))[:31] or "data")
    headers = [_header(c) for c in table.columns]
    widths = [max(12, min(40, len(h) * 2 + 4)) for h in headers]
    rows = list(table.rows)
    for row in rows[:200]:
        for i, column in enumerate(table.columns):
            value = row.values.get(column.key)
            if i == 0 and row.header:
                value = row.header
            widths[i] = max(widths[i], min(60, len(str(value if value is not None else "")) + 2))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "B2"
    head = []
    for h in headers:
        cell = text_cell(sheet, h)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for i, column in enumerate(table.columns):
            value = export_value(table, row, i, column)
            if isinstance(value, str):
                cell = text_cell(sheet, value)  # never a formula (core.xlsx)
            else:
                cell = Cell(sheet, column=1, row=1, value=value)
                fmt = _number_format(table, _cell_unit(table, row, column), value)
                if fmt and value is not None:
                    cell.number_format = fmt
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------
def _csv_text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_cell(value)


def table_csv_rows(table: DataTable) -> list[list[str]]:
    """Header and body of the CSV file, as text (the same values as the workbook's cells)."""
    headers = []
    for c in table.columns:
        money = c.value_unit == "money" and c.is_numeric and table.currency
        headers.append(csv_cell(f"{_header(c)} ({table.currency})" if money else _header(c)))
    body = [[_csv_text(export_value(table, row, i, c)) for i, c in enumerate(table.columns)] for row in table.rows]
    return [headers, *body]


def table_csv_bytes(table: DataTable) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(table_csv_rows(table))
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------
# responses
# ---------------------------------------------------------------------------
def export_response(table: DataTable, fmt: str, filename: str) -> HttpResponse:
    """The table as a download: ``fmt`` is ``xlsx`` or ``csv``; ``filename`` without its extension."""
    if fmt == "csv":
        content, content_type = table_csv_bytes(table), CSV_CONTENT_TYPE
    elif fmt == "xlsx":
        content, content_type = table_workbook_bytes(table), XLSX_CONTENT_TYPE
    else:
        raise ValueError(f"unknown export format {fmt!r}: use xlsx or csv")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(export_filename(filename, fmt))
    return response


def xlsx_response(table: DataTable, filename: str) -> HttpResponse:
    return export_response(table, "xlsx", filename)


def csv_response(table: DataTable, filename: str) -> HttpResponse:
    return export_response(table, "csv", filename)
