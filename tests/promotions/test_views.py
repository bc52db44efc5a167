"""Promotions pages: permission, simulator result, campaign floor check and publish with override."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from shopops.promotions import services
from shopops.promotions.models import AuditLog, Campaign

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ops(client, django_user_model):
    user = django_user_model.objects.create_user("ops", password="x" * 12)
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["use_promotions", "publish_campaign", "override_floor_price"]))
    client.force_login(user)
    return user


@pytest.fixture
def plan():
    d8 = services.promotion_create(name="8折", kind="item_discount", parameters={"rate": "0.8"}, stackable=True)
    m300 = services.promotion_create(name="每满300减50", kind="every_reduction",
                                     parameters={"threshold": "300", "amount": "50"}, stackable=True)
    c30p = services.promotion_create(name="¥30 店铺券", kind="store_coupon", parameters={"amount": "30"}, stackable=True)
    services.floor_price_set(sku="TEE-001", list_price=Decimal("100"), cost=Decimal("60"), category="tops")
    services.floor_price_set(sku="BAG-002", list_price=Decimal("250"), cost=Decimal("100"), category="bags")
    now = timezone.now()
    return services.campaign_create(name="双11", starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=1),
                                    promotions=[d8, m300, c30p])


def test_needs_the_promotions_permission(client, django_user_model):
    user = django_user_model.objects.create_user("cs", password="x" * 12)
    client.force_login(user)
    assert client.get("/promotions/simulator/").status_code == 403


def test_simulator_prices_a_cart_and_flags_the_floor(client, ops, plan):
    r = client.get("/promotions/simulator/", {"lines": "TEE-001 1\nBAG-002 1", "campaign": plan.pk,
                                              "hold_coupons": "on", "expected_units": 1000})
    assert r.status_code == 200
    sim = r.context["simulation"]
    # 350 -> 280 (8折) -> 每满300: not reached -> ¥30 coupon -> 250
    assert sim.priced.final_total == Decimal("250.00")
    tee = next(row for row in sim.matrix if row.sku == "TEE-001")
    with_coupon = tee.cells[2]  # scenarios: 1 unit, 2 units, 1 unit + coupons, new buyer, member
    assert with_coupon.unit_price == Decimal("50.00") and with_coupon.violates  # floor 63
    assert b"data-violation" in r.content


def test_simulator_bad_lines_are_a_400(client, ops):
    r = client.get("/promotions/simulator/", {"lines": "TEE-001 zero", "expected_units": 1})
    assert r.status_code == 400
    r2 = client.get("/promotions/simulator/", {"lines": "UNKNOWN 1", "expected_units": 1})
    assert r2.status_code == 400 and "UNKNOWN" in r2.content.decode()


def test_the_default_cart_prices_without_an_error(client, ops):
    """Issue 19 bug 11: the starting cart named SKUs the store does not have (HTTP 400, English error)."""
    services.floor_price_set(sku="200425", list_price=Decimal("199"), cost=Decimal("80"), category="女装")
    services.floor_price_set(sku="200992", list_price=Decimal("59"), cost=Decimal("30"), category="女装")
    page = client.get("/promotions/simulator/")
    lines = re.search(r'<textarea name="lines"[^>]*>(.*?)</textarea>', page.content.decode(), re.S).group(1).strip()
    assert lines.splitlines() == ["200425 1", "200992 1"]  # two SKUs with a list price, sorted
    r = client.get("/promotions/simulator/", {"lines": lines, "expected_units": 1000, "hold_coupons": "on"})
    assert r.status_code == 200 and r.context["simulation"].priced.list_total == Decimal("258.00")


def test_an_unknown_sku_is_explained_in_the_page_language(client, ops):
    r = client.get("/promotions/simulator/", {"lines": "NOPE-1 1", "expected_units": 1})
    assert r.status_code == 400
    assert "SKU NOPE-1:该行没有填单价" in r.content.decode() and "no price given" not in r.content.decode()


def test_the_simulator_prices_at_the_campaigns_start_or_the_chosen_moment(client, ops):
    """Issue 19 bug 12: a campaign in the future gave "no offer applies" because the cart was priced now."""
    d8 = services.promotion_create(name="8折", kind="item_discount", parameters={"rate": "0.8"}, stackable=True,
                                   starts_at=dt.datetime(2030, 11, 11, tzinfo=SHANGHAI),
                                   ends_at=dt.datetime(2030, 11, 12, tzinfo=SHANGHAI))
    services.floor_price_set(sku="TEE-001", list_price=Decimal("100"), cost=Decimal("60"), category="tops")
    campaign = services.campaign_create(name="双11 2030", starts_at=dt.datetime(2030, 11, 11, tzinfo=SHANGHAI),
                                        ends_at=dt.datetime(2030, 11, 12, tzinfo=SHANGHAI), promotions=[d8])
    query = {"lines": "TEE-001 2", "campaign": campaign.pk, "expected_units": 10}
    at_start = client.get("/promotions/simulator/", query)
    assert at_start.status_code == 200
    assert at_start.context["simulation"].priced.final_total == Decimal("160.00")  # 2 x 100 x 0.8
    assert "计价时间:2030-11-11 00:00" in at_start.content.decode() and b"data-outside-campaign" not in at_start.content
    at_noon = client.get("/promotions/simulator/", {**query, "at": "2030-11-11T12:30"})
    assert at_noon.context["at"] == dt.datetime(2030, 11, 11, 12, 30, tzinfo=SHANGHAI)
    assert at_noon.context["simulation"].priced.final_total == Decimal("160.00")
    before = client.get("/promotions/simulator/", {**query, "at": "2030-11-10T23:59"})
    assert before.context["simulation"].priced.final_total == Decimal("200.00")
    assert b"data-outside-campaign" in before.content and "不在“双11 2030”的活动时间内" in before.content.decode()


def test_campaign_check_and_publish_with_override(client, ops, plan):
    assert client.get("/promotions/").status_code == 200
    r = client.get(f"/promotions/campaigns/{plan.pk}/", {"check": 1})
    assert r.status_code == 200 and b'data-violation="TEE-001"' in r.content
    refused = client.post(f"/promotions/campaigns/{plan.pk}/publish/", {"override_reason": ""})
    assert refused.status_code == 400
    assert Campaign.objects.get(pk=plan.pk).status == "draft"
    ok = client.post(f"/promotions/campaigns/{plan.pk}/publish/", {"override_reason": "引流款, 总监批准"})
    assert ok.status_code == 302
    assert Campaign.objects.get(pk=plan.pk).status == "published"
    assert AuditLog.objects.get(campaign=plan).reason == "引流款, 总监批准"


def test_admin_validates_parameters_per_kind(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    form = {"name": "满减", "kind": "tiered_reduction", "parameters": '{"amount": "10"}', "scope_categories": "[]",
            "scope_products": "[]", "scope_skus": "[]", "exclude_skus": "[]", "audience": "all", "segment_ids": "[]",
            "channels": "[]", "priority": 0, "bearer": "store", "store_share": "0", "is_active": "on"}
    r = client.post("/admin/promotions/promotion/add/", form)
    assert r.status_code == 200 and "tiered_reduction needs parameters.tiers" in r.content.decode()
    form["parameters"] = '{"tiers": [[300, 40]]}'
    assert client.post("/admin/promotions/promotion/add/", form).status_code == 302


def test_the_breakdown_explains_each_offer_in_the_page_language(client, ops):
    """The zh simulator printed the engine's English ("flash-sale price ¥497 for 1 unit(s)",
    "x2 (on ¥605.00)") under each offer and two columns both named 优惠."""
    flash = services.promotion_create(name="秒杀", kind="flash_sale", parameters={"price": "80", "max_units": 1},
                                      stackable=True)
    every = services.promotion_create(name="跨店满减", kind="cross_store_reduction",
                                      parameters={"threshold": "100", "amount": "10"}, stackable=True)
    coupon = services.promotion_create(name="店铺券", kind="store_coupon", parameters={"amount": "5"}, stackable=True)
    services.floor_price_set(sku="TEE-001", list_price=Decimal("100"), cost=Decimal("40"), category="tops")
    query = {"lines": "TEE-001 2", "promotions": [flash.pk, every.pk, coupon.pk], "hold_coupons": "on",
             "expected_units": 10}
    zh = client.get("/promotions/simulator/", query)
    assert zh.status_code == 200
    # by hand, level by level: 2 × ¥100; one unit at the flash price ¥80 → ¥180; the store's ¥5 coupon
    # → ¥175; the platform's 每满100减10 on ¥175: one step → ¥165
    assert zh.context["simulation"].priced.final_total == Decimal("165.00")
    reasons = re.findall(r'<div class="reason">(.*?)</div>', zh.content.decode())
    assert "秒杀价 ¥80,1 件" in reasons and "跨店每满100.00减10.00 ×1(按 ¥175.00 计)" in reasons
    assert "店铺券 减 ¥5(按 ¥180.00 计)" in reasons
    assert not any(re.search(r"[A-Za-z]{3,}", r) for r in reasons), reasons
    header = re.search(r"<table[^>]*data-breakdown>.*?</thead>", zh.content.decode(), re.S).group(0)
    names = re.findall(r"<th[^>]*>([^<]+)</th>", header)
    assert len(names) == len(set(names)), names
    client.post("/i18n/setlang/", {"language": "en"})
    en = client.get("/promotions/simulator/", query)
    reasons = re.findall(r'<div class="reason">(.*?)</div>', en.content.decode())
    assert "flash-sale price ¥80 for 1 unit(s)" in reasons and "store coupon ¥5 off (on ¥180.00)" in reasons
