"""The main flow in Chromium, in Chinese then English: a replenishment suggestion becomes a draft
PO, it is sent, a partial delivery is recorded and then the rest (screenshots in test-artifacts/)."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role
from shopops.inventory import services
from shopops.inventory.models import PurchaseOrder
from shopops.team.services import role_groups_sync, user_create
from tests.inventory import app_shop
from tests.support.pages import browser_login

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def _order_one_suggestion(page, base: str, artifacts_dir, lang: str, store: str) -> str:
    page.goto(f"{base}/inventory/replenishment/?store={store}")
    page.wait_for_selector("[data-replenishment-form]")
    page.screenshot(path=str(artifacts_dir / f"inventory-replenishment-{lang}.png"), full_page=True)
    inputs = page.locator("[data-qty]")
    assert inputs.count() >= 1
    row = page.locator("[data-suggestion]").first.get_attribute("data-suggestion")
    for i in range(1, inputs.count()):  # order only the first suggestion
        inputs.nth(i).fill("0")
    page.click("[data-create-pos]")
    page.wait_for_selector("[data-table=orders]")
    page.locator("[data-table=orders] [data-col=number] a").first.click()
    page.wait_for_selector("[data-po-detail][data-status=draft]")
    page.click("[data-po-action=send]")
    page.wait_for_selector("[data-po-detail][data-status=sent]")
    ordered = int(page.locator("[data-table=lines] [data-col=quantity]").first.get_attribute("data-value"))
    page.fill("input[name=reference]", f"DN-{lang}-1")
    page.fill("input[name=line_1]", str(ordered // 2))
    page.click("[data-receive]")
    page.wait_for_selector("[data-po-detail][data-status=partly_received]")
    page.fill("input[name=reference]", f"DN-{lang}-2")
    page.click("[data-receive]")  # the rest, as prefilled
    page.wait_for_selector("[data-po-detail][data-status=received]")
    page.screenshot(path=str(artifacts_dir / f"inventory-po-{lang}.png"), full_page=True)
    return row


def test_suggestion_to_po_to_receipt_in_zh_and_en(live_server, browser_page, warehouse, artifacts_dir):
    app_shop.build(warehouse)
    role_groups_sync()
    buyer = user_create(username="buyer", password=PASSWORD, role=Role.PROCUREMENT)
    supplier = services.supplier_create(user=buyer, code="SUP-A", name="杭州甲供应商", promised_lead_days=10)
    for code in app_shop.CODES:
        services.supplier_item_set(user=buyer, supplier=supplier, merchant_code=code, unit_price="10", moq=10,
                                   case_pack=5, valid_from=app_shop.DAY)
    page = browser_page
    browser_login(page, live_server.url, "buyer", PASSWORD)
    page.goto(f"{live_server.url}/inventory/")
    page.wait_for_selector("[data-table=stock]")
    assert "库存健康" in page.content()
    page.screenshot(path=str(artifacts_dir / "inventory-stock-zh.png"), full_page=True)
    first = _order_one_suggestion(page, live_server.url, artifacts_dir, "zh", "s1")
    assert "已收货" in page.inner_text("[data-po-status]")

    page.click("button[name=language][value=en]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    second = _order_one_suggestion(page, live_server.url, artifacts_dir, "en", "s2")
    assert page.inner_text("[data-po-status]").strip() == "Received"
    assert first.startswith("s1|") and second.startswith("s2|")
    page.goto(f"{live_server.url}/inventory/replenishment/?store=s1")
    page.wait_for_selector("[data-replenishment-form], [data-no-suggestions]")
    assert page.locator(f'[data-suggestion="{first}"]').count() == 0  # its stock arrived: no longer suggested
    assert PurchaseOrder.objects.filter(status=PurchaseOrder.Status.RECEIVED).count() == 2
    page.goto(f"{live_server.url}/inventory/")
    page.wait_for_selector("[data-table=stock]")
    page.screenshot(path=str(artifacts_dir / "inventory-stock-en.png"), full_page=True)
