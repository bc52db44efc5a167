"""Loading one more day into a Spark warehouse: does the cost grow with the history stored?

Subject (with ``SHOPOPS_SPARK_PARTITION_BY_DAY=1``): ``warehouse.loader.load`` of one day of order lines (a new day, plus 2 % of the
rows changing on days already stored, as a re-exported window does) into a Spark
``order_lines`` table that already holds BENCH_DAYS (default 365) days.
Baseline: the same one-day load into a table that holds 7 days.
A ratio near 1 means the load costs the days it touches (facts are partitioned by business
date and merged by a dynamic partition overwrite). Also recorded: the same load into an
unpartitioned table of the same history (``unpartitioned_s``: the default whole-table rewrite).

Spark local (``local[2]``) in a temp warehouse; BENCH_ROWS (default 200000) rows of history
over the days; best of BENCH_REPEAT (default 2) runs. Needs java and pyspark.
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


def _with_days(table: pa.Table, first: dt.date, days: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, days, table.num_rows)
    dates = np.datetime64(first, "D") + offsets.astype("timedelta64[D]")
    return table.set_column(table.column_names.index("paid_date"), "paid_date", pa.array(dates).cast(pa.date32()))


def run() -> list[dict]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    tmp = tempfile.mkdtemp(prefix="bench-spark-")
    os.environ["SHOPOPS_SPARK_WAREHOUSE"] = os.path.join(tmp, "spark")
    from shopops.warehouse.backends.spark import spark_connect
    from shopops.warehouse.loader import ensure_tables, load

    con = spark_connect("pyspark://local[2]?database=bench")
    first = dt.date(2025, 1, 1)
    base = order_lines(ROWS)
    day_rows = max(ROWS // DAYS, 1)
    results = {}
    for label, days in (("history", DAYS), ("baseline", 7), ("unpartitioned", DAYS)):
        timings = []
        for r in range(REPEAT):
            con._session.sql("DROP TABLE IF EXISTS order_lines")
            # partitioned by day (opt-in) for the subject and its baseline; the default rewrite otherwise
            os.environ["SHOPOPS_SPARK_PARTITION_BY_DAY"] = "" if label == "unpartitioned" else "1"
            ensure_tables(con, ["order_lines"])
            history = _with_days(base.slice(0, day_rows * days), first, days, seed=r)
            load(con, "order_lines", history)
            new_day = _with_days(base.slice(ROWS - day_rows, day_rows), first + dt.timedelta(days=days), 1, seed=r)
            new_day = new_day.set_column(new_day.column_names.index("order_id"), "order_id",
                                         pc.binary_join_element_wise(new_day.column("order_id"), "N", ""))
            changed = history.slice(0, max(day_rows // 50, 1))
            changed = changed.set_column(changed.column_names.index("quantity"), "quantity",
                                         pc.add(changed.column("quantity"), 1).cast(pa.int32()))
            batch = pa.concat_tables([new_day, changed])
            t0 = time.perf_counter()
            load(con, "order_lines", batch)
            timings.append(time.perf_counter() - t0)
        results[label] = min(timings)
    return [{
        "case": f"spark_load_one_day_into_{DAYS}_days",
        "subject_s": results["history"], "baseline_s": results["baseline"],
        "rows_per_day": day_rows, "baseline": "the same one-day load into 7 days of history",
        "unpartitioned_s": results["unpartitioned"],
    }]
