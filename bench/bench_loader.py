"""Loading order lines through the warehouse loader vs DuckDB's own bulk path.

Subject: ``shopops.warehouse.loader.load(con, "order_lines", table)`` into an empty
canonical table (conform + stage + duplicate-key check + merge, one transaction).
Baseline: ``CREATE TABLE … AS SELECT * FROM arrow_table`` in a plain DuckDB
connection — the fastest way DuckDB itself takes the same Arrow data.
Re-load: the same data loaded again (every row unchanged, nothing written) against
the same baseline.

Both sides write a fresh database file in a temp dir; best of BENCH_REPEAT runs.
BENCH_ROWS (default 500000) sets the size.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROWS = int(os.environ.get("BENCH_ROWS", "500000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
STORES = np.array(["tmall", "taobao", "jd", "pdd", "douyin", "own"])


def order_lines(n: int, seed: int = 20251111) -> pa.Table:
    """Synthetic order lines shaped like the canonical table (about 2.5 lines per order)."""
    rng = np.random.default_rng(seed)
    new_order = rng.random(n) < 0.4
    new_order[0] = True
    order_idx = np.cumsum(new_order) - 1
    starts = np.flatnonzero(new_order)
    line_no = (np.arange(n) - starts[order_idx] + 1).astype(np.int32)

    def labels(prefix: str, values: np.ndarray) -> pa.Array:
        return pc.binary_join_element_wise(prefix, pa.array(values).cast(pa.string()), "")

    product = rng.integers(1, 2_000, n)
    quantity = rng.integers(1, 6, n).astype(np.int32)
    unit_cents = rng.integers(990, 99_900, n)
    discount_cents = (unit_cents * quantity * rng.choice([0, 0, 0.05, 0.1, 0.2], n)).astype(np.int64)
    paid_cents = unit_cents * quantity - discount_cents
    day0 = np.datetime64(dt.date(2025, 1, 1), "D")
    paid_date = day0 + (order_idx % 365).astype("timedelta64[D]")

    def money(cents: np.ndarray) -> pa.Array:
        return pa.array(cents / 100.0).cast(pa.decimal128(18, 2))

    return pa.table(
        {
            "store_id": pa.array(STORES[order_idx % len(STORES)]),
            "order_id": labels("O", order_idx),
            "line_no": pa.array(line_no),
            "product_id": labels("P", product),
            "sku_id": labels("S", product * 10 + rng.integers(0, 4, n)),
            "quantity": pa.array(quantity),
            "unit_price": money(unit_cents),
            "discount_amount": money(discount_cents),
            "paid_amount": money(paid_cents),
            "paid_date": pa.array(paid_date),
        }
    )


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _baseline(table: pa.Table, path: Path) -> float:
    con = duckdb.connect(str(path))
    try:
        con.register("arrow_table", table)
        return _timed(lambda: con.execute("CREATE TABLE order_lines AS SELECT * FROM arrow_table"))
    finally:
        con.close()


def _subject(table: pa.Table, path: Path) -> tuple[float, float]:
    from shopops.warehouse import connection, loader

    url = f"duckdb:///{path}"
    con = connection.connect(url)
    try:
        loader.ensure_tables(con, ["order_lines"])
        first = _timed(lambda: loader.load(con, "order_lines", table))
        again = _timed(lambda: _noop(loader.load(con, "order_lines", table), len(table)))
        return first, again
    finally:
        connection.disconnect_all()


def _noop(result, rows: int) -> None:
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, rows), result


def run() -> list[dict]:
    table = order_lines(ROWS)
    base, first, again = [], [], []
    with tempfile.TemporaryDirectory(prefix="shopops-bench-") as tmp:
        for i in range(REPEAT):
            base.append(_baseline(table, Path(tmp) / f"baseline{i}.duckdb"))
            f, a = _subject(table, Path(tmp) / f"subject{i}.duckdb")
            first.append(f)
            again.append(a)
    baseline_s = min(base)
    note = "duckdb CREATE TABLE AS SELECT * FROM arrow"
    return [
        {"case": "load_order_lines", "rows": ROWS, "subject_s": min(first), "baseline_s": baseline_s,
         "ratio": min(first) / baseline_s, "baseline": note},
        {"case": "reload_unchanged", "rows": ROWS, "subject_s": min(again), "baseline_s": baseline_s,
         "ratio": min(again) / baseline_s, "baseline": note},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
