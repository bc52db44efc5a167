"""The cockpit in Chromium for a store without traffic data (test_traffic_coverage's shops, counted by hand
there), in Chinese and English: visitor tiles "—" with the reason, the trend's visitors series an empty
state above the chart (not a flat 0 line), count axes ticking at whole numbers; an unknown day is a gap,
not 0. Screenshots in test-artifacts."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.support.pages import browser_login
from tests.web.test_traffic_coverage import shops  # noqa: F401 (the fixture)

PASSWORD = "a-long-test-password"
DAY = "period=custom&start=2025-11-11&end=2025-11-11"
TWO_DAYS = "period=custom&start=2025-11-10&end=2025-11-11"
OPTION = "() => echarts.getInstanceByDom(document.getElementById('trend-chart')).getOption()"


@pytest.mark.django_db(transaction=True)
def test_cockpit_without_traffic_in_zh_and_en(live_server, browser_page, shops, artifacts_dir):  # noqa: F811
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    browser_login(page, live_server.url, "director", PASSWORD)

    page.goto(f"{live_server.url}/?{DAY}&store=uci")
    page.wait_for_selector('.chart-empty[data-empty-series="visitors"]')
    assert page.locator('.tile[data-tile="visitors"] .tile-value').inner_text().strip() == "—"
    assert "未导入流量数据" in page.locator('.tile[data-tile="conversion_rate"] [data-traffic="missing"]').inner_text()
    assert "访客数" in page.locator(".chart-empty").inner_text()
    option = page.evaluate(OPTION)
    assert [s["name"] for s in option["series"]] == ["支付金额", "支付订单数"]  # visitors left out, said above
    assert all(a["minInterval"] == 1 for a in option["yAxis"][1:])  # paid orders: whole-number ticks
    # a GMV axis of small values (ECharts ticks 0, 0.2, 0.4 … on a day without sales) prints them apart
    ticks = page.evaluate("() => { const axis = echarts.getInstanceByDom(document.getElementById('trend-chart'))"
                          ".getOption().yAxis[0]; return [0, 0.2, 0.4, 12345].map((v) => axis.axisLabel.formatter(v)); }")
    assert ticks == ["0", "0.2", "0.4", "1.2万"]
    page.screenshot(path=str(artifacts_dir / "cockpit-no-traffic-zh.png"), full_page=True)

    page.goto(f"{live_server.url}/?{TWO_DAYS}&store=own")  # 11-10 has no event: a gap, 11-11 has 4 visitors
    page.wait_for_selector("#trend-chart canvas")
    option = page.evaluate(OPTION)
    visitors = next(s for s in option["series"] if s["name"] == "访客数")
    assert visitors["data"] == [None, 4] and page.locator(".chart-empty").count() == 0

    page.click("text=English")
    page.wait_for_selector("h1:has-text('Cockpit')")
    page.goto(f"{live_server.url}/?{DAY}&store=own&store=uci")
    page.wait_for_selector('[data-traffic="partial"]')
    note = page.locator('.tile[data-tile="visitors"] [data-traffic="partial"]').inner_text()
    assert "Traffic data cover 1 of 2 stores, 71.43% of GMV" in note
    page.screenshot(path=str(artifacts_dir / "cockpit-traffic-partial-en.png"), full_page=True)
    page.goto(f"{live_server.url}/?{DAY}&store=uci")
    page.wait_for_selector('.chart-empty[data-empty-series="visitors"]')
    assert "Visitors (UV): no traffic data imported for this period" in page.locator(".chart-empty").inner_text()
    page.screenshot(path=str(artifacts_dir / "cockpit-no-traffic-en.png"), full_page=True)
