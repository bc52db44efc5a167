"""Ids from the public collector (and the store's backend) are a safe charset and length
(issue 14): an id that would be HTML, a path, a formula or just too long is a 422 naming the
field, and nothing of the batch is stored."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pyarrow as pa
import pytest

from shopops.ingest.services import api_key_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db

ATTACKS = [
    "<img src=x onerror=window.__xss=1>",
    "a/b",
    "=HYPERLINK(\"http://evil.example\")",
    "-2+3",
    "@SUM(A1)",
    "with space",
    "礼盒🎁",
    "x" * 65,
    "P1\x00x",
]


@pytest.fixture
def own_store(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["own"], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    return warehouse


def _post(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="text/plain", **extra)


def _event(**kw):
    # an hour ago: the collector accepts events within a window around now
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    return {"event_id": "e1", "type": "product_view", "visitor_id": "v1",
            "occurred_at": recent, "page": "product", "product_id": "P1", **kw}


@pytest.mark.parametrize("bad", ATTACKS)
@pytest.mark.parametrize("field", ["product_id", "visitor_id", "event_id", "customer_id", "session_id"])
def test_collector_refuses_unsafe_ids_naming_the_field(client, own_store, bad, field):
    key = api_key_create(store_id="own", kind="collect", name="site")[1]
    r = _post(client, f"/api/collect?k={key}", {"events": [_event(event_id="e0"), _event(**{field: bad})]})
    assert r.status_code == 422, r.content
    fields = {f["field"]: f["message"] for f in r.json()["error"]["fields"]}
    assert f"events.1.{field}" in fields
    assert "letters, digits" in fields[f"events.1.{field}"] or "at most 64" in fields[f"events.1.{field}"]
    assert own_store.table("events").count().execute() == 0  # not even the good event


def test_ordinary_ids_still_pass(client, own_store):
    key = api_key_create(store_id="own", kind="collect", name="site")[1]
    ok = _event(event_id="3f2b1c9e-5d4a-4e8b-9c7d-1a2b3c4d5e6f", visitor_id="v_20251111.01",
                product_id="TEE-001:red", session_id="s1", customer_id="U12345")
    r = _post(client, f"/api/collect?k={key}", {"events": [ok]})
    assert r.status_code == 202, r.content
    assert own_store.table("events").count().execute() == 1


def test_order_upserts_refuse_unsafe_product_ids(client, own_store):
    key = api_key_create(store_id="own", kind="server", name="backend")[1]
    order = {"order_id": "W1", "customer_id": "u1", "status": "paid",
             "created_at": "2025-11-11T00:01:00+08:00", "paid_at": "2025-11-11T00:02:00+08:00", "paid_amount": "90.00",
             "lines": [{"line_no": 1, "product_id": "P1", "quantity": 1, "unit_price": "100.00", "paid_amount": "90.00"}]}
    bad = copy.deepcopy(order)
    bad["lines"][0]["product_id"] = ATTACKS[0]
    r = client.post("/api/orders", data=json.dumps({"orders": [bad]}), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 422
    assert "orders.0.lines.0.product_id" in [f["field"] for f in r.json()["error"]["fields"]]
    assert own_store.table("orders").count().execute() == 0
