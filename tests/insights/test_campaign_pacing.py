"""The pure parts of the campaign checks (issue 18): a plan's pace (insights/pacing.py) and the
cross-sectional checks of campaign days (insights/crosssection.py), against values worked out
by hand from the documented formulas."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from shopops.core.shapes import day_shares
from shopops.insights.crosssection import conversion_peer_signals, share_collapse_signals
from shopops.insights.detection import Settings
from shopops.insights.pacing import (
    PaceSettings, explain, hour_cum_share, judge_pace, price_off_plan, severity, shape_spread,
)

D0 = dt.date(2025, 5, 1)


def test_day_shares_from_last_year_else_flat():
    s, src = day_shares([1, 1, 2], 3)
    assert src == "last_year" and list(s) == [0.25, 0.25, 0.5]
    assert day_shares(None, 4)[1] == "flat" and list(day_shares(None, 4)[0]) == [0.25] * 4
    assert day_shares([1, 2], 3)[1] == "flat"  # last year's window of another length
    assert day_shares([0, 0, 5], 3)[1] == "flat"  # mostly empty: last year's store had not started
    # the store's first sale on last year's third day: the two days before it are unknown, not ¥0 —
    # each carries the known days' mean (20), so the shares are 20, 20, 10, 20, 30 of 100
    s, src = day_shares([0, 0, 10, 20, 30], 5)
    assert src == "last_year" and np.allclose(s, [0.2, 0.2, 0.1, 0.2, 0.3])
    # a zero day after the first sale is a real ¥0 day
    assert np.allclose(day_shares([10, 0, 30], 3)[0], [0.25, 0.0, 0.75])


def test_hour_share_by_hand():
    profile = np.zeros(24)
    profile[0], profile[10], profile[20] = 2, 1, 1  # 双11's midnight peak
    assert hour_cum_share(profile, 1) == 0.5
    assert hour_cum_share(profile, 11) == 0.75
    assert hour_cum_share(profile, 24) == 1.0
    assert hour_cum_share(None, 6) == 0.25


def test_pace_behind_and_on_pace_by_hand():
    shares = np.array([0.25, 0.25, 0.5])
    # day 2 of 3 over: expected 1000 × 0.5 = 500; σ = √((0.25/√2)² + (1.3/√400)²) = 0.1883
    v = judge_pace("gmv", target=1000, shares=shares, day_index=1, hour_share=1.0, actual=300, sample_count=400,
                   sigma_shape=0.25)
    sigma = math.sqrt((0.25 / math.sqrt(2)) ** 2 + 0.065 ** 2)
    assert v.expected == pytest.approx(500)
    assert v.sigma == pytest.approx(sigma)
    assert v.low == pytest.approx(500 * math.exp(-2.5 * sigma))
    assert v.state == "behind" and v.projected == pytest.approx(600) and v.projected_shortfall == pytest.approx(400)
    assert judge_pace("gmv", target=1000, shares=shares, day_index=1, hour_share=1.0, actual=480, sample_count=400,
                      sigma_shape=0.25).state == "on_pace"
    # the hours so far: day 3 at 40 % of its hours: expected 1000 × (0.5 + 0.5 × 0.4) = 700
    v = judge_pace("gmv", target=1000, shares=shares, day_index=2, hour_share=0.4, actual=1400, sample_count=900,
                   sigma_shape=0.1)
    assert v.expected == pytest.approx(700) and v.state == "ahead"
    assert judge_pace("gmv", target=0, shares=shares, day_index=0, hour_share=1, actual=1, sample_count=1,
                      sigma_shape=0.1) is None


def test_shape_spread_and_severity_and_explain():
    assert shape_spread([100, 100], [100, 100]) == PaceSettings().shape_error  # fewer than 3 earlier days
    # log ratios 0, log 1.2, log 0.8: |deviations| from the median 0 are 0, 0.1823, 0.2231: MAD = log 1.2
    assert shape_spread([100, 120, 80], [100, 100, 100]) == pytest.approx(1.4826 * math.log(1.2))
    assert shape_spread([100, 101, 99], [100, 100, 100]) == PaceSettings().min_spread
    assert [severity(x, 100) for x in (25, 10, 4, 1)] == ["critical", "high", "medium", "low"]
    assert explain(1000, {"a": 100, "b": 400}, {"a": 1, "b": 1}) == [("a", 400), ("b", 100)]
    assert explain(1000, {"a": 1200}, {"a": 1}) == []  # ahead: carries no shortfall


def test_price_off_plan():
    assert price_off_plan(118.0, 10, 100.0) == (pytest.approx(0.18), pytest.approx(180.0))
    assert price_off_plan(90.0, 5, 100.0) == (pytest.approx(-0.1), pytest.approx(50.0))
    assert price_off_plan(104.0, 10, 100.0) is None  # within 5 %
    assert price_off_plan(130.0, 0, 100.0) is None  # nothing sold: nothing to say


def _conversion(days: int, stores: int, level: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(3)
    return level * np.exp(rng.normal(0, 0.02, size=(stores, days)))


def test_conversion_falls_while_others_rise():
    names = ["tmall", "jd", "pdd", "own"]
    dates = [D0 + dt.timedelta(days=i) for i in range(40)]
    conv = _conversion(40, 4)
    visitors = np.full((4, 40), 200_000.0)
    gmv = np.full((4, 40), 100_000.0)
    conv[:, -1] = conv[:, -1] * 1.1  # everyone up 10 % on the campaign day …
    conv[0, -1] = conv[0, -2] * 0.6  # … but tmall down 40 %
    sigs = conversion_peer_signals(names, dates, conv, visitors, gmv, dates[-1], settings=Settings())
    assert [s.store_id for s in sigs] == ["tmall"]
    s = sigs[0]
    # expected = actual ÷ e^u, u = own change − the peers' median change (levels: medians of the week before)
    logs = np.log(conv)
    change = logs[:, -1] - np.array([np.median(logs[k, 31:38]) for k in range(4)])
    u = change[0] - np.median(change[1:])
    assert s.expected == pytest.approx(conv[0, -1] / math.exp(u))
    assert s.money_at_stake == pytest.approx(100_000 / (1 + s.relative) - 100_000)
    # a normal campaign day: everyone up, or everyone down together, raises nothing
    conv[0, -1] = conv[1, -1]
    assert conversion_peer_signals(names, dates, conv, visitors, gmv, dates[-1], settings=Settings()) == []
    conv[:, -1] = conv[:, -2] * 0.6
    assert conversion_peer_signals(names, dates, conv, visitors, gmv, dates[-1], settings=Settings()) == []


def test_product_share_collapses_while_the_store_is_up():
    dates = [D0 + dt.timedelta(days=i) for i in range(12)]
    units = np.tile(np.array([[40.0], [30.0], [20.0], [10.0]]), (1, 12))
    price = np.array([[10.0], [10.0], [10.0], [10.0]])
    units[:, -1] = [8, 60, 40, 20]  # the store is up (128 % of its week), product A nearly gone
    sigs = share_collapse_signals("tmall", ["A", "B", "C", "D"], dates, units, units * price, dates[-1],
                                  settings=Settings(), store_gmv=1280)
    assert [s.product_id for s in sigs] == ["A"]
    # its share of the week 0.4; the others sold 120 today: expected 0.4 / 0.6 × 120 = 80
    assert sigs[0].expected == pytest.approx(80) and sigs[0].money_at_stake == pytest.approx((80 - 8) * 10)
    units[:, -1] = [75, 60, 40, 20]  # a normal day of the campaign
    assert share_collapse_signals("tmall", ["A", "B", "C", "D"], dates, units, units * price, dates[-1],
                                  settings=Settings(), store_gmv=1950) == []
    units[:, -1] = [4, 15, 10, 5]  # the store is down: not this check's case (the store's own checks)
    assert share_collapse_signals("tmall", ["A", "B", "C", "D"], dates, units, units * price, dates[-1],
                                  settings=Settings(), store_gmv=340) == []


def test_a_share_lost_to_the_campaign_s_traffic_elsewhere_is_not_a_collapse():
    dates = [D0 + dt.timedelta(days=i) for i in range(12)]
    units = np.tile(np.array([[40.0], [30.0], [20.0], [10.0]]), (1, 12))
    visitors = units * 10
    units[:, -1] = [8, 60, 40, 20]
    visitors[0, -1] = 85.0  # nobody looked at A today (units per visitor as usual): not an incident of A
    assert share_collapse_signals("tmall", ["A", "B", "C", "D"], dates, units, units * 10, dates[-1],
                                  settings=Settings(), visitors=visitors, store_gmv=1280) == []
    visitors[0, -1] = 400.0  # as many looked as usual, few bought: buyers walked away
    assert [s.product_id for s in share_collapse_signals("tmall", ["A", "B", "C", "D"], dates, units, units * 10,
                                                         dates[-1], settings=Settings(), visitors=visitors,
                                                         store_gmv=1280)] == ["A"]


def test_competitor_cut_beyond_what_the_market_predicts_for_the_item():
    """Five matched items of one store. On day 5 the campaign starts: A, B, C cut 12 % (100 → 88), D and E
    keep their price. Day 8: D (which did not join) cuts 22 % on its own while the market holds — the 14-day
    rule gives it 22 % − the market's 12 % = 10 %, here D's participation is 0 (it did not move on day 5) and
    its cut is 22 %. Day 9: the campaign's discount ends, A and C go back to 100, D to 100, E holds and B cuts
    to 78: against its previous 88 that is 10/88; the market moved −12/88 and B followed the market on day 5
    (participation 1), so its cut beyond the market is 10/88 + 12/88 = 0.25. A, C (with the market), D (a
    rise) and E (never follows, holds) give nothing; ordinary days give nothing."""
    import pandas as pd

    from shopops.insights.crosssection import campaign_competitor_cuts

    day = lambda k: dt.date(2025, 1, k)  # noqa: E731
    prices = {
        "A": [100, 100, 100, 100, 88, 88, 88, 88, 100, 100],
        "B": [100, 100, 100, 100, 88, 88, 88, 88, 78, 78],
        "C": [100, 100, 100, 100, 88, 88, 88, 88, 100, 100],
        "D": [100, 100, 100, 100, 100, 100, 100, 78, 100, 100],
        "E": [50, 50, 50, 50, 50, 50, 50, 50, 50, 50],
    }
    rows = [{"store_id": "tmall", "product_id": f"p{item}", "competitor_item_id": item, "date": day(k + 1), "price": v}
            for item, vs in prices.items() for k, v in enumerate(vs)]
    comp = pd.DataFrame(rows)
    campaign = {"tmall": frozenset(day(k) for k in range(5, 11))}
    got = campaign_competitor_cuts(comp, campaign)
    assert set(got) == {("tmall", "pD"), ("tmall", "pB")}
    assert got[("tmall", "pD")] == {day(8): pytest.approx(0.22)}
    assert got[("tmall", "pB")] == {day(9): pytest.approx(0.25)}
    assert campaign_competitor_cuts(comp, {"tmall": frozenset()}) == {}
