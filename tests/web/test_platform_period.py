"""A platform store's period figures from the platform's period export (issue 19 item 1).

Two hand-written GB18030 生意参谋 files imported through the real profiles into the Tmall store
(the own mini-program of ``test_platform_visitors`` beside it):

* the daily export (``sycm_shop_daily.csv``, 11-10..11-14), by hand: 访客数 1523 + 4210 + 1388 + 1450
  + 1602 = 10173 visitor-days; 11-10..11-12: 7121 visitor-days, 249 buyers;
* the period export (``sycm_shop_period.csv``): 2025-11-01~2025-11-30 访客数 9,876, 支付买家数 321,
  支付金额 92162.40, 加购人数 1302 (the file's 支付转化率 3.25 % = 321 / 9876); 2025-11-10至2025-11-16
  访客数 9512, 支付买家数 318.

So November shows 9,876 visitors (not the 10,173 visitor-days) and 321 / 9876; 11-10..11-12 (no
period export) stays visitor-days, labelled.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_detect
from shopops.ingest.readers import first_record, open_source
from shopops.team.services import role_groups_sync, user_create
from tests.support.pages import browser_login, table_rows, tiles
from tests.web.test_platform_visitors import shop  # noqa: F401 (the fixture)

PERIOD_FILE = Path(__file__).parents[1] / "ingest" / "platform_fixtures" / "sycm_shop_period.csv"
NOVEMBER = {"period": "custom", "start": "2025-11-01", "end": "2025-11-30"}
WEEK = {"period": "custom", "start": "2025-11-10", "end": "2025-11-16"}
THREE_DAYS = {"period": "custom", "start": "2025-11-10", "end": "2025-11-12"}
PASSWORD = "a-long-test-password"


@pytest.fixture
def periods(shop):  # noqa: F811
    with open_source(PERIOD_FILE) as src:
        profile, _score = profile_detect(list(src.headers), first_record(src))
    assert profile is not None and profile.id == "sycm_shop_period"
    out = import_file(PERIOD_FILE, profile=profile, con=shop, store_id="tmall", strict=True)
    assert out.loaded and out.inserted == 5
    return shop


@pytest.fixture
def director(client, db):
    role_groups_sync()
    client.force_login(user_create(username="d", password=PASSWORD, role=Role.OPS_DIRECTOR))
    return client


@pytest.mark.django_db
def test_the_exact_period_shows_the_platforms_period_figures(director, periods):
    html = director.get(reverse("web:traffic"), {**NOVEMBER, "store": "tmall"}).content.decode()
    got = tiles(html)
    assert got["period_visitors"] == "9876" and "report_visitors" not in got
    assert got["period_buyers"] == "321"
    assert float(got["period_conversion_rate"]) == pytest.approx(321 / 9876)
    assert round(float(got["period_conversion_rate"]) * 100, 2) == 3.25  # the file's 3.25 %
    assert Decimal(got["period_uv_value"]) == Decimal("9.33")  # 92162.40 / 9876 = 9.332 -> 9.33
    assert float(got["period_add_to_cart_rate"]) == pytest.approx(1302 / 9876)
    assert "data-whole-period" in html and "data-visitor-days" not in html
    assert "来源: 平台整段报表" in html  # the tile names its source
    # by day the daily reports stay (exact per day): 11-11 is 4210
    daily = {r["bucket"]: r for r in table_rows(html, "daily")}
    assert daily["2025-11-11"]["report_visitors"] == "4210"
    # the other period of the file
    got = tiles(director.get(reverse("web:traffic"), {**WEEK, "store": "tmall"}).content.decode())
    assert got["period_visitors"] == "9512" and float(got["period_conversion_rate"]) == pytest.approx(318 / 9512)


@pytest.mark.django_db
def test_a_period_without_its_export_stays_visitor_days_and_says_so(director, periods):
    html = director.get(reverse("web:traffic"), {**THREE_DAYS, "store": "tmall"}).content.decode()
    got = tiles(html)
    assert got["report_visitors"] == "7121" and "period_visitors" not in got
    assert float(got["report_conversion_rate"]) == pytest.approx(249 / 7121)
    assert "data-visitor-days" in html and "访客人天" in html and "data-whole-period" not in html
    # a platform store without the period export (jd) beside tmall: not every platform store has it
    from shopops.warehouse.loader import load
    import pyarrow as pa
    load(periods, "stores", pa.Table.from_pylist([
        {"store_id": "jd", "platform": "jd", "name": "京东旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    html = director.get(reverse("web:traffic"), {**NOVEMBER, "store": ["tmall", "jd"]}).content.decode()
    got = tiles(html)
    assert got["report_visitors"] == "10173" and "period_visitors" not in got  # visitor-days: 11-10..11-14
    assert "data-visitor-days" in html


@pytest.mark.django_db
def test_all_stores_add_the_mini_programs_events_to_the_period_figure(director, periods):
    """Both channels in November: 9876 (tmall's export) + 2 (the mini-program's distinct visitors) = 9878;
    paying buyers from orders: b1 (tmall 11-12) and c1 (mini 11-11) = 2."""
    html = director.get(reverse("web:traffic"), NOVEMBER).content.decode()
    got = tiles(html)
    assert got["channel_period_visitors"] == "9878"
    assert float(got["channel_period_conversion_rate"]) == pytest.approx(2 / 9878)


@pytest.mark.django_db
def test_cockpit_and_stores_take_the_period_figure(director, periods):
    got = tiles(director.get(reverse("web:cockpit"), {**NOVEMBER, "store": "tmall"}).content.decode())
    assert got.get("period_visitors") == "9876" and "report_visitors" not in got
    assert float(got["period_conversion_rate"]) == pytest.approx(321 / 9876)
    html = director.get(reverse("web:stores"), NOVEMBER).content.decode()
    rows = {r["store_id"]: r for r in table_rows(html, "stores")}
    assert rows["tmall"]["channel_period_visitors"] == "9876"
    assert rows["mini"]["channel_period_visitors"] == "2"
    assert "data-whole-period" in html
    html = director.get(reverse("web:stores"), THREE_DAYS).content.decode()
    rows = {r["store_id"]: r for r in table_rows(html, "stores")}
    assert rows["tmall"]["channel_visitors"] == "7121" and "data-visitor-days" in html


@pytest.mark.django_db(transaction=True)
def test_traffic_page_in_chromium_for_the_imported_period(live_server, browser_page, periods, artifacts_dir):
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    browser_login(page, live_server.url, "director", PASSWORD)
    page.goto(f"{live_server.url}/traffic/?period=custom&start=2025-11-01&end=2025-11-30&store=tmall")
    page.wait_for_selector("[data-whole-period]")
    value = page.locator('.tile-value[data-kpi="period_visitors"]')
    assert value.get_attribute("data-value") == "9876" and "9,876" in value.inner_text()
    rate = page.locator('.tile-value[data-kpi="period_conversion_rate"]')
    assert float(rate.get_attribute("data-value")) == pytest.approx(321 / 9876) and "3.25%" in rate.inner_text()
    assert page.locator('.tile[data-tile="period_visitors"] .tile-source').inner_text().startswith("来源: 平台整段报表")
    assert page.locator("[data-visitor-days]").count() == 0
    page.screenshot(path=str(artifacts_dir / "traffic-platform-period-zh.png"), full_page=True)
    page.goto(f"{live_server.url}/traffic/?period=custom&start=2025-11-10&end=2025-11-12&store=tmall")
    page.wait_for_selector("[data-visitor-days]")
    assert page.locator('.tile-value[data-kpi="report_visitors"]').get_attribute("data-value") == "7121"
    assert "访客人天" in page.locator("[data-visitor-days]").inner_text()
    page.click("text=English")
    page.wait_for_selector("h1:has-text('Traffic & funnel')")
    page.goto(f"{live_server.url}/traffic/?period=custom&start=2025-11-01&end=2025-11-30&store=tmall")
    page.wait_for_selector("[data-whole-period]")
    assert page.locator('.tile[data-tile="period_visitors"] .tile-label').inner_text() == \
        "Visitors (platform period report)"
    assert "de-duplicated over the whole period" in page.locator("[data-whole-period]").inner_text()
    page.screenshot(path=str(artifacts_dir / "traffic-platform-period-en.png"), full_page=True)
