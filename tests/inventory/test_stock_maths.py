"""The pre-campaign stocking plan and the stock-health maths on cases worked by hand (normal
quantities from scipy, never from the engine)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest
from scipy.stats import norm

from shopops.inventory.replenishment import SupplyTerms
from shopops.inventory.stock_health import (
    days_of_cover, infer_receipts, sell_through, slow_mover, stock_age, stockouts,
)
from shopops.inventory.stocking_plan import CampaignStockInput, campaign_stocking_plan

TODAY = dt.date(2025, 10, 1)
FIRST, LAST = dt.date(2025, 11, 10), dt.date(2025, 11, 12)  # 3 campaign days


def _terms(**kw):
    base = dict(supplier_id="S", unit_cost=Decimal("20.00"), lead_time_days=14.0, lead_time_sd_days=2.0, moq=50,
                case_pack=10)
    base.update(kw)
    return SupplyTerms(**base)


def _path(pre_days=39, campaign=(40.0, 100.0, 40.0), base=10.0, post=30):
    return tuple([base] * pre_days + list(campaign) + [base] * post)


def test_campaign_plan_by_hand():
    # 39 days before the window (Oct 2 – Nov 9) at 10/day = 390; window 40 + 100 + 40 = 180; sd 3/day, uplift 4, 10, 4
    ups = tuple([1.0] * 39 + [4.0, 10.0, 4.0] + [1.0] * 30)
    item = CampaignStockInput("A", _terms(), on_hand=450, daily_demand=_path(), demand_sd=3.0, uplift=ups,
                              open_po_qty=100, in_transit=100)
    (line,) = campaign_stocking_plan([item], today=TODAY, first=FIRST, last=LAST, service_level=0.95, post_days=30)
    sd = math.sqrt((3 * 4) ** 2 + (3 * 10) ** 2 + (3 * 4) ** 2)
    z = norm.ppf(0.95)
    assert line.demand_before == pytest.approx(390)
    assert line.demand_campaign == pytest.approx(180)
    assert line.sd_campaign == pytest.approx(sd)
    assert line.needed_at_start == math.ceil(180 + z * sd)  # 239
    assert line.available_at_start == pytest.approx(450 + 100 - 390)  # the open PO once: 160
    # 239 − 160 = 79 → MOQ 50 ok → cases of 10: 80
    assert line.order_qty == 80 and line.order_cost == Decimal("1600.00")
    assert line.latest_order_date == FIRST - dt.timedelta(days=math.ceil(14 + z * 2))  # 18 days: Oct 23
    assert not line.late
    p_out = 1 - norm.cdf((160 - 180) / sd)
    assert line.stockout_probability == pytest.approx(p_out)
    zz = (160 - 180) / sd
    assert line.expected_short_units == pytest.approx(sd * (norm.pdf(zz) - zz * (1 - norm.cdf(zz))))
    assert line.leftover_after == pytest.approx(160 + 80 - 180)
    assert line.post_demand == pytest.approx(300)
    assert line.overstock_units == 0 and line.post_cover_days == pytest.approx(60 / 10)


def test_campaign_plan_too_late_reports_the_days_at_risk():
    today = FIRST - dt.timedelta(days=10)  # lead 14 + 1.645·2 → 18 days: arrives 8 days after the start
    item = CampaignStockInput("A", _terms(), on_hand=0, daily_demand=tuple([10.0] * 9 + [40.0, 100.0, 40.0] + [10.0] * 40),
                              demand_sd=0.0)
    (line,) = campaign_stocking_plan([item], today=today, first=FIRST, last=LAST)
    assert line.late and line.latest_order_date < today
    assert line.units_at_risk_if_late == pytest.approx(180)  # arrival after the whole window
    assert line.stockout_probability == 1.0 and line.expected_short_units == pytest.approx(180)


def test_campaign_plan_overstock_after_the_campaign():
    item = CampaignStockInput("A", _terms(moq=1, case_pack=1), on_hand=2_000, daily_demand=_path(), demand_sd=0.0)
    (line,) = campaign_stocking_plan([item], today=TODAY, first=FIRST, last=LAST, post_days=30)
    assert line.order_qty == 0
    assert line.leftover_after == pytest.approx(2_000 - 390 - 180)
    assert line.overstock_units == pytest.approx(2_000 - 390 - 180 - 300)
    assert line.post_cover_days == pytest.approx((2_000 - 570) / 10)


def test_campaign_plan_refuses_a_window_in_the_past():
    with pytest.raises(ValueError, match="not after today"):
        campaign_stocking_plan([], today=TODAY, first=TODAY, last=TODAY)


def test_cover_and_sell_through_follow_the_glossary():
    assert days_of_cover(120, 4.0) == 30
    assert days_of_cover(120, 0.0) is None
    assert sell_through(30, 70) == pytest.approx(0.3)
    assert sell_through(0, 0) is None
    with pytest.raises(ValueError, match="on hand must not be negative, got -1"):
        days_of_cover(-1, 1.0)


def test_stockout_days_and_lost_sales_by_hand():
    on_hand = np.array([5, 3, 0, 0, 2, 0, 4])
    sold = np.array([2, 2, 1, 0, 2, 0, 1])
    expected = np.array([2, 2, 3, 3, 2, 2, 2])
    so = stockouts(on_hand, sold, expected)
    assert so.days == 3 and so.lost_units == pytest.approx((3 - 1) + (3 - 0) + (2 - 0))
    # without a forecast: the mean of the in-stock days' sales (2+2+2+1)/4 = 1.75
    so2 = stockouts(on_hand, sold)
    assert so2.lost_units == pytest.approx((1.75 - 1) + 1.75 + 1.75)
    weekly = stockouts(np.array([4, 0, 6]), np.array([0, 0, 0]), np.array([1.0, 1.0, 1.0]), every=7)
    assert weekly.days == 7 and weekly.lost_units == pytest.approx(7)


def test_receipts_inferred_and_fifo_age():
    on_hand = np.array([10, 6, 30, 25, 25])
    sold = np.array([0, 4, 1, 5, 0])
    assert infer_receipts(on_hand, sold).tolist() == [0, 0, 25, 0, 0]
    day = dt.date(2025, 6, 30)
    receipts = [(day - dt.timedelta(days=10), 20), (day - dt.timedelta(days=45), 30), (day - dt.timedelta(days=200), 50)]
    # 60 on hand: the newest 20 (10 days), then 30 (45 days), then 10 of the 200-day-old receipt
    assert stock_age(60, receipts, today=day) == {"0-30": 20, "31-60": 30, "61-90": 0, "91-180": 0, ">180": 10}
    # more on hand than receipts explain: the rest is of unknown (old) age
    assert stock_age(120, receipts, today=day)[">180"] == 70


def test_slow_mover_rules():
    assert slow_mover(on_hand=0, days_since_last_sale=None, cover_days=None, sell_through_ratio=None).status == "ok"
    dead = slow_mover(on_hand=40, days_since_last_sale=None, cover_days=None, sell_through_ratio=0.0)
    assert dead.status == "dead" and dead.actions == ("clearance_promotion", "stop_reordering")
    slow = slow_mover(on_hand=400, days_since_last_sale=3, cover_days=200, sell_through_ratio=0.3)
    assert slow.status == "slow" and slow.actions == ("bundle", "stop_reordering")
    aged = slow_mover(on_hand=400, days_since_last_sale=3, cover_days=200, sell_through_ratio=0.3, aged_over_90_share=0.7)
    assert aged.actions == ("clearance_promotion", "stop_reordering")
    ok = slow_mover(on_hand=40, days_since_last_sale=1, cover_days=20, sell_through_ratio=0.6)
    assert ok.status == "ok" and ok.actions == ()
