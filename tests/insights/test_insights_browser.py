"""The inbox, a finding and the daily brief in Chromium, in Chinese and English, on the incident store."""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.core.roles import Role
from shopops.insights import services
from shopops.insights.models import Finding
from shopops.team.services import role_groups_sync, user_create

PASSWORD = "a-long-test-password"
DAYS = [dt.date(2025, 8, 26) + dt.timedelta(days=i) for i in range(10)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_inbox_finding_and_brief_in_both_languages(live_server, browser_page, incident_warehouse, artifacts_dir):
    services.insights_run(days=DAYS)
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # the sidebar leads to the inbox; it lists every finding of the last two weeks, newest first
    page.click('.sidebar a[href="/insights/"]')
    page.wait_for_selector("#table-findings")
    rows = page.locator("#table-findings tbody tr[data-finding]")
    assert rows.count() == Finding.objects.count()
    assert page.locator('tr[data-store="own"] >> text=埋点缺失').count() == 1
    page.screenshot(path=str(artifacts_dir / "insights-inbox-zh.png"), full_page=True)

    # the tracking outage: chart with band drawn, waterfall drawn, evidence links to the analysis pages
    outage = Finding.objects.get(store_id="own", day=dt.date(2025, 9, 4))
    page.click(f'tr[data-finding="{outage.pk}"] >> a')
    page.wait_for_selector("#chart-band canvas")
    page.wait_for_selector("#chart-waterfall canvas")
    first = page.locator("ol.evidence li").first
    assert first.get_attribute("data-evidence") == "tracking_gap"
    assert "/traffic/?" in first.locator("a").get_attribute("href")
    page.screenshot(path=str(artifacts_dir / "insights-finding-zh.png"), full_page=True)
    # the table view holds the same band: 28 days, the finding's day last with its actual value
    page.locator('[data-panel="band"] [data-view="table"]').click()
    band_rows = page.locator('[data-table="band"] tbody tr')
    assert band_rows.count() == 28
    assert band_rows.last.locator("th").inner_text() == "2025-09-04"
    assert band_rows.last.locator("td").first.inner_text() == "28"

    # assign it: a task, the status changes
    page.select_option("select[name=assignee]", label="director")
    page.click('[data-action="assign"]')
    page.wait_for_selector('[data-status="assigned"]')
    assert page.locator("[data-task]").count() == 1

    # the daily brief of that day, then in English, then sent to the outbox
    page.goto(f"{live_server.url}/insights/brief/?day=2025-09-04")
    assert page.locator('tr[data-kpi="gmv"][data-store=""]').count() == 1
    assert page.locator(f'.brief-findings li[data-finding="{outage.pk}"]').count() == 1
    assert "晨报" in page.inner_text("h1")
    page.screenshot(path=str(artifacts_dir / "insights-brief-zh.png"), full_page=True)
    page.click("text=English")
    page.wait_for_selector("text=Yesterday's KPIs vs expectation")
    assert "Tracking gap" in page.inner_text(".brief-findings")
    page.screenshot(path=str(artifacts_dir / "insights-brief-en.png"), full_page=True)
    page.click("[data-send-brief]")
    page.wait_for_selector('tr[data-delivery="wecom"]')
    assert page.locator('tr[data-status="outbox"]').count() == 4
    assert '"msgtype": "markdown"' in page.inner_text('tr[data-delivery="wecom"] .payload')
    page.screenshot(path=str(artifacts_dir / "insights-outbox-en.png"), full_page=True)

    page.goto(f"{live_server.url}/insights/")
    page.wait_for_selector("#table-findings")
    assert page.locator("text=Insights inbox").count() >= 1
    page.screenshot(path=str(artifacts_dir / "insights-inbox-en.png"), full_page=True)
