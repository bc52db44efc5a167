"""At phone width (issue 19 item 10): the 晨报 link opens on a phone. The cockpit, the inbox, a
finding and the brief at 390 × 844 in Chromium: nothing wider than the screen, the navigation
a drawer behind a menu button, tiles whose numbers stay on one line, charts as wide as the
screen. Screenshots in test-artifacts/ (phone-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.core.roles import Role
from shopops.insights import services
from shopops.insights.models import Finding
from shopops.team.services import role_groups_sync, user_create
from support.pages import browser_login
from support.phone import PHONE, charts_fit, page_fits, tiles_on_one_line

PASSWORD = "a-long-test-password"
DAYS = [dt.date(2025, 8, 26) + dt.timedelta(days=i) for i in range(10)]
_fits = page_fits


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_daily_pages_work_on_a_phone(live_server, browser_page, incident_warehouse, artifacts_dir):
    services.insights_run(days=DAYS)
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    page.set_viewport_size(PHONE)
    browser_login(page, live_server.url, "director", PASSWORD)

    # the cockpit: the sidebar is a drawer; every tile's number on one line; the chart fits
    page.goto(f"{live_server.url}/?period=custom&start=2025-08-29&end=2025-09-04")
    page.wait_for_selector("#trend-chart canvas")
    _fits(page)
    sidebar = page.locator("[data-sidebar]")
    assert not sidebar.is_visible() and page.locator("[data-nav-toggle]").is_visible()
    page.click("[data-nav-toggle]")
    page.wait_for_function("() => document.querySelector('[data-sidebar]').getBoundingClientRect().left >= 0")
    assert sidebar.is_visible() and page.get_attribute("[data-nav-toggle]", "aria-expanded") == "true"
    page.screenshot(path=str(artifacts_dir / "phone-cockpit-menu-zh.png"))
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('[data-sidebar]').getBoundingClientRect().right <= 0")
    tiles_on_one_line(page)
    charts_fit(page, "#trend-chart")
    page.screenshot(path=str(artifacts_dir / "phone-cockpit-zh.png"), full_page=True)

    # the inbox, a finding (its assign row inside the screen), the brief
    from shopops.insights.models import ModuleAlert
    alert = ModuleAlert.objects.create(
        source="inventory", kind="overstock", key="own:S1", store_id="own", day=DAYS[-1], first_day=DAYS[-1],
        severity="medium", severity_rank=1, text_zh="QM-MZ14-0034-0101（栖木秋冬新款高级感针织羽绒服男）积压 29 件",
        text_en="QM-MZ14-0034-0101 overstock: 29 units", money_at_stake=12803.5)
    page.goto(f"{live_server.url}/insights/")
    page.wait_for_selector("#table-findings")
    _fits(page)
    # an alert's text is on the screen (it was the fifth of seven columns, scrolled out of a 390 px phone)
    text = page.locator(f'[data-alert="{alert.pk}"] td:nth-child(5)').bounding_box()
    assert text["x"] >= 0 and text["x"] + text["width"] <= PHONE["width"], text
    page.screenshot(path=str(artifacts_dir / "phone-inbox-zh.png"), full_page=True)
    finding = Finding.objects.get(store_id="own", day=dt.date(2025, 9, 4))
    page.goto(f"{live_server.url}/insights/{finding.pk}/")
    page.wait_for_selector("#chart-band canvas")
    _fits(page)
    assign = page.locator('[data-action="assign"]').bounding_box()
    assert assign["x"] >= 0 and assign["x"] + assign["width"] <= PHONE["width"]
    charts_fit(page, "#chart-band")
    page.screenshot(path=str(artifacts_dir / "phone-finding-zh.png"), full_page=True)
    page.goto(f"{live_server.url}/insights/brief/?day=2025-09-04")
    page.wait_for_load_state("networkidle")
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "phone-brief-zh.png"), full_page=True)

    # English: the same pages, longer words
    page.click("text=English")
    page.goto(f"{live_server.url}/?period=custom&start=2025-08-29&end=2025-09-04")
    page.wait_for_selector("text=Conversion rate")
    _fits(page)
    tiles_on_one_line(page)
    page.screenshot(path=str(artifacts_dir / "phone-cockpit-en.png"), full_page=True)
    page.goto(f"{live_server.url}/insights/")
    page.wait_for_selector("#table-findings")
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "phone-inbox-en.png"), full_page=True)
    page.goto(f"{live_server.url}/insights/{finding.pk}/")
    page.wait_for_selector("#chart-band canvas")
    _fits(page)
    assign = page.locator('[data-action="assign"]').bounding_box()
    assert assign["x"] >= 0 and assign["x"] + assign["width"] <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "phone-finding-en.png"), full_page=True)
    page.goto(f"{live_server.url}/insights/brief/?day=2025-09-04")
    page.wait_for_load_state("networkidle")
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "phone-brief-en.png"), full_page=True)
