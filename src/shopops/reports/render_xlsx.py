"""A report as an Excel workbook (openpyxl): a cover sheet, then one sheet per section.

Cells hold the raw KPI values (numbers, not text) with a number format per unit, so the
workbook can be recalculated and charted; the currency symbol sits in the format. A percent
KPI's change is held in percentage points (1.3, shown ``▲ 1.30 pp``), the others' as a
fraction shown in percent (0.12, shown ``▲ 12.00%``).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shopops.core.xlsx import sheet_cell, workbook_make_formula_safe
from shopops.reports.builder import Report
from shopops.reports.formatting import cell_unit
from shopops.reports.render_html import footer
from shopops.reports.texts import text
from shopops.ui.exports import money_format

HEAD_FILL = PatternFill("solid", fgColor="F0F4F8")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
GOOD = Font(color="0B7A4B")
BAD = Font(color="C62828")


def number_format(unit: str, currency: str) -> str | None:
    return {
        "money": money_format(currency),  # the one convention of ui.exports
        "count": "#,##0",
        "percent": "0.00%",
        "share": "0.00%",
        "ratio": "0.00",
        "change": "▲ 0.00%;▼ 0.00%;0.00%",
        # a percent KPI's change in percentage points: the cell holds the points (1.3 for 2.96% → 4.26%)
        "points": '▲ 0.00" pp";▼ 0.00" pp";0.00" pp"',
    }.get(unit)


def cell_value(value, unit: str):
    """What a cell holds: the raw value, except a change in points, held as points (0.013 → 1.3)."""
    if unit == "points" and value is not None:
        return round(float(value) * 100, 10)
    return value


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
    name, n = base, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def report_xlsx(report: Report, path: Path, *, base_url: str = "") -> Path:
    wb = Workbook()
    cover = wb.active
    used: set[str] = set()
    cover.title = _sheet_title(report.title, used)
    sheet_cell(cover, row=1, column=1, value=f"{report.title} {report.period_label}")
    cover["A1"].font = TITLE
    for i, (label, value) in enumerate(report.meta(), start=3):
        sheet_cell(cover, row=i, column=1, value=label).font = BOLD
        sheet_cell(cover, row=i, column=2, value=value)
    words, url = footer(report.language, base_url)
    sheet_cell(cover, row=len(report.meta()) + 4, column=1, value=words + url)
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 60

    for section in report.sections:
        ws = wb.create_sheet(_sheet_title(section.title, used))
        sheet_cell(ws, row=1, column=1, value=section.title).font = TITLE
        r = 2
        if section.note:
            sheet_cell(ws, row=r, column=1, value=section.note)
            r += 1
        if section.id == "notable":
            for sentence in section.sentences:
                sheet_cell(ws, row=r, column=1, value=sentence)
                r += 1
        widths: dict[int, int] = {}
        for table in section.tables:
            r += 1
            sheet_cell(ws, row=r, column=1, value=table.title).font = BOLD
            r += 1
            if table.note and section.id != "notable":  # the notable note is the section's, written above
                sheet_cell(ws, row=r, column=1, value=table.note)
                r += 1
            for j, col in enumerate(table.columns, start=1):
                cell = sheet_cell(ws, row=r, column=j, value=col.label)
                cell.font, cell.fill = BOLD, HEAD_FILL
                cell.alignment = Alignment(horizontal="right" if col.is_number else "left")
                widths[j] = max(widths.get(j, 8), _width(col.label))
            r += 1
            for row in table.rows:
                for j, col in enumerate(table.columns, start=1):
                    unit = cell_unit(col.unit, row, col.kpi)
                    value = cell_value(row.get(col.key), unit)
                    cell = sheet_cell(ws, row=r, column=j, value=value)  # Decimal is written as a number
                    fmt = number_format(unit, row.get("_currency") or report.currency)
                    if fmt and value is not None:
                        cell.number_format = fmt
                    if unit in ("change", "points") and row.get("_good") is not None:
                        cell.font = GOOD if row["_good"] else BAD
                    if unit == "text":
                        widths[j] = max(widths.get(j, 8), min(_width(str(value or "")), 80))
                    else:
                        widths[j] = max(widths.get(j, 8), 14)
                r += 1
        for j, w in widths.items():
            ws.column_dimensions[get_column_letter(j)].width = w + 2
    workbook_make_formula_safe(wb)
    wb.save(path)
    return path


def _width(label: str) -> int:
    # CJK characters are about two columns wide
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
