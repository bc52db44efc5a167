"""A product's conversion judged against the other products' on a campaign day (crosssection.py), by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shopops.insights.crosscheck import CrossSettings, StoreProducts, product_evidence, product_signals
from shopops.insights.crosssection import CrossSectionSettings, campaign_checks, product_conversion_signals
from shopops.insights.detection import Settings

DAYS = 40
DATES = [dt.date(2025, 10, 1) + dt.timedelta(days=i) for i in range(DAYS)]
DAY = DATES[-1]
ST, CS = Settings(), CrossSettings()


def peak(p0_today: float, *, p0_visitors: float = 120.0, price_today: float = 120.0, bad: float = 0.0) -> StoreProducts:
    """Five products, buyers 20/10/10/10/10 every day, 4 visitors per buyer, price 100. On the last day (a
    campaign peak) every product's visitors are 1.5× and the other products' buyers 4× (conversion 2.67×);
    p0's buyers are ``p0_today`` and its checkout price ``price_today`` on the last two days."""
    base = np.array([20.0, 10, 10, 10, 10])[:, None]
    buyers = base * np.ones((5, DAYS))
    visitors = base * 4 * np.ones((5, DAYS))
    visitors[:, -1] *= 1.5
    buyers[1:, -1] *= 4
    buyers[0, -1] = p0_today
    visitors[0, -1] = p0_visitors
    price = np.full((5, DAYS), 100.0)
    price[0, -2:] = price_today
    units = buyers.copy()
    bad_reviews = np.zeros((5, DAYS))
    bad_reviews[0, -7:] = bad  # 1–2 star reviews of p0 on the last seven days (of 5 reviews a day)
    return StoreProducts("tmall", ["p0", "p1", "p2", "p3", "p4"], DATES, buyers, visitors, units, units * 100.0,
                         units, units * price, bad_reviews, np.ones((5, DAYS)) * 5,
                         np.full((5, DAYS), np.nan), np.zeros((5, DAYS)))


def test_a_product_that_lost_its_buyers_on_a_peak_is_found_though_it_converts_at_its_usual_rate():
    sp = peak(20.0)
    # by hand: p0's share of the others' buyers is 20/40; the others took 160 today -> 80 expected, 20 bought
    # (-75 %). Its usual conversion 20/80 = 0.25 on 120 visitors is 30 buyers: 20 is not half of it, so the
    # ordinary product check lets it go …
    assert [s.product_id for s in product_signals(sp, DAY, settings=ST, cs=CS, store_gmv=1e5)] == []
    # … while the other products convert 160/240 against 40/160 usually (× 8/3): 30 × 8/3 = 80 expected
    sigs = product_conversion_signals(sp, DAY, settings=ST, cross=CS, store_gmv=1e5)
    assert [s.product_id for s in sigs] == ["p0"]
    s = sigs[0]
    # the day alone (80 expected, 20 bought) or with the day before (20 + 80 expected, 20 + 20 bought)
    assert (s.expected, s.actual) == ((80.0, 20.0) if s.window == 1 else (100.0, 40.0))
    assert s.relative == pytest.approx(s.actual / s.expected - 1)
    assert s.kpi == "item_buyers" and s.severity in ("medium", "high")
    assert [e[0] for e in s.evidence] == ["price_change"]


def test_no_evidence_no_fall_or_nobody_looking_is_no_signal():
    assert product_conversion_signals(peak(20.0, price_today=100.0), DAY, settings=ST, cross=CS, store_gmv=1e5) == []
    assert product_conversion_signals(peak(80.0), DAY, settings=ST, cross=CS, store_gmv=1e5) == []
    # a week of 差评 (every review of the last 7 days) is evidence for the product check, not a fact of the day here
    assert "bad_reviews" in product_evidence(peak(20.0, price_today=100.0, bad=5.0), DAYS - 1, CS)[0]
    assert product_conversion_signals(peak(20.0, price_today=100.0, bad=5.0), DAY, settings=ST, cross=CS,
                                      store_gmv=1e5) == []
    # a quarter of its visitors came (the campaign's traffic went elsewhere): 0.25 × 30 × 8/3 = 20 expected
    assert product_conversion_signals(peak(20.0, p0_visitors=30.0), DAY, settings=ST, cross=CS, store_gmv=1e5) == []


def test_only_campaign_days_of_the_store():
    sp = peak(20.0)
    on = campaign_checks(_frame(), {"tmall": sp}, DATES, ["tmall"], skip={"tmall": frozenset({DAY})}, settings=ST)
    assert [s.product_id for s in on(DAY)] == ["p0"]
    assert campaign_checks(_frame(), {"tmall": sp}, DATES, ["tmall"], skip={"tmall": frozenset()}, settings=ST) is None
    off = campaign_checks(_frame(), {"tmall": sp}, DATES, ["tmall"], skip={"tmall": frozenset({DAY})}, settings=ST,
                          cs=CrossSectionSettings(product_conversion=False))
    assert off(DAY) == []


def _frame():
    import pandas as pd

    return pd.DataFrame({"store_id": ["tmall"] * DAYS, "bucket": DATES, "gmv": [1e5] * DAYS})
