"""/traffic/ in Chromium for a platform store (the 生意参谋 export of test_platform_visitors,
counted by hand there) and across channels, in Chinese and English; screenshots in test-artifacts."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.support.pages import browser_login
from tests.web.test_platform_visitors import shop  # noqa: F401 (the fixture)

PASSWORD = "a-long-test-password"
DAY = "period=custom&start=2025-11-11&end=2025-11-11"
THREE_DAYS = "period=custom&start=2025-11-10&end=2025-11-12"


def tile(page, kpi: str) -> str | None:
    found = page.locator(f'.tile-value[data-kpi="{kpi}"]')
    return found.get_attribute("data-value") if found.count() else None


@pytest.mark.django_db(transaction=True)
def test_traffic_page_of_a_platform_store_in_zh_and_en(live_server, browser_page, shop, artifacts_dir):  # noqa: F811
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    browser_login(page, live_server.url, "director", PASSWORD)

    page.goto(f"{live_server.url}/traffic/?{DAY}&store=tmall")
    page.wait_for_selector('[data-chart="store-funnel"][data-chart-ready]')
    assert tile(page, "report_visitors") == "4210" and tile(page, "visitors") is None
    assert float(tile(page, "report_conversion_rate")) == pytest.approx(163 / 4210)
    assert page.locator('.tile[data-tile="report_visitors"] .tile-source').inner_text().startswith("来源: 平台店铺日报")
    panel = page.locator('[data-panel="store-funnel"]')
    panel.locator('button[data-view="table"]').click()
    paid = panel.locator('tr:has(th[data-value="buyers"]) td[data-col="overall_rate"]')
    assert float(paid.get_attribute("data-value")) == pytest.approx(163 / 4210)
    panel.locator('button[data-view="chart"]').click()
    page.screenshot(path=str(artifacts_dir / "traffic-platform-store-zh.png"), full_page=True)

    page.goto(f"{live_server.url}/traffic/?{THREE_DAYS}&store=tmall")
    page.wait_for_selector("[data-visitor-days]")
    assert tile(page, "report_visitors") == "7121"
    # one platform: its sources in the platform's words (手淘搜索 for search: the order t1 of 11-12)
    assert "手淘搜索" in page.locator('[data-table="sources"]').inner_text()
    page.screenshot(path=str(artifacts_dir / "traffic-platform-store-3days-zh.png"), full_page=True)

    page.goto(f"{live_server.url}/traffic/?{DAY}")  # both channels: each store's own 口径, added up
    page.wait_for_selector('[data-basis="mixed"]')
    assert tile(page, "channel_visitors") == "4212"
    page.wait_for_selector('[data-chart="funnel"][data-chart-ready]')  # the mini-program's event funnel
    page.screenshot(path=str(artifacts_dir / "traffic-all-channels-zh.png"), full_page=True)

    page.click("text=English")
    page.wait_for_selector("h1:has-text('Traffic & funnel')")
    page.goto(f"{live_server.url}/traffic/?{THREE_DAYS}&store=tmall")
    page.wait_for_selector("[data-visitor-days]")
    assert "visitor-days" in page.locator("[data-visitor-days]").inner_text()
    assert page.locator('.tile[data-tile="report_visitors"] .tile-label').inner_text() == "Visitors (platform report)"
    assert "Taobao app search" in page.locator('[data-table="sources"]').inner_text()
    page.screenshot(path=str(artifacts_dir / "traffic-platform-store-en.png"), full_page=True)
    page.goto(f"{live_server.url}/traffic/?{DAY}")
    page.wait_for_selector('[data-basis="mixed"]')
    page.screenshot(path=str(artifacts_dir / "traffic-all-channels-en.png"), full_page=True)
