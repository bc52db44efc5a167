"""Loading one more day into a Spark warehouse: does the cost grow with the history stored?

Subject: ``warehouse.loader.load`` of one day of order lines (a new day, plus 2 % of the rows
changing on days already stored — taken from the last BENCH_WINDOW (default 28) days, as a
re-exported window of recent orders does) into a Spark ``order_lines`` table that already holds
BENCH_DAYS (default 365) days. Fact tables are partitioned by the month of the business date and
merged by a dynamic partition overwrite of the months a batch touches (the default layout).
Baseline: the same one-day load into a table that holds 7 days.
A ratio near 1 means the load costs the months it touches, not the history.
Also recorded: the same load into an unpartitioned table of the same history (``unpartitioned_s``:
the whole-table rewrite, kept for tables created before partitioning), and with the changed rows
drawn from the whole year instead (``spread_s``: every month touched, the worst case of months).

Spark local (``local[2]``) in a temp warehouse; BENCH_ROWS (default 200000) rows of history over
the days; best of BENCH_REPEAT (default 2) runs. Wall time, CPU time (this process plus the Spark
JVM, which does the work) and the load average around each run. Needs java and pyspark.
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
CASES = os.environ.get("BENCH_SPARK_CASES", "history,baseline,unpartitioned,spread").split(",")


def _with_days(table: pa.Table, first: dt.date, days: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, days, table.num_rows)
    dates = np.datetime64(first, "D") + offsets.astype("timedelta64[D]")
    return table.set_column(table.column_names.index("paid_date"), "paid_date", pa.array(dates).cast(pa.date32()))


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
    from shopops.warehouse.backends.spark import spark_connect
    from shopops.warehouse.loader import ensure_tables, load
    from shopops.warehouse.schema import TABLES

    con = spark_connect("pyspark://local[2]?database=bench")
    ensure_tables(con)  # every table (the rollups join orders); orders stay empty: the rollups get no rows
    first = dt.date(2025, 1, 1)
    base = order_lines(ROWS)
    day_rows = max(ROWS // DAYS, 1)
    results: dict[str, dict] = {}
    for label in CASES:
        days = 7 if label == "baseline" else DAYS
        best = None
        for r in range(REPEAT):
            con._session.sql("DROP TABLE IF EXISTS order_lines")
            if label == "unpartitioned":  # a table created before partitioning: the whole-table rewrite
                con.create_table("order_lines", schema=TABLES["order_lines"].schema)
            else:
                ensure_tables(con, ["order_lines"])
            history = _with_days(base.slice(0, day_rows * days), first, days, seed=r)
            load(con, "order_lines", history)
            new_day = _with_days(base.slice(ROWS - day_rows, day_rows), first + dt.timedelta(days=days), 1, seed=r)
            new_day = new_day.set_column(new_day.column_names.index("order_id"), "order_id",
                                         pc.binary_join_element_wise(new_day.column("order_id"), "N", ""))
            recent = history.filter(pc.greater_equal(
                history.column("paid_date"), pa.scalar(first + dt.timedelta(days=days - WINDOW), pa.date32())))
            changed = (history if label == "spread" else recent).slice(0, max(day_rows // 50, 1))
            changed = changed.set_column(changed.column_names.index("quantity"), "quantity",
                                         pc.add(changed.column("quantity"), 1).cast(pa.int32()))
            batch = pa.concat_tables([new_day, changed])
            load_before = os.getloadavg()[0]
            cpu0, jvm0, t0 = time.process_time(), _jvm_cpu(), time.perf_counter()
            result = load(con, "order_lines", batch)
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0 + _jvm_cpu() - jvm0
            assert (result.inserted, result.updated) == (new_day.num_rows, changed.num_rows), result
            run_ = {"wall_s": wall, "cpu_s": cpu, "load": (load_before, os.getloadavg()[0]),
                    "months": len({d.strftime("%Y-%m") for d in changed.column("paid_date").to_pylist()}
                                  | {(first + dt.timedelta(days=days)).strftime("%Y-%m")})}
            print(label, r, run_, flush=True)
            if best is None or cpu < best["cpu_s"]:
                best = run_
        results[label] = best
    row = {
        "case": f"spark_load_one_day_into_{DAYS}_days", "rows": ROWS, "rows_per_day": day_rows,
        "baseline": "the same one-day load into 7 days of history",
    }
    if "history" in results and "baseline" in results:
        row |= {"subject_s": results["history"]["wall_s"], "baseline_s": results["baseline"]["wall_s"],
                "subject_cpu_s": results["history"]["cpu_s"], "baseline_cpu_s": results["baseline"]["cpu_s"],
                "cpu_ratio": results["history"]["cpu_s"] / results["baseline"]["cpu_s"]}
    for label, got in results.items():
        row[f"{label}_wall_s"], row[f"{label}_cpu_s"] = got["wall_s"], got["cpu_s"]
        row[f"{label}_load"], row[f"{label}_months"] = got["load"], got["months"]
    return [row]
