"""Display helpers of the service pages (formatting only)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def time_left(seconds: int | None) -> str:
    """Business seconds left -> "2 h 05 min" / "overdue 1 h 05 min" / "overdue < 1 min" (never "0 min")."""
    if seconds is None:
        return "—"
    s = abs(int(seconds))
    h, m = divmod(s // 60, 60)
    if not h and not m:
        text = _("< 1 min")
    else:
        text = _("%(h)d h %(m)02d min") % {"h": h, "m": m} if h else _("%(m)d min") % {"m": m}
    return _("overdue %(t)s") % {"t": text} if seconds < 0 else text


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def number(value: float | None, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
