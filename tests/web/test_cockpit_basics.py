"""The cockpit's daily basics (issue 19 item 5): 毛利/毛利率, UV价值, 加购率, 收藏率, 昨日 vs 上周同日
and 同比, month to date vs target with the run-rate. Expected values counted by hand:

  one CNY own-site store (id tmall, platform own: events); paid orders: 2024-11-11 100.00 · 2025-11-04 200.00 (Tuesday a week before)
  · 2025-11-10 300.00 · 2025-11-11 400.00 (the last day: "yesterday")
  2025-11-11: one line P1 × 2 = 400.00, SKU cost 50.00 -> cogs 100.00, no refunds (refund data imported: one
    failed refund request of 2024, so 0 is known, not "no refund data"), no platform discount
    -> 毛利 400 − 100 = 300.00, 毛利率 300 / 400 = 75 %
  events 2025-11-11: visitors v1..v4; v1 adds to cart; v2 favourites
    -> UV价值 400 / 4 = 100.00; 加购率 1 / 4 = 25 %; 收藏率 1 / 4 = 25 %
  昨日 (11-11) vs 上周同日 (11-04): GMV 400 vs 200 -> +100 %; 同比 (2024-11-11): 400 vs 100 -> +300 %
  November target GMV 3,000.00: month to date (11-01..11) 200 + 300 + 400 = 900.00 -> 30 % achieved;
    run-rate 900 / 11 × 30 = 2,454.55 -> 81.82 % projected, not on track
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.metrics.services import target_set
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db


def _at(day: str) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, 4, tzinfo=dt.UTC)


@pytest.fixture
def shop(warehouse):
    # an own-site store: its visitors come from its events (a platform store's from the platform's
    # report: tests/web/test_platform_visitors.py)
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "tmall", "platform": "own", "name": "小程序商城", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    days = {"y": "2024-11-11", "w": "2025-11-04", "d": "2025-11-10", "t": "2025-11-11"}
    amounts = {"y": "100.00", "w": "200.00", "d": "300.00", "t": "400.00"}
    load(warehouse, "orders", pa.Table.from_pylist([
        {"store_id": "tmall", "order_id": k, "customer_id": f"c{k}", "status": "paid", "created_at": _at(day),
         "paid_at": _at(day), "paid_date": dt.date.fromisoformat(day), "paid_amount": Decimal(amounts[k])}
        for k, day in days.items()]))
    load(warehouse, "order_lines", pa.Table.from_pylist([
        {"store_id": "tmall", "order_id": "t", "line_no": 1, "product_id": "P1", "sku_id": "S1", "quantity": 2,
         "paid_amount": Decimal("400.00"), "paid_date": dt.date(2025, 11, 11)}]))
    load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": "tmall", "sku_id": "S1", "product_id": "P1", "price": Decimal("200.00"), "cost": Decimal("50.00")}]))
    load(warehouse, "refunds", pa.Table.from_pylist([
        {"store_id": "tmall", "refund_id": "r0", "order_id": "y", "amount": Decimal("10.00"), "status": "failed",
         "requested_at": _at("2024-11-12"), "refund_date": None}]))

    def event(eid, visitor, kind):
        return {"store_id": "tmall", "event_id": eid, "visitor_id": visitor, "event_type": kind,
                "occurred_at": _at("2025-11-11"), "event_date": dt.date(2025, 11, 11)}

    load(warehouse, "events", pa.Table.from_pylist([
        event("e1", "v1", "page_view"), event("e2", "v1", "add_to_cart"), event("e3", "v2", "page_view"),
        event("e4", "v2", "favorite"), event("e5", "v3", "page_view"), event("e6", "v4", "page_view")]))
    return warehouse


def _tile(html: str, kpi: str) -> str:
    return re.search(rf'<article class="tile" data-tile="{kpi}">.*?</article>', html, re.S).group(0)


def _attr(tile: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', tile).group(1)


def test_yesterday_vs_the_same_day_last_week_and_last_year(client, shop):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    target_set(kpi="gmv", month=dt.date(2025, 11, 1), value="3000.00")
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    assert 'data-period-start="2025-11-11"' in html and 'data-base="same_weekday"' in html and "上周同日 2025-11-04" in html

    gmv = _tile(html, "gmv")
    assert _attr(gmv, "data-previous") == "200.00" and float(_attr(gmv, "data-change")) == pytest.approx(1.0)
    assert _attr(gmv, "data-last-year") == "100.00" and float(_attr(gmv, "data-change-last-year")) == pytest.approx(3.0)
    assert Decimal(_attr(_tile(html, "uv_value"), "data-value")) == Decimal("100.00")
    assert float(_attr(_tile(html, "add_to_cart_rate"), "data-value")) == pytest.approx(0.25)
    assert float(_attr(_tile(html, "favorite_rate"), "data-value")) == pytest.approx(0.25)
    assert Decimal(_attr(_tile(html, "gross_margin"), "data-value")) == Decimal("300.00")
    assert float(_attr(_tile(html, "gross_margin_rate"), "data-value")) == pytest.approx(0.75)

    target = re.search(r'<tr data-target="gmv">.*?</tr>', html, re.S).group(0)
    assert _attr(target, "data-actual") == "900.00"
    assert float(_attr(target, "data-achievement")) == pytest.approx(0.30)
    assert Decimal(_attr(target, "data-projection")).quantize(Decimal("0.01")) == Decimal("2454.55")
    assert "status-bad" in target  # 81.82 % projected: not on track

    week = client.get(reverse("web:cockpit"), {"period": "custom", "start": "2025-11-05", "end": "2025-11-11"}
                      ).content.decode()
    assert 'data-base="previous"' in week and "2025-10-29 – 2025-11-04" in week


def test_no_last_year_before_the_data_begin_and_no_favourite_tile_without_favourites(client, shop):
    shop.raw_sql("DELETE FROM orders WHERE order_id = 'y'")
    shop.raw_sql("DELETE FROM events WHERE event_type = 'favorite'")
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    assert "data-last-year-period" not in html and "data-change-last-year" not in html
    assert 'data-tile="favorite_rate"' not in html and 'data-tile="add_to_cart_rate"' in html


def test_each_visitor_tile_says_which_stream_it_counts(client, shop):
    """Issue 19 item 1 (part): 访客数 and the rates built on it name their source; money tiles do not need to."""
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    for kpi in ("visitors", "conversion_rate", "uv_value", "add_to_cart_rate"):
        assert 'data-source="' in _tile(html, kpi) and "埋点事件(自有站点/小程序)" in _tile(html, kpi), kpi
    assert "tile-source" not in _tile(html, "gmv") and '<span class="def-source">来源: 订单</span>' in _tile(html, "gmv")
    traffic = client.get(reverse("web:traffic"), {"period": "yesterday"}).content.decode()
    assert "平台流量报表" in traffic or "埋点事件" in traffic


def test_the_month_so_far_and_its_run_rate_without_a_target(client, shop):
    """No target set: the panel still shows November to 11-11 and the run-rate (hand counts of the
    module docstring: GMV 900.00 -> 900 / 11 × 30 = 2,454.55; 3 paid orders -> 3 / 11 × 30 = 8.18)."""
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    assert "data-no-targets" in html and '<tr data-target="gmv">' not in html
    gmv = re.search(r'<tr data-so-far="gmv">.*?</tr>', html, re.S).group(0)
    assert _attr(gmv, "data-actual") == "900.00"
    assert Decimal(_attr(gmv, "data-projection")).quantize(Decimal("0.01")) == Decimal("2454.55")
    orders = re.search(r'<tr data-so-far="paid_orders">.*?</tr>', html, re.S).group(0)
    assert float(_attr(orders, "data-actual")) == 3
    assert float(_attr(orders, "data-projection")) == pytest.approx(3 / 11 * 30)
    # with a GMV target, GMV moves to the target table and leaves the so-far rows
    target_set(kpi="gmv", month=dt.date(2025, 11, 1), value="3000.00")
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    assert '<tr data-target="gmv">' in html and 'data-so-far="gmv"' not in html and 'data-so-far="paid_orders"' in html
    assert "data-target-summed" not in html  # set for all stores: shown as set


def test_every_stores_own_target_adds_up_to_the_all_stores_target(client, shop):
    # the shop's one store (tmall) has a November paid-orders target of 12 and none for all stores: the all-stores
    # cockpit shows 12, marked as the stores' targets added up (it said "no monthly targets are set for this scope")
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    target_set(kpi="paid_orders", month=dt.date(2025, 11, 1), value="12", store_id="tmall")
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    row = re.search(r'<tr data-target="paid_orders">.*?</tr>', html, re.S).group(0)
    assert "data-target-summed" in row and "各店目标之和" in row and float(_attr(row, "data-actual")) == 3


def test_the_dsr_when_imported_against_industry_and_the_same_day_last_week(client, shop):
    """shop_scores of tmall: 11-04 描述 4.70 / 服务 4.80 / 物流 4.90; 11-11 4.80 (industry 4.75) /
    4.80 (4.80) / 4.85 (5.00) -> vs industry +1.05 %, 0, −3 %; vs 上周同日 +0.10, 0.00, −0.05.
    A score of after the period (11-12) is not shown; a role without the service module sees no DSR."""
    def scores(day, d, di, s, si, lo, loi):
        return {"store_id": "tmall", "date": dt.date.fromisoformat(day), "description": Decimal(d),
                "description_industry": Decimal(di), "service": Decimal(s), "service_industry": Decimal(si),
                "logistics": Decimal(lo), "logistics_industry": Decimal(loi)}

    load(shop, "shop_scores", pa.Table.from_pylist([
        scores("2025-11-04", "4.70", "4.60", "4.80", "4.80", "4.90", "4.90"),
        scores("2025-11-11", "4.80", "4.75", "4.80", "4.80", "4.85", "5.00"),
        scores("2025-11-12", "1.00", "4.75", "1.00", "4.80", "1.00", "5.00")]))
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    row = re.search(r'<tr data-dsr-store="tmall">.*?</tr>', html, re.S).group(0)
    assert "2025-11-11" in row
    cells = {}
    for k in ("description", "service", "logistics"):
        score, change, vs = re.search(rf'data-dsr="{k}" data-value="([^"]*)".*?data-dsr-change="([^"]*)".*?'
                                      r'data-vs-industry="([^"]*)"', row, re.S).groups()
        cells[k] = (score, vs, change)
    assert float(cells["description"][0]) == pytest.approx(4.80)
    assert float(cells["description"][1]) == pytest.approx(0.05 / 4.75)
    assert float(cells["description"][2]) == pytest.approx(0.10)
    assert float(cells["service"][1]) == pytest.approx(0) and float(cells["service"][2]) == pytest.approx(0)
    assert float(cells["logistics"][1]) == pytest.approx(-0.03) and float(cells["logistics"][2]) == pytest.approx(-0.05)

    client.force_login(user_create(username="p", password="a-long-test-password", role=Role.PROCUREMENT))
    assert "data-dsr" not in client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()


def test_no_dsr_panel_without_imported_scores(client, shop):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    assert "data-dsr" not in client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
