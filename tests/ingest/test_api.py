"""The store's own site: collector and order/refund upserts through the real HTTP stack."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from shopops.ingest.collector import traffic_source
from shopops.ingest.services import api_key_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_store(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["own"], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    return warehouse


@pytest.fixture
def collect_key(own_store):
    return api_key_create(store_id="own", kind="collect", name="mini-program")[1]


@pytest.fixture
def server_key(own_store):
    return api_key_create(store_id="own", kind="server", name="backend")[1]


# yesterday in Shanghai, 00:05: still the day before in UTC (the collector accepts the last 7 days)
DAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)


def event(i, **kw):
    return {"event_id": f"e{i}", "type": "page_view", "visitor_id": "v1",
            "occurred_at": f"{DAY.isoformat()}T00:05:00+08:00", "page": "home", **kw}


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body) if not isinstance(body, (str, bytes)) else body,
                       content_type="text/plain", **headers)


def test_collect_stores_events_once_and_maps_utm(client, own_store, collect_key):
    batch = {"events": [event(1, utm_medium="cpc"), event(2, type="product_view", product_id="P1")]}
    r = post(client, f"/api/collect?k={collect_key}", batch)
    assert r.status_code == 202 and r.json() == {"received": 2, "stored": 2, "duplicates": 0}
    r = post(client, f"/api/collect?k={collect_key}", batch)
    assert r.json() == {"received": 2, "stored": 0, "duplicates": 2}
    rows = own_store.table("events").order_by("event_id").to_pandas()
    assert list(rows.traffic_source) == ["ads", "direct"]
    assert rows.event_date[0].date() == DAY  # the Shanghai day, although 16:05 UTC of the day before
    assert r["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"events": [event(1, type="click")]}, 422, "events.0.type"),
        ({"events": [event(1, occurred_at="2025-11-11 00:05:00")]}, 422, "events.0.occurred_at"),
        ({"events": [{k: v for k, v in event(1).items() if k != "visitor_id"}]}, 422, "events.0.visitor_id"),
        ({"events": []}, 422, "events"),
        ({"events": [event(1, colour="red")]}, 422, "events.0.colour"),
        ("{not json", 400, None),
    ],
)
def test_malformed_events_get_a_4xx_naming_the_field(client, collect_key, body, status, field):
    r = post(client, f"/api/collect?k={collect_key}", body)
    assert r.status_code == status
    err = r.json()["error"]
    if field:
        assert field in [f["field"] for f in err["fields"]]
    else:
        assert err["message"].startswith("body is not JSON")


def test_collect_refuses_unknown_keys_and_oversized_bodies(client, collect_key):
    assert post(client, "/api/collect?k=pk_nope.x", {"events": [event(1)]}).status_code == 401
    big = {"events": [event(i, url="x" * 2000) for i in range(200)]}
    r = post(client, f"/api/collect?k={collect_key}", big)
    assert r.status_code == 413 and "at most 262144" in r.json()["error"]["message"]


def test_traffic_source_mapping():
    assert traffic_source(None, None) == "direct"
    assert traffic_source("wechat", None) == "social"
    assert traffic_source("baidu", "organic") == "search"
    assert traffic_source("newsletter", "email") == "other"


ORDER = {
    "order_id": "W1", "customer_id": "u1", "status": "paid",
    "created_at": "2025-11-11T00:01:00+08:00", "paid_at": "2025-11-11T00:02:00+08:00", "paid_amount": "150.00",
    "lines": [
        {"line_no": 1, "product_id": "P1", "quantity": 1, "unit_price": "100.00", "paid_amount": "90.00"},
        {"line_no": 2, "product_id": "P2", "quantity": 2, "unit_price": "30.00", "paid_amount": "60.00"},
    ],
}


def test_orders_and_refunds_upsert_with_a_server_key(client, own_store, server_key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {server_key}"}
    r = client.post("/api/orders", data=json.dumps({"orders": [ORDER]}), content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    assert r.json()["orders"] == {"inserted": 1, "updated": 0, "unchanged": 0}
    assert r.json()["order_lines"]["inserted"] == 2
    changed = {**ORDER, "status": "completed"}
    r = client.post("/api/orders", data=json.dumps({"orders": [changed]}), content_type="application/json", **auth)
    assert r.json()["orders"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    refund = {"refund_id": "R1", "order_id": "W1", "line_no": 2, "amount": "30.00", "status": "success",
              "refunded_at": "2025-11-12T10:00:00+08:00"}
    r = client.post("/api/refunds", data=json.dumps({"refunds": [refund]}), content_type="application/json", **auth)
    assert r.json()["refunds"]["inserted"] == 1
    orders = own_store.table("orders").to_pandas()
    assert orders.status.tolist() == ["completed"] and str(orders.goods_amount[0]) == "160.00"


def test_order_whose_lines_do_not_add_up_is_refused(client, server_key):
    bad = {**ORDER, "paid_amount": "151.00"}
    r = client.post("/api/orders", data=json.dumps({"orders": [bad]}), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {server_key}")
    assert r.status_code == 422
    assert "lines add up to 150.00" in r.json()["error"]["fields"][0]["message"]


def test_orders_need_the_secret_key_not_the_collector_key(client, collect_key):
    r = client.post("/api/orders", data=json.dumps({"orders": [ORDER]}), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {collect_key}")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
