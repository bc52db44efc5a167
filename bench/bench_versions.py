"""Reading the data version vs scanning the facts for their latest day.

Subject: ``warehouse.versions.data_version(con, ["order_lines"], [store])`` — what every
cache of warehouse results is keyed by — on a DuckDB warehouse holding BENCH_ROWS (default
5,000,000) order lines loaded through the loader (so ``_data_versions`` is filled the way
imports fill it).
Baseline: what a data version cost before it was kept: ``SELECT max(paid_date) FROM
order_lines WHERE store_id = …`` — a scan of the store's facts — on the same warehouse.
Also recorded: the version read on a warehouse with 1,000 order lines, to show that its
cost does not depend on how many facts are stored.

Median of BENCH_REPEAT (default 200) reads each, warm.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench_loader import order_lines

ROWS = int(os.environ.get("BENCH_ROWS", "5000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))


def _median(fn) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _warehouse(path: Path, rows: int):
    from shopops.warehouse import connection, loader

    con = connection.connect(f"duckdb:///{path}")
    loader.ensure_tables(con, ["order_lines"])
    loader.load(con, "order_lines", order_lines(rows))
    return con


def run() -> list[dict]:
    from shopops.warehouse import connection, versions

    with tempfile.TemporaryDirectory(prefix="shopops-bench-") as tmp:
        small = _warehouse(Path(tmp) / "small.duckdb", 1000)
        small_s = _median(lambda: versions.data_version(small, ["order_lines"], ["tmall"]))
        connection.disconnect_all()
        con = _warehouse(Path(tmp) / "large.duckdb", ROWS)
        subject_s = _median(lambda: versions.data_version(con, ["order_lines"], ["tmall"]))
        baseline_s = _median(lambda: con.con.execute(
            "SELECT max(paid_date) FROM order_lines WHERE store_id = 'tmall'").fetchone())
        connection.disconnect_all()
    return [{"case": "data_version_read", "rows": ROWS, "subject_s": subject_s, "baseline_s": baseline_s,
             "version_read_on_1000_rows_s": small_s,
             "baseline": "max(paid_date) scan of the store's order lines"}]


if __name__ == "__main__":
    for row in run():
        print(row)
