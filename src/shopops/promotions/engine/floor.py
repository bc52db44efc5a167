"""The floor-price guard (破价检查): the lowest 到手价 a customer can reach per SKU.

For each SKU the guard prices carts a real customer could build and keeps the lowest unit
price of the SKU's line:

- 1..``max_units`` units of the SKU alone;
- the same plus a *filler*: the customer adds other goods to reach a threshold. The filler
  is modelled honestly as another item of the same category bought at list price (no item
  discount on it) worth ``max(gap to threshold, cheapest_filler)``; it takes its
  proportional share of the order discount, so the SKU's price is what is left on its
  own line — not the whole discount heaped on the SKU;
- the most favoured customer: a new buyer who is a member, in every segment an offer
  targets, holding every coupon of the plan (and ``points`` points), who paid the presale
  deposit on every unit (定金膨胀 counts).

Results depend on a SKU only through its unit price, the offers covering it and the
offers covering its filler, so they are cached on that key: a 10,000-SKU catalogue
prices a few hundred distinct keys.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shopops.promotions.engine.pricing import price_lines
from shopops.promotions.engine.types import (
    CENT, Cart, Customer, Level, Line, Promotion, yuan,
)

FILLER_SKU = "__filler__"


@dataclass(frozen=True, slots=True)
class SkuFloor:
    sku: str
    price: Decimal
    floor: Decimal  # cost x (1 + min margin), or a committed price (e.g. the 30-day lowest)
    product: str = ""
    category: str = ""
    floor_reason: str = ""


@dataclass(frozen=True, slots=True)
class Reach:
    """The lowest reachable unit price of one SKU and how it is reached."""

    sku: str
    floor: Decimal
    lowest_unit_price: Decimal
    units: int
    filler_amount: Decimal
    applied: tuple[str, ...]
    scenario: str

    @property
    def violates(self) -> bool:
        return self.lowest_unit_price < self.floor

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal("0.00"), self.floor - self.lowest_unit_price)


@dataclass(frozen=True, slots=True)
class FloorReport:
    reaches: tuple[Reach, ...]
    carts_priced: int
    cache_hits: int

    @property
    def violations(self) -> tuple[Reach, ...]:
        return tuple(r for r in self.reaches if r.violates)


def _thresholds(promos: Sequence[Promotion], after_item: Decimal, max_steps: int) -> list[Decimal]:
    """Spend levels above ``after_item`` worth topping up to, as each kind's spec names them
    (``spend_targets``): tiers, coupon thresholds, and the next ``max_steps`` multiples of each
    每满减 / 跨店满减 step (fewer when a cap stops them)."""
    out: set[Decimal] = set()
    for p in promos:
        if p.level == Level.ITEM:
            continue
        out.update(p.spec.spend_targets(p, after_item, max_steps))
    return sorted(t for t in out if t > after_item)


def _favoured_customer(promos: Sequence[Promotion], points: int) -> Customer:
    segments = frozenset(s for p in promos for s in p.segment_ids)
    return Customer(customer_id="floor-guard", is_new_buyer=True, is_member=True, segment_ids=segments, points=points)


def _better(best: tuple | None, line_cents: int, units: int, filler: Decimal, applied: tuple[str, ...],
            scenario: str) -> tuple:
    unit = (Decimal(line_cents) / 100 / units).quantize(CENT, rounding=ROUND_HALF_UP)
    cand = (unit, units, filler, applied, scenario)
    return cand if best is None or cand[:3] < best[:3] else best


def floor_check(
    *,
    skus: Sequence[SkuFloor],
    promotions: Sequence[Promotion],
    at: dt.datetime,
    channel: str = "",
    max_units: int = 3,
    cheapest_filler: Decimal = Decimal("1.00"),
    points: int = 0,
    max_steps: int = 2,
) -> FloorReport:
    # The filler is bought at list price: item-level offers never cover it.
    promos = [
        dataclasses.replace(p, scope=dataclasses.replace(p.scope, exclude_skus=p.scope.exclude_skus | {FILLER_SKU}))
        if p.level == Level.ITEM else p
        for p in promotions
    ]
    customer = _favoured_customer(promos, points)
    coupons = frozenset(p.id for p in promos if p.is_coupon)
    cache: dict[tuple, tuple] = {}
    priced = hits = 0
    reaches: list[Reach] = []
    for info in skus:
        probe = Line(sku=info.sku, unit_price=info.price, quantity=1, product=info.product, category=info.category)
        covering = tuple(p for p in promos if p.scope.covers(probe))
        item_level = tuple(p for p in covering if p.level == Level.ITEM)
        # the category matters only through the offers covering the SKU and the filler
        filler_probe = Line(sku=FILLER_SKU, unit_price=info.price, quantity=1, product=FILLER_SKU,
                            category=info.category)
        key = (info.price, tuple(p.id for p in covering),
               tuple(p.id for p in covering if p.scope.covers(filler_probe)))
        if key in cache:
            hits += 1
            best = cache[key]
        else:
            best = None
            for units in range(1, max_units + 1):
                # deposit paid on every unit: a presale (定金膨胀) covering the SKU counts
                own = Line(sku=info.sku, unit_price=info.price, quantity=units, product=info.product,
                           category=info.category, deposit_units=units)
                alone = Cart(lines=(own,), at=at, customer=customer, channel=channel, held_coupons=coupons)
                finals, _after, applied = price_lines(alone, covering)
                best = _better(best, finals[0], units, Decimal("0.00"), applied, f"{units} unit(s)")
                # thresholds are checked after item discounts: the gap is measured from the
                # deepest item-level price (the item offers alone)
                after_item = yuan(price_lines(alone, item_level)[0][0])
                priced += 2
                for target in _thresholds(covering, after_item, max_steps):
                    filler = max(target - after_item, cheapest_filler).quantize(CENT)
                    lines = (own, Line(sku=FILLER_SKU, unit_price=filler, quantity=1, product=FILLER_SKU,
                                       category=info.category))
                    cart = Cart(lines=lines, at=at, customer=customer, channel=channel, held_coupons=coupons)
                    finals, _after, applied = price_lines(cart, covering)
                    priced += 1
                    best = _better(best, finals[0], units, filler, applied,
                                   f"{units} unit(s) + filler ¥{filler} to reach ¥{target}")
            cache[key] = best
        unit, units, filler, applied, scenario = best
        reaches.append(Reach(sku=info.sku, floor=info.floor, lowest_unit_price=unit, units=units,
                             filler_amount=filler, applied=applied, scenario=scenario))
    return FloorReport(reaches=tuple(reaches), carts_priced=priced, cache_hits=hits)
