"""Analysis pages: traffic & funnel, products, stores, ads, customers, targets.

Each view is a :func:`shopops.ui.pages.ui_page` (period, stores, drill-down filters, sort,
``format=xlsx|csv``): it calls metrics runners and hands their rows to the one table shape
(:mod:`shopops.ui.tables`) that the template renders, the chart plots and the export
(:mod:`shopops.ui.exports`) writes. No KPI is computed here: every number is a runner's value for a catalog KPI.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext, pgettext

from shopops.core.periods import Grain, Period, business_today, month_period
from shopops.core.roles import Module
from shopops.metrics.catalog import (
    CATALOG, ad_dependent, cost_dependent, cost_status, data_status, kpi_dimensions, refund_dependent, sku_dependent,
    traffic_dependent, traffic_sources,
)
from shopops.metrics.channels import (
    has_event_stream,
    is_whole_period_kpi,
    source_group,
    source_word_text,
    source_words,
    visitor_kpis,
)
from shopops.metrics.period_reports import whole_period_reported
from shopops.metrics.cockpit import COCKPIT_KPIS, reference_today
from shopops.metrics.customer_overview import (
    CUSTOMER_KPIS, DAILY_KPIS, cohort_period, cohort_query, daily_query, tiles_query,
)
from shopops.metrics.dimensions import ad_plan_names, ad_tool_label, platform_label, product_titles, store_list
from shopops.metrics.products import (
    item_gmv_gap,
    PRODUCT_RATIO_PARTS, price_history, product_style_codes, product_visitors_from_reports, sku_breakdown, style_rollup,
)
from shopops.metrics.runners import (
    ad_coverage, cost_coverage, refund_coverage, run_query, sku_coverage, traffic_coverage,
)
from shopops.metrics.runners.comparison import PREVIOUS, ComparisonQuery
from shopops.metrics.runners.funnel import (
    ALL,
    EVENT_STEPS,
    STORE_STEPS,
    TRAFFIC_STEPS,
    FunnelQuery,
    StoreFunnelQuery,
    TrafficFunnelQuery,
)
from shopops.metrics.runners.kpis import KpiQuery
from shopops.metrics.runners.targets import TargetQuery
from shopops.metrics.selectors import target_specs
from shopops.metrics.services import target_set
from shopops.metrics.sources import today_in_period
from shopops.metrics.sources import BUCKET, Filter
from shopops.web.access import visible_kpis
from shopops.ui.costs import cost_note
from shopops.ui.coverage import coverage_note, item_gmv_gap_note
from shopops.ui.pages import BadRequest, Page, language, module_required, ui_page, user_can_use
from shopops.ui.tables import Column, DataTable, Row, chart_from_table, kpi_column, series_empty_text, table_page
from shopops.web.analysis.forms import AnalysisFilterForm, MonthForm, TargetForm

# Glossary names of the traffic sources (流量来源) and the ad tools; ids are the warehouse's.
SOURCE_LABELS = {
    "search": gettext_lazy("Search"),
    "ads": gettext_lazy("Paid ads"),
    "feed": gettext_lazy("Feeds & recommendations"),
    "live": gettext_lazy("Livestream & short video"),
    "social": gettext_lazy("Social"),
    "direct": gettext_lazy("Direct"),
    "other": gettext_lazy("Other"),
    "": gettext_lazy("(not recorded)"),
    "all": gettext_lazy("All sources"),  # a platform report without a source split (生意参谋 商品排行)
}

TRAFFIC_KPIS = ("visitors", "page_views", "add_to_cart_users", "paying_buyers", "conversion_rate")
# tiles in each channel's 口径 (metrics.channels.visitor_kpis): events for own-site stores, the
# platform's store report for platform stores; page views and bounce only exist in events
TRAFFIC_TILES = ("visitors", "add_to_cart_users", "paying_buyers", "conversion_rate", "uv_value", "add_to_cart_rate")
EVENT_ONLY_TILES = ("page_views", "bounce_rate")
# by source, where platform stores are among the selected ones: their product traffic reports
# (visitor-days) and the orders' sources
PLATFORM_SOURCE_KPIS = ("visitor_days", "paying_buyers", "gmv")
# What the catalog can break down by product_id (conversion, refunds and margin cannot yet).
PRODUCT_KPIS = (
    "item_gmv", "units_sold", "avg_unit_price", "cogs", "item_margin", "item_buyers", "visitors",
    "item_conversion_rate", "add_to_cart_users", "closing_on_hand", "days_of_inventory", "review_count", "positive_rate",
)
# the parts of the ratios, queried too so that a style (the same goods in every store) adds up; visitor_days:
# a platform store's product visitors (its product traffic report), metrics.products.product_visitors_from_reports
PRODUCT_PARTS = ("stock_unit_days", "positive_reviews", "rated_reviews", "visitor_days")
# a platform store's product page: visitors from its product traffic report (visitor-days over several days);
# no add-to-cart users or event conversion by product (no event stream)
PLATFORM_PRODUCT_KPIS = tuple("visitor_days" if k == "visitors" else k for k in PRODUCT_KPIS
                              if k not in ("item_conversion_rate", "add_to_cart_users"))
PRODUCT_TREND = (("item_gmv", "bar", 0), ("units_sold", "line", 1), ("visitors", "line", 1))
PRODUCTS_PER_PAGE = 50
AD_KPIS = ("ad_spend", "impressions", "clicks", "ctr", "cpc", "cpm", "ad_cart_adds", "ad_cost_per_cart_add", "ad_orders",
           "ad_cost_per_order", "ad_gmv", "roas", "roi")
PLANS_PER_PAGE = 50
AD_TILES = ("ad_spend", "ad_gmv", "ad_orders", "roas", "roi", "ctr", "cpc", "ad_cost_per_cart_add", "ad_cost_per_order")
# the whole store's GMV is the base: only without a tool or plan filter
AD_STORE_TILES = ("ad_spend_ratio",)
# The attribution window (归因周期) of each tool's default plan report, as downloaded; set
# SHOPOPS_AD_ATTRIBUTION_WINDOWS when your exports use another one.
AD_ATTRIBUTION_WINDOWS = {"ztc": 15, "ylmf": 15, "wxt": 15, "jzt": 15, "ddss": 1, "jlqc": 1}


# ---------------------------------------------------------------------------
# shared pieces
# ---------------------------------------------------------------------------
def _tiles(page: Page, kpis: tuple[str, ...], filters: tuple[Filter, ...] = ()) -> list[dict]:
    kpis = visible_kpis(page.request.user, kpis)
    result = run_query(tiles_query(kpis, page.period, stores=page.selected, filters=filters))
    # visitors of stores without traffic data, ad spend of stores without ad reports and SKUs sold without SKU
    # ids are unknown (—): say why, or how much is known (a filter below the store, e.g. a traffic source or an
    # ad tool, keeps a real 0: catalog docs); page views: only the stores with events count
    by_sources: dict[frozenset[str], object] = {}
    for k in kpis:
        if not filters and traffic_dependent(k) and traffic_sources(k) not in by_sources:
            by_sources[traffic_sources(k)] = traffic_coverage(page.period, stores=page.selected, sources=traffic_sources(k))
    ads = ad_coverage(page.period, stores=page.selected) if not filters and any(ad_dependent(k) for k in kpis) else None
    refunds = refund_coverage(page.period, stores=page.selected) if any(refund_dependent(k) for k in kpis) else None
    skus = sku_coverage(page.period, stores=page.selected, filters=filters) if any(sku_dependent(k) for k in kpis) else None
    tiles = []
    for kid in kpis:
        row = result.row(kid)
        change = row.changes[PREVIOUS]
        previous, relative, good = change.base, change.relative, row.is_good
        if is_whole_period_kpi(kid) and not previous:  # the previous period has no period export: no comparison
            previous = relative = good = None
        tiles.append({"kpi": CATALOG[kid], "value": row.current, "previous": previous,
                      "change": relative, "is_good": good, "immature": row.immature,
                      "same_age_known_by": row.same_age_known_by, "whole_period": is_whole_period_kpi(kid),
                      "coverages": tuple(c for c in (by_sources.get(traffic_sources(kid)),
                                                     ads if ad_dependent(kid) else None,
                                                     refunds if refund_dependent(kid) else None)
                                        if c is not None and c.said),
                      "sku_coverage": skus if sku_dependent(kid) else None,
                      "sku_status": data_status(skus) if sku_dependent(kid) else None})
    return tiles


def _day_table(page: Page, table_id: str, title, rows: list[dict], kpis, *, name=None, args=()) -> DataTable:
    lang = language()
    return DataTable(
        table_id, title,
        [Column(BUCKET, _("Date")), *(kpi_column(k, lang) for k in kpis)],
        [Row({BUCKET: r[BUCKET], **{k: r[k] for k in kpis}}, link=page.day_url(r[BUCKET], name, args),
             header=r[BUCKET].isoformat()) for r in rows],
        currency=page.currency,
    )


def source_label(value: str) -> str:
    return str(SOURCE_LABELS.get(value, value))


def tool_label(value: str) -> str:
    """The ad tool's name as every page shows it (the 复盘 and the live page too): 直通车 / Zhitongche (search ads)."""
    return ad_tool_label(value, language()) if value else str(SOURCE_LABELS[""])


# ---------------------------------------------------------------------------
# 1. traffic & funnel
# ---------------------------------------------------------------------------
def _channels(page: Page) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(platforms, own-site store ids, platform store ids) of the selected stores (all when none is)."""
    chosen = set(page.selected) or {s.store_id for s in page.stores}
    stores = [s for s in page.stores if s.store_id in chosen]
    return (tuple(sorted({s.platform for s in stores})),
            tuple(s.store_id for s in stores if has_event_stream(s.platform)),
            tuple(s.store_id for s in stores if not has_event_stream(s.platform)))


def _source_namer(platforms: tuple[str, ...], lang: str):
    """Traffic-source names: one platform shown -> its report's words with the group; else the groups."""
    def name(value: str) -> str:
        if source_group(None, value) != value and value not in ("", "all"):  # a platform's own word in the data
            return source_word_text(value, lang).split(" (")[0]
        words = source_words(platforms[0], value) if len(platforms) == 1 else []
        if not words:
            return source_label(value)
        first = source_word_text(words[0], lang).split(" (")[0]  # short on a chart axis: Zhitongche, not …(search ads)
        if len(words) == 1:
            return first
        return f"{first} etc." if lang.startswith("en") else f"{first}等"
    return name


def _source_groups(rows: list[dict], kpis: tuple[str, ...]) -> list[dict]:
    """Rows by traffic source across platforms: each platform's own words (手淘搜索, 京东搜索 …, as
    imported reports carry them) added into their common group (search …). Only for the platform
    source KPIs, which add up: visitor-days are sums already, and the words occur only in the
    platforms' traffic reports, never on orders (whose sources are the common groups)."""
    assert set(kpis) <= set(PLATFORM_SOURCE_KPIS), kpis
    grouped: dict[str, dict] = {}
    for r in rows:
        group = source_group(None, r["traffic_source"]) if r["traffic_source"] != "all" else "all"
        into = grouped.setdefault(group, {"traffic_source": group, **{k: 0 for k in kpis}})
        for k in kpis:
            into[k] = into[k] + (r[k] or 0)
    return [grouped[g] for g in sorted(grouped)]


@ui_page(Module.TRAFFIC, "web/analysis/traffic.html", form=AnalysisFilterForm,
               tables=("sources", "daily", "funnel", "funnel_sources", "store_funnel", "traffic_funnel"))
def traffic(page: Page) -> dict[str, DataTable]:
    lang = language()
    source = page.data.get("source") or ""
    only_source = page.kpi_filter("traffic_source", "source")
    platforms, own_stores, platform_stores = _channels(page)
    name_source = _source_namer(platforms, lang)
    ctx = page.context
    several_days = bool(platform_stores) and page.period is not None and page.period.days > 1
    # the period is exactly an imported period export of every platform store: its exact figures, not visitor-days
    whole = several_days and not only_source and whole_period_reported(page.period, platform_stores)
    ctx.update(source=source, source_label=name_source(source) if source else "", all_sources_url=page.url(source=None),
               own_stores=own_stores, platform_stores=platform_stores,
               platform_words=len(platforms) == 1 and bool(platform_stores),
               visitor_days=several_days and not whole, whole_period=whole)
    # paying buyers in the platform's 口径 when only platform stores are shown (the report's, beside its visitors)
    day_ids = visitor_kpis(TRAFFIC_TILES + (EVENT_ONLY_TILES if not platform_stores else ()), platforms)
    if not own_stores:
        day_ids = tuple("report_buyers" if k == "paying_buyers" else k for k in day_ids)
    tile_ids = visitor_kpis(day_ids, platforms, whole_period=whole)
    if only_source:  # a source filter: only the KPIs that know the source (the reports' visitor-days for platforms)
        tile_ids = tuple(k for k in tile_ids if "traffic_source" in kpi_dimensions(k))
        if platform_stores:
            tile_ids = ("visitor_days", *tile_ids)
    out: dict[str, DataTable] = {}
    if page.is_html:
        ctx["tiles"] = _tiles(page, tile_ids, only_source)

    source_kpis = TRAFFIC_KPIS if not platform_stores else PLATFORM_SOURCE_KPIS
    # by day the platform's daily reports are exact (a period figure has no days)
    daily_kpis = tuple(k for k in (day_ids if not only_source else tile_ids) if k not in EVENT_ONLY_TILES)
    if page.wants("sources"):
        by_source = run_query(KpiQuery(source_kpis, page.period, by=("traffic_source",), stores=page.selected))
        source_rows = by_source.rows
        if platform_stores and len(platforms) > 1:
            source_rows = _source_groups(source_rows, source_kpis)
        # own-site stores without any event in the period: visitors by source are unknown, not 0
        traffic = None if platform_stores or only_source else traffic_coverage(page.period, stores=page.selected)
        unknown = coverage_note(traffic) if traffic is not None and traffic.status == "missing" else ""
        if unknown:
            source_rows = [{**r, **{k: None for k in source_kpis if traffic_dependent(k)}} for r in source_rows]
        out["sources"] = DataTable(
            "sources", _("By traffic source"),
            [Column("traffic_source", _("Traffic source")), *(kpi_column(k, lang) for k in source_kpis)],
            [Row({"traffic_source": r["traffic_source"], **{k: r[k] for k in source_kpis}},
                 link=page.url(source=r["traffic_source"]),
                 header=name_source(r["traffic_source"]) if r["traffic_source"] or not platform_stores
                 else _("Source unknown (orders without a source)"))
             for r in source_rows],
            currency=page.currency,
            note=" ".join(n for n in ((_("In the words of the platform's report; across platforms the common groups.")
                  if len(platforms) == 1 and platform_stores else
                  _("Platform stores: the product traffic reports (visitor-days) and the orders' sources."
                    ) if platform_stores else unknown),
                _("“Source unknown” is the orders without a traffic source: the platforms' order exports carry "
                  "none, so these paying buyers cannot be placed in a source, and the product traffic reports give "
                  "them no visitors.") if platform_stores and any(not r["traffic_source"] for r in source_rows)
                else "") if n),
        )
        ctx["sources_chart"] = chart_from_table(out["sources"], series=[
            (source_kpis[0], "bar", 0), ("conversion_rate" if not platform_stores else "paying_buyers", "line", 1)])

    if page.wants("daily"):
        daily = run_query(KpiQuery(daily_kpis, page.period, grain=Grain.DAY, stores=page.selected, filters=only_source))
        out["daily"] = _day_table(page, "daily", _("Daily trend"), daily.rows, daily_kpis)
        rate = next((k for k in daily_kpis if CATALOG[k].unit == "percent"), daily_kpis[-1])
        ctx["daily_chart"] = chart_from_table(out["daily"], series=[(daily_kpis[0], "bar", 0), (rate, "line", 1)],
                                              kind="day")

    funnel_columns = [
        Column("step", _("Step")),
        Column("visitors", _("Visitors reaching the step"), unit="count"),
        Column("step_rate", _("Step conversion"), unit="percent"),
        Column("overall_rate", _("Overall conversion"), unit="percent"),
        Column("dropped", _("Lost at the step"), unit="count"),
        Column("drop_rate", _("Drop-off rate"), unit="percent"),
    ]

    def funnel_row(r, label) -> Row:
        return Row({"step": r.step, "visitors": r.visitors, "step_rate": r.step_rate, "overall_rate": r.overall_rate,
                    "dropped": r.dropped, "drop_rate": r.drop_rate}, header=label)

    # the event funnel only where the store has an event stream (own site / mini-program)
    by_source_funnel = None
    if own_stores and (page.wants("funnel_sources") or (page.wants("funnel") and source)):
        by_source_funnel = run_query(FunnelQuery(page.period, stores=own_stores, by_traffic_source=True))
    if own_stores and page.wants("funnel"):
        if source:
            steps = by_source_funnel.steps(source)
        else:
            steps = run_query(FunnelQuery(page.period, stores=own_stores)).steps(ALL)
        step_labels = {s.id: s.label(lang) for s in EVENT_STEPS}
        out["funnel"] = DataTable(
            "funnel", _("Event funnel (own site / mini-program)"), funnel_columns,
            [funnel_row(r, step_labels[r.step]) for r in steps],
            note=_("Event stream: distinct visitors with every earlier step; the first step is any page or product view."),
        )
        ctx["funnel_chart"] = chart_from_table(out["funnel"], series=[("visitors", "bar", 0)], kind="funnel")
    if own_stores and page.wants("funnel_sources"):
        by_source_rows = []
        for value in sorted({r.traffic_source for r in by_source_funnel.rows}):
            rows = {r.step: r for r in by_source_funnel.steps(value)}
            values = {"traffic_source": value, **{s.id: rows[s.id].visitors for s in EVENT_STEPS},
                      "overall_rate": rows[EVENT_STEPS[-1].id].overall_rate}
            by_source_rows.append(Row(values, link=page.url(source=value), header=name_source(value)))
        out["funnel_sources"] = DataTable(
            "funnel_sources", _("Event funnel by traffic source"),
            [Column("traffic_source", _("Traffic source")),
             *(Column(s.id, s.label(lang), unit="count") for s in EVENT_STEPS),
             Column("overall_rate", _("Overall conversion"), unit="percent")],
            by_source_rows,
        )
    if platform_stores and not source and page.wants("store_funnel"):
        store_funnel = run_query(StoreFunnelQuery(page.period, stores=platform_stores))
        ctx["no_store_reports"] = not store_funnel.rows
    if platform_stores and not source and page.wants("store_funnel") and store_funnel.rows:
        store_labels = {sid: (en if lang.startswith("en") else zh) for sid, zh, en, _b in STORE_STEPS}
        out["store_funnel"] = DataTable(
            "store_funnel", _("Platform store funnel"), funnel_columns,
            [funnel_row(r, store_labels[r.step]) for r in store_funnel.rows],
            note=(_("Platform store reports: cart, favourite and order vs visitors; payment vs orders (step) and "
                    "visitors (overall).") + (" " + _("Over several days these are sums of the days (visitor-days).")
                                              if several_days else "")),
        )
        ctx["store_funnel_chart"] = chart_from_table(out["store_funnel"], series=[("visitors", "bar", 0)],
                                                     kind="funnel")
    if platform_stores and source and page.wants("traffic_funnel"):
        platform = run_query(TrafficFunnelQuery(page.period, stores=platform_stores, by_traffic_source=True))
        traffic_labels = {sid: (en if lang.startswith("en") else zh) for sid, zh, en in TRAFFIC_STEPS}
        out["traffic_funnel"] = DataTable(
            "traffic_funnel", _("Platform traffic funnel"), funnel_columns[:1] + [
                Column("visitors", _("Count (daily uniques summed)"), unit="count"), *funnel_columns[2:]],
            [funnel_row(r, traffic_labels[r.step]) for r in platform.steps(source)],
            note=_("From the platforms' product traffic reports of this source: daily unique counts summed over "
                   "the days and products."),
        )
    return out


# ---------------------------------------------------------------------------
# 2. products
# ---------------------------------------------------------------------------
def _sort_key(column: str, descending: bool):
    def key(row: dict):
        value = row[column]
        if value is None:
            return (1, 0, row["store_id"], row["product_id"])
        return (0, -value if descending else value, row["store_id"], row["product_id"])

    return key


@ui_page(Module.PRODUCTS, "web/analysis/products.html", form=AnalysisFilterForm, sorts=PRODUCT_KPIS, tables=("products",))
def products(page: Page) -> dict[str, DataTable]:
    """Every product with sales, visitors or stock in the period: searched, sorted, 50 a page;
    or by style (款), the same goods added up across the stores."""
    lang = language()
    sort = page.data.get("sort") or PRODUCT_KPIS[0]
    descending = (page.data.get("dir") or "desc") == "desc"
    query = page.data.get("q") or ""
    by_style = page.data.get("group") == "style"
    ctx = page.context
    if page.is_html:
        ctx["tiles"] = _tiles(page, ("item_gmv", "units_sold", "avg_unit_price", "skus_sold"))
    # events without a product (home, search pages) are not a product's
    with_product = (Filter("product_id", ("",), exclude=True),)
    result = run_query(KpiQuery(PRODUCT_KPIS + PRODUCT_PARTS, page.period, by=("store_id", "product_id"),
                          stores=page.selected, filters=with_product))
    keys = [(r["store_id"], r["product_id"]) for r in result.rows]
    titles = product_titles(keys)
    styles = product_style_codes(keys)
    store_names = {s.store_id: s.name for s in page.stores}
    # platform stores: product visitors and conversion from their product traffic report (no event stream)
    with_events = {s.store_id for s in page.stores if has_event_stream(s.platform)}
    product_rows = product_visitors_from_reports(result.rows, with_events)
    # an own-site store without any event in the period: its products' visitors are unknown, not 0
    traffic = traffic_coverage(page.period, stores=page.selected)
    if blank := set(traffic.without) & with_events:
        product_rows = [{**r, **{k: None for k in PRODUCT_KPIS if traffic_dependent(k)}}
                        if r["store_id"] in blank else r for r in product_rows]
    platform_selected = any(s not in with_events for s in (page.selected or [s.store_id for s in page.stores]))
    if by_style:
        rows = style_rollup(product_rows, styles, PRODUCT_KPIS, PRODUCT_RATIO_PARTS)
        for r in rows:
            r["title"] = next((titles[m] for m in r["members"] if m in titles), "")
            r["store_id"], r["product_id"] = "", r["style"]
    else:
        rows = [{**r, "style": styles.get((r["store_id"], r["product_id"]), "")} for r in product_rows]
        for r in rows:
            r["title"] = titles.get((r["store_id"], r["product_id"]), "")
    if query:
        needle = query.lower()
        rows = [r for r in rows if needle in " ".join((r["product_id"], r["title"] or "", r["style"] or "")).lower()]
    ranked = sorted(rows, key=_sort_key(sort, descending))
    pages = max(1, -(-len(ranked) // PRODUCTS_PER_PAGE))
    number = min(page.data.get("page") or 1, pages)
    shown = ranked[(number - 1) * PRODUCTS_PER_PAGE:number * PRODUCTS_PER_PAGE]
    export = page.export == "products"
    listed = ranked if export else shown  # Excel gets every product of the search, not one page
    if by_style:
        columns = [Column("style", _("Style code")), Column("title", pgettext("product listing", "Title")),
                   Column("listings", _("Listings"), unit="count"), *(kpi_column(k, lang) for k in PRODUCT_KPIS)]
        table_rows = [Row({"style": r["style"], "title": r["title"], "listings": r["listings"],
                           **{k: r[k] for k in PRODUCT_KPIS}},
                          link=page.url(group=None, q=r["style"], page=None)) for r in listed]
    else:
        columns = [Column("product_id", _("Product")), Column("title", pgettext("product listing", "Title")), Column("store_id", _("Store")),
                   *(kpi_column(k, lang) for k in PRODUCT_KPIS), Column("style", _("Style code"))]
        table_rows = [Row({"product_id": r["product_id"], "title": r["title"],
                           "store_id": store_names.get(r["store_id"], r["store_id"]),
                           **{k: r[k] for k in PRODUCT_KPIS}, "style": r["style"]},
                          link=page.url("web:product", (r["store_id"], r["product_id"]), sort=None, dir=None, q=None,
                                        page=None, group=None))
                      for r in listed]
    note = (_("Platform stores give no event stream: their product visitors are the platform's product traffic report "
              "(daily visitors summed over the days: visitor-days), conversion is paying buyers over those, and "
              "add-to-cart users by product are not available (—).") if platform_selected else "")
    # cost of goods and product margin: "—" for products without SKU costs; the page says why, or how much is known
    coverage = cost_coverage(page.period, stores=page.selected)
    if costs := cost_note(coverage):
        note = f"{note} {costs}" if note else costs
    ctx["cost_status"] = cost_status(coverage)
    if blank and (visits := coverage_note(traffic)):
        note = f"{note} {visits}" if note else visits
    if gap := item_gmv_gap(page.period, stores=page.selected):  # lines without their share of order discounts
        note = f"{note} {item_gmv_gap_note(*gap, currency=page.currency)}" if note else item_gmv_gap_note(
            *gap, currency=page.currency)
    table = DataTable("products", _("Products"), columns, table_rows, currency=page.currency, note=note)
    ctx.update(
        sort=sort, descending=descending, total_products=len(ranked), shown_products=len(shown), query=query,
        by_style=by_style, page_number=number, pages=pages, first_shown=(number - 1) * PRODUCTS_PER_PAGE + 1,
        previous_page_url=page.url(page=number - 1) if number > 1 else "",
        next_page_url=page.url(page=number + 1) if number < pages else "",
        by_product_url=page.url(group=None, page=None), by_style_url=page.url(group="style", page=None),
        clear_search_url=page.url(q=None, page=None),
        sort_links={k: page.url(sort=k, dir="asc" if (k == sort and descending) else "desc", page=None)
                    for k in PRODUCT_KPIS},
    )
    # in the chart a product is named by its title (or id) and its store; a style by its code
    def label(r: Row) -> str:
        name = r.values.get("title") or r.values.get("product_id") or r.values.get("style")
        name = name if len(name) <= 14 else name[:13] + "…"
        return name if by_style else f"{name} · {r.values['store_id']}"

    top_rows = [Row(r.values, link=r.link, header=label(r)) for r in table.rows[:20]]
    top = DataTable("top", _("Top products"), table.columns, top_rows, currency=page.currency)
    ctx.update(top_table=top, products_chart=chart_from_table(top, series=[(sort, "bar", 0)]))
    return {"products": table}


@ui_page(Module.PRODUCTS, "web/analysis/product.html", form=AnalysisFilterForm, tables=("daily", "skus", "prices"))
def product(page: Page, store: str, product_id: str) -> dict[str, DataTable]:
    lang = language()
    if store not in {s.store_id for s in page.stores}:
        raise Http404(f"no store {store!r}")
    only = (Filter("product_id", (product_id,)),)
    info = next(s for s in page.stores if s.store_id == store)
    page.currency = info.currency
    ctx = page.context
    ctx.update(store=info, product_id=product_id, currency=info.currency, mixed_currencies=[],
               product_title=product_titles([(store, product_id)]).get((store, product_id), ""),
               products_url=page.url("web:products"))
    # a platform store: visitors from its product traffic report; no event-based KPIs (issue 19)
    events = has_event_stream(info.platform)
    kpis = PRODUCT_KPIS if events else PLATFORM_PRODUCT_KPIS
    ctx["no_event_stream"] = not events
    if page.is_html:
        ctx["tiles"] = _tiles(Page(page.request, page.stores, (store,), page.data, info.currency, period=page.period),
                              kpis, only)
    out: dict[str, DataTable] = {}
    if page.wants("daily"):
        trend = run_query(KpiQuery(kpis, page.period, grain=Grain.DAY, stores=(store,), filters=only))
        out["daily"] = _day_table(page, "daily", _("Daily trend"), trend.rows, kpis, name="web:product",
                                  args=(store, product_id))
        series = [("visitor_days" if k == "visitors" and not events else k, t, a) for k, t, a in PRODUCT_TREND]
        ctx["daily_chart"] = chart_from_table(out["daily"], series=series, kind="day")
        # the product's cost of goods and margin: "—" without its SKU costs; the table says why, or how much is known
        coverage = cost_coverage(page.period, stores=(store,), filters=only)
        ctx["cost_note"], ctx["cost_status"] = cost_note(coverage), cost_status(coverage)
    if page.wants("skus"):
        skus = sku_breakdown(store_id=store, product_id=product_id, period=page.period)
        out["skus"] = DataTable(
            "skus", _("SKUs"),
            [Column("sku_id", _("SKU")), Column("spec", _("Variant")), Column("merchant_code", _("Merchant code")),
             Column("price", _("List price"), unit="money"), Column("cost", _("Unit cost"), unit="money"),
             kpi_column("units_sold", lang), kpi_column("item_gmv", lang),
             Column("on_hand", _("Closing stock"), unit="count"), Column("days_of_cover", _("Days of cover"), unit="ratio")],
            [Row(r) for r in skus], currency=info.currency,
            note=_("Days of cover = closing stock ÷ average daily units sold in the period."))
    if page.wants("prices"):
        prices = price_history(store_id=store, product_id=product_id, period=page.period)
        out["prices"] = DataTable(
            "prices", _("Price paid per unit"),
            [Column("day", _("Date")), Column("low", _("Lowest"), unit="money"), Column("avg", _("Average"), unit="money"),
             Column("high", _("Highest"), unit="money")],
            [Row({**r, "day": r["day"]}, header=r["day"].isoformat()) for r in prices], currency=info.currency)
        ctx["prices_chart"] = chart_from_table(out["prices"], series=[("low", "line", 0), ("avg", "line", 0),
                                                                       ("high", "line", 0)], kind="day")
    return out


# ---------------------------------------------------------------------------
# 3. stores / channels
# ---------------------------------------------------------------------------
@ui_page(Module.COCKPIT, "web/analysis/stores.html", form=AnalysisFilterForm, tables=("stores",))
def stores(page: Page) -> dict[str, DataTable]:
    lang = language()
    kpis = visible_kpis(page.request.user, COCKPIT_KPIS)  # no ad spend / ROAS without the Ads module
    # visitors and conversion of each store in its own 口径 (events / the platform's report), issue 19 item 1
    whole = whole_period_reported(page.period, page.selected)  # every platform store's period export: exact
    kpis = visitor_kpis(kpis, ("own", "tmall"), whole_period=whole)
    page.context["whole_period"] = whole
    page.context["visitor_days"] = not whole and page.period is not None and page.period.days > 1
    by_store = run_query(ComparisonQuery(kpis, page.period, by=("store_id",), stores=page.selected,
                                         against=(PREVIOUS,), refunds_at_same_age=True))
    total = run_query(ComparisonQuery(kpis, page.period, stores=page.selected, against=(PREVIOUS,),
                                      refunds_at_same_age=True))
    columns = [Column("store_id", _("Store")), Column("platform", _("Platform"))]
    for k in kpis:
        columns += [kpi_column(k, lang), Column(f"{k}__change", _("%(kpi)s vs previous") % {"kpi": CATALOG[k].label(lang)},
                                                change=True)]
    info = {s.store_id: s for s in page.stores}

    def row_of(rows, store_id: str | None) -> Row:
        values: dict = {}
        good: dict = {}
        marks: dict = {}
        for r in rows:
            values[r.kpi] = r.current
            values[f"{r.kpi}__change"] = r.changes[PREVIOUS].relative
            good[f"{r.kpi}__change"] = r.is_good
            if r.immature:  # still collecting refunds: marked, compared at the same order age
                marks[r.kpi] = marks[f"{r.kpi}__change"] = _("Not mature yet") + " · " + _("same order age")
        if store_id is None:
            return Row({"store_id": _("All selected stores"), "platform": "", **values}, is_total=True, good=good,
                       marks=marks)
        s = info.get(store_id)
        return Row({"store_id": store_id, "platform": platform_label(s.platform, lang) if s else "", **values},
                   link=page.url("web:cockpit", store=[store_id]),
                   header=s.name if s else store_id, good=good, marks=marks)

    grouped: dict[str, list] = {}
    for r in by_store.rows:
        grouped.setdefault(r.keys["store_id"], []).append(r)
    rows = [row_of(rs, sid) for sid, rs in sorted(grouped.items())] + [row_of(total.rows, None)]
    # refund figures of stores without refund data are unknown (—): say so, or which stores they cover
    refunds = refund_coverage(page.period, stores=page.selected) if any(refund_dependent(k) for k in kpis) else None
    immature = any(r.immature for r in total.rows) and not (refunds and refunds.status == "missing")
    maturing = _("Refund figures are not mature yet: recent orders can still be refunded; the previous period is "
                 "compared at the same order age, and a fall is not called an improvement.") if immature else ""
    page.context["refunds_note"], page.context["refunds_status"] = coverage_note(refunds), refunds and refunds.status
    page.context["refunds_maturing"] = maturing
    table = DataTable("stores", _("Stores and channels"), columns, rows, currency=page.currency,
                      note=" ".join(n for n in (page.context["refunds_note"], maturing) if n))
    page.context["refunds_immature"] = immature
    conversion = next((k for k in kpis if k.endswith("conversion_rate")), "gmv")
    page.context["stores_chart"] = chart_from_table(table, series=[("gmv", "bar", 0), (conversion, "line", 1)])
    page.context["kpis"] = [CATALOG[k] for k in kpis]
    return {"stores": table}


# ---------------------------------------------------------------------------
# 4. ads
# ---------------------------------------------------------------------------
@ui_page(Module.ADS, "web/analysis/ads.html", form=AnalysisFilterForm, tables=("tools", "plans", "daily"))
def ads(page: Page) -> dict[str, DataTable]:
    lang = language()
    tool = page.data.get("tool") or ""
    plan = page.data.get("plan") or ""
    filters = page.kpi_filter("ad_tool", "tool") + page.kpi_filter("plan_id", "plan")
    ctx = page.context
    ctx.update(tool=tool, tool_label=tool_label(tool) if tool else "", plan=plan,
               all_tools_url=page.url(tool=None, plan=None))
    windows = {**AD_ATTRIBUTION_WINDOWS, **getattr(settings, "SHOPOPS_AD_ATTRIBUTION_WINDOWS", {})}

    def window_text(ad_tool: str) -> str:
        days = windows.get(ad_tool)
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days} if days else "—"

    if page.is_html:
        ctx["tiles"] = _tiles(page, AD_TILES + (() if filters else AD_STORE_TILES), filters)
    kpi_cols = [kpi_column(k, lang) for k in AD_KPIS]
    out: dict[str, DataTable] = {}

    def values(r) -> dict:
        """The row's KPIs; add-to-carts empty, not 0, where the report has none (多多搜索, 巨量千川)."""
        row = {k: r[k] for k in AD_KPIS}
        if not row["ad_cart_adds"] and row["ad_cost_per_cart_add"] is None:
            row["ad_cart_adds"] = None
        return row

    if page.wants("tools"):
        by_tool = run_query(KpiQuery(AD_KPIS, page.period, by=("ad_tool",), stores=page.selected, filters=filters))
        # no tool at all because no store of the selection has ad reports: said, not an empty table and chart
        ads = None if by_tool.rows or filters else ad_coverage(page.period, stores=page.selected)
        out["tools"] = DataTable(
            "tools", _("By ad tool"), [Column("ad_tool", _("Ad tool")), *kpi_cols,
                                       Column("window", _("Attribution window"))],
            [Row({"ad_tool": r["ad_tool"], "window": window_text(r["ad_tool"]), **values(r)},
                 link=page.url(tool=r["ad_tool"], plan=None), header=tool_label(r["ad_tool"])) for r in by_tool.rows],
            currency=page.currency,
            note=coverage_note(ads),
        )
        ctx["tools_chart"] = chart_from_table(out["tools"], series=[("ad_spend", "bar", 0), ("ad_gmv", "bar", 0),
                                                                    ("roas", "line", 1)])
        if ads is not None and ads.status in ("missing", "no_ads"):  # nothing to draw: the chart shows only the words
            for s in ctx["tools_chart"]["series"]:
                s["empty"] = series_empty_text(s["key"], lang, [None], no_ads=ads.status == "no_ads")
    if page.wants("daily"):
        daily = run_query(KpiQuery(AD_KPIS, page.period, grain=Grain.DAY, stores=page.selected, filters=filters))
        out["daily"] = _day_table(page, "daily", _("By day"), daily.rows, AD_KPIS)
        ctx["daily_chart"] = chart_from_table(out["daily"], series=[("ad_spend", "bar", 0), ("ad_gmv", "bar", 0),
                                                                    ("roas", "line", 1)], kind="day")
        empty = [s for s in ctx["daily_chart"]["series"] if s.get("empty")]
        if empty and not filters and ad_coverage(page.period, stores=page.selected).status == "no_ads":
            for s in empty:  # ROAS of stores that run no ads: not applicable, not "no ad data imported"
                s["empty"] = series_empty_text(s["key"], lang, [None], no_ads=True)
    if page.wants("plans"):
        by_plan = run_query(KpiQuery(AD_KPIS, page.period, by=("ad_tool", "plan_id"), stores=page.selected, filters=filters))
        names = ad_plan_names([(r["ad_tool"], r["plan_id"]) for r in by_plan.rows])
        plans = DataTable(
            "plans", _("By ad plan"), [Column("plan_name", _("Ad plan")), Column("plan_id", _("Plan id")),
                                      Column("ad_tool", _("Ad tool")), *kpi_cols],
            [Row({"plan_name": names.get((r["ad_tool"], r["plan_id"]), r["plan_id"]), "plan_id": r["plan_id"],
                  "ad_tool": tool_label(r["ad_tool"]), **values(r)},
                 link=page.url(tool=r["ad_tool"], plan=r["plan_id"])) for r in by_plan.rows],
            currency=page.currency,
        )
        # sorted by any column (?plans_sort=&plans_dir=), 50 plans a page (?plans_page=); the export gets them all
        out["plans"] = table_page(plans, page.request.GET, prefix="plans_", path=page.request.path,
                                  per_page=PLANS_PER_PAGE, paged=page.is_html)
    if plan:
        ctx["plan_label"] = ad_plan_names([(tool, plan)]).get((tool, plan), plan) if tool else plan
    return out


# ---------------------------------------------------------------------------
# 5. customers
# ---------------------------------------------------------------------------
@ui_page(Module.CUSTOMERS, "web/analysis/customers.html", form=AnalysisFilterForm, tables=("daily", "cohorts"))
def customers(page: Page) -> dict[str, DataTable]:
    ctx = page.context
    out: dict[str, DataTable] = {}
    if page.is_html:
        ctx["tiles"] = _tiles(page, CUSTOMER_KPIS)
    if page.wants("daily"):
        daily_kpis = DAILY_KPIS
        daily = run_query(daily_query(page.period, stores=page.selected))
        out["daily"] = _day_table(page, "daily", _("New and returning buyers by day"), daily.rows, daily_kpis)
        ctx["daily_chart"] = chart_from_table(
            out["daily"], series=[("new_buyers", "bar", 0), ("returning_buyers", "bar", 0),
                                  ("repurchase_rate", "line", 1)], kind="day", stack=True)
    if page.wants("cohorts"):
        out["cohorts"] = _cohort_table(page)
    return out


def _cohort_table(page: Page) -> DataTable:
    """Cohorts of the twelve months up to the period's end (the period alone is often a few days)."""
    end = page.period.end
    first = cohort_period(end).start
    cohort = run_query(cohort_query(end, stores=page.selected))
    months = sorted({c.months_since for c in cohort.cells if c.months_since > 0})
    cohort_rows: dict[dt.date, dict] = {}
    marks: dict[dt.date, dict[str, str]] = {}
    month_end = month_period(end.year, end.month).end
    partial = end < month_end  # the last month is not over: its cells can still rise
    partial_text = _("%(month)s up to %(day)s only: this month is not over, the share can still rise") % {
        "month": end.strftime("%Y-%m"), "day": end.strftime("%m-%d")}
    for cell in cohort.cells:
        row = cohort_rows.setdefault(cell.cohort, {"cohort": cell.cohort.strftime("%Y-%m"), "size": cell.size})
        # months not reached yet (after the period's end) stay empty instead of 0%
        month_start = dt.date(cell.cohort.year + (cell.cohort.month - 1 + cell.months_since) // 12,
                              (cell.cohort.month - 1 + cell.months_since) % 12 + 1, 1)
        row[f"m{cell.months_since}"] = cell.rate if month_start <= end else None
        if partial and month_start == end.replace(day=1) and cell.months_since > 0:
            marks.setdefault(cell.cohort, {})[f"m{cell.months_since}"] = partial_text
    note = _("Cohorts of the months from %(start)s to %(end)s; a cell is the share of the cohort that paid again "
             "k months after its first order.") % {"start": first.strftime("%Y-%m"), "end": end.strftime("%Y-%m")}
    if partial:
        note = f"{note} {_('* marks the cells of %(month)s, a month not over yet (data to %(day)s).') % {'month': end.strftime('%Y-%m'), 'day': end.isoformat()}}"
    return DataTable(
        "cohorts", _("Cohort retention"),
        [Column("cohort", _("First-order month")), Column("size", _("Buyers in cohort"), unit="count"),
         *(Column(f"m{k}", _("Month %(k)s") % {"k": k}, unit="percent") for k in months)],
        [Row(v, marks=marks.get(k, {})) for k, v in sorted(cohort_rows.items())],
        note=note,
    )


# ---------------------------------------------------------------------------
# 6. targets
# ---------------------------------------------------------------------------
TARGET_KPIS = ("gmv", "net_sales", "paid_orders", "paying_buyers", "new_buyers", "conversion_rate", "aov",
               "refund_rate", "ad_spend", "roas", "gross_margin")


# reading the targets is for everyone who sees them on the cockpit (the analyst was refused this page while the
# cockpit showed the same targets); setting one is the team module's (the director's), checked per POST
@ui_page(Module.COCKPIT, "web/analysis/targets.html", form=AnalysisFilterForm, tables=("targets",))
def _targets_page(page: Page) -> dict[str, DataTable]:
    lang = language()
    month_form = MonthForm(page.request.GET)
    if not month_form.is_valid():
        raise BadRequest(" ".join(m for msgs in month_form.errors.values() for m in msgs))
    # "today" of the data: the last complete day, as the presets use it
    as_of = reference_today(today=business_today(settings.SHOPOPS_TIME_ZONE)) - dt.timedelta(days=1)
    month = (month_form.cleaned_data.get("month") or as_of).replace(day=1)
    # an ad-spend target is the Ads module's, as on the cockpit: not shown to roles without it
    shown = set(visible_kpis(page.request.user, TARGET_KPIS))
    result = run_query(TargetQuery(month=month, as_of=as_of, stores=page.selected,
                                   targets=tuple(t for t in target_specs(month=month) if t.kpi in shown)))
    store_names = {s.store_id: s.name for s in page.stores}
    columns = [
        Column("scope", _("Store")), Column("kpi", _("KPI")),
        Column("target", _("Target value"), unit="ratio"), Column("actual", _("Actual so far"), unit="ratio"),
        Column("achievement", _("Achievement"), unit="percent"),
        Column("projection", _("Run-rate projection"), unit="ratio"),
        Column("projected_achievement", _("Projected achievement"), unit="percent"),
        Column("on_track", _("On track")),
    ]
    month_end = month_period(month.year, month.month).end
    rows = []
    for r in result.rows:
        k = CATALOG[r.target.kpi]
        unit = k.unit.value
        drill_end = min(max(as_of, month), month_end)
        rows.append(Row(
            {"scope": r.target.store_id, "kpi": k.label(lang), "target": r.target.value, "actual": r.actual,
             "achievement": r.achievement, "projection": r.projection,
             "projected_achievement": r.projected_achievement,
             "on_track": "" if r.on_track is None else (_("yes") if r.on_track else _("no"))},
            link=page.url("web:cockpit", period="custom", start=month.isoformat(), end=drill_end.isoformat(),
                          store=[r.target.store_id] if r.target.store_id else None, month=None),
            header=store_names.get(r.target.store_id, r.target.store_id) or str(_("All stores")),
            units={"target": unit, "actual": unit, "projection": unit},
            good={"on_track": r.on_track},
        ))
    note = ""
    if any(cost_dependent(r.target.kpi) for r in result.rows):  # a margin target: "—" so far without SKU costs
        so_far = Period(month, min(max(as_of, month), month_end))
        note = cost_note(cost_coverage(so_far, stores=page.selected))
    page.context["cost_note"] = note
    table = DataTable("targets", _("Targets of %(month)s") % {"month": month.strftime("%Y-%m")}, columns, rows,
                      currency=page.currency, note=note)
    chart_rows = [Row({**row.values, "label": f"{row.header} · {row.values['kpi']}"}, link=row.link,
                      header=f"{row.header} · {row.values['kpi']}") for row in rows]
    chart_table = DataTable("targets_chart", table.title, [Column("label", ""), *columns[4:7:2]], chart_rows)
    elapsed = today_in_period(month_period(month.year, month.month), as_of)
    form = getattr(page.request, "target_form", None) or TargetForm(
        initial={"month": month.strftime("%Y-%m")}, stores=page.stores, kpis=_target_kpis(lang))
    page.context.update(
        hide_period=True, month=month, as_of_day=as_of, days_elapsed=elapsed, days_in_month=month_end.day,
        target_form=form, month_value=month.strftime("%Y-%m"),
        previous_month_url=page.url(month=(month - dt.timedelta(days=1)).strftime("%Y-%m")),
        next_month_url=page.url(month=(month_end + dt.timedelta(days=1)).strftime("%Y-%m")),
        targets_chart=chart_from_table(chart_table, series=[("achievement", "bar", 0),
                                                            ("projected_achievement", "bar", 0)]) if rows else None,
    )
    return {"targets": table}


def _target_kpis(lang: str) -> list[tuple[str, str]]:
    return [(k, f"{CATALOG[k].label(lang)} ({k})") for k in TARGET_KPIS]


@module_required(Module.COCKPIT)
def targets(request: HttpRequest) -> HttpResponse:
    """GET: this month's targets with achievement and run-rate; POST: set one target (``target_set``, the team
    module's)."""
    if request.method == "POST":
        if not user_can_use(request.user, Module.TEAM):
            raise PermissionDenied
        form = TargetForm(request.POST, stores=store_list(), kpis=_target_kpis(language()))
        if form.is_valid():
            data = form.cleaned_data
            target_set(kpi=data["kpi"], month=data["month"], value=data["value"], store_id=data["store"] or "")
            return redirect(f"{reverse('web:targets')}?{request.GET.urlencode()}" if request.GET
                            else reverse("web:targets") + f"?month={data['month']:%Y-%m}")
        request.target_form = form
        response = _targets_page(request)
        response.status_code = 400
        return response
    return _targets_page(request)
