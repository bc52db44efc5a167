"""What one promotion takes off which lines, given the current line amounts (cents).

The conditions and benefits common to every kind (window, channel, audience, scope,
clipping, allocation to lines); what is particular to a kind is in its spec
(``kinds.py``, ``kinds_builtin.py``). ``base`` holds the line amounts at the start of the level (what
thresholds are checked on: a 满减 threshold on the price after item discounts), ``amounts``
the running amounts inside the level (what % and amounts apply to). A benefit never takes
more than the covered lines still cost, so no line ever goes below zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shopops.promotions.engine.proration import allocate
from shopops.promotions.engine.types import Audience, Cart, Level, Promotion, fast_constructor


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


new_applied = fast_constructor(Applied)  # Applied(promotion, parts, why, points_used), built per search step


def is_eligible(promo: Promotion, cart: Cart) -> bool:
    """Window, channel, audience, held coupon, the kind's own conditions, and a covered line."""
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
    spec = promo.spec
    if spec.is_coupon and promo.id not in cart.held_coupons:
        return False
    if not spec.eligible(promo, cart):
        return False
    own = spec.covered(promo, cart)
    if own is not None:
        return bool(own)
    return any(promo.scope.covers(line) for line in cart.lines)


def eligible_lines(promo: Promotion, cart: Cart, named: list[int] | None = None) -> tuple[int, ...]:
    """``covered(promo, cart)`` when ``is_eligible(promo, cart)``, else ``()``: both in one pass
    over the lines (the search's set-up; ``is_eligible`` is exactly "this is not empty").
    ``named``: the lines whose SKU, product or category the offer's scope names, ascending, when
    the caller found them already (the search's index); see :func:`covered`."""
    if promo.starts_at is not None and cart.at < promo.starts_at:
        return ()
    if promo.ends_at is not None and cart.at >= promo.ends_at:
        return ()
    if promo.channels and cart.channel not in promo.channels:
        return ()
    customer = cart.customer
    if promo.audience == Audience.NEW_BUYERS and not customer.is_new_buyer:
        return ()
    if promo.audience == Audience.MEMBERS and not customer.is_member:
        return ()
    if promo.audience == Audience.SEGMENTS and not (promo.segment_ids & customer.segment_ids):
        return ()
    spec = promo.spec
    if spec.is_coupon and promo.id not in cart.held_coupons:
        return ()
    if not spec.eligible(promo, cart):
        return ()
    return covered(promo, cart, named) or ()


def covered(promo: Promotion, cart: Cart, named: list[int] | None = None) -> tuple[int, ...]:
    """The lines the offer works on: its kind's own (``covered``), or its scope's. ``named`` (a
    scoped offer: the lines its SKUs, products or categories name, ascending) spares testing
    every line; the exclusions are applied here either way."""
    own = promo.spec.covered(promo, cart)
    if own is not None:
        return own
    scope = promo.scope
    if scope.is_all:
        if not (scope.exclude_skus or scope.exclude_products):
            return tuple(range(len(cart.lines)))
    elif named is not None:
        if not (scope.exclude_skus or scope.exclude_products):
            return tuple(named)
        lines = cart.lines
        return tuple(i for i in named if lines[i].sku not in scope.exclude_skus
                     and lines[i].product not in scope.exclude_products)
    return tuple(i for i, line in enumerate(cart.lines) if scope.covers(line))


def order_take(promo: Promotion, cart: Cart, base_sum: int, running: int, units: int,
               ) -> tuple[int, Callable[[], str], int] | None:
    """An order-level offer's take from sums alone: (cents, reason, points used), or None.

    ``base_sum``: its covered lines at the start of the level (thresholds); ``running``:
    the same lines now (what % and caps apply to); ``units``: their quantity. The take
    depends on nothing else — the search relies on that to price from sums. The kind's
    spec computes it (``OrderKind.take``); here it is clipped to what the lines still cost.
    """
    if running <= 0:
        return None
    got = promo.spec.take(promo, cart, base_sum, running, units)
    if got is None:
        return None
    take, why, points_used = got
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
    return new_applied(promo, parts, why, points_used)


def apply(promo: Promotion, cart: Cart, *, base: list[int], amounts: list[int], lines: tuple[int, ...]) -> Applied | None:
    """The promotion's take on the current amounts, or None when its condition is not met."""
    spec = promo.spec
    if spec.level == Level.ITEM:
        return spec.apply(promo, cart, amounts, lines)
    return _order(promo, cart, base, amounts, lines)


def upper_bound(promo: Promotion, cart: Cart, *, amounts: list[int], lines: tuple[int, ...]) -> int:
    """The most an order-level offer could take from ``amounts`` at any later point.

    Amounts only go down level by level and every benefit is monotone in the amount it sees,
    so this caps the offer's take on any path from here (used to prune the search).
    """
    return upper_bound_sum(promo, cart, sum(amounts[i] for i in lines), sum(cart.lines[i].quantity for i in lines))


def upper_bound_sum(promo: Promotion, cart: Cart, total: int, units: int) -> int:
    """``upper_bound`` from the covered lines' sum and units (the kind's ``OrderKind.upper_bound``)."""
    return max(0, min(promo.spec.upper_bound(promo, cart, total, units), total))
