"""The promotions API through the real HTTP stack: quote, coupons, flash sales, auth, errors."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa
import pytest
from django.utils import timezone

from shopops.ingest.services import api_key_create
from shopops.promotions import services
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_key(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["own"], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    return api_key_create(store_id="own", kind="server", name="backend")[1]


def post(client, url, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("url", ["/api/pricing/quote", "/api/coupons/claim", "/api/coupons/redeem",
                                 "/api/flash-sales/1/reserve", "/api/flash-sales/1/release"])
def test_every_endpoint_needs_a_server_key(client, url):
    r = post(client, url, {})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"


def test_quote_explains_every_cent(client, server_key):
    d8 = services.promotion_create(name="8折", kind="item_discount", parameters={"rate": "0.8"}, stackable=True)
    mj = services.promotion_create(name="满300减40", kind="tiered_reduction",
                                   parameters={"tiers": [["200", "20"], ["300", "40"]]}, stackable=True)
    body = {"lines": [{"sku": "A", "unit_price": "350.00", "quantity": 1}]}
    r = post(client, "/api/pricing/quote", body, server_key)
    assert r.status_code == 200, r.content
    out = r.json()
    # 350 -> 280 after 8折: threshold 300 not met, 满200减20 -> 260
    assert Decimal(out["final_total"]) == Decimal("260.00")
    assert sorted(out["applied"]) == sorted([str(d8.pk), str(mj.pk)])
    assert sum(Decimal(d["amount"]) for d in out["lines"][0]["discounts"]) == Decimal("90.00")


def test_quote_validation_error_shape(client, server_key):
    r = post(client, "/api/pricing/quote", {"lines": [{"sku": "A", "unit_price": "-1", "quantity": 0}]}, server_key)
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["error"]["fields"]}
    assert "lines.0.unit_price" in fields and "lines.0.quantity" in fields


def test_claim_redeem_twice_and_flash_sale(client, server_key, warehouse, settings):
    settings.SHOPOPS_TASKS_IMMEDIATE = True  # the flush runs in the request thread
    now = timezone.now()
    p = services.promotion_create(name="¥30", kind="store_coupon", parameters={"amount": "30"})
    coupon = services.coupon_create(promotion=p, name="¥30", valid_from=now - dt.timedelta(days=1),
                                    valid_until=now + dt.timedelta(days=1), total_quantity=2)
    services.coupon_issue(coupon=coupon, now=now, claimable=2)
    r = post(client, "/api/coupons/claim", {"customer_id": "u1", "coupon_id": coupon.pk}, server_key)
    assert r.status_code == 200, r.content
    code = r.json()["code"]
    ok = post(client, "/api/coupons/redeem", {"code": code, "customer_id": "u1", "order_id": "O1"}, server_key)
    assert ok.status_code == 200 and ok.json()["order_id"] == "O1"
    again = post(client, "/api/coupons/redeem", {"code": code, "customer_id": "u1", "order_id": "O2"}, server_key)
    assert again.status_code == 400 and "already redeemed" in again.json()["error"]["message"]

    sale = services.flash_sale_create(sku="TEE", price=Decimal("9.90"), quantity=1, starts_at=now - dt.timedelta(minutes=1),
                                      ends_at=now + dt.timedelta(hours=1))
    r1 = post(client, f"/api/flash-sales/{sale.pk}/reserve", {"buyer_id": "b1"}, server_key)
    assert r1.status_code == 200 and r1.json()["status"] == "reserved"
    r2 = post(client, f"/api/flash-sales/{sale.pk}/reserve", {"buyer_id": "b2"}, server_key)
    assert r2.status_code == 400 and r2.json()["error"]["message"] == "sold out"
    rel = post(client, f"/api/flash-sales/{sale.pk}/release", {"buyer_id": "b1", "reservation_id": r1.json()["id"]}, server_key)
    assert rel.json() == {"released": True}
    assert post(client, f"/api/flash-sales/{sale.pk}/reserve", {"buyer_id": "b2"}, server_key).status_code == 200
    # every accepted call became a warehouse fact under the key's store, through the loader
    red = warehouse.table("coupon_redemptions").to_pandas()
    assert list(zip(red.store_id, red.code, red.order_id)) == [("own", code, "O1")]
    res = warehouse.table("flash_sale_reservations").to_pandas().sort_values("customer_id")
    assert list(zip(res.store_id, res.customer_id, res.status)) == [("own", "b1", "released"), ("own", "b2", "reserved")]
