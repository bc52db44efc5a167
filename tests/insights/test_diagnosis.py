"""Decomposition and evidence scoring on hand-computed examples."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from shopops.insights.diagnosis import (
    ProductFacts, StoreFacts, additive, evidence_for_product, evidence_for_store, factor_contributions, mix_rate,
    rank, reference_days, shapley, topics_of,
)


def test_gmv_factors_by_hand():
    # reference: 1000 visitors × 5 % × ¥200 = ¥10,000; day: 1000 × 4 % × ¥200 = ¥8,000
    ref = {"visitors": 1000, "paying_buyers": 50, "gmv": 10_000}
    day = {"visitors": 1000, "paying_buyers": 40, "gmv": 8_000}
    out = {c.name: c.value for c in factor_contributions(ref, day)}
    assert out == pytest.approx({"visitors": 0.0, "conversion_rate": -2_000.0, "aov": 0.0})


def test_two_factor_shapley_by_hand():
    # Y = a·b: a 10→20, b 3→4. Orders: a first: +30 then +20; b first: +10 then +40 → a = 35, b = 15
    out = {c.name: c.value for c in shapley({"a": 10, "b": 3}, {"a": 20, "b": 4})}
    assert out == pytest.approx({"a": 35.0, "b": 15.0})


visitors = st.integers(min_value=1, max_value=1_000_000)
share = st.floats(min_value=0.0, max_value=1.0)
aov = st.floats(min_value=1.0, max_value=5_000.0)


@settings(max_examples=200, deadline=None)
@given(visitors, share, aov, visitors, share, aov)
def test_factor_contributions_always_sum_to_the_change(v0, c0, a0, v1, c1, a1):
    b0, b1 = round(v0 * c0), round(v1 * c1)
    ref = {"visitors": v0, "paying_buyers": b0, "gmv": round(b0 * a0, 2)}
    day = {"visitors": v1, "paying_buyers": b1, "gmv": round(b1 * a1, 2)}
    parts = factor_contributions(ref, day)
    scale = max(abs(c.value) for c in parts) + abs(day["gmv"]) + abs(ref["gmv"])
    assert sum(c.value for c in parts) == pytest.approx(day["gmv"] - ref["gmv"], abs=1e-9 * scale + 1e-6)


def test_mix_and_rate_by_hand():
    # search 800 visitors at 5 % → 600 at 5 %; ads 200 at 2 % → 400 at 2 %: a pure mix shift.
    ref = pd.DataFrame({"src": ["search", "ads"], "visitors": [800, 200], "buyers": [40, 4]})
    day = pd.DataFrame({"src": ["search", "ads"], "visitors": [600, 400], "buyers": [30, 8]})
    out = {c.name: c for c in mix_rate(ref, day, key="src", base="visitors", part="buyers")}
    # conversion 4.4 % → 3.8 %: all mix (rates unchanged)
    assert out["search"].rate == pytest.approx(0.0) and out["ads"].rate == pytest.approx(0.0)
    assert out["search"].mix == pytest.approx(-0.2 * 0.05)
    assert out["ads"].mix == pytest.approx(0.2 * 0.02)
    assert sum(c.value for c in out.values()) == pytest.approx(0.038 - 0.044)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500), st.integers(0, 500)),
                min_size=1, max_size=6))
def test_mix_rate_always_sums_to_the_change(rows):
    names = [f"s{i}" for i in range(len(rows))]
    ref = pd.DataFrame({"k": names, "base": [r[0] + 1 for r in rows], "part": [min(r[1], r[0] + 1) for r in rows]})
    day = pd.DataFrame({"k": names, "base": [r[2] + 1 for r in rows], "part": [min(r[3], r[2] + 1) for r in rows]})
    total = sum(c.value for c in mix_rate(ref, day, key="k", base="base", part="part"))
    want = day.part.sum() / day.base.sum() - ref.part.sum() / ref.base.sum()
    assert total == pytest.approx(want, abs=1e-12)


def test_additive_keeps_the_top_and_sums_the_others():
    ref = pd.DataFrame({"p": ["a", "b", "c", "d"], "v": [100.0, 50.0, 20.0, 10.0]})
    day = pd.DataFrame({"p": ["a", "b", "c", "e"], "v": [40.0, 55.0, 20.0, 5.0]})
    out = additive(ref, day, key="p", value="v", top=2)
    assert [(c.name, c.value) for c in out] == [("a", -60.0), ("d", -10.0), ("__others__", 10.0)]
    assert sum(c.value for c in out) == pytest.approx(120 - 180)


def test_reference_days_are_same_weekdays_without_campaigns():
    day = dt.date(2025, 9, 30)
    avail = [day - dt.timedelta(days=i) for i in range(1, 40)]
    skip = frozenset({dt.date(2025, 9, 9)})
    assert reference_days(day, skip=skip, available=avail) == [dt.date(2025, 9, 23), dt.date(2025, 9, 16),
                                                                dt.date(2025, 9, 2)]


def test_review_topics_by_keyword():
    texts = ["尺码偏小，穿不上", "质量一般，起球了", "物流太慢了", "尺码不准还有色差"]
    assert topics_of(texts) == {"尺码": 2, "物流": 1, "色差": 1, "质量": 1}


def _product(**kw):
    base = dict(product_id="p1", title="连衣裙", relevance=1.0, units_ref=20, units_day=6, price_ref=100.0,
                price_day=100.0, bad_reviews_recent=0, bad_reviews_base=0.5, review_texts=[], competitor=[],
                on_hand=300, on_hand_date=dt.date(2025, 9, 1))
    base.update(kw)
    return ProductFacts(**base)


def test_price_rise_is_evidence_and_a_small_wobble_is_not():
    ev = evidence_for_product(_product(price_day=115.0))
    assert [(e.kind, e.strength) for e in ev] == [("price_change", 1.0)]
    assert evidence_for_product(_product(price_day=103.0)) == []
    # too few units on the day to trust an average price
    assert evidence_for_product(_product(price_day=130.0, units_day=2)) == []


def test_bad_review_wave_competitor_cut_and_stock_out():
    ev = evidence_for_product(_product(bad_reviews_recent=9, review_texts=["尺码偏小"] * 9))
    assert ev[0].kind == "bad_reviews" and ev[0].facts["topics"] == {"尺码": 9}
    comp = [{"competitor": "森屿", "title": "x", "price_day": 78.0, "price_ref": 100.0, "promo_text": "限时直降22元"}]
    ev = evidence_for_product(_product(competitor=comp))
    assert ev[0].kind == "competitor_price" and ev[0].facts["change"] == pytest.approx(-0.22)
    ev = evidence_for_product(_product(on_hand=0))
    assert ev[0].kind == "stock_out" and ev[0].strength == 1.0
    # 30 on hand at 20 a day: 1.5 days of cover → weaker
    assert evidence_for_product(_product(on_hand=30))[0].strength == pytest.approx(0.35)


def test_store_evidence_and_ranking():
    facts = StoreFacts(ad_spend_ref=2000, ad_spend_day=200, ads_share_of_drop=0.8, tracking_ratio_ref=0.7,
                       tracking_ratio_day=0.68, visitors_signalled=True, source_drops=[], visitors_ref=1000)
    ev = evidence_for_store(facts)
    assert [(e.kind, e.score) for e in ev] == [("ad_spend", 0.8)]
    outage = StoreFacts(ad_spend_ref=2000, ad_spend_day=1900, ads_share_of_drop=0.0, tracking_ratio_ref=0.7,
                        tracking_ratio_day=0.1, visitors_signalled=True, source_drops=[], visitors_ref=1000)
    ev = rank(evidence_for_store(outage) + evidence_for_product(_product(price_day=106.0, relevance=0.5)))
    assert [e.kind for e in ev] == ["tracking_gap", "price_change"]


def test_shapley_is_symmetric_in_factor_order():
    a = {"x": 2.0, "y": 3.0, "z": 5.0}
    b = {"x": 3.0, "y": 1.0, "z": 7.0}
    base = {c.name: c.value for c in shapley(a, b)}
    for perm in itertools.permutations(a):
        again = {c.name: c.value for c in shapley({k: a[k] for k in perm}, {k: b[k] for k in perm})}
        assert again == pytest.approx(base)


def test_promotion_ending_or_starting_is_evidence():
    from shopops.insights.diagnosis import PromoWindow, evidence_for_promotions

    day = dt.date(2025, 9, 10)
    promos = [
        PromoWindow("中秋满减", dt.date(2025, 9, 1), dt.date(2025, 9, 8)),  # ended 2 days before: store-wide
        PromoWindow("单品限时折扣", dt.date(2025, 9, 1), dt.date(2025, 9, 9), products=frozenset({"p1"})),
        PromoWindow("京东专享", dt.date(2025, 9, 1), dt.date(2025, 9, 9), stores=frozenset({"jd"})),  # other store
        PromoWindow("新品首发", dt.date(2025, 9, 10), dt.date(2025, 9, 20)),  # starts today
        PromoWindow("老活动", dt.date(2025, 8, 1), dt.date(2025, 8, 31)),  # long over
    ]
    ev = rank(evidence_for_promotions(promos, store_id="tmall", day=day, product_relevance={"p1": 1.0}))
    assert [(e.subject, e.facts["event"], e.score) for e in ev] == [
        ("单品限时折扣", "ended", 0.64), ("中秋满减", "ended", 0.384), ("新品首发", "started", 0.24)]
