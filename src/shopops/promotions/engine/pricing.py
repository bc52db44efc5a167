"""The best combination of promotions for the customer, found exactly.

Levels apply in order item -> store -> platform -> payment, each on the amounts the level
before left. At each level the choice is: nothing, one offer, or a set of offers that may
stack (every member ``stackable``, no shared exclusivity group, at most one coupon of each
kind). Item offers conflict only where they cover the same line, so item choices are made
per *component* (offers linked by shared lines) and combined.

Search: every valid choice of every level is evaluated (depth-first), memoised on
(level, line amounts) — two paths reaching the same amounts share the rest of the search;
a set is only extended with offers that do not conflict (pruning). The result is the
lowest final total; ties go to the lexicographically smallest list of promotion ids, so
the order promotions are given in never changes the answer. When the item-level
combinations exceed ``max_states`` (or one group of overlapping item offers has more valid
sets than that) the search is cut — every single offer is still tried — and the result
says ``exact=False``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

from shopops.promotions.engine.benefits import Applied, apply, covered, gift_reached, is_eligible, upper_bound
from shopops.promotions.engine.proration import allocate
from shopops.promotions.engine.types import (
    Bearer, Cart, Gift, Kind, Level, LineDiscount, PricedCart, PricedLine, Promotion, yuan,
)

MAX_STATES = 4096
ORDER_LEVELS = (Level.STORE, Level.PLATFORM, Level.PAYMENT)

# A search outcome: (final total cents, applied promotion ids, applications in order)
Outcome = tuple[int, tuple[str, ...], tuple[Applied, ...]]


def _valid_sets(offers: Sequence[Promotion]) -> list[tuple[Promotion, ...]]:
    """Every non-empty set of offers that may apply together (offers sorted canonically)."""
    out: list[tuple[Promotion, ...]] = []

    def extend(start: int, chosen: tuple[Promotion, ...]) -> None:
        for j in range(start, len(offers)):
            p = offers[j]
            if all(not p.conflicts_with(q) for q in chosen):
                nxt = chosen + (p,)
                out.append(nxt)
                if p.stackable:
                    extend(j + 1, nxt)

    extend(0, ())
    return out


def _apply_set(cart: Cart, offers: Iterable[Promotion], amounts: list[int],
               cover: dict[str, tuple[int, ...]]) -> tuple[list[int], list[Applied]] | None:
    base = list(amounts)
    running = list(amounts)
    done: list[Applied] = []
    for p in offers:
        got = apply(p, cart, base=base, amounts=running, lines=cover[p.id])
        if got is None:
            return None  # condition not met: the same set without it is tried on its own
        for i, c in got.parts:
            running[i] -= c
        done.append(got)
    return running, done


class _Search:
    def __init__(self, cart: Cart, promotions: Sequence[Promotion], max_states: int) -> None:
        self.cart = cart
        eligible = sorted((p for p in promotions if is_eligible(p, cart)), key=lambda p: p.sort_key)
        self.cover = {p.id: covered(p, cart) for p in eligible}
        self.gifts = [p for p in eligible if p.kind == Kind.GIFT]
        priced = [p for p in eligible if p.kind != Kind.GIFT]
        self.item = [p for p in priced if p.level == Level.ITEM]
        self.level_sets = {lv: _valid_sets([p for p in priced if p.level == lv]) for lv in ORDER_LEVELS}
        self.later = [p for p in priced if p.level != Level.ITEM]
        self.max_states = max_states
        self.memo: dict[tuple[int, tuple[int, ...]], Outcome] = {}
        self.tried = 0
        self.exact = True

    # -- item level -------------------------------------------------------------------
    def _components(self) -> list[list[Promotion]]:
        parent = list(range(len(self.item)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        by_line: dict[int, int] = {}
        for k, p in enumerate(self.item):
            for i in self.cover[p.id]:
                if i in by_line:
                    parent[find(k)] = find(by_line[i])
                else:
                    by_line[i] = k
        groups: dict[int, list[Promotion]] = {}
        for k, p in enumerate(self.item):
            groups.setdefault(find(k), []).append(p)
        return list(groups.values())

    def _component_options(self, offers: list[Promotion], start: list[int]) -> list[tuple[list[int], list[Applied]]]:
        """Distinct outcomes of the valid offer sets of one component (incl. none)."""
        options: dict[tuple[int, ...], tuple[list[int], list[Applied], tuple[str, ...]]] = {}
        key0 = tuple(start)
        options[key0] = (list(start), [], ())
        sets: list[tuple[Promotion, ...]] = []

        def ok(chosen: tuple[Promotion, ...], p: Promotion) -> bool:
            lines = set(self.cover[p.id])
            return all(not (lines & set(self.cover[q.id])) or not p.conflicts_with(q) for q in chosen)

        def extend(begin: int, chosen: tuple[Promotion, ...]) -> None:
            for j in range(begin, len(offers)):
                if len(sets) >= self.max_states:
                    self.exact = False  # a component too wide to enumerate: keep what we have
                    return
                p = offers[j]
                if ok(chosen, p):
                    sets.append(chosen + (p,))
                    extend(j + 1, chosen + (p,))

        sets.extend((p,) for p in offers)  # every single offer, whatever the cap
        extend(0, ())
        for chosen in dict.fromkeys(sets):
            got = _apply_set(self.cart, chosen, start, self.cover)
            if got is None:
                continue
            amounts, applied = got
            key = tuple(amounts)
            ids = tuple(a.promotion.id for a in applied)
            if key not in options or ids < options[key][2]:
                options[key] = (amounts, applied, ids)
        return [(a, ap) for a, ap, _ in options.values()]

    # -- order levels -----------------------------------------------------------------
    def _rest(self, depth: int, amounts: list[int]) -> Outcome:
        if depth == len(ORDER_LEVELS):
            self.tried += 1
            return sum(amounts), (), ()
        key = (depth, tuple(amounts))
        if key in self.memo:
            return self.memo[key]
        best = self._rest(depth + 1, amounts)
        for chosen in self.level_sets[ORDER_LEVELS[depth]]:
            got = _apply_set(self.cart, chosen, amounts, self.cover)
            if got is None:
                continue
            after, applied = got
            total, ids, tail = self._rest(depth + 1, after)
            if total > best[0]:
                continue
            cand = (total, tuple(sorted(tuple(a.promotion.id for a in applied) + ids)), tuple(applied) + tail)
            if cand[:2] < best[:2]:
                best = cand
        self.memo[key] = best
        return best

    def run(self) -> tuple[Outcome, list[int]]:
        start = [line.amount_cents for line in self.cart.lines]
        comps = [self._component_options(c, start) for c in self._components()]
        size = 1
        for opts in sorted(comps, key=len):
            size *= len(opts)
        if size > self.max_states:  # keep the widest components to their single best option
            self.exact = False
            comps.sort(key=len)
            budget = 1
            for k, opts in enumerate(comps):
                if budget * len(opts) <= self.max_states:
                    budget *= len(opts)
                else:
                    comps[k] = [min(opts, key=lambda o: (sum(o[0]), [a.promotion.id for a in o[1]]))]
        states = []
        for combo in itertools.product(*comps):
            amounts = list(start)
            applied: list[Applied] = []
            for _opt_amounts, opt_applied in combo:
                for ap in opt_applied:
                    for i, c in ap.parts:
                        amounts[i] -= c
                applied.extend(opt_applied)
            # lower bound of this state's final total: every later offer at its most
            reach = sum(upper_bound(p, self.cart, amounts=amounts, lines=self.cover[p.id]) for p in self.later)
            states.append((max(0, sum(amounts) - reach), amounts, applied))
        states.sort(key=lambda st: st[0])
        best: Outcome | None = None
        for bound, amounts, applied in states:
            if best is not None and bound > best[0]:
                break  # sorted by bound: no later state can do better (ties are still evaluated)
            total, ids, tail = self._rest(0, amounts)
            if best is not None and total > best[0]:
                continue
            cand = (total, tuple(sorted(tuple(a.promotion.id for a in applied) + ids)), tuple(applied) + tail)
            if best is None or cand[:2] < best[:2]:
                best = cand
        assert best is not None
        return best, start


def _split_bearer(applied: Applied) -> dict[int, tuple[int, int]]:
    """(store cents, platform cents) per line; both sums exact."""
    p = applied.promotion
    total = applied.total
    share = Decimal(1) if p.bearer == Bearer.STORE else p.store_share
    store_total = int((Decimal(total) * share).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    store_parts = allocate(store_total, [c for _, c in applied.parts])
    return {i: (s, c - s) for (i, c), s in zip(applied.parts, store_parts)}


def _result(cart: Cart, outcome: Outcome, start: list[int], search: _Search) -> PricedCart:
    _total, _ids, applied = outcome
    per_line: dict[int, list[LineDiscount]] = {i: [] for i in range(len(cart.lines))}
    finals = list(start)
    points = 0
    for ap in applied:
        split = _split_bearer(ap)
        points += ap.points_used
        for i, c in ap.parts:
            s, pf = split[i]
            finals[i] -= c
            per_line[i].append(LineDiscount(line=i, promotion=ap.promotion.id, amount=yuan(c), reason=ap.reason,
                                            store_amount=yuan(s), platform_amount=yuan(pf)))
    gifts = tuple(
        Gift(g.id, g.gift_sku, g.gift_value, f"gift worth ¥{g.gift_value} over ¥{g.threshold} (borne by {g.bearer})")
        for g in search.gifts if gift_reached(g, cart, amounts=finals, lines=search.cover[g.id])
    )
    lines = tuple(
        PricedLine(line=line, list_amount=yuan(start[i]), discounts=tuple(per_line[i]), final_amount=yuan(finals[i]))
        for i, line in enumerate(cart.lines)
    )
    return PricedCart(
        lines=lines, applied=tuple(ap.promotion.id for ap in applied), gifts=gifts, exact=search.exact,
        combinations_tried=search.tried, points_used=points,
        discounts=tuple(d for i in range(len(cart.lines)) for d in per_line[i]),
    )


def price_cart(cart: Cart, promotions: Sequence[Promotion], *, max_states: int = MAX_STATES) -> PricedCart:
    """The customer's best price for ``cart`` under ``promotions`` (see the module docstring)."""
    search = _Search(cart, promotions, max_states)
    outcome, start = search.run()
    return _result(cart, outcome, start, search)


def price_lines(cart: Cart, promotions: Sequence[Promotion], *, max_states: int = MAX_STATES,
                ) -> tuple[list[int], list[int], tuple[str, ...]]:
    """Fast path for batch checks: (final cents per line, cents after item level per line, applied ids).

    Same search as ``price_cart``, without building the explained result.
    """
    search = _Search(cart, promotions, max_states)
    (_total, _ids, applied), start = search.run()
    finals = list(start)
    after_item = list(start)
    for ap in applied:
        for i, c in ap.parts:
            finals[i] -= c
            if ap.promotion.level == Level.ITEM:
                after_item[i] -= c
    return finals, after_item, tuple(ap.promotion.id for ap in applied)


def price_cart_greedy(cart: Cart, promotions: Sequence[Promotion]) -> PricedCart:
    """Baseline: at each level take the choice with the largest immediate discount, no look-ahead."""
    search = _Search(cart, promotions, MAX_STATES)
    start = [line.amount_cents for line in cart.lines]
    amounts = list(start)
    applied: list[Applied] = []
    for comp in search._components():
        opts = search._component_options(comp, amounts)
        _opt_amounts, opt_applied = min(opts, key=lambda o: sum(o[0]))
        for ap in opt_applied:
            for i, c in ap.parts:
                amounts[i] -= c
        applied.extend(opt_applied)
    for level in ORDER_LEVELS:
        best: tuple[int, list[int], list[Applied]] | None = None
        for chosen in search.level_sets[level]:
            got = _apply_set(cart, chosen, amounts, search.cover)
            if got is not None and (best is None or sum(got[0]) < best[0]):
                best = (sum(got[0]), got[0], got[1])
        if best is not None:
            amounts, done = best[1], best[2]
            applied.extend(done)
    search.tried = 1
    return _result(cart, (sum(amounts), (), tuple(applied)), start, search)
