"""How numbers look in a report: the same conventions as the web pages.

The conventions live in ``shopops.metrics.formatting`` (shared with the web pages);
this module adds the report-only units ``share``, ``change`` and ``text``.
"""

from __future__ import annotations

from shopops.metrics.catalog import CATALOG, Unit
from shopops.ui.formatting import EMPTY, currency_symbol, format_change  # noqa: F401 - re-exported
from shopops.ui.formatting import format_value as kpi_format_value


def format_value(value, unit: Unit | str, currency: str | None = "CNY") -> str:
    """One value of a KPI (or a change / share / text); ``—`` when undefined."""
    if value is None:
        return EMPTY
    if unit == "change":
        return format_change(value)
    if unit == "share":
        unit = Unit.PERCENT
    if unit == "text":
        return str(value)
    return kpi_format_value(value, unit, currency)


def cell_unit(column_unit: str, row: dict) -> str:
    """The unit of one cell: a column of unit ``kpi`` takes the unit of its row's KPI."""
    if column_unit == "kpi":
        return CATALOG[row["_kpi"]].unit.value
    return column_unit
