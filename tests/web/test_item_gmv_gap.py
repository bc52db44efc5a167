"""The products page says why its item GMV is not GMV (walkthrough A #3: ¥24,566.00 vs ¥24,037.75, no word why).

Hand case, 2025-11-25 (a Tmall store whose item report gives price × quantity, not the line's paid amount):

  o1 paid 90.00 (a ¥10 store coupon on the order): lines 2 × 30.00 = 60.00 and 1 × 40.00 = 40.00 -> 100.00
  o2 paid 50.00: one line 50.00
  GMV 140.00, item GMV 150.00: ¥10.00 above GMV (the coupon, not split over the lines)

A second store whose o3 (paid 20.00) has no lines: item GMV 0.00 is ¥20.00 below its GMV.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.periods import Period
from shopops.core.roles import Role
from shopops.metrics.products import item_gmv_gap
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

DAY = Period(dt.date(2025, 11, 25), dt.date(2025, 11, 25))
PAID = dt.datetime(2025, 11, 25, 4, tzinfo=dt.UTC)


@pytest.fixture
def shop(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": s, "platform": p, "name": n, "currency": "CNY", "time_zone": "Asia/Shanghai"}
        for s, p, n in (("tm", "tmall", "天猫店"), ("jd", "jd", "京东店"))]))
    load(warehouse, "orders", pa.Table.from_pylist([
        {"store_id": s, "order_id": o, "customer_id": f"c-{o}", "status": "paid", "created_at": PAID, "paid_at": PAID,
         "paid_date": DAY.start, "paid_amount": Decimal(a)}
        for s, o, a in (("tm", "o1", "90.00"), ("tm", "o2", "50.00"), ("jd", "o3", "20.00"))]))
    load(warehouse, "order_lines", pa.Table.from_pylist([
        {"store_id": "tm", "order_id": o, "line_no": n, "product_id": p, "quantity": q, "unit_price": Decimal(u),
         "paid_amount": Decimal(u) * q, "paid_date": DAY.start}
        for o, n, p, q, u in (("o1", 1, "p1", 2, "30.00"), ("o1", 2, "p2", 1, "40.00"), ("o2", 1, "p1", 1, "50.00"))]))
    return warehouse


def test_the_gap_is_the_order_discounts_not_on_the_lines(shop):
    assert item_gmv_gap(DAY, stores=("tm",), con=shop) == (Decimal("150.00"), Decimal("140.00"), Decimal("10.00"))
    assert item_gmv_gap(DAY, stores=("jd",), con=shop) == (Decimal("0.00"), Decimal("20.00"), Decimal("-20.00"))


@pytest.mark.django_db
@pytest.mark.parametrize("language, store, words", [
    ("zh-hans", "tm", "商品支付金额(¥150.00)比支付金额(¥140.00)多 ¥10.00"),
    ("en", "tm", "Item GMV (¥150.00) is ¥10.00 above GMV (¥140.00)"),
    ("en", "jd", "Item GMV (¥0.00) is ¥20.00 below GMV (¥20.00)"),
])
def test_the_products_page_states_the_difference(client, shop, language, store, words):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    client.cookies["django_language"] = language
    html = client.get(reverse("web:products"), {"period": "custom", "start": "2025-11-25", "end": "2025-11-25",
                                                "store": store}).content.decode()
    assert words in html
