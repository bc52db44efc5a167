"""Products at real size (issue 19 item 6): every product with search and pages, styles across
stores by merchant code, product-level buyers / conversion / margin / stock, the SKU table and
the price history of a product. The shop is ``test_analysis_views.load_shop`` (counted by hand
there) plus, here, merchant codes and one stock snapshot:

  tmall S1 (P1) QM-A01-0101 · jd S9 (P1) QM-A01-0102 -> style QM-A01 = tmall P1 + jd P1
  tmall S2 (P2) QM-B02-0101 -> style QM-B02
  period 2025-11-10..11 lines: tmall P1 S1 2 × 100.00 (c1, 11-10), 1 × 50.50 (c2, 11-11);
  tmall P2 S2 4 × 200.00 + 1 × 30.00 (c2); jd P1 S9 1 × 49.50 (c9)
  -> tmall P1: buyers 2, visitors 2 (v1, v2) -> conversion 100 %; margin 150.50 − 3 × 20 = 90.50
  -> style QM-A01: GMV 150.50 + 49.50 = 200.00, units 4, buyers 3, 2 listings, avg price 50.00
  stock: tmall S1 30 on 2025-11-11 -> days of cover 30 / (3 units / 2 days) = 20
  price paid per unit, tmall P1: 11-10 100.00 / 2 = 50.00; 11-11 50.50
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.web.analysis import views
from shopops.warehouse.loader import load
from support.pages import table_rows
from tests.web.test_analysis_views import PERIOD, _as_own_site, load_shop, login  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(warehouse):
    load_shop(warehouse)
    # product visitors and conversion below are counted from the events: own-site stores (a platform store's
    # come from its product report, tests/web/test_platform_visitors.py)
    _as_own_site(warehouse)
    load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": "tmall", "sku_id": "S1", "product_id": "P1", "cost": Decimal("20.00"), "merchant_code": "QM-A01-0101",
         "spec": "颜色:黑色;尺码:L", "price": Decimal("59.00")},
        {"store_id": "tmall", "sku_id": "S2", "product_id": "P2", "cost": Decimal("10.00"), "merchant_code": "QM-B02-0101"},
        {"store_id": "jd", "sku_id": "S9", "product_id": "P1", "merchant_code": "QM-A01-0102"},
    ]))
    load(warehouse, "inventory_snapshots", pa.Table.from_pylist([
        {"store_id": "tmall", "date": dt.date(2025, 11, 11), "sku_id": "S1", "on_hand": 30}]))
    return warehouse


def test_listing_rows_carry_buyers_conversion_margin_and_style(client, login, shop):  # noqa: F811
    login()
    html = client.get(reverse("web:products"), PERIOD).content.decode()
    rows = {(r["store_id"], r["product_id"]): r for r in table_rows(html, "products")}
    p1 = rows[("天猫旗舰店", "P1")]
    assert p1["item_buyers"] == "2" and float(p1["item_conversion_rate"]) == pytest.approx(1.0)
    assert Decimal(p1["item_margin"]) == Decimal("90.50") and p1["style"] == "QM-A01" and p1["closing_on_hand"] == "30"
    assert rows[("京东旗舰店", "P1")]["style"] == "QM-A01"
    # the chart names products by title and store
    chart = re.search(r'id="chart-data-products"[^>]*>(.*?)</script>', html, re.S).group(1)
    assert "轻暖羽绒服 P2 · 天猫旗舰店" in chart.encode().decode("unicode_escape")


def test_search_pages_and_styles(client, login, shop, monkeypatch):  # noqa: F811
    login()
    found = table_rows(client.get(reverse("web:products"), {**PERIOD, "q": "羽绒"}).content.decode(), "products")
    assert [r["product_id"] for r in found] == ["P2"]
    by_code = table_rows(client.get(reverse("web:products"), {**PERIOD, "q": "qm-a01"}).content.decode(), "products")
    assert sorted(r["store_id"] for r in by_code) == ["京东旗舰店", "天猫旗舰店"]

    monkeypatch.setattr(views, "PRODUCTS_PER_PAGE", 2)
    first = client.get(reverse("web:products"), PERIOD).content.decode()
    assert [r["product_id"] for r in table_rows(first, "products")] == ["P2", "P1"]
    assert 'data-page="1" data-pages="2"' in first and 'data-page-link="next"' in first
    second = client.get(reverse("web:products"), {**PERIOD, "page": 2}).content.decode()
    assert [r["item_gmv"] for r in table_rows(second, "products")] == ["49.50"]
    assert client.get(reverse("web:products"), {**PERIOD, "page": 0}).status_code == 400
    # the export holds every product of the search, not one page
    export = client.get(reverse("web:products"), {**PERIOD, "format": "xlsx"})
    import io

    import openpyxl

    assert openpyxl.load_workbook(io.BytesIO(export.content)).active.max_row == 1 + 3

    styles = {r["style"]: r for r in table_rows(
        client.get(reverse("web:products"), {**PERIOD, "group": "style"}).content.decode(), "products")}
    a = styles["QM-A01"]
    assert Decimal(a["item_gmv"]) == Decimal("200.00") and a["units_sold"] == "4" and a["listings"] == "2"
    assert a["item_buyers"] == "3" and float(a["avg_unit_price"]) == pytest.approx(50.0)


def test_product_page_skus_and_price_history(client, login, shop):  # noqa: F811
    login()
    html = client.get(reverse("web:product", args=("tmall", "P1")), PERIOD).content.decode()
    (sku,) = table_rows(html, "skus")
    assert sku["sku_id"] == "S1" and sku["merchant_code"] == "QM-A01-0101" and sku["units_sold"] == "3"
    assert Decimal(sku["item_gmv"]) == Decimal("150.50") and sku["on_hand"] == "30"
    assert float(sku["days_of_cover"]) == pytest.approx(20.0)
    prices = {r["day"]: r for r in table_rows(html, "prices")}
    assert prices["2025-11-10"]["avg"] == "50.00" and prices["2025-11-11"]["low"] == "50.50"
