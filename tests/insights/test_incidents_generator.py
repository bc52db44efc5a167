"""The demo generator's incidents option: each planted cause shows in the written files the way
the docs say (checked with pandas over the CSVs), the truth file names it, and the same
arguments give the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest

from shopops.demo.generator import generate
from shopops.demo.generator.incidents import Incident

D = dt.date
END = D(2025, 10, 14)
PLANTED = [Incident("price_rise", "tmall", D(2025, 9, 20)), Incident("stock_out", "tmall", D(2025, 10, 5)),
           Incident("bad_reviews", "douyin", D(2025, 10, 1)), Incident("competitor_cut", "jd", D(2025, 9, 25)),
           Incident("ad_cut", "pdd", D(2025, 9, 28)), Incident("tracking_outage", "own", D(2025, 10, 2))]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    out = tmp_path_factory.mktemp("incidents")
    generate(out, days=45, scale="small", seed=5, end_date=END, incidents=PLANTED)
    return out, {t["kind"]: t for t in json.loads((out / "incidents.json").read_text("utf-8"))}


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _days(t):
    first = dt.date.fromisoformat(t["day"])
    return {str(first + dt.timedelta(days=k)) for k in range(t["days"])}


def test_truth_file_names_store_days_cause_and_product(planted):
    _, truth = planted
    assert truth["price_rise"]["cause"] == "price_change" and truth["price_rise"]["product_id"]
    assert truth["ad_cut"]["cause"] == "ad_spend" and truth["ad_cut"]["product_id"] is None
    assert truth["tracking_outage"] == {"kind": "tracking_outage", "store_id": "own", "day": "2025-10-02", "days": 2,
                                        "rank": 0, "last_day": "2025-10-03", "cause": "tracking_gap", "product_id": None}


def test_price_rise_raises_the_unit_price_of_the_product(planted):
    root, truth = planted
    t = truth["price_rise"]
    lines = _csv(root / "tmall" / "shopops_order_lines.csv")
    lines = lines[(lines["商品ID"] == t["product_id"]) & (lines["付款时间"] != "")]
    lines["day"] = lines["付款时间"].str[:10]
    price = lines.groupby(lines["day"].isin(_days(t)))["商品单价"].apply(lambda s: s.astype(float).median())
    assert price[True] / price[False] == pytest.approx(1.18, abs=0.05)


def test_stock_out_competitor_cut_ad_cut_and_outage_show_in_their_files(planted):
    root, truth = planted
    t = truth["stock_out"]
    skus = _csv(root / "tmall" / "shopops_skus.csv")
    mine = set(skus[skus["商品ID"] == t["product_id"]]["SKU ID"])
    stock = _csv(root / "tmall" / "shopops_inventory_snapshots.csv")
    on_day = stock[stock["日期"].isin(_days(t)) & stock["SKU ID"].isin(mine)]
    assert len(on_day) == 2 * len(mine) and (on_day["可售库存"].astype(int) == 0).all()

    t = truth["competitor_cut"]
    comp = _csv(root / "jd" / "shopops_competitor_snapshots.csv")
    comp = comp[comp["对标商品ID"] == t["product_id"]]
    cut = comp[comp["日期"].isin(_days(t))]
    assert len(cut) and cut["促销信息"].str.startswith("限时直降").all()
    # the item was listed a week before the cut (its usual price is in the data)
    first = dt.date.fromisoformat(t["day"])
    assert (comp["日期"] <= str(first - dt.timedelta(days=7))).any()

    t = truth["ad_cut"]
    ads = _csv(root / "pdd" / "shopops_ad_spend_daily.csv")
    spend = ads.groupby("日期")["花费"].apply(lambda s: s.astype(float).sum())
    usual = spend[[d for d in spend.index if d not in _days(t)]].median()
    assert (spend[sorted(_days(t))] < 0.2 * usual).all()

    t = truth["tracking_outage"]
    events = _csv(root / "own" / "shopops_events.csv")
    hours = events["发生时间"].str[11:13].astype(int)
    on_day = events["发生时间"].str[:10].isin(_days(t))
    assert ((hours >= 8) & (hours < 22) & on_day).sum() == 0
    assert (on_day & (hours < 8)).sum() > 0  # the night before the outage started is still there
    traffic = _csv(root / "own" / "shopops_traffic_daily.csv")
    assert traffic["日期"].isin(_days(t)).sum() > 0  # the platform report is intact


def test_only_the_store_with_an_event_stream_gets_events(planted):
    """Platform stores get their reports (product report and whole-store report), never events."""
    root, _ = planted
    assert sorted(p.parent.name for p in root.glob("*/shopops_events*.csv")) == ["own"]
    for store in ("tmall", "jd", "pdd", "douyin"):
        assert len(_csv(root / store / "shopops_shop_traffic_daily.csv")) == 45
        assert len(_csv(root / store / "shopops_traffic_daily.csv")) > 0
    assert not (root / "own" / "shopops_shop_traffic_daily.csv").exists()


def test_bad_review_wave_is_one_star_size_reviews(planted):
    root, truth = planted
    t = truth["bad_reviews"]
    reviews = _csv(root / "douyin" / "shopops_reviews.csv")
    first = dt.date.fromisoformat(t["day"])
    window = {str(first + dt.timedelta(days=k)) for k in range(-6, t["days"])}
    wave = reviews[(reviews["商品ID"] == t["product_id"]) & reviews["评价时间"].str[:10].isin(window)]
    assert len(wave) >= 1 and (wave["评分"] == "1").all() and (wave["标签"] == "尺码").all()  # small scale: a few


def test_same_incidents_same_bytes(planted, tmp_path):
    root, _ = planted
    generate(tmp_path, days=45, scale="small", seed=5, end_date=END, incidents=PLANTED)
    digest = lambda r: {str(p.relative_to(r)): hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
                        for p in sorted(r.rglob("*")) if p.is_file()}
    assert digest(root) == digest(tmp_path)


@pytest.mark.parametrize("spec,message", [
    ("price_rise:tmall", "kind:store:YYYY-MM-DD"), ("price_cut:tmall:2025-09-01", "price_cut"),
    ("price_rise:taobao:2025-09-01", "taobao"),
    # a platform store gives reports, no event stream: there is no tracking to lose
    ("tracking_outage:jd:2025-09-01", "no event stream"), ("tracking_outage:tmall:2025-09-01", "only own"),
])
def test_bad_incident_specs_are_named(spec, message):
    with pytest.raises(ValueError, match=message):
        Incident.parse(spec)


def test_an_incident_outside_the_window_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not inside the generated window"):
        generate(tmp_path, days=10, scale="small", seed=5, end_date=END, incidents=[Incident("ad_cut", "jd", D(2025, 1, 1))])


def test_a_competitor_cut_is_planted_on_an_item_listed_a_week_before():
    """Hand-built window: the best seller's competitor item is first listed 2 days before the incident,
    the second's was delisted during it; the cut goes to the third (rank 0 among the eligible)."""
    import numpy as np

    from shopops.demo.generator.incidents import IncidentPlan

    start, n = D(2025, 8, 1), 40
    sales_w = np.zeros((5, n, 4))
    sales_w[:, :, :] = [4.0, 3.0, 2.0, 1.0]  # product 0 sells most
    d0 = 20
    listed = {0: {0: (d0 - 2, n - 1), 1: (0, d0), 2: (d0 - 7, n - 1), 3: (0, n - 1)}}
    plan = IncidentPlan(1, [Incident("competitor_cut", "tmall", start + dt.timedelta(days=d0))], start, n, sales_w,
                        listed)
    assert plan.items[0].product == 2
    plan = IncidentPlan(1, [Incident("competitor_cut", "tmall", start + dt.timedelta(days=d0), rank=1)], start, n,
                        sales_w, listed)
    assert plan.items[0].product == 3
