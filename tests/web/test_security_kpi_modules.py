"""Ad spend, ROAS and their kin belong to the Ads module (``Kpi.module``): roles without it
do not see them on the cockpit, on /stores/ or in its export (issue 14).

The shop is the hand-made one of ``test_analysis_views`` (ad spend 50.00, ROAS 2.18 there).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from shopops.core.roles import ROLE_MODULES, Module, Role
from shopops.metrics.catalog import CATALOG
from shopops.team.services import role_groups_sync, user_create
from support.pages import tiles, workbook
from tests.web.test_analysis_views import PERIOD, load_shop

PASSWORD = "a-long-test-password"
AD_LABELS = ("推广花费", "投产比")


def test_ad_kpis_and_those_built_from_them_belong_to_ads():
    # independent list: every KPI whose formula reads ad_spend_daily, directly or through a part
    assert {k for k, v in CATALOG.items() if v.module is Module.ADS} == {
        "ad_spend", "ad_gmv", "impressions", "clicks", "ctr", "cpc", "cpm", "roas", "ad_return", "roi", "cac",
        "ad_orders", "ad_cost_per_order", "ad_spend_ratio", "ad_cart_adds", "ad_spend_with_cart_adds", "ad_plan_days",
        "ad_cost_per_cart_add"}
    assert CATALOG["gmv"].module is None and CATALOG["conversion_rate"].module is None


@pytest.fixture
def as_role(client, warehouse, db):
    import datetime as dt

    from shopops.metrics.services import target_set

    load_shop(warehouse)
    role_groups_sync()
    target_set(kpi="ad_spend", month=dt.date(2025, 11, 1), value="100")  # the cockpit's month targets
    target_set(kpi="gmv", month=dt.date(2025, 11, 1), value="1000")

    def login(role: Role):
        client.force_login(user_create(username=role.value, password=PASSWORD, role=role))
        return client

    return login


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if Module.ADS not in ROLE_MODULES[r]])
def test_roles_without_ads_see_no_ad_spend_on_the_cockpit_stores_and_exports(as_role, role):
    client = as_role(role)
    cockpit = client.get(reverse("web:cockpit"), PERIOD)
    assert cockpit.status_code == 200
    shown = tiles(cockpit.content.decode())
    assert shown["gmv"] == "445.00"  # the page still works
    assert "ad_spend" not in shown and "roas" not in shown
    assert not any(label in cockpit.content.decode() for label in AD_LABELS)
    assert 'data-target="gmv"' in cockpit.content.decode() and 'data-target="ad_spend"' not in cockpit.content.decode()

    stores = client.get(reverse("web:stores"), PERIOD)
    if not ROLE_MODULES[role] >= {Module.COCKPIT}:
        assert stores.status_code == 403
        return
    html = stores.content.decode()
    assert stores.status_code == 200 and 'data-col="gmv"' in html
    assert 'data-col="ad_spend"' not in html and 'data-col="roas"' not in html
    assert not any(label in html for label in AD_LABELS)
    sheet = workbook(client.get(reverse("web:stores"), {**PERIOD, "format": "xlsx", "table": "stores"}))
    headers = [c.value for c in sheet[1]]
    assert "支付金额" in headers
    assert not any(label in str(h) for h in headers for label in AD_LABELS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADS_SPECIALIST, Role.OPS_DIRECTOR])
def test_roles_with_ads_still_see_them(as_role, role):
    client = as_role(role)
    page = client.get(reverse("web:cockpit"), PERIOD).content.decode()
    shown = tiles(page)
    assert shown["ad_spend"] == "50.00" and shown["roas"] == "2.18"
    assert 'data-target="ad_spend"' in page
    html = client.get(reverse("web:stores"), PERIOD).content.decode()
    assert 'data-col="ad_spend"' in html and 'data-col="roas"' in html
    sheet = workbook(client.get(reverse("web:stores"), {**PERIOD, "format": "xlsx", "table": "stores"}))
    assert "推广花费" in [str(c.value) for c in sheet[1]]
