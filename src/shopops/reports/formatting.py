"""How numbers look in a report: the same conventions as the web pages.

``shopops.web.templatetags.shopops_format`` formats the pages; the reports layer sits
below ``shopops.web`` (import-linter), so it cannot import that module. These functions
print exactly what it prints (money ``¥1,234.50``, percent ``3.21%``, ratio ``3.20``,
count ``12,345``, change ``▲ 12.34%``) and add the report-only units ``share`` and
``change``. If the web functions move below both layers, this module becomes an import.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shopops.metrics.catalog import CATALOG, Unit

CURRENCY_SYMBOLS: dict[str, str] = {
    "CNY": "¥", "HKD": "HK$", "TWD": "NT$", "USD": "US$", "EUR": "€", "GBP": "£", "JPY": "JP¥",
}
EMPTY = "—"
_TWO_PLACES = Decimal("0.01")


def currency_symbol(currency: str | None) -> str:
    if not currency:
        return ""
    return CURRENCY_SYMBOLS.get(currency, f"{currency} ")


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_value(value, unit: Unit | str, currency: str | None = "CNY") -> str:
    """One value of a KPI (or a change / share); ``—`` when undefined."""
    if value is None:
        return EMPTY
    if unit == "change":
        return format_change(value)
    if unit == "share":
        unit = Unit.PERCENT
    if unit == "text":
        return str(value)
    unit = Unit(unit)
    if unit is Unit.MONEY:
        amount = _decimal(value).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
        sign = "-" if amount < 0 else ""
        return f"{sign}{currency_symbol(currency)}{abs(amount):,.2f}"
    if unit is Unit.PERCENT:
        return f"{(_decimal(value) * 100).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP):,.2f}%"
    if unit is Unit.RATIO:
        return f"{_decimal(value).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP):,.2f}"
    return f"{int(value):,}"


def format_change(change: float | None, *, arrow: bool = True) -> str:
    """``▲ 12.34%`` / ``▼ 3.10%`` / ``0.00%`` (``12.34%`` without the arrow); ``—`` when undefined."""
    if change is None:
        return EMPTY
    pct = (_decimal(change) * 100).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
    if not arrow:
        return f"{pct:,.2f}%"
    if pct > 0:
        return f"▲ {pct:,.2f}%"
    if pct < 0:
        return f"▼ {abs(pct):,.2f}%"
    return "0.00%"


def cell_unit(column_unit: str, row: dict) -> str:
    """The unit of one cell: a column of unit ``kpi`` takes the unit of its row's KPI."""
    if column_unit == "kpi":
        return CATALOG[row["_kpi"]].unit.value
    return column_unit
