"""The director's daily pages in Chromium (issue 19 items 5–9), zh and en, on the hand-counted
shop of ``test_analysis_views`` plus the merchant codes and stock of ``test_products_at_size``:
the cockpit's new tiles and 同比 line, the stores table with every store on one line, the ads
plan names and terms, products searched, paged and rolled up by style, a product's SKUs and
price chart, the customers cohort mark. Screenshots in test-artifacts/ (director-*.png)."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.web.test_analysis_views import load_shop
from support.pages import browser_login

PASSWORD = "a-long-test-password"
QUERY = "period=custom&start=2025-11-10&end=2025-11-11"


@pytest.mark.django_db(transaction=True)
def test_the_directors_pages_in_both_languages(live_server, browser_page, warehouse, artifacts_dir):
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa

    from shopops.warehouse.loader import load

    load_shop(warehouse)
    # the stores' refunds are imported (a rejected request each): refund tiles have figures, not 未导入退款数据
    load(warehouse, "refunds", pa.Table.from_pylist([
        {"store_id": s, "refund_id": "r0", "order_id": "t1", "amount": Decimal("10.00"), "status": "failed",
         "requested_at": dt.datetime(2025, 11, 10, 5, tzinfo=dt.UTC), "refund_date": None} for s in ("tmall", "jd")]))
    load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": "tmall", "sku_id": "S1", "product_id": "P1", "cost": Decimal("20.00"), "merchant_code": "QM-A01-0101"},
        {"store_id": "jd", "sku_id": "S9", "product_id": "P1", "merchant_code": "QM-A01-0102"},
    ]))
    load(warehouse, "inventory_snapshots", pa.Table.from_pylist([
        {"store_id": "tmall", "date": dt.date(2025, 11, 11), "sku_id": "S1", "on_hand": 30}]))
    load(warehouse, "shop_scores", pa.Table.from_pylist([
        {"store_id": "tmall", "date": dt.date(2025, 11, 11), "description": Decimal("4.80"),
         "description_industry": Decimal("4.75"), "service": Decimal("4.80"), "service_industry": Decimal("4.80"),
         "logistics": Decimal("4.85"), "logistics_industry": Decimal("5.00")}]))
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, live_server.url, "director", PASSWORD)

    for lang in ("zh", "en"):
        if lang == "en":
            page.click("text=English")
            page.wait_for_selector("text=Log out")
        # cockpit: the new tiles, the refund tile's same-age note, this month vs target
        page.goto(f"{live_server.url}/?{QUERY}")
        page.wait_for_selector("#trend-chart canvas")
        for kpi in ("uv_value", "add_to_cart_rate", "gross_margin", "gross_margin_rate"):
            # visitor KPIs in the stores' own 口径 (k19a): uv_value, report_uv_value or channel_uv_value
            assert page.locator(f'.tile-value[data-kpi$="{kpi}"]').first.is_visible(), kpi
        assert page.locator('[data-tile="refund_rate"] [data-same-age]').is_visible()
        assert page.locator("[data-month-targets]").is_visible()
        # no target set: the month so far with its run-rate; the DSR of the one store that has it
        assert page.locator('[data-table="month-so-far"] tr[data-so-far="gmv"]').is_visible()
        assert page.locator('[data-table="dsr"] tr[data-dsr-store="tmall"]').is_visible()
        assert page.locator('[data-table="dsr"] tbody tr').count() == 1
        page.screenshot(path=str(artifacts_dir / f"director-cockpit-{lang}.png"), full_page=True)

        # stores: the table is there with the chart, each store on one line, platforms in words
        page.goto(f"{live_server.url}/stores/?{QUERY}")
        page.wait_for_selector('[data-chart="stores"][data-chart-ready]')
        rows = page.locator('[data-table="stores"] tbody tr')
        assert rows.count() == 3 and all(rows.nth(i).is_visible() for i in range(3))
        heights = [rows.nth(i).bounding_box()["height"] for i in range(3)]
        assert max(heights) < 48, heights  # one line each, not one character per line
        platforms = page.locator('[data-table="stores"] td[data-col="platform"]').all_inner_texts()
        assert platforms[:2] == (["京东", "天猫"] if lang == "zh" else ["JD", "Tmall"])
        page.screenshot(path=str(artifacts_dir / f"director-stores-{lang}.png"), full_page=True)

        # ads: plan names, the tools' words for ROAS
        page.goto(f"{live_server.url}/ads/?{QUERY}")
        page.wait_for_selector('[data-chart="tools"][data-chart-ready]')
        assert page.locator('[data-table="plans"] th[data-col="plan_name"]:has-text("plan p1")').count() == 1
        assert page.locator("[data-ads-terms]").is_visible()
        assert page.get_attribute('.tile-value[data-kpi="ad_cost_per_cart_add"]', "data-value") == "2.50"
        assert page.locator('[data-tile="ad_cost_per_cart_add"] .tile-label').inner_text() == (
            "加购成本" if lang == "zh" else "Cost per add-to-cart")
        page.screenshot(path=str(artifacts_dir / f"director-ads-{lang}.png"), full_page=True)

        # products: search, style roll-up, a product's SKUs and its price chart
        page.goto(f"{live_server.url}/products/?{QUERY}")
        page.fill("[data-product-search] input[name=q]", "QM-A01")
        page.click("[data-product-search] button[type=submit]")
        page.wait_for_url("**q=QM-A01**")
        assert page.locator('[data-table="products"] tbody tr').count() == 2
        page.click('[data-group="style"]')
        page.wait_for_url("**group=style**")
        assert page.locator('[data-table="products"] tbody tr').count() == 1
        assert page.get_attribute('[data-table="products"] td[data-col="listings"]', "data-value") == "2"
        page.screenshot(path=str(artifacts_dir / f"director-products-{lang}.png"), full_page=True)
        page.goto(f"{live_server.url}/products/tmall/P1/?{QUERY}")
        page.wait_for_selector('[data-chart="prices"][data-chart-ready]')
        assert page.get_attribute('[data-table="skus"] td[data-col="on_hand"]', "data-value") == "30"
        page.screenshot(path=str(artifacts_dir / f"director-product-{lang}.png"), full_page=True)

        # customers: the unfinished month is marked
        page.goto(f"{live_server.url}/customers/?{QUERY}")
        page.wait_for_selector("[data-heatmap]")
        assert page.locator('[data-table="cohorts"] td[data-mark]').count() == 1
        page.screenshot(path=str(artifacts_dir / f"director-customers-{lang}.png"), full_page=True)

        # CLV with all stores in the filter: the header says so, the by-store table leads
        page.goto(f"{live_server.url}/customers/clv/?as_of=2025-11-11")
        page.wait_for_selector("[data-clv-by-store]")
        assert page.locator("[data-scope]").inner_text() == ("全部店铺" if lang == "zh" else "All stores")
        assert page.locator('[data-table="clv-stores"] tbody tr').count() == 2
        shown = page.get_attribute("[data-store]", "data-store")
        assert page.locator(f'[data-clv-store="{shown}"] [data-not-fitted]').count() == 0
        page.screenshot(path=str(artifacts_dir / f"director-clv-{lang}.png"), full_page=True)
