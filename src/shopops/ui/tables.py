"""The one table shape every page renders, exports and charts from.

A :class:`DataTable` is typed columns and rows of raw values as the metrics layer (or a
selector) returned them. The template ``ui/_table.html`` renders it (``data-value`` on
every cell, ``data-kpi`` on KPI cells), :mod:`shopops.ui.exports` writes the same columns to
XLSX and CSV, :func:`chart_from_table` turns some of its columns into chart data and
:func:`table_from_chart` turns a chart back into a table (the accessible view of a chart).
:func:`table_page` sorts and pages a table by the URL's ``sort``/``dir``/``page``. No number
is computed here: values are only carried, ordered and labelled.

Column types (``unit``): ``""``/``"text"``, ``"count"``/``"int"``, ``"money"`` (in the
table's ``currency``), ``"percent"`` (a ratio, 0.12 = 12%), ``"ratio"``, ``"date"``,
``"datetime"``; a catalog KPI column takes its unit from the catalog; ``change=True`` is a
relative change shown with ▲/▼.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shopops.metrics.catalog import CATALOG, Kpi, ad_dependent, traffic_dependent
from shopops.ui.formatting import format_change, format_value, raw_value

NUMERIC_UNITS = ("money", "count", "percent", "ratio")
_ALIASES = {"text": "", "int": "count", "integer": "count"}
UNITS = ("", *NUMERIC_UNITS, "date", "datetime")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str | Promise
    kpi: Kpi | None = None  # a catalog KPI: formatted by its unit, exported as a number
    unit: str = ""  # text "" / count / money / percent / ratio / date / datetime ("text" and "int" are accepted)
    change: bool = False  # a relative change (0.12 = +12%), shown with ▲/▼
    sortable: bool = True  # offered as a sort link when the table is sorted by the URL

    def __post_init__(self) -> None:
        unit = _ALIASES.get(self.unit, self.unit)
        if unit not in UNITS:
            raise ValueError(f"column {self.key!r}: unknown unit {self.unit!r} (use one of {', '.join(UNITS[1:])})")
        object.__setattr__(self, "unit", unit)

    @property
    def is_numeric(self) -> bool:
        return self.kpi is not None or self.unit in NUMERIC_UNITS or self.change

    @property
    def value_unit(self) -> str:
        if self.kpi is not None:
            return self.kpi.unit.value
        return "percent" if self.change else self.unit


def kpi_column(kpi_id: str, language: str, key: str | None = None, suffix: str = "") -> Column:
    kpi = CATALOG[kpi_id]
    return Column(key or kpi_id, kpi.label(language) + suffix, kpi=kpi)


def text_column(key: str, label) -> Column:
    return Column(key, label)


@dataclass(slots=True)
class Row:
    values: dict[str, Any]
    link: str = ""  # where the row's first cell links (drill-down)
    header: str = ""  # shown text of the first cell when it differs from its raw value
    is_total: bool = False
    good: dict[str, bool | None] = field(default_factory=dict)  # change column key -> good news?
    units: dict[str, str] = field(default_factory=dict)  # a cell's unit when it differs by row (targets)
    marks: dict[str, str] = field(default_factory=dict)  # column key -> why the cell is marked (e.g. a partial month)
    links: dict[str, str] = field(default_factory=dict)  # column key -> where that cell links (besides the first)


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a sorted, paged table is: shown on ``ui/_table.html`` under the table."""

    number: int
    pages: int
    total: int
    first: int  # 1-based position of the first row shown
    last: int
    previous_url: str = ""
    next_url: str = ""


@dataclass(slots=True)
class DataTable:
    id: str
    title: str | Promise
    columns: list[Column]
    rows: list[Row]
    currency: str = ""  # the stores' one currency; "" when they mix currencies (money then has no symbol)
    note: str | Promise = ""
    # set by table_page: the sort the rows are in, links to sort by each column, and the page
    sort: str = ""
    descending: bool = True
    sort_links: dict[str, str] = field(default_factory=dict)
    paging: Paging | None = None

    @classmethod
    def from_dicts(cls, table_id: str, title, columns: list[Column], records, **kwargs) -> DataTable:
        """A table of plain dicts (selector rows): each row keeps only the columns' keys."""
        keys = [c.key for c in columns]
        return cls(table_id, title, columns, [Row({k: r.get(k) for k in keys}) for r in records], **kwargs)

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
                elif isinstance(value, dt.datetime):
                    text = value.strftime("%Y-%m-%d %H:%M")
                else:
                    text = "" if value is None else str(value)
                cells.append(Cell(c, value, text, row.good.get(c.key), row.marks.get(c.key, ""),
                                  row.links.get(c.key, "")))
            yield row, cells


@dataclass(frozen=True, slots=True)
class Cell:
    column: Column
    value: Any
    text: str
    good: bool | None = None
    mark: str = ""  # shown as * with this explanation
    link: str = ""

    @property
    def raw(self) -> str:
        return raw_value(self.value)

    @property
    def tone(self) -> str:
        return "flat" if self.good is None else ("good" if self.good else "bad")


# ---------------------------------------------------------------------------
# server-side sort and paging
# ---------------------------------------------------------------------------
def _int_or(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _sort_value(value):
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, dt.datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=dt.UTC).timestamp()
    if isinstance(value, dt.date):
        return value.toordinal()
    return value


def table_page(
    table: DataTable,
    query: QueryDict,
    *,
    per_page: int = 50,
    default_sort: str = "",
    default_descending: bool = True,
    path: str = "",
    prefix: str = "",
    paged: bool = True,
) -> DataTable:
    """The table sorted by ``?sort=<column>&dir=asc|desc`` and cut to ``?page=<n>`` (``per_page`` rows).

    Lenient: an unknown column, direction or page number falls back to the default sort and
    the first (or last) page, never an error. Total rows stay at the bottom; rows whose value
    is empty sort last in both directions; ties keep the table's order. ``prefix`` names the
    parameters (``<prefix>sort``…) when a page sorts several tables; ``paged=False`` sorts only
    (an export gets every row).
    """
    keys = {c.key: c for c in table.columns if c.sortable}
    sort = query.get(f"{prefix}sort") or default_sort
    if sort not in keys:
        sort = default_sort if default_sort in keys else ""
    direction = query.get(f"{prefix}dir")
    descending = default_descending if direction not in ("asc", "desc") else direction == "desc"
    body = [r for r in table.rows if not r.is_total]
    totals = [r for r in table.rows if r.is_total]
    if sort:
        present = [r for r in body if r.values.get(sort) is not None]
        missing = [r for r in body if r.values.get(sort) is None]
        present.sort(key=lambda r: _sort_value(r.values[sort]), reverse=descending)
        body = present + missing

    def url(**changes) -> str:
        q = query.copy()
        for k in ("format", "table"):
            q.pop(k, None)
        for k, v in changes.items():
            q.pop(f"{prefix}{k}", None)
            if v is not None:
                q[f"{prefix}{k}"] = str(v)
        encoded = q.urlencode()
        return f"{path}?{encoded}" if encoded else path

    links = {k: url(sort=k, dir="asc" if (k == sort and descending) else "desc", page=None) for k in keys}
    paging = None
    if paged:
        pages = max(1, -(-len(body) // per_page))
        number = _int_or(query.get(f"{prefix}page"), 1)
        number = 1 if number < 1 else min(number, pages)
        start = (number - 1) * per_page
        shown = body[start:start + per_page]
        paging = Paging(number, pages, len(body), start + 1 if shown else 0, start + len(shown),
                        url(page=number - 1) if number > 1 else "", url(page=number + 1) if number < pages else "")
        body = shown
    return replace(table, rows=body + totals, sort=sort, descending=descending, sort_links=links, paging=paging)


# ---------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------
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
                "empty": series_empty_text(key, get_language() or "", [r.values.get(key) for r in body]),
            }
            for key, chart_type, axis in series
        ],
    }


def series_empty_text(kpi_id: str, language: str, values: list, *, no_ads: bool = False) -> str:
    """What a chart shows instead of a series with no value at all (every point unknown): "访客数:未导入
    流量数据" for a series built on traffic data, "推广花费:未导入推广数据" for one built on the ad reports
    ("投产比:不适用,这些店铺不投放付费广告" with ``no_ads``: the stores run no paid ads), "…: no data in this
    period" otherwise; "" when any value is there (a real 0 included)."""
    if not values or any(v is not None for v in values):
        return ""
    kpi = CATALOG.get(kpi_id)
    name = kpi.label(language) if kpi is not None else kpi_id
    if kpi is not None and traffic_dependent(kpi_id):
        return _("%(name)s: no traffic data imported for this period") % {"name": name}
    if kpi is not None and ad_dependent(kpi_id) and no_ads:
        return _("%(name)s: not applicable, these stores run no paid ads") % {"name": name}
    if kpi is not None and ad_dependent(kpi_id):
        return _("%(name)s: no ad data imported for this period") % {"name": name}
    return _("%(name)s: no data for this period") % {"name": name}


def chart_data(categories: list[str], series: list[dict], *, stack: bool = False, currency: str = "",
               kind: str = "category") -> dict:
    """Chart data in the shape ``web/analysis.js`` draws, for charts not made from a table.

    ``series``: dicts with key, name, unit, type (bar/line), axis and data (values as strings:
    Decimals never become floats in transit).
    """
    return {"kind": kind, "currency": currency, "stack": stack, "categories": categories,
            "drill": [""] * len(categories), "series": series}


def table_from_chart(chart: dict, table_id: str, title, *, category_label="") -> DataTable:
    """The table view of a chart: one row per category, one column per series, same units.

    Screen readers and keyboard users read this instead of the canvas (``ui/_panel.html``).
    """
    columns = [Column("category", category_label), *(Column(s["key"], s["name"], unit=s.get("unit") or "")
                                                   for s in chart["series"])]
    rows = []
    for i, category in enumerate(chart["categories"]):
        values = {"category": category}
        for s in chart["series"]:
            value = s["data"][i]
            values[s["key"]] = None if value in (None, "") else _number(value)
        rows.append(Row(values, link=(chart.get("drill") or [""] * (i + 1))[i] if chart.get("drill") else ""))
    return DataTable(table_id, title, columns, rows, currency=chart.get("currency", ""))


def _number(text):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(text))
    except InvalidOperation:
        return text
