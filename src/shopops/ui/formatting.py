"""How numbers look to people: money in the store's currency, percents, ratios, counts, changes.

The conventions themselves live in :mod:`shopops.metrics.formatting` (reports use them
too); pages, tables and exports reach them through here, with the helpers a page needs to
know which currency its stores use.
"""

from __future__ import annotations

from collections.abc import Iterable

from shopops.metrics.formatting import CURRENCY_SYMBOLS, EMPTY, currency_symbol, format_change, format_value

__all__ = [
    "CURRENCY_SYMBOLS", "EMPTY", "currency_symbol", "format_change", "format_money", "format_percent", "format_value",
    "raw_value", "store_currencies", "store_currency",
]


def format_money(value, currency: str | None) -> str:
    """``US$1,234.50`` for a USD store; no symbol when ``currency`` is empty (stores of several currencies)."""
    return format_value(value, "money", currency or None)


def format_percent(value) -> str:
    """``12.34%`` of the ratio ``0.1234``."""
    return format_value(value, "percent")


def raw_value(value) -> str:
    """The exact value for ``data-value`` attributes: Decimal and int as printed, dates ISO, '' for None."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def store_currencies(stores: Iterable, selected: Iterable[str] = ()) -> list[str]:
    """The currencies of the selected stores (all stores when none is selected), sorted."""
    chosen = set(selected)
    return sorted({s.currency for s in stores if not chosen or s.store_id in chosen})


def store_currency(stores: Iterable, selected: Iterable[str] = ()) -> str:
    """The one currency of the selected stores, or "" when they mix currencies (no symbol is then shown)."""
    codes = store_currencies(stores, selected)
    return codes[0] if len(codes) == 1 else ""
