"""A product finding's own decomposition and its last days, against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from shopops.insights.crosscheck import StoreProducts
from shopops.insights.product_facts import product_facts

D = dt.date
DATES = [D(2025, 8, 1) + dt.timedelta(days=i) for i in range(20)]
DAY = DATES[-1]


def one_product(*, visitors: float = 100.0) -> StoreProducts:
    """One product: 100 visitors, 5 buyers, 5 units at ¥100 a day; the last two days 1 buyer, 1 unit at ¥120,
    listed at ¥120 (¥100 before); 2 bad reviews on the last day; stock snapshots only on the last day (3)."""
    n = len(DATES)
    row = lambda v: np.full((1, n), float(v))  # noqa: E731
    buyers, units, gmv = row(5), row(5), row(500)
    buyers[0, -2:], units[0, -2:], gmv[0, -2:] = 1, 1, 120
    listed = row(500)
    listed[0, -2:] = 120
    bad = row(0)
    bad[0, -1] = 2
    on_hand = row(np.nan)
    on_hand[0, -1] = 3
    return StoreProducts("s", ["p0"], DATES, buyers, row(visitors), units, gmv, units.copy(), listed, bad,
                         row(4), on_hand, row(0))


def test_the_products_item_gmv_change_splits_into_visitors_conversion_and_gmv_per_buyer():
    refs = DATES[-9:-2]  # seven ordinary days
    f = product_facts(one_product(), "p0", DAY, refs, window=2)
    by = {c["name"]: c for c in f["factors"]}
    # per day: 100 × 5 % × ¥100 = ¥500 → 100 × 1 % × ¥120 = ¥120, a change of −¥380. By hand (Shapley with three
    # factors, visitors unchanged): conversion −0.04 × 100 × (100 + 120) / 2 = −440; GMV per buyer
    # +20 × 100 × (0.05 + 0.01) / 2 = +60; visitors 0
    assert by["visitors"]["value"] == pytest.approx(0.0, abs=1e-9)
    assert by["conversion_rate"]["value"] == pytest.approx(-440.0)
    assert by["aov"]["value"] == pytest.approx(60.0)
    assert (by["conversion_rate"]["before"], by["conversion_rate"]["after"]) == pytest.approx((0.05, 0.01))
    assert sum(c["value"] for c in f["factors"]) == pytest.approx(120.0 - 500.0)


def test_the_last_days_come_newest_first_with_the_findings_days_marked():
    f = product_facts(one_product(), "p0", DAY, DATES[-9:-2], window=2)
    days = f["days"]
    assert len(days) == 14 and days[0]["date"] == DAY.isoformat() and days[-1]["date"] == DATES[-14].isoformat()
    assert [d["in_window"] for d in days[:3]] == [True, True, False]
    top = days[0]
    assert (top["visitors"], top["buyers"], top["units"], top["item_gmv"]) == (100.0, 1.0, 1.0, 120.0)
    assert top["conversion"] == pytest.approx(0.01) and top["paid_price"] == 120.0 and top["listed_price"] == 120.0
    assert top["on_hand"] == 3.0 and top["bad_reviews"] == 2.0
    assert days[2]["listed_price"] == 100.0 and days[2]["on_hand"] is None  # no snapshot that day


def test_without_visitor_counts_only_the_days_are_shown():
    f = product_facts(one_product(visitors=math.nan), "p0", DAY, DATES[-9:-2])
    assert f["factors"] == [] and f["days"][0]["visitors"] is None and f["days"][0]["conversion"] is None


def test_a_product_outside_the_judged_ones_or_a_day_outside_the_run_gives_nothing():
    sp = one_product()
    assert product_facts(sp, "p9", DAY, DATES[-9:-2]) == {}
    assert product_facts(sp, "p0", DAY + dt.timedelta(days=1), DATES[-9:-2]) == {}
    assert product_facts(None, "p0", DAY, DATES[-9:-2]) == {}
