"""The daily rollups at size: the KPI queries insights and the pages ask, from the rollups vs the raw tables.

A synthetic store is written straight into a temp DuckDB with SQL (``range()``; fixed seed):
``BENCH_ROLLUP_ORDERS`` paid-or-not orders (default 2,000,000) over ``BENCH_ROLLUP_DAYS`` days
(default 365) in 5 stores, 1–3 lines each over ``BENCH_ROLLUP_PRODUCTS`` products per store
(default 200, about the large demo's density), a refund on 5 % of them, and the product traffic report for every product-day
with a sale. The rollups are then filled once (``warehouse.rollups.rebuild``: the tables were
written without the loader), timed as ``rebuild``.

Cases (subject: the runner with the rollups, the default; baseline: the same query with
``rollup_reads(False)``, i.e. every KPI from the raw tables, results checked equal), alternating,
best of ``BENCH_REPEAT`` (default 3) with an empty result cache, CPU seconds
(``time.process_time``: DuckDB works in the process) and the load average recorded:

* ``product_daily``: insights' per-product daily query — item GMV, units, buyers, reviews for
  the top 300 products of every store by day over the 57-day lookback;
* ``top_products``: item GMV by store and product over the lookback (the ranking insights and the
  products page make);
* ``store_daily``: GMV, orders, buyers, discounts, refunds per store and day over the lookback;
* ``month_totals``: the month's GMV, orders, refunds, net sales (a cockpit tile set).

And the maintenance cost: ``one_day``: one more day of orders and lines (0.3 % of the history)
loaded through ``warehouse.loader.load`` with the rollups kept, vs the same load with the rollup
refresh turned off (subject ÷ baseline = what keeping the rollups adds to a daily import).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa

from shopops.core.periods import Grain, Period
from shopops.metrics.cache import default_cache
from shopops.metrics.rollups import rollup_reads
from shopops.metrics.runners import Filter, KpiQuery, run_query
from shopops.warehouse import loader, rollups, versions

ORDERS = int(os.environ.get("BENCH_ROLLUP_ORDERS", "2000000"))
DAYS = int(os.environ.get("BENCH_ROLLUP_DAYS", "365"))
PRODUCTS = int(os.environ.get("BENCH_ROLLUP_PRODUCTS", "200"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
END = dt.date(2025, 12, 31)
STORES = ("tmall", "jd", "pdd", "douyin", "own")


def _fill(con) -> None:
    start = END - dt.timedelta(days=DAYS - 1)
    stores = ", ".join(f"('{s}', '{'own' if s == 'own' else s}', '{s}', 'CNY', 'Asia/Shanghai')" for s in STORES)
    sql = con.con.execute
    sql(f"INSERT INTO stores VALUES {stores}")
    sql("SELECT setseed(0.13)")
    sql(f"""INSERT INTO orders (store_id, order_id, customer_id, status, created_at, paid_at, paid_date, paid_amount,
            discount_amount, platform_discount)
        SELECT s, 'o' || i, 'c' || (hash(i) % {ORDERS // 3}), CASE WHEN i % 20 = 0 THEN 'closed' ELSE 'paid' END,
               TIMESTAMPTZ '{start}' + to_days(d), TIMESTAMPTZ '{start}' + to_days(d), DATE '{start}' + d,
               CAST(10 + (hash(i * 7) % 50000) / 100.0 AS DECIMAL(18,2)), CAST(1.00 AS DECIMAL(18,2)), NULL
        FROM (SELECT i, ['tmall','jd','pdd','douyin','own'][1 + i % 5] AS s,
                     CAST(floor(i * {DAYS} / {ORDERS}) AS INTEGER) AS d FROM range({ORDERS}) t(i))""")
    sql(f"""INSERT INTO order_lines (store_id, order_id, line_no, product_id, sku_id, quantity, paid_amount, paid_date)
        SELECT store_id, order_id, CAST(n AS INTEGER), 'P' || (hash(order_id || n) % {PRODUCTS}), NULL,
               CAST(1 + hash(order_id) % 3 AS INTEGER), CAST(paid_amount / 2 AS DECIMAL(18,2)), paid_date
        FROM (SELECT *, unnest(range(1, CAST(2 + hash(order_id) % 2 AS BIGINT))) AS n FROM orders)""")
    sql("""INSERT INTO refunds (store_id, refund_id, order_id, amount, status, refund_date)
        SELECT store_id, 'r' || order_id, order_id, CAST(paid_amount / 3 AS DECIMAL(18,2)), 'success', paid_date + 3
        FROM orders WHERE hash(order_id) % 20 = 1""")
    sql("""INSERT INTO traffic_daily (store_id, date, product_id, traffic_source, visitors)
        SELECT DISTINCT store_id, paid_date, product_id, 'search', 40 FROM order_lines""")
    versions.new_epoch(con)


def _best(fn, on: bool, out: dict) -> None:
    cache = default_cache()
    if hasattr(cache, "clear"):
        cache.clear()
    with rollup_reads(on):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    best = out.setdefault(on, [float("inf"), float("inf"), None])
    out[on] = [min(best[0], wall), min(best[1], cpu), result]


def _case(name: str, fn) -> dict:
    out: dict = {}
    loads = []
    for _ in range(REPEAT):
        for on in (False, True):
            _best(fn, on, out)
            loads.append(os.getloadavg()[0])
    assert out[True][2] == out[False][2], f"{name}: the rollup and the raw path differ"
    return {"case": name, "subject_s": out[True][0], "baseline_s": out[False][0],
            "subject_cpu_s": round(out[True][1], 3), "baseline_cpu_s": round(out[False][1], 3),
            "cpu_ratio": round(out[True][1] / out[False][1], 3) if out[False][1] else None,
            "baseline": "the same query from the raw tables (rollup_reads(False))",
            "load_average": f"{min(loads):.1f}-{max(loads):.1f}"}


def _day_batches(con, day: dt.date, n: int) -> tuple[pa.Table, pa.Table]:
    ts = dt.datetime.combine(day, dt.time(4), dt.UTC)
    orders = pa.Table.from_pylist([{"store_id": STORES[i % 5], "order_id": f"n{day}-{i}", "customer_id": f"c{i}",
                                    "status": "paid", "created_at": ts, "paid_at": ts, "paid_date": day,
                                    "paid_amount": Decimal("20.00")} for i in range(n)])
    lines = pa.Table.from_pylist([{"store_id": STORES[i % 5], "order_id": f"n{day}-{i}", "line_no": 1,
                                   "product_id": f"P{i % PRODUCTS}", "quantity": 1, "paid_amount": Decimal("20.00"),
                                   "paid_date": day} for i in range(n)])
    return orders, lines


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-rollups-"))
    con = ibis.duckdb.connect(str(tmp / "warehouse.duckdb"))
    loader.ensure_tables(con)
    t = time.perf_counter()
    _fill(con)
    fill_s = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    rollups.rebuild(con)
    rebuild = {"case": "rebuild", "subject_s": time.perf_counter() - t, "baseline_s": fill_s,
               "subject_cpu_s": round(time.process_time() - c, 3),
               "baseline": "writing the facts by SQL", "load_average": f"{os.getloadavg()[0]:.1f}"}
    lines = con.table("order_lines").count().execute()
    period = Period(END - dt.timedelta(days=56), END)
    history = Period(period.start, END - dt.timedelta(days=1))
    with rollup_reads(False):
        ranked = run_query(KpiQuery(("item_gmv",), history, by=("store_id", "product_id")), con=con, cache=False).to_frame()
    top = {s: list(g.sort_values("item_gmv", ascending=False).product_id.head(300)) for s, g in ranked.groupby("store_id")}
    ids = tuple(sorted({p for ps in top.values() for p in ps}))
    rows = [rebuild]
    rows.append(_case("product_daily", lambda: run_query(KpiQuery(
        ("item_gmv", "units_sold", "item_buyers", "bad_reviews", "review_count", "visitor_days"), period, grain=Grain.DAY,
        by=("store_id", "product_id"), stores=tuple(top), filters=(Filter("product_id", ids),)), con=con).rows))
    rows.append(_case("top_products", lambda: run_query(KpiQuery(("item_gmv",), history, by=("store_id", "product_id")),
                                                        con=con).rows))
    rows.append(_case("store_daily", lambda: run_query(KpiQuery(
        ("gmv", "paid_orders", "paying_buyers", "store_discount", "refund_amount", "refunded_orders"), period,
        grain=Grain.DAY, by=("store_id",)), con=con).rows))
    rows.append(_case("month_totals", lambda: run_query(KpiQuery(
        ("gmv", "paid_orders", "refund_amount", "net_sales", "units_sold", "item_gmv"), Period(END.replace(day=1), END)),
        con=con).rows))
    # maintenance: one more day through the loader, with and without the rollup refresh
    n = max(100, ORDERS // DAYS)
    timings = {}
    real = rollups.refresh
    for i, keep in enumerate((True, False, True, False)):
        orders, line_batch = _day_batches(con, END + dt.timedelta(days=1 + i), n)
        if not keep:
            rollups.refresh = lambda session, touched: touched.parts.clear()
        try:
            t, c = time.perf_counter(), time.process_time()
            with loader.transaction(con):
                loader.load(con, "orders", orders)
                loader.load(con, "order_lines", line_batch)
            spent = (time.perf_counter() - t, time.process_time() - c)
        finally:
            rollups.refresh = real
        old = timings.get(keep, (float("inf"), float("inf")))
        timings[keep] = (min(old[0], spent[0]), min(old[1], spent[1]))
    rows.append({"case": "one_day", "subject_s": timings[True][0], "baseline_s": timings[False][0],
                 "subject_cpu_s": round(timings[True][1], 3), "baseline_cpu_s": round(timings[False][1], 3),
                 "cpu_ratio": round(timings[True][1] / timings[False][1], 3),
                 "baseline": f"the same load ({n} orders + lines) without the rollup refresh",
                 "load_average": f"{os.getloadavg()[0]:.1f}"})
    for r in rows:
        r.update(order_lines=lines, orders=ORDERS, days=DAYS)
    return rows
