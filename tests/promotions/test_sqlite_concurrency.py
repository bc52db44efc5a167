"""The embedded app DB (SQLite) under concurrent writers: 8 web threads claiming coupons at once.

SQLite allows one writer at a time. It used to answer some of them "database is locked"
(2 of 8 claims became a 500): a DEFERRED transaction that read first could not upgrade to
a write lock. With WAL, IMMEDIATE transactions and a busy timeout every claim waits for
its turn. On PostgreSQL tests/promotions/test_concurrency.py covers the same ground.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from shopops.ingest.services import api_key_create
from shopops.promotions import services
from shopops.promotions.models import CouponCode
from shopops.warehouse.loader import load
from support.threads import in_threads

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip(f"SQLite locking is tested on SQLite; the app DB here is {connection.vendor}")


@pytest.fixture
def server_key(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["own"], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    return api_key_create(store_id="own", kind="server", name="backend")[1]


def test_the_sqlite_app_db_is_a_wal_file_with_immediate_transactions():
    with connection.cursor() as cur:
        assert cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cur.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert connection.transaction_mode == "IMMEDIATE"


@pytest.mark.parametrize("rounds", [3])
def test_8_threads_claiming_coupons_at_once_all_succeed(server_key, rounds):
    now = timezone.now()
    promo = services.promotion_create(name="¥10", kind="store_coupon", parameters={"amount": "10"})
    coupon = services.coupon_create(promotion=promo, name="¥10", valid_from=now - dt.timedelta(days=1),
                                    valid_until=now + dt.timedelta(days=1), total_quantity=THREADS * rounds,
                                    per_customer_limit=rounds)
    services.coupon_issue(coupon=coupon, now=now, claimable=THREADS * rounds)

    def claim(k: int) -> list[tuple[int, str]]:
        client = Client(raise_request_exception=False)
        out = []
        for _ in range(rounds):
            r = client.post("/api/coupons/claim", data=json.dumps({"customer_id": f"c{k}", "coupon_id": coupon.pk}),
                            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {server_key}")
            out.append((r.status_code, r.content.decode()[:300]))
        return out

    results = [r for per_thread in in_threads(THREADS, claim) for r in per_thread]
    assert [status for status, _ in results] == [200] * (THREADS * rounds), [b for s, b in results if s != 200]
    claimed = CouponCode.objects.filter(coupon=coupon).exclude(customer_id="")
    assert claimed.count() == THREADS * rounds
    assert sorted(set(claimed.values_list("customer_id", flat=True))) == sorted(f"c{k}" for k in range(THREADS))
