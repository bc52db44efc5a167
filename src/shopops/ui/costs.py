"""What a page says next to a figure built on the cost of goods (cogs, gross margin, its rate, product
margin) when the SKU costs behind it are missing or cover only part of what was sold.

``cost_coverage`` (the catalog's KPI: item GMV of lines whose SKU has a cost ÷ item GMV) decides it
(``metrics.catalog.cost_status``): 0 — nothing sold has a cost, the figures are unknown and shown as
"—" (never 0 or a 100 % margin); between 0 and 1 — they are shown with the share they cover.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shopops.metrics.catalog import cost_status
from shopops.ui.formatting import format_percent

__all__ = ["cost_note", "cost_short", "cost_status"]


def cost_short(coverage: float | None) -> str:
    """A tile's few words: "未导入 SKU 成本" / "成本覆盖 62.00% 的商品销售额"; "" when complete or nothing sold."""
    status = cost_status(coverage)
    if status == "missing":
        return _("No SKU costs imported")
    if status == "partial":
        return _("Costs cover %(share)s of item GMV") % {"share": format_percent(coverage)}
    return ""


def cost_note(coverage: float | None) -> str:
    """A sentence for a table or report: why the margin is "—", or how much of it is known; "" otherwise."""
    status = cost_status(coverage)
    if status == "missing":
        return _("No SKU costs imported: cost of goods, gross margin and gross margin rate are unknown (—), "
                 "not 0. Import the SKU list with a cost column on the Data import page to see them.")
    if status == "partial":
        return _("SKU costs cover %(share)s of item GMV: the rest counts no cost, so cost of goods is understated "
                 "and gross margin overstated. Import the missing SKU costs on the Data import page.") % {
            "share": format_percent(coverage)}
    return ""
