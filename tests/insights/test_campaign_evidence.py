"""The evidence of a product on campaign days, on hand-made stores (issue 18, eighth pass): a price read
against the store's price index of the days its units were sold and against the day's per-unit price
noise, and a stock-out from the end-of-day snapshot of the day before. Expected values are worked by
hand in each test; the evaluation's 99划算节 schedule is checked against its definition."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from shopops.insights.crosscheck import CrossSettings, StoreProducts, product_evidence
from shopops.insights.evaluation import KINDS, SEASONS, STORES, draw_schedule

DAYS = 40
DATES = [dt.date(2025, 11, 1) + dt.timedelta(days=k) for k in range(DAYS)]
I = DAYS - 1  # the judged day
CS = CrossSettings()


def _store(n: int, units: float = 10.0) -> StoreProducts:
    """``n`` products, ``units`` a day each at 100 on every day (checkout prices set by the tests)."""
    z = np.zeros((n, DAYS))
    u = np.full((n, DAYS), units)
    return StoreProducts("tmall", [f"p{k}" for k in range(n)], DATES, u.copy(), u * 4, u.copy(), u * 100.0,
                         u.copy(), u * 100.0, z.copy(), z + 5, np.full((n, DAYS), np.nan), z.copy())


def _set(sp: StoreProducts, p: int, day: int, units: float, price: float) -> None:
    sp.placed_units[p, day], sp.placed_listed[p, day] = units, units * price


def test_units_sold_the_day_before_a_deeper_discount_are_not_a_rise():
    # nine products at 95 the day before (5 % off) and 85 on the day (15 % off, the discount deepens);
    # p0 sold 2 units the day before at its full 100 and none on the day
    sp = _store(10)
    for p in range(1, 10):
        _set(sp, p, I - 1, 10, 95.0)
        _set(sp, p, I, 10, 85.0)
    _set(sp, 0, I - 1, 2, 100.0)
    _set(sp, 0, I, 0, 0.0)
    # the store's index: 0.95 the day before (median of nine 0.95 and p0's 1.0), 0.85 on the day. The two days'
    # 2 units were all sold at the 0.95 of the day before: 100 / 95 = +5.3 %, under the 10 % of a rise
    # (against the two days' median index 0.90 it read +11.1 %)
    assert "price_change" not in product_evidence(sp, I, CS)[0]
    _set(sp, 0, I - 1, 2, 118.0)  # the same 2 units at +18 %: 118 / 95 = +24.2 %
    found = product_evidence(sp, I, CS)[0]["price_change"][1]
    assert found["change"] == pytest.approx(118 / 95 - 1, abs=1e-4) and found["before"] == pytest.approx(95.0)


def _campaign_day(p0_units: float, p0_rise: float, *, spread: bool = True) -> StoreProducts:
    """Eleven products; on the day p1..p10 sell 4 units each at 85 (15 % off) — with ``spread``, four at
    85 × 1.05, two at 85, four at 85 / 1.05 (a campaign's item discounts drawn per order line) —, p0 sells
    ``p0_units`` at 85 × (1 + ``p0_rise``)."""
    sp = _store(11)
    factors = [1.05] * 4 + [1.0] * 2 + [1 / 1.05] * 4 if spread else [1.0] * 10
    for p, f in enumerate(factors, start=1):
        _set(sp, p, I, 4, 85.0 * f)
    _set(sp, 0, I, p0_units, 85.0 * (1 + p0_rise))
    return sp


def test_a_few_units_above_the_index_on_a_day_of_scattered_discounts_are_not_a_rise():
    # index: the median of the eleven ratios (four at 0.8095, two at 0.85, four at 0.8925, p0 above) = 0.85.
    # Per unit, a product's log price against the index × √units: ±ln 1.05 × 2 = ±0.0976 for eight, 0 for two,
    # p0's above: median 0, median absolute deviation 0.0976 → the day's spread 1.4826 × 0.0976 = 0.1447.
    spread = 1.4826 * 2 * math.log(1.05)
    # p0, 2 units at +15 %: noise 0.1447 / √2 = 0.1023, the bar 3.5 × 0.1023 = 0.358 > ln 1.15 = 0.140
    assert 3.5 * spread / math.sqrt(2) > math.log(1.15)
    assert "price_change" not in product_evidence(_campaign_day(2, 0.15), I, CS)[0]
    # 20 units at +15 %: 3.5 × 0.1447 / √20 = 0.113 < 0.140 — a rise
    assert 3.5 * spread / math.sqrt(20) < math.log(1.15)
    found = product_evidence(_campaign_day(20, 0.15), I, CS)[0]["price_change"][1]
    assert found["change"] == pytest.approx(0.15, abs=1e-9)
    # a day whose products all sit on the index (an ordinary day's prices): 2 units at +15 % are a rise, as before
    found = product_evidence(_campaign_day(2, 0.15, spread=False), I, CS)[0]["price_change"][1]
    assert found["change"] == pytest.approx(0.15, abs=1e-9)


def test_a_stock_at_0_is_evidence_from_the_day_after_its_end_of_day_snapshot():
    sp = _store(5)
    sp.on_hand[0, I] = 0.0  # the day's own end-of-day snapshot: the product sold until it ran out that day
    assert "stock_out" not in product_evidence(sp, I, CS)[0]
    assert "stock_out" not in product_evidence(sp, I - 1, CS)[0]
    sp.on_hand[0, I - 1] = 0.0  # the day before's: the shelf empty through the day
    assert product_evidence(sp, I, CS)[0]["stock_out"][1]["date"] == DATES[I - 1].isoformat()
    sp.on_hand[0, I - 1] = 3.0
    assert "stock_out" not in product_evidence(sp, I, CS)[0]


def test_nine9_holds_one_incident_a_store_five_of_the_six_kinds():
    season = SEASONS["nine9"]
    assert (season.first, season.last) == (dt.date(2025, 9, 7), dt.date(2025, 9, 10))
    left_out = set()
    for seed in range(40):
        plan = draw_schedule(seed, season)
        assert sorted(p.store_id for p in plan) == sorted(STORES)  # one a store
        kinds = [p.kind for p in plan]
        assert len(set(kinds)) == 5 and set(kinds) <= set(KINDS)
        left_out |= set(KINDS) - set(kinds)
        for p in plan:  # two days inside 99划算节 (9/7–9/9): starting 9/7 or 9/8
            assert p.day in (dt.date(2025, 9, 7), dt.date(2025, 9, 8))
            assert p.kind != "tracking_outage" or p.store_id == "own"
            assert p.store_id != "own" or p.kind not in ("ad_cut", "competitor_cut")
        assert draw_schedule(seed, season) == plan
    assert left_out == set(KINDS)  # every kind is left out by some seed


@pytest.mark.parametrize("name,seed,truth", [
    # the schedules the seventh pass's warehouses were built from (their incidents.json, written by the generator)
    ("double12", 3182, [("2025-12-05", "jd", "ad_cut", 0), ("2025-12-06", "douyin", "price_rise", 4),
                        ("2025-12-06", "pdd", "stock_out", 5), ("2025-12-06", "tmall", "bad_reviews", 7),
                        ("2025-12-10", "jd", "competitor_cut", 7), ("2025-12-10", "own", "tracking_outage", 0)]),
    ("women38", 2724, [("2025-03-01", "pdd", "stock_out", 3), ("2025-03-02", "douyin", "price_rise", 0),
                       ("2025-03-03", "own", "tracking_outage", 0), ("2025-03-04", "tmall", "bad_reviews", 9),
                       ("2025-03-05", "jd", "ad_cut", 0), ("2025-03-06", "pdd", "competitor_cut", 2)]),
])
def test_the_other_seasons_draw_as_before(name, seed, truth):
    plan = draw_schedule(seed, SEASONS[name])
    assert sorted((p.day.isoformat(), p.store_id, p.kind, p.rank) for p in plan) == truth
