"""A purchase order typed by hand on /inventory/orders/new/ (walkthrough B #3, #16, #20).

* The store of a line is given as the pages show it (its name, 店铺s1) or by its id (s1); an unknown store
  is refused as a store — naming the stores — not as an "unknown SKU".
* An empty description is filled with the warehouse's product title and SKU spec, as the replenishment's
  lines are: the supplier's XLSX has it.
* Unit prices on the PO and replenishment pages are money in the supplier's currency (¥10.50), as the totals.
Expected values are the fixture's own (tests/inventory/app_shop.py: stores 店铺s1 / 店铺s2, products 商品<code>,
spec 颜色:黑), not read from the code under test.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from shopops.core.roles import Role
from shopops.inventory import services
from shopops.inventory.models import PurchaseOrder
from shopops.team.services import role_groups_sync, user_create
from tests.inventory import app_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_client(warehouse, client):
    app_shop.build(warehouse)
    role_groups_sync()
    buyer = user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT)
    supplier = services.supplier_create(user=buyer, code="SUP-A", name="供应商甲")
    for code in app_shop.CODES:
        services.supplier_item_set(user=buyer, supplier=supplier, merchant_code=code, unit_price="10.50", moq=10,
                                   case_pack=5, valid_from=app_shop.DAY)
    client.force_login(buyer)
    return client, supplier


def test_a_line_names_its_store_by_name_or_id(buyer_client):
    c, supplier = buyer_client
    r = c.post("/inventory/orders/new/", {"supplier": supplier.pk,
                                          "lines": "店铺s1, s1-M-1, M-1, 10\ns2, s2-M-2, M-2, 20\n 店铺S2 , s2-M-3, M-3, 15"})
    assert r.status_code == 302, r.content.decode()[-2000:]
    po = PurchaseOrder.objects.get()
    got = [(ln.store_id, ln.sku_id, ln.quantity, ln.description) for ln in po.lines.order_by("line_no")]
    assert got == [("s1", "s1-M-1", 10, "商品M-1 颜色:黑"), ("s2", "s2-M-2", 20, "商品M-2 颜色:黑"),
                   ("s2", "s2-M-3", 15, "商品M-3 颜色:黑")]


def test_an_unknown_store_is_named_as_such_with_the_stores_to_choose_from(buyer_client):
    c, supplier = buyer_client
    c.cookies["django_language"] = "en"
    r = c.post("/inventory/orders/new/", {"supplier": supplier.pk, "lines": "栖木官方旗舰店, s1-M-1, M-1, 10"})
    html = r.content.decode()
    assert r.status_code == 400 and "unknown SKU" not in html
    assert "line 1: unknown store &#x27;栖木官方旗舰店&#x27; — give a store&#x27;s name or id: 店铺s1 (s1)、店铺s2 (s2)" in html
    c.cookies["django_language"] = "zh-hans"
    html = c.post("/inventory/orders/new/", {"supplier": supplier.pk, "lines": "s9, s1-M-1, M-1, 10"}).content.decode()
    assert "第 1 行：没有店铺 &#x27;s9&#x27;——请填写店铺名称或 ID：店铺s1 (s1)、店铺s2 (s2)" in html
    # a known store with an unknown SKU still says the SKU is unknown
    html = c.post("/inventory/orders/new/", {"supplier": supplier.pk, "lines": "店铺s1, GHOST, M-1, 10"}).content.decode()
    assert "第 1 行（店铺 s1，SKU GHOST）：未知 SKU" in html
    assert not PurchaseOrder.objects.exists()
    # the form lists the stores by name and id
    page = c.get("/inventory/orders/new/").content.decode()
    assert re.search(r"<b>店铺s1</b> <code>s1</code>", page) and re.search(r"<b>店铺s2</b> <code>s2</code>", page)


def test_the_supplier_xlsx_of_a_hand_made_po_has_the_description_and_prices_carry_the_currency(buyer_client):
    c, supplier = buyer_client
    assert c.post("/inventory/orders/new/", {"supplier": supplier.pk, "lines": "店铺s1, s1-M-1, M-1, 10"}).status_code == 302
    po = PurchaseOrder.objects.get()
    r = c.get(f"/inventory/orders/{po.pk}/?format=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    (line,) = [[cell.value for cell in row] for row in sheet.iter_rows() if isinstance(row[0].value, int)]
    assert line[:5] == [1, "M-1", "商品M-1 颜色:黑", "s1-M-1", "店铺s1"]
    # the PO page: unit price as money, like its total (10 × ¥10.50 = ¥105.00)
    html = c.get(f"/inventory/orders/{po.pk}/").content.decode()
    assert [(Decimal(v), t) for v, t in re.findall(r'data-col="unit_price" data-value="([^"]+)">([^<]+)<', html)] == [
        (Decimal("10.50"), "¥10.50")]
    assert "¥105.00" in html and "商品M-1 颜色:黑" in html


def test_replenishment_unit_prices_carry_the_currency(buyer_client):
    c, _supplier = buyer_client
    html = c.get("/inventory/replenishment/?store=s1").content.decode()
    cells = re.findall(r'data-col="unit_price" data-value="([^"]+)">([^<]+)<', html)
    assert cells
    for value, text in cells:
        assert re.fullmatch(r"¥\d{1,3}(,\d{3})*\.\d{2}", text) and Decimal(text[1:].replace(",", "")) == Decimal(value)


def test_the_stock_page_counts_rows_with_a_thousands_separator(buyer_client, monkeypatch):
    from shopops.inventory import views

    c, _supplier = buyer_client
    real = views.selectors.stock_view

    def many(**kwargs):
        day, rows, _matching, totals = real(**kwargs)
        return day, rows, 6150, totals  # the large demo's 6,150 positions

    monkeypatch.setattr(views.selectors, "stock_view", many)
    html = c.get("/inventory/").content.decode()
    assert "共 6,150 行" in html
