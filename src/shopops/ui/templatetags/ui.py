"""Template tags of the ui layer: ``{% load ui %}``.

Formatting filters (``money:currency``, ``percent``, ``count``, ``ratio``, ``change``,
``raw``) call :mod:`shopops.ui.formatting`; ``get_item`` reads a dict by a variable key;
``store_named`` shows store ids as the stores' names (``{% store_name id %}`` one id per table row); ``export_as`` turns a page's ``?format=xlsx`` export URL into another format's.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.utils.translation import get_language, ngettext

from shopops.metrics.dimensions import store_names
from shopops.ui.formatting import format_change, format_money, format_value, raw_value

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """``US$1,234.50`` in the store's currency (no symbol when stores of several currencies are mixed)."""
    return format_money(value, currency)


@register.filter
def percent(value) -> str:
    return format_value(value, "percent")


@register.filter
def count(value) -> str:
    return format_value(value, "count")


@register.filter
def ratio(value) -> str:
    return format_value(value, "ratio")


@register.filter
def change(value) -> str:
    return format_change(value)


@register.filter
def raw(value) -> str:
    return raw_value(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def export_as(url: str, fmt: str) -> str:
    """The same export URL asking for another format (``xlsx`` → ``csv``): its ``format`` (or ``export``) parameter."""
    if not url:
        return ""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    key = "format" if any(k == "format" for k, _ in pairs) or not any(k == "export" for k, _ in pairs) else "export"
    query = [(k, fmt if k == key else v) for k, v in pairs]
    if not any(k == key for k, _ in query):
        query.append((key, fmt))
    return urlunsplit(parts._replace(query=urlencode(query)))


@register.simple_tag(takes_context=True)
def table_sort(context, table) -> dict:
    """How ``table`` is sorted: its own (``ui.tables.table_page``) or the page's ``sort_links``/``sort``/``descending``.

    ``{"links": {column key: URL}, "key": the sorted column, "descending": bool}``.
    """
    if table.sort_links:
        return {"links": table.sort_links, "key": table.sort, "descending": table.descending}
    return {"links": context.get("sort_links") or {}, "key": context.get("sort") or "",
            "descending": bool(context.get("descending", True))}


@register.filter
def store_named(store_ids, summarise_all: bool = True) -> str:
    """Store ids (one id or several) as the stores' names, listed the page language's way (栖木官方旗舰店、栖木小程序商城
    / "Store A, Store B"), or "all N stores" when they are every store (unless ``summarise_all`` is False: a document
    for someone outside, such as a purchase order); an id without a known name stays the id."""
    ids = [store_ids] if isinstance(store_ids, str) else list(store_ids or ())
    names = store_names() if ids else {}
    if summarise_all and len(ids) > 1 and set(ids) == set(names):  # every store: a list of five long names says less than this
        return ngettext("All %(count)d store", "All %(count)d stores", len(ids)) % {"count": len(ids)}
    return ("、" if (get_language() or settings.LANGUAGE_CODE).startswith("zh") else ", ").join(names.get(i, i) for i in ids)


@register.simple_tag(takes_context=True)
def store_name(context, store_id) -> str:
    """One store's name (its id when it has none) for a row of a long table: the names are read once per
    template render, not once per row as :func:`store_named` does."""
    names = context.render_context.get("shopops_store_names")
    if names is None:
        names = context.render_context["shopops_store_names"] = store_names()
    return names.get(store_id, store_id)
