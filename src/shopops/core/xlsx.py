"""Excel workbooks of tables, one convention everywhere (pages' exports, reports).

Money is a number with two decimals (``#,##0.00``), percents the ratio with a ``0.00%``
format, counts integers, dates real dates: Excel can sum and chart them without parsing
text. Headers are bold on a light fill; the first row and column stay frozen.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"money": "#,##0.00", "percent": "0.00%", "ratio": "0.00", "count": "#,##0", "date": "yyyy-mm-dd"}
_HEADER_FILL = PatternFill("solid", fgColor="E8F0FD")


def cell_value(value, unit: str):
    """The value Excel should hold for a cell of this unit (money, percent, ratio, count or text)."""
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


def new_workbook(title: str, headers: list[str]):
    """A workbook with one sheet named ``title`` and its styled header row: (book, sheet)."""
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "data"
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    return book, sheet


def format_column(sheet, index: int, header: str, number_format: str | None, *, skip_rows: set[int] = frozenset()) -> None:
    """Give column ``index`` (1-based) its number format (except the body rows in ``skip_rows``,
    0-based) and a width fitting its header."""
    if number_format:
        for row_number, (cell,) in enumerate(sheet.iter_rows(min_row=2, min_col=index, max_col=index)):
            if row_number not in skip_rows:
                cell.number_format = number_format
    sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(str(header)) * 2 + 4))


def workbook_bytes(book: Workbook) -> bytes:
    book.active.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment_name(filename: str) -> str:
    """A safe ``Content-Disposition`` file name (ASCII letters, digits, ``_.-``) ending in .xlsx."""
    return (re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "table") + ".xlsx"
