"""Entering 2027's State Council holiday schedule in a real Chromium, in zh then en: the calendar's
banner names the missing year, a bad line is refused with its message, the saved year shows on
the calendar with who entered it."""

from __future__ import annotations

import pytest

from shopops.campaigns import services
from shopops.core import festivals
from shopops.core.roles import Role
from support.pages import browser_login

from .factories import PASSWORD, user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh():
    services.entered_public_days_forget()
    yield
    services.entered_public_days_forget()


def test_enter_2027_from_the_calendar_banner_in_chinese_and_english(live_server, browser_page, warehouse, artifacts_dir):
    if 2027 in festivals.holiday_years():  # pragma: no cover - a newer package ships 2027
        pytest.skip("chinesecalendar ships 2027")
    user(Role.OPS_DIRECTOR, "boss")
    page = browser_page
    browser_login(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/campaigns/calendar/?view=month&date=2027-10-01")
    banner = page.wait_for_selector('[data-holidays-missing="2027"]')
    assert "2027" in banner.inner_text() and "没有法定节假日安排" in banner.inner_text()
    page.click('[data-holidays-missing] a')
    page.wait_for_selector("[data-holiday-form]")
    page.fill("[data-holiday-form] input[name=year]", "2027")
    page.fill("[data-holiday-form] textarea[name=days]", "2027-10-01~2027-10-07, 放假, 国庆节\n2027-10-03, 上班, 国庆节\n")
    page.click("[data-holiday-form] button.btn-primary")
    err = page.wait_for_selector("[data-error]")
    assert "第 2 行：2027-10-03 已是放假日（第 1 行）" in err.inner_text()  # a day both off and working
    page.fill("[data-holiday-form] textarea[name=days]", "2027-10-01~2027-10-07, 放假, 国庆节\n2027-09-26, 上班, 国庆节\n")
    page.fill("[data-holiday-form] input[name=notice]", "国办发明电〔2026〕")
    page.click("[data-holiday-form] button.btn-primary")
    page.wait_for_selector('[data-table="holiday-schedules"] tr[data-year="2027"]')
    assert "2027 年已保存：放假 7 天，调休上班 1 天" in page.content()
    assert page.inner_text('tr[data-year="2027"] [data-holidays]') == "7"
    page.screenshot(path=str(artifacts_dir / "campaigns-holidays-zh.png"), full_page=True)
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("text=Public holiday schedule")
    page.goto(f"{live_server.url}/campaigns/calendar/?view=month&date=2027-10-01")
    note = page.wait_for_selector('[data-holidays-entered="2027"]')
    assert "entered by boss" in note.inner_text()
    assert page.locator("[data-holidays-missing]").count() == 0
    assert "National Day" in page.content() or "国庆节" in page.content()
    page.screenshot(path=str(artifacts_dir / "campaigns-calendar-2027-en.png"), full_page=True)
