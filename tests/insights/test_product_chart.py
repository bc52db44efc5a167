"""A product finding raised by the checks within the day (item buyers, no judged series behind it)
gets a chart of the product's own buyers per day, with the signal's range on its day — not an
empty panel (a walkthrough of the demo's planted price rise found the panel blank)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np

from shopops.insights.detection import Signal
from shopops.insights.pipeline import CHART_DAYS, _product_chart

DAY = dt.date(2026, 12, 3)


def _signal(**kw) -> Signal:
    base = dict(store_id="tmall", day=DAY, kpi="item_buyers", product_id="P2", actual=2.0, expected=11.0, low=4.0,
                high=18.0, z=-4.0, relative=-0.8, money_at_stake=5173.85, severity="medium", bad=True)
    return Signal(**{**base, **kw})


def test_the_product_chart_is_the_products_buyers_with_the_range_on_the_signals_day():
    dates = [DAY - dt.timedelta(days=k) for k in range(34, -2, -1)]  # 35 days before, the day, one day after
    buyers = np.vstack([np.arange(len(dates), dtype=float), np.arange(len(dates), dtype=float) * 10])
    buyers[1, 3] = np.nan  # no data that day
    sp = SimpleNamespace(products=["P1", "P2"], dates=dates, buyers=buyers)
    chart = _product_chart(sp, _signal())
    # hand count: the 28 days up to and including DAY, P2's row (×10), nothing after DAY
    expected_dates = [(DAY - dt.timedelta(days=k)).isoformat() for k in range(CHART_DAYS - 1, -1, -1)]
    assert chart["dates"] == expected_dates
    first = dates.index(DAY) - (CHART_DAYS - 1)
    assert chart["actual"] == [None if i == 3 else float(i * 10) for i in range(first, first + CHART_DAYS)]
    assert chart["expected"] == [None] * (CHART_DAYS - 1) + [11.0]
    assert chart["low"][-1] == 4.0 and chart["high"][-1] == 18.0 and set(chart["low"][:-1]) == {None}


def test_no_chart_for_an_unknown_product_a_two_day_signal_keeps_no_band():
    sp = SimpleNamespace(products=["P1"], dates=[DAY], buyers=np.array([[3.0]]))
    assert _product_chart(sp, _signal()) == {}  # P2 is not among the store's products
    assert _product_chart(None, _signal()) == {}
    two = _product_chart(SimpleNamespace(products=["P2"], dates=[DAY], buyers=np.array([[3.0]])), _signal(window=2))
    assert two["actual"] == [3.0] and two["expected"] == [None]  # a two-day range is not a day's range
