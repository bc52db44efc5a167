"""Visitors of stores without traffic data, and SKUs sold of order lines without SKU ids: unknown ("—" with
the reason and a link to import), never 0 and never a rate computed from 0; a platform report row of 0
visitors is a real 0; a selection where only some stores have traffic data says which share it covers.
Expected values counted by hand:

  own  (platform own, CNY): paid order o1 on 2025-11-11 by c1, 500.00, line P1 / SKU S1;
       events 2025-11-11: visitors v1, v2, v3, v4 (v1 adds to cart) — none on 2025-11-10;
       paid order o0 on 2025-11-10 by c0, 100.00, line P2 / SKU S2 (a product nobody viewed)
  uci  (platform own, CNY): paid order u1 on 2025-11-11 by c9, 200.00, line P9 with no SKU id; no events;
       its data end there; a second order u0 on 2025-10-20, 50.00 (line P9, no SKU id)
  tm   (platform tmall, CNY): paid order t1 on 2025-11-11 by c5, 300.00, line P5 / SKU S5;
       shop_traffic_daily 2025-11-11: visitors 0, buyers 0 (a real report row saying 0)

  * uci alone, 2025-11-11: visitors, conversion, UV value, add-to-cart rate unknown (None / "—");
      SKUs sold unknown (sku_coverage 0); GMV 200.00
  * tm alone, 2025-11-11: report visitors 0 (a real 0, not "—"); report conversion undefined (0 visitors)
  * own + uci, 2025-11-11: visitors 4 (own only), conversion (c1 + c9) / 4 = 50 %, UV value 700 / 4 = 175.00;
      coverage 1 of 2 stores, GMV share 500 / 700 = 71.43 %
  * own alone by day 2025-11-10..11: visitors None on 11-10 (no events that day), 4 on 11-11
  * own by product 2025-11-10..11: P2 has sales and no views: 0 visitors (the store has traffic data)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.cli import main
from shopops.core.periods import Grain, Period
from shopops.core.roles import Role
from shopops.metrics.rollups import rollup_reads
from shopops.metrics.runners import KpiQuery, run_query, traffic_coverage
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load
from support.pages import table_rows

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 11, 11)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 4, tzinfo=dt.UTC)


@pytest.fixture
def shops(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": s, "platform": p, "name": n, "currency": "CNY", "time_zone": "Asia/Shanghai"}
        for s, p, n in (("own", "own", "小程序商城"), ("uci", "own", "UK online retailer"), ("tm", "tmall", "天猫店"))]))
    orders = (("own", "o1", "c1", DAY, "500.00"), ("own", "o0", "c0", DAY - dt.timedelta(days=1), "100.00"),
              ("uci", "u1", "c9", DAY, "200.00"), ("uci", "u0", "c8", dt.date(2025, 10, 20), "50.00"),
              ("tm", "t1", "c5", DAY, "300.00"))
    load(warehouse, "orders", pa.Table.from_pylist([
        {"store_id": s, "order_id": o, "customer_id": c, "status": "paid", "created_at": _at(d), "paid_at": _at(d),
         "paid_date": d, "paid_amount": Decimal(a)} for s, o, c, d, a in orders]))
    skus = {"o1": ("P1", "S1"), "o0": ("P2", "S2"), "u1": ("P9", None), "u0": ("P9", None), "t1": ("P5", "S5")}
    load(warehouse, "order_lines", pa.Table.from_pylist([
        {"store_id": s, "order_id": o, "line_no": 1, "product_id": skus[o][0], "sku_id": skus[o][1], "quantity": 1,
         "paid_amount": Decimal(a), "paid_date": d} for s, o, c, d, a in orders],
        schema=pa.schema([("store_id", pa.string()), ("order_id", pa.string()), ("line_no", pa.int64()),
                          ("product_id", pa.string()), ("sku_id", pa.string()), ("quantity", pa.int64()),
                          ("paid_amount", pa.decimal128(18, 2)), ("paid_date", pa.date32())])))

    def event(eid, visitor, kind):
        return {"store_id": "own", "event_id": eid, "visitor_id": visitor, "event_type": kind, "product_id": "P1",
                "occurred_at": _at(DAY), "event_date": DAY}

    load(warehouse, "events", pa.Table.from_pylist([
        event("e1", "v1", "page_view"), event("e2", "v1", "add_to_cart"), event("e3", "v2", "page_view"),
        event("e4", "v3", "page_view"), event("e5", "v4", "page_view")]))
    load(warehouse, "shop_traffic_daily", pa.Table.from_pylist([
        {"store_id": "tm", "date": DAY, "visitors": 0, "page_views": 0, "add_to_cart_users": 0, "favorite_users": 0,
         "order_buyers": 0, "buyers": 0, "paid_amount": Decimal("0.00")}]))
    return warehouse


def _login(client):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))


def _tile(html: str, kpi: str) -> str:
    return re.search(rf'<article class="tile" data-tile="{kpi}">.*?</article>', html, re.S).group(0)


def _value(tile: str) -> str:
    return re.search(r'<div class="tile-value"[^>]*>(.*?)</div>', tile, re.S).group(1).strip()


VISITOR_KPIS = ("visitors", "conversion_rate", "uv_value", "add_to_cart_rate", "add_to_cart_users")


@pytest.mark.parametrize("rollups", [True, False])
def test_runner_unknown_real_zero_and_mixed(shops, rollups):
    day = Period(DAY, DAY)
    with rollup_reads(rollups):
        uci = run_query(KpiQuery((*VISITOR_KPIS, "gmv", "skus_sold", "sku_coverage"), day, stores=("uci",))).rows[0]
        tm = run_query(KpiQuery(("report_visitors", "report_conversion_rate"), day, stores=("tm",))).rows[0]
        mixed = run_query(KpiQuery(VISITOR_KPIS, day, stores=("own", "uci"))).rows[0]
    assert [uci[k] for k in VISITOR_KPIS] == [None] * 5 and uci["gmv"] == Decimal("200.00")
    assert uci["skus_sold"] is None and uci["sku_coverage"] == 0
    assert tm["report_visitors"] == 0 and tm["report_conversion_rate"] is None
    assert mixed["visitors"] == 4 and mixed["add_to_cart_users"] == 1
    assert mixed["conversion_rate"] == pytest.approx(0.5) and mixed["uv_value"] == Decimal("175.00")


def test_days_without_events_are_unknown_products_without_views_are_zero(shops):
    two = Period(DAY - dt.timedelta(days=1), DAY)
    trend = run_query(KpiQuery(("visitors", "gmv"), two, grain=Grain.DAY, stores=("own",))).rows
    assert [(r["visitors"], r["gmv"]) for r in trend] == [(None, Decimal("100.00")), (4, Decimal("500.00"))]
    by_product = {r["product_id"]: r["visitors"] for r in
                  run_query(KpiQuery(("visitors", "item_gmv"), two, by=("product_id",), stores=("own",))).rows}
    assert by_product == {"P1": 4, "P2": 0}
    by_store = {r["store_id"]: r["visitors"] for r in run_query(KpiQuery(("visitors", "gmv"), two, by=("store",))).rows}
    assert by_store == {"own": 4, "uci": None, "tm": None}  # tm has no events: its visitors are the report's


def test_traffic_coverage_counts_stores_and_gmv(shops):
    day = Period(DAY, DAY)
    cov = traffic_coverage(day, stores=("own", "uci"))
    assert (cov.stores, cov.with_traffic, cov.status) == (2, 1, "partial")
    assert cov.gmv_share == pytest.approx(500 / 700)
    assert traffic_coverage(day, stores=("uci",)).status == "missing"
    assert traffic_coverage(day, stores=("tm",)).status is None  # a report row of 0 visitors is traffic data
    assert traffic_coverage(day, stores=("own", "tm")).status is None


def test_cockpit_without_traffic_says_unknown_in_both_languages(client, shops):
    _login(client)
    query = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11", "store": "uci"}
    html = client.get(reverse("web:cockpit"), query).content.decode()
    for kpi in ("visitors", "conversion_rate", "uv_value", "add_to_cart_rate"):
        tile = _tile(html, kpi)
        assert 'data-value=""' in tile and _value(tile) == "—", tile
        assert 'data-traffic="missing"' in tile and "未导入流量数据" in tile and reverse("ingest:upload") in tile
        assert "0.00%" not in _value(tile)
    assert "data-traffic=" not in _tile(html, "gmv")
    chart = json.loads(re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    visitors = next(s for s in chart["series"] if s["kpi"] == "visitors")
    assert visitors["data"] == [None] and "未导入流量数据" in visitors["empty"]
    assert next(s for s in chart["series"] if s["kpi"] == "gmv")["empty"] == ""
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("web:cockpit"), query).content.decode()
    tile = _tile(html, "conversion_rate")
    assert _value(tile) == "—" and "No traffic data imported" in tile and "Import traffic data" in tile


def test_cockpit_real_zero_and_mixed_selection(client, shops):
    _login(client)
    day = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
    html = client.get(reverse("web:cockpit"), {**day, "store": "tm"}).content.decode()
    tile = _tile(html, "report_visitors")
    assert _value(tile) == "0" and "data-traffic=" not in tile
    html = client.get(reverse("web:cockpit"), {**day, "store": ["own", "uci"]}).content.decode()
    tile = _tile(html, "visitors")
    assert _value(tile) == "4" and 'data-traffic="partial"' in tile and 'data-traffic-stores="1/2"' in tile
    assert "流量数据覆盖2 家店铺中的 1 家,占支付金额 71.43%" in tile
    assert "流量数据覆盖" in _tile(html, "conversion_rate") and "data-traffic=" not in _tile(html, "paid_orders")


def test_month_so_far_uses_the_selected_stores_data_date(client, shops):
    """uci's data end 2025-11-11 like the others' here; own's on 11-11 too — so move uci's last order back:
    with only u0 (2025-10-20) left in a store of its own, its month so far is October, said on the panel."""
    load(shops, "stores", pa.Table.from_pylist([
        {"store_id": "old", "platform": "own", "name": "旧店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    at = _at(dt.date(2025, 10, 20))
    load(shops, "orders", pa.Table.from_pylist([
        {"store_id": "old", "order_id": "x", "customer_id": "c7", "status": "paid", "created_at": at, "paid_at": at,
         "paid_date": dt.date(2025, 10, 20), "paid_amount": Decimal("80.00")}]))
    _login(client)
    html = client.get(reverse("web:cockpit"), {"period": "yesterday", "store": "old"}).content.decode()
    assert 'data-period-start="2025-10-20"' in html  # "yesterday" is the store's own last day
    assert "2025-10 本月至今与目标" in html or "2025-10" in re.search(r'id="mtd-title">(.*?)<', html).group(1)
    assert 'data-month-as-of="2025-10-20"' in html and "data-own-data-date" in html and "2025-11-11" in html
    row = re.search(r'<tr data-so-far="gmv">.*?</tr>', html, re.S).group(0)
    assert 'data-actual="80.00"' in row
    everyone = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    assert 'data-month-as-of="2025-11-11"' in everyone and "data-own-data-date" not in everyone


def test_products_page_says_skus_sold_and_visitors_are_unknown(client, shops):
    _login(client)
    day = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
    html = client.get(reverse("web:products"), {**day, "store": "uci"}).content.decode()
    tile = _tile(html, "skus_sold")
    assert _value(tile) == "—" and 'data-sku="missing"' in tile and "订单行没有 SKU 编号" in tile
    # uci has no event at all: its product's visitors are unknown (—), not 0, and the table says why
    (p9,) = table_rows(html, "products")
    assert p9["visitors"] == "" and p9["item_gmv"] == "200.00" and "这些店铺在本期没有导入流量数据" in html
    two = {"period": "custom", "start": "2025-11-10", "end": "2025-11-11", "store": "own"}
    rows = {r["product_id"]: r for r in table_rows(client.get(reverse("web:products"), two).content.decode(), "products")}
    assert (rows["P1"]["visitors"], rows["P2"]["visitors"]) == ("4", "0")  # own has events: P2 nobody viewed
    tile = _tile(client.get(reverse("web:products"), {**day, "store": ["own", "uci"]}).content.decode(), "skus_sold")
    # S1 only (own); the SKU ids cover own's 500.00 of 700.00 item GMV
    assert _value(tile) == "1" and 'data-sku="partial"' in tile and "SKU 编号覆盖 71.43% 的商品销售额" in tile
    tile = _tile(client.get(reverse("web:products"), {**day, "store": "own"}).content.decode(), "skus_sold")
    assert _value(tile) == "1" and "data-sku=" not in tile


def test_cli_prints_a_dash_and_the_reason(shops, capsys):
    assert main(["kpi", "visitors", "conversion_rate", "skus_sold", "--store", "uci", "--period", "2025-11-11"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[1].split() == ["—", "—", "—"]
    assert "no traffic data imported" in out.err and "carry no SKU id" in out.err
    assert main(["kpi", "visitors", "--store", "own", "--store", "uci", "--period", "2025-11-11"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[1].split() == ["4"] and "traffic data cover 1 of 2 stores (71.43% of the GMV)" in out.err


def test_traffic_page_by_source_of_a_store_without_events(client, shops):
    _login(client)
    day = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
    html = client.get(reverse("web:traffic"), {**day, "store": "uci"}).content.decode()
    rows = table_rows(html, "sources")  # u1 has no traffic source: one row, its visitors unknown, not 0
    assert [(r["visitors"], r["paying_buyers"], r["conversion_rate"]) for r in rows] == [("", "1", "")]
    assert "这些店铺在本期没有导入流量数据" in html
    rows = table_rows(client.get(reverse("web:traffic"), {**day, "store": "own"}).content.decode(), "sources")
    # own has events: its 4 visitors and o1's buyer are all under "not recorded" (no source on either)
    assert [(r["visitors"], r["paying_buyers"]) for r in rows] == [("4", "1")]
