"""The one table shape every analysis page renders, exports and charts from.

A :class:`DataTable` is columns (text keys or catalog KPIs) and rows of raw values as the
metrics layer returned them. The template renders it (``data-kpi``/``data-value`` on
every number), :mod:`shopops.web.analysis.exports` writes it to XLSX with the same
columns, and :func:`chart_from_table` turns some of its columns into ECharts data. No
number is computed here: values are only carried and labelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from shopops.metrics.catalog import CATALOG, Kpi
from shopops.web.templatetags.shopops_format import format_change, format_value, raw_value


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str | Promise
    kpi: Kpi | None = None  # a catalog KPI: formatted by its unit, exported as a number
    unit: str = ""  # for non-KPI numeric columns: money / count / percent / ratio
    change: bool = False  # a relative change (0.12 = +12%), shown with ▲/▼

    @property
    def is_numeric(self) -> bool:
        return self.kpi is not None or bool(self.unit) or self.change

    @property
    def value_unit(self) -> str:
        if self.kpi is not None:
            return self.kpi.unit.value
        return "percent" if self.change else self.unit


def kpi_column(kpi_id: str, language: str, key: str | None = None, suffix: str = "") -> Column:
    kpi = CATALOG[kpi_id]
    return Column(key or kpi_id, kpi.label(language) + suffix, kpi=kpi)


@dataclass(slots=True)
class Row:
    values: dict[str, Any]
    link: str = ""  # where the row's first cell links (drill-down)
    header: str = ""  # shown text of the first cell when it differs from its raw value
    is_total: bool = False
    good: dict[str, bool | None] = field(default_factory=dict)  # change column key -> good news?
    units: dict[str, str] = field(default_factory=dict)  # a cell's unit when it differs by row (targets)
    marks: dict[str, str] = field(default_factory=dict)  # column key -> why the cell is marked (e.g. a partial month)


@dataclass(slots=True)
class DataTable:
    id: str
    title: str | Promise
    columns: list[Column]
    rows: list[Row]
    currency: str = ""
    note: str | Promise = ""

    def cells(self):
        """(row, [Cell]) for templates: raw value, shown text, and what it is."""
        for row in self.rows:
            cells = []
            for i, c in enumerate(self.columns):
                value = row.values.get(c.key)
                if c.change:
                    text = format_change(value)
                elif c.is_numeric:
                    text = format_value(value, row.units.get(c.key, c.value_unit), self.currency)
                elif i == 0 and row.header:
                    text = row.header
                else:
                    text = "" if value is None else str(value)
                cells.append(Cell(c, value, text, row.good.get(c.key), row.marks.get(c.key, "")))
            yield row, cells


@dataclass(frozen=True, slots=True)
class Cell:
    column: Column
    value: Any
    text: str
    good: bool | None = None
    mark: str = ""  # shown as * with this explanation

    @property
    def raw(self) -> str:
        return raw_value(self.value.isoformat() if hasattr(self.value, "isoformat") else self.value)

    @property
    def tone(self) -> str:
        return "flat" if self.good is None else ("good" if self.good else "bad")


def chart_from_table(
    table: DataTable,
    *,
    series: list[tuple[str, str, int]],  # (column key, "bar"/"line", y axis index)
    kind: str = "category",
    stack: bool = False,
) -> dict:
    """ECharts data for ``json_script``: categories = the first column, drill = each row's link.

    Money travels as strings (Decimals, never floats); the chart converts for plotting only.
    """
    first = table.columns[0].key
    body = [r for r in table.rows if not r.is_total]
    by_key = {c.key: c for c in table.columns}
    return {
        "kind": kind,
        "currency": table.currency,
        "stack": stack,
        "categories": [r.header or str(r.values.get(first)) for r in body],
        "drill": [r.link for r in body],
        "series": [
            {
                "key": key,
                "name": str(by_key[key].label),
                "unit": by_key[key].value_unit,
                "type": chart_type,
                "axis": axis,
                "data": [None if r.values.get(key) is None else str(r.values.get(key)) for r in body],
            }
            for key, chart_type, axis in series
        ],
    }
