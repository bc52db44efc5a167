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


def test_no_chart_for_an_unknown_product():
    sp = SimpleNamespace(products=["P1"], dates=[DAY], buyers=np.array([[3.0]]))
    assert _product_chart(sp, _signal()) == {}  # P2 is not among the store's products
    assert _product_chart(None, _signal()) == {}


def test_a_two_day_signal_charts_two_day_sums_with_its_range_on_its_day():
    # the demo's planted price rise was a two-day signal (2 buyers in two days, expected 6): its chart had no
    # range at all, and daily points next to a two-day figure. Each point is now the sum of two days.
    dates = [DAY - dt.timedelta(days=k) for k in range(4, -1, -1)]
    sp = SimpleNamespace(products=["P2"], dates=dates, buyers=np.array([[4.0, 5.0, 3.0, 1.0, 1.0]]))
    two = _product_chart(sp, _signal(window=2, actual=2.0, expected=6.4, low=0.0, high=15.2))
    assert two["window"] == 2
    assert two["dates"] == [d.isoformat() for d in dates[1:]]  # the first day has no day before it
    assert two["actual"] == [9.0, 8.0, 4.0, 2.0]  # 4+5, 5+3, 3+1, 1+1
    assert two["expected"] == [None, None, None, 6.4] and two["high"][-1] == 15.2 and two["low"][-1] == 0.0
    sp.buyers[0, 3] = np.nan  # a day without data: the sums that hold it are unknown, not smaller
    assert _product_chart(sp, _signal(window=2))["actual"] == [9.0, 8.0, None, None]


def test_the_expected_value_comes_before_its_range():
    from django.utils import translation

    from shopops.insights.texts import expected_text, headline

    with translation.override("en"):
        assert expected_text("item_buyers", 6.4, 0.0, 15.2) == "6 (range 0 – 15)"
        assert expected_text("gmv", 1000.0, 800.0, 1200.0) == "¥1,000.00 (range ¥800.00 – ¥1,200.00)"
        assert expected_text("item_buyers", None, 1.0, 9.0) == "1 – 9"  # nothing stored: the range alone
        inside = headline(store_name="S", kpi="item_buyers", product_title="P", actual=2.0, low=0.0, high=15.2,
                          window=2, expected=6.4)
        # 2 lies inside 0 – 15: raised on the evidence's lower bar (crosscheck.evidence_z), and the line says so
        assert inside.endswith("2 over the last two days (expected 6 (range 0 – 15)) — inside its usual range; "
                               "raised because of the evidence with it")
        outside = headline(store_name="S", kpi="item_buyers", product_title="P", actual=2.0, low=3.0, high=15.2,
                           expected=8.0)
        assert outside.endswith("P: Buyers 2 (expected 8 (range 3 – 15))") or outside.endswith("(expected 8 (range 3 – 15))")
    with translation.override("zh-hans"):
        assert expected_text("item_buyers", 6.4, 0.0, 15.2) == "6(区间 0 – 15)"
