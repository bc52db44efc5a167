"""Replenishment maths against textbook cases worked by hand (z from scipy, not from the engine),
and property tests of the invariants: never below the MOQ unless zero, whole case packs, never
negative, budget and capacity never exceeded, open POs never counted twice, a higher service
level never lowers the safety stock."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from shopops.inventory.replenishment import (
    ItemPlanInput, Policy, PriceBreak, SupplyTerms, allocate, demand_over, plan_item, purchase_list, safety_stock,
)

D = Decimal


def terms(**kw) -> SupplyTerms:
    base = dict(supplier_id="S1", unit_cost=D("10.00"), lead_time_days=9.0, lead_time_sd_days=2.0, moq=1, case_pack=1)
    base.update(kw)
    return SupplyTerms(**base)


def test_safety_stock_with_lead_time_variability_textbook_case():
    # μ_d = 100/day, σ_d = 20, L = 9 days, σ_L = 2 days, 95 %: z·√(9·20² + 100²·2²) = z·√43,600
    want = norm.ppf(0.95) * math.sqrt(9 * 400 + 10_000 * 4)
    got = safety_stock(service_level=0.95, lead_time_days=9, lead_time_sd_days=2, daily_mean=100, daily_sd=20)
    assert got == pytest.approx(want, rel=1e-9)
    assert round(want, 1) == 343.5  # the hand computation: 1.6449 × 208.81


def test_reorder_point_and_order_up_to_from_a_flat_forecast():
    item = ItemPlanInput("A", terms(), on_hand=500, daily_demand=(100.0,) * 40, demand_sd=20.0)
    p = plan_item(item, Policy(service_level=0.95, review_days=7))
    # lead 9 + review 7 = 16 days: μ stays 100
    ss = norm.ppf(0.95) * math.sqrt(9 * 400 + 10_000 * 4)
    assert p.safety_stock == math.ceil(ss)
    assert p.reorder_point == math.ceil(900 + ss)  # 1,244
    assert p.order_up_to == math.ceil(1_600 + ss)  # 1,944
    assert p.inventory_position == 500
    assert p.quantity == math.ceil(1_600 + ss) - 500
    assert p.daily_mean == 100.0  # the demand a day the plan used (the page's 日均需求（预测）column)


def test_reorder_point_follows_the_forecast_path_through_a_campaign():
    path = (10.0,) * 5 + (70.0,) * 2 + (10.0,) * 30  # a campaign on days 6–7 of the lead time
    t = terms(lead_time_days=9.0, lead_time_sd_days=0.0)
    p = plan_item(ItemPlanInput("A", t, on_hand=0, daily_demand=path, demand_sd=0.0), Policy(review_days=0))
    assert p.reorder_point == 5 * 10 + 2 * 70 + 2 * 10  # 210: the demand over the 9 days, no variability


def test_open_purchase_orders_are_counted_once():
    t = terms()
    only_po = ItemPlanInput("A", t, on_hand=100, daily_demand=(100.0,) * 30, demand_sd=20.0, open_po_qty=300)
    both = ItemPlanInput("A", t, on_hand=100, daily_demand=(100.0,) * 30, demand_sd=20.0, open_po_qty=300,
                         in_transit=300)
    snapshot_only = ItemPlanInput("A", t, on_hand=100, daily_demand=(100.0,) * 30, demand_sd=20.0, in_transit=300)
    a, b, c = plan_item(only_po), plan_item(both), plan_item(snapshot_only)
    assert a.inventory_position == b.inventory_position == c.inventory_position == 400
    assert a.quantity == b.quantity == c.quantity


def test_rounding_alone_orders_nothing_for_a_sku_that_does_not_sell():
    # 0.01 a day, σ_d 0.1, L = 9, σ_L = 2, R = 7, 95 %: SS = 1.645·√(9·0.01 + 0.0001·4) = 0.495, ROP = ⌈0.09 + 0.495⌉ = 1.
    # With 1 on hand (= ROP) the stock covers the 16 days' 0.16 units and the safety stock: no order — the
    # demo's replenishment list raised such a SKU to its supplier's MOQ of 20
    t = terms(moq=20)
    idle = plan_item(ItemPlanInput("A", t, on_hand=1, daily_demand=(0.01,) * 30, demand_sd=0.1), Policy(review_days=7))
    assert idle.reorder_point == 1 and idle.inventory_position == 1 and idle.quantity == 0
    # … while the same SKU out of stock is reordered (0 < 0.16 + 0.495), at the MOQ
    empty = plan_item(ItemPlanInput("A", t, on_hand=0, daily_demand=(0.01,) * 30, demand_sd=0.1), Policy(review_days=7))
    assert empty.quantity == 20
    # … and says what the MOQ means here: 20 units at μ = 0.01 a day (the horizon's mean) = 2,000 days of demand
    assert [r.code for r in empty.reasons][-2:] == ["moq", "moq_cover"]
    assert empty.reasons[-1].text("zh-hans") == "起订量约合 2,000 天的需求，请确认值得下单"


def test_moq_and_case_pack_rounding_by_hand():
    flat = (5.0,) * 40
    # need = S − IP; S = 5·16 + SS(σ=0, σ_L=0) = 80; IP = 0 → 80
    t = terms(lead_time_sd_days=0.0, moq=100, case_pack=12)
    p = plan_item(ItemPlanInput("A", t, on_hand=0, daily_demand=flat, demand_sd=0.0))
    assert p.quantity == 108  # MOQ 100, rounded up to 9 cases of 12
    assert {r.code for r in p.reasons} >= {"moq", "case_pack", "below_reorder_point"}
    t2 = terms(lead_time_sd_days=0.0, moq=1, case_pack=24)
    assert plan_item(ItemPlanInput("A", t2, on_hand=0, daily_demand=flat, demand_sd=0.0)).quantity == 96


def test_price_break_is_taken_when_unit_plus_holding_cost_is_lower():
    # need 80; a break at 200 units for 8.00 instead of 10.00; holding 25 %/year
    t = terms(lead_time_sd_days=0.0, price_breaks=(PriceBreak(200, D("8.00")),))
    p = plan_item(ItemPlanInput("A", t, on_hand=0, daily_demand=(5.0,) * 40, demand_sd=0.0), Policy(max_cover_days=60))
    # per unit at 80: 10·(1 + 0.25/365·80/10) = 10.0548; at 200: 8·(1 + 0.25/365·200/10) = 8.1096
    assert p.quantity == 200 and p.unit_cost == D("8.00") and p.line_cost == D("1600.00")
    # a break beyond the cover limit (80 + 60 days × 5 = 380) is not taken
    t_far = terms(lead_time_sd_days=0.0, price_breaks=(PriceBreak(500, D("8.00")),))
    p_far = plan_item(ItemPlanInput("A", t_far, on_hand=0, daily_demand=(5.0,) * 40, demand_sd=0.0))
    assert p_far.quantity == 80 and p_far.unit_cost == D("10.00")


def test_a_price_break_not_worth_its_holding_is_not_taken():
    # 9.99 at 380 units: 9.99·(1 + 0.25/365·380/10) = 10.25 > 10.0548
    t = terms(lead_time_sd_days=0.0, price_breaks=(PriceBreak(380, D("9.99")),))
    p = plan_item(ItemPlanInput("A", t, on_hand=0, daily_demand=(5.0,) * 40, demand_sd=0.0))
    assert p.quantity == 80


def test_no_order_above_the_reorder_point():
    p = plan_item(ItemPlanInput("A", terms(), on_hand=5_000, daily_demand=(100.0,) * 30, demand_sd=20.0))
    assert p.quantity == 0 and p.line_cost == D("0.00")


def test_budget_allocation_prefers_value_at_risk_per_yuan():
    t = terms(lead_time_sd_days=0.0)
    hot = ItemPlanInput("hot", t, on_hand=0, daily_demand=(10.0,) * 30, demand_sd=0.0, unit_price=D("50.00"))
    cold = ItemPlanInput("cold", t, on_hand=0, daily_demand=(10.0,) * 30, demand_sd=0.0, unit_price=D("12.00"))
    orders = purchase_list([hot, cold], budget=D("1700.00"))
    lines = {line.item_id: line for o in orders for line in o.lines}
    # each wants 160 units (1,600.00); hot's margin is 40 a unit, cold's 2: hot first, cold gets the 100 left
    assert lines["hot"].quantity == 160
    assert lines["cold"].quantity == 10 and lines["cold"].line_cost == D("100.00")
    assert sum(line.line_cost for line in lines.values()) <= D("1700.00")


def test_duplicate_items_are_refused():
    item = ItemPlanInput("A", terms(), on_hand=0, daily_demand=(1.0,), demand_sd=0.0)
    with pytest.raises(ValueError, match="listed twice: A"):
        purchase_list([item, item])


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="item A: on hand must not be negative, got -3"):
        ItemPlanInput("A", terms(), on_hand=-3, daily_demand=(1.0,), demand_sd=0.0)
    with pytest.raises(ValueError, match="supplier S1: MOQ and case pack"):
        terms(moq=0)
    with pytest.raises(ValueError, match="unit cost must be a Decimal"):
        terms(unit_cost=9.5)


# -- properties ---------------------------------------------------------------------------------------------

terms_st = st.builds(
    SupplyTerms, supplier_id=st.sampled_from(["S1", "S2"]),
    unit_cost=st.decimals(min_value=D("0.50"), max_value=D("500"), places=2),
    lead_time_days=st.floats(0, 40), lead_time_sd_days=st.floats(0, 10),
    moq=st.integers(1, 300), case_pack=st.integers(1, 48),
    price_breaks=st.lists(st.builds(PriceBreak, min_qty=st.integers(1, 2_000),
                                    unit_cost=st.decimals(min_value=D("0.10"), max_value=D("500"), places=2)),
                          max_size=3).map(tuple),
)


@st.composite
def items_st(draw, item_id: str = "A"):
    return ItemPlanInput(
        item_id, draw(terms_st), on_hand=draw(st.integers(0, 5_000)),
        daily_demand=tuple(draw(st.lists(st.floats(0, 200), min_size=1, max_size=60))),
        demand_sd=draw(st.floats(0, 50)), open_po_qty=draw(st.one_of(st.none(), st.integers(0, 2_000))),
        in_transit=draw(st.integers(0, 2_000)), unit_price=draw(st.one_of(st.none(), st.decimals(
            min_value=D("1"), max_value=D("999"), places=2))),
        unit_volume=draw(st.floats(0.01, 5)))


@settings(max_examples=300, deadline=None)
@given(items_st(), st.floats(0.5, 0.995))
def test_quantity_is_zero_or_orderable(item, service):
    p = plan_item(item, Policy(service_level=service))
    assert p.quantity >= 0
    if p.quantity:
        assert p.quantity >= item.terms.moq and p.quantity % item.terms.case_pack == 0
        assert p.line_cost == (p.unit_cost * p.quantity).quantize(D("0.01"))


@settings(max_examples=200, deadline=None)
@given(items_st())
def test_in_transit_adds_nothing_when_open_pos_are_known(item):
    if item.open_po_qty is None:
        return
    with_snapshot = ItemPlanInput(item.item_id, item.terms, on_hand=item.on_hand, daily_demand=item.daily_demand,
                                  demand_sd=item.demand_sd, open_po_qty=item.open_po_qty, in_transit=0)
    a, b = plan_item(item), plan_item(with_snapshot)
    assert a.inventory_position == b.inventory_position == item.on_hand + item.open_po_qty
    assert a.quantity == b.quantity


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 60), st.floats(0, 15), st.floats(0, 500), st.floats(0, 100), st.floats(0.5, 0.99), st.floats(0.5, 0.99))
def test_higher_service_level_never_lowers_safety_stock(lead, lead_sd, mu, sd, s1, s2):
    lo, hi = sorted((s1, s2))
    a = safety_stock(service_level=lo, lead_time_days=lead, lead_time_sd_days=lead_sd, daily_mean=mu, daily_sd=sd)
    b = safety_stock(service_level=hi, lead_time_days=lead, lead_time_sd_days=lead_sd, daily_mean=mu, daily_sd=sd)
    assert b >= a - 1e-9


@settings(max_examples=150, deadline=None)
@given(st.lists(items_st(), min_size=1, max_size=8), st.decimals(min_value=D("0"), max_value=D("50000"), places=2),
       st.floats(0, 5_000))
def test_budget_and_capacity_are_never_exceeded(items, budget, capacity):
    items = [ItemPlanInput(f"I{k}", i.terms, on_hand=i.on_hand, daily_demand=i.daily_demand, demand_sd=i.demand_sd,
                           open_po_qty=i.open_po_qty, in_transit=i.in_transit, unit_price=i.unit_price,
                           unit_volume=i.unit_volume) for k, i in enumerate(items)]
    orders = purchase_list(items, budget=budget, capacity=capacity)
    lines = [line for o in orders for line in o.lines]
    assert sum((line.line_cost for line in lines), D("0")) <= budget
    volume = {i.item_id: i.unit_volume for i in items}
    assert sum(line.quantity * volume[line.item_id] for line in lines) <= capacity + 1e-6
    by_id = {i.item_id: i.terms for i in items}
    for line in lines:
        t = by_id[line.item_id]
        assert line.quantity >= t.moq and line.quantity % t.case_pack == 0
        assert line.line_cost == (t.cost_at(line.quantity) * line.quantity).quantize(D("0.01"))


def test_demand_over_fractional_days_and_repeating_tail():
    assert demand_over([1.0, 2.0, 3.0], 2.5) == pytest.approx(1 + 2 + 0.5 * 3)
    assert demand_over([1.0, 2.0], 4) == pytest.approx(1 + 2 + 2 + 2)
    assert demand_over([], 3) == 0.0


def test_allocate_refuses_negative_budget():
    with pytest.raises(ValueError, match="budget must not be negative"):
        allocate([], {}, budget=D("-1"))


def test_a_capacity_cut_that_loses_a_price_break_still_fits_the_budget():
    # found by the property test: 2 units at the 2-unit break (0.10) fit 0.20, but capacity allows 1 unit,
    # which costs 0.50 without the break: the line must not be kept at 1 unit
    t = terms(unit_cost=D("0.50"), lead_time_days=0.0, lead_time_sd_days=0.0, price_breaks=(PriceBreak(2, D("0.10")),))
    item = ItemPlanInput("A", t, on_hand=0, daily_demand=(0.2,), demand_sd=0.0)
    assert plan_item(item).quantity == 2
    orders = purchase_list([item], budget=D("0.20"), capacity=1.0)
    assert orders == []
