"""Template filters of the customer pages: numbers in the shared formats (ui.formatting)."""

from __future__ import annotations

from django import template

from shopops.ui.formatting import format_value

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """``¥1,234.50`` with the store currency (no symbol when stores of several currencies are mixed)."""
    return format_value(value, "money", currency or None)


@register.filter
def pct(value) -> str:
    return format_value(value, "percent")


@register.filter
def count(value) -> str:
    return format_value(value, "count")


@register.filter
def ratio(value) -> str:
    return format_value(value, "ratio")


@register.filter
def raw(value) -> str:
    """The exact value for data-value attributes ('' for None)."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def can_use_segments(user) -> bool:
    """``{% if request.user|can_use_segments %}``: show segment links only to roles that may open them."""
    from shopops.customers.permissions import can_use_segments as allowed

    return allowed(user)
