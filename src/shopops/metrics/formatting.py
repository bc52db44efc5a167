"""How KPI values are written for people: money with the store's currency symbol,
percents, ratios, counts and changes. One set of conventions for pages, reports and
exports (the web template tags and the report renderers both call these).

Formatting only: every value arrives computed by the metrics layer.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shopops.metrics.catalog import Unit

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
    # str() first: a float ratio becomes the decimal it prints as, not its binary expansion
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_value(value, unit: Unit | str, currency: str | None = "CNY") -> str:
    """``¥1,234,567.89`` (money), ``3.21%`` (percent), ``3.20`` (ratio), ``12,345`` (count); ``—`` when undefined."""
    if value is None:
        return EMPTY
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
