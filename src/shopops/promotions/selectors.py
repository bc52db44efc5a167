"""Reads of the promotions app: models -> engine values, quotes, floor checks, reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext, gettext_lazy as _

from shopops.core.errors import ShopopsError
from shopops.promotions import engine
from shopops.promotions.engine.floor import FloorReport, SkuFloor, floor_check
from shopops.promotions.models import AuditLog, Campaign, Coupon, CouponCode, FloorPrice, Promotion


def engine_promotion(promotion: Promotion) -> engine.Promotion:
    """The engine's frozen value of a stored promotion (parameters already validated): its
    kind's spec reads the typed parameters from the stored JSON."""
    spec = engine.kind_spec(promotion.kind)
    return engine.Promotion(
        id=str(promotion.pk),
        kind=spec.key,
        name=promotion.name,
        scope=engine.Scope(
            categories=frozenset(promotion.scope_categories), products=frozenset(promotion.scope_products),
            skus=frozenset(promotion.scope_skus), exclude_skus=frozenset(promotion.exclude_skus),
        ),
        audience=engine.Audience(promotion.audience),
        segment_ids=frozenset(promotion.segment_ids),
        channels=frozenset(promotion.channels),
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        priority=promotion.priority,
        exclusive_group=promotion.exclusive_group,
        stackable=promotion.stackable,
        bearer=engine.Bearer(promotion.bearer),
        store_share=promotion.store_share,
        params=spec.parse(promotion.parameters or {}),
    )


def promotion_list(*, active_only: bool = False) -> list[Promotion]:
    qs = Promotion.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs)


# The engine values of the last active sets, by (pk, updated_at) of their rows: an unchanged
# set is the same tuple of objects, so the engine's per-set index (keyed on their ids) is
# built once, not on every quote.
_ACTIVE_SETS: dict[tuple, tuple[engine.Promotion, ...]] = {}
_ACTIVE_SETS_SIZE = 8
_active_lock = threading.Lock()


def promotions_active(*, at: dt.datetime, ids: Iterable[int] | None = None) -> list[engine.Promotion]:
    qs = Promotion.objects.filter(is_active=True).filter(Q(starts_at__isnull=True) | Q(starts_at__lte=at))
    qs = qs.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    version = tuple(qs.order_by("pk").values_list("pk", "updated_at"))
    with _active_lock:
        found = _ACTIVE_SETS.get(version)
    if found is None:
        found = tuple(engine_promotion(p) for p in qs.filter(pk__in=[pk for pk, _ in version]).order_by("pk"))
        if len(found) != len(version):  # changed between the two reads: do not keep it
            return list(found)
        with _active_lock:
            if len(_ACTIVE_SETS) >= _ACTIVE_SETS_SIZE:
                _ACTIVE_SETS.pop(next(iter(_ACTIVE_SETS)))
            _ACTIVE_SETS[version] = found
    return list(found)


def pricing_quote(*, cart: engine.Cart, promotion_ids: Iterable[int] | None = None) -> engine.PricedCart:
    return engine.price_cart(cart, promotions_active(at=cart.at, ids=promotion_ids))


def campaign_list() -> list[Campaign]:
    return list(Campaign.objects.prefetch_related("promotions"))


def campaign_get(*, campaign_id: int) -> Campaign:
    return Campaign.objects.prefetch_related("promotions").get(pk=campaign_id)


def sku_floors(*, skus: Sequence[str] | None = None) -> list[SkuFloor]:
    qs = FloorPrice.objects.all()
    if skus is not None:
        qs = qs.filter(sku__in=list(skus))
    return [
        SkuFloor(sku=f.sku, price=f.list_price, floor=f.floor, product=f.product, category=f.category,
                 floor_reason="committed price" if f.committed_price is not None else f"cost x (1 + {f.min_margin})")
        for f in qs
    ]


def campaign_floor_check(*, campaign: Campaign, max_units: int = 3) -> FloorReport:
    """Every promotion of the campaign whose window overlaps the campaign's, checked together.

    Conservative on time: a 20:00 秒杀 and an all-day coupon are assumed to meet (they can),
    so windows are dropped once a promotion overlaps the campaign at all.
    """
    start, end = campaign.starts_at, campaign.ends_at
    promos = [
        dataclasses.replace(p, starts_at=None, ends_at=None)
        for p in (engine_promotion(x) for x in campaign.promotions.filter(is_active=True))
        if (p.starts_at is None or p.starts_at < end) and (p.ends_at is None or p.ends_at > start)
    ]
    return floor_check(skus=sku_floors(), promotions=promos, at=start, max_units=max_units)


@dataclass(frozen=True, slots=True)
class Liability:
    coupons: int
    codes: int
    value: Decimal


def coupon_liability(*, now: dt.datetime) -> Liability:
    """Outstanding value of issued/claimed, unredeemed coupons that have not expired."""
    qs = CouponCode.objects.filter(redeemed_at__isnull=True, coupon__valid_until__gt=now).exclude(customer_id="")
    agg = qs.aggregate(value=Sum("coupon__face_value"))
    return Liability(coupons=qs.values("coupon").distinct().count(), codes=qs.count(),
                     value=(agg["value"] or Decimal("0")).quantize(Decimal("0.01")))


def coupon_get(*, coupon_id: int) -> Coupon:
    coupon = Coupon.objects.select_related("promotion").filter(pk=coupon_id).first()
    if coupon is None:
        raise ShopopsError(f"no coupon {coupon_id}")
    return coupon


def audit_for_campaign(*, campaign: Campaign) -> list[AuditLog]:
    return list(campaign.audit.select_related("user"))


# ---------------------------------------------------------------------------- simulator
@dataclass(frozen=True, slots=True)
class CartLineIn:
    sku: str
    quantity: int
    unit_price: Decimal | None = None  # None: the SKU's list price from its floor-price record


@dataclass(frozen=True, slots=True)
class MatrixCell:
    scenario: str
    unit_price: Decimal
    violates: bool
    applied: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    sku: str
    list_price: Decimal
    floor: Decimal | None
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True, slots=True)
class PromotionCost:
    promotion_id: str
    name: str
    per_unit: Decimal
    store: Decimal
    platform: Decimal


@dataclass(frozen=True, slots=True)
class Simulation:
    priced: engine.PricedCart
    names: dict[str, str]
    matrix: tuple[MatrixRow, ...]
    scenarios: tuple[str, ...]
    costs: tuple[PromotionCost, ...]
    expected_units: int


SCENARIOS: tuple[tuple[str, int, dict], ...] = (
    (_("1 unit"), 1, {}),
    (_("2 units"), 2, {}),
    (_("1 unit + coupons"), 1, {"coupons": True}),
    (_("1 unit, new buyer"), 1, {"is_new_buyer": True}),
    (_("1 unit, member"), 1, {"is_member": True}),
)


def simulator_sample_lines() -> str:
    """The simulator's starting cart: two SKUs that have a list price on record (one of each), or nothing."""
    skus = list(FloorPrice.objects.order_by("sku").values_list("sku", flat=True)[:2])
    return "\n".join(f"{sku} 1" for sku in skus)


def simulation_run(*, lines: list[CartLineIn], customer: engine.Customer, channel: str, at: dt.datetime,
                   promotion_ids: list[int], hold_coupons: bool, expected_units: int) -> Simulation:
    """Price a sample cart, a SKU x scenario matrix against the floors, and the cost by bearer."""
    floors = {f.sku: f for f in FloorPrice.objects.filter(sku__in=[ln.sku for ln in lines])}
    cart_lines = []
    for ln in lines:
        record = floors.get(ln.sku)
        price = ln.unit_price if ln.unit_price is not None else (record.list_price if record else None)
        if price is None:
            raise ShopopsError(gettext("SKU %(sku)s: no price on the line and no list price on record; write the line as "
                                 "“SKU quantity price” or set the SKU's floor price first.") % {"sku": ln.sku})
        cart_lines.append(engine.Line(sku=ln.sku, unit_price=price, quantity=ln.quantity,
                                      product=record.product if record else ln.sku,
                                      category=record.category if record else ""))
    models_by_id = {str(p.pk): p for p in Promotion.objects.filter(pk__in=promotion_ids)}
    promos = [engine_promotion(p) for p in models_by_id.values()]
    coupons = frozenset(p.id for p in promos if p.is_coupon) if hold_coupons else frozenset()
    cart = engine.Cart(lines=tuple(cart_lines), at=at, customer=customer, channel=channel, held_coupons=coupons)
    priced = engine.price_cart(cart, promos)

    matrix = []
    for line in cart_lines:
        record = floors.get(line.sku)
        floor = record.floor if record else None
        cells = []
        for label, units, facts in SCENARIOS:
            c = engine.Customer(customer_id="simulator", is_new_buyer=facts.get("is_new_buyer", False),
                                is_member=facts.get("is_member", False))
            held = frozenset(p.id for p in promos if p.is_coupon) if facts.get("coupons") else frozenset()
            one = engine.Cart(lines=(engine.Line(sku=line.sku, unit_price=line.unit_price, quantity=units,
                                                 product=line.product, category=line.category),),
                              at=at, customer=c, channel=channel, held_coupons=held)
            r = engine.price_cart(one, promos)
            unit = r.lines[0].final_unit_price
            cells.append(MatrixCell(label, unit, floor is not None and unit < floor, r.applied))
        matrix.append(MatrixRow(line.sku, line.unit_price, floor, tuple(cells)))

    units_in_cart = sum(ln.quantity for ln in cart_lines)
    costs = []
    by_store: dict[str, Decimal] = {}
    by_platform: dict[str, Decimal] = {}
    for d in priced.discounts:
        by_store[d.promotion] = by_store.get(d.promotion, Decimal("0")) + d.store_amount
        by_platform[d.promotion] = by_platform.get(d.promotion, Decimal("0")) + d.platform_amount
    for pid in dict.fromkeys(priced.applied):
        total = by_store[pid] + by_platform[pid]
        per_unit = (total / units_in_cart).quantize(Decimal("0.01"))
        costs.append(PromotionCost(
            promotion_id=pid, name=models_by_id[pid].name, per_unit=per_unit,
            store=(by_store[pid] / units_in_cart * expected_units).quantize(Decimal("0.01")),
            platform=(by_platform[pid] / units_in_cart * expected_units).quantize(Decimal("0.01")),
        ))
    return Simulation(priced=priced, names={k: v.name for k, v in models_by_id.items()}, matrix=tuple(matrix),
                      scenarios=tuple(label for label, _, _ in SCENARIOS), costs=tuple(costs),
                      expected_units=expected_units)
