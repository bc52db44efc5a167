"""Check-in and the points ledger: once per store-local day, streaks, points per order once,
redemption for a coupon never below zero, FIFO expiry — through services and the HTTP API."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from shopops.customers import selectors, services
from shopops.customers.models import CheckIn, PointsEntry, PointsReward, PointsWallet
from shopops.customers import coupons
from shopops.ingest.services import api_key_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db
UTC = dt.UTC
# 2025-11-10 15:59 UTC is 23:59 in Shanghai; 16:00 UTC is the next Shanghai day
LATE = dt.datetime(2025, 11, 10, 15, 59, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_tz_cache():
    services._TZ_CACHE.clear()
    yield
    services._TZ_CACHE.clear()


@pytest.fixture
def issuer():
    previous = (coupons._issuer, coupons._choices)
    issued = []

    def fn(*, coupon_ref, customer_ids, now):
        issued.extend(customer_ids)
        return {c: f"{coupon_ref}-{len(issued)}" for c in customer_ids}

    coupons.register_issuer(fn)
    yield issued
    if previous[0]:
        coupons.register_issuer(previous[0], choices=previous[1])
    else:
        coupons.unregister_issuer()


def balance(store="own", customer="u1") -> int:
    return selectors.points_balance(store_id=store, customer_id=customer)


def test_checkin_once_per_store_local_day_with_streak(warehouse):
    load(warehouse, "stores", pa.table({"store_id": ["own"], "platform": ["own"], "name": ["商城"],
                                        "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
    first = services.checkin(store_id="own", customer_id="u1", now=LATE - dt.timedelta(hours=10))
    again = services.checkin(store_id="own", customer_id="u1", now=LATE)  # still 11-10 in Shanghai
    assert first.created and not again.created
    assert first.checkin.day == dt.date(2025, 11, 10) and again.checkin.pk == first.checkin.pk
    assert balance() == 5
    nxt = services.checkin(store_id="own", customer_id="u1", now=LATE + dt.timedelta(minutes=1))  # 11-11 00:00 local
    assert nxt.created and nxt.checkin.day == dt.date(2025, 11, 11) and nxt.checkin.streak == 2
    # five more days in a row: the 7th day earns the streak bonus (5 + 20)
    for d in range(1, 6):
        r = services.checkin(store_id="own", customer_id="u1", now=LATE + dt.timedelta(days=d, minutes=1))
    assert r.checkin.streak == 7 and r.checkin.points == 25
    assert balance() == 6 * 5 + 25
    # a day missed: the streak starts again
    r = services.checkin(store_id="own", customer_id="u1", now=LATE + dt.timedelta(days=8, minutes=1))
    assert r.checkin.streak == 1
    assert CheckIn.objects.filter(customer_id="u1").count() == 8


def test_store_time_zone_comes_from_the_warehouse(warehouse):
    load(warehouse, "stores", pa.table({"store_id": ["uk"], "platform": ["own"], "name": ["UK"],
                                        "currency": ["GBP"], "time_zone": ["Europe/London"]}))
    r = services.checkin(store_id="uk", customer_id="u1", now=LATE + dt.timedelta(hours=1))  # 17:00 in London
    assert r.checkin.day == dt.date(2025, 11, 10)


def test_points_per_order_once_and_redeem_never_below_zero(warehouse, issuer):
    now = LATE
    e = services.points_earn_for_order(store_id="own", customer_id="u1", order_id="O1", paid_amount="199.99", now=now)
    assert e.points == 199
    assert services.points_earn_for_order(store_id="own", customer_id="u1", order_id="O1", paid_amount="199.99",
                                            now=now) is None
    assert balance() == 199
    reward = PointsReward.objects.create(name="¥10 券", coupon_ref="7", points_cost=150)
    r = services.points_redeem(store_id="own", customer_id="u1", reward_id=reward.pk, request_id="req-1", now=now)
    assert r.created and r.coupon_code == "7-1" and r.balance == 49
    retry = services.points_redeem(store_id="own", customer_id="u1", reward_id=reward.pk, request_id="req-1", now=now)
    assert not retry.created and retry.coupon_code == "7-1" and retry.balance == 49 and len(issuer) == 1
    with pytest.raises(services.PointsError, match="fewer than 150 points"):
        services.points_redeem(store_id="own", customer_id="u1", reward_id=reward.pk, request_id="req-2", now=now)
    assert balance() == 49 and len(issuer) == 1
    assert PointsWallet.objects.get(store_id="own", customer_id="u1").balance == 49


def test_a_failed_coupon_issue_takes_no_points(warehouse):
    previous = (coupons._issuer, coupons._choices)
    coupons.unregister_issuer()
    try:
        services.points_earn_for_order(store_id="own", customer_id="u1", order_id="O1", paid_amount="500", now=LATE)
        reward = PointsReward.objects.create(name="券", coupon_ref="7", points_cost=100)
        with pytest.raises(coupons.NoCouponIssuer):
            services.points_redeem(store_id="own", customer_id="u1", reward_id=reward.pk, request_id="r", now=LATE)
    finally:
        if previous[0]:
            coupons.register_issuer(previous[0], choices=previous[1])
    assert balance() == 500
    assert not PointsEntry.objects.filter(kind="redeem").exists()


def test_expiry_takes_only_unspent_old_points_fifo_and_twice_changes_nothing(warehouse, issuer):
    t0 = dt.datetime(2024, 1, 1, tzinfo=UTC)
    services.points_earn_for_order(store_id="own", customer_id="u1", order_id="A", paid_amount="100", now=t0)
    services.points_earn_for_order(store_id="own", customer_id="u1", order_id="B", paid_amount="50",
                                     now=t0 + dt.timedelta(days=200))
    reward = PointsReward.objects.create(name="券", coupon_ref="1", points_cost=30)
    services.points_redeem(store_id="own", customer_id="u1", reward_id=reward.pk, request_id="x",
                             now=t0 + dt.timedelta(days=100))
    # hand count: A (100, expires day 365) minus the 30 spent, oldest first -> 70 of A expire on day 365
    assert services.points_expire(now=t0 + dt.timedelta(days=364)) == 0
    assert services.points_expire(now=t0 + dt.timedelta(days=366)) == 70
    assert services.points_expire(now=t0 + dt.timedelta(days=367)) == 0
    assert balance() == 50
    # B expires on day 565: all 50 left
    assert services.points_expire(now=t0 + dt.timedelta(days=566)) == 50
    assert balance() == 0


@pytest.fixture
def key(warehouse):
    load(warehouse, "stores", pa.table({"store_id": ["own"], "platform": ["own"], "name": ["商城"],
                                        "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
    return api_key_create(store_id="own", kind="server", name="backend")[1]


def call(client, method, url, body=None, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "url"), [("post", "/api/customers/checkin"), ("get", "/api/customers/points?customer_id=u"),
                                             ("post", "/api/customers/points/earn"), ("post", "/api/customers/points/redeem"),
                                             ("post", "/api/customers/opt-out")])
def test_every_endpoint_needs_a_server_key(client, method, url):
    r = call(client, method, url, {})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_api_checkin_earn_balance_redeem_opt_out(client, key, issuer):
    r = call(client, "post", "/api/customers/checkin", {"customer_id": "u1"}, key)
    assert r.status_code == 200, r.content
    assert r.json()["created"] is True and r.json()["points"] == 5 and r.json()["streak"] == 1
    again = call(client, "post", "/api/customers/checkin", {"customer_id": "u1"}, key).json()
    assert again["created"] is False and again["points"] == 0 and again["balance"] == 5
    r = call(client, "post", "/api/customers/points/earn",
             {"customer_id": "u1", "order_id": "O9", "paid_amount": "88.80"}, key).json()
    assert r == {"points": 88, "created": True, "balance": 93}
    reward = PointsReward.objects.create(name="¥5", coupon_ref="3", points_cost=90)
    r = call(client, "post", "/api/customers/points/redeem",
             {"customer_id": "u1", "reward_id": reward.pk, "request_id": "k1"}, key)
    assert r.json() == {"coupon_code": "3-1", "points": -90, "created": True, "balance": 3}
    r = call(client, "post", "/api/customers/points/redeem",
             {"customer_id": "u1", "reward_id": reward.pk, "request_id": "k2"}, key)
    assert r.status_code == 400 and "fewer than 90 points" in r.json()["error"]["message"]
    body = call(client, "get", "/api/customers/points?customer_id=u1", key=key).json()
    assert body["balance"] == 3 and [e["kind"] for e in body["entries"]] == ["redeem", "spend", "checkin"]
    r = call(client, "post", "/api/customers/checkin", {"customer_id": "u1", "store_id": "tmall"}, key)
    assert r.status_code == 403 and "this API key is for store 'own'" in r.json()["error"]["message"]
    r = call(client, "post", "/api/customers/opt-out", {"customer_id": "u1", "channel": "fax"}, key)
    assert r.status_code == 400 and "channel: 'fax' is not one of" in r.json()["error"]["message"]
    r = call(client, "post", "/api/customers/opt-out", {"customer_id": "u1", "channel": "sms"}, key)
    assert r.status_code == 200 and r.json()["channel"] == "sms"
    r = call(client, "post", "/api/customers/points/earn",
             {"customer_id": "u1", "order_id": "O10", "paid_amount": "-1"}, key)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "paid_amount"
