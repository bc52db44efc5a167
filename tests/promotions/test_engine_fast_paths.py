"""The search's fast paths against references that do not use them.

- Integer takes (``OrderKind.take_cents`` / ``bound_cents``) equal the kinds' Decimal ``take`` /
  ``upper_bound``, clipped as the engine clips them, on random sums; a kind that overrides
  ``take`` below a built-in does not inherit the built-in's integer version.
- On carts shaped like the pricing bench (8折 over categories, 单品宝 special prices on single
  SKUs, 每满减 + 满减 tiers + two store coupons of one kind + 满件折 + 跨店满减 + a platform coupon
  + points, and offers closed, not yet open or for another channel), the search finds the same
  lowest total as trying every subset of the eligible offers (the brute force of
  ``test_engine_properties``, which reads only ``is_eligible``/``covered``/``apply``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from promotions.factories import AT, line, promo
from promotions.test_engine_properties import _brute_force_total

from shopops.promotions.engine import Bearer, Cart, Customer, Kind, Scope, price_cart, register, unregister
from shopops.promotions.engine.kinds_builtin import StoreCoupon

cents = st.integers(min_value=0, max_value=2_000_000)
money = st.integers(min_value=1, max_value=60_000).map(lambda c: Decimal(c) / 100)
rates = st.integers(min_value=1, max_value=100).map(lambda r: Decimal(r) / 100)
fine_rates = st.integers(min_value=1, max_value=1000).map(lambda r: Decimal(r) / 1000)


@st.composite
def order_offers(draw):
    """One order-level offer of a built-in kind with random parameters."""
    kind = draw(st.sampled_from([Kind.TIERED_REDUCTION, Kind.EVERY_REDUCTION, Kind.CROSS_STORE_REDUCTION,
                                 Kind.QUANTITY_DISCOUNT, Kind.STORE_COUPON, Kind.PRODUCT_COUPON,
                                 Kind.PLATFORM_COUPON, Kind.FIRST_ORDER, Kind.POINTS]))
    if kind == Kind.TIERED_REDUCTION:
        return promo("o", kind, tiers=[(draw(money), draw(money)) for _ in range(draw(st.integers(1, 4)))])
    if kind in (Kind.EVERY_REDUCTION, Kind.CROSS_STORE_REDUCTION):
        return promo("o", kind, threshold=draw(money), amount=draw(money), cap=draw(st.none() | money))
    if kind == Kind.QUANTITY_DISCOUNT:
        return promo("o", kind, quantity_tiers=[(draw(st.integers(1, 6)), draw(fine_rates))
                                                for _ in range(draw(st.integers(1, 3)))])
    if kind == Kind.POINTS:
        return promo("o", kind, points_per_yuan=draw(st.integers(1, 500)), max_share=draw(fine_rates))
    if draw(st.booleans()):
        return promo("o", kind, rate=draw(fine_rates), cap=draw(st.none() | money), threshold=draw(money))
    return promo("o", kind, amount=draw(money), threshold=draw(money), cap=draw(st.none() | money))


def _clipped_reference(p, c, base_sum, running, units) -> int:
    """What ``benefits.order_take`` makes of the Decimal ``take`` (0 for None)."""
    if running <= 0:
        return 0
    got = p.spec.take(p, c, base_sum, running, units)
    return 0 if got is None else max(0, min(got[0], running))


@settings(max_examples=400, deadline=None)
@given(order_offers(), cents, cents, st.integers(0, 12), st.integers(0, 100_000))
def test_integer_takes_equal_the_decimal_takes(p, a, b, units, points):
    base_sum, running = max(a, b), min(a, b)  # amounts only fall inside a level
    c = Cart(lines=(line("A", 1),), at=AT, customer=Customer("c", points=points))
    assert p.spec.take_cents(p, c)(base_sum, running, units) == _clipped_reference(p, c, base_sum, running, units)
    expected_bound = max(0, min(p.spec.upper_bound(p, c, a, units), a))
    assert p.spec.bound_cents(p, c)(a, units) == expected_bound


def test_a_kind_that_overrides_take_below_a_builtin_gets_the_generic_take():
    class Doubled(StoreCoupon):
        key = "test_doubled_coupon"

        def take(self, promo, cart, base_sum, running, units):
            got = super().take(promo, cart, base_sum, running, units)
            return None if got is None else (got[0] * 2, got[1], got[2])

    register(Doubled())
    try:
        p = promo("d", "test_doubled_coupon", amount=10, threshold=0)
        c = Cart(lines=(line("A", 100),), at=AT)
        assert p.spec.take_cents(p, c)(10_000, 10_000, 1) == 2_000  # not StoreCoupon's 1,000
        assert price_cart(Cart(lines=(line("A", 100),), at=AT, held_coupons=frozenset({"d"})), [p]).final_total \
            == Decimal("80.00")
    finally:
        unregister("test_doubled_coupon")


# ---------------------------------------------------------------------------- bench-shaped carts
CATS = ("cat0", "cat1", "cat3", "cat9")
PRICES = ("29", "49", "59.9", "99", "129", "199", "259")
HOUR = dt.timedelta(hours=1)


@st.composite
def bench_promotions(draw):
    """The bench's applicable mix with random numbers, plus offers a cart cannot use."""
    special = [promo(f"sp{k}", Kind.SPECIAL_PRICE, price=draw(st.integers(20, 120)), scope=Scope(skus=frozenset({f"S{k}"})))
               for k in range(draw(st.integers(0, 2)))]
    window = draw(st.sampled_from([(None, None), (AT - HOUR, None), (None, AT + HOUR), (AT + HOUR, None),
                                   (None, AT - HOUR), (AT - 2 * HOUR, AT - HOUR)]))
    out = [
        promo("d8", Kind.ITEM_DISCOUNT, rate=draw(st.sampled_from(["0.8", "0.85", "0.7"])), stackable=True,
              scope=Scope(categories=frozenset(draw(st.sets(st.sampled_from(CATS), min_size=1, max_size=3))))),
        *special,
        promo("m300", Kind.EVERY_REDUCTION, threshold=draw(st.sampled_from([100, 200, 300])), amount=50,
              stackable=True),
        promo("mj", Kind.TIERED_REDUCTION, tiers=((200, 20), (500, 60), (1000, 150))),
        promo("c30", Kind.STORE_COUPON, amount=30, threshold=draw(st.sampled_from([0, 199, 399])), stackable=True),
        promo("c10p", Kind.STORE_COUPON, rate="0.9", cap=draw(st.sampled_from([20, 50])), stackable=True),
        promo("q3", Kind.QUANTITY_DISCOUNT, quantity_tiers=((2, "0.95"),), scope=Scope(categories=frozenset({"cat3"}))),
        promo("x", Kind.CROSS_STORE_REDUCTION, threshold=300, amount=50, bearer=Bearer.PLATFORM, store_share="0.5",
              stackable=True),
        promo("pc", Kind.PLATFORM_COUPON, amount=20, threshold=300, bearer=Bearer.PLATFORM, stackable=True),
        promo("pts", Kind.POINTS, points_per_yuan=100, max_share="0.1", stackable=True),
        # a cart never uses these: another channel, a coupon not held, a window that is not open
        promo("dy", Kind.TIERED_REDUCTION, tiers=((100, 90),), channels=frozenset({"douyin"})),
        promo("nh", Kind.STORE_COUPON, amount=90, threshold=0),
        promo("w", Kind.ITEM_DISCOUNT, rate="0.5", starts_at=window[0], ends_at=window[1]),
    ]
    return out


@st.composite
def bench_carts(draw):
    n = draw(st.integers(1, 5))
    lines = tuple(line(f"S{i}", draw(st.sampled_from(PRICES)), draw(st.integers(1, 3)),
                       category=draw(st.sampled_from(CATS))) for i in range(n))
    return Cart(lines=lines, at=AT, channel="tmall", held_coupons=frozenset({"c30", "c10p", "pc"}),
                customer=Customer("c1", is_member=True, points=draw(st.sampled_from([0, 800, 5000]))))


@settings(max_examples=100, deadline=None)
@given(bench_carts(), bench_promotions())
def test_bench_shaped_carts_equal_a_brute_force(c, ps):
    got = price_cart(c, ps)
    assert got.exact
    assert got.final_total == _brute_force_total(c, ps)


@settings(max_examples=100, deadline=None)
@given(bench_carts(), bench_promotions(), st.integers(1, 5_000))
def test_a_fail_low_answer_is_not_reused_for_a_lower_need(c, ps, above):
    """``_rest_sums`` with a need above the best take answers "less than that" (and memoises it
    so); asked again with no need, it must give the exact best, as a fresh search does."""
    from shopops.promotions.engine import pricing

    fresh = pricing._Search(c, ps, pricing.MAX_STATES)
    if not fresh._sum_mode_setup():
        return
    sums = [sum(fresh.start[i] for i in g) for g in fresh.group_lines]
    exact = fresh._rest_sums(0, sums)
    search = pricing._Search(c, ps, pricing.MAX_STATES)
    search._sum_mode_setup()
    low = search._rest_sums(0, sums, exact[0] + above)
    assert low[0] < exact[0] + above
    assert search._rest_sums(0, sums) == exact
