"""In Chromium at 1440 px, zh then en: the stock table fits (no sideways scroll, the suggested action is on
screen), and the stocking plan started from a campaign plan shows its hero SKU first (screenshots in
test-artifacts/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.campaigns.models import CampaignPlan
from shopops.core.roles import Role
from shopops.inventory import services
from shopops.team.services import role_groups_sync, user_create
from tests.inventory import app_shop
from tests.support.pages import browser_login

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def test_stock_table_fits_1440_and_the_plan_picker_works(live_server, browser_page, warehouse, artifacts_dir):
    app_shop.build(warehouse)
    role_groups_sync()
    buyer = user_create(username="buyer", password=PASSWORD, role=Role.OPS_DIRECTOR)
    supplier = services.supplier_create(user=buyer, code="SUP-A", name="杭州甲供应商", promised_lead_days=10)
    for code in app_shop.CODES:
        services.supplier_item_set(user=buyer, supplier=supplier, merchant_code=code, unit_price="10", moq=10,
                                   case_pack=5, valid_from=app_shop.DAY)
    plan = CampaignPlan.objects.create(name="双12", store_ids=["s1"], starts_on=dt.date(2026, 12, 10),
                                       ends_on=dt.date(2026, 12, 12), status=CampaignPlan.Status.APPROVED,
                                       hero_skus=["M-6"], goal_gmv=Decimal("50000"))
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, live_server.url, "buyer", PASSWORD)
    for lang in ("zh", "en"):
        if lang == "en":
            page.click("button[name=language][value=en]")
            page.wait_for_function("() => document.documentElement.lang === 'en'")
        page.goto(f"{live_server.url}/inventory/")
        page.wait_for_selector("[data-table=stock]")
        wrap = page.evaluate("""() => { const w = document.querySelector('[data-table=stock]').closest('.table-wrap');
            return [w.scrollWidth, w.clientWidth]; }""")
        assert wrap[0] <= wrap[1], (lang, wrap)  # nothing hidden to the right
        action = page.locator("[data-table=stock] td[data-col=actions]").first.bounding_box()
        assert action is not None and action["x"] + action["width"] <= 1440
        page.screenshot(path=str(artifacts_dir / f"inventory-stock-1440-{lang}.png"))
        page.goto(f"{live_server.url}/inventory/stocking-plan/")
        page.select_option("[data-plan-pick] select[name=plan]", str(plan.pk))
        page.click("[data-plan-pick] button")
        page.wait_for_selector("[data-chosen-plan]")
        assert page.locator("[data-table=plan] tbody tr").first.get_attribute("class") in (None, "", "late")
        assert page.locator("[data-table=plan] [data-col=sku_id]").first.get_attribute("data-value") == "s1-M-6"
        assert page.locator("[data-uplift]").count() == 1  # the goal's uplift is stated and used
        page.screenshot(path=str(artifacts_dir / f"inventory-stocking-from-plan-{lang}.png"), full_page=True)
