"""Loading one more day into a Spark warehouse: does the cost grow with the history stored?

Subject: ``warehouse.loader.load`` of one day of orders and their order lines (a new day, plus 2 %
of the day's rows changing on days already stored — taken from the last BENCH_WINDOW (default 28)
days, as a re-exported window of recent orders does) into Spark ``orders`` and ``order_lines``
tables that already hold BENCH_DAYS (default 365) days, with the daily rollups (``product_daily``,
``store_daily``) kept by the loader. Fact tables and rollups are partitioned by the month of the
business date (the default layout): a merge overwrites the months a batch touches, a rollup refresh
the months of the touched dates.
Baseline: the same one-day load into tables that hold 7 days.
A ratio near 1 means the load costs the months it touches, not the history.

Order ids grow with time, as platform order numbers do (zero-padded, so they sort like numbers):
the merge's key lookup then reads only the months whose ids overlap the batch's (Parquet
statistics, ``sql.Session._key_bounds``). Also recorded:

* ``random_ids``: the same year with order ids in random order against the dates (the key lookup
  reads every month's key columns: nothing to prune by);
* ``spread``: the changed rows drawn from the whole year (every month touched: the worst case);
* ``unpartitioned``: tables created unpartitioned (the whole-table rewrite, kept for tables from
  before partitioning).

Spark local (``local[2]``) in a temp warehouse; BENCH_ROWS (default 200000) order lines of history
over the days (about 2.5 a order); best of BENCH_REPEAT (default 2) runs. Wall time, CPU time (this
process plus the Spark JVM, which does the work) and the load average around each run. Needs java
and pyspark. ``BENCH_SPARK_CASES`` picks the cases (comma-separated).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench_loader import order_lines

ROWS = int(os.environ.get("BENCH_ROWS", "200000"))
DAYS = int(os.environ.get("BENCH_DAYS", "365"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
WINDOW = int(os.environ.get("BENCH_WINDOW", "28"))
CASES = os.environ.get("BENCH_SPARK_CASES", "history,baseline,random_ids,spread,unpartitioned").split(",")
FIRST = dt.date(2025, 1, 1)
FACTS = ("orders", "order_lines")


def _history(days: int, *, random_ids: bool, seed: int) -> tuple[pa.Table, pa.Table]:
    """(orders, order lines) of ``days`` days: orders spread evenly over the days in id order
    (``random_ids``: ids shuffled against the dates), each line with its order's paid date."""
    lines = order_lines(ROWS * days // DAYS, seed=seed)
    index = np.asarray(pc.cast(pc.utf8_slice_codeunits(lines.column("order_id"), 1), pa.int64()))  # "O<n>"
    n_orders = int(index.max()) + 1
    order_day = np.arange(n_orders) * days // n_orders
    if random_ids:
        order_day = np.random.default_rng(seed).permutation(order_day)
    return _orders_and_lines(lines, index, order_day, np.arange(n_orders), FIRST)


def _orders_and_lines(lines: pa.Table, index: np.ndarray, order_day: np.ndarray, number: np.ndarray,
                      first: dt.date) -> tuple[pa.Table, pa.Table]:
    """Orders ``0..len(order_day)-1`` of ``lines`` (``index``: each line's order) paid ``first + order_day``,
    named ``O<number>`` zero-padded; the lines get their order's id and paid date."""
    ids = pc.binary_join_element_wise("O", pa.array(np.char.zfill(number.astype(str), 10)), "")
    paid_date = pa.array(np.datetime64(first, "D") + order_day.astype("timedelta64[D]")).cast(pa.date32())
    lines = lines.set_column(lines.column_names.index("order_id"), "order_id", pc.take(ids, pa.array(index)))
    lines = lines.set_column(lines.column_names.index("paid_date"), "paid_date", pc.take(paid_date, pa.array(index)))
    first_line = np.unique(index, return_index=True)[1]
    totals = np.bincount(index, weights=np.asarray(lines.column("paid_amount").cast(pa.float64())), minlength=len(ids))
    paid_at = pc.cast(pc.cast(paid_date, pa.timestamp("s")), pa.timestamp("us", tz="UTC"))
    orders = pa.table({
        "store_id": pc.take(lines.column("store_id"), pa.array(first_line)),
        "order_id": ids,
        "customer_id": pc.binary_join_element_wise("C", pa.array((number * 7919 % 50_000).astype(str)), ""),
        "status": pa.array(["paid"] * len(ids)),
        "created_at": paid_at,
        "paid_at": paid_at,
        "paid_date": paid_date,
        "paid_amount": pa.array(np.round(totals, 2)).cast(pa.decimal128(18, 2)),
    })
    return orders, lines


def _day_batch(orders: pa.Table, lines: pa.Table, days: int, *, spread: bool, seed: int) -> tuple[pa.Table, pa.Table, int, int]:
    """The load of day ``days``: its new orders and lines (ids after every stored one), plus 2 % of
    that many stored lines changed (quantity + 1) and their orders changed (status ``completed``),
    from the last WINDOW days (``spread``: the whole history). Returns (orders, lines, new lines,
    changed lines)."""
    n_orders = orders.num_rows
    day_orders = max(n_orders // days, 1)
    new_lines = order_lines(max(ROWS // DAYS, 1), seed=seed + 1)
    index = np.asarray(pc.cast(pc.utf8_slice_codeunits(new_lines.column("order_id"), 1), pa.int64()))
    keep = index < day_orders
    new_lines, index = new_lines.filter(pa.array(keep)), index[keep]
    new_orders, new_lines = _orders_and_lines(new_lines, index, np.zeros(int(index.max()) + 1, dtype=np.int64),
                                              n_orders + np.arange(int(index.max()) + 1), FIRST + dt.timedelta(days=days))
    since = pa.scalar(FIRST + dt.timedelta(days=0 if spread else days - WINDOW), pa.date32())
    recent = lines.filter(pc.greater_equal(lines.column("paid_date"), since))
    picked = np.random.default_rng(seed).choice(recent.num_rows, max(new_lines.num_rows // 50, 1), replace=False)
    changed = recent.take(pa.array(np.sort(picked)))
    changed = changed.set_column(changed.column_names.index("quantity"), "quantity",
                                 pc.add(changed.column("quantity"), 1).cast(pa.int32()))
    changed_ids = pc.unique(changed.column("order_id"))
    changed_orders = orders.filter(pc.is_in(orders.column("order_id"), value_set=changed_ids))
    changed_orders = changed_orders.set_column(changed_orders.column_names.index("status"), "status",
                                               pa.array(["completed"] * changed_orders.num_rows))
    return (pa.concat_tables([new_orders, changed_orders]), pa.concat_tables([new_lines, changed]),
            new_lines.num_rows, changed.num_rows)


def _jvm_cpu() -> float:
    """CPU seconds of this process's Java children (the Spark driver and its local executors)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name == "java" and int(rest[1]) == os.getpid():
            total += (int(rest[11]) + int(rest[12])) / tick
    return total


def run() -> list[dict]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    tmp = tempfile.mkdtemp(prefix="bench-spark-")
    os.environ["SHOPOPS_SPARK_WAREHOUSE"] = os.path.join(tmp, "spark")
    from shopops.warehouse import rollups
    from shopops.warehouse.backends.spark import spark_connect
    from shopops.warehouse.loader import ensure_tables, load
    from shopops.warehouse.schema import ROLLUP_TABLES, TABLES

    con = spark_connect("pyspark://local[2]?database=bench")
    ensure_tables(con)
    results: dict[str, dict] = {}
    for label in CASES:
        days = 7 if label == "baseline" else DAYS
        best = None
        for r in range(REPEAT):
            for name in (*FACTS, *ROLLUP_TABLES):
                con._session.sql(f"DROP TABLE IF EXISTS {name}")
            if label == "unpartitioned":  # tables created before partitioning: the whole-table rewrite
                for name in FACTS:
                    con.create_table(name, schema=TABLES[name].schema)
                for table in ROLLUP_TABLES.values():
                    con.create_table(table.name, schema=table.schema)
            else:
                ensure_tables(con, list(FACTS))
            con._shopops_rollups = False
            rollups.ensure(con)
            orders, lines = _history(days, random_ids=label == "random_ids", seed=r)
            load(con, "orders", orders)
            load(con, "order_lines", lines)
            batch_orders, batch_lines, new, changed = _day_batch(orders, lines, days, spread=label == "spread", seed=r)
            load_before = os.getloadavg()[0]
            cpu0, jvm0, t0 = time.process_time(), _jvm_cpu(), time.perf_counter()
            got_orders = load(con, "orders", batch_orders)
            got_lines = load(con, "order_lines", batch_lines)
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0 + _jvm_cpu() - jvm0
            assert (got_lines.inserted, got_lines.updated) == (new, changed), got_lines
            assert got_orders.inserted + got_orders.updated == batch_orders.num_rows, got_orders
            months = {d.strftime("%Y-%m") for d in batch_lines.column("paid_date").to_pylist()}
            run_ = {"wall_s": wall, "cpu_s": cpu, "load": (load_before, os.getloadavg()[0]), "months": len(months),
                    "history_lines": lines.num_rows, "batch_lines": batch_lines.num_rows}
            print(label, r, run_, flush=True)
            if best is None or cpu < best["cpu_s"]:
                best = run_
        results[label] = best
    row = {
        "case": f"spark_load_one_day_into_{DAYS}_days", "rows": ROWS,
        "baseline": "the same one-day load into 7 days of history",
    }
    if "history" in results and "baseline" in results:
        row |= {"subject_s": results["history"]["wall_s"], "baseline_s": results["baseline"]["wall_s"],
                "subject_cpu_s": results["history"]["cpu_s"], "baseline_cpu_s": results["baseline"]["cpu_s"],
                "cpu_ratio": results["history"]["cpu_s"] / results["baseline"]["cpu_s"]}
    for label, got in results.items():
        for key, value in got.items():
            row[f"{label}_{key}"] = value
    return [row]
