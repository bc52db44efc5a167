"""The cockpit in Chromium for a store without ad reports (test_ad_coverage's shops, counted by hand there),
in Chinese and English: ad spend and ROAS "—" with the reason and the import link, never ¥0.00; a selection
where only some stores have ad data says which share it covers. Screenshots in test-artifacts."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.support.pages import browser_login
from tests.web.test_ad_coverage import shops  # noqa: F401 (the fixture)
from tests.web.test_traffic_coverage import shops as traffic_shops  # noqa: F401 (what it builds on)

PASSWORD = "a-long-test-password"
DAY = "period=custom&start=2025-11-11&end=2025-11-11"


@pytest.mark.django_db(transaction=True)
def test_cockpit_without_ads_in_zh_and_en(live_server, browser_page, shops, artifacts_dir):  # noqa: F811
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    browser_login(page, live_server.url, "director", PASSWORD)

    page.goto(f"{live_server.url}/?{DAY}&store=uci")
    page.wait_for_selector('.tile[data-tile="ad_spend"] [data-ads="missing"]')
    for kpi in ("ad_spend", "roas"):
        assert page.locator(f'.tile[data-tile="{kpi}"] .tile-value').inner_text().strip() == "—"
        note = page.locator(f'.tile[data-tile="{kpi}"] [data-ads="missing"]')
        assert note.inner_text().strip() == "未导入推广数据 · 导入推广数据 →"
        assert note.locator("a").get_attribute("href") == "/import/"
    page.screenshot(path=str(artifacts_dir / "cockpit-no-ads-zh.png"), full_page=True)

    page.click("text=English")
    page.wait_for_selector("h1:has-text('Cockpit')")
    page.goto(f"{live_server.url}/?{DAY}&store=uci")
    note = page.locator('.tile[data-tile="roas"] [data-ads="missing"]')
    assert note.inner_text().strip() == "No ad data imported · Import ad data →"
    page.goto(f"{live_server.url}/?{DAY}&store=tm&store=uci")
    page.wait_for_selector('[data-ads="partial"]')
    assert "¥100.00" in page.locator('.tile[data-tile="ad_spend"] .tile-value').inner_text()
    note = page.locator('.tile[data-tile="ad_spend"] [data-ads="partial"]').inner_text()
    assert "Ad data cover 1 of 2 stores, 60.00% of GMV" in note
    page.screenshot(path=str(artifacts_dir / "cockpit-ads-partial-en.png"), full_page=True)
