"""The demo as `setup-demo` builds it (generator → the real ingest pipeline) gives each channel what it
really provides (issue 19): no events for the platform stores, their pages' visitors from their reports.
Expected figures are read from the generated CSV files with pandas, never from the code under test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.support.pages import table_rows, tiles

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
END = dt.date(2026, 11, 30)
DAYS = 21
DAY = {"period": "custom", "start": END.isoformat(), "end": END.isoformat()}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_platform_stores_have_no_events_and_their_pages_show_the_reports(warehouse, settings, client):
    from shopops.demo.services import demo_build

    demo_build(days=DAYS, scale="small", seed=7, end_date=END)
    files = Path(settings.VAR_DIR) / "demo" / f"small-{DAYS}d-seed7-{END.isoformat()}"
    events = warehouse.table("events")
    assert sorted(events.select("store_id").distinct().to_pandas()["store_id"]) == ["own"]
    assert sorted(p.parent.name for p in files.glob("*/shopops_events*.csv")) == ["own"]

    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    # 访客数 and 支付转化率 of Tmall on the last day: its whole-store daily report, as written
    shop = _csv(files / "tmall" / "shopops_shop_traffic_daily.csv")
    shop = shop[shop["日期"] == END.isoformat()].iloc[0]
    html = client.get(reverse("web:traffic"), {**DAY, "store": "tmall"}).content.decode()
    got = tiles(html)
    assert got["report_visitors"] == shop["访客数"] and "visitors" not in got
    assert float(got["report_conversion_rate"]) == pytest.approx(int(shop["支付买家数"]) / int(shop["访客数"]))
    # a product's visitors on the products page: its product traffic report, added over the sources
    product = _csv(files / "tmall" / "shopops_traffic_daily.csv")
    product = product[product["日期"] == END.isoformat()]
    per_product = product.groupby("商品ID")["访客数"].apply(lambda s: s.astype(int).sum())
    html = client.get(reverse("web:products"), {**DAY, "store": "tmall", "sort": "visitors"}).content.decode()
    rows = table_rows(html, "products")
    assert rows and "data-no-event-stream" in html
    for r in rows[:5]:
        assert int(r["visitors"]) == per_product[r["product_id"]]
        assert r["add_to_cart_users"] == ""  # by product only from events: not available
    top = per_product.sort_values(ascending=False)
    assert int(rows[0]["visitors"]) == int(top.iloc[0])
    html = client.get(reverse("web:product", args=("tmall", rows[0]["product_id"])), DAY).content.decode()
    assert tiles(html)["visitor_days"] == rows[0]["visitors"] and "data-no-event-stream" in html
    # the own mini-program keeps its events
    html = client.get(reverse("web:traffic"), {**DAY, "store": "own"}).content.decode()
    own = _csv(files / "own" / "shopops_events.csv")
    own = own[own["发生时间"].str[:10] == END.isoformat()]
    assert tiles(html)["visitors"] == str(own["访客ID"].nunique())
