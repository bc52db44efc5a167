"""How numbers look in a report: the same conventions as the web pages.

The conventions live in ``shopops.metrics.formatting`` (shared with the web pages);
this module adds the report-only units ``share``, ``change``, ``points`` and ``text``.

A change of a KPI whose catalog unit is a percent (conversion, refund rate, repurchase rate …)
is its absolute change in percentage points (``points``: 0.013 = ▲ 1.30 pp), never a relative
change of a rate (▲ 43.77 %, which a reader takes for points); every other KPI's change is
relative (``change``: 0.12 = ▲ 12.00%). :func:`change_unit` decides it from the catalog, the
builder fills the cell with the matching value (:func:`change_value`) and the renderers format
it by :func:`cell_unit` — so the sentence, the table, the PDF and the workbook agree.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shopops.metrics.catalog import CATALOG, Unit
from shopops.ui.formatting import EMPTY, currency_symbol, format_change  # noqa: F401 - re-exported
from shopops.ui.formatting import format_value as kpi_format_value

CHANGE, POINTS = "change", "points"


def change_unit(kpi_id: str) -> str:
    """``points`` for a KPI whose catalog unit is a percent, ``change`` (relative) for the others."""
    kpi = CATALOG.get(kpi_id) if kpi_id else None
    return POINTS if kpi is not None and kpi.unit is Unit.PERCENT else CHANGE


def change_value(kpi_id: str, change) -> float | None:
    """The value a change cell holds for ``kpi_id``: the absolute change of a percent KPI (in fractions,
    0.013 = 1.30 pp), else the relative change; ``change`` is a ``metrics.runners.Change``."""
    if change is None:
        return None
    if change_unit(kpi_id) == POINTS:
        return None if change.absolute is None else float(change.absolute)
    return change.relative


def format_points(value, *, arrow: bool = True) -> str:
    """``▲ 1.30 pp`` / ``▼ 0.56 pp`` / ``0.00 pp`` for an absolute change of a percent (0.013 = 1.30 pp)."""
    if value is None:
        return EMPTY
    points = (Decimal(str(value)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not arrow:
        return f"{abs(points):,.2f} pp"
    if points > 0:
        return f"▲ {points:,.2f} pp"
    if points < 0:
        return f"▼ {abs(points):,.2f} pp"
    return "0.00 pp"


def format_value(value, unit: Unit | str, currency: str | None = "CNY") -> str:
    """One value of a KPI (or a change / points / share / text); ``—`` when undefined."""
    if value is None:
        return EMPTY
    if unit == CHANGE:
        return format_change(value)
    if unit == POINTS:
        return format_points(value)
    if unit == "share":
        unit = Unit.PERCENT
    if unit == "text":
        return str(value)
    return kpi_format_value(value, unit, currency)


def cell_unit(column_unit: str, row: dict, column_kpi: str = "") -> str:
    """The unit of one cell: a column of unit ``kpi`` takes the unit of its row's KPI; a change column
    is in points for a percent KPI (the column's KPI, else its row's)."""
    if column_unit == "kpi":
        return CATALOG[row["_kpi"]].unit.value
    if column_unit == CHANGE:
        return change_unit(column_kpi or row.get("_kpi", ""))
    return column_unit
