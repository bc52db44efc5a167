"""Template filters of the campaign pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from shopops.core.roles import ROLE_LABELS, Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """A role's label in the page's language ("" for no role)."""
    try:
        zh, en = ROLE_LABELS[Role(value)]
    except ValueError:
        return ""
    return en if (get_language() or "").startswith("en") else zh
