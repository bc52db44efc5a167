"""Ad spend and the KPIs built on it for stores without ad reports, and page views / sessions for stores
without events: unknown ("—" with the reason and a link to import), never ¥0.00 or a ROAS of 0; an ad report
row of 0 spend is a real 0; a selection where only some stores have ad data says which share it covers.
The stores of test_traffic_coverage (own: events and 500.00 on 2025-11-11; uci: 200.00, nothing else;
tm: 300.00 and a platform report row), plus ad rows counted by hand:

  tm   2025-11-11 ztc plan A: impressions 1000, clicks 50, cost 100.00, 2 orders, 300.00 attributed
  own  2025-11-11 ztc plan B: impressions 200, clicks 0, cost 0.00, 0 orders, 0.00 attributed (a real 0)
  uci  no ad row

  * uci alone: ad spend, ROAS, ROI, CPC, CPM, ad spend ratio, CAC unknown (None / "—")
  * own alone: ad spend 0.00 (real), CPM 0 × 1000 / 200 = 0.00, ad spend ratio 0 / 500 = 0 %, ROAS undefined (0 spend)
  * tm alone: ad spend 100.00, ROAS 300 / 100 = 3.00, ROI (300 − 100) / 100 = 2.00, CPC 100 / 50 = 2.00,
    CPM 100 × 1000 / 1000 = 100.00, ad spend ratio 100 / 300 = 33.33 %
  * tm + uci: ad spend 100.00 (tm only), ad spend ratio 100 / 500 = 20 %; coverage 1 of 2 stores, 300 / 500 = 60 %
  * tm by day 2025-11-10..11: ad spend None on 11-10 (no ad row), 100.00 on 11-11
  * page views: own 4 (e1, e3, e4, e5), sessions 0 (own's events carry no session: a real 0 of a store with
    events); uci and tm (a platform report, no event) unknown; own + tm: 4, events cover 1 of 2 stores, 500 / 800 = 62.5 %
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse
from django.utils import translation

from shopops.core.periods import Grain, Period
from shopops.metrics.rollups import rollup_reads
from shopops.metrics.runners import Filter, KpiQuery, ad_coverage, run_query, traffic_coverage
from shopops.ui.tables import series_empty_text
from shopops.warehouse.loader import load
from tests.web.test_traffic_coverage import DAY, _login, _tile, _value
from tests.web.test_traffic_coverage import shops as traffic_shops  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
AD_KPIS = ("ad_spend", "roas", "roi", "cpc", "cpm", "ad_spend_ratio", "cac")


@pytest.fixture
def shops(traffic_shops):  # noqa: F811
    def row(store, plan, impressions, clicks, cost, orders, gmv):
        return {"store_id": store, "date": DAY, "ad_tool": "ztc", "plan_id": plan, "plan_name": plan,
                "impressions": impressions, "clicks": clicks, "cost": Decimal(cost), "attributed_orders": orders,
                "attributed_gmv": Decimal(gmv), "attributed_cart_adds": None}

    load(traffic_shops, "ad_spend_daily", pa.Table.from_pylist(
        [row("tm", "A", 1000, 50, "100.00", 2, "300.00"), row("own", "B", 200, 0, "0.00", 0, "0.00")],
        schema=pa.schema([("store_id", pa.string()), ("date", pa.date32()), ("ad_tool", pa.string()),
                          ("plan_id", pa.string()), ("plan_name", pa.string()), ("impressions", pa.int64()),
                          ("clicks", pa.int64()), ("cost", pa.decimal128(18, 2)), ("attributed_orders", pa.int64()),
                          ("attributed_gmv", pa.decimal128(18, 2)), ("attributed_cart_adds", pa.int64())])))
    return traffic_shops


@pytest.mark.parametrize("rollups", [True, False])
def test_runner_ads_unknown_real_zero_and_mixed(shops, rollups):
    day = Period(DAY, DAY)
    with rollup_reads(rollups):
        uci, own, tm, mixed = (run_query(KpiQuery(AD_KPIS, day, stores=s)).rows[0]
                               for s in (("uci",), ("own",), ("tm",), ("tm", "uci")))
    assert [uci[k] for k in AD_KPIS] == [None] * len(AD_KPIS)
    assert own["ad_spend"] == Decimal("0.00") and own["cpm"] == Decimal("0.00") and own["ad_spend_ratio"] == 0
    assert own["roas"] is None and own["cpc"] is None  # 0 spend over 0 clicks: undefined, not unknown data
    assert tm["ad_spend"] == Decimal("100.00") and tm["roas"] == pytest.approx(3.0) and tm["roi"] == pytest.approx(2.0)
    assert tm["cpc"] == Decimal("2.00") and tm["cpm"] == Decimal("100.00")
    assert tm["ad_spend_ratio"] == pytest.approx(100 / 300)
    assert mixed["ad_spend"] == Decimal("100.00") and mixed["ad_spend_ratio"] == pytest.approx(0.2)


def test_ad_days_and_coverage(shops):
    two = Period(DAY - dt.timedelta(days=1), DAY)
    trend = run_query(KpiQuery(("ad_spend", "roas"), two, grain=Grain.DAY, stores=("tm",))).rows
    assert [r["ad_spend"] for r in trend] == [None, Decimal("100.00")]
    by_store = {r["store_id"]: r["ad_spend"] for r in
                run_query(KpiQuery(("ad_spend", "gmv"), Period(DAY, DAY), by=("store_id",))).rows}
    assert by_store == {"own": Decimal("0.00"), "uci": None, "tm": Decimal("100.00")}
    # a filter on the tool keeps a real 0 (catalog docs: judged on whole stores only)
    tool = run_query(KpiQuery(("ad_spend",), Period(DAY, DAY), stores=("uci",),
                              filters=(Filter("ad_tool", ("ztc",)),))).rows[0]["ad_spend"]
    assert tool == Decimal("0.00")
    cov = ad_coverage(Period(DAY, DAY), stores=("tm", "uci"))
    assert (cov.stores, cov.with_data, cov.status, cov.kind) == (2, 1, "partial", "ads")
    assert cov.gmv_share == pytest.approx(300 / 500) and cov.without == ("uci",)
    assert ad_coverage(Period(DAY, DAY), stores=("uci",)).status == "missing"
    assert ad_coverage(Period(DAY, DAY), stores=("own", "tm")).status is None  # a row of 0 spend is ad data


def test_page_views_and_sessions_need_events(shops):
    day = Period(DAY, DAY)
    rows = {s: run_query(KpiQuery(("page_views", "sessions", "bounce_rate"), day, stores=(s,))).rows[0]
            for s in ("own", "uci", "tm")}
    assert (rows["own"]["page_views"], rows["own"]["sessions"]) == (4, 0)
    assert rows["uci"]["page_views"] is None and rows["tm"]["page_views"] is None and rows["tm"]["sessions"] is None
    cov = traffic_coverage(day, stores=("own", "tm"), sources=frozenset({"events"}))
    assert (cov.stores, cov.with_data, cov.status) == (2, 1, "partial") and cov.gmv_share == pytest.approx(500 / 800)
    assert traffic_coverage(day, stores=("own", "tm")).status is None  # visitors: tm's report counts


def test_cockpit_without_ads_says_unknown_in_both_languages(client, shops):
    _login(client)
    query = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11", "store": "uci"}
    for language, words in (("zh-hans", "未导入推广数据 · 导入推广数据 →"), ("en", "No ad data imported · Import ad data →")):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = client.get(reverse("web:cockpit"), query).content.decode()
        for kpi in ("ad_spend", "roas"):
            tile = _tile(html, kpi)
            assert 'data-value=""' in tile and _value(tile) == "—" and "¥0.00" not in tile, tile
            note = re.search(r'<p class="tile-note[^"]*" data-ads="missing".*?</p>', tile, re.S).group(0)
            assert " ".join(re.sub(r"<[^>]+>", "", note).split()) == words
            assert f'href="{reverse("ingest:upload")}"' in note
        assert "data-ads=" not in _tile(html, "gmv")


def test_cockpit_ads_real_zero_and_mixed_selection(client, shops):
    _login(client)
    day = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
    tile = _tile(client.get(reverse("web:cockpit"), {**day, "store": "own"}).content.decode(), "ad_spend")
    assert 'data-value="0.00"' in tile and "data-ads=" not in tile
    html = client.get(reverse("web:cockpit"), {**day, "store": ["tm", "uci"]}).content.decode()
    tile = _tile(html, "ad_spend")
    assert 'data-value="100.00"' in tile and 'data-ads="partial"' in tile and 'data-ads-stores="1/2"' in tile
    assert "推广数据覆盖2 家店铺中的 1 家,占支付金额 60.00%" in tile
    assert 'data-ads="partial"' in _tile(html, "roas") and "data-ads=" not in _tile(html, "paid_orders")


def test_ads_page_and_chart_words(client, shops):
    _login(client)
    html = client.get(reverse("web:ads"), {"period": "custom", "start": "2025-11-11", "end": "2025-11-11",
                                           "store": "uci"}).content.decode()
    for kpi in ("ad_spend", "roas", "cpc", "ad_spend_ratio"):
        tile = _tile(html, kpi)
        assert _value(tile) == "—" and 'data-ads="missing"' in tile, kpi
    notes = re.findall(r'<p class="panel-note">(.*?)</p>', html, re.S)  # the empty by-tool panel says why
    assert any(n.startswith("这些店铺在本期没有导入推广数据") for n in notes), notes
    chart = json.loads(re.search(r'<script id="chart-data-tools" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))
    assert [s["empty"] for s in chart["series"]] == ["推广花费:本期未导入推广数据", "推广成交金额:本期未导入推广数据",
                                                      "投产比:本期未导入推广数据"]
    with translation.override("zh-hans"):
        assert series_empty_text("roas", "zh-hans", [None, None]) == "投产比:本期未导入推广数据"
        assert series_empty_text("roas", "zh-hans", [None, 0.0]) == ""
    with translation.override("en"):
        assert series_empty_text("ad_spend", "en", [None]) == "Ad spend: no ad data imported for this period"


def test_cli_prints_a_dash_and_the_ads_reason(shops, capsys):
    from shopops.cli import main

    assert main(["kpi", "ad_spend", "roas", "--store", "uci", "--period", "2025-11-11"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[1].split() == ["—", "—"] and "no ad data imported" in out.err
    assert main(["kpi", "ad_spend", "--store", "tm", "--store", "uci", "--period", "2025-11-11"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[1].split() == ["100.00"] and "ad data cover 1 of 2 stores (60.00% of the GMV)" in out.err
