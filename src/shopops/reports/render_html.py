"""A report as HTML: a fragment for the app's report page and a standalone document.

The standalone document (the ``.html`` download and the source of the PDF) inlines the
report stylesheet, so it opens anywhere without the app. Cells are formatted here from
the report's raw values (``formatting``); rows keep the raw value in ``data-value`` so a
test or a reader can trace a shown number to the KPI value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string

from shopops.reports.builder import Report, ReportTable
from shopops.reports.formatting import cell_unit, format_value
from shopops.reports.texts import text

STYLESHEET = Path(__file__).resolve().parent / "static" / "reports" / "report.css"


@dataclass(frozen=True, slots=True)
class Cell:
    column: str
    text: str
    raw: str
    is_number: bool
    kpi: str
    tone: str  # "good", "bad" or "" (changes only)


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def _tone(unit: str, row: dict) -> str:
    if unit != "change" or row.get("_good") is None:
        return ""
    return "good" if row["_good"] else "bad"


def table_cells(table: ReportTable, currency: str) -> list[list[Cell]]:
    out = []
    for row in table.rows:
        cells = []
        for col in table.columns:
            unit = cell_unit(col.unit, row)
            value = row.get(col.key)
            row_currency = row.get("_currency") or currency
            kpi = row.get("_kpi", "") if col.unit == "kpi" else col.kpi
            cells.append(Cell(col.key, format_value(value, unit, row_currency or None), "" if value is None else str(value),
                              col.is_number, kpi, _tone(unit, row)))
        out.append(cells)
    return out


def _context(report: Report) -> dict:
    return {
        "report": report,
        "lang": report.language,
        "html_lang": "en" if report.language == "en" else "zh-Hans",
        "meta": report.meta(),
        "footer": text("footer", report.language),
        "empty": text("none", report.language),
        "sections": [
            {"section": s, "tables": [{"table": t, "cells": table_cells(t, report.currency)} for t in s.tables]}
            for s in report.sections
        ],
    }


def report_body_html(report: Report) -> str:
    """The report as an HTML fragment (the app page wraps it in its layout)."""
    return render_to_string("reports/_report_body.html", _context(report))


def report_document_html(report: Report, *, body: str | None = None) -> str:
    """The report as a standalone HTML document with its stylesheet inlined."""
    return render_to_string("reports/report_document.html", {
        **_context(report), "body": body if body is not None else report_body_html(report), "css": stylesheet(),
    })
