"""Reply templates (话术): ``{variable}`` placeholders filled from a ticket. Pure Python.

Known variables are :data:`VARIABLES`; ``{{`` and ``}}`` write literal braces. Rendering
is one pass (a value containing ``{x}`` is not expanded again), strips control characters
from values, and refuses — naming the variable and its position — an unknown variable, an
unclosed brace or a variable without a value for this ticket. A variable with a :data:`FALLBACKS`
entry is filled from it instead of refused: a ticket without the customer's nickname (made from a
review or a refund: platforms mask buyers' names) addresses the customer as 亲 — the address of
Chinese e-commerce service — in a template written in Chinese, "customer" in any other. The result is plain text:
every page shows it HTML-escaped (Django autoescape), and chat tools receive it as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import get_language, gettext

from shopops.core.errors import ValidationError

VARIABLES: dict[str, tuple[str, str]] = {
    "nickname": ("客户昵称", "customer nickname"),
    "order_id": ("订单号", "order number"),
    "product": ("商品", "product"),
    "coupon_code": ("优惠券码", "coupon code"),
    "store": ("店铺", "store"),
    "agent": ("客服昵称", "agent nickname"),
    "ticket_id": ("工单号", "ticket number"),
}


# the value of a variable a ticket has no value for, in a Chinese template and in any other; a variable not
# here (an order number on a ticket without an order, a coupon code) is refused when it has no value
FALLBACKS: dict[str, tuple[str, str]] = {
    "nickname": ("亲", "customer"),
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def fallback(name: str, body: str) -> str | None:
    """The fallback of ``name`` for a template ``body`` (its Chinese one when the body has Chinese characters)."""
    if name not in FALLBACKS:
        return None
    zh, other = FALLBACKS[name]
    return zh if _HAN.search(body) else other


def variable_label(name: str) -> str:
    """The variable's name for the reader (客户昵称 / customer nickname)."""
    zh, en = VARIABLES[name]
    return zh if (get_language() or "").lower().startswith("zh") else en


_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def template_variables(body: str) -> list[str]:
    """The variables a template uses, in order of first use; raises like :func:`render`."""
    seen: list[str] = []
    for name, _pos in _scan(body):
        if name not in seen:
            seen.append(name)
    return seen


def _scan(body: str):
    for m in _TOKEN.finditer(body):
        text = m.group(0)
        if text in ("{{", "}}"):
            continue
        if m.group(1) is None:  # a lone brace
            raise ValidationError(
                gettext("Template: a lone “%(brace)s” at character %(position)s; write %(double)s for a literal brace.")
                % {"brace": text, "position": m.start() + 1, "double": text * 2})
        name = m.group(1).strip()
        if name not in VARIABLES:
            raise ValidationError(
                gettext("Template: unknown variable {%(name)s} at character %(position)s; known: %(known)s.")
                % {"name": name, "position": m.start() + 1, "known": ", ".join("{" + v + "}" for v in VARIABLES)},
                problems=[{"variable": name, "position": m.start() + 1}])
        yield name, m.start() + 1


def render(body: str, values: Mapping[str, str | None]) -> str:
    """Fill ``body``'s variables from ``values``; a used variable without a value takes its fallback
    (:data:`FALLBACKS`) or is refused."""
    template_variables(body)  # validate everything first: nothing half-rendered

    def fill(m: re.Match) -> str:
        text = m.group(0)
        if text == "{{":
            return "{"
        if text == "}}":
            return "}"
        name = m.group(1).strip()
        value = values.get(name)
        if value is None or str(value) == "":
            value = fallback(name, body)
        if value is None:
            raise ValidationError(
                gettext("Template: the variable {%(name)s} (%(label)s) at character %(position)s has no value here.")
                % {"name": name, "label": variable_label(name), "position": m.start() + 1},
                problems=[{"variable": name, "position": m.start() + 1}])
        return _CONTROL.sub("", str(value))

    return _TOKEN.sub(fill, body)
