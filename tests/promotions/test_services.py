"""Coupons, flash sales, campaigns and floor prices on the app DB (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.promotions import selectors, services
from shopops.promotions.models import AuditLog, Campaign, FlashSale, Reservation

NOW = dt.datetime(2026, 11, 11, 0, 0, tzinfo=dt.timezone.utc)
pytestmark = pytest.mark.django_db


def _coupon(quantity=10, limit=1, amount="30"):
    p = services.promotion_create(name="¥30 store coupon", kind="store_coupon",
                                  parameters={"amount": amount, "threshold": "199"}, stackable=True)
    return services.coupon_create(promotion=p, name="双11 ¥30", valid_from=NOW - dt.timedelta(days=1),
                                  valid_until=NOW + dt.timedelta(days=2), total_quantity=quantity,
                                  per_customer_limit=limit)


def test_parameters_are_validated_per_kind():
    from shopops.core.errors import ValidationError

    with pytest.raises(ValidationError, match="tiered_reduction needs parameters.tiers"):
        services.promotion_parameters_validate(kind="tiered_reduction", parameters={"amount": "10"})
    with pytest.raises(ValidationError, match="parameters.rate"):
        services.promotion_parameters_validate(kind="item_discount", parameters={"rate": "8"})
    ok = services.promotion_parameters_validate(kind="tiered_reduction", parameters={"tiers": [[300, 40], [200, 20]]})
    assert ok == {"tiers": [["200", "20"], ["300", "40"]]}


def test_issue_claim_redeem_and_liability():
    coupon = _coupon(quantity=5, limit=1)
    issued = services.coupon_issue(coupon=coupon, now=NOW, customer_ids=["u1", "u2"], claimable=2)
    assert len(issued) == 4
    claimed = services.coupon_claim(customer_id="u3", coupon=coupon, now=NOW)
    assert claimed.customer_id == "u3"
    with pytest.raises(services.CouponError, match="limit"):
        services.coupon_claim(customer_id="u3", coupon=coupon, now=NOW)
    with pytest.raises(services.CouponError, match="not enough left"):
        services.coupon_issue(coupon=coupon, now=NOW, customer_ids=["a", "b"])
    assert selectors.coupon_liability(now=NOW).value == Decimal("90.00")  # u1, u2, u3
    services.coupon_redeem(code=issued[0].code, customer_id="u1", order_id="O1", now=NOW)
    with pytest.raises(services.CouponError, match="already redeemed"):
        services.coupon_redeem(code=issued[0].code, customer_id="u1", order_id="O2", now=NOW)
    with pytest.raises(services.CouponError, match="not held"):
        services.coupon_redeem(code=issued[1].code, customer_id="u1", order_id="O3", now=NOW)
    assert selectors.coupon_liability(now=NOW).value == Decimal("60.00")
    assert selectors.coupon_liability(now=NOW + dt.timedelta(days=3)).value == Decimal("0.00")  # expired
    with pytest.raises(services.CouponError, match="not valid now"):
        services.coupon_redeem(code=issued[1].code, customer_id="u2", order_id="O4", now=NOW + dt.timedelta(days=3))


def test_flash_sale_reserve_limit_expire_release():
    sale = services.flash_sale_create(sku="TEE", price=Decimal("9.90"), quantity=3, per_buyer_limit=2,
                                      starts_at=NOW, ends_at=NOW + dt.timedelta(hours=1), reservation_minutes=10)
    r1 = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=2, now=NOW)
    with pytest.raises(services.FlashSaleError, match="limit"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=1, now=NOW)
    r2 = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b2", quantity=1, now=NOW)
    with pytest.raises(services.FlashSaleError, match="sold out"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b3", quantity=1, now=NOW)
    assert services.flash_sale_pay(reservation_id=r2.pk, now=NOW + dt.timedelta(minutes=1))
    assert services.flash_sale_expire_reservations(now=NOW + dt.timedelta(minutes=11)) == 1  # r1; r2 is paid
    sale.refresh_from_db()
    assert sale.remaining == 2
    assert Reservation.objects.get(pk=r1.pk).status == Reservation.Status.EXPIRED
    r3 = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=2, now=NOW + dt.timedelta(minutes=12))
    assert services.flash_sale_release(reservation_id=r3.pk, buyer_id="b1")
    assert not services.flash_sale_release(reservation_id=r3.pk, buyer_id="b1")
    assert FlashSale.objects.get(pk=sale.pk).remaining == 2


def test_publish_needs_an_override_reason_when_the_floor_is_broken(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("ops", password="x" * 12)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["publish_campaign", "override_floor_price"]))
    d8 = services.promotion_create(name="8折", kind="item_discount", parameters={"rate": "0.8"}, stackable=True)
    m300 = services.promotion_create(name="每满300减50", kind="every_reduction",
                                     parameters={"threshold": "300", "amount": "50"}, stackable=True)
    services.floor_price_set(sku="TEE", list_price=Decimal("100"), cost=Decimal("65"))  # floor 68.25
    services.floor_price_set(sku="COAT", list_price=Decimal("1000"), cost=Decimal("300"))
    campaign = services.campaign_create(name="双11", starts_at=NOW, ends_at=NOW + dt.timedelta(days=1),
                                        promotions=[d8, m300])
    report = selectors.campaign_floor_check(campaign=campaign)
    # TEE: 100 -> 80, + ¥220 filler to 300 -> -50: its share 80 x 250 / 300 = 66.67 < 68.25
    assert [(v.sku, v.lowest_unit_price) for v in report.violations] == [("TEE", Decimal("66.67"))]
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(services.FloorViolationError) as refused:
        services.campaign_publish(campaign=campaign, user=user, now=NOW)
    # in the reader's language (it was English on the Chinese page)
    assert str(refused.value).startswith("有 1 个 SKU 可按低于最低价的价格买到；如仍要发布，请填写破价发布理由。")
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT
    services.campaign_publish(campaign=campaign, user=user, now=NOW, override_reason="traffic driver, approved by 总监")
    log = AuditLog.objects.get(campaign=campaign)
    assert log.action == "campaign_publish_override" and log.user == user
    with translation.override("zh-hans"):  # the audit table shows what happened in words, not the code
        assert log.action_label == "破价发布（越过最低价保护）"
    assert log.detail["violations"][0]["sku"] == "TEE"
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PUBLISHED
