"""A store the team sets to run no paid ads (不投放付费广告, the store settings): its missing ad reports mean a
known ¥0 spend — ROAS, ROI, CPC not applicable ("—", "runs no ads"), never "data missing" — it no longer makes
the ad coverage partial, and ad reports arriving for it anyway are shown with a warning. A store not so set and
without ad reports stays unknown (test_ad_coverage), in campaign pacing too.

The stores and ad rows of test_ad_coverage on 2025-11-11, counted by hand:

  own  GMV 500.00, ztc plan B: cost 0.00 (a real 0), 200 impressions
  uci  GMV 200.00, no ad row
  tm   GMV 300.00, ztc plan A: cost 100.00, 50 clicks, 1000 impressions, 300.00 attributed

  * uci set to run no ads, alone: ad spend 0.00, ad spend ratio 0 / 200 = 0 %, ROAS / ROI / CPC / CPM None
    (0 denominators); coverage: 1 store, 0 with ad rows, 1 known, "no_ads", GMV share 200 / 200 = 100 %
  * tm + uci: ad spend 100.00, ad spend ratio 100 / 500 = 20 %; coverage complete (2 of 2 known), share 100 %
  * tm set to run no ads too: its 100.00 is still counted, coverage names it as contradicted
  * pacing of a one-day plan tm + uci on 11-11: uci not set → ad spend and ROI unknown (None), not
    (500 − 100) / 100; uci set → 100.00 and ROI (500 − 100) / 100 = 4.0; uci alone set → 0.00, ROI None
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from shopops.campaigns.pacing import PacePlan, pace_build
from shopops.core.periods import Grain, Period
from shopops.core.roles import Role
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get
from shopops.ingest.services import store_runs_no_ads_set
from shopops.metrics.dimensions import no_ad_stores
from shopops.metrics.runners import BreakdownQuery, KpiQuery, ad_coverage, run_query
from shopops.team.services import role_groups_sync, user_create
from tests.web.test_ad_coverage import shops as ad_shops  # noqa: F401 (the fixture)
from tests.web.test_traffic_coverage import DAY, _login, _tile, _value
from tests.web.test_traffic_coverage import shops as traffic_shops  # noqa: F401 (the fixture ad_shops uses)

pytestmark = pytest.mark.django_db
DAY_PERIOD = Period(DAY, DAY)
AD_KPIS = ("ad_spend", "roas", "roi", "cpc", "cpm", "ad_spend_ratio")


@pytest.fixture
def shops(ad_shops):  # noqa: F811
    assert store_runs_no_ads_set(store_id="uci", runs_no_ads=True, con=ad_shops)
    return ad_shops


def test_runner_reads_a_known_zero_for_a_store_that_runs_no_ads(shops):
    uci = run_query(KpiQuery(AD_KPIS, DAY_PERIOD, stores=("uci",))).rows[0]
    assert uci == {"ad_spend": Decimal("0.00"), "roas": None, "roi": None, "cpc": None, "cpm": None,
                   "ad_spend_ratio": 0.0}
    mixed = run_query(KpiQuery(("ad_spend", "ad_spend_ratio"), DAY_PERIOD, stores=("tm", "uci"))).rows[0]
    assert mixed["ad_spend"] == Decimal("100.00") and mixed["ad_spend_ratio"] == pytest.approx(0.2)
    by_store = {r["store_id"]: r["ad_spend"] for r in
                run_query(KpiQuery(("ad_spend", "gmv"), DAY_PERIOD, by=("store_id",))).rows}
    assert by_store == {"own": Decimal("0.00"), "uci": Decimal("0.00"), "tm": Decimal("100.00")}
    trend = run_query(KpiQuery(("ad_spend",), Period(DAY.replace(day=10), DAY), grain=Grain.DAY, stores=("uci",))).rows
    assert [r["ad_spend"] for r in trend] == [Decimal("0.00"), Decimal("0.00")]  # every day: the store runs no ads
    # the breakdown's total adds its groups up: uci alone is a known 0 there too
    total = run_query(BreakdownQuery(("ad_spend",), DAY_PERIOD, "store_id", stores=("uci",))).total
    assert total["ad_spend"] == Decimal("0.00")


def test_coverage_counts_it_as_known_and_names_a_contradiction(shops):
    alone = ad_coverage(DAY_PERIOD, stores=("uci",))
    assert (alone.stores, alone.with_data, alone.known, alone.status, alone.no_ads, alone.without) == (
        1, 0, 1, "no_ads", ("uci",), ())
    assert alone.gmv_share == pytest.approx(1.0) and alone.said
    both = ad_coverage(DAY_PERIOD, stores=("tm", "uci"))
    assert (both.status, both.known, both.without, both.contradicted, both.said) == (None, 2, (), (), False)
    assert both.gmv_share == pytest.approx(1.0)
    store_runs_no_ads_set(store_id="tm", runs_no_ads=True)
    contra = ad_coverage(DAY_PERIOD, stores=("tm", "uci"))
    assert (contra.status, contra.contradicted, contra.said) == (None, ("tm",), True)
    assert run_query(KpiQuery(("ad_spend",), DAY_PERIOD, stores=("tm",))).rows[0]["ad_spend"] == Decimal("100.00")


def test_pacing_never_counts_an_unknown_store_as_zero(ad_shops):  # noqa: F811
    plan = PacePlan(stores=("tm", "uci"), first=DAY, last=DAY, target_gmv=Decimal("1000"))
    unknown = pace_build(plan, as_of=DAY)
    assert (unknown.ad_spend, unknown.roi, unknown.days[0].ad_spend, unknown.days[0].roi) == (None, None, None, None)
    assert unknown.ads.status == "partial" and unknown.ads.without == ("uci",) and not unknown.ad_spend_known
    store_runs_no_ads_set(store_id="uci", runs_no_ads=True)
    known = pace_build(plan, as_of=DAY)
    assert (known.ad_spend, known.days[0].ad_spend) == (Decimal("100.00"), Decimal("100.00"))
    assert known.roi == pytest.approx(4.0) and known.ads.status is None and known.ad_spend_known
    # with the plan's content/samples cost (150) in the cost from the first day: (500 − 250) / 250
    fixed = pace_build(PacePlan(stores=("tm", "uci"), first=DAY, last=DAY, fixed_cost=Decimal("150")), as_of=DAY)
    assert fixed.roi == pytest.approx(1.0) and fixed.days[0].roi == pytest.approx(1.0)
    alone = pace_build(PacePlan(stores=("uci",), first=DAY, last=DAY), as_of=DAY)
    assert (alone.ad_spend, alone.roi, alone.ads.status) == (Decimal("0.00"), None, "no_ads")


def _note(tile: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", re.search(r'<p class="tile-note[^"]*" data-ads=.*?</p>', tile, re.S)
                           .group(0)).split())


def test_ads_page_says_runs_no_ads_in_both_languages(client, shops):
    _login(client)
    day = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
    for language, words in (("zh-hans", "不投放付费广告 · 店铺设置 →"), ("en", "Runs no paid ads · Store settings →")):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = client.get(reverse("web:ads"), {**day, "store": "uci"}).content.decode()
        spend = _tile(html, "ad_spend")
        assert 'data-value="0.00"' in spend and 'data-ads="no_ads"' in spend and _note(spend) == words
        for kpi in ("roas", "roi", "cpc"):
            tile = _tile(html, kpi)
            assert _value(tile) == "—" and _note(tile) == words, kpi
        assert "未导入推广数据" not in html and "No ad data imported" not in html
        assert f'href="{reverse("ingest:stores")}"' in spend
    # (en, the last language) the daily chart's ROAS, undefined every day: not applicable, not "no ad data"
    daily = json.loads(re.search(r'<script id="chart-data-daily" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))
    assert [s.get("empty", "") for s in daily["series"]] == ["", "", "ROAS: not applicable, these stores run no paid ads"]
    # every store: tm and own have ad reports, uci runs no ads: nothing partial to say on any tile
    html = client.get(reverse("web:ads"), day).content.decode()
    assert "data-ads=" not in html
    store_runs_no_ads_set(store_id="tm", runs_no_ads=True)  # reports of 100.00 contradict the setting: warned
    spend = _tile(client.get(reverse("web:ads"), day).content.decode(), "ad_spend")
    assert 'data-value="100.00"' in spend and 'data-ads-contradicted="tm"' in spend and "tile-note-warn" in spend
    assert _note(spend) == "Ad data for a store set to run no ads: tm · Store settings →"


def test_only_the_data_import_module_changes_the_setting(client, shops):
    role_groups_sync()
    url = reverse("ingest:store_ads", args=["own"])
    client.force_login(user_create(username="ads", password="a-long-test-password", role=Role.ADS_SPECIALIST))
    assert client.post(url, {"runs_no_ads": "1"}).status_code == 403
    assert client.get(reverse("ingest:stores")).status_code == 403
    assert no_ad_stores() == {"uci"}
    client.force_login(user_create(username="ops", password="a-long-test-password", role=Role.OPS_SPECIALIST))
    page = client.get(reverse("ingest:stores")).content.decode()
    assert re.search(r'<tr data-store="uci">.*?data-runs-no-ads="1"', page, re.S)
    assert re.search(r'<tr data-store="own">.*?data-runs-no-ads="0"', page, re.S)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    bad = client.post(url, {"runs_no_ads": "maybe"}, follow=True).content.decode()
    assert "Say whether the store runs no paid ads (1) or does (0)." in bad and no_ad_stores() == {"uci"}
    unknown = client.post(reverse("ingest:store_ads", args=["nowhere"]), {"runs_no_ads": "1"}, follow=True)
    assert "Unknown store: nowhere" in unknown.content.decode() and no_ad_stores() == {"uci"}
    assert client.get(url).status_code == 405  # a change is a POST
    assert client.post(url, {"runs_no_ads": "1"}).status_code == 302 and no_ad_stores() == {"own", "uci"}
    assert client.post(url, {"runs_no_ads": "0"}).status_code == 302 and no_ad_stores() == {"uci"}


def test_a_stores_file_without_the_column_keeps_the_setting(shops, tmp_path: Path):
    profile = profile_get("shopops_stores")
    plain = tmp_path / "stores.csv"
    plain.write_text("店铺ID,平台,店铺名称\nuci,own,UK online retailer (renamed)\ntm,tmall,天猫店\n", encoding="utf-8")
    assert import_file(plain, profile=profile, con=shops).loaded
    assert no_ad_stores() == {"uci"}  # the file says nothing of ads: what was set stays
    said = tmp_path / "stores-ads.csv"
    said.write_text("店铺ID,平台,店铺名称,不投放付费广告\nuci,own,UK online retailer,否\ntm,tmall,天猫店,是\n",
                    encoding="utf-8")
    assert import_file(said, profile=profile, con=shops).loaded
    assert no_ad_stores() == {"tm"}
