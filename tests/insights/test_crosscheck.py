"""The checks within the day on hand-made series: expectations computed by hand in each test."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from shopops.insights.crosscheck import CrossSettings, StoreProducts, peer_signals, product_signals, tracking_signal
from shopops.insights.detection import Band, Settings, Signal, market_filter, Series, SeriesSpec
from shopops.metrics.catalog import Unit

DAYS = 40
DATES = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(DAYS)]
DAY = DATES[-1]
ST, CS = Settings(), CrossSettings()


def store(buyers_today: list[float], *, multiplier: float = 1.0, price_today: float = 100.0) -> StoreProducts:
    """Five products, steady buyers 20/10/10/10/10 a day (Poisson noise), 4 visitors per buyer, price 100."""
    rng = np.random.default_rng(3)
    base = np.array([20.0, 10, 10, 10, 10])[:, None]
    buyers = rng.poisson(base * np.ones((5, DAYS))).astype(float)
    buyers[:, -1] = np.array(buyers_today) * multiplier
    visitors = base * 4 * np.ones((5, DAYS))
    visitors[:, -1] *= multiplier
    units = buyers.copy()
    price = np.full((5, DAYS), 100.0)
    price[0, -2:] = price_today
    placed_units = np.maximum(units, 1.0)
    return StoreProducts("s", ["p0", "p1", "p2", "p3", "p4"], DATES, buyers, visitors, units, units * 100.0,
                         placed_units, placed_units * price, np.zeros((5, DAYS)), np.ones((5, DAYS)) * 5,
                         np.full((5, DAYS), np.nan), np.zeros((5, DAYS)))


def test_a_product_whose_buyers_collapse_against_the_others_signals():
    sp = store([2, 10, 10, 10, 10])
    sigs = product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5)
    assert [s.product_id for s in sigs] == ["p0"]
    s = sigs[0]
    x = sp.buyers[:, DAYS - 30:DAYS - 2]  # the reference: the 28 days before the day before
    share = x[0].sum() / x[1:].sum()  # leave-one-out share
    assert s.expected == pytest.approx(share * 40)
    assert s.window == 1 and s.actual == 2
    # z: the Poisson tail's normal score over √(pooled over-dispersion): the median over products of the
    # squared robust sd (1.4826 × MAD) of their residuals (x − e) / √e on the reference days, at least 1
    others = x.sum(axis=0)[None, :] - x
    e = (x.sum(axis=1) / others.sum(axis=1))[:, None] * others
    r = (x - e) / np.sqrt(e)
    sd = 1.4826 * np.median(np.abs(r - np.median(r, axis=1, keepdims=True)), axis=1)
    phi = max(1.0, float(np.median(sd ** 2)))
    assert s.z == pytest.approx(stats.norm.ppf(stats.poisson.cdf(2, s.expected)) / np.sqrt(phi), abs=1e-6)


def test_a_product_without_evidence_is_judged_at_the_bar_shared_by_the_stores_products():
    # five products judged without evidence: the bar is the one-sided tail of z 3.5 shared by five
    bar = -stats.norm.ppf(stats.norm.cdf(-3.5) / 5)
    assert 3.9 < bar < 4.0
    sp = store([4, 10, 10, 10, 10])  # 4 of about 20: z between 3.5 and the shared bar
    alone = product_signals(sp, DAY, settings=ST, cs=CrossSettings(family_wise=False), store_gmv=1e5)
    assert [s.product_id for s in alone] == ["p0"] and -bar < alone[0].z <= -3.5
    assert product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5) == []


def test_a_campaign_lifting_every_product_is_not_a_signal():
    sp = store([20, 10, 10, 10, 10], multiplier=3.0)
    assert product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5) == []


def test_evidence_makes_a_smaller_fall_a_finding():
    half = [9, 10, 10, 10, 10]  # p0 at 45 % of its usual share: not enough without a known cause
    assert product_signals(store(half), DAY, settings=ST, cs=CS, store_gmv=1e5) == []
    sigs = product_signals(store(half, price_today=120.0), DAY, settings=ST, cs=CS, store_gmv=1e5)
    assert [s.product_id for s in sigs] == ["p0"]
    kinds = {k: facts for k, _strength, facts in sigs[0].evidence}
    assert set(kinds) == {"price_change"} and kinds["price_change"]["change"] == pytest.approx(0.2, abs=1e-9)
    assert sigs[0].severity in ("medium", "high")


def test_tracking_falls_when_events_go_missing_not_when_traffic_moves():
    rng = np.random.default_rng(5)
    report = rng.normal(1000, 30, DAYS)
    visitors = report * rng.normal(0.6, 0.01, DAYS)
    ok = visitors.copy()
    ok[-1], report_peak = visitors[-1] * 3, report.copy()
    report_peak[-1] *= 3  # a campaign tripling traffic: both sides move
    assert tracking_signal("s", DATES, ok, report_peak, DAY, settings=ST, cs=CS) is None
    broken = visitors.copy()
    broken[-1] = report[-1] * 0.6 * 0.3
    sig = tracking_signal("s", DATES, broken, report, DAY, settings=ST, cs=CS)
    assert sig is not None and sig.relative == pytest.approx(-(1 - 0.18 / np.median(visitors[DAYS - 30:DAYS - 2] / report[DAYS - 30:DAYS - 2])),
                                                             abs=1e-9)


def test_a_store_whose_clicks_collapse_while_its_peers_rise_signals():
    rng = np.random.default_rng(7)
    clicks = rng.normal(1000, 20, (4, DAYS))
    clicks[:, -1] *= 2.0  # a campaign day: every store's clicks double …
    clicks[2, -1] = 1000 * 0.2  # … but the third store's fall to a fifth of its usual
    sigs = peer_signals("clicks", ["a", "b", "c", "d"], DATES, clicks, DAY, settings=ST, cs=CS)
    assert [s.store_id for s in sigs] == ["c"]
    assert sigs[0].relative == pytest.approx(0.2 / 2.0 - 1, abs=0.05)


def test_a_dip_every_store_shares_does_not_alert():
    spec = SeriesSpec("gmv", Unit.MONEY, True)
    band = Band(expected=100.0, low=80.0, high=120.0, spread=5.0, history=30)

    def sig(store, rel):
        return Signal(store, DAY, "gmv", "", 100 * (1 + rel), 100.0, 80.0, 120.0, rel * 20, rel, 0.0, "high", True)

    def run(values):
        series = [Series(spec, s, "", DATES, np.r_[np.full(DAYS - 1, 100.0), v]) for s, v in values.items()]
        bands = {(s, "gmv", ""): band for s in values}
        signals = [sig(s, v / 100 - 1) for s, v in values.items() if v < 80]
        return [s.store_id for s in market_filter(signals, bands, series, DAY)]

    assert run({"a": 70.0, "b": 99.0, "c": 101.0, "d": 100.0}) == ["a"]  # one store down: kept
    assert run({"a": 70.0, "b": 82.0, "c": 84.0, "d": 100.0}) == []  # the others down too: a market dip


def _with_small_product(cut_today: float, buyers_last_two: tuple[float, float]) -> StoreProducts:
    """The five-product store plus p5, bought about once every three days (too small for a fall to be
    measured), with its competitor's cut (beyond the market) on the last day."""
    sp = store([20, 10, 10, 10, 10])
    rng = np.random.default_rng(5)
    small = rng.poisson(0.35, DAYS).astype(float)
    small[-2:] = buyers_last_two
    cut = np.zeros(DAYS)
    cut[-1] = cut_today

    def add(a, row):
        return np.vstack([a, row[None, :]])

    return StoreProducts("s", [*sp.products, "p5"], DATES, add(sp.buyers, small), add(sp.visitors, np.full(DAYS, 2.0)),
                         add(sp.units, small), add(sp.item_gmv, small * 100), add(sp.placed_units, np.maximum(small, 1)),
                         add(sp.placed_listed, np.maximum(small, 1) * 100), add(sp.bad_reviews, np.zeros(DAYS)),
                         add(sp.reviews, np.zeros(DAYS)), add(sp.on_hand, np.full(DAYS, np.nan)),
                         add(sp.competitor_cut, cut))


def test_a_competitors_cut_on_a_product_too_small_to_measure_is_a_finding_of_its_own():
    sp = _with_small_product(0.22, (0, 0))
    sigs = [s for s in product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5) if s.product_id == "p5"]
    assert len(sigs) == 1
    s = sigs[0]
    x = sp.buyers[:, DAYS - 30:DAYS - 2]
    share = x[5].sum() / (x.sum(axis=0) - x[5]).sum()  # leave-one-out share over the reference days
    others_two = (sp.buyers[:, -2:].sum(axis=0) - sp.buyers[5, -2:]).sum()
    assert share * sp.buyers[:5, -1].sum() < CS.min_expected_evidence  # too small for the ordinary rule
    assert s.expected == pytest.approx(share * others_two) and s.actual == 0 and s.window == 2
    assert s.severity == "medium" and [e[0] for e in s.evidence] == ["competitor_price"]


def test_no_direct_finding_without_the_cut_or_when_its_buyers_are_up():
    assert not [s for s in product_signals(_with_small_product(0.0, (0, 0)), DAY, settings=ST, cs=CS, store_gmv=1e5)
                if s.product_id == "p5"]
    assert not [s for s in product_signals(_with_small_product(0.22, (1, 2)), DAY, settings=ST, cs=CS, store_gmv=1e5)
                if s.product_id == "p5"]
    off = CrossSettings(direct_evidence=())
    assert not [s for s in product_signals(_with_small_product(0.22, (0, 0)), DAY, settings=ST, cs=off, store_gmv=1e5)
                if s.product_id == "p5"]


def test_a_rise_from_a_discounted_week_is_evidence_only_with_price_recent():
    from dataclasses import replace

    from shopops.insights.crosscheck import product_evidence

    sp = store([10, 10, 10, 10, 10])
    i = DAYS - 1
    sp.placed_listed[0, i - 8:i - 1] = sp.placed_units[0, i - 8:i - 1] * 85.0  # the week before the day before at 85
    # its usual (median over the 28 reference days, 21 of them at 100) is 100: no rise from there
    assert "price_change" not in product_evidence(sp, i, CS)[0]
    found = product_evidence(sp, i, replace(CS, price_recent=True))[0]
    assert found["price_change"][1]["change"] == pytest.approx(100 / 85 - 1, abs=1e-4)


def _demand_up(price_today: float) -> StoreProducts:
    """p0's visitors double on the last day (its page shared, a season turning) while its buyers stay at
    their usual 20: against the other products its share holds, against its own visitors half walked away."""
    sp = store([20, 10, 10, 10, 10], price_today=price_today)
    sp.visitors[0, -1] *= 2
    return sp


def test_a_price_rise_whose_visitors_stop_paying_is_a_finding_even_when_its_share_holds():
    sp = _demand_up(118.0)
    sigs = product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5)
    assert [s.product_id for s in sigs] == ["p0"]
    s = sigs[0]
    ref = slice(DAYS - 30, DAYS - 2)  # the 28 days before the day before
    rate = sp.buyers[0, ref].sum() / sp.visitors[0, ref].sum()  # its usual buyers per visitor
    assert s.window == 1 and s.actual == 20 and s.expected == pytest.approx(rate * 160)
    # noise: the store's pooled over-dispersion of buyers around rate × visitors (median over products of the
    # squared robust sd of (x − e) / √e on the reference days, at least 1)
    x, v = sp.buyers[:, ref], sp.visitors[:, ref]
    e = (x.sum(axis=1) / v.sum(axis=1))[:, None] * v
    r = (x - e) / np.sqrt(e)
    phi = max(1.0, float(np.median((1.4826 * np.median(np.abs(r - np.median(r, axis=1, keepdims=True)), axis=1)) ** 2)))
    assert s.z == pytest.approx(stats.norm.ppf(stats.poisson.cdf(20, s.expected)) / np.sqrt(phi), abs=1e-6)
    assert s.relative == pytest.approx(20 / s.expected - 1)
    assert [k for k, _st, _f in s.evidence] == ["price_change"] and s.severity in ("medium", "high")


def test_more_visitors_without_a_price_rise_or_a_price_rise_without_the_fall_is_no_finding():
    assert product_signals(_demand_up(100.0), DAY, settings=ST, cs=CS, store_gmv=1e5) == []  # no price evidence
    assert product_signals(store([20, 10, 10, 10, 10], price_today=118.0), DAY, settings=ST, cs=CS,
                           store_gmv=1e5) == []  # the price rose, its buyers per visitor did not fall
    from dataclasses import replace

    off = replace(CS, price_conversion=False)
    assert product_signals(_demand_up(118.0), DAY, settings=ST, cs=off, store_gmv=1e5) == []


def test_a_price_raised_the_day_before_holds_while_the_day_is_not_back_down():
    from shopops.insights.crosscheck import product_evidence

    i = DAYS - 1
    sp = store([10, 10, 10, 10, 10])
    sp.placed_units[0, i - 1], sp.placed_listed[0, i - 1] = 4.0, 4 * 118.0  # yesterday: 4 units at +18 %
    sp.placed_units[0, i], sp.placed_listed[0, i] = 0.0, 0.0  # today nobody checked out
    found = product_evidence(sp, i, CS)[0]
    assert found["price_change"][1]["change"] == pytest.approx(0.18, abs=1e-9)  # the day before alone
    sp.placed_units[0, i], sp.placed_listed[0, i] = 1.0, 100.0  # today one unit back at the usual price
    # the day and the day before together: (4 × 118 + 100) / 5 = 114.4, +14.4 % — still a rise, from both days
    assert product_evidence(sp, i, CS)[0]["price_change"][1]["change"] == pytest.approx(0.144, abs=1e-9)
    sp.placed_units[0, i], sp.placed_listed[0, i] = 5.0, 500.0  # five units back at the usual price: the two days
    assert "price_change" not in product_evidence(sp, i, CS)[0]  # (472 + 500) / 9 = +8 %, and yesterday alone no longer holds


def _demand_up_with(kind: str) -> StoreProducts:
    """p0's visitors double on the last day while its buyers stay at their usual 20 (half its visitors walked
    away: its share of the store holds), with one piece of evidence against it on the day."""
    sp = _demand_up(100.0)
    if kind == "bad_reviews":  # four 1-star reviews this week, none before; every review of the week
        sp.bad_reviews[0, -4:] = 1.0
        sp.reviews[0, -7:] = 0.0
        sp.reviews[0, -4:] = 1.0
    elif kind == "competitor_price":
        sp.competitor_cut[0, -1] = 0.22  # 22 % beyond the market's cut that day
    elif kind == "stock_out":
        sp.on_hand[0, -2] = 0.0  # the day before's end-of-day snapshot: the shelf empty through the day
    return sp


@pytest.mark.parametrize("kind", ["bad_reviews", "competitor_price"])
def test_any_evidence_whose_visitors_stop_paying_is_a_finding_even_when_its_share_holds(kind):
    sp = _demand_up_with(kind)
    sigs = product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5)
    assert [s.product_id for s in sigs] == ["p0"]
    s = sigs[0]
    rate = sp.buyers[0, DAYS - 30:DAYS - 2].sum() / sp.visitors[0, DAYS - 30:DAYS - 2].sum()
    assert s.window == 1 and s.actual == 20 and s.expected == pytest.approx(rate * 160)  # half of it: −50 %
    assert [k for k, _st, _f in s.evidence] == [kind]
    from dataclasses import replace

    # before this pass only a price rise was judged against the product's own visitors
    assert product_signals(sp, DAY, settings=ST, cs=replace(CS, conversion_evidence=("price_change",)),
                           store_gmv=1e5) == []


def test_a_stock_at_0_against_its_visitors_needs_the_buyers_nearly_gone():
    sp = _demand_up_with("stock_out")  # 20 buyers of about 40 expected from its visitors: −50 %, short of −75 %
    assert product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5) == []
    sp.buyers[0, -1] = 8.0  # 8 of about 40 from its visitors (−80 %), 8 of 20 against the store (−60 %, not −75 %)
    sigs = product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5)
    assert [s.product_id for s in sigs] == ["p0"] and [k for k, _st, _f in sigs[0].evidence] == ["stock_out"]
    assert sigs[0].actual == 8 and sigs[0].relative < -0.75


def test_two_bad_reviews_are_a_wave_only_when_asked_for():
    from dataclasses import replace

    from shopops.insights.crosscheck import product_evidence

    sp = store([10, 10, 10, 10, 10])
    sp.reviews[0, -7:] = 0.0
    sp.bad_reviews[0, -2:], sp.reviews[0, -2:] = 1.0, 1.0  # the week's two reviews, both 1-star; none before
    i = DAYS - 1
    # at least 3 by default: two are only a thin wave (a lower bar, not evidence; ninth pass), none without thin waves
    assert product_evidence(sp, i, CS)[0]["bad_reviews"][1]["thin"] is True
    assert "bad_reviews" not in product_evidence(sp, i, replace(CS, bad_reviews_thin=0))[0]
    found = product_evidence(sp, i, replace(CS, bad_reviews=2))[0]
    assert found["bad_reviews"][1]["count"] == 2 and "thin" not in found["bad_reviews"][1]
    sp.reviews[0, -5] = 3.0  # three more reviews that week, good ones: 2 of 5 is not the product's reviews turning
    assert "bad_reviews" not in product_evidence(sp, i, replace(CS, bad_reviews=2))[0]
