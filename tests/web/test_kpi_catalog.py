"""The KPI catalog page: every KPI once, grouped, searchable, in both languages, linked from tiles."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.metrics.catalog import CATALOG
from shopops.team.services import role_groups_sync, user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def designer(client):
    """The catalog is for everyone: a designer (few modules) may read it."""
    role_groups_sync()
    client.force_login(user_create(username="designer", password="a-long-test-password", role=Role.DESIGNER))
    return client


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="kpi-([a-z0-9_]+)" data-kpi=', html)


def test_every_kpi_is_listed_once_in_a_group(designer):
    html = designer.get(reverse("web:kpis")).content.decode()
    listed = rows(html)
    assert sorted(listed) == sorted(CATALOG) and len(listed) == len(set(listed))
    assert "<h1>指标说明" in html
    # a definition a user reads, word for word (GLOSSARY: 支付转化率 = 支付买家数 ÷ 访客数)
    assert "支付买家数 ÷ 访客数。" in html


def test_search_matches_labels_ids_and_definitions_in_both_languages(designer):
    found = rows(designer.get(reverse("web:kpis"), {"q": "转化率"}).content.decode())
    assert "conversion_rate" in found and "gmv" not in found
    assert "roas" in rows(designer.get(reverse("web:kpis"), {"q": "ROAS"}).content.decode())
    refund = rows(designer.get(reverse("web:kpis"), {"q": "refund"}).content.decode())
    assert {"refund_rate", "refund_amount"} <= set(refund) and "visitors" not in refund
    empty = designer.get(reverse("web:kpis"), {"q": "no-such-kpi"}).content.decode()
    assert rows(empty) == [] and "没有与“no-such-kpi”匹配的指标" in empty


def test_english_page(designer):
    designer.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = designer.get(reverse("web:kpis")).content.decode()
    assert "<h1>KPI catalog" in html and "Paying buyers / visitors." in html


def test_anonymous_users_go_to_login(client):
    assert client.get(reverse("web:kpis")).status_code == 302
