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

import bisect
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

from shopops.promotions.engine.benefits import (
    Applied, apply, eligible_lines,
)
from shopops.promotions.engine.proration import allocate
from shopops.promotions.engine.types import (
    Audience, Bearer, Cart, Level, LineDiscount, PricedCart, Promotion, new_line_discount, new_priced_line, yuan,
)

MAX_STATES = 4096
# Search the order levels on coverage sums when that is exact (see _Search._sum_mode_setup);
# False forces the line-amount search (the property tests compare the two).
SUM_MODE = True
ORDER_LEVELS = (Level.STORE, Level.PLATFORM, Level.PAYMENT)
LAST_DEPTH = len(ORDER_LEVELS)
NO_NEED = -(1 << 62)  # ``_rest_sums``: no take needed (every answer exact)
LEAF = (0, (), ())  # the order levels' outcome past the last level: nothing taken

# A search outcome: (final total cents, applied promotion ids, applications in order)
Outcome = tuple[int, tuple[str, ...], tuple[Applied, ...]]


def _first_desc(option: tuple) -> int:
    return -option[0]


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


def _maximal_sets(sets: list[tuple[Promotion, ...]]) -> list[tuple[Promotion, ...]]:
    """The sets not strictly inside another valid set: the only ones an upper bound needs (every
    offer's bound is >= 0, so a set's bound is at most that of any valid set holding it)."""
    ids = [frozenset(p.id for p in st) for st in sets]
    return [st for st, own in zip(sets, ids) if not any(own < other for other in ids)]


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


class _Tables:
    """Promotions indexed by what their scope names: a cart looks up only the offers that can
    cover one of its lines (plus the whole-store ones), instead of testing every promotion
    against every line."""

    def __init__(self, promotions: Sequence[Promotion]) -> None:
        # whole-store offers by the first fact that can rule them out for a cart (a coupon not
        # held, another channel, an audience the customer is not in); "open" ones always count
        self.whole_store: dict[tuple, list[Promotion]] = {}
        self.by_own_sku: dict[str, list[Promotion]] = {}
        self.by_sku: dict[str, list[Promotion]] = {}
        self.by_product: dict[str, list[Promotion]] = {}
        self.by_category: dict[str, list[Promotion]] = {}
        for p in promotions:
            own_skus = p.spec.index_skus(p)
            if own_skus is not None:  # lines other than the scope's (a bundle): found, not named
                for sku in own_skus:
                    self.by_own_sku.setdefault(sku, []).append(p)
            elif p.scope.is_all:
                for bucket in _buckets(p):
                    self.whole_store.setdefault(bucket, []).append(p)
            else:
                for sku in p.scope.skus:
                    self.by_sku.setdefault(sku, []).append(p)
                for product in p.scope.products:
                    self.by_product.setdefault(product, []).append(p)
                for category in p.scope.categories:
                    self.by_category.setdefault(category, []).append(p)


class _Index:
    """A promotion set, built once and kept for the set's life (``_index``): its offers' windows
    cut time into intervals in which the same offers are open, and each interval a cart is priced
    in gets its own lookup tables (``_Tables``) of only those offers — a closed or not yet open
    offer is never looked at again."""

    def __init__(self, promotions: Sequence[Promotion]) -> None:
        self.promotions = tuple(promotions)  # keeps the objects alive: the cache key is their ids
        self._level_sets: dict[tuple[str, ...], tuple] = {}
        self.bounds = sorted({t for p in self.promotions for t in (p.starts_at, p.ends_at) if t is not None})
        self._tables: dict[int, _Tables] = {}

    def tables(self, at) -> _Tables:
        """The lookup tables of the offers open at ``at`` (window checked once per interval)."""
        k = bisect.bisect_right(self.bounds, at)
        found = self._tables.get(k)
        if found is None:
            if len(self._tables) >= 64:
                self._tables.clear()
            found = self._tables[k] = _Tables([
                p for p in self.promotions
                if (p.starts_at is None or p.starts_at <= at) and (p.ends_at is None or at < p.ends_at)])
        return found

    def level_sets(self, offers: list[Promotion]) -> tuple[list[tuple[Promotion, ...]], list[tuple[Promotion, ...]],
                                                         frozenset[tuple[str, str]]]:
        """The valid sets of one level's offers (canonical order), the maximal ones among them and
        the pairs of ids found together in a set: they depend only on which offers are eligible,
        so they are kept per such list for the set's life (most carts share a few lists)."""
        key = tuple(p.id for p in offers)
        found = self._level_sets.get(key)
        if found is None:
            if len(self._level_sets) >= 4096:
                self._level_sets.clear()
            sets = _valid_sets(offers)
            pairs = frozenset((st[a].id, st[b].id) for st in sets for a in range(len(st)) for b in range(a + 1, len(st)))
            found = self._level_sets[key] = (sets, _maximal_sets(sets), pairs)
        return found

    def candidates(self, cart: Cart) -> tuple[list[Promotion], dict[int, list[int]]]:
        """The offers that can apply to the cart, and for each scoped one (by ``id``) the lines
        (ascending) whose SKU, product or category its scope names: its coverage before
        exclusions, found by the same lookups (``benefits.covered``)."""
        c = cart.customer
        wanted = [("open",), ("channel", cart.channel)] + [("coupon", pid) for pid in cart.held_coupons]
        if c.is_new_buyer:
            wanted.append(("new",))
        if c.is_member:
            wanted.append(("member",))
        if c.points:
            wanted.append(("points",))
        wanted += [("segment", seg) for seg in c.segment_ids]
        tables = self.tables(cart.at)
        seen: dict[int, Promotion] = {}
        for bucket in wanted:
            for p in tables.whole_store.get(bucket, ()):
                seen.setdefault(id(p), p)
        named: dict[int, list[int]] = {}
        by_sku, by_product, by_category = tables.by_sku, tables.by_product, tables.by_category
        by_own_sku = tables.by_own_sku
        for i, line in enumerate(cart.lines):
            for p in by_own_sku.get(line.sku, ()):
                seen.setdefault(id(p), p)
            for table, key in ((by_sku, line.sku), (by_product, line.product), (by_category, line.category)):
                for p in table.get(key, ()):
                    k = id(p)
                    lines = named.get(k)
                    if lines is None:
                        seen[k] = p
                        named[k] = [i]
                    elif lines[-1] != i:  # named twice by one line (its SKU and its category)
                        lines.append(i)
        return list(seen.values()), named


def _buckets(p: Promotion) -> list[tuple]:
    """Index buckets of a whole-store offer: a cart that matches none of them cannot use it
    (``is_eligible`` still decides for the ones found)."""
    spec = p.spec
    if spec.is_coupon:
        return [("coupon", p.id)]
    if p.channels:
        return [("channel", ch) for ch in p.channels]
    if p.audience == Audience.NEW_BUYERS or spec.customer_fact == "new":
        return [("new",)]
    if p.audience == Audience.MEMBERS or spec.customer_fact == "member":
        return [("member",)]
    if p.audience == Audience.SEGMENTS:
        return [("segment", seg) for seg in p.segment_ids]
    if spec.customer_fact == "points":
        return [("points",)]
    return [("open",)]


_INDEX_CACHE: dict[tuple[int, ...], _Index] = {}
_INDEX_CACHE_SIZE = 16


def _index(promotions: Sequence[Promotion]) -> _Index:
    """The index of a promotion set, cached per set (the same active set prices many carts)."""
    key = tuple(map(id, promotions))
    found = _INDEX_CACHE.get(key)
    if found is None:
        if len(_INDEX_CACHE) >= _INDEX_CACHE_SIZE:
            _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
        found = _INDEX_CACHE[key] = _Index(promotions)
    return found


class _Search:
    def __init__(self, cart: Cart, promotions: Sequence[Promotion], max_states: int) -> None:
        self.cart = cart
        index = _index(promotions)
        pool, named = index.candidates(cart)
        # eligibility and coverage in one pass: an offer is eligible exactly when it covers a line
        # (a scoped offer's lines come from the index lookups that found it)
        cover: dict[str, tuple[int, ...]] = {}
        found: list[Promotion] = []
        for p in pool:
            lines = eligible_lines(p, cart, named.get(id(p)))
            if lines:
                cover[p.id] = lines
                found.append(p)
        eligible = sorted(found, key=lambda p: p.sort_key)
        self.cover = cover
        self.gifts = [p for p in eligible if not p.spec.priced]
        # an order-level offer that takes nothing from its lines at their full price never
        # takes anything (amounts only go down and a take never grows when they do: the
        # OrderKind contract), so every set holding it fails: leave it out before the search
        lines = cart.lines
        self.start = start = [line.amount_cents for line in lines]
        priced = []
        takes: dict[str, object] = {}  # order-level offers' integer takes (``OrderKind.take_cents``)
        full_sums: dict[tuple[int, ...], tuple[int, int]] = {}  # (amount, units) of a coverage at full price
        for p in eligible:
            if not p.spec.priced:
                continue
            if p.level != Level.ITEM:
                take = takes[p.id] = p.spec.take_cents(p, cart)
                at_full = full_sums.get(cover[p.id])
                if at_full is None:
                    on = cover[p.id]
                    at_full = full_sums[on] = (sum(start[i] for i in on), sum(lines[i].quantity for i in on))
                if not take(at_full[0], *at_full):
                    continue
            priced.append(p)
        by_level: dict[Level, list[Promotion]] = {lv: [] for lv in Level}
        for p in priced:
            by_level[p.spec.level].append(p)
        self.item = by_level[Level.ITEM]
        per_level = {lv: index.level_sets(by_level[lv]) for lv in ORDER_LEVELS}
        self.level_sets = {lv: sets for lv, (sets, _maximal, _pairs) in per_level.items()}
        self.together = frozenset().union(*(pairs for _sets, _maximal, pairs in per_level.values()))
        self.later = [p for p in priced if p.spec.level != Level.ITEM]
        self.takes = [takes[p.id] for p in self.later]
        self.bounds = [p.spec.bound_cents(p, cart) for p in self.later]
        # the upper bounds of a level from its maximal sets only, as positions in ``self.later``
        pos = {p.id: k for k, p in enumerate(self.later)}
        self.bound_sets = [[tuple(pos[p.id] for p in st) for st in per_level[lv][1]] for lv in ORDER_LEVELS]
        self.units = {p.id: full_sums[cover[p.id]][1] for p in self.later}
        self.cover_set = {p.id: frozenset(self.cover[p.id]) for p in self.item}
        self.item_cache: dict[tuple, Applied | None] = {}
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
        """Distinct outcomes of the valid offer sets of one component (incl. none).

        The sets are enumerated depth-first in canonical order, each applied as its parent set's
        amounts plus one more offer (``_apply_one``: the same amounts, in the same order, as
        applying the whole set from the start); a set whose parent failed fails too (the same
        member fails on the same amounts), and is still counted against ``max_states``."""
        options: dict[tuple[int, ...], tuple[list[int], list[Applied], tuple[str, ...]]] = {}
        options[tuple(start)] = (list(start), [], ())
        cover_set = self.cover_set
        seen: set[tuple[str, ...]] = set()
        counted = len(offers)  # the single offers count against the cap first, as they are always tried

        def ok(chosen: tuple[Promotion, ...], p: Promotion) -> bool:
            lines = cover_set[p.id]
            return all(not (lines & cover_set[q.id]) or not p.conflicts_with(q) for q in chosen)

        def keep(ids: tuple[str, ...], amounts: list[int], applied: list[Applied]) -> None:
            key = tuple(amounts)
            if key not in options or ids < options[key][2]:
                options[key] = (amounts, applied, ids)

        def extend(begin: int, chosen: tuple[Promotion, ...], ids: tuple[str, ...],
                   state: tuple[list[int], list[Applied]] | None) -> None:
            nonlocal counted
            for j in range(begin, len(offers)):
                if counted >= self.max_states:
                    self.exact = False  # a component too wide to enumerate: keep what we have
                    return
                p = offers[j]
                if ok(chosen, p):
                    counted += 1
                    nxt, nxt_ids = chosen + (p,), ids + (p.id,)
                    got = None if state is None else self._apply_one(p, start, *state)
                    if got is not None:
                        keep(nxt_ids, *got)
                    seen.add(nxt_ids)
                    extend(j + 1, nxt, nxt_ids, got)

        extend(0, (), (), (list(start), []))
        for p in offers:  # every single offer, whatever the cap
            if (p.id,) not in seen:
                got = self._apply_one(p, start, list(start), [])
                if got is not None:
                    keep((p.id,), *got)
        return [(a, ap) for a, ap, _ in options.values()]

    def _apply_one(self, p: Promotion, start: list[int], amounts: list[int], applied: list[Applied],
                   ) -> tuple[list[int], list[Applied]] | None:
        """``amounts`` / ``applied`` with one more item offer; its take cached on the amounts of
        its lines (an item offer sees nothing else). None when it takes nothing."""
        lines = self.cover[p.id]
        key = (p.id, tuple(amounts[i] for i in lines))
        cache = self.item_cache
        if key in cache:
            got = cache[key]
        else:
            got = cache[key] = apply(p, self.cart, base=start, amounts=amounts, lines=lines)
        if got is None:
            return None
        running = list(amounts)
        for i, c in got.parts:
            running[i] -= c
        return running, applied + [got]

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

    # -- order levels from sums ----------------------------------------------------------
    def _sum_mode_setup(self) -> bool:
        """Can the order levels be searched on sums over coverage groups alone (exactly)?

        An order-level offer's take depends only on sums over the lines it covers
        (``order_take``). Its allocation to lines matters to a later offer only when their
        coverages overlap without one containing the other: then the sums are not enough
        and the search works on line amounts. Otherwise (e.g. whole-store offers plus
        category offers never followed by a narrower one) the state is a few sums.
        """
        later = self.later
        cover = {p.id: frozenset(self.cover[p.id]) for p in later}
        together = self.together  # ids found together in a valid set
        for p in later:
            for q in later:
                if p is q or not (q.level > p.level or (p.id, q.id) in together):
                    continue
                cp, cq = cover[p.id], cover[q.id]
                if not (cp <= cq or not (cp & cq)):
                    return False
        groups = list(dict.fromkeys(cover[p.id] for p in later))
        self.group_lines = [tuple(sorted(g)) for g in groups]
        self.group_of = {p.id: groups.index(cover[p.id]) for p in later}
        self.later_groups = [self.group_of[p.id] for p in later]
        # a take on group g lowers every group that contains g (disjoint ones keep their sum)
        self.lowers = [[h for h, gh in enumerate(groups) if g <= gh] for g in groups]
        self.group_units = [sum(self.cart.lines[i].quantity for i in g) for g in self.group_lines]
        self.depth_groups = []
        for depth in range(len(ORDER_LEVELS)):
            used = {self.group_of[p.id] for lv in ORDER_LEVELS[depth:] for st in self.level_sets[lv] for p in st}
            self.depth_groups.append(tuple(sorted(used)))
        # each level's sets as (set, ((take, group, groups it lowers, group units), ...)): the inner loop's data
        pos = {p.id: k for k, p in enumerate(later)}
        self.level_plans = [
            [(chosen, tuple((self.takes[pos[p.id]], self.group_of[p.id], self.lowers[self.group_of[p.id]],
                             self.group_units[self.group_of[p.id]]) for p in chosen))
             for chosen in self.level_sets[lv]]
            for lv in ORDER_LEVELS]
        self.sum_memo: dict[tuple, tuple[int, tuple[str, ...], tuple[tuple[Promotion, ...], ...]]] = {}
        return True

    def _rest_sums(self, depth: int, sums: list[int], need: int = NO_NEED,
                   ) -> tuple[int, tuple[str, ...], tuple[tuple[Promotion, ...], ...]]:
        """Best (take, sorted ids, chosen sets in order) of the order levels from ``depth``.

        Branch and bound: the level's sets are tried largest immediate take first, and a set
        whose take plus the most the remaining levels could still take (``_ub_from``) is below
        what the node must reach is not explored — it can neither beat nor tie it. What it must
        reach is the more of the best found at the node and ``need``: the take the caller needs
        for this node to matter at all (its item state to tie or beat the best total so far).
        The answer is exact when its take is >= ``need``; below it, it only says "the true best
        take is < need" (fail-low). The memo keeps each answer with the ``need`` it was computed
        for, and reuses a fail-low one only for a need at least as high.
        """
        if depth == LAST_DEPTH:
            self.tried += 1
            return LEAF
        key = (depth, tuple(sums[g] for g in self.depth_groups[depth]))
        memo = self.sum_memo
        found = memo.get(key)
        if found is not None and (found[0][0] >= found[1] or need >= found[1]):
            return found[0]
        last = depth + 1 == LAST_DEPTH
        if last:
            self.tried += 1
            best = LEAF
        else:
            best = self._rest_sums(depth + 1, sums, need)
        options = []
        for chosen, members in self.level_plans[depth]:
            running = list(sums)
            took = 0
            for take, g, lowers, units in members:
                t = take(sums[g], running[g], units)
                if not t:
                    break
                took += t
                for h in lowers:
                    running[h] -= t
            else:
                options.append((took, chosen, running))
        options.sort(key=_first_desc)
        next_groups = None if last else self.depth_groups[depth + 1]
        # the remaining levels' bound on this node's own sums caps every option's (amounts only
        # fall): an option under the bar even with it needs no bound of its own
        loose = 0 if last else self._ub_from(depth + 1, sums)
        for took, chosen, running in options:
            bar = best[0] if best[0] > need else need
            if took + loose < bar:
                break  # sorted by take: no later option can reach the bar either
            if last:
                sub = LEAF
                self.tried += 1
            else:
                sub = None
                known = memo.get((depth + 1, tuple(running[g] for g in next_groups)))
                if known is not None and known[0][0] >= known[1]:
                    sub = known[0]  # exact
                elif took + self._ub_from(depth + 1, running) < bar:
                    continue
                if sub is None:
                    sub = self._rest_sums(depth + 1, running, bar - took)
            sub_take, sub_ids, sub_path = sub
            total = took + sub_take
            if total < best[0] or total < need:
                continue
            ids = tuple(sorted(tuple(p.id for p in chosen) + sub_ids))
            if total > best[0] or ids < best[1]:
                best = (total, ids, (chosen,) + sub_path)
        memo[key] = (best, need)
        return best

    def _ub_from(self, depth: int, sums: list[int]) -> int:
        """Most the levels from ``depth`` on could take, given the group sums: per level, the best
        maximal valid set's sum of per-offer upper bounds (each offer's bound computed once)."""
        later_groups, units, bounds = self.later_groups, self.group_units, self.bounds
        bound = 0
        for sets in self.bound_sets[depth:]:
            if not sets:
                continue
            ub: dict[int, int] = {}
            level_best = 0
            for chosen in sets:
                v = 0
                for k in chosen:
                    got = ub.get(k)
                    if got is None:
                        g = later_groups[k]
                        got = ub[k] = bounds[k](sums[g], units[g])
                    v += got
                if v > level_best:
                    level_best = v
            bound += level_best
        return bound

    def _replay(self, amounts: list[int], path: tuple[tuple[Promotion, ...], ...]) -> tuple[int, list[Applied]] | None:
        """Apply the chosen sets to the line amounts: the explained applications."""
        amounts = list(amounts)
        applied: list[Applied] = []
        for chosen in path:
            got = _apply_set(self.cart, chosen, amounts, self.cover)
            if got is None:
                return None
            amounts, done = got
            applied.extend(done)
        return sum(amounts), applied

    def _later_bound(self, amounts: list[int]) -> int:
        """Most the order levels can take from ``amounts``: per level, the best valid set's
        sum of per-offer upper bounds (one set applies per level; the maximal sets suffice)."""
        sums: dict[tuple[int, ...], int] = {}
        ub = []
        for p, bound in zip(self.later, self.bounds):
            lines = self.cover[p.id]
            s = sums.get(lines)
            if s is None:
                s = sums[lines] = sum(amounts[i] for i in lines)
            ub.append(bound(s, self.units[p.id]))
        return sum(max((sum(ub[k] for k in st) for st in sets), default=0) for sets in self.bound_sets)

    def run(self) -> tuple[Outcome, list[int]]:
        start = list(self.start)
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
        reach_all = self._later_bound(start)
        # a cheap lower bound of each state's final total: the later levels at their most on
        # the undiscounted cart (amounts only go down, so that bounds every state). A state's
        # total after the item level is the start less its options' takes, so states are
        # ordered from the takes alone and only those the search reaches are built.
        total0 = sum(start)
        takes = [[total0 - sum(opt_amounts) for opt_amounts, _ap in opts] for opts in comps]  # what each option took
        order = sorted(
            ((total0 - sum(combo) - reach_all, picks)
             for combo, picks in zip(itertools.product(*takes), itertools.product(*(range(len(o)) for o in comps)))),
            key=lambda st: st[0])
        sums_ok = SUM_MODE and self._sum_mode_setup()
        best: Outcome | None = None
        for bound, picks in order:
            if best is not None and bound > best[0]:
                break  # sorted by bound: no later state can do better (ties are still evaluated)
            amounts = list(start)
            applied: list[Applied] = []
            for opts, k in zip(comps, picks):
                opt_applied = opts[k][1]
                for ap in opt_applied:
                    for i, c in ap.parts:
                        amounts[i] -= c
                applied.extend(opt_applied)
            if sums_ok:
                sums = [sum(amounts[i] for i in g) for g in self.group_lines]
                here = sum(amounts)
                need = NO_NEED if best is None else here - best[0]  # the take that ties the best total
                if best is not None and self._ub_from(0, sums) < need:
                    continue  # the state's own, tighter bound
                take, ids, path = self._rest_sums(0, sums, need)
                total = here - take
                if best is not None and total > best[0]:
                    continue
                ids_all = tuple(sorted(tuple(a.promotion.id for a in applied) + ids))
                if best is not None and (total, ids_all) >= best[:2]:
                    continue
                replayed = self._replay(amounts, path)
                if replayed is None or replayed[0] != total:  # pragma: no cover - sums and lines disagree
                    raise AssertionError("order-level search on sums disagrees with the line amounts")
                best = (total, ids_all, tuple(applied) + tuple(replayed[1]))
                continue
            if best is not None and sum(amounts) - self._later_bound(amounts) > best[0]:
                continue  # the state's own, tighter bound
            total, ids, tail = self._rest(0, amounts)
            if best is not None and total > best[0]:
                continue
            cand = (total, tuple(sorted(tuple(a.promotion.id for a in applied) + ids)), tuple(applied) + tail)
            if best is None or cand[:2] < best[:2]:
                best = cand
        assert best is not None
        return best, start


def _split_bearer(applied: Applied) -> list[int]:
    """The store's cents of each of a platform-borne offer's parts (the platform bears the rest);
    both sums exact."""
    p = applied.promotion
    total = applied.total
    store_total = int((Decimal(total) * p.store_share).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    return allocate(store_total, [c for _, c in applied.parts])


def _result(cart: Cart, outcome: Outcome, start: list[int], search: _Search) -> PricedCart:
    _total, _ids, applied = outcome
    n = len(cart.lines)
    per_line: list[list[LineDiscount]] = [[] for _ in range(n)]
    finals = list(start)
    points = 0
    zero = yuan(0)
    for ap in applied:
        points += ap.points_used
        reason = ap.reason  # formatted once per promotion, shared by its lines
        pid = ap.promotion.id
        if ap.promotion.bearer == Bearer.STORE:
            for i, c in ap.parts:
                finals[i] -= c
                amount = yuan(c)
                per_line[i].append(new_line_discount(i, pid, amount, reason, amount, zero))
        else:
            for (i, c), s in zip(ap.parts, _split_bearer(ap)):
                finals[i] -= c
                per_line[i].append(new_line_discount(i, pid, yuan(c), reason, yuan(s), yuan(c - s)))
    gifts = tuple(
        gift for g in search.gifts
        if (gift := g.spec.gift(g, sum(finals[i] for i in search.cover[g.id]))) is not None
    )
    lines = tuple(
        new_priced_line(line, yuan(a), tuple(ds), yuan(f))
        for line, a, ds, f in zip(cart.lines, start, per_line, finals)
    )
    return PricedCart(
        lines=lines, applied=tuple(ap.promotion.id for ap in applied), gifts=gifts, exact=search.exact,
        combinations_tried=search.tried, points_used=points,
        discounts=tuple(d for ds in per_line for d in ds),
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
