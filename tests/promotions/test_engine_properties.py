"""Properties of the pricing engine over random carts and promotion sets (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from promotions.factories import cart, line, promo

from shopops.promotions.engine import Bearer, Kind, Scope, price_cart, price_cart_greedy
from shopops.promotions.engine.proration import allocate

SKUS = ("A", "B", "C", "D")
CATS = ("x", "y")

money = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)
rates = st.integers(min_value=10, max_value=99).map(lambda r: Decimal(r) / 100)


@st.composite
def lines(draw):
    n = draw(st.integers(1, 4))
    return [line(SKUS[i], draw(money), draw(st.integers(1, 3)), category=draw(st.sampled_from(CATS)),
                 deposit_units=draw(st.integers(0, 1))) for i in range(n)]


@st.composite
def scopes(draw):
    """Whole store, a category, SKUs, products, or a category and SKUs naming the same line
    twice; sometimes with excluded SKUs / products (the search takes a scoped offer's lines
    from its index lookups and applies the exclusions; the brute force tests every line)."""
    which = draw(st.sampled_from(["all", "cat", "sku", "product", "cat+sku"]))
    excluded = dict(exclude_skus=frozenset(draw(st.sets(st.sampled_from(SKUS), max_size=1))),
                    exclude_products=frozenset(draw(st.sets(st.sampled_from(SKUS), max_size=1))))
    if not draw(st.booleans()):
        excluded = {}
    some_skus = st.sets(st.sampled_from(SKUS), min_size=1, max_size=2)
    if which == "cat":
        return Scope(categories=frozenset({draw(st.sampled_from(CATS))}), **excluded)
    if which == "sku":
        return Scope(skus=frozenset(draw(some_skus)), **excluded)
    if which == "product":  # the factory's lines are products named after their SKU
        return Scope(products=frozenset(draw(some_skus)), **excluded)
    if which == "cat+sku":
        return Scope(categories=frozenset({draw(st.sampled_from(CATS))}), skus=frozenset(draw(some_skus)), **excluded)
    return Scope(**excluded)


@st.composite
def promotions(draw):
    n = draw(st.integers(1, 6))
    out = []
    for k in range(n):
        kind = draw(st.sampled_from(list(Kind)))
        common = dict(scope=draw(scopes()), stackable=draw(st.booleans()),
                      exclusive_group=draw(st.sampled_from(["", "", "g1", "g2"])), priority=draw(st.integers(0, 2)),
                      bearer=draw(st.sampled_from(list(Bearer))), store_share=draw(st.sampled_from(["0", "0.5", "1"])))
        pid = f"p{k}"
        if kind == Kind.ITEM_DISCOUNT:
            p = promo(pid, kind, rate=draw(rates), **common)
        elif kind in (Kind.SPECIAL_PRICE, Kind.MEMBER_PRICE, Kind.FLASH_SALE):
            p = promo(pid, kind, price=draw(money), max_units=draw(st.integers(1, 2)), **common)
        elif kind == Kind.BUNDLE:
            p = promo(pid, kind, price=draw(money), bundle_skus=tuple(draw(st.sets(st.sampled_from(SKUS[:2]), min_size=2, max_size=2))), **common)
        elif kind == Kind.PRESALE:
            p = promo(pid, kind, deposit=draw(money), deposit_value=draw(money), **common)
        elif kind == Kind.TIERED_REDUCTION:
            p = promo(pid, kind, tiers=[(draw(money), draw(money)) for _ in range(draw(st.integers(1, 3)))], **common)
        elif kind in (Kind.EVERY_REDUCTION, Kind.CROSS_STORE_REDUCTION):
            p = promo(pid, kind, threshold=draw(money), amount=draw(money), cap=draw(st.none() | money), **common)
        elif kind == Kind.QUANTITY_DISCOUNT:
            p = promo(pid, kind, quantity_tiers=[(draw(st.integers(1, 4)), draw(rates))], **common)
        elif kind in (Kind.STORE_COUPON, Kind.PRODUCT_COUPON, Kind.PLATFORM_COUPON, Kind.FIRST_ORDER):
            if draw(st.booleans()):
                p = promo(pid, kind, rate=draw(rates), cap=draw(st.none() | money), threshold=draw(money), **common)
            else:
                p = promo(pid, kind, amount=draw(money), threshold=draw(money), **common)
        elif kind == Kind.GIFT:
            p = promo(pid, kind, threshold=draw(money), gift_value=draw(money), **common)
        else:
            p = promo(pid, kind, points_per_yuan=100, max_share=draw(rates), **common)
        out.append(p)
    return out


def make_cart(ls, ps):
    return cart(*ls, coupons={p.id for p in ps if p.is_coupon}, new=True, member=True, points=3000)


SETTINGS = settings(max_examples=100, deadline=None)


@SETTINGS
@given(lines(), promotions())
def test_final_never_negative_and_cents_add_up(ls, ps):
    r = price_cart(make_cart(ls, ps), ps)
    assert r.final_total >= 0
    assert r.final_total <= r.list_total
    for p in r.lines:
        assert p.final_amount >= 0
        assert p.list_amount - sum(d.amount for d in p.discounts) == p.final_amount
        for d in p.discounts:
            assert d.amount > 0 and d.store_amount + d.platform_amount == d.amount


@SETTINGS
@given(lines(), promotions())
def test_never_worse_than_any_single_offer(ls, ps):
    c = make_cart(ls, ps)
    best = price_cart(c, ps).final_total
    for p in ps:
        assert best <= price_cart(c, [p]).final_total
    assert best <= price_cart(c, []).final_total
    assert best <= price_cart_greedy(c, ps).final_total


@SETTINGS
@given(lines(), promotions())
def test_exclusive_offers_never_combine(ls, ps):
    c = make_cart(ls, ps)
    r = price_cart(c, ps)
    by_id = {p.id: p for p in ps}
    chosen = [by_id[i] for i in dict.fromkeys(r.applied)]
    for i, a in enumerate(chosen):
        for b in chosen[i + 1:]:
            if a.level != b.level:
                continue
            if a.level == a.level.ITEM:
                la = {k for k, ln in enumerate(c.lines) if a.scope.covers(ln)}
                lb = {k for k, ln in enumerate(c.lines) if b.scope.covers(ln)}
                touched = {d.line for d in r.discounts if d.promotion == a.id} & {d.line for d in r.discounts if d.promotion == b.id}
                if not touched:
                    continue
                assert not (la & lb) or not a.conflicts_with(b)
            else:
                assert not a.conflicts_with(b), (a.id, b.id)


@SETTINGS
@given(lines(), promotions(), st.randoms(use_true_random=False))
def test_definition_order_does_not_change_the_result(ls, ps, rnd):
    c = make_cart(ls, ps)
    shuffled = list(ps)
    rnd.shuffle(shuffled)
    a, b = price_cart(c, ps), price_cart(c, shuffled)
    assert a.final_total == b.final_total
    assert sorted(a.applied) == sorted(b.applied)
    assert a.discounts == b.discounts


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**7), st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_prorated_parts_sum_exactly_and_never_exceed_weight(total, weights):
    if sum(weights) == 0:
        return
    total = min(total, sum(weights))
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(0 <= p <= w for p, w in zip(parts, weights))


@settings(max_examples=300, deadline=None)
@given(lines(), promotions(), st.booleans(), st.booleans(), st.integers(0, 3000))
def test_the_fast_search_equals_the_line_by_line_search(ls, ps, member, new, points):
    """The order levels searched on coverage sums with branch and bound (the fast path) choose
    exactly what the plain memoised search over every line amount chooses."""
    from shopops.promotions.engine import pricing

    held = [p.id for p in ps if p.is_coupon]
    c = cart(*ls, coupons=held, member=member, new=new, points=points)
    fast = price_cart(c, ps)
    pricing.SUM_MODE = False
    try:
        slow = price_cart(c, ps)
    finally:
        pricing.SUM_MODE = True
    assert fast.final_total == slow.final_total
    assert sorted(fast.applied) == sorted(slow.applied)
    assert [p.final_amount for p in fast.lines] == [p.final_amount for p in slow.lines]


def _brute_force_total(c, ps) -> Decimal:
    """The lowest final total over EVERY subset of the eligible offers, written here without the
    search: a subset is valid when no two offers of one level conflict (item offers only where
    they share a line); levels apply in order, offers of a level in canonical order, each on
    what the level before left (thresholds on the level's start); a subset with an offer whose
    condition fails is not a choice (its subsets are tried on their own)."""
    import itertools

    from shopops.promotions.engine.benefits import apply, covered, is_eligible
    from shopops.promotions.engine.types import Level, yuan

    eligible = sorted((p for p in ps if p.spec.priced and is_eligible(p, c)), key=lambda p: p.sort_key)
    cover = {p.id: covered(p, c) for p in eligible}
    start = [ln.amount_cents for ln in c.lines]
    best = sum(start)
    for size in range(1, len(eligible) + 1):
        for subset in itertools.combinations(eligible, size):
            if any(a.level == b.level and (a.level != Level.ITEM or set(cover[a.id]) & set(cover[b.id]))
                   and a.conflicts_with(b) for a, b in itertools.combinations(subset, 2)):
                continue
            amounts, ok = list(start), True
            for level in sorted(Level):
                base = list(amounts)
                for p in (q for q in subset if q.level == level):
                    got = apply(p, c, base=base, amounts=amounts, lines=cover[p.id])
                    if got is None:
                        ok = False
                        break
                    for i, cents in got.parts:
                        amounts[i] -= cents
                if not ok:
                    break
            if ok:
                best = min(best, sum(amounts))
    return yuan(best)


@settings(max_examples=200, deadline=None)
@given(lines(), promotions(), st.booleans(), st.booleans(), st.integers(0, 3000))
def test_the_search_equals_a_brute_force_over_every_subset(ls, ps, member, new, points):
    """The exact search (components, memo, branch and bound, pruning) finds the same lowest
    total as trying every subset of the eligible offers."""
    held = [p.id for p in ps if p.is_coupon]
    c = cart(*ls, coupons=held, member=member, new=new, points=points)
    got = price_cart(c, ps)
    assert got.exact
    assert got.final_total == _brute_force_total(c, ps)
