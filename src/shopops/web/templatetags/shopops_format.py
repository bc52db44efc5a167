"""How KPI values look on a page: the catalog-aware tags of the web templates.

The number conventions (money in the store's currency, percents, counts, changes) are
:mod:`shopops.ui.formatting`'s; these tags add what a KPI is (its unit, label, source).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import get_language

from shopops.metrics.catalog import CATALOG, Kpi, Unit, cost_dependent, kpi_source_ids, kpi_source_text
from shopops.ui.costs import cost_note, cost_short
from shopops.ui.coverage import coverage_link, coverage_note, coverage_settings, coverage_short, sku_note, sku_short
from shopops.ui.formatting import CURRENCY_SYMBOLS, EMPTY, currency_symbol, format_change, format_value, raw_value

register = template.Library()

# re-exported for templates' helpers and tests: the conventions live in ui.formatting
__all__ = ["CURRENCY_SYMBOLS", "EMPTY", "currency_symbol", "format_change", "format_value", "raw_value"]


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _kpi(kpi: Kpi | str) -> Kpi:
    return CATALOG[kpi] if isinstance(kpi, str) else kpi


@register.simple_tag
def kpi_value(value, kpi: Kpi | str, currency: str | None = "CNY") -> str:
    return format_value(value, _kpi(kpi).unit, currency)


@register.simple_tag
def kpi_label(kpi: Kpi | str) -> str:
    return _kpi(kpi).label(_language())


@register.simple_tag
def kpi_source(kpi: Kpi | str) -> str:
    """Where the KPI's numbers come from (orders, the event stream, the platforms' reports …)."""
    return kpi_source_text(_kpi(kpi).id, _language())


@register.filter
def traffic_sourced(kpi: Kpi | str) -> bool:
    """Whether visitors are behind the KPI: then its tile says which stream they come from."""
    return bool({"events", "traffic", "shop_traffic", "shop_period"} & set(kpi_source_ids(_kpi(kpi).id)))


@register.filter
def percent(value) -> str:
    return format_value(value, "percent")


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


@register.filter
def cost_words(coverage) -> str:
    """A tile's note on the SKU costs behind a margin figure (``ui.costs.cost_short``): "" when complete."""
    return cost_short(coverage)


@register.filter
def cost_sentence(coverage) -> str:
    """The full sentence (``ui.costs.cost_note``): why the margin is "—", or how much of it is known."""
    return cost_note(coverage)


@register.filter
def cost_based(kpi: Kpi | str) -> bool:
    """Built on the cost of goods: None means the SKU costs are missing (``catalog.cost_unknown``)."""
    return cost_dependent(_kpi(kpi).id)


@register.filter
def coverage_words(coverage) -> str:
    """A tile's note on the data behind a figure (traffic or ads: ``ui.coverage.coverage_short``): "" when every
    selected store has them."""
    return coverage_short(coverage or None)


@register.filter
def coverage_sentence(coverage) -> str:
    """The full sentence (``ui.coverage.coverage_note``): why the figure is "—", or which stores it covers."""
    return coverage_note(coverage or None)


@register.filter
def coverage_import(coverage) -> str:
    """The import link's text for that kind of data (``ui.coverage.coverage_link``)."""
    return coverage_link(coverage or None)


@register.filter
def coverage_about_settings(coverage) -> bool:
    """The note is about the store settings (runs no ads; ``ui.coverage.coverage_settings``): it links there."""
    return coverage_settings(coverage or None)


@register.filter
def sku_words(coverage) -> str:
    """A tile's note on the SKU ids behind SKUs sold (``ui.coverage.sku_short``): "" when complete."""
    return sku_short(coverage)


@register.filter
def sku_sentence(coverage) -> str:
    """The full sentence (``ui.coverage.sku_note``): why SKUs sold is "—", or how much of it is known."""
    return sku_note(coverage)
