"""Peak memory of importing a large ``sales_lines`` file (one row per order line, the order's
fields repeated; an order's lines scattered over the whole file).

Each size in BENCH_SALES_ROWS (default ``1000000,2000000,5000000``) is written once, then
imported by a child process into a fresh DuckDB warehouse (``strict``) with the test layout
below (order, buyer, status, created and paid times, product, title, quantity, price, refund,
province); the child reports its peak RSS (``VmHWM`` of /proc/self/status: ru_maxrss would carry
this process's peak across the fork), its CPU time (every thread) and the CPU per stage. The
load average before and after each child is recorded with it. Single runs.

    PYTHONPATH=src python bench/bench_sales_lines.py            # every size
    BENCH_SALES_ROWS=2000000 python bench/bench_sales_lines.py  # one size
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

SIZES = [int(s) for s in os.environ.get("BENCH_SALES_ROWS", "1000000,2000000,5000000").split(",") if s]
PROFILE_TOML = '''
id = "bench_sales_lines"
table = "sales_lines"
name_zh = "测试"
name_en = "bench"
[options]
guest_customer = true
[columns]
"订单号" = { to = "order_id", type = "id", required = true }
"买家" = { to = "customer_id" }
"状态" = { to = "status", type = "status", required = true }
"下单时间" = { to = "created_at", type = "datetime", required = true }
"付款时间" = { to = "paid_at", type = "datetime" }
"商品ID" = { to = "product_id", type = "id", required = true }
"商品名称" = { to = "title" }
"数量" = { to = "quantity", type = "int", required = true }
"单价" = { to = "unit_price", type = "money", required = true }
"退款金额" = { to = "refund_amount", type = "money" }
"省份" = { to = "province" }
[status]
"已完成" = "completed"
"待付款" = "pending_payment"
'''
PROVINCES = np.array(["浙江", "江苏", "上海", "广东", "北京", "四川", "山东", "湖北"])


def write_sales_csv(path: Path, n: int, seed: int = 20251111) -> None:
    """``n`` lines of about n/2.5 orders over 365 days; each line's order drawn at random, so an
    order's lines lie anywhere in the file; order fields are functions of the order."""
    rng = np.random.default_rng(seed)
    orders = max(1, int(n / 2.5))
    order = rng.integers(0, orders, n)
    buyer = (order * 7919) % max(1, orders // 3)
    day0 = np.datetime64(dt.datetime(2025, 1, 1), "s")
    created = day0 + ((order * 86_400 * 365) // orders + order % 3_600).astype("timedelta64[s]")
    pending = order % 40 == 0
    product = rng.integers(1, 5_000, n)
    cents = 990 + (product * 37) % 90_000
    refund = np.where(rng.random(n) < 0.02, cents // 2, -1)

    def text(values) -> pa.Array:
        return pa.array(values).cast(pa.string())

    def times(values: np.ndarray) -> pa.Array:
        return pc.strftime(pa.array(values), format="%Y-%m-%d %H:%M:%S")

    def money(c: np.ndarray) -> pa.Array:
        return pc.binary_join_element_wise(text(c // 100), pc.utf8_lpad(text(c % 100), 2, "0"), ".")

    table = pa.table({
        "订单号": pc.binary_join_element_wise("O", text(order), ""),
        "买家": pc.binary_join_element_wise("u", text(buyer), ""),
        "状态": pa.array(np.where(pending, "待付款", "已完成")),
        "下单时间": times(created),
        "付款时间": pc.if_else(pa.array(pending), pa.nulls(n, pa.string()), times(created + np.timedelta64(90, "s"))),
        "商品ID": pc.binary_join_element_wise("P", text(product), ""),
        "商品名称": pc.binary_join_element_wise("商品", text(product % 1_000), ""),
        "数量": text(1 + product % 3),
        "单价": money(cents),
        "退款金额": pc.if_else(pa.array(refund < 0), pa.nulls(n, pa.string()), money(np.maximum(refund, 0))),
        "省份": pa.array(PROVINCES[buyer % len(PROVINCES)]),
    })
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="none"))


def import_child(path: Path, warehouse: Path) -> dict:
    """In this process: import ``path`` strictly into a fresh warehouse; peak RSS and CPU."""
    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_from_toml
    from shopops.warehouse.connection import connect, disconnect_all

    con = connect(f"duckdb:///{warehouse}")
    started, cpu = time.perf_counter(), time.process_time()
    out = import_file(path, profile=profile_from_toml(PROFILE_TOML), con=con, store_id="tmall", strict=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert out.loaded and out.rows_rejected == 0, (out.rejects[:5], out.warnings)
    disconnect_all()
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    return {"wall_s": round(seconds, 1), "cpu_s": round(cpu, 1), "peak_rss_mb": round(peak / 1024),
            "stage_cpu_s": {k: round(v[1], 1) for k, v in out.stages.items()},
            "tables": {t: [r.rows, r.inserted] for t, r in out.tables.items()}}


def run() -> list[dict]:
    rows = []
    keep = os.environ.get("BENCH_SALES_DIR")
    with tempfile.TemporaryDirectory(prefix="shopops-bench-sales-") as tmp:
        files = Path(keep or tmp)
        files.mkdir(parents=True, exist_ok=True)
        for n in SIZES:
            path = files / f"sales-{n}.csv"
            if not path.exists():
                write_sales_csv(path, n)
            code = ("import sys, json; sys.path.insert(0, %r); import bench_sales_lines as b; from pathlib import Path; "
                    "print(json.dumps(b.import_child(Path(%r), Path(%r))))") % (
                str(Path(__file__).parent), str(path), str(Path(tmp) / f"wh-{n}.duckdb"))
            load = os.getloadavg()[0]
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if out.returncode:
                rows.append({"rows": n, "error": out.stderr.strip().splitlines()[-3:], "returncode": out.returncode,
                             "load_avg": load})
                print(rows[-1], flush=True)
                continue
            row = {"rows": n, "file_mb": round(path.stat().st_size / 2**20), **json.loads(out.stdout.strip().splitlines()[-1]),
                   "goal_mb": 600, "load_avg": f"{load:.1f}–{os.getloadavg()[0]:.1f}"}
            rows.append(row)
            print(row, flush=True)
    return rows


if __name__ == "__main__":
    run()
