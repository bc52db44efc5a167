"""Importing an order-lines CSV end to end vs DuckDB's own read_csv, and peak memory.

Subject: ``shopops.ingest.pipeline.import_file`` with the ``shopops_order_lines``
profile (read -> type every column -> reject set -> derive business dates -> merge by
natural key) into a fresh DuckDB warehouse.
Baseline: ``CREATE TABLE t AS SELECT * FROM read_csv('same file')`` in plain DuckDB —
no validation, no typing rules, no keys: the floor any import can reach.
Memory: the import of a BENCH_BIG_ROWS-line file (default 5M) runs in a child process;
its peak RSS is reported next to the file size.

BENCH_INGEST_ROWS (default 1,000,000) sets the size of the timed file.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).parent))
from bench_loader import order_lines  # noqa: E402

ROWS = int(os.environ.get("BENCH_INGEST_ROWS", "1000000"))
BIG_ROWS = int(os.environ.get("BENCH_BIG_ROWS", "5000000"))
HEADERS = {
    "order_id": "订单编号", "line_no": "行号", "product_id": "商品ID", "sku_id": "SKU ID", "quantity": "购买数量",
    "unit_price": "商品单价", "discount_amount": "分摊优惠", "paid_amount": "实付金额",
}


def write_csv(path: Path, n: int) -> None:
    table = order_lines(n).drop_columns(["store_id"])
    paid_at = pc.strftime(pc.cast(table["paid_date"], pa.timestamp("s")), format="%Y-%m-%d 10:30:00")
    table = table.drop_columns(["paid_date"]).rename_columns([HEADERS[c] for c in HEADERS])
    table = table.append_column("付款时间", paid_at)
    pacsv.write_csv(table, path)


def import_once(path: Path, warehouse: Path) -> float:
    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_get
    from shopops.warehouse.connection import connect, disconnect_all

    con = connect(f"duckdb:///{warehouse}")
    started = time.perf_counter()
    out = import_file(path, profile=profile_get("shopops_order_lines"), con=con, store_id="tmall", strict=True)
    seconds = time.perf_counter() - started
    assert out.loaded and out.rows_rejected == 0, out
    disconnect_all()
    return seconds


def read_csv_baseline(path: Path, db: Path) -> float:
    con = duckdb.connect(str(db))
    started = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="shopops-bench-ingest-") as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "lines.csv"
        write_csv(csv_path, ROWS)
        subject = import_once(csv_path, tmp / "wh.duckdb")
        baseline = read_csv_baseline(csv_path, tmp / "plain.duckdb")
        rows.append({"case": "import 1 file vs duckdb read_csv", "rows": ROWS, "subject_s": subject,
                     "baseline_s": baseline, "rows_per_s": round(ROWS / subject)})
        again = import_once(csv_path, tmp / "wh.duckdb")
        rows.append({"case": "re-import (all unchanged)", "rows": ROWS, "subject_s": again, "baseline_s": baseline})

        big = tmp / "big.csv"
        write_csv(big, BIG_ROWS)
        code = (
            "import sys, resource; sys.path.insert(0, %r); import bench_ingest as b; from pathlib import Path; "
            "b.import_once(Path(%r), Path(%r)); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        ) % (str(Path(__file__).parent), str(big), str(tmp / "big.duckdb"))
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
        peak_mb = int(out.stdout.strip().splitlines()[-1]) / 1024
        rows.append({"case": "peak memory, big file", "rows": BIG_ROWS, "subject_s": seconds, "baseline_s": None,
                     "file_mb": round(big.stat().st_size / 2**20), "peak_rss_mb": round(peak_mb)})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
