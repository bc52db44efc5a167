"""The 复盘 and live campaign pages in a real Chromium on the small demo warehouse, in zh and en
(screenshots in test-artifacts/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.campaigns.services import StoreRef
from shopops.core.roles import Role
from support.pages import browser_login

from .factories import PASSWORD, plan, user

pytestmark = pytest.mark.django_db(transaction=True)
ALL = tuple(StoreRef(s, "CNY", "Asia/Shanghai") for s in ("tmall", "jd", "pdd", "douyin", "own"))


def test_plan_to_retro_and_live_in_chinese_and_english(live_server, browser_page, small_warehouse, artifacts_dir):
    user(Role.OPS_DIRECTOR, "boss")
    p = plan("双11 大促", starts_on=dt.date(2025, 10, 15), ends_on=dt.date(2025, 11, 13), stores=ALL,
             goal_gmv=Decimal("2400000"))
    page = browser_page
    browser_login(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/campaigns/plans/{p.pk}/")
    page.click("[data-analytics-links] a[href$='/retro/']")
    page.wait_for_selector("[data-retro]")
    page.wait_for_selector("[data-chart='daily'][data-chart-ready]")
    text = page.inner_text("body")
    assert "增量支付金额" in text and "新客质量" in text and "无活动基线" in text
    page.screenshot(path=str(artifacts_dir / "campaigns-retro-zh.png"), full_page=True)
    page.click(".lang-switch button[value=en]")
    page.wait_for_function("() => document.documentElement.lang.startsWith('en')")
    page.wait_for_selector("[data-chart='daily'][data-chart-ready]")
    text = page.inner_text("body")
    assert "Incremental GMV" in text and "New-buyer quality" in text
    page.screenshot(path=str(artifacts_dir / "campaigns-retro-en.png"), full_page=True)
    page.goto(f"{live_server.url}/campaigns/plans/{p.pk}/live/?as_of=2025-11-11")
    page.wait_for_selector("[data-chart='hours'][data-chart-ready]")
    assert "Projected finish" in page.inner_text("body")
    page.screenshot(path=str(artifacts_dir / "campaigns-live-en.png"), full_page=True)


def test_the_live_page_works_on_a_phone(live_server, browser_page, small_warehouse, artifacts_dir):
    """Issue 19 item 10: the director opens a campaign's live page from the 晨报 on a phone (390 px):
    nothing wider than the screen, the tiles' numbers on one line, the charts as wide as the screen
    with their day and hour labels thinned out instead of printed over each other."""
    from support.phone import PHONE, charts_fit, page_fits

    user(Role.OPS_DIRECTOR, "boss")
    p = plan("双11 大促", starts_on=dt.date(2025, 10, 15), ends_on=dt.date(2025, 11, 13), stores=ALL,
             goal_gmv=Decimal("2400000"))
    page = browser_page
    page.set_viewport_size(PHONE)
    browser_login(page, live_server.url, "boss", PASSWORD)
    for lang in ("zh", "en"):
        if lang == "en":
            page.click(".lang-switch button[value=en]")
            page.wait_for_function("() => document.documentElement.lang.startsWith('en')")
        page.goto(f"{live_server.url}/campaigns/plans/{p.pk}/live/?as_of=2025-11-11")
        page.wait_for_selector("[data-chart='hours'][data-chart-ready]", state="attached")
        page.wait_for_selector("[data-chart='days'][data-chart-ready]", state="attached")
        page_fits(page)
        charts_fit(page)
        page.screenshot(path=str(artifacts_dir / f"phone-campaign-live-{lang}.png"), full_page=True)
