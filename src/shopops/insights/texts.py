"""Sentences about findings and evidence, in the active language (pages, brief, messages).

Numbers are formatted here once, so the page, the 晨报 and the robot messages say the same.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext as _, ngettext

from shopops.metrics.catalog import CATALOG, Unit

SOURCE_LABELS = {
    "search": ("自然搜索", "Search"), "ads": ("付费推广", "Paid ads"), "feed": ("推荐流", "Feeds"),
    "live": ("直播/短视频", "Live & short video"), "social": ("社交", "Social"), "direct": ("直接访问", "Direct"),
    "other": ("其他", "Other"), "": ("未知", "Unknown"),
}
PRODUCT_KPI_LABELS = {"visitors": ("商品访客数", "Product visitors"), "conversion_rate": ("商品转化率", "Product conversion"),
                      "aov": ("每买家成交额", "Item GMV per buyer")}


def _zh() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def kpi_label(kpi: str, product: bool = False) -> str:
    if product and kpi in PRODUCT_KPI_LABELS:
        zh, en = PRODUCT_KPI_LABELS[kpi]
        return zh if _zh() else en
    k = CATALOG.get(kpi)
    if k is None:
        return kpi
    return k.label_zh if _zh() else k.label_en


def source_label(source: str) -> str:
    zh, en = SOURCE_LABELS.get(source, (source, source))
    return zh if _zh() else en


def fmt_value(kpi: str, value: float | None) -> str:
    if value is None:
        return "—"
    k = CATALOG.get(kpi)
    unit = k.unit if k else Unit.COUNT
    if unit is Unit.MONEY:
        return f"¥{value:,.2f}"
    if unit is Unit.PERCENT:
        return f"{value * 100:.2f}%"
    if unit is Unit.RATIO:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def fmt_pct(x: float) -> str:
    return f"{x * 100:+.1f}%"


def band_text(kpi: str, low: float, high: float) -> str:
    return f"{fmt_value(kpi, max(low, 0.0))} – {fmt_value(kpi, high)}"


def expected_text(kpi: str, expected: float | None, low: float, high: float) -> str:
    """The expected value first, its range after: a small product's range often starts at 0, and "0 – 15"
    alone reads as "the tool knows nothing"; "6 (range 0 – 15)" says what was expected and how noisy it is."""
    if expected is None:
        return band_text(kpi, low, high)
    return _("%(expected)s (range %(band)s)") % {"expected": fmt_value(kpi, expected), "band": band_text(kpi, low, high)}


def headline(*, store_name: str, kpi: str, product_title: str, actual: float, low: float, high: float,
             window: int = 1, expected: float | None = None) -> str:
    label = kpi_label(kpi, bool(product_title))
    subject = f"{store_name} · {product_title}" if product_title else store_name
    band = expected_text(kpi, expected, low, high)
    if window == 2:
        text = _("%(subject)s: %(kpi)s %(actual)s over the last two days (expected %(band)s)") % {
            "subject": subject, "kpi": label, "actual": fmt_value(kpi, actual), "band": band}
    else:
        text = _("%(subject)s: %(kpi)s %(actual)s (expected %(band)s)") % {
            "subject": subject, "kpi": label, "actual": fmt_value(kpi, actual), "band": band}
    if low <= actual <= high:
        # a product with evidence (a 差评 wave, a price rise, a stock at 0) is raised on a smaller fall than the
        # band's (insights.crosscheck ``evidence_z``): say so, or "6, expected 12 (range 0 – 25)" reads as a false alarm
        text += _(" — inside its usual range; raised because of the evidence with it")
    return text


def cause_label(kind: str) -> str:
    return {
        "price_change": _("Price change"), "bad_reviews": _("New bad reviews"),
        "competitor_price": _("Competitor price cut"), "stock_out": _("Stock-out / low cover"),
        "ad_spend": _("Ad spend cut"), "tracking_gap": _("Tracking gap"),
        "traffic_source": _("Traffic source shift"), "promotion": _("Promotion started or ended"),
    }.get(kind, kind)


def evidence_text(e: dict) -> str:
    """One sentence for an evidence item (``Evidence.as_dict()``)."""
    f = e.get("facts", {})
    subject = e.get("subject") or e.get("product_id") or ""
    kind = e["kind"]
    if kind == "price_change":
        return _("%(subject)s: average paid price %(before)s → %(after)s (%(change)s)") % {
            "subject": subject, "before": f"¥{f['before']:,.2f}", "after": f"¥{f['after']:,.2f}",
            "change": fmt_pct(f["change"])}
    if kind == "bad_reviews":
        topics = "、".join(f"{t}×{n}" for t, n in (f.get("topics") or {}).items()) or "—"
        return ngettext("%(subject)s: %(count)s bad review (1–2 stars) in the last %(days)s days, usually %(usual)s; topics: %(topics)s",
                        "%(subject)s: %(count)s bad reviews (1–2 stars) in the last %(days)s days, usually %(usual)s; topics: %(topics)s",
                        int(f["count"])) % {
            "subject": subject, "count": f["count"], "days": f.get("days", 4), "usual": f["usual"], "topics": topics}
    if kind == "competitor_price":
        promo = f" ({f['promo']})" if f.get("promo") else ""
        return _("%(competitor)s cut the price of its matching item to %(after)s from %(before)s (%(change)s)%(promo)s — vs %(subject)s") % {
            "competitor": f.get("competitor", ""), "after": f"¥{f['after']:,.2f}", "before": f"¥{f['before']:,.2f}",
            "change": fmt_pct(f["change"]), "promo": promo, "subject": subject}
    if kind == "stock_out":
        if f.get("on_hand", 0) <= 0:
            return _("%(subject)s: out of stock (0 on hand on %(date)s)") % {"subject": subject, "date": f.get("date", "")}
        return _("%(subject)s: %(on_hand)s on hand on %(date)s, %(cover)s days of cover") % {
            "subject": subject, "on_hand": f["on_hand"], "date": f.get("date", ""), "cover": f.get("days_of_cover")}
    if kind == "ad_spend":
        return _("Ad spend %(after)s vs %(before)s on a usual day (%(change)s)") % {
            "after": f"¥{f['after']:,.2f}", "before": f"¥{f['before']:,.2f}", "change": fmt_pct(f["change"])}
    if kind == "tracking_gap":
        return _("Tracked visitors per visitor in the platform report: %(before)s → %(after)s (%(change)s); events are missing while orders and the platform report are there") % {
            "change": fmt_pct(f["change"]), "before": f"{f['before']:.2f}", "after": f"{f['after']:.2f}"}
    if kind == "promotion":
        if f.get("event") == "ended":
            return _("Promotion “%(name)s” ended on %(date)s") % {"name": f.get("name", ""), "date": f.get("date", "")}
        return _("Promotion “%(name)s” started on %(date)s") % {"name": f.get("name", ""), "date": f.get("date", "")}
    if kind == "traffic_source":
        return _("Visitors from %(source)s: %(after)s vs %(before)s on a usual day (%(change)s)") % {
            "source": source_label(f.get("source", "")), "after": f"{f['after']:,.0f}", "before": f"{f['before']:,.0f}",
            "change": fmt_pct(f["change"])}
    return kind
