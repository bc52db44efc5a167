"""The 复盘's linked findings in a real Chromium on the small demo warehouse: the director links a
suggested finding with a verdict and a note, sees it listed, in zh-Hans then English (screenshots in
test-artifacts/: campaigns-retro-findings-zh.png, -en.png)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.campaigns.models import RetroFinding
from shopops.campaigns.services import StoreRef
from shopops.core.roles import Role
from support.pages import browser_login

from .factories import PASSWORD, plan, user
from .test_retro_findings import EVIDENCE, finding

pytestmark = pytest.mark.django_db(transaction=True)
ALL = tuple(StoreRef(s, "CNY", "Asia/Shanghai") for s in ("tmall", "jd", "pdd", "douyin", "own"))


def test_link_a_suggested_finding_in_chinese_then_english(live_server, browser_page, small_warehouse, artifacts_dir):
    user(Role.OPS_DIRECTOR, "boss")
    p = plan("双11 大促", starts_on=dt.date(2025, 10, 15), ends_on=dt.date(2025, 11, 13), stores=ALL,
             goal_gmv=Decimal("2400000"))
    peak = finding("tmall", dt.date(2025, 11, 11), actual=420000.0, expected=300000.0)
    dip = finding("jd", dt.date(2025, 11, 20), kpi="paid_orders", actual=150.0, expected=400.0, severity="medium",
                  product="P-9", evidence=EVIDENCE, titles={"P-9": "羽绒服 <b>轻薄</b>"})
    page = browser_page
    browser_login(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/campaigns/plans/{p.pk}/retro/")
    page.wait_for_selector("[data-retro-findings]")
    page.locator("[data-retro-findings]").screenshot(path=str(artifacts_dir / "campaigns-retro-suggestions-zh.png"))
    row = page.locator(f"[data-suggested-finding='{peak.pk}']")
    assert row.locator("select[name=verdict]").input_value() == "went_well"  # above expected: went well preselected
    row.locator("input[name=note]").fill("主会场爆发，直通车加投有效")
    row.locator(f"[data-link='{peak.pk}']").click()
    page.wait_for_selector(f"[data-linked-finding='{peak.pk}']")
    row = page.locator(f"[data-suggested-finding='{dip.pk}']")
    assert row.locator("select[name=verdict]").input_value() == "went_badly"
    row.locator("input[name=note]").fill("活动后断货，补货晚了")
    row.locator(f"[data-link='{dip.pk}']").click()
    page.wait_for_selector(f"[data-linked-finding='{dip.pk}']")
    linked = page.inner_text("[data-table='retro-findings']")
    assert "做得好" in linked and "做得不好" in linked and "活动后断货，补货晚了" in linked and "羽绒服 <b>轻薄</b>" in linked
    assert page.locator("[data-suggested-finding]").count() == 0
    assert "已关联到复盘" in page.inner_text("body")
    page.locator("[data-retro-findings]").screenshot(path=str(artifacts_dir / "campaigns-retro-findings-zh.png"))
    page.click(".lang-switch button[value=en]")
    page.wait_for_function("() => document.documentElement.lang.startsWith('en')")
    page.wait_for_selector("[data-retro-findings]")
    linked = page.inner_text("[data-table='retro-findings']")
    assert "Went well" in linked and "Went badly" in linked and "Paid orders" in linked
    page.locator(f"[data-unlink='{peak.pk}']").click()
    page.wait_for_selector(f"[data-suggested-finding='{peak.pk}']")
    assert list(RetroFinding.objects.filter(plan=p).values_list("finding_id", flat=True)) == [dip.pk]
    page.locator("[data-retro-findings]").screenshot(path=str(artifacts_dir / "campaigns-retro-findings-en.png"))
