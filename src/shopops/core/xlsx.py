"""The cell rules of every spreadsheet shopops writes: formula safety, number formats, cell values.

The one export path that builds files from them is :mod:`shopops.ui.exports` (pages'
tables as XLSX and CSV); the report renderer (``reports/render_xlsx.py``) writes its
document's cells with :func:`sheet_cell`. They live in core so that every writer shares them.

Money is a number with two decimals (``#,##0.00``; ui.exports puts the store's currency
symbol in the format), percents the ratio with a ``0.00%``
format, counts integers, dates real dates: Excel can sum and chart them without parsing
text. Headers are bold on a light fill; the first row and column stay frozen.

Formula-safe (CSV/formula injection, OWASP): text that starts with ``= + - @`` or a tab or
carriage return — ids and names can come from the public event collector — is never a
formula. In a workbook every text cell is written with the string type (openpyxl would
store ``=…`` as a formula), and formula-like text also gets Excel's quote prefix (the
``'`` a user types, kept as a style, so the value itself is unchanged). In CSV, where no
type exists, formula-like text is prefixed with ``'``. Plain numbers (``-12.5``) are
left alone. Every export writes its cells through :func:`sheet_append`,
:func:`sheet_cell`, :func:`text_cell` or :func:`csv_cell`; :func:`workbook_bytes` and
:func:`workbook_make_formula_safe` check the whole book once more before it is saved.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"money": "#,##0.00", "percent": "0.00%", "ratio": "0.00", "count": "#,##0", "date": "yyyy-mm-dd"}
_HEADER_FILL = PatternFill("solid", fgColor="E8F0FD")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# characters XML 1.0 cannot hold: openpyxl refuses them (IllegalCharacterError)
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (and it is not a plain number)."""
    return text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text)


def csv_cell(value) -> str:
    """A CSV cell: formula-like text gets a leading ``'``; None is empty; datetimes as ``Y-m-d H:M:S``.

    Aware datetimes must be converted to local time by the caller (this module has no time zone).
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def text_cell(sheet, value) -> Cell:
    """A cell holding ``value`` (for ``sheet.append``, also in write-only books); text is never a formula."""
    if isinstance(value, str):
        cell = Cell(sheet, column=1, row=1)  # placed by append (write-only sheets need a position)
        text = _ILLEGAL_XLSX.sub("", value)
        cell.value = text
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
        return cell
    return Cell(sheet, column=1, row=1, value=value)


def sheet_append(sheet, values) -> None:
    """``sheet.append(values)``, formula-safe."""
    sheet.append([text_cell(sheet, v) if isinstance(v, str) else v for v in values])


def sheet_cell(sheet, *, row: int, column: int, value):
    """``sheet.cell(row, column, value)``, formula-safe: the cell."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = _ILLEGAL_XLSX.sub("", value)
        cell.value = text
        cell.data_type = "s"
        cell.quotePrefix = looks_like_formula(text)
    else:
        cell.value = value
    return cell


def workbook_make_formula_safe(book: Workbook) -> None:
    """The last check before saving: any cell that became a formula is turned back into text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True


def cell_value(value, unit: str):
    """The value Excel should hold for a cell of this unit (money, percent, ratio, count or text)."""
    if value is None:
        return None
    if unit == "money":
        # half up, as pages print it (metrics.formatting): the file and the page show the same cents
        return Decimal(str(value) if isinstance(value, float) else value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if unit in ("percent", "ratio"):
        return float(value)
    if unit == "count":
        return int(value)
    if isinstance(value, dt.date | int | float | Decimal):
        return value
    return _ILLEGAL_XLSX.sub("", str(value))


# new_workbook / workbook_bytes: only customers/views_audience.py still builds a book here; it is moving
# onto ui.exports (shopops.audience) — delete these two with it.
def new_workbook(title: str, headers: list[str]):
    """A workbook with one sheet named ``title`` and its styled header row: (book, sheet)."""
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "data"
    sheet_append(sheet, [str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    return book, sheet


def workbook_bytes(book: Workbook) -> bytes:
    workbook_make_formula_safe(book)
    book.active.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
