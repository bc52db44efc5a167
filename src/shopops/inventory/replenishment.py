"""Replenishment maths (pure): safety stock, reorder point, order-up-to, MOQ / case packs / price
breaks, planned receipts counted once, budget and capacity limits, a purchase list by supplier.

Per item (a SKU, or a merchant code stocked from one warehouse):

* **inventory position** ``IP = on hand + on order − backorders``. *On order* is the open
  purchase orders' remaining quantities when the caller knows them (``open_po_qty``), else the
  warehouse snapshot's ``in_transit``: the two describe the same goods, so they are never added
  (the double count reorder rules in other systems are known for).
* **safety stock** ``SS = z · √(L·σ_d² + μ_d²·σ_L²)`` — demand variability over the lead time plus
  lead-time variability (``z = Φ⁻¹(service level)``, ``L``/``σ_L`` lead time mean / sd in days,
  ``μ_d``/``σ_d`` daily demand mean / forecast-error sd).
* **reorder point** ``ROP = D(L) + SS`` where ``D(L)`` is the forecast demand over the next ``L``
  days (the forecast path, so a campaign inside the lead time counts);
  **order-up-to** ``S = D(L + R) + SS`` with ``R`` the review period.
* when ``IP ≤ ROP`` (and ``IP`` is below the unrounded ``D(L + R) + SS``: the rounding alone orders
  nothing): need ``S − IP``, raised to the MOQ and rounded **up** to whole case packs;
  then every price break whose quantity (rounded to packs) stays within ``max_cover_days`` of
  demand beyond ``S`` is a candidate, and the quantity with the lowest **cost per unit** —
  ``unit cost · (1 + holding rate per day · q / (2 μ_d))`` (purchase price plus the holding of
  the average cycle stock it creates) — wins.
* **budget / capacity** (``allocate``): lines are taken greedily by *value at risk per yuan*
  (expected units short over ``L + R`` without the order × unit margin, ÷ line cost); a line that
  no longer fits is cut to the largest quantity that still respects MOQ and packs, or dropped.
  Greedy by ratio is the classic knapsack approximation: within one line's value of optimal, in
  ``O(n log n)``; an LP would split lines into fractions MOQ/packs forbid anyway.

Money is ``Decimal`` throughout (unit costs, line costs, budget); quantities are ints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PriceBreak:
    min_qty: int
    unit_cost: Decimal

    def __post_init__(self) -> None:
        if self.min_qty < 1:
            raise ValueError(f"price break: minimum quantity must be at least 1, got {self.min_qty}")
        if not isinstance(self.unit_cost, Decimal) or self.unit_cost < 0:
            raise ValueError(f"price break at {self.min_qty}: unit cost must be a Decimal ≥ 0, got {self.unit_cost!r}")


@dataclass(frozen=True, slots=True)
class SupplyTerms:
    supplier_id: str
    unit_cost: Decimal  # the price below the first break
    lead_time_days: float
    lead_time_sd_days: float = 0.0
    moq: int = 1
    case_pack: int = 1
    price_breaks: tuple[PriceBreak, ...] = ()

    def __post_init__(self) -> None:
        if self.moq < 1 or self.case_pack < 1:
            raise ValueError(f"supplier {self.supplier_id}: MOQ and case pack must be ≥ 1 (got {self.moq}, {self.case_pack})")
        if self.lead_time_days < 0 or self.lead_time_sd_days < 0:
            raise ValueError(f"supplier {self.supplier_id}: lead time and its sd must be ≥ 0")
        if not isinstance(self.unit_cost, Decimal):
            raise ValueError(f"supplier {self.supplier_id}: unit cost must be a Decimal, got {self.unit_cost!r}")

    def cost_at(self, qty: int) -> Decimal:
        """Unit cost for an order of ``qty`` units (the deepest break it reaches)."""
        cost = self.unit_cost
        for b in sorted(self.price_breaks, key=lambda b: b.min_qty):
            if qty >= b.min_qty:
                cost = b.unit_cost
        return cost

    def round_up(self, qty: int) -> int:
        """The smallest orderable quantity ≥ ``qty``: at least the MOQ, whole case packs (0 stays 0)."""
        if qty <= 0:
            return 0
        q = max(qty, self.moq)
        return -(-q // self.case_pack) * self.case_pack

    def round_down(self, qty: int) -> int:
        """The largest orderable quantity ≤ ``qty`` (0 when below the smallest orderable)."""
        q = (max(qty, 0) // self.case_pack) * self.case_pack
        return q if q >= self.round_up(1) else 0


@dataclass(frozen=True, slots=True)
class ItemPlanInput:
    item_id: str
    terms: SupplyTerms
    on_hand: int
    daily_demand: tuple[float, ...]  # forecast mean per day from tomorrow (at least L + R days; the last repeats)
    demand_sd: float  # forecast error sd per day
    open_po_qty: int | None = None  # remaining units on open POs (None: unknown, use in_transit)
    in_transit: int = 0  # the warehouse snapshot's in-transit units
    backorders: int = 0
    unit_price: Decimal | None = None  # selling price, for the value at risk (default: 2 × cost)
    unit_volume: float = 1.0  # capacity units per unit (m³, pallets, or 1 = count units)

    def __post_init__(self) -> None:
        if self.on_hand < 0:
            raise ValueError(f"item {self.item_id}: on hand must not be negative, got {self.on_hand}")
        if self.open_po_qty is not None and self.open_po_qty < 0:
            raise ValueError(f"item {self.item_id}: open PO quantity must not be negative, got {self.open_po_qty}")
        if self.in_transit < 0 or self.backorders < 0:
            raise ValueError(f"item {self.item_id}: in transit and backorders must not be negative")
        if self.demand_sd < 0 or any(d < 0 for d in self.daily_demand):
            raise ValueError(f"item {self.item_id}: demand and its sd must not be negative")

    @property
    def on_order(self) -> int:
        return self.open_po_qty if self.open_po_qty is not None else self.in_transit


@dataclass(frozen=True, slots=True)
class Policy:
    service_level: float = 0.95
    review_days: int = 7
    holding_rate_per_year: float = 0.25
    max_cover_days: int = 60  # a price break may add at most this many days of demand beyond S
    moq_warn_days: int = 180  # an order the MOQ raised to more than this many days of demand says so

    def __post_init__(self) -> None:
        if not 0.5 <= self.service_level < 1:
            raise ValueError(f"service level must be in [0.5, 1), got {self.service_level}")
        if self.review_days < 0 or self.max_cover_days < 0:
            raise ValueError("review days and max cover days must be ≥ 0")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str  # below_reorder_point, moq, moq_cover, case_pack, price_break, open_po_counted, budget_cut, capacity_cut, dropped_budget, dropped_capacity
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: str = "zh") -> str:
        v = dict(self.values)
        zh = language.startswith("zh")
        templates = REASON_TEXT[self.code]
        return (templates[0] if zh else templates[1]).format(**v)


REASON_TEXT = {
    "below_reorder_point": ("库存位置 {position} ≤ 补货点 {rop}（安全库存 {ss}）", "position {position} ≤ reorder point {rop} (safety stock {ss})"),
    "open_po_counted": ("已计入未到货采购 {qty} 件（只计一次）", "open POs of {qty} units counted (once)"),
    "moq": ("提高到起订量 {moq}", "raised to the MOQ of {moq}"),
    "moq_cover": ("起订量约合 {days} 天的需求，请确认值得下单", "the MOQ is about {days} days of demand: check it is worth ordering"),
    "case_pack": ("按箱规 {pack} 取整", "rounded up to case packs of {pack}"),
    "price_break": ("达到 {min_qty} 件价格档 ¥{unit_cost}，含持有成本更省", "reaches the {min_qty}-unit price break at {unit_cost}, cheaper with holding"),
    "budget_cut": ("受预算限制从 {wanted} 减至 {qty}", "cut from {wanted} to {qty} by the budget"),
    "capacity_cut": ("受仓容限制从 {wanted} 减至 {qty}", "cut from {wanted} to {qty} by warehouse capacity"),
    "dropped_budget": ("预算不足，未下单（风险金额 ¥{value_at_risk}）", "left out: over budget (value at risk {value_at_risk})"),
    "dropped_capacity": ("仓容不足，未下单", "left out: no warehouse capacity"),
}


@dataclass(frozen=True, slots=True)
class ItemPlan:
    item_id: str
    supplier_id: str
    inventory_position: int
    safety_stock: int
    reorder_point: int
    order_up_to: int
    quantity: int  # suggested order (0: none)
    unit_cost: Decimal
    line_cost: Decimal
    value_at_risk: Decimal  # margin of the units expected short over L + R without this order
    reasons: tuple[Reason, ...] = ()
    volume: float = 0.0
    daily_mean: float = 0.0  # the forecast's mean demand a day over the lead time and review period (what the plan used)


@dataclass
class SupplierOrder:
    supplier_id: str
    lines: list[ItemPlan] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.line_cost for line in self.lines), Decimal("0.00"))


def z_of(service_level: float) -> float:
    return NormalDist().inv_cdf(service_level)


def safety_stock(*, service_level: float, lead_time_days: float, lead_time_sd_days: float, daily_mean: float,
                 daily_sd: float) -> float:
    """``z · √(L σ_d² + μ_d² σ_L²)`` in units (not rounded)."""
    return z_of(service_level) * math.sqrt(lead_time_days * daily_sd ** 2 + daily_mean ** 2 * lead_time_sd_days ** 2)


def demand_over(daily: tuple[float, ...] | list[float], days: float) -> float:
    """Σ of the forecast path over the first ``days`` days (fractional last day; the path's last value
    repeats beyond its end)."""
    if days <= 0 or not daily:
        return 0.0
    whole = int(math.floor(days))
    path = list(daily) + [daily[-1]] * max(whole + 1 - len(daily), 0)
    return float(sum(path[:whole]) + (days - whole) * path[whole])


def _money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def plan_item(item: ItemPlanInput, policy: Policy = Policy()) -> ItemPlan:
    t = item.terms
    lead = t.lead_time_days
    horizon = lead + policy.review_days
    d_horizon = demand_over(item.daily_demand, horizon)  # the forecast demand over the lead time and review period
    mu = d_horizon / horizon if horizon > 0 else (item.daily_demand[0] if item.daily_demand else 0.0)
    ss = safety_stock(service_level=policy.service_level, lead_time_days=lead, lead_time_sd_days=t.lead_time_sd_days,
                      daily_mean=mu, daily_sd=item.demand_sd)
    ss_units = math.ceil(ss - 1e-9)
    rop = math.ceil(demand_over(item.daily_demand, lead) + ss - 1e-9)
    s_level = math.ceil(d_horizon + ss - 1e-9)
    position = item.on_hand + item.on_order - item.backorders
    reasons: list[Reason] = []
    if item.on_order:
        reasons.append(Reason("open_po_counted", (("qty", item.on_order),)))
    price = item.unit_price if item.unit_price is not None else t.unit_cost * 2
    short = max(d_horizon - position, 0.0)
    # the rounding up of ROP and S must not order on its own: with stock that covers the horizon's demand and the
    # safety stock as computed (a slow mover: 0.3 units of safety stock round to a ROP of 1), nothing is needed —
    # else a SKU selling nothing with 1 on hand was raised to its supplier's MOQ
    if position > rop or position >= d_horizon + ss:
        return ItemPlan(item.item_id, t.supplier_id, position, ss_units, rop, s_level, 0, t.cost_at(1), Decimal("0.00"),
                        Decimal("0.00"), tuple(reasons), daily_mean=mu)
    reasons.insert(0, Reason("below_reorder_point", (("position", position), ("rop", rop), ("ss", ss_units))))
    need = max(s_level - position, 1)
    qty = t.round_up(need)
    if max(need, t.moq) > need:
        reasons.append(Reason("moq", (("moq", t.moq),)))
        if mu > 0 and qty / mu > policy.moq_warn_days:  # a slow mover and a large MOQ: a year of stock for one order
            reasons.append(Reason("moq_cover", (("days", f"{qty / mu:,.0f}"),)))
    if qty > max(need, t.moq):
        reasons.append(Reason("case_pack", (("pack", t.case_pack),)))
    # price breaks within cover
    limit = qty + policy.max_cover_days * mu
    h_day = policy.holding_rate_per_year / 365.0
    mu_safe = max(mu, 1e-9)

    def per_unit(q: int) -> Decimal:
        hold = Decimal(str(round(h_day * q / (2 * mu_safe), 9)))
        return t.cost_at(q) * (1 + hold)

    best, best_cost = qty, per_unit(qty)
    for b in sorted(t.price_breaks, key=lambda b: b.min_qty):
        q = t.round_up(b.min_qty)
        if q <= qty or q > limit:
            continue
        c = per_unit(q)
        if c < best_cost:
            best, best_cost = q, c
    unit_cost = t.cost_at(best)
    if best != qty:
        reasons.append(Reason("price_break", (("min_qty", best), ("unit_cost", str(unit_cost)))))
    margin = max(price - t.cost_at(1), Decimal("0"))
    var = _money(Decimal(str(round(short, 6))) * margin)
    return ItemPlan(item.item_id, t.supplier_id, position, ss_units, rop, s_level, best, unit_cost,
                    _money(unit_cost * best), var, tuple(reasons), volume=best * item.unit_volume, daily_mean=mu)


def allocate(plans: list[ItemPlan], terms: dict[str, SupplyTerms], *, budget: Decimal | None = None,
             capacity: float | None = None, unit_volume: dict[str, float] | None = None) -> list[ItemPlan]:
    """Fit the suggested lines into ``budget`` (Decimal) and ``capacity`` (volume units): greedy by value
    at risk per yuan, cutting a line to its largest orderable quantity that fits, else dropping it."""
    if budget is not None and budget < 0:
        raise ValueError(f"budget must not be negative, got {budget}")
    if capacity is not None and capacity < 0:
        raise ValueError(f"capacity must not be negative, got {capacity}")
    unit_volume = unit_volume or {}
    wanted = [p for p in plans if p.quantity > 0]
    rest = [p for p in plans if p.quantity <= 0]

    def ratio(p: ItemPlan) -> float:
        return float(p.value_at_risk / p.line_cost) if p.line_cost > 0 else float("inf")

    order = sorted(wanted, key=lambda p: (-ratio(p), -p.value_at_risk, p.item_id))
    left_money = budget
    left_space = capacity
    out: list[ItemPlan] = []
    for p in order:
        t = terms[p.item_id]
        vol = unit_volume.get(p.item_id, p.volume / p.quantity if p.quantity else 1.0)
        q = p.quantity
        cuts: list[str] = []
        while q > 0:  # a capacity cut may lose a price break and cost more: check both until stable
            before = q
            if left_money is not None:
                fit = _largest_affordable(t, q, left_money)
                if fit < q:
                    cuts.append("budget")
                    q = fit
            if left_space is not None and q > 0:
                fit = min(q, t.round_down(int(math.floor(left_space / vol + 1e-9)))) if vol > 0 else q
                if fit < q:
                    cuts.append("capacity")
                    q = fit
            if q == before:
                break
        cuts = list(dict.fromkeys(cuts))
        if q <= 0:
            code = f"dropped_{cuts[-1]}"
            out.append(replace(p, quantity=0, line_cost=Decimal("0.00"), volume=0.0,
                               reasons=p.reasons + (Reason(code, (("value_at_risk", str(p.value_at_risk)),)),)))
            continue
        cost = t.cost_at(q)
        line = _money(cost * q)
        reasons = tuple(r for r in p.reasons if r.code != "price_break" or q >= dict(r.values)["min_qty"])
        for cut in cuts:
            reasons += (Reason(f"{cut}_cut", (("wanted", p.quantity), ("qty", q))),)
        out.append(replace(p, quantity=q, unit_cost=cost, line_cost=line, volume=q * vol, reasons=reasons))
        if left_money is not None:
            left_money -= line
        if left_space is not None:
            left_space -= q * vol
    return out + rest


def _largest_affordable(t: SupplyTerms, q: int, money: Decimal) -> int:
    """The largest orderable quantity ≤ q whose cost (at its own price break) fits ``money``."""
    q = t.round_down(q)
    while q > 0 and _money(t.cost_at(q) * q) > money:
        q = t.round_down(q - t.case_pack)
    return q


def purchase_list(items: list[ItemPlanInput], *, policy: Policy = Policy(), budget: Decimal | None = None,
                  capacity: float | None = None) -> list[SupplierOrder]:
    """The suggested purchase list grouped by supplier (suppliers and lines sorted by id), lines with
    a quantity only; each line carries its reasons."""
    ids = [i.item_id for i in items]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"purchase list: item(s) listed twice: {', '.join(dup[:5])}")
    plans = [plan_item(i, policy) for i in items]
    if budget is not None or capacity is not None:
        plans = allocate(plans, {i.item_id: i.terms for i in items}, budget=budget, capacity=capacity,
                         unit_volume={i.item_id: i.unit_volume for i in items})
    groups: dict[str, SupplierOrder] = {}
    for p in sorted(plans, key=lambda p: (p.supplier_id, p.item_id)):
        if p.quantity > 0:
            groups.setdefault(p.supplier_id, SupplierOrder(p.supplier_id)).lines.append(p)
    return [groups[k] for k in sorted(groups)]
