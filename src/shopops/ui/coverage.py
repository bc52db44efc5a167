"""What a page says next to a figure built on traffic data (visitors, conversion rate, UV value …), on the
ad tools' reports (ad spend, ROAS, CPC …) or on SKU ids (SKUs sold, the SKU sales rate) when the data behind
it are missing or cover only part of the selection — the same pattern as the cost of goods (:mod:`shopops.ui.costs`).

* traffic: ``metrics.runners.traffic_coverage`` says how many of the selected stores have traffic data
  (an event or a platform daily report row) in the period: none — the figures are unknown and shown as
  "—" (not 0 visitors, not a rate computed from 0); some — shown with the stores and the GMV they cover;
* ads: ``metrics.runners.ad_coverage`` says the same of the ad tools' plan reports; a store the team declared to
  run no paid ads (不投放付费广告, the store settings) has a known ¥0 spend — "runs no ads", never "data missing" —
  and one so declared that has ad reports anyway is shown with them and a warning that the setting contradicts them;
* refunds: ``metrics.runners.refund_coverage`` says which stores have refund data (a refund row ever, any status:
  their refunds export was imported): none — refunded amount, refund rates, net sales and gross margin are unknown
  ("—", not 0.00 %); some — shown with the stores and the GMV they cover; a covered store's 0 is a real 0;
* SKUs: the catalog's ``sku_coverage`` (item GMV on lines with a SKU id ÷ item GMV): 0 — unknown;
  between 0 and 1 — shown with the share.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shopops.metrics.catalog import data_status
from shopops.metrics.runners import StoreCoverage
from shopops.ui.formatting import format_money, format_percent

__all__ = ["coverage_link", "coverage_note", "coverage_settings", "coverage_short", "item_gmv_gap_note", "sku_note",
           "sku_short", "sku_status"]


def _stores_part(cov: StoreCoverage) -> str:
    stores = ngettext("%(covered)s of %(total)s store", "%(covered)s of %(total)s stores", cov.stores) % {
        "covered": cov.known, "total": cov.stores}
    if cov.gmv_share is None:
        return stores
    return _("%(stores)s, %(share)s of GMV") % {"stores": stores, "share": format_percent(cov.gmv_share)}


def _said(status: str | None, missing: Callable[[], str], partial: Callable[[], str]) -> str:
    """The words for a figure's data status: ``missing()`` (the data are not there: the figure is "—"),
    ``partial()`` (they cover part of it), "" otherwise (complete, or nothing to cover)."""
    return missing() if status == "missing" else partial() if status == "partial" else ""


# the words for each kind of data (:class:`~shopops.metrics.runners.StoreCoverage`.kind), said in the reader's
# language when called: (a tile's few words when missing, when partial; the sentence when missing, when partial;
# the import link's text)
_WORDS: dict[str, tuple[Callable[[], str], ...]] = {
    "traffic": (
        lambda: _("No traffic data imported"),
        lambda: _("Traffic data cover %(part)s"),
        lambda: _("No traffic data imported for these stores in this period: visitors and the KPIs computed from "
                  "them (conversion rate, UV value, add-to-cart and favourite rates) are unknown (—), not 0. Import "
                  "the platform's traffic report or the site's events on the Data import page to see them."),
        lambda: _("Traffic data cover %(part)s: visitors count only the stores with traffic data, while conversion "
                  "rate and UV value count the buyers and GMV of every store, so they read high. Import the missing "
                  "traffic reports on the Data import page."),
        lambda: _("Import traffic data"),
    ),
    "ads": (
        lambda: _("No ad data imported"),
        lambda: _("Ad data cover %(part)s"),
        lambda: _("No ad data imported for these stores in this period: ad spend and the KPIs computed from it "
                  "(ROAS, ROI, CPC, CPM, ad spend ratio) are unknown (—), not 0. Import the ad tools' plan reports "
                  "on the Data import page to see them."),
        lambda: _("Ad data cover %(part)s: ad spend adds only the stores with ad reports, while the ad spend ratio "
                  "divides it by the GMV of every store, so it reads low. Import the missing ad reports on the Data "
                  "import page."),
        lambda: _("Import ad data"),
    ),
    "refunds": (
        lambda: _("No refund data imported"),
        lambda: _("Refund data cover %(part)s"),
        lambda: _("No refund data imported for these stores: the refunded amount and the KPIs computed from it "
                  "(refund rates, net sales, gross margin) are unknown (—), not 0. Import the platform's refunds "
                  "(售后) export on the Data import page to see them."),
        lambda: _("Refund data cover %(part)s: the refunded amount adds only the stores with refund data, while "
                  "the refund rate divides it by the GMV of every store, so it reads low, and net sales count the "
                  "other stores' GMV as not refunded. Import the missing refunds exports on the Data import page."),
        lambda: _("Import refund data"),
    ),
}


# ads of stores declared to run no paid ads (the store settings): (a tile's few words, the sentence) when every
# store of the selection is such a store without ad reports; the same when some declared stores have ad reports
_NO_ADS: tuple[Callable[[], str], ...] = (
    lambda: _("Runs no paid ads"),
    lambda: _("These stores run no paid ads (store settings): ad spend is 0, and ROAS, ROI, CPC and CPM do not "
              "apply (—)."),
)
_CONTRADICTED: tuple[Callable[[], str], ...] = (
    lambda: _("Ad data for a store set to run no ads: %(stores)s"),
    lambda: _("%(stores)s set to run no paid ads, yet ad reports are imported for this period: their spend is "
              "counted. Check the store settings."),
)


def _coverage_words(cov: StoreCoverage | None, missing: int) -> str:
    if cov is None:
        return ""
    words = _WORDS[cov.kind]
    said = (_NO_ADS[missing // 2]() if cov.status == "no_ads" else
            _said(cov.status, words[missing], lambda: words[missing + 1]() % {"part": _stores_part(cov)}))
    if cov.contradicted:  # never hidden: the spend is shown, and the setting questioned
        warning = _CONTRADICTED[missing // 2]() % {"stores": "、".join(cov.contradicted)}
        said = f"{said} · {warning}" if said else warning
    return said


def coverage_short(cov: StoreCoverage | None) -> str:
    """A tile's few words: "未导入流量数据" / "推广数据覆盖 2 家店铺中的 1 家,占支付金额 80.00%" / "不投放付费广告";
    "" when complete."""
    return _coverage_words(cov, 0)


def coverage_note(cov: StoreCoverage | None) -> str:
    """A sentence for a table or a tile's title: why the figures are "—" (unknown, or not applicable to stores
    that run no ads), or how much of them is known."""
    return _coverage_words(cov, 2)


def coverage_link(cov: StoreCoverage | None) -> str:
    """The text of the link to the import page: "导入流量数据" / "导入推广数据" ("" when nothing is to import)."""
    return _WORDS[cov.kind][4]() if cov is not None and cov.status in ("missing", "partial") else ""


def coverage_settings(cov: StoreCoverage | None) -> bool:
    """The note is about the store settings (a store runs no ads, or the setting contradicts the ad reports): it
    links to them."""
    return cov is not None and (cov.status == "no_ads" or bool(cov.contradicted))


def sku_status(coverage: float | None) -> str | None:
    """"missing" (no order line sold carries a SKU id: SKUs sold is unknown), "partial" or None."""
    return data_status(coverage)


def sku_short(coverage: float | None) -> str:
    """A tile's few words: "订单行没有 SKU 编号" / "SKU 编号覆盖 62.00% 的商品销售额"; "" when complete."""
    return _said(sku_status(coverage), lambda: _("Order lines carry no SKU id"),
                 lambda: _("SKU ids cover %(share)s of item GMV") % {"share": format_percent(coverage)})


def sku_note(coverage: float | None) -> str:
    """A sentence for a table or a tile's title: why SKUs sold is "—", or how much of it is known."""
    return _said(
        sku_status(coverage),
        lambda: _("The order lines sold carry no SKU id (the sales export has product codes only): SKUs sold and "
                  "the SKU sales rate are unknown (—), not 0. Import orders with a SKU column to see them."),
        lambda: _("SKU ids cover %(share)s of item GMV: SKUs sold counts only the lines that carry one, so it "
                  "reads low.") % {"share": format_percent(coverage)})


def item_gmv_gap_note(item_gmv, gmv, difference, *, currency: str | None) -> str:
    """Why a page's item GMV (商品支付金额) is not its GMV (``metrics.products.item_gmv_gap``): above it, the lines'
    price × quantity before the order-level discounts (the export gives no per-line paid amount); below it,
    paid orders without lines."""
    values = {"item": format_money(item_gmv, currency), "gmv": format_money(gmv, currency),
              "difference": format_money(abs(difference), currency)}
    if difference > 0:
        return _("Item GMV (%(item)s) is %(difference)s above GMV (%(gmv)s): the order exports give no paid amount "
                 "per line, so a line counts its price × quantity before the order-level discounts (store coupons, "
                 "满减), which are not split over the lines. By product and category the amounts read high by "
                 "their share of those discounts; the store's total is GMV.") % values
    return _("Item GMV (%(item)s) is %(difference)s below GMV (%(gmv)s): some paid orders have no order lines "
             "imported (import the platform's item report).") % values
