"""The analysis pages in Chromium: charts draw, the chart/table toggle works, a click on a
chart point drills down, and every page is screenshotted in Chinese and English.

Numbers come from the hand-made shop of ``test_analysis_views`` (counted by hand there).
"""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.core.roles import Role
from shopops.metrics.services import target_set
from shopops.team.services import role_groups_sync, user_create
from tests.web.test_analysis_views import _as_own_site, load_shop

PASSWORD = "a-long-test-password"
QUERY = "period=custom&start=2025-11-10&end=2025-11-11"
PAGES = ("traffic", "products", "stores", "ads", "customers", "targets")


def click_chart_category(page, chart: str, index: int) -> None:
    """Click the bar of category ``index`` of the first series of chart ``chart``."""
    holder = page.locator(f'[data-chart="{chart}"]')
    point = holder.evaluate(
        """(el, index) => {
            const chart = echarts.getInstanceByDom(el);
            const value = chart.getOption().series[0].data[index] || 0;
            return chart.convertToPixel({seriesIndex: 0}, [index, value / 2]);
        }""",
        index,
    )
    box = holder.bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def axis_labels(page, values: list[float]) -> list[list[str]]:
    """What each y axis of each chart on the page prints for tick ``values``."""
    return page.evaluate(
        """(values) => Array.from(document.querySelectorAll("[data-chart-ready]")).flatMap((el) =>
            echarts.getInstanceByDom(el).getOption().yAxis.map((axis) => values.map((v) => axis.axisLabel.formatter(v))))""",
        values,
    )


def tile(page, kpi: str) -> str:
    return page.get_attribute(f'.tile-value[data-kpi="{kpi}"]', "data-value")


@pytest.mark.django_db(transaction=True)
def test_click_through_the_analysis_pages(live_server, browser_page, warehouse, artifacts_dir):
    load_shop(warehouse)
    _as_own_site(warehouse)  # event-stream stores: the event numbers counted there are theirs
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    target_set(kpi="gmv", month=dt.date(2025, 11, 1), value="1000", store_id="tmall")
    target_set(kpi="paying_buyers", month=dt.date(2025, 11, 1), value="10")
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # traffic: the chart draws; the table view shows the same numbers
    page.goto(f"{live_server.url}/traffic/?{QUERY}")
    page.wait_for_selector('[data-chart="sources"][data-chart-ready]')
    panel = page.locator('[data-panel="sources"]')
    assert panel.locator('[data-view-pane="table"]').is_hidden()
    panel.locator('button[data-view="table"]').click()
    assert panel.locator('[data-view-pane="chart"]').is_hidden()
    search = panel.locator('tr:has(th[data-value="search"]) td[data-kpi="visitors"]')
    assert search.get_attribute("data-value") == "3"
    panel.locator('button[data-view="chart"]').click()
    assert panel.locator('[data-view-pane="table"]').is_hidden()
    page.screenshot(path=str(artifacts_dir / "analysis-traffic-zh.png"), full_page=True)

    # drill down: the "search" bar (categories sorted: ads, direct, search) filters the page to that source
    click_chart_category(page, "sources", 2)
    page.wait_for_url("**source=search**")
    page.wait_for_selector('[data-filter="source"]')
    assert tile(page, "visitors") == "3"
    assert "start=2025-11-10" in page.url  # the other filters travel along

    # products: the ranking links to a product page; a day on its chart drills to that day
    page.goto(f"{live_server.url}/products/?{QUERY}")
    page.wait_for_selector('[data-chart="products"][data-chart-ready]')
    page.screenshot(path=str(artifacts_dir / "analysis-products-zh.png"), full_page=True)
    page.locator('[data-table="products"] a[data-drill]').first.click()
    page.wait_for_url("**/products/tmall/P2/**")
    page.wait_for_selector('[data-chart="daily"][data-chart-ready]')
    page.screenshot(path=str(artifacts_dir / "analysis-product-zh.png"), full_page=True)
    click_chart_category(page, "daily", 1)
    page.wait_for_url("**start=2025-11-11&end=2025-11-11**")
    assert tile(page, "item_gmv") == "230.00"

    for name in ("stores", "ads", "customers", "targets"):
        page.goto(f"{live_server.url}/{name}/?{QUERY}")
        page.wait_for_selector("[data-chart-ready]")
        page.screenshot(path=str(artifacts_dir / f"analysis-{name}-zh.png"), full_page=True)
        # an axis of small values (a day without ad spend: ECharts ticks 0, 0.2, 0.4 …) prints them apart
        labels = axis_labels(page, [0, 0.2, 0.4])
        assert labels and all(len(set(ticks)) == 3 for ticks in labels), (name, labels)

    # English
    page.click("text=English")
    page.wait_for_selector("h1:has-text('Targets')")
    for name in PAGES:
        page.goto(f"{live_server.url}/{name}/?{QUERY}")
        page.wait_for_selector("[data-chart-ready]")
        page.screenshot(path=str(artifacts_dir / f"analysis-{name}-en.png"), full_page=True)
        if name == "customers":
            assert page.locator("text=Repurchase rate").count() >= 1
