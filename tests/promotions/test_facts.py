"""Redemptions and reservations become warehouse facts through the loader (outbox + flush).

Expected rows are written out by hand from what the test did, not read back from the code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.promotions import facts, services
from shopops.promotions.models import Reservation, WarehouseOutbox

pytestmark = pytest.mark.django_db

# 01:30 on 11 Nov in Shanghai is still 10 Nov in UTC: the business date must be the 11th
REDEEM_AT = dt.datetime(2026, 11, 10, 17, 30, tzinfo=dt.timezone.utc)
SALE_AT = dt.datetime(2026, 11, 10, 16, 5, tzinfo=dt.timezone.utc)  # 00:05 on the 11th in Shanghai


def _redeemed_coupon():
    p = services.promotion_create(name="跨店 platform coupon", kind="platform_coupon", bearer="platform",
                                  store_share=Decimal("0.4"), parameters={"amount": "50", "threshold": "300"})
    coupon = services.coupon_create(promotion=p, name="¥50", valid_from=REDEEM_AT - dt.timedelta(days=1),
                                    valid_until=REDEEM_AT + dt.timedelta(days=1), total_quantity=5)
    [code] = services.coupon_issue(coupon=coupon, now=REDEEM_AT, customer_ids=["u1"])
    services.coupon_redeem(code=code.code, customer_id="u1", order_id="O-1", now=REDEEM_AT, store_id="own")
    return p, coupon, code


def _sale_with_every_status():
    sale = services.flash_sale_create(sku="TEE-001", price=Decimal("59.90"), quantity=10, per_buyer_limit=3,
                                      starts_at=SALE_AT - dt.timedelta(minutes=10), ends_at=SALE_AT + dt.timedelta(hours=2),
                                      reservation_minutes=15)
    paid = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=2, now=SALE_AT, store_id="own")
    released = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b2", quantity=1, now=SALE_AT, store_id="own")
    expired = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b3", quantity=1, now=SALE_AT, store_id="own")
    held = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b4", quantity=3, now=SALE_AT, store_id="own")
    assert services.flash_sale_pay(reservation_id=paid.pk, now=SALE_AT + dt.timedelta(minutes=5))
    assert services.flash_sale_release(reservation_id=released.pk, buyer_id="b2", now=SALE_AT + dt.timedelta(minutes=6))
    # at +16 min only b3's reservation is still unpaid past its 15 minutes
    assert services.flash_sale_pay(reservation_id=held.pk, now=SALE_AT + dt.timedelta(minutes=7))
    assert services.flash_sale_expire_reservations(now=SALE_AT + dt.timedelta(minutes=16)) == 1
    return sale, paid, released, expired, held


def _utc(minutes: int) -> dt.datetime:
    return SALE_AT + dt.timedelta(minutes=minutes)


def test_flush_writes_the_facts_equal_to_the_app_db_and_twice_changes_nothing(warehouse):
    _p, coupon, code = _redeemed_coupon()
    sale, paid, released, expired, held = _sale_with_every_status()
    assert WarehouseOutbox.objects.count() == 1 + 4 + 2 + 1 + 1  # redeem, 4 reserves, 2 pays, release, expiry

    first = facts.facts_flush(con=warehouse)
    assert first["coupon_redemptions"].inserted == 1
    assert first["flash_sale_reservations"].inserted == 4
    assert WarehouseOutbox.objects.count() == 0

    red = warehouse.table("coupon_redemptions").to_pandas()
    assert len(red) == 1
    r = red.iloc[0]
    assert (r.store_id, r.code, r.coupon_id, r.customer_id, r.order_id, r.bearer) == ("own", code.code, str(coupon.pk), "u1", "O-1", "platform")
    assert r.amount == Decimal("50.00") and r.store_amount == Decimal("20.00")  # 40 % of ¥50 is the store's
    assert r.business_date.isoformat()[:10] == "2026-11-11"
    assert r.redeemed_at.to_pydatetime() == REDEEM_AT

    res = warehouse.table("flash_sale_reservations").to_pandas().sort_values("reservation_id")
    got = {row.reservation_id: (row.customer_id, int(row.quantity), row.status, row.amount) for row in res.itertuples()}
    assert got == {
        str(paid.pk): ("b1", 2, "paid", Decimal("119.80")),
        str(released.pk): ("b2", 1, "released", Decimal("59.90")),
        str(expired.pk): ("b3", 1, "expired", Decimal("59.90")),
        str(held.pk): ("b4", 3, "paid", Decimal("179.70")),
    }
    by_id = {row.reservation_id: row for row in res.itertuples()}
    assert by_id[str(paid.pk)].paid_at.to_pydatetime() == _utc(5)
    assert by_id[str(released.pk)].closed_at.to_pydatetime() == _utc(6)
    assert by_id[str(expired.pk)].closed_at.to_pydatetime() == _utc(16)
    assert all(str(d)[:10] == "2026-11-11" for d in res.business_date)
    assert all(s == "own" and sku == "TEE-001" for s, sku in zip(res.store_id, res.sku_id))
    # the facts agree with the app DB, row for row
    app = {str(x.pk): x.status for x in Reservation.objects.all()}
    assert app == dict(zip(res.reservation_id, res.status))

    # nothing pending: a second flush does nothing
    assert facts.facts_flush(con=warehouse) == {}
    # a crash between load and delete leaves the outbox rows: loading them again changes nothing
    WarehouseOutbox.objects.create(fact="coupon_redemptions", object_key=code.code, store_id="own", created_at=REDEEM_AT)
    for pk in (paid.pk, released.pk, expired.pk, held.pk):
        WarehouseOutbox.objects.create(fact="flash_sale_reservations", object_key=str(pk), store_id="own", created_at=SALE_AT)
    again = facts.facts_flush(con=warehouse)
    assert (again["coupon_redemptions"].inserted, again["coupon_redemptions"].updated) == (0, 0)
    assert (again["flash_sale_reservations"].inserted, again["flash_sale_reservations"].updated) == (0, 0)
    assert warehouse.table("coupon_redemptions").count().execute() == 1
    assert warehouse.table("flash_sale_reservations").count().execute() == 4


def test_a_status_change_replaces_the_fact(warehouse):
    sale = services.flash_sale_create(sku="BAG-002", price=Decimal("99"), quantity=5, per_buyer_limit=1,
                                      starts_at=SALE_AT - dt.timedelta(minutes=1), ends_at=SALE_AT + dt.timedelta(hours=1))
    r = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=1, now=SALE_AT)
    facts.facts_flush(con=warehouse)
    assert list(warehouse.table("flash_sale_reservations").status.execute()) == ["reserved"]
    services.flash_sale_pay(reservation_id=r.pk, now=SALE_AT + dt.timedelta(minutes=2))
    result = facts.facts_flush(con=warehouse)
    assert (result["flash_sale_reservations"].inserted, result["flash_sale_reservations"].updated) == (0, 1)
    assert list(warehouse.table("flash_sale_reservations").status.execute()) == ["paid"]
    # no store given: the promotions app's default store (the own mini-program)
    assert list(warehouse.table("flash_sale_reservations").store_id.execute()) == ["own"]


def test_refused_operations_leave_no_fact(warehouse):
    sale = services.flash_sale_create(sku="TEE-001", price=Decimal("9.90"), quantity=2, per_buyer_limit=1,
                                      starts_at=SALE_AT - dt.timedelta(minutes=1), ends_at=SALE_AT + dt.timedelta(hours=1))
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=1, now=SALE_AT)
    with pytest.raises(services.FlashSaleError, match="b1 reached the limit of 1"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=1, now=SALE_AT)
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b2", quantity=1, now=SALE_AT)
    with pytest.raises(services.FlashSaleError, match="sold out"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b3", quantity=1, now=SALE_AT)
    with pytest.raises(services.FlashSaleError, match="not running"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b4", quantity=1, now=SALE_AT + dt.timedelta(hours=2))
    _p, _coupon, code = _redeemed_coupon()
    with pytest.raises(services.CouponError, match="already redeemed"):
        services.coupon_redeem(code=code.code, customer_id="u1", order_id="O-2", now=REDEEM_AT)
    assert WarehouseOutbox.objects.count() == 3  # two reservations, one redemption
