"""Limits of the store-facing API: the collector's time window, a rate limit shared by every
worker (promotions and customers too), coupons and flash sales scoped to the key's store,
and keys managed from the command line and a directors' page."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys

import pyarrow as pa
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shopops import cli
from shopops.core.roles import Role
from shopops.ingest.models import ApiKey, ApiRateWindow
from shopops.ingest.services import api_key_check, api_key_create
from shopops.promotions import services as promotions
from shopops.promotions.models import CouponCode, Reservation
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def stores(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["own", "other"], "platform": ["own", "own"], "name": ["小程序商城", "另一家店"],
        "currency": ["CNY", "CNY"], "time_zone": ["Asia/Shanghai", "Asia/Shanghai"],
    }))
    return warehouse


def post(client, url, body, key=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers, **extra)


def event(i, at: dt.datetime) -> dict:
    return {"event_id": f"e{i}", "type": "page_view", "visitor_id": "v1", "occurred_at": at.isoformat()}


# --- the collector's time window ------------------------------------------------------------

def test_events_far_in_the_past_or_future_are_refused_each_named(client, stores):
    key = api_key_create(store_id="own", kind="collect", name="site")[1]
    now = dt.datetime.now(dt.UTC)
    batch = {"events": [event(0, now - dt.timedelta(hours=1)), event(1, now - dt.timedelta(days=400)),
                        event(2, now + dt.timedelta(days=30)), event(3, now - dt.timedelta(days=6))]}
    r = post(client, f"/api/collect?k={key}", batch)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid" and "2 event(s) outside the accepted time window" in error["message"]
    assert [f["field"] for f in error["fields"]] == ["events.1.occurred_at", "events.2.occurred_at"]
    assert "SHOPOPS_COLLECT_PAST_DAYS" in error["fields"][0]["message"]
    assert stores.table("events").count().execute() == 0  # nothing of the batch stored
    batch["events"] = [batch["events"][0], batch["events"][3]]
    assert post(client, f"/api/collect?k={key}", batch).status_code == 202


def test_the_window_is_configurable(client, stores, monkeypatch):
    key = api_key_create(store_id="own", kind="collect", name="site")[1]
    monkeypatch.setenv("SHOPOPS_COLLECT_PAST_DAYS", "400")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=300)
    assert post(client, f"/api/collect?k={key}", {"events": [event(1, old)]}).status_code == 202


# --- one rate limit for every worker --------------------------------------------------------

def test_promotions_and_customers_apis_are_throttled(client, stores):
    key, raw = api_key_create(store_id="own", kind="server", name="backend", rate_per_minute=3)
    quote = {"lines": [{"sku": "A", "unit_price": "10.00", "quantity": 1}]}
    codes = [post(client, "/api/pricing/quote", quote, raw).status_code for _ in range(2)]
    codes.append(client.get("/api/customers/points?customer_id=c1", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code)
    limited = post(client, "/api/pricing/quote", quote, raw)
    assert codes == [200, 200, 200] and limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert "more than 3 requests a minute" in limited.json()["error"]["message"]
    assert ApiRateWindow.objects.get(prefix=key.prefix).count == 4


@pytest.mark.django_db(transaction=True)
def test_the_count_is_shared_with_another_worker_process(client, stores):
    """A second process (another worker) sees the requests this one counted."""
    key, raw = api_key_create(store_id="own", kind="server", name="backend", rate_per_minute=2)
    quote = {"lines": [{"sku": "A", "unit_price": "10.00", "quantity": 1}]}
    assert [post(client, "/api/pricing/quote", quote, raw).status_code for _ in range(2)] == [200, 200]
    minute = ApiRateWindow.objects.get(prefix=key.prefix).minute  # the minute those two were counted in
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'shopops.config.settings'; django.setup()\n"
        "from shopops.ingest.models import ApiKey\nfrom shopops.ingest.services import api_key_throttle\n"
        f"print(api_key_throttle(key=ApiKey.objects.get(prefix={key.prefix!r}), now={minute * 60 + 30}))"
    )
    env = {**os.environ, "SHOPOPS_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"  # the third request this minute, counted in another process


# --- coupons and flash sales belong to a store ----------------------------------------------

def test_another_stores_key_cannot_claim_redeem_reserve_or_release(client, stores):
    own = api_key_create(store_id="own", kind="server", name="own backend")[1]
    other = api_key_create(store_id="other", kind="server", name="other backend")[1]
    now = timezone.now()
    promo = promotions.promotion_create(name="¥10", kind="store_coupon", parameters={"amount": "10"})
    coupon = promotions.coupon_create(promotion=promo, name="¥10", valid_from=now - dt.timedelta(days=1),
                                      valid_until=now + dt.timedelta(days=1), total_quantity=3, store_id="own")
    [held] = promotions.coupon_issue(coupon=coupon, now=now, customer_ids=["u1"])
    promotions.coupon_issue(coupon=coupon, now=now, claimable=1)
    sale = promotions.flash_sale_create(sku="TEE", price="9.90", quantity=5, starts_at=now - dt.timedelta(hours=1),
                                        ends_at=now + dt.timedelta(hours=1), store_id="own")

    r = post(client, "/api/coupons/redeem", {"code": held.code, "customer_id": "u1", "order_id": "X1"}, other)
    assert r.status_code == 400 and "unknown coupon code" in r.json()["error"]["message"]
    r = post(client, "/api/coupons/claim", {"customer_id": "u9", "coupon_id": coupon.pk}, other)
    assert r.status_code == 400 and f"no coupon {coupon.pk} in store other" in r.json()["error"]["message"]
    r = post(client, f"/api/flash-sales/{sale.pk}/reserve", {"buyer_id": "b1"}, other)
    assert r.status_code == 400 and f"no flash sale {sale.pk}" in r.json()["error"]["message"]
    held.refresh_from_db()
    assert held.redeemed_at is None and not CouponCode.objects.filter(customer_id="u9").exists()
    assert not Reservation.objects.exists()

    mine = post(client, f"/api/flash-sales/{sale.pk}/reserve", {"buyer_id": "b1"}, own)
    assert mine.status_code == 200
    r = post(client, f"/api/flash-sales/{sale.pk}/release", {"buyer_id": "b1", "reservation_id": mine.json()["id"]}, other)
    assert r.status_code == 200 and r.json() == {"released": False}
    assert post(client, "/api/coupons/redeem", {"code": held.code, "customer_id": "u1", "order_id": "O1"},
                own).status_code == 200


# --- keys: command line and the directors' page ---------------------------------------------

def test_cli_creates_lists_and_revokes_keys(stores, capsys):
    assert cli.main(["apikey", "create", "--store", "own", "--kind", "server", "--name", "backend", "--rate", "60"]) == 0
    out = capsys.readouterr()
    raw = out.out.strip()
    assert raw.startswith("sk_") and "not shown again" in out.err
    key = api_key_check(raw, kind="server")
    assert key is not None and key.rate_per_minute == 60 and raw not in key.key_hash
    assert cli.main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    assert key.prefix in listing and "backend" in listing and raw not in listing
    assert cli.main(["apikey", "revoke", key.prefix]) == 0
    assert api_key_check(raw, kind="server") is None
    assert cli.main(["apikey", "create", "--store", "nope", "--kind", "server", "--name", "x"]) == 2
    assert "unknown store 'nope'" in capsys.readouterr().err


def test_directors_manage_keys_on_a_page_and_see_the_secret_once(client, stores):
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    user_create(username="ops", password=PASSWORD, role=Role.OPS_SPECIALIST)
    client.login(username="ops", password=PASSWORD)
    assert client.get(reverse("ingest:api_keys")).status_code == 403
    assert client.post(reverse("ingest:api_keys"), {"store": "own", "kind": "server", "name": "x",
                                                   "rate_per_minute": 10}).status_code == 403
    client.login(username="director", password=PASSWORD)
    r = client.post(reverse("ingest:api_keys"), {"store": "own", "kind": "server", "name": "小程序后端",
                                                 "rate_per_minute": 120})
    html = r.content.decode()
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    key = ApiKey.objects.get()
    raw = re.search(r"data-secret>([^<]+)<", html).group(1)
    assert api_key_check(raw, kind="server") == key and key.created_by.username == "director"
    again = client.get(reverse("ingest:api_keys")).content.decode()
    assert key.prefix in again and raw not in again  # shown once
    r = client.post(reverse("ingest:api_key_revoke", args=[key.prefix]))
    assert r.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and api_key_check(raw, kind="server") is None
    bad = client.post(reverse("ingest:api_keys"), {"store": "nope", "kind": "server", "name": "x", "rate_per_minute": 1})
    assert bad.status_code == 400 and ApiKey.objects.count() == 1
