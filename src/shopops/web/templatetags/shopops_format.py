"""How KPI values look on a page: money with the store's currency symbol, percents, counts.

Formatting only: every value arrives computed by the metrics layer. The functions are
plain so tests (and reports later) can call them without a template.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.utils.translation import get_language

from shopops.metrics.catalog import Kpi, Unit

register = template.Library()

CURRENCY_SYMBOLS: dict[str, str] = {
    "CNY": "¥",
    "HKD": "HK$",
    "TWD": "NT$",
    "USD": "US$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "JP¥",
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


def format_change(change: float | None) -> str:
    """``▲ 12.34%`` / ``▼ 3.10%`` / ``0.00%``; ``—`` when there is nothing to compare with."""
    if change is None:
        return EMPTY
    pct = (_decimal(change) * 100).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
    if pct > 0:
        return f"▲ {pct:,.2f}%"
    if pct < 0:
        return f"▼ {abs(pct):,.2f}%"
    return "0.00%"


def raw_value(value) -> str:
    """The exact value for ``data-value`` attributes: Decimal and int as printed, '' for None."""
    return "" if value is None else str(value)


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


@register.simple_tag
def kpi_value(value, kpi: Kpi, currency: str | None = "CNY") -> str:
    return format_value(value, kpi.unit, currency)


@register.simple_tag
def kpi_label(kpi: Kpi) -> str:
    return kpi.label(_language())


@register.simple_tag
def kpi_definition(kpi: Kpi) -> str:
    return kpi.definition(_language())


@register.filter
def change(value: float | None) -> str:
    return format_change(value)


@register.filter
def raw(value) -> str:
    return raw_value(value)


@register.filter
def goodness(is_good: bool | None) -> str:
    """CSS class for a change: ``good`` (green), ``bad`` (red) or ``flat``."""
    if is_good is None:
        return "flat"
    return "good" if is_good else "bad"
