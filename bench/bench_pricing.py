"""Promotion pricing: the exact search vs a greedy baseline, and the floor-price guard.

quote:  a 20-line cart against 200 active promotions (most not applicable: other
        categories, other channels, audiences the customer is not in, coupons not held,
        windows closed). Subject: ``price_cart`` (exact search); baseline:
        ``price_cart_greedy`` (largest immediate discount per level) in the same run.
        subject_s / baseline_s are p50 latencies; p99 and how often greedy was worse
        (and by how much) are extra keys, and the same percentiles in CPU time of the
        thread (``*_cpu_*``: what the quote costs when the machine is shared, without the
        time the scheduler gave other processes); ``subject_cpu_cart_best_*``: the percentiles of
        each cart's least CPU time over ``1 + BENCH_PASSES`` passes (default 5), the quote's own
        cost when single runs are inflated by other processes on the machine. Warm: the promotion set's index is built
        by the first quote, as in a server that prices many carts against one active set.
floor:  ``floor_check`` over 10,000 SKUs for a 双11 plan (8折 + 每满300减50 + ¥30 coupon
        + 跨店每满300减50 + category offers); baseline: pricing one single-unit cart per SKU
        (the least any guard must do). Target: <= 10 s.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from shopops.promotions.engine import (  # noqa: E402
    Audience, Bearer, Cart, Customer, Kind, Line, Promotion, Scope, make_promotion, price_cart, price_cart_greedy,
)
from shopops.promotions.engine.floor import SkuFloor, floor_check  # noqa: E402

AT = dt.datetime(2026, 11, 11, 2, 0, tzinfo=dt.timezone.utc)
QUOTES = int(os.environ.get("BENCH_QUOTES", "300"))
PASSES = int(os.environ.get("BENCH_PASSES", "4"))  # more passes over the carts for each one's least CPU time
SKUS = int(os.environ.get("BENCH_SKUS", "10000"))
CATEGORIES = [f"cat{i}" for i in range(30)]


def D(x) -> Decimal:  # noqa: N802
    return Decimal(str(x))


def promotions(rng: random.Random, n: int = 200) -> list[Promotion]:
    out = [
        make_promotion("d8", Kind.ITEM_DISCOUNT, rate=D("0.8"), stackable=True, scope=Scope(categories=frozenset(CATEGORIES[:10]))),
        make_promotion("m300", Kind.EVERY_REDUCTION, threshold=D(300), amount=D(50), stackable=True),
        make_promotion("mj", Kind.TIERED_REDUCTION, tiers=((D(200), D(20)), (D(500), D(60)), (D(1000), D(150)))),
        make_promotion("c30", Kind.STORE_COUPON, amount=D(30), threshold=D(199), stackable=True),
        make_promotion("c10p", Kind.STORE_COUPON, rate=D("0.9"), cap=D(50), stackable=True),
        make_promotion("x", Kind.CROSS_STORE_REDUCTION, threshold=D(300), amount=D(50), bearer=Bearer.PLATFORM,
                  store_share=D("0.5"), stackable=True),
        make_promotion("pc", Kind.PLATFORM_COUPON, amount=D(20), threshold=D(300), bearer=Bearer.PLATFORM, stackable=True),
        make_promotion("pts", Kind.POINTS, points_per_yuan=100, max_share=D("0.1"), stackable=True),
        make_promotion("q3", Kind.QUANTITY_DISCOUNT, quantity_tiers=((3, D("0.95")),), scope=Scope(categories=frozenset({"cat3"}))),
    ]
    # a few per-SKU 单品宝 prices on lines of the cart (each its own component)
    for k in range(6):
        out.append(make_promotion(f"sp{k}", Kind.SPECIAL_PRICE, price=D(rng.randint(40, 90)), scope=Scope(skus=frozenset({f"S{k}"}))))
    # the rest: not applicable to this customer / cart
    while len(out) < n:
        k = len(out)
        which = k % 5
        if which == 0:
            out.append(make_promotion(f"n{k}", Kind.ITEM_DISCOUNT, rate=D("0.7"), scope=Scope(categories=frozenset({f"other{k}"}))))
        elif which == 1:
            out.append(make_promotion(f"n{k}", Kind.TIERED_REDUCTION, tiers=((D(100), D(10)),), channels=frozenset({"douyin"})))
        elif which == 2:
            out.append(make_promotion(f"n{k}", Kind.FIRST_ORDER, amount=D(10), audience=Audience.NEW_BUYERS))
        elif which == 3:
            out.append(make_promotion(f"n{k}", Kind.STORE_COUPON, amount=D(50), threshold=D(300)))  # not held
        else:
            out.append(make_promotion(f"n{k}", Kind.SPECIAL_PRICE, price=D(1), ends_at=AT - dt.timedelta(days=1)))
    return out


def cart(rng: random.Random) -> Cart:
    lines = tuple(
        Line(sku=f"S{i}", unit_price=D(rng.choice([29, 49, 59.9, 99, 129, 199, 259])), quantity=rng.randint(1, 3),
             category=rng.choice(CATEGORIES[:12]), product=f"P{i}")
        for i in range(20)
    )
    return Cart(lines=lines, at=AT, channel="tmall", held_coupons=frozenset({"c30", "c10p", "pc"}),
                customer=Customer("c1", is_member=True, points=5000))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_quote() -> dict:
    rng = random.Random(11)
    promos = promotions(rng)
    carts = [cart(rng) for _ in range(QUOTES)]
    exact_t, greedy_t, exact_cpu, greedy_cpu, worse, gap = [], [], [], [], 0, Decimal("0")
    for c in carts:
        t0, c0 = time.perf_counter(), time.thread_time()
        best = price_cart(c, promos)
        t1, c1 = time.perf_counter(), time.thread_time()
        greedy = price_cart_greedy(c, promos)
        t2, c2 = time.perf_counter(), time.thread_time()
        exact_t.append(t1 - t0)
        greedy_t.append(t2 - t1)
        exact_cpu.append(c1 - c0)
        greedy_cpu.append(c2 - c1)
        assert best.final_total <= greedy.final_total
        if greedy.final_total > best.final_total:
            worse += 1
            gap += greedy.final_total - best.final_total
    # the same carts again, BENCH_PASSES more times: each cart's least CPU time is what its quote
    # costs without the other processes' interference (a shared machine inflates single runs)
    cart_best = list(exact_cpu)
    for _ in range(PASSES):
        for k, c in enumerate(carts):
            c0 = time.thread_time()
            price_cart(c, promos)
            cart_best[k] = min(cart_best[k], time.thread_time() - c0)
    p50, p50g = statistics.median(exact_t), statistics.median(greedy_t)
    return {"case": "quote 20 lines x 200 promotions (p50)", "rows": QUOTES, "subject_s": p50, "baseline_s": p50g,
            "ratio": p50 / p50g, "subject_p99_s": pct(exact_t, 0.99), "baseline_p99_s": pct(greedy_t, 0.99),
            "subject_cpu_p50_s": statistics.median(exact_cpu), "subject_cpu_p99_s": pct(exact_cpu, 0.99),
            "baseline_cpu_p50_s": statistics.median(greedy_cpu), "baseline_cpu_p99_s": pct(greedy_cpu, 0.99),
            "subject_cpu_cart_best_p50_s": statistics.median(cart_best), "subject_cpu_cart_best_p99_s": pct(cart_best, 0.99),
            "passes": 1 + PASSES, "load_average": os.getloadavg()[0],
            "greedy_worse_carts": worse, "greedy_overcharge_total": str(gap),
            "baseline": "price_cart_greedy (largest immediate discount per level)"}


def bench_floor() -> dict:
    rng = random.Random(7)
    promos = [
        make_promotion("d8", Kind.ITEM_DISCOUNT, rate=D("0.8"), stackable=True),
        make_promotion("m300", Kind.EVERY_REDUCTION, threshold=D(300), amount=D(50), stackable=True),
        make_promotion("c30", Kind.STORE_COUPON, amount=D(30), stackable=True),
        make_promotion("x", Kind.CROSS_STORE_REDUCTION, threshold=D(300), amount=D(50), bearer=Bearer.PLATFORM,
                  store_share=D("0.5"), stackable=True),
        *[make_promotion(f"cat{i}", Kind.ITEM_DISCOUNT, rate=D("0.9"), stackable=True, exclusive_group="cat",
                    scope=Scope(categories=frozenset({f"cat{i}"}))) for i in range(0, 30, 3)],
    ]
    prices = [D(p) for p in (19.9, 29, 39, 49, 59, 69, 79, 89, 99, 119, 129, 149, 169, 199, 229, 259, 299, 399, 499, 899)]
    skus = []
    for i in range(SKUS):
        price = rng.choice(prices) + D(rng.choice([0, 0, 0, 10, 20]))
        cost_ratio = D(rng.choice(["0.35", "0.45", "0.55", "0.65"]))  # cost / list price
        skus.append(SkuFloor(sku=f"SKU{i:05d}", price=price, floor=(price * cost_ratio * D("1.05")).quantize(D("0.01")),
                             category=rng.choice(CATEGORIES)))
    t0 = time.perf_counter()
    report = floor_check(skus=skus, promotions=promos, at=AT)
    subject = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in skus:
        price_cart(Cart(lines=(Line(sku=s.sku, unit_price=s.price, quantity=1, category=s.category),), at=AT), promos)
    baseline = time.perf_counter() - t0
    return {"case": f"floor guard {SKUS} SKUs", "rows": SKUS, "subject_s": subject, "baseline_s": baseline,
            "ratio": subject / baseline, "violations": len(report.violations), "carts_priced": report.carts_priced,
            "cache_hits": report.cache_hits, "within_10s": subject <= 10,
            "baseline": "one single-unit quote per SKU, no cache"}


def run() -> list[dict]:
    return [bench_quote(), bench_floor()]


if __name__ == "__main__":
    for row in run():
        print(row)
