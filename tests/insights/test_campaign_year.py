"""Campaign days against last year's same campaign: the day alignment against hand-built calendars,
and the band's arithmetic against hand-computed values."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from shopops.insights.campaign_year import campaign_band, campaign_day, peer_residual

D = dt.date


def test_new_year_goods_aligns_by_spring_festival():
    # 春节 2025-01-29, 2024-02-10. 年货节 正式 (main) = 春节 −23 … −13 (core.festivals): 2025-01-06 …,
    # 2024-01-18 …; day 3 of 正式 is 2025-01-08 ↔ 2024-01-20.
    cd = campaign_day(D(2025, 1, 8), "tmall")
    assert (cd.label, cd.phase, cd.aligned) == ("年货节", "main", D(2024, 1, 20))
    # 预热 day 1 (春节 −30): 2024-12-30 belongs to 2025's 年货节 and ↔ 2024-01-11
    cd = campaign_day(D(2024, 12, 30), "tmall")
    assert (cd.year, cd.phase, cd.aligned) == (2025, "warmup", D(2024, 1, 11))
    # after the couriers stop (春节 −12 …): 春节 day itself ↔ last year's 春节
    assert campaign_day(D(2025, 1, 29), "jd").aligned == D(2024, 2, 10)
    # the window's last day (春节 +6) ↔ last year's
    assert campaign_day(D(2025, 2, 4), "pdd").aligned == D(2024, 2, 16)


def test_double11_day_3_of_main_is_last_years_day_3_of_main():
    # Douyin 双11: 预热 10/15–10/19, 正式 10/20–11/11 every year: day 3 of 正式 is 10/22
    cd = campaign_day(D(2025, 10, 22), "douyin")
    assert (cd.label, cd.phase, cd.aligned) == ("双11", "main", D(2024, 10, 22))
    # Tmall: 11/11 is 正式's second day both years; 返场 day 1 is 11/12
    assert campaign_day(D(2025, 11, 11), "tmall").phase == "main"
    assert campaign_day(D(2025, 11, 11), "tmall").aligned == D(2024, 11, 11)
    assert campaign_day(D(2025, 11, 12), "tmall").phase == "encore"


def test_ordinary_day_has_no_campaign():
    assert campaign_day(D(2025, 7, 20), "tmall") is None


def test_band_scales_last_year_by_the_level_before_and_this_campaign_so_far():
    # last year's pre-campaign level 100, this year's 120: scale 1.2; last year's aligned day 300;
    # this campaign's earlier days ran 10 % above scale × last year's on all 6 days (c = ln 1.1, spread 0 → floor)
    pre_ly, pre_ty = [100.0] * 20, [120.0] * 20
    ly_days = [200.0, 220.0, 250.0, 260.0, 240.0, 230.0]
    ty_days = [v * 1.2 * 1.1 for v in ly_days]
    b = campaign_band(actual_ty=ty_days, expected_ly=ly_days, value_ly=300.0, volume_ly=None, volume_ty=None,
                      pre_ty=pre_ty, pre_ly=pre_ly, aligned=D(2024, 11, 1), z=3.5, kind="other")
    assert b.scale == pytest.approx(1.2)
    assert b.correction == pytest.approx(1.1)
    assert b.expected == pytest.approx(300 * 1.2 * 1.1)
    assert b.spread == pytest.approx(b.expected * 0.06)  # the floor
    assert b.low == pytest.approx(b.expected * (1 - 3.5 * 0.06))
    # a count: the Poisson noise of both days, √(1/396 + 1/300) ≈ 0.0762, is above the floor
    c = campaign_band(actual_ty=ty_days, expected_ly=ly_days, value_ly=300.0, volume_ly=None, volume_ty=None,
                      pre_ty=pre_ty, pre_ly=pre_ly, aligned=D(2024, 11, 1), z=3.5, kind="count")
    assert c.spread / c.expected == pytest.approx(math.sqrt(1 / 396 + 1 / 300), rel=1e-6)


def test_band_needs_both_levels():
    assert campaign_band(actual_ty=[], expected_ly=[], value_ly=300.0, volume_ly=None, volume_ty=None,
                         pre_ty=[120.0] * 3, pre_ly=[100.0] * 20, aligned=D(2024, 11, 1), z=3.5, kind="count") is None


def _year_frame(drop: dict[str, float]):
    """Three stores' daily GMV 2024-09-01 … 2025-11-13: ordinary days 10,000 in 2024 and 12,000 in 2025
    (+20 %), campaign days (双11 window) × a factor by date the same both years; ``drop`` cuts a store's
    GMV on 2025-11-05 (a share)."""
    import pandas as pd

    from shopops.insights.calendar import CampaignCalendar
    from shopops.metrics.runners import BUCKET

    cal = CampaignCalendar(monthly={})
    rows = []
    d = D(2024, 9, 1)
    while d <= D(2025, 11, 13):
        base = 10_000.0 if d.year == 2024 else 12_000.0
        lift = 1.0
        if cal.name(d) == "双11":
            lift = 1.0 + ((d.month * 31 + d.day) % 7) / 3  # by month and day: the same both years
        for store in ("tmall", "jd", "pdd"):
            v = base * lift * (1 - drop.get(store, 0.0) if d == D(2025, 11, 5) else 1.0)
            rows.append({BUCKET: d, "store_id": store, "gmv": v})
        d += dt.timedelta(days=1)
    return pd.DataFrame(rows), cal


def _checks(frame, cal, **config):
    from shopops.insights.detection import Settings
    from shopops.insights.pipeline import RunConfig, _campaign_year_checks

    days = [D(2025, 11, 5)]
    config = RunConfig(settings=Settings(), calendar=cal, **config)
    skip = cal.days(["tmall", "jd", "pdd"], D(2025, 11, 5), D(2025, 11, 5))
    return _campaign_year_checks(frame, ["jd", "pdd", "tmall"], days, ("gmv",), skip=skip, config=config, con=None)


def test_a_store_falling_against_last_years_campaign_signals():
    frame, cal = _year_frame({"tmall": 0.5})
    checks = _checks(frame, cal)
    sigs = checks(D(2025, 11, 5))
    assert [(s.store_id, s.kpi) for s in sigs] == [("tmall", "gmv")]
    s = sigs[0]
    lift = 1.0 + ((11 * 31 + 5) % 7) / 3
    # last year's 11/5 × (12,000 / 10,000): every earlier campaign day matched that exactly (correction 1)
    assert s.expected == pytest.approx(10_000 * lift * 1.2)
    assert s.actual == pytest.approx(12_000 * lift * 0.5)
    assert s.relative == pytest.approx(-0.5)


def test_every_store_falling_together_is_the_market_not_an_incident():
    frame, cal = _year_frame({"tmall": 0.5, "jd": 0.45, "pdd": 0.5})
    assert _checks(frame, cal)(D(2025, 11, 5)) == []


def test_peer_residual_against_hand_computed_values():
    # five earlier days: the peers' median (two peers: their mean) is 0.1 each day; the store's residuals are
    # 0, 0.1, −0.1, 0, 0.05 → median 0, |deviations| 0, .1, .1, 0, .05 → MAD 0.05, spread 1.4826 × 0.05
    days = [D(2025, 10, 15) + dt.timedelta(days=k) for k in range(6)]
    own = dict(zip(days, [0.1, 0.2, 0.0, 0.1, 0.15, -0.4]))
    p1 = dict(zip(days, [0.0, 0.1, 0.0, 0.1, 0.0, -0.1]))
    p2 = dict(zip(days, [0.2, 0.1, 0.2, 0.1, 0.2, 0.1]))
    u, spread, n = peer_residual(own, [p1, p2], days[-1])
    assert (u, n) == (pytest.approx(-0.4), 5)
    assert spread == pytest.approx(1.4826 * 0.05)
    assert peer_residual(own, [p1, p2], days[-1], noise=0.1)[1] == pytest.approx(0.1)  # the sampling noise floor
    assert peer_residual(own, [p1], days[-1]) is None  # one other store is no cross-section


def test_a_store_day_last_year_is_not_this_years_expectation():
    # tmall held its own campaign day (a 会员日) on last year's aligned day, 2024-11-05: 1.8 × that day. This year's
    # 11-05 is an ordinary day of the campaign for it, so last year's day plays another part: no expectation.
    import dataclasses

    from shopops.metrics.runners import BUCKET

    frame, cal = _year_frame({})
    frame.loc[(frame[BUCKET] == D(2024, 11, 5)) & (frame.store_id == "tmall"), "gmv"] *= 1.8
    # the calendar without the store day: last year's 1.8 × is the expectation, and tmall "fell" 44 %
    sigs = _checks(frame, cal)(D(2025, 11, 5))
    assert [(s.store_id, s.kpi, round(s.relative, 3)) for s in sigs] == [("tmall", "gmv", round(1 / 1.8 - 1, 3))]
    with_day = dataclasses.replace(cal, store_days={"tmall": frozenset({D(2024, 11, 5)})})
    assert _checks(frame, with_day)(D(2025, 11, 5)) == []


def test_last_years_fall_must_agree_with_the_other_stores():
    # jd and pdd ran 30 % above, on, and 30 % below last year's in turn on the days of this campaign (together),
    # tmall on it every day; on 11-05 jd and pdd are on last year's and tmall 30 % under. Against last year alone tmall fell
    # (its own days were steady); against the other stores' own last year the same days, a 30 % gap is within
    # what the gap between them did day to day: the two expectations disagree, no signal.
    from shopops.metrics.runners import BUCKET

    frame, cal = _year_frame({"tmall": 0.3})
    days = frame[BUCKET]
    swing = days.map(lambda d: 1.0 if not (D(2025, 10, 15) <= d < D(2025, 11, 5)) else (1.3, 1.0, 0.7)[d.day % 3])
    peers = frame.store_id.isin(["jd", "pdd"])
    frame.loc[peers, "gmv"] *= swing[peers]
    sigs = _checks(frame, cal, campaign_peers=False)(D(2025, 11, 5))
    assert [(s.store_id, round(s.relative, 3)) for s in sigs] == [("tmall", -0.3)]
    assert _checks(frame, cal)(D(2025, 11, 5)) == []


def test_an_earlier_day_far_off_last_year_is_not_the_campaigns_temperature():
    # scale 1.2; earlier days at 1.1 ×, 4 ×, 4 × last year × scale (a tracking outage's conversion on the last two):
    # 4 × is beyond 3.5 × 15 % (log 4 = 1.39 > 0.525), left out; one day is left, under 3: no correction
    pre_ly, pre_ty = [100.0] * 20, [120.0] * 20
    ly_days = [200.0, 220.0, 250.0]
    ty_days = [v * 1.2 * f for v, f in zip(ly_days, (1.1, 4.0, 4.0))]
    b = campaign_band(actual_ty=ty_days, expected_ly=ly_days, value_ly=300.0, volume_ly=None, volume_ty=None,
                      pre_ty=pre_ty, pre_ly=pre_ly, aligned=D(2024, 11, 1), z=3.5, kind="other")
    assert (b.correction, b.history, b.expected) == (1.0, 1, pytest.approx(300 * 1.2))
    # the same days 1.1 ×, 1.3 ×, 1.5 ×: all kept, the correction is their median
    ty_days = [v * 1.2 * f for v, f in zip(ly_days, (1.1, 1.3, 1.5))]
    b = campaign_band(actual_ty=ty_days, expected_ly=ly_days, value_ly=300.0, volume_ly=None, volume_ty=None,
                      pre_ty=pre_ty, pre_ly=pre_ly, aligned=D(2024, 11, 1), z=3.5, kind="other")
    assert (b.correction, b.history) == (pytest.approx(1.3), 3)


def test_a_peer_signal_of_ad_clicks_must_agree_with_last_years_band():
    # pdd's ad clicks on 2025-11-05: on last year's × scale (a store whose campaign lifts clicks less than the
    # others', both years) — a fall against the peers' change alone does not agree; at a tenth of it, it does
    from shopops.insights.detection import Settings, Signal
    from shopops.insights.pipeline import RunConfig, _campaign_year_checks
    from shopops.metrics.runners import BUCKET

    def checks(cut: float):
        frame, cal = _year_frame({})
        frame["clicks"] = frame["gmv"] / 10
        frame.loc[(frame[BUCKET] == D(2025, 11, 5)) & (frame.store_id == "pdd"), "clicks"] *= cut
        skip = cal.days(["tmall", "jd", "pdd"], D(2025, 11, 5), D(2025, 11, 5))
        c = _campaign_year_checks(frame, ["jd", "pdd", "tmall"], [D(2025, 11, 5)], ("gmv", "clicks"), skip=skip,
                                  config=RunConfig(settings=Settings(), calendar=cal), con=None)
        return c, float(frame.loc[(frame[BUCKET] == D(2025, 11, 5)) & (frame.store_id == "pdd"), "clicks"].iloc[0])

    def peer_signal(actual: float) -> Signal:
        return Signal(store_id="pdd", day=D(2025, 11, 5), kpi="clicks", product_id="", actual=actual,
                      expected=2 * actual, low=0.0, high=0.0, z=-6.0, relative=-0.5, money_at_stake=0.0,
                      severity="medium", bad=True)

    c, actual = checks(1.0)
    assert c.agrees(peer_signal(actual)) is False
    c, actual = checks(0.1)
    assert c.agrees(peer_signal(actual)) is True
