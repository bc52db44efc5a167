"""Points and check-ins under real concurrency: PostgreSQL only (the `--appdb-only` pass of `make test`).

SQLite serialises writers on one file lock, so these tests say nothing there: skipped.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from shopops.customers import selectors, services
from shopops.customers.models import CheckIn, PointsEntry, PointsReward, PointsWallet
from shopops.customers import coupons
from support.threads import in_threads

NOW = dt.datetime(2026, 11, 11, 4, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (make test re-runs app-DB tests with SHOPOPS_DATABASE_URL on "
                    f"PostgreSQL); the app DB here is {connection.vendor}")
    services._TZ_CACHE["own"] = (float("inf"), "Asia/Shanghai")  # no warehouse lookups from the threads
    yield
    services._TZ_CACHE.clear()


@pytest.fixture
def issuer():
    previous = (coupons._issuer, coupons._choices)
    lock = threading.Lock()
    issued: list[str] = []

    def fn(*, coupon_ref, customer_ids, now):
        with lock:
            issued.extend(customer_ids)
            return {c: f"{coupon_ref}-{len(issued)}" for c in customer_ids}

    coupons.register_issuer(fn)
    yield issued
    if previous[0]:
        coupons.register_issuer(previous[0], choices=previous[1])
    else:
        coupons.unregister_issuer()


def test_16_concurrent_redemptions_of_a_balance_for_5_succeed_exactly_5(issuer):
    services.points_earn_for_order(store_id="own", customer_id="u1", order_id="O1", paid_amount="500", now=NOW)
    reward = PointsReward.objects.create(name="¥10", coupon_ref="9", points_cost=100)

    def redeem(k: int) -> bool:
        try:
            services.points_redeem(store_id="own", customer_id="u1", reward_id=reward.pk, request_id=f"r{k}", now=NOW)
            return True
        except services.PointsError:
            return False

    outcomes = in_threads(16, redeem)
    assert len(outcomes) == 16 and outcomes.count(True) == 5
    assert selectors.points_balance(store_id="own", customer_id="u1") == 0
    assert PointsWallet.objects.get(store_id="own", customer_id="u1").balance == 0
    assert PointsEntry.objects.filter(kind="redeem").count() == 5 and len(issuer) == 5


def test_the_same_request_12_times_at_once_redeems_once(issuer):
    services.points_earn_for_order(store_id="own", customer_id="u1", order_id="O1", paid_amount="1000", now=NOW)
    reward = PointsReward.objects.create(name="¥10", coupon_ref="9", points_cost=100)

    def redeem(k: int) -> str:
        return services.points_redeem(store_id="own", customer_id="u1", reward_id=reward.pk, request_id="same",
                                        now=NOW).coupon_code

    codes = in_threads(12, redeem)
    assert len(codes) == 12 and len(set(codes)) == 1
    assert selectors.points_balance(store_id="own", customer_id="u1") == 900 and len(issuer) == 1


def test_12_concurrent_checkins_the_same_day_earn_once():
    def go(k: int) -> bool:
        return services.checkin(store_id="own", customer_id="u1", now=NOW + dt.timedelta(seconds=k)).created

    outcomes = in_threads(12, go)
    assert len(outcomes) == 12 and outcomes.count(True) == 1
    assert CheckIn.objects.count() == 1
    assert selectors.points_balance(store_id="own", customer_id="u1") == 5
