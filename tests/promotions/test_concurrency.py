"""Stock and coupons under real concurrency: PostgreSQL only (the `--appdb-only` pass of `make test`).

SQLite serialises writers on one file lock, so these tests say nothing there: skipped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count

from shopops.promotions import services
from shopops.promotions.models import FlashSale, FlashSaleBuyer, Reservation, WarehouseOutbox
from support.threads import in_threads

NOW = dt.datetime(2026, 11, 11, 0, 0, tzinfo=dt.timezone.utc)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (make test re-runs app-DB tests with SHOPOPS_DATABASE_URL on PostgreSQL); "
                    f"the app DB here is {connection.vendor}")


def test_64_buyers_200_attempts_sell_exactly_1000_units():
    sale = services.flash_sale_create(sku="TEE", price=Decimal("9.90"), quantity=1000, per_buyer_limit=20,
                                      starts_at=NOW, ends_at=NOW + dt.timedelta(hours=1))

    def buyer(k: int) -> int:
        got = 0
        for attempt in range(200):
            try:
                services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id=f"b{k}", quantity=1, now=NOW)
                got += 1
            except services.FlashSaleError:
                pass
        return got

    per_buyer = in_threads(64, buyer)
    sale.refresh_from_db()
    assert sum(per_buyer) == 1000
    assert sale.remaining == 0
    assert Reservation.objects.filter(flash_sale=sale).count() == 1000
    assert max(per_buyer) <= 20
    assert all(row.units <= 20 for row in FlashSaleBuyer.objects.filter(flash_sale=sale))
    # each buyer's counter equals its reservations; one outbox row per reservation
    held = dict(FlashSaleBuyer.objects.filter(flash_sale=sale).values_list("buyer_id", "units"))
    reserved = dict(Reservation.objects.filter(flash_sale=sale).values("buyer_id").annotate(n=Count("id"))
                    .values_list("buyer_id", "n"))
    assert held == reserved and sorted(reserved.values()) == sorted(n for n in per_buyer if n)
    assert WarehouseOutbox.objects.filter(fact="flash_sale_reservations").count() == 1000
    # concurrent attempts were written in shared statements (group commit), not one by one
    assert services._reserve_batcher(sale.pk).batches < 1000


def test_one_coupon_redeemed_50_times_concurrently_succeeds_once():
    p = services.promotion_create(name="¥30", kind="store_coupon", parameters={"amount": "30"})
    coupon = services.coupon_create(promotion=p, name="¥30", valid_from=NOW - dt.timedelta(days=1),
                                    valid_until=NOW + dt.timedelta(days=1), total_quantity=1)
    [code] = services.coupon_issue(coupon=coupon, now=NOW, customer_ids=["u1"])

    def redeem(k: int) -> bool:
        try:
            services.coupon_redeem(code=code.code, customer_id="u1", order_id=f"O{k}", now=NOW)
            return True
        except services.CouponError:
            return False

    outcomes = in_threads(50, redeem)
    assert outcomes.count(True) == 1
    code.refresh_from_db()
    assert code.redeemed_at is not None and code.order_id.startswith("O")


def test_one_buyer_32_concurrent_requests_get_exactly_the_limit():
    sale = services.flash_sale_create(sku="TEE", price=Decimal("9.90"), quantity=100, per_buyer_limit=3,
                                      starts_at=NOW, ends_at=NOW + dt.timedelta(hours=1))

    def attempt(k: int) -> bool:
        try:
            services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="same-buyer", quantity=1, now=NOW)
            return True
        except services.FlashSaleError:
            return False

    outcomes = in_threads(32, attempt)
    sale.refresh_from_db()
    assert outcomes.count(True) == 3
    assert sale.remaining == 97  # refused requests gave back nothing they did not take
    assert FlashSaleBuyer.objects.get(flash_sale=sale, buyer_id="same-buyer").units == 3
    assert Reservation.objects.filter(flash_sale=sale).count() == 3
    # one warehouse outbox row per reservation, none for a refusal
    assert WarehouseOutbox.objects.filter(fact="flash_sale_reservations").count() == 3
