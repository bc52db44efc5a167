"""What one promotion takes off which lines, given the current line amounts (cents).

Conditions and benefits in one place per kind (django-oscar's condition/benefit split,
kept as plain functions): ``base`` holds the line amounts at the start of the level (what
thresholds are checked on: a 满减 threshold on the price after item discounts), ``amounts``
the running amounts inside the level (what % and amounts apply to). A benefit never takes
more than the covered lines still cost, so no line ever goes below zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from shopops.promotions.engine.proration import allocate
from shopops.promotions.engine.types import Audience, Cart, Kind, Level, Promotion, cents, yuan


@dataclass(frozen=True, slots=True)
class Applied:
    """One promotion's take: cents per line index, and why."""

    promotion: Promotion
    parts: tuple[tuple[int, int], ...]  # (line index, cents)
    why: Callable[[], str]  # the reason, formatted only for the chosen combination
    points_used: int = 0

    @property
    def reason(self) -> str:
        return self.why()

    @property
    def total(self) -> int:
        return sum(c for _, c in self.parts)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def is_eligible(promo: Promotion, cart: Cart) -> bool:
    """Window, channel, audience, held coupon, and at least one covered line."""
    if promo.starts_at is not None and cart.at < promo.starts_at:
        return False
    if promo.ends_at is not None and cart.at >= promo.ends_at:
        return False
    if promo.channels and cart.channel not in promo.channels:
        return False
    customer = cart.customer
    if promo.audience == Audience.NEW_BUYERS and not customer.is_new_buyer:
        return False
    if promo.audience == Audience.MEMBERS and not customer.is_member:
        return False
    if promo.audience == Audience.SEGMENTS and not (promo.segment_ids & customer.segment_ids):
        return False
    if promo.kind == Kind.FIRST_ORDER and not customer.is_new_buyer:
        return False
    if promo.kind == Kind.MEMBER_PRICE and not customer.is_member:
        return False
    if promo.is_coupon and promo.id not in cart.held_coupons:
        return False
    if promo.kind == Kind.POINTS and customer.points < promo.points_per_yuan:
        return False
    if promo.kind == Kind.BUNDLE:
        skus = {line.sku for line in cart.lines}
        return bool(promo.bundle_skus) and all(s in skus for s in promo.bundle_skus)
    if promo.kind == Kind.PRESALE and not any(line.deposit_units for line in cart.lines if promo.scope.covers(line)):
        return False
    return any(promo.scope.covers(line) for line in cart.lines)


def covered(promo: Promotion, cart: Cart) -> tuple[int, ...]:
    if promo.kind == Kind.BUNDLE:
        first: dict[str, int] = {}
        for i, line in enumerate(cart.lines):
            first.setdefault(line.sku, i)
        return tuple(sorted(first[s] for s in set(promo.bundle_skus)))
    scope = promo.scope
    if scope.is_all and not (scope.exclude_skus or scope.exclude_products):
        return tuple(range(len(cart.lines)))
    return tuple(i for i, line in enumerate(cart.lines) if scope.covers(line))


def _item(promo: Promotion, cart: Cart, amounts: list[int], lines: tuple[int, ...]) -> Applied | None:
    parts: list[tuple[int, int]] = []
    kind = promo.kind
    if kind == Kind.BUNDLE:
        k = min(cart.lines[i].quantity for i in lines)
        shares = [amounts[i] * k // cart.lines[i].quantity for i in lines]
        bundle_cents = cents(promo.price) * k
        take = max(0, sum(shares) - bundle_cents)
        take = min(take, sum(shares))
        if take == 0:
            return None
        parts = [(i, c) for i, c in zip(lines, allocate(take, shares)) if c]  # a line given nothing is not listed
        return Applied(promo, tuple(parts), lambda: f"bundle {'+'.join(promo.bundle_skus)} x{k} for ¥{yuan(bundle_cents)}")
    for i in lines:
        line, a = cart.lines[i], amounts[i]
        if kind == Kind.ITEM_DISCOUNT:
            take = a - _round(Decimal(a) * promo.rate)
            why = lambda: f"{_zhe(promo.rate)} item discount"
        elif kind in (Kind.SPECIAL_PRICE, Kind.MEMBER_PRICE):
            take = a - cents(promo.price) * line.quantity
            why = lambda: f"{'member' if kind == Kind.MEMBER_PRICE else 'special'} price ¥{promo.price}"
        elif kind == Kind.FLASH_SALE:
            units = min(line.quantity, promo.max_units or line.quantity)
            take = a * units // line.quantity - cents(promo.price) * units
            why = lambda units=units: f"flash-sale price ¥{promo.price} for {units} unit(s)"
        elif kind == Kind.PRESALE:
            units = min(line.deposit_units, line.quantity)
            take = (cents(promo.deposit_value) - cents(promo.deposit)) * units
            why = lambda units=units: f"presale deposit ¥{promo.deposit} counts as ¥{promo.deposit_value} x{units}"
        else:  # pragma: no cover - levels are checked by the caller
            raise ValueError(kind)
        take = max(0, min(take, a))
        if take:
            parts.append((i, take))
    if not parts:
        return None
    return Applied(promo, tuple(parts), why)


def _zhe(rate: Decimal | None) -> str:
    return f"{(rate * 10).normalize()}折" if rate is not None else ""


def order_take(promo: Promotion, cart: Cart, base_sum: int, running: int, units: int,
               ) -> tuple[int, Callable[[], str], int] | None:
    """An order-level offer's take from sums alone: (cents, reason, points used), or None.

    ``base_sum``: its covered lines at the start of the level (thresholds); ``running``:
    the same lines now (what % and caps apply to); ``units``: their quantity. The take
    depends on nothing else — the search relies on that to price from sums.
    """
    kind = promo.kind
    if running <= 0:
        return None
    threshold = cents(promo.threshold)
    points_used = 0
    if kind == Kind.TIERED_REDUCTION:
        met = [(cents(t), cents(a)) for t, a in promo.tiers if cents(t) <= base_sum]
        if not met:
            return None
        t, take = max(met)
        why = lambda t=t, take=take: f"满{yuan(t)}减{yuan(take)} (threshold on ¥{yuan(base_sum)})"
    elif kind in (Kind.EVERY_REDUCTION, Kind.CROSS_STORE_REDUCTION):
        if threshold <= 0 or base_sum < threshold:
            return None
        steps = base_sum // threshold
        take = steps * cents(promo.amount)
        if promo.cap is not None:
            take = min(take, cents(promo.cap))
        label = "跨店" if kind == Kind.CROSS_STORE_REDUCTION else ""
        why = lambda: f"{label}每满{yuan(threshold)}减{yuan(cents(promo.amount))} x{steps} (on ¥{yuan(base_sum)})"
    elif kind == Kind.QUANTITY_DISCOUNT:
        met = [(n, r) for n, r in promo.quantity_tiers if n <= units]
        if not met:
            return None
        n, rate = max(met)
        take = running - _round(Decimal(running) * rate)
        why = lambda: f"满{n}件{_zhe(rate)} ({units} units)"
    elif kind in (Kind.STORE_COUPON, Kind.PRODUCT_COUPON, Kind.PLATFORM_COUPON, Kind.FIRST_ORDER):
        if base_sum < threshold:
            return None
        if promo.rate is not None:
            take = running - _round(Decimal(running) * promo.rate)
            what = _zhe(promo.rate)
        else:
            take = cents(promo.amount)
            what = f"¥{promo.amount} off"
        if promo.cap is not None:
            take = min(take, cents(promo.cap))
        label = {Kind.STORE_COUPON: "store coupon", Kind.PRODUCT_COUPON: "product coupon",
                 Kind.PLATFORM_COUPON: "platform coupon", Kind.FIRST_ORDER: "first-order offer"}[kind]
        why = lambda: f"{label} {what}" + (f" over ¥{yuan(threshold)}" if threshold else "") + f" (on ¥{yuan(running)})"
    elif kind == Kind.POINTS:
        most_by_points = cart.customer.points * 100 // promo.points_per_yuan
        most_by_share = int((Decimal(running) * promo.max_share).to_integral_value(rounding=ROUND_FLOOR))
        take = min(most_by_points, most_by_share)
        points_used = -(-take * promo.points_per_yuan // 100)
        why = lambda: f"{points_used} points ({promo.points_per_yuan} = ¥1, at most {promo.max_share:.0%} of ¥{yuan(running)})"
    else:  # pragma: no cover
        raise ValueError(kind)
    take = max(0, min(take, running))
    if take == 0:
        return None
    return take, why, points_used


def _order(promo: Promotion, cart: Cart, base: list[int], amounts: list[int], lines: tuple[int, ...]) -> Applied | None:
    got = order_take(promo, cart, sum(base[i] for i in lines), sum(amounts[i] for i in lines),
                     sum(cart.lines[i].quantity for i in lines))
    if got is None:
        return None
    take, why, points_used = got
    parts = tuple((i, c) for i, c in zip(lines, allocate(take, [amounts[i] for i in lines])) if c)
    return Applied(promo, parts, why, points_used)


def apply(promo: Promotion, cart: Cart, *, base: list[int], amounts: list[int], lines: tuple[int, ...]) -> Applied | None:
    """The promotion's take on the current amounts, or None when its condition is not met."""
    if promo.level == Level.ITEM:
        return _item(promo, cart, amounts, lines)
    return _order(promo, cart, base, amounts, lines)


def gift_reached(promo: Promotion, cart: Cart, *, amounts: list[int], lines: tuple[int, ...]) -> bool:
    return sum(amounts[i] for i in lines) >= cents(promo.threshold)


def upper_bound(promo: Promotion, cart: Cart, *, amounts: list[int], lines: tuple[int, ...]) -> int:
    """The most an order-level offer could take from ``amounts`` at any later point.

    Amounts only go down level by level and every benefit is monotone in the amount it sees,
    so this caps the offer's take on any path from here (used to prune the search).
    """
    return upper_bound_sum(promo, cart, sum(amounts[i] for i in lines), sum(cart.lines[i].quantity for i in lines))


def upper_bound_sum(promo: Promotion, cart: Cart, total: int, units: int) -> int:
    """``upper_bound`` from the covered lines' sum and units."""
    kind = promo.kind
    if kind == Kind.TIERED_REDUCTION:
        best = max((cents(a) for t, a in promo.tiers if cents(t) <= total), default=0)
    elif kind in (Kind.EVERY_REDUCTION, Kind.CROSS_STORE_REDUCTION):
        threshold = cents(promo.threshold)
        best = (total // threshold) * cents(promo.amount) if threshold > 0 else 0
        if promo.cap is not None:
            best = min(best, cents(promo.cap))
    elif kind == Kind.QUANTITY_DISCOUNT:
        rates = [r for n, r in promo.quantity_tiers if n <= units]
        best = total - int(Decimal(total) * min(rates)) if rates else 0
    elif kind == Kind.POINTS:
        best = min(cart.customer.points * 100 // promo.points_per_yuan, int(Decimal(total) * promo.max_share))
    elif promo.rate is not None:
        best = total - int(Decimal(total) * promo.rate)
        if promo.cap is not None:
            best = min(best, cents(promo.cap))
    else:
        best = cents(promo.amount) if cents(promo.threshold) <= total else 0
    return max(0, min(best, total))
