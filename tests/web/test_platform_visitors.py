"""Visitors and conversion in each channel's own 口径 (issue 19 items 1 and 3).

A 生意参谋 whole-store daily export, written by hand (``tests/ingest/platform_fixtures/
sycm_shop_daily.csv``, GB18030 like the platform's download), imported through the real
profile into a Tmall store; an own mini-program store with events beside it.

The file (tmall), by hand:

  day    访客数  支付买家数  支付转化率(file)  支付金额   加购人数  收藏  下单买家数
  11-10  1523   47         3.09%            12345.60  212      88    53
  11-11  4210   163        3.87%            45012.30  640      190   181
  11-12  1388   39         2.81%            10020.00  170      61    44
  sum    7121   249                         67377.90  1022     339   278
  (11-13 and 11-14 are in the file too, outside every period asked for here)

  11-11: 支付转化率 163 / 4210 = 0.038717… (the file's 3.87 %), UV价值 45012.30 / 4210 = 10.69,
         加购率 640 / 4210 = 0.152019…; funnel 4210 → 640 / 190 → 181 → 163,
         payment step 163 / 181, overall 163 / 4210
  3 days: 7121 visitor-days, conversion 249 / 7121

The mini-program (own) on 11-11: events of v1 (lands on a product page from search, adds to
cart, buys) and v2 (home page only) -> 2 visitors; its funnel 2 → 1 → 1 → 0 → 1 is not strict
(v1 has no checkout event) -> strict: visit 2, product 1, cart 1, checkout 0, paid 0.
All stores on 11-11: visitors 4210 (platform) + 2 (events) = 4212.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_detect
from shopops.ingest.readers import open_source
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load
from tests.support.pages import table_rows, tiles

FIXTURE = Path(__file__).parents[1] / "ingest" / "platform_fixtures" / "sycm_shop_daily.csv"
DAY = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
THREE_DAYS = {"period": "custom", "start": "2025-11-10", "end": "2025-11-12"}


def _ts(day: str, hour: int = 4) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=dt.UTC)


@pytest.fixture
def shop(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "tmall", "platform": "tmall", "name": "天猫旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"},
        {"store_id": "mini", "platform": "own", "name": "小程序商城", "currency": "CNY", "time_zone": "Asia/Shanghai"},
    ]))
    load(warehouse, "orders", pa.Table.from_pylist([
        {"store_id": "mini", "order_id": "m1", "customer_id": "c1", "status": "paid", "created_at": _ts("2025-11-11"),
         "paid_at": _ts("2025-11-11"), "paid_date": dt.date(2025, 11, 11), "paid_amount": Decimal("99.00"),
         "traffic_source": "search"},
        {"store_id": "tmall", "order_id": "t1", "customer_id": "b1", "status": "paid", "created_at": _ts("2025-11-12"),
         "paid_at": _ts("2025-11-12"), "paid_date": dt.date(2025, 11, 12), "paid_amount": Decimal("10.00"),
         "traffic_source": "search"},
    ]))
    events = []
    for visitor, kind, page, product in (("v1", "product_view", "product", "P1"), ("v1", "add_to_cart", "product", "P1"),
                                         ("v1", "purchase", "checkout", None), ("v2", "page_view", "home", None)):
        events.append({"store_id": "mini", "event_id": f"e{len(events)}", "visitor_id": visitor,
                       "session_id": f"{visitor}-s", "event_type": kind, "page": page, "product_id": product,
                       "traffic_source": "search", "occurred_at": _ts("2025-11-11"),
                       "event_date": dt.date(2025, 11, 11)})
    load(warehouse, "events", pa.Table.from_pylist(events))
    with open_source(FIXTURE) as src:
        profile, score = profile_detect(list(src.headers))
    assert profile is not None and profile.id == "sycm_shop_daily" and score >= 0.5
    out = import_file(FIXTURE, profile=profile, con=warehouse, store_id="tmall", strict=True)
    assert out.loaded and out.rows_rejected == 0 and out.tables["shop_traffic_daily"].inserted == 5
    return warehouse


@pytest.fixture
def director(client, db):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    return client


def test_the_raw_file_is_gbk_like_the_download():
    with pytest.raises(UnicodeDecodeError):
        FIXTURE.read_bytes().decode("utf-8")


@pytest.mark.django_db
def test_a_platform_stores_visitors_and_conversion_equal_the_sycm_export(director, shop):
    html = director.get(reverse("web:traffic"), {**DAY, "store": "tmall"}).content.decode()
    got = tiles(html)
    assert "visitors" not in got and "page_views" not in got  # no event figures for a platform store
    assert got["report_visitors"] == "4210"
    assert got["report_buyers"] == "163"
    conversion = float(got["report_conversion_rate"])
    assert conversion == pytest.approx(163 / 4210) and round(conversion * 100, 2) == 3.87  # the file's 3.87 %
    assert Decimal(got["report_uv_value"]) == Decimal("10.69")
    assert float(got["report_add_to_cart_rate"]) == pytest.approx(640 / 4210)
    assert 'data-basis="platform"' in html and "data-visitor-days" not in html  # one day: the platform's figure
    assert "平台店铺日报" in html  # the tile names its source
    funnel = table_rows(html, "store_funnel")
    assert [r["visitors"] for r in funnel] == ["4210", "640", "190", "181", "163"]
    assert float(funnel[-1]["step_rate"]) == pytest.approx(163 / 181)
    assert float(funnel[-1]["overall_rate"]) == pytest.approx(163 / 4210)
    assert float(funnel[3]["overall_rate"]) == pytest.approx(181 / 4210)  # 下单转化率
    assert 'data-table="funnel"' not in html  # no event funnel without an event stream


@pytest.mark.django_db
def test_several_days_are_visitor_days_and_say_so(director, shop):
    html = director.get(reverse("web:traffic"), {**THREE_DAYS, "store": "tmall"}).content.decode()
    got = tiles(html)
    assert got["report_visitors"] == "7121"
    assert float(got["report_conversion_rate"]) == pytest.approx(249 / 7121)
    assert "data-visitor-days" in html and "访客人天" in html
    director.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = director.get(reverse("web:traffic"), {**THREE_DAYS, "store": "tmall"}).content.decode()
    assert "visitor-days" in html and "Visitors (platform report)" in html


@pytest.mark.django_db
def test_own_site_uses_events_and_all_stores_add_each_channels_own(director, shop):
    html = director.get(reverse("web:traffic"), {**DAY, "store": "mini"}).content.decode()
    got = tiles(html)
    assert got["visitors"] == "2" and "report_visitors" not in got
    # the funnel starts where the data starts: v1 landed on a product page from search
    assert [r["visitors"] for r in table_rows(html, "funnel")] == ["2", "1", "1", "0", "0"]
    assert 'data-table="store_funnel"' not in html
    html = director.get(reverse("web:traffic"), DAY).content.decode()
    got = tiles(html)
    assert got["channel_visitors"] == "4212"
    assert float(got["channel_conversion_rate"]) == pytest.approx(1 / 4212)  # one paid order (mini) that day
    assert 'data-basis="mixed"' in html


@pytest.mark.django_db
def test_the_cockpit_takes_the_platform_report_for_a_platform_store(director, shop):
    html = director.get(reverse("web:cockpit"), {**DAY, "store": "tmall"}).content.decode()
    got = tiles(html)
    assert got.get("report_visitors") == "4210" and "visitors" not in got
    assert float(got["report_conversion_rate"]) == pytest.approx(163 / 4210)


@pytest.mark.django_db
def test_sources_in_each_platforms_words_and_in_common_groups_across_platforms(director, shop):
    """Item 2. Product traffic reports that carry the platforms' own source words (store-level
    rows), by hand: tmall 11-11 手淘搜索 1200, 直通车 300; jd 11-11 京东搜索 500, 京东快车 80.
    One platform: its words. Tmall and JD together: search 1200 + 500 = 1700, ads 300 + 80 = 380."""
    load(shop, "stores", pa.Table.from_pylist([
        {"store_id": "jd", "platform": "jd", "name": "京东旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))

    def row(store, source, visitors):
        return {"store_id": store, "date": dt.date(2025, 11, 11), "product_id": "", "traffic_source": source,
                "visitors": visitors}

    load(shop, "traffic_daily", pa.Table.from_pylist([
        row("tmall", "手淘搜索", 1200), row("tmall", "直通车", 300), row("jd", "京东搜索", 500), row("jd", "京东快车", 80)]))
    html = director.get(reverse("web:traffic"), {**DAY, "store": "tmall"}).content.decode()
    rows = {r["traffic_source"]: r["visitor_days"] for r in table_rows(html, "sources")}
    assert rows == {"手淘搜索": "1200", "直通车": "300"}
    assert '>手淘搜索</a>' in html
    both = director.get(reverse("web:traffic"), {**DAY, "store": ["tmall", "jd"]}).content.decode()
    rows = {r["traffic_source"]: r["visitor_days"] for r in table_rows(both, "sources")}
    assert rows == {"search": "1700", "ads": "380"}
    assert ">自然搜索</a>" in both and ">付费推广</a>" in both
    director.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = director.get(reverse("web:traffic"), {**DAY, "store": "tmall"}).content.decode()
    assert ">Taobao app search</a>" in html and ">Zhitongche</a>" in html


@pytest.mark.django_db
def test_a_platform_stores_products_take_visitors_from_its_product_report(director, shop):
    """Issue 19 item 1 on the products pages. By hand, 11-11: tmall's product report for T1 — 手淘搜索 300,
    直通车 100 visitors -> 400 product visitors; two paid orders of T1 (b2, b3) -> conversion 2 / 400 = 0.005;
    no add-to-cart users by product (no event stream). The mini-program's P1: v1 viewed it, added it to the
    cart and bought it (order m1) -> 1 visitor, 1 add-to-cart user, conversion 1 / 1."""
    def row(source, visitors):
        return {"store_id": "tmall", "date": dt.date(2025, 11, 11), "product_id": "T1", "traffic_source": source,
                "visitors": visitors}

    load(shop, "traffic_daily", pa.Table.from_pylist([row("手淘搜索", 300), row("直通车", 100)]))
    load(shop, "orders", pa.Table.from_pylist([
        {"store_id": "tmall", "order_id": o, "customer_id": b, "status": "paid", "created_at": _ts("2025-11-11"),
         "paid_at": _ts("2025-11-11"), "paid_date": dt.date(2025, 11, 11), "paid_amount": Decimal("50.00"),
         "traffic_source": "search"} for o, b in (("t2", "b2"), ("t3", "b3"))]))
    load(shop, "order_lines", pa.Table.from_pylist([
        {"store_id": s, "order_id": o, "line_no": 1, "product_id": p, "sku_id": f"{p}-1", "quantity": 1,
         "paid_amount": Decimal(a), "paid_date": dt.date(2025, 11, 11)}
        for s, o, p, a in (("tmall", "t2", "T1", "50.00"), ("tmall", "t3", "T1", "50.00"), ("mini", "m1", "P1", "99.00"))]))
    html = director.get(reverse("web:products"), DAY).content.decode()
    rows = {(r["store_id"], r["product_id"]): r for r in table_rows(html, "products")}
    tmall, mini = rows[("天猫旗舰店", "T1")], rows[("小程序商城", "P1")]
    assert tmall["visitors"] == "400" and tmall["item_buyers"] == "2"
    assert float(tmall["item_conversion_rate"]) == pytest.approx(2 / 400)
    assert tmall["add_to_cart_users"] == ""  # not available: no event stream
    assert mini["visitors"] == "1" and mini["add_to_cart_users"] == "1" and float(mini["item_conversion_rate"]) == 1.0
    assert "data-no-event-stream" in html and "平台不提供行为明细" in html
    # one platform product: its report's visitors, a note instead of event KPIs
    html = director.get(reverse("web:product", args=("tmall", "T1")), DAY).content.decode()
    got = tiles(html)
    assert got["visitor_days"] == "400" and "visitors" not in got and "add_to_cart_users" not in got
    assert [r["visitor_days"] for r in table_rows(html, "daily")] == ["400"]
    assert "data-no-event-stream" in html
    html = director.get(reverse("web:product", args=("mini", "P1")), DAY).content.decode()
    assert tiles(html)["visitors"] == "1" and "data-no-event-stream" not in html
