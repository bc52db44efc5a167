"""The inventory pages through Django's client: every page and action is refused (403) to a role
without the module; bad input answers 400 with the precise message and writes nothing; the PO
workbook is laid out as a supplier receives it and is formula-safe."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from shopops.core.roles import Role
from shopops.inventory import selectors, services
from shopops.inventory.models import PurchaseOrder, Receipt, Supplier
from shopops.promotions.models import Promotion
from shopops.team.services import role_groups_sync, user_create
from tests.inventory import app_shop

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def users(db):
    role_groups_sync()
    return {role: user_create(username=role.value, password=PASSWORD, role=role) for role in
            (Role.PROCUREMENT, Role.OPS_DIRECTOR, Role.DESIGNER, Role.OPS_SPECIALIST)}


@pytest.fixture
def shop(warehouse, users):
    app_shop.build(warehouse)
    buyer = users[Role.PROCUREMENT]
    s = services.supplier_create(user=buyer, code="SUP-A", name="=HYPERLINK(\"http://x\")甲")
    services.supplier_contact_add(user=buyer, supplier=s, name="王经理", work_phone="0571-1234")
    for code in app_shop.CODES:
        services.supplier_item_set(user=buyer, supplier=s, merchant_code=code, unit_price="10.50", moq=10,
                                   case_pack=5, valid_from=app_shop.DAY)
    po = services.purchase_order_create(
        user=buyer, supplier=s, ordered_on=app_shop.DAY, now=timezone.now(),
        lines=[services.LineIn("s1", "s1-M-5", "M-5", 20, description="=1+2 连衣裙"),
               services.LineIn("s2", "s2-M-3", "M-3", 15, unit_price="9.99")])
    return {"supplier": s, "po": po}


def _client(client, user):
    client.force_login(user)
    return client


def test_a_role_without_inventory_gets_403_everywhere(client, users, shop):
    c = _client(client, users[Role.DESIGNER])
    po, s = shop["po"], shop["supplier"]
    for url in ["/inventory/", "/inventory/?format=xlsx", "/inventory/replenishment/", "/inventory/forecast/",
                "/inventory/stocking-plan/", "/inventory/suppliers/", f"/inventory/suppliers/{s.pk}/",
                "/inventory/orders/", "/inventory/orders/new/", f"/inventory/orders/{po.pk}/",
                f"/inventory/orders/{po.pk}/?format=xlsx"]:
        assert c.get(url).status_code == 403, url
    for url, data in [("/inventory/suppliers/", {"code": "X", "name": "X", "currency": "CNY", "promised_lead_days": 3}),
                      (f"/inventory/orders/{po.pk}/send/", {}), (f"/inventory/orders/{po.pk}/cancel/", {}),
                      (f"/inventory/orders/{po.pk}/approve/", {}),
                      (f"/inventory/orders/{po.pk}/receive/", {"reference": "D", "received_on": "2026-11-30", "line_1": 5}),
                      ("/inventory/replenishment/", {"token": "t", "row": f"{s.pk}|s1|s1-M-5|M-5", f"qty|{s.pk}|s1|s1-M-5|M-5": 10}),
                      ("/inventory/clearance/", {"sku": "s1-M-1"})]:
        assert c.post(url, data).status_code == 403, url
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.DRAFT and Supplier.objects.count() == 1
    assert PurchaseOrder.objects.count() == 1 and not Promotion.objects.exists()


def test_procurement_may_not_approve_but_the_director_may(client, users, shop, settings):
    settings.SHOPOPS_PO_APPROVAL_THRESHOLD = "100"
    po = shop["po"]
    c = _client(client, users[Role.PROCUREMENT])
    # the buyer's page does not offer what the server refuses: no send button, the state in words
    page = c.get(f"/inventory/orders/{po.pk}/").content.decode()
    assert "data-awaiting-approval" in page and 'data-po-action="send"' not in page and "等待运营总监审批" in page
    r = c.post(f"/inventory/orders/{po.pk}/send/")
    assert r.status_code == 400 and "超过审批线 ¥100.00" in r.content.decode()
    r = c.post(f"/inventory/orders/{po.pk}/approve/")
    assert r.status_code == 403 and "只有运营总监可以审批采购单" in r.content.decode()
    c.force_login(users[Role.OPS_DIRECTOR])
    assert 'data-po-action="approve"' in c.get(f"/inventory/orders/{po.pk}/").content.decode()
    assert c.post(f"/inventory/orders/{po.pk}/approve/").status_code == 302
    c.force_login(users[Role.PROCUREMENT])
    assert 'data-po-action="send"' in c.get(f"/inventory/orders/{po.pk}/").content.decode()
    assert c.post(f"/inventory/orders/{po.pk}/send/").status_code == 302
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.SENT
    # sent: nothing awaits approval any more (the note said "needs approval" on orders already placed)
    assert "需运营总监审批后才能下单" not in c.get(f"/inventory/orders/{po.pk}/").content.decode()


def test_bad_receipt_input_is_named_and_nothing_is_written(client, users, shop):
    po = shop["po"]
    c = _client(client, users[Role.PROCUREMENT])
    c.post(f"/inventory/orders/{po.pk}/send/")
    r = c.post(f"/inventory/orders/{po.pk}/receive/", {"reference": "DN1", "received_on": "2026-11-30",
                                                       "line_1": 20, "line_2": 99})
    assert r.status_code == 400
    assert "第 2 行（SKU s2-M-3）：实收 99 超过未到货的 15 件（共订 15 件）" in r.content.decode()  # zh UI: zh message
    r = c.post(f"/inventory/orders/{po.pk}/receive/", {"reference": "", "received_on": "30/11/2026", "line_1": -1})
    assert r.status_code == 400
    assert not Receipt.objects.exists() and all(line.received_quantity == 0 for line in po.lines.all())
    r = c.post(f"/inventory/orders/{po.pk}/receive/", {"reference": "DN1", "received_on": "2026-11-30", "line_1": 20})
    assert r.status_code == 302
    r = c.post(f"/inventory/orders/{po.pk}/receive/", {"reference": "DN1", "received_on": "2026-11-30", "line_1": 20})
    assert r.status_code == 302 and Receipt.objects.count() == 1
    assert [line.received_quantity for line in po.lines.all()] == [20, 0]


def test_a_po_form_with_an_unknown_sku(client, users, shop):
    c = _client(client, users[Role.PROCUREMENT])
    r = c.post("/inventory/orders/new/", {"supplier": shop["supplier"].pk, "lines": "s1, s1-M-1, M-1, 10\ns1, GHOST, M-1, 10"})
    assert r.status_code == 400
    assert "第 2 行（店铺 s1，SKU GHOST）：未知 SKU" in r.content.decode()
    r = c.post("/inventory/orders/new/", {"supplier": shop["supplier"].pk, "lines": "s1, s1-M-1, 10"})
    assert r.status_code == 400 and "有 3 个字段" in r.content.decode()  # zh-Hans is the default language
    assert PurchaseOrder.objects.count() == 1


def test_po_workbook_for_the_supplier(client, users, shop):
    po = shop["po"]
    c = _client(client, users[Role.PROCUREMENT])
    r = c.get(f"/inventory/orders/{po.pk}/?format=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(v[0] == po.number or v[1] == po.number for v in values)
    supplier_row = next(v for v in values if v[1] and "SUP-A" in str(v[1]))
    assert supplier_row[1].startswith("SUP-A =HYPERLINK")  # text, not a formula
    lines = [v for v in values if isinstance(v[0], int)]
    # the supplier reads the stores' names (app_shop names them 店铺s1, 店铺s2), never shopops' ids
    assert [(v[1], v[3], v[4], v[5]) for v in lines] == [("M-5", "s1-M-5", "店铺s1", 20), ("M-3", "s2-M-3", "店铺s2", 15)]
    # no SHOPOPS_BUYER_NAME here: the buyer is the stores the goods are for (it was a setup hint to the supplier)
    buyer_row = next(v for v in values if v[0] == "采购方")  # the page language: zh-Hans, the default
    assert buyer_row[1] == "店铺s1、店铺s2"
    assert lines[0][2] == "=1+2 连衣裙"
    assert [Decimal(str(v[7])) for v in lines] == [Decimal("210.00"), Decimal("149.85")]
    total = values[-1]
    assert total[5] == 35 and Decimal(str(total[7])) == Decimal("359.85")  # 20 x 10.50 + 15 x 9.99, by hand
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    assert any(isinstance(v[1], dt.datetime) and v[1].date() == po.ordered_on for v in values)


def test_pages_render_with_data(client, users, shop, warehouse):
    c = _client(client, users[Role.PROCUREMENT])
    r = c.get("/inventory/")
    assert r.status_code == 200 and 'data-table="stock"' in r.content.decode()
    # the store column names the store (the stores table of app_shop), keeping the id for sorting and exports
    assert 'data-col="store_id" data-value="s1"><span class="inv-store">店铺s1</span></td>' in r.content.decode()
    assert c.get("/inventory/?view=code&status=slow").status_code == 200
    r = c.get("/inventory/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet.max_row == 1 + 12  # header + 2 stores x 6 SKUs
    assert c.get(f"/inventory/suppliers/{shop['supplier'].pk}/").status_code == 200
    assert c.get("/inventory/replenishment/").status_code == 200
    r = c.get("/inventory/stocking-plan/?starts_on=2026-12-10&ends_on=2026-12-12&uplift=3")
    assert r.status_code == 200 and 'data-table="plan"' in r.content.decode()
    r = c.get("/inventory/stocking-plan/?starts_on=2026-12-12&ends_on=2026-12-10")
    assert r.status_code == 400 and "活动结束日（2026-12-10）早于开始日（2026-12-12）" in r.content.decode()


def test_clearance_creates_an_inactive_draft_promotion(client, users, shop):
    c = _client(client, users[Role.OPS_SPECIALIST])
    r = c.post("/inventory/clearance/", {"sku": "s1-M-4", "title": "商品M-4"})
    promotion = Promotion.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/promotions/promotions/{promotion.pk}/edit/"
    assert promotion.scope_skus == ["s1-M-4"] and not promotion.is_active and promotion.kind == "item_discount"
    # procurement has inventory but not promotions: refused
    c.force_login(users[Role.PROCUREMENT])
    assert c.post("/inventory/clearance/", {"sku": "s1-M-4"}).status_code == 403


def test_stock_table_shows_money_in_the_store_currency(client, users, shop):
    """Lost sales and overstock are money (like the tiles), the aged column says it counts units."""
    import re

    html = _client(client, users[Role.PROCUREMENT]).get("/inventory/?store=s1").content.decode()
    cells = re.findall(r'data-col="(lost_sales|excess_value)" data-value="([^"]*)">([^<]*)<', html)
    assert cells and any(Decimal(v) > 0 for _c, v, _t in cells)
    for _col, value, text in cells:
        assert text == f"¥{Decimal(value):,.2f}", (value, text)  # the shop's stores sell in CNY
    assert "库龄>90天（件）" in html
    assert 'class="inv-title"' in html


def test_stocking_plan_money_is_the_store_currency_with_thousands_separators(client, users, shop):
    """The plan's note and its sales-at-risk cells are money as everywhere else (``¥12,345.60``): the total
    at risk is the sum of the rows' values (read back from the page), the cells are each row's value."""
    import re

    c = _client(client, users[Role.PROCUREMENT])
    html = c.get("/inventory/stocking-plan/?starts_on=2026-12-10&ends_on=2026-12-31").content.decode()
    cells = re.findall(r'data-col="at_risk" data-value="([^"]+)">([^<]+)</td>', html)
    assert cells
    money = re.compile(r"^¥\d{1,3}(,\d{3})*\.\d{2}$")
    for value, text in cells:
        assert money.match(text) and Decimal(text[1:].replace(",", "")) == Decimal(value)
    total = sum(Decimal(v) for v, _ in cells)
    assert total >= 1000  # large enough to need a separator
    note = re.search(r"不备货约有 (\S+) 销售额面临风险", html)[1]
    assert money.match(note) and Decimal(note[1:].replace(",", "")) == total


def test_stocking_plan_lists_only_what_to_order_and_values_the_expected_shortage(client, users, shop):
    """Every row orders something (a late SKU with enough stock has nothing to order: not a plan line), and its
    sales at risk are the engine's expected units short without the order × the price (not a whole unit's
    price for every SKU with any doubt)."""
    import re

    from shopops.inventory import planning

    c = _client(client, users[Role.PROCUREMENT])
    first, last = dt.date(2026, 12, 10), dt.date(2026, 12, 31)
    html = c.get(f"/inventory/stocking-plan/?store=s1&starts_on={first}&ends_on={last}").content.decode()
    shown = dict(re.findall(r'data-col="sku_id" data-value="([^"]+)">.*?data-col="quantity" data-value="(\d+)"', html, re.S))
    at_risk = dict(re.findall(r'data-col="sku_id" data-value="([^"]+)">.*?data-col="at_risk" data-value="([^"]+)"', html, re.S))
    assert shown and all(int(q) > 0 for q in shown.values())
    x = selectors._engine_inputs(store_id="s1", day=selectors.stock_day(), con=selectors.connect())
    lines = planning.campaign_plan(forecast=x["forecast"], stock=x["stock"], terms=x["terms"], today=selectors.stock_day(),
                                   first=first, last=last, open_po=x["open_po"])
    by_sku = {x["rows"][line.item_id]["sku_id"]: line for line in lines}
    assert set(shown) == {sku for sku, line in by_sku.items() if line.order_qty > 0}
    assert any(line.order_qty == 0 and line.late for line in by_sku.values())  # such lines exist and are left out
    price = {f"s1-{code}": app_shop.PRICE[code] for code in app_shop.CODES}
    for sku, value in at_risk.items():
        expected = price[sku] * Decimal(str(by_sku[sku].expected_short_units))
        assert abs(Decimal(value) - expected) <= Decimal("0.01"), (sku, value, expected)
