"""The words of a report, in both languages.

A report's language is a property of the report (the user's language when generated on
the web, ``--lang`` on the command line), not of the request that later shows it, so
its words are kept here as (zh-Hans, English) pairs, like the catalog's labels, and
chosen with :func:`text`. The web pages around a report use gettext as usual; words a report
shares with a page (the cockpit's mark of summed targets, the name of the KPI catalog page)
are that page's msgid (:data:`PAGE_WORDS`), translated in the report's language, so the two
never drift apart.
"""

from __future__ import annotations

from shopops.metrics.dimensions import AD_TOOL_LABELS

LANGUAGES = ("zh-hans", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # report kinds
    "weekly": ("周报", "Weekly report"),
    "monthly": ("月报", "Monthly report"),
    "title": ("运营{kind}", "Operations {kind_lower}"),
    # sections
    "overview": ("核心指标概览", "Overview"),
    "stores": ("店铺表现", "Stores"),
    "products": ("商品排行", "Products"),
    "traffic": ("流量与转化", "Traffic and funnel"),
    "ads": ("推广投放", "Ads"),
    "customers": ("客户", "Customers"),
    "notable": ("显著变化", "Notable changes"),
    # tables
    "products_top": ("GMV 前 {n} 商品", "Top {n} products by GMV"),
    "products_bottom": ("GMV 后 {n} 商品", "Bottom {n} products by GMV"),
    "traffic_sources": ("按流量来源", "By traffic source"),
    "funnel": ("转化漏斗(去重访客)", "Funnel (distinct visitors)"),
    "store_funnel": ("平台店铺漏斗(平台店铺日报)", "Platform store funnel (the platforms' store reports)"),
    "ad_tools": ("按推广工具", "By ad tool"),
    "customer_kpis": ("新老客与复购", "New and returning buyers, repurchase"),
    # columns
    "kpi": ("指标", "KPI"),
    "current": ("本期", "This period"),
    "previous": ("上期", "Previous period"),
    "change_previous": ("环比", "vs previous"),
    "last_year": ("去年同期", "Same period last year"),
    "change_last_year": ("同比", "vs last year"),
    "target": ("目标", "Target"),
    "achievement": ("达成率", "Achievement"),
    "target_basis": ("目标来源", "Target basis"),
    "kpi_target": ("{kpi}目标", "{kpi} target"),
    "kpi_achievement": ("{kpi}达成率", "{kpi} achievement"),
    "store": ("店铺", "Store"),
    "platform": ("平台", "Platform"),
    "product": ("商品ID", "Product ID"),
    "product_title": ("商品标题", "Title"),
    "rank": ("排名", "Rank"),
    "traffic_source": ("流量来源", "Traffic source"),
    "ad_tool": ("推广工具", "Ad tool"),
    "step": ("环节", "Step"),
    "visitors": ("访客数", "Visitors"),
    "step_rate": ("环节转化率", "Step conversion"),
    "overall_rate": ("整体转化率", "Overall conversion"),
    # the platform store funnel: each rate says what it is over (the platforms' formulas)
    "people": ("人数", "People"),
    "rate_base": ("对比基数", "Measured against"),
    "rate_vs_base": ("转化率(÷对比基数)", "Rate (÷ measured against)"),
    "overall_rate_visitors": ("整体转化率(÷访客数)", "Overall (÷ visitors)"),
    "store_funnel_note": (
        "按平台口径:加购、收藏、下单人数各除以访客数(加购率、收藏率、下单转化率),不是除以上一行——"
        "买家可以不加购直接下单,下单买家不是加购人数的一部分;支付买家数除以下单买家数(下单-支付转化率)。",
        "The platforms' formulas: add-to-cart, favouriting and ordering are each over the visitors (add-to-cart "
        "rate, favourite rate, order conversion), not over the row above — a buyer may order without adding to "
        "cart, so ordering buyers are not a part of the add-to-cart users; paying buyers are over the ordering "
        "buyers (order-to-pay conversion).",
    ),
    "change": ("变化", "Change"),
    # meta
    "period": ("统计周期", "Period"),
    "compared_with": ("对比周期", "Compared with"),
    "stores_scope": ("店铺范围", "Stores"),
    "all_stores": ("全部店铺", "All stores"),
    "generated_at": ("生成时间", "Generated"),
    "beijing_time": ("北京时间", "Beijing time"),
    "data_as_of": ("数据截至", "Data as of"),
    "currency": ("币种", "Currency"),
    "none": ("本期无数据。", "No data in this period."),
    "no_notable": ("没有显著变化。", "No notable changes."),
    "vs_target_note": (
        "目标为月度目标;达成率 = 实际 ÷ 目标。",
        "Targets are monthly; achievement = actual / target.",
    ),
    "stores_summed_note": (
        "“{stores_summed}”:没有设全部店铺的目标、而每家店铺都设了目标的可相加指标(支付金额、订单数、推广花费等),"
        "目标为各店目标相加(与驾驶舱相同)。",
        "“{stores_summed}”: for a KPI that adds up over stores (GMV, orders, ad spend …) with no all-stores target "
        "and a target for every store, the target is the stores' targets added up (as on the cockpit).",
    ),
    "store_targets_note": (
        "目标为各店铺的月度目标;达成率 = 实际 ÷ 目标。",
        "Targets are each store's monthly targets; achievement = actual / target.",
    ),
    "points_note": (
        "百分比指标(转化率、退款率、复购率等)的变化为百分点差(pp,个百分点),其他指标为相对变化(%)。",
        "Percent KPIs (conversion, refund rate, repurchase rate …) change in percentage points (pp); the others by "
        "their relative change (%).",
    ),
    "vs_previous_note": (
        "尚未设置目标:与上期对比。",
        "No targets set: compared with the previous period.",
    ),
    "missing": ("(空)", "(none)"),
    "no_refund_data": (
        "未导入退款数据:这些店铺从未导入退款(售后)数据,退款金额、退款率、净销售额与毛利为未知(—),不是 0。",
        "No refund data imported: these stores' refunds (售后) were never imported, so refunded amount, refund "
        "rates, net sales and gross margin are unknown (—), not 0.",
    ),
    "refund_partial": (
        "退款数据只覆盖 {stores} 家店铺中的 {covered} 家(占支付金额 {share}):退款金额只合计这些店铺,退款率因此偏低。",
        "Refund data cover {covered} of {stores} stores ({share} of GMV): refunded amount adds only those stores, so "
        "the refund rate reads low.",
    ),
    # the traffic-source table: the orders (paying buyers, GMV) whose export carries no source
    "source_unknown": ("来源未知（订单未带来源）", "Source unknown (orders without a source)"),
    "source_unknown_note": (
        "“来源未知”是没有流量来源的订单:平台的订单导出不带来源,这些支付买家无法归到某个来源;访客人天只来自商品流量报表,"
        "所以这一行没有访客。",
        "“Source unknown” is the orders without a traffic source: the platforms' order exports carry none, so these "
        "paying buyers cannot be placed in a source; visitor-days come only from the product traffic reports, so "
        "this row has no visitors.",
    ),
    "no_ad_data": (
        "未导入推广数据:本期这些店铺没有推广报表,推广花费、投产比、ROI、点击花费等为未知(—),不是 0。",
        "No ad data imported: these stores have no ad report in this period, so ad spend, ROAS, ROI, CPC and the "
        "rest are unknown (—), not 0.",
    ),
    "ad_partial": (
        "推广数据覆盖 {covered}/{stores} 家店铺(占支付金额 {share}):推广花费只合计有推广报表的店铺。",
        "Ad data cover {covered} of {stores} stores ({share} of GMV): ad spend adds only the stores with ad reports.",
    ),
    "runs_no_ads": (
        "这些店铺不投放付费广告(店铺设置):推广花费为 0,投产比、ROI、点击花费等不适用(—)。",
        "These stores run no paid ads (store settings): ad spend is 0; ROAS, ROI, CPC and the rest do not apply (—).",
    ),
    "ads_contradicted": (
        "注意:{stores} 设为不投放付费广告,但本期导入了推广报表:其花费已计入,请核对店铺设置。",
        "Note: {stores} set to run no paid ads, yet ad reports are imported for this period: their spend is "
        "counted; check the store settings.",
    ),
    "visitor_days_note": (
        "平台店铺(天猫、京东、拼多多、抖音)的访客数与支付转化率取自平台店铺日报,多日为每日访客数之和(访客人天),"
        "不是整段去重的访客数;导入与本期完全一致的平台整段报表(生意参谋/京东商智整段导出)后为平台整段数字。",
        "Platform stores' (Tmall, JD, Pinduoduo, Douyin) visitors and conversion come from the platforms' store daily "
        "reports: over several days the sum of the days (visitor-days), not the visitors de-duplicated over the period; "
        "import the platform's period export of exactly this period (生意参谋 / 京东商智) for the platform's figure.",
    ),
    "whole_period_note": (
        "平台店铺的访客数与支付转化率取自平台整段报表(生意参谋/京东商智按本期导出):整段去重,为平台的精确数字;"
        "自有站点取自埋点事件。",
        "Platform stores' visitors and conversion come from the platforms' period export of exactly this period "
        "(生意参谋 / 京东商智): de-duplicated over the period, the platform's exact figures; own-site stores' from "
        "their events.",
    ),
    "traffic_platform_note": (
        "平台店铺按来源为平台商品流量报表的访客人天(来源按通用分组合并);支付买家数取自订单的来源。",
        "Platform stores by source: the product traffic reports' visitor-days (their sources in common groups); paying "
        "buyers from the orders' sources.",
    ),
    "visitor_days_funnel_note": (
        "平台店铺日报之和:多日为人天(访客人天、加购人天…)。",
        "Sums of the platforms' daily store reports: over several days, visitor-days (and cart-adder-days …).",
    ),
    "footer": (
        "每个数字都来自指标目录中的 KPI,口径见 shopops 的「{page}」页(/kpis/)。",
        "Every number is a KPI of the metrics catalog; definitions on shopops' “{page}” page (/kpis/).",
    ),
    "footer_url": (
        "每个数字都来自指标目录中的 KPI,口径见「{page}」页:",
        "Every number is a KPI of the metrics catalog; definitions on the “{page}” page: ",
    ),
    # notable-change sentences
    "rose": ("上升", "rose"),
    "fell": ("下降", "fell"),
    "good": ("表现向好", "good news"),
    "bad": ("需要关注", "needs attention"),
    "sentence_tpl": (
        "{store}的{kpi}较上期{direction} {amount}({base} → {current}),{verdict}。",
        "{kpi} at {store} {direction} {amount} vs the previous period ({base} → {current}): {verdict}.",
    ),
    "points": ("{n} 个百分点", "{n} pp"),
    "same_age_sentence_tpl": (
        "{store}的{kpi}按相同订单账龄(上期计截至 {known_by} 的退款)较上期{direction} {amount}({base} → {current}),{verdict}。",
        "{kpi} at {store} {direction} {amount} vs the previous period at the same order age (its refunds known by "
        "{known_by}) ({base} → {current}): {verdict}.",
    ),
    "immature_note": (
        "退款类指标:本期订单付款不足 {days} 天,退款仍会增加,未成熟;与上期按相同订单账龄对比,下降不计为改善。",
        "Refund KPIs: this period's orders are less than {days} days old and still collect refunds (not mature); "
        "they are compared with the previous period at the same order age, and a fall is not counted as an improvement.",
    ),
    "products_note": (
        "本期有销售的商品 {selling} 个;上期有销售、本期无销售的商品 {stopped} 个。",
        "{selling} products sold this period; {stopped} sold in the previous period but not in this one.",
    ),
}

# words of the app's pages, by their msgid in the project catalog (src/shopops/locale): gettext in the report's
# language gives the page's own translation (keep the msgid as the page spells it)
PAGE_WORDS: dict[str, str] = {
    "stores_summed": "the stores' targets added up",  # web/cockpit.html: a target made of the stores' own
    "kpi_catalog": "KPI catalog",  # web/kpis.html: the title of /kpis/
}

# traffic sources and platforms as the demo and the platform profiles spell them
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "search": ("自然搜索", "Search"),
    "ads": ("付费推广", "Paid ads"),
    "paid": ("付费推广", "Paid ads"),
    "feed": ("推荐/信息流", "Feeds"),
    "recommendation": ("推荐/信息流", "Recommendations"),
    "live": ("直播/短视频", "Livestream / short video"),
    "livestream": ("直播/短视频", "Livestream / short video"),
    "social": ("社交分享", "Social"),
    "direct": ("直接访问", "Direct"),
    "other": ("其他", "Other"),
    "tmall": ("天猫", "Tmall"),
    "taobao": ("淘宝", "Taobao"),
    "jd": ("京东", "JD"),
    "pdd": ("拼多多", "Pinduoduo"),
    "douyin": ("抖音", "Douyin"),
    "own": ("自有商城", "Own store"),
    **AD_TOOL_LABELS,
}


def normalize_language(language: str | None) -> str:
    """``en`` for any English variant, else ``zh-hans`` (the store's default language)."""
    return "en" if (language or "").lower().startswith("en") else "zh-hans"


def text(key: str, language: str, **values: object) -> str:
    if key in PAGE_WORDS:
        from django.utils import translation

        with translation.override(normalize_language(language)):
            return translation.gettext(PAGE_WORDS[key])
    zh, en = TEXTS[key]
    chosen = en if normalize_language(language) == "en" else zh
    return chosen.format(**values) if values else chosen


def value_label(value: str, language: str) -> str:
    """A dimension value as people say it (``search`` → 自然搜索); unknown values as they are."""
    if value == "":
        return text("missing", language)
    pair = VALUE_LABELS.get(value.lower())
    if pair is None:
        return value
    return pair[1] if normalize_language(language) == "en" else pair[0]
