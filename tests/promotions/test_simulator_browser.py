"""The simulator page in a real browser, in Chinese and English (screenshots in test-artifacts/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from shopops.promotions import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_simulator_breakdown_and_floor_matrix(live_server, browser_page, django_user_model, warehouse, artifacts_dir):
    user = django_user_model.objects.create_user("ops", password="shopops-test-1")
    user.user_permissions.add(Permission.objects.get(codename="use_promotions"))
    d8 = services.promotion_create(name="双11 8折", kind="item_discount", parameters={"rate": "0.8"}, stackable=True)
    m300 = services.promotion_create(name="每满300减50", kind="every_reduction",
                                     parameters={"threshold": "300", "amount": "50"}, stackable=True)
    cp = services.promotion_create(name="¥30 店铺券", kind="store_coupon", parameters={"amount": "30"}, stackable=True)
    x = services.promotion_create(name="跨店每满300减50", kind="cross_store_reduction", bearer="platform",
                                  store_share=Decimal("0.5"), parameters={"threshold": "300", "amount": "50"})
    services.floor_price_set(sku="TEE-001", list_price=Decimal("100"), cost=Decimal("60"), category="tops")
    services.floor_price_set(sku="COAT-003", list_price=Decimal("500"), cost=Decimal("200"), category="coats")
    now = timezone.now()
    campaign = services.campaign_create(name="双11 主会场", starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=1),
                             promotions=[d8, m300, cp, x])

    page = browser_page
    page.goto(f"{live_server.url}/login/?next=/promotions/simulator/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", "shopops-test-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/promotions/simulator/")

    page.fill("textarea[name=lines]", "TEE-001 1\nCOAT-003 1")
    page.select_option("select[name=campaign]", label="双11 主会场")
    page.check("input[name=hold_coupons]")
    page.click("[data-simulator-form] button[type=submit]")
    page.wait_for_selector("[data-breakdown]")
    # 600 -> 480 (8折) -> 每满300减50 x1 -> 430 -> ¥30 -> 400 -> 跨店每满300减50 x1 -> 350
    assert page.inner_text("[data-final-total]").strip() == "¥350.00"
    assert page.locator("[data-matrix] td[data-violation]").count() >= 1
    assert "最终单价" in page.content() or "到手价" in page.content()
    page.screenshot(path=str(artifacts_dir / "promotions-simulator-zh.png"), full_page=True)

    page.click("text=English")
    page.wait_for_selector("text=Final unit price by scenario")
    page.screenshot(path=str(artifacts_dir / "promotions-simulator-en.png"), full_page=True)

    page.goto(f"{live_server.url}/promotions/campaigns/{campaign.pk}/?check=1")
    page.wait_for_selector("[data-floor-report]")
    assert page.locator('[data-violation="TEE-001"]').count() == 1
    page.screenshot(path=str(artifacts_dir / "promotions-campaign-en.png"), full_page=True)
