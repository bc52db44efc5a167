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
from django.urls import reverse

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
    if unit not in ("change", "points") or row.get("_good") is None:
        return ""
    return "good" if row["_good"] else "bad"


def table_cells(table: ReportTable, currency: str) -> list[list[Cell]]:
    out = []
    for row in table.rows:
        cells = []
        for col in table.columns:
            unit = cell_unit(col.unit, row, col.kpi)
            value = row.get(col.key)
            row_currency = row.get("_currency") or currency
            kpi = row.get("_kpi", "") if col.unit == "kpi" else col.kpi
            cells.append(Cell(col.key, format_value(value, unit, row_currency or None), "" if value is None else str(value),
                              col.is_number, kpi, _tone(unit, row)))
        out.append(cells)
    return out


# a table of at most this many rows is kept on one page of the PDF (report.css: .report-table-keep)
KEEP_ROWS = 15


def kpi_catalog_url(base_url: str = "") -> str:
    """The KPI catalog page (/kpis/) as an absolute URL when the site's address is known, else ''."""
    return f"{base_url.rstrip('/')}{reverse('web:kpis')}" if base_url.startswith(("http://", "https://")) else ""


def footer(language: str, base_url: str = "") -> tuple[str, str]:
    """The footer's words and the KPI catalog's URL that follows them ('' when the report does not know the
    site's address: then the words name the page and its path)."""
    page = text("kpi_catalog", language)
    url = kpi_catalog_url(base_url)
    return (text("footer_url", language, page=page) if url else text("footer", language, page=page)), url


def _context(report: Report, base_url: str = "") -> dict:
    words, url = footer(report.language, base_url)
    return {
        "report": report,
        "lang": report.language,
        "html_lang": "en" if report.language == "en" else "zh-Hans",
        "meta": report.meta(),
        "footer": words,
        "footer_url": url,
        "empty": text("none", report.language),
        "sections": [_section(s, report.currency) for s in report.sections],
    }


def _section(section, currency: str) -> dict:
    """A section's tables to draw: ``lead`` (the first, drawn with the heading) and the ``rest``; ``keep_lead``: the
    heading and that table are short enough to keep on one page (a table of at most ``KEEP_ROWS`` rows)."""
    tables = [{"table": t, "cells": table_cells(t, currency), "keep": len(t.rows) <= KEEP_ROWS}
              for t in section.tables if section.id != "notable" or t.rows]  # no changes: the sentence says so
    return {"section": section, "lead": tables[:1], "rest": tables[1:],
            "keep_lead": not tables or tables[0]["keep"]}


def report_body_html(report: Report, *, base_url: str = "") -> str:
    """The report as an HTML fragment (the app page wraps it in its layout); ``base_url``: the site's address,
    for the footer's absolute link to the KPI catalog."""
    return render_to_string("reports/_report_body.html", _context(report, base_url))


def report_document_html(report: Report, *, body: str | None = None, base_url: str = "") -> str:
    """The report as a standalone HTML document with its stylesheet inlined."""
    return render_to_string("reports/report_document.html", {
        **_context(report, base_url), "css": stylesheet(),
        "body": body if body is not None else report_body_html(report, base_url=base_url),
    })
