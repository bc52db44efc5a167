"""The demo 双11 plan over the real demo catalogue: the floor guard finds exactly the planted mistake."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest
from django.contrib.auth.models import Permission

from shopops.promotions import selectors
from shopops.promotions.models import AuditLog, Campaign

DAYS = 14


@pytest.fixture(scope="module")
def demo_warehouse(_duckdb_warehouse_template, tmp_path_factory, django_db_setup, django_db_blocker):
    """The demo store (14 days; the catalogue is what matters), built once per test run
    (support/shared_build.py), this module's own copy."""
    import datetime as dt

    from support.shared_build import demo_warehouse

    from shopops.warehouse import connection

    yield demo_warehouse("promotions-demo-14d", _duckdb_warehouse_template,
                         tmp_path_factory.mktemp("plan-warehouse") / "warehouse.duckdb", django_db_blocker,
                         days=DAYS, scale="small", seed=7, end_date=dt.date(2026, 11, 1))
    connection.disconnect_all()


def _plan(url):
    from shopops.demo.promotions_plan import promotions_plan_create
    from shopops.warehouse import connection

    try:
        return promotions_plan_create(year=2026, con=connection.connect(url))
    finally:
        connection.disconnect_all()


def _sku(url, sku_id):
    import duckdb

    con = duckdb.connect(url.removeprefix("duckdb:///"), read_only=True)
    try:
        return con.execute("SELECT price, cost FROM skus WHERE store_id = 'own' AND sku_id = ?", [sku_id]).fetchone()
    finally:
        con.close()


@pytest.mark.django_db
def test_the_guard_finds_exactly_the_planted_violation_and_names_its_combination(demo_warehouse):
    plan = _plan(demo_warehouse)
    assert plan.skus > 1000  # the whole own-store catalogue has floor prices
    report = selectors.campaign_floor_check(campaign=plan.campaign)
    assert [v.sku for v in report.violations] == [plan.planted_sku]
    [v] = report.violations
    names = {str(p.pk): p.name for p in plan.campaign.promotions.all()}
    assert sorted(names[a] for a in v.applied) == sorted(plan.planted_promotions)

    # by hand: floor = cost x 1.05; the special price alone (1.15 x cost, rounded up) is above it
    price, cost = _sku(demo_warehouse, plan.planted_sku)
    floor = (cost * Decimal("1.05")).quantize(Decimal("0.01"))
    special = (cost * Decimal("1.15")).quantize(Decimal(1), rounding=ROUND_CEILING)
    assert v.floor == floor and special >= floor
    # the guard's scenario, priced by hand: special price S plus a filler F at list price;
    # 满减 (tier by S+F) and the ¥20 coupon are shared in proportion S/(S+F), then 跨店
    # 每满300减50 on what is left, shared in proportion again
    S, F = special, v.filler_amount
    tier = Decimal(70) if S + F >= 600 else Decimal(30) if S + F >= 300 else Decimal(0)
    store_level = tier + (Decimal(20) if S + F >= 199 else 0)
    s_after = S - store_level * S / (S + F)
    base = S + F - store_level
    cross = (base // 300) * 50
    expected = s_after - cross * s_after / base
    assert abs(v.lowest_unit_price - expected) <= Decimal("0.01"), (v.lowest_unit_price, expected)
    assert v.lowest_unit_price < floor


@pytest.mark.django_db
def test_running_the_plan_twice_leaves_one_campaign(demo_warehouse):
    _plan(demo_warehouse)
    plan = _plan(demo_warehouse)
    assert list(Campaign.objects.values_list("pk", flat=True)) == [plan.campaign.pk]
    assert plan.campaign.promotions.count() == 8


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_campaign_page_shows_the_violation_and_publishing_needs_an_override(
        demo_warehouse, live_server, browser_page, django_user_model, artifacts_dir):
    plan = _plan(demo_warehouse)
    user = django_user_model.objects.create_user("ops", password="shopops-test-1")
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["use_promotions", "publish_campaign", "override_floor_price"]))
    page = browser_page
    url = f"/promotions/campaigns/{plan.campaign.pk}/"
    page.goto(f"{live_server.url}/login/?next={url}")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", "shopops-test-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{url}")
    page.goto(f"{live_server.url}{url}?check=1")
    page.wait_for_selector("[data-floor-report]")
    assert page.locator("[data-violation]").count() == 1
    row = page.locator(f'[data-violation="{plan.planted_sku}"]')
    assert "限时特价" in row.inner_text() and "跨店满减" in row.inner_text()
    assert "买 1 件" in row.inner_text() and "凑单 ¥" in row.inner_text()  # the scenario, in the page's language
    page.screenshot(path=str(artifacts_dir / "promotions-demo-plan-zh.png"), full_page=True)

    page.click(".publish-form button[type=submit]")  # no reason: refused
    page.wait_for_selector(".alert-error")
    assert Campaign.objects.get(pk=plan.campaign.pk).status == "draft"
    page.fill("textarea[name=override_reason]", "特价款为引流款，老板已批准亏损")
    page.click(".publish-form button[type=submit]")
    page.wait_for_selector(".status-badge.published")
    log = AuditLog.objects.get(campaign=plan.campaign)
    assert log.action == "campaign_publish_override" and log.reason == "特价款为引流款，老板已批准亏损"
    assert [d["sku"] for d in log.detail["violations"]] == [plan.planted_sku]
    assert "特价款为引流款" in page.content()
    page.click("text=English")
    page.wait_for_selector("text=Audit log")
    page.screenshot(path=str(artifacts_dir / "promotions-demo-plan-en.png"), full_page=True)
