"""The full path stages every checked block in a temporary file and merges once: a GBK file
whose order's lines fall in different blocks loads what a pandas reading of the same text
gives; a key repeated anywhere in the file — the same block or a later one — is rejected naming its
first row on every path (staged, block by block, PostgreSQL, the fast path's hand-over); a
strict import with a reject, or one failing in its last block, leaves the warehouse unchanged;
the same file twice changes nothing.

Expected values: pandas (an independent reader and typing) and hand counts.
"""

from decimal import Decimal

import pandas as pd
import polars as pl
import pytest

from shopops.core.errors import ValidationError
from shopops.ingest import fast_csv, readers
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get
from shopops.warehouse.loader import transaction

LINES = profile_get("shopops_order_lines")
ELIGIBLE = fast_csv.eligible
HEADER = "订单编号,行号,商品ID,SKU ID,购买数量,商品单价,分摊优惠,实付金额,付款时间"


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(readers, "BLOCK_BYTES", 1 << 12)  # 4 KiB blocks: dozens of them
    monkeypatch.setattr(fast_csv, "eligible", lambda *a: False)  # the full path


def lines_text(n: int) -> str:
    rows = [HEADER, "O-split,1,商品甲,S1,2,10.00,1.00,19.00,2025-03-02 10:00:00"]
    rows += [f"F{i},1,商品{i % 7},S{i % 5},{1 + i % 3},{10 + i % 9}.50,,{(10 + i % 9) * (1 + i % 3)}.00,"
             f"2025-03-0{1 + i % 9} 12:00:00" for i in range(n)]
    rows.append("O-split,2,商品乙,,3,5.50,0.50,16.00,2025-03-02 10:00:00")
    return "\n".join(rows) + "\n"


def test_a_gbk_file_in_many_blocks_loads_what_pandas_reads(warehouse, tmp_path, small_blocks):
    path = tmp_path / "lines.csv"
    path.write_bytes(lines_text(2000).encode("gb18030"))
    out = import_file(path, profile=LINES, con=warehouse, store_id="tmall", strict=True)
    assert out.loaded and not out.fast and out.rows_rejected == 0 and out.inserted == 2002
    got = pl.from_arrow(warehouse.table("order_lines").to_pyarrow()).sort("order_id", "line_no")
    want = pd.read_csv(path, encoding="gb18030", dtype=str).rename(columns={
        "订单编号": "order_id", "行号": "line_no", "商品ID": "product_id", "SKU ID": "sku_id", "购买数量": "quantity",
        "商品单价": "unit_price", "分摊优惠": "discount_amount", "实付金额": "paid_amount", "付款时间": "paid_at"})
    want = want.sort_values(["order_id", "line_no"], key=lambda c: c.astype(int) if c.name == "line_no" else c)
    assert got["order_id"].to_list() == want["order_id"].to_list()
    assert got["product_id"].to_list() == want["product_id"].to_list()
    assert got["quantity"].to_list() == want["quantity"].astype(int).to_list()
    assert got["paid_amount"].to_list() == [Decimal(v) for v in want["paid_amount"]]
    assert got["paid_date"].cast(pl.String).to_list() == want["paid_at"].str[:10].to_list()
    split = got.filter(pl.col("order_id") == "O-split")
    assert split["product_id"].to_list() == ["商品甲", "商品乙"] and split["sku_id"].to_list() == ["S1", None]
    again = import_file(path, profile=LINES, con=warehouse, store_id="tmall", strict=True)
    assert (again.inserted, again.updated) == (0, 0)
    assert warehouse.table("order_lines").count().execute() == 2002


KEY = "订单编号, 行号"  # the key as the file names it: its columns (the import's store is no column of the file)


@pytest.fixture(params=["staged", "block by block", pytest.param("postgres", marks=pytest.mark.postgres), "fast first"])
def repeat_import(request, tmp_path, small_blocks, monkeypatch):
    """Import on each path: the staged full path (DuckDB); block after block (DuckDB inside a caller's
    transaction, the path of PostgreSQL and Spark); PostgreSQL; and the fast path first (which flags
    the repeat and hands the file to the full path)."""
    from conftest import _any_warehouse

    if request.param == "fast first":
        monkeypatch.setattr(fast_csv, "eligible", ELIGIBLE)  # blocks stay small
    engine = "postgres" if request.param == "postgres" else "duckdb"
    with _any_warehouse(engine, request, tmp_path, monkeypatch) as con:

        def run(path, strict):
            if request.param == "block by block":
                with transaction(con):
                    return import_file(path, profile=LINES, con=con, store_id="tmall", strict=strict), con
            return import_file(path, profile=LINES, con=con, store_id="tmall", strict=strict), con

        yield run


@pytest.mark.parametrize("strict", [False, True])
def test_a_key_repeated_anywhere_in_the_file_is_rejected_naming_its_first_row(repeat_import, tmp_path, strict):
    """O-split line 1 is row 2 (the first block of 4 KiB); it comes again on row 3 (the same block)
    and on rows 505 and 506 (the last block, after 500 others and O-split line 2 on row 504): each is
    a duplicate of row 2, whatever the block."""
    text = lines_text(500).splitlines()
    text.insert(2, "O-split,1,商品丁,S8,1,2.00,,2.00,2025-03-04 10:00:00")  # row 3
    text += ["O-split,1,商品丙,S9,7,1.00,,7.00,2025-03-05 10:00:00",  # row 505
             "O-split,1,商品戊,S7,5,1.00,,5.00,2025-03-06 10:00:00"]  # row 506
    path = tmp_path / "lines.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    out, con = repeat_import(path, strict)
    assert [(r.row, r.column, r.value, r.reason) for r in out.rejects] == [
        (row, KEY, "O-split, 1", f"duplicate of row 2 (same {KEY})") for row in (3, 505, 506)]
    assert out.rows_rejected == 3 and out.rows_read == 505
    rows = pl.from_arrow(con.table("order_lines").to_pyarrow())
    if strict:
        assert not out.loaded and rows.height == 0
        return
    assert out.loaded and rows.height == 502  # 505 lines, 3 of them repeats
    first = rows.filter((pl.col("order_id") == "O-split") & (pl.col("line_no") == 1)).row(0, named=True)
    assert (first["product_id"], first["quantity"], str(first["paid_date"])) == ("商品甲", 2, "2025-03-02")


@pytest.mark.parametrize("strict", [True, False])
def test_an_import_failing_in_its_last_block_or_rejected_in_strict_mode_leaves_nothing(warehouse, tmp_path, small_blocks,
                                                                                   strict):
    day = tmp_path / "day.csv"
    day.write_text(HEADER + "\nD1,1,P1,S1,1,1.00,,1.00,2025-01-01 10:00:00\n", encoding="utf-8")
    assert import_file(day, profile=LINES, con=warehouse, store_id="tmall").inserted == 1
    before = pl.from_arrow(warehouse.table("order_lines").to_pyarrow())
    broken = tmp_path / "broken.csv"  # a row with one field too many near the end: the reader stops there
    broken.write_text(lines_text(800) + "X1,1,P1,S1,1,1.00,,1.00,2025-01-01 10:00:00,extra\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="different number of fields"):
        import_file(broken, profile=LINES, con=warehouse, store_id="tmall", strict=strict)
    rejected = tmp_path / "rejected.csv"
    rejected.write_text(lines_text(800) + "X2,1,P1,S1,x,1.00,,1.00,2025-01-01 10:00:00\n", encoding="utf-8")
    out = import_file(rejected, profile=LINES, con=warehouse, store_id="tmall", strict=True)
    assert not out.loaded and [(r.row, r.column, r.value) for r in out.rejects] == [(804, "购买数量", "x")]  # header, O-split, 800, O-split, X2
    assert pl.from_arrow(warehouse.table("order_lines").to_pyarrow()).equals(before)
