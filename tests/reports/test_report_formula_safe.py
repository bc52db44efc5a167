"""A report's workbook holds hostile product ids and titles as text, never formulas (issue 14).

The odd shop of ``tests/web/odd_ids_shop`` (products named ``=HYPERLINK(…)``, ``-2+3+cmd``,
``@SUM(1)``) in the ISO week 2025-W46 (2025-11-10..16): the products section lists them.
"""

from __future__ import annotations

import openpyxl
import pytest

from shopops.reports.builder import report_build
from shopops.reports.render_xlsx import report_xlsx
from tests.web.odd_ids_shop import FORMULAS, load_odd_shop


@pytest.mark.django_db
def test_report_workbook_has_no_formula_cells(warehouse, tmp_path):
    load_odd_shop(warehouse)
    report = report_build(kind="weekly", period="2025-W46", con=warehouse)
    book = openpyxl.load_workbook(report_xlsx(report, tmp_path / "report.xlsx"))
    texts = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value[:1] in "=+-@" and len(cell.value) > 1 and not cell.value[1:].replace(".", "").isdigit():
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    assert set(FORMULAS) & texts, "the products section should list the hostile ids"
