"""The one formula-safe writer (core.xlsx): text that a spreadsheet would run is text (issue 14).

OWASP CSV injection: cells starting with = + - @ tab or CR. In XLSX they keep their value,
with the string type and Excel's quote prefix; in CSV they get a leading '. Plain numbers
(-12.5) are left alone. Checked by reading the saved workbook back with openpyxl.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook

from shopops.core.xlsx import (
    csv_cell, looks_like_formula, new_workbook, sheet_append, sheet_cell, workbook_bytes, workbook_make_formula_safe,
)

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_recognised(text):
    assert looks_like_formula(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-12.5", "+3", "12", "P-1", "a=b", "", "商品=1"])
def test_plain_values_are_left_alone(text):
    assert not looks_like_formula(text)
    assert csv_cell(text) == text


def _reload(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_appended_rows_and_single_cells_are_never_formulas():
    book, sheet = new_workbook("t", ["=header", "b"])
    sheet_append(sheet, [*HOSTILE[:2], Decimal("1.50"), 3, None])
    sheet_cell(sheet, row=3, column=1, value=HOSTILE[2])
    sheet_cell(sheet, row=3, column=2, value="ok\x00\x07 text")  # control characters XML cannot hold
    back = _reload(workbook_bytes(book)).active
    assert [c.data_type for c in back[2]][:2] == ["s", "s"]
    assert back["A1"].value == "=header" and back["A1"].data_type == "s" and back["A1"].quotePrefix
    assert back["A2"].value == HOSTILE[0] and back["A2"].quotePrefix
    assert back["C2"].value == 1.5 and back["D2"].value == 3
    assert back["A3"].value == "-2+3" and back["A3"].quotePrefix
    assert back["B3"].value == "ok text" and not back["B3"].quotePrefix
    assert not any(c.data_type == "f" for row in back.iter_rows() for c in row)


def test_the_last_check_turns_any_formula_back_into_text():
    book = Workbook()
    book.active["A1"] = "=1+1"  # written around the helpers
    assert book.active["A1"].data_type == "f"
    workbook_make_formula_safe(book)
    buffer = io.BytesIO()
    book.save(buffer)
    cell = _reload(buffer.getvalue()).active["A1"]
    assert cell.data_type == "s" and cell.value == "=1+1" and cell.quotePrefix


def test_write_only_books_through_text_cell():
    from shopops.core.xlsx import text_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("rejects")
    sheet.append([text_cell(sheet, "value"), text_cell(sheet, 2)])
    sheet.append([text_cell(sheet, v) for v in HOSTILE[:3]] + [None, text_cell(sheet, "x\x01y")])
    buffer = io.BytesIO()
    book.save(buffer)
    back = _reload(buffer.getvalue()).active
    assert [c.value for c in back[2]][:3] == HOSTILE[:3] and back["E2"].value == "xy"
    assert all(c.data_type == "s" and c.quotePrefix for c in back[2][:3])
    assert not any(c.data_type == "f" for row in back.iter_rows() for c in row)
