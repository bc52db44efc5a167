"""A large sales-lines file is split in parts by order and by buyer: orders whose lines are at the
start and at the end of the file still come out whole, a buyer's first-seen time is their
earliest order anywhere in the file, a product keeps its last title — the same tables as the
in-memory split (an independent path: one frame, one group-by), plus hand-counted values."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from shopops.ingest import pipeline
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_from_toml
from shopops.warehouse.connection import connect

PROFILE = profile_from_toml('''
id = "test_sales_lines"
table = "sales_lines"
name_zh = "测试"
name_en = "test"
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
''')
HEADER = "订单号,买家,状态,下单时间,付款时间,商品ID,商品名称,数量,单价,退款金额,省份"
TABLES = ("orders", "order_lines", "refunds", "customers", "products")


def big_file(path: Path, filler: int) -> Path:
    """O-split has a line first and a line last; buyer b1 orders first late in the file, then early."""
    rows = [HEADER,
            "O-split,b1,已完成,2025-03-02 10:00:00,2025-03-02 10:01:00,P1,旧名,2,10.00,,浙江",
            "O-guest,,待付款,2025-03-01 08:00:00,,P2,,1,5.50,,"]
    for i in range(filler):
        rows.append(f"F{i},u{i % 37},已完成,2025-03-0{1 + i % 9} 12:00:00,2025-03-0{1 + i % 9} 12:05:00,"
                    f"P{3 + i % 11},商品{i % 11},{1 + i % 3},{10 + i % 7}.00,{'1.00' if i % 50 == 0 else ''},江苏")
    rows += ["O-early,b1,已完成,2025-01-05 09:00:00,2025-01-05 09:30:00,P1,新名,1,10.00,,上海",
             "O-split,b1,已完成,2025-03-02 10:00:00,2025-03-02 10:01:00,P2,,3,5.50,2.00,浙江"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def tables(con) -> dict[str, pl.DataFrame]:
    return {t: pl.from_arrow(con.table(t).to_pyarrow()).sort(pl.all()) for t in TABLES}


def test_a_file_in_parts_gives_the_tables_of_the_in_memory_split(tmp_path, monkeypatch):
    path = big_file(tmp_path / "lines.csv", 3000)
    size = path.stat().st_size
    got = {}
    for mode, part_bytes in (("memory", size * 2), ("parts", size // 7)):
        monkeypatch.setattr(pipeline, "SALES_PART_BYTES", part_bytes)
        con = connect(f"duckdb:///{tmp_path / mode}.duckdb")
        out = import_file(path, profile=PROFILE, con=con, store_id="tmall", strict=True)
        assert out.loaded and out.rows_rejected == 0
        got[mode] = (out, tables(con))
    (mem_out, mem), (parts_out, parts) = got["memory"], got["parts"]
    assert {t: (r.inserted, r.updated) for t, r in parts_out.tables.items()} == {
        t: (r.inserted, r.updated) for t, r in mem_out.tables.items()}
    for t in TABLES:
        assert parts[t].equals(mem[t]), t
    # by hand: O-split's two lines, 2 × 10.00 + 3 × 5.50, though 3,002 lines lie between them
    orders = {r["order_id"]: r for r in parts["orders"].iter_rows(named=True)}
    assert orders["O-split"]["paid_amount"] == Decimal("36.50") and orders["O-split"]["goods_amount"] == Decimal("36.50")
    assert orders["O-guest"]["customer_id"] == "guest:O-guest" and orders["O-guest"]["paid_at"] is None
    split_lines = parts["order_lines"].filter(pl.col("order_id") == "O-split").sort("line_no")
    assert split_lines["line_no"].to_list() == [1, 2] and split_lines["product_id"].to_list() == ["P1", "P2"]
    buyers = {r["customer_id"]: r for r in parts["customers"].iter_rows(named=True)}
    # b1 first ordered on 2025-01-05 09:00 Shanghai (01:00 UTC), a line near the end of the file
    assert buyers["b1"]["first_seen_at"] == dt.datetime(2025, 1, 5, 1, 0, tzinfo=dt.UTC)
    assert buyers["b1"]["province"] == "浙江"  # the latest order's
    titles = dict(parts["products"].select("product_id", "title").iter_rows())
    # P1's title changed on a line near the end; P2 never has one; P13's (i % 11 == 10) never changes
    assert titles["P1"] == "新名" and titles["P2"] is None and titles["P13"] == "商品10"
    refunds = parts["refunds"].filter(pl.col("order_id") == "O-split")
    assert refunds["refund_id"].to_list() == ["O-split-2"] and refunds["amount"].to_list() == [Decimal("2.00")]
    assert len(parts["order_lines"]) == 3004 and len(parts["orders"]) == 3003


@pytest.mark.parametrize("strict", [False, True])
def test_a_repeated_line_in_another_part_of_the_file_is_rejected_as_in_memory(tmp_path, monkeypatch, strict):
    path = big_file(tmp_path / "lines.csv", 500)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "O-split,b9,已完成,2024-01-01 00:00:00,,P9,别名,1,1.00,,\n", encoding="utf-8")
    size = path.stat().st_size
    outs = []
    for mode, part_bytes in (("memory", size * 2), ("parts", size // 5)):
        monkeypatch.setattr(pipeline, "SALES_PART_BYTES", part_bytes)
        con = connect(f"duckdb:///{tmp_path / mode}.duckdb")
        out = import_file(path, profile=PROFILE, con=con, store_id="tmall", strict=strict)
        outs.append((out, tables(con) if out.loaded else None))
    (mem_out, mem), (parts_out, parts) = outs
    assert [(r.row, r.column, r.reason) for r in parts_out.rejects] == [(r.row, r.column, r.reason) for r in mem_out.rejects]
    # line_no is the rank within the order: the third O-split line repeats no key; it is a third line
    assert parts_out.loaded == mem_out.loaded
    if parts is not None:
        for t in TABLES:
            assert parts[t].equals(mem[t]), t
        # b9 is seen only on that last line, dated before everything else
        b9 = parts["customers"].filter(pl.col("customer_id") == "b9")
        assert b9["first_seen_at"].to_list() == [dt.datetime(2023, 12, 31, 16, 0, tzinfo=dt.UTC)]


def test_orders_scattered_over_blocks_and_parts_match_a_pandas_reading(tmp_path, monkeypatch):
    """400 orders of 1–6 lines each, the lines shuffled over the whole file, read in 4 KiB blocks and
    split in 9 parts (each table staged, merged once): every order's totals, its lines, refunds and
    buyers are what pandas computes from the same text."""
    import random

    import pandas as pd

    from shopops.ingest import readers

    rnd = random.Random(13)
    lines = []
    for o in range(400):
        buyer = f"u{rnd.randrange(90)}"
        day = 1 + rnd.randrange(28)
        created = f"2025-0{1 + o % 9}-{day:02d} {rnd.randrange(24):02d}:{rnd.randrange(60):02d}:00"
        paid = "" if o % 17 == 0 else created[:-2] + "30"
        status = "待付款" if paid == "" else "已完成"
        for _ in range(1 + rnd.randrange(6)):
            refund = f"{rnd.randrange(1, 9)}.50" if rnd.random() < 0.1 else ""
            lines.append(f"O{o},{buyer},{status},{created},{paid},P{rnd.randrange(40)},,{1 + rnd.randrange(4)},"
                         f"{rnd.randrange(1, 300)}.{rnd.randrange(100):02d},{refund},江苏")
    rnd.shuffle(lines)
    path = tmp_path / "scattered.csv"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(readers, "BLOCK_BYTES", 1 << 12)
    monkeypatch.setattr(pipeline, "SALES_PART_BYTES", path.stat().st_size // 9)
    con = connect(f"duckdb:///{tmp_path / 'w'}.duckdb")
    out = import_file(path, profile=PROFILE, con=con, store_id="tmall", strict=True)
    assert out.loaded and out.rows_rejected == 0 and out.rows_read == len(lines)
    got = tables(con)

    # the oracle: pandas over the same text
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["amount"] = df["单价"].map(Decimal) * df["数量"].astype(int)
    df["line_no"] = df.groupby("订单号").cumcount() + 1  # rank within the order, in file order
    want = df.groupby("订单号").agg(n=("amount", "size"), total=("amount", "sum"), buyer=("买家", "first"),
                                   paid=("付款时间", "first"))
    orders = {r["order_id"]: r for r in got["orders"].iter_rows(named=True)}
    assert sorted(orders) == sorted(want.index)
    for oid, w in want.iterrows():
        o = orders[oid]
        assert (o["paid_amount"], o["goods_amount"], o["customer_id"]) == (w["total"], w["total"], w["buyer"]), oid
        assert str(o["paid_date"] or "") == w["paid"][:10], oid
    order_lines = got["order_lines"]
    assert order_lines.height == len(df)
    assert (order_lines.group_by("order_id").len().sort("order_id").rows()
            == sorted((oid, n) for oid, n in want["n"].items()))
    by_key = {(r["order_id"], r["line_no"]): r for r in order_lines.iter_rows(named=True)}
    for r in df.itertuples():
        line = by_key[(r.订单号, r.line_no)]
        assert (line["product_id"], line["quantity"], line["paid_amount"]) == (r.商品ID, int(r.数量), r.amount)
        assert str(line["paid_date"] or "") == r.付款时间[:10]
    refunds = df[df["退款金额"] != ""]
    assert sorted(got["refunds"].select("refund_id", "amount").rows()) == sorted(
        (f"{r.订单号}-{r.line_no}", Decimal(r.退款金额)) for r in refunds.itertuples())
    first_seen = (pd.to_datetime(df["下单时间"]) - pd.Timedelta(hours=8)).groupby(df["买家"]).min()
    assert {r["customer_id"]: r["first_seen_at"].replace(tzinfo=None) for r in got["customers"].iter_rows(named=True)} == {
        b: t.to_pydatetime() for b, t in first_seen.items()}


def test_a_gzip_file_is_streamed_by_the_size_of_its_text(tmp_path, monkeypatch):
    """A .csv.gz is sized by the text it unpacks to (its gzip trailer), not by its compressed bytes:
    a file whose text is over the part size streams in parts (and gives the in-memory tables)."""
    import gzip

    from shopops.ingest import sales_lines

    text = big_file(tmp_path / "lines.csv", 3000)
    packed = tmp_path / "lines.csv.gz"
    packed.write_bytes(gzip.compress(text.read_bytes()))
    assert packed.stat().st_size * 3 < text.stat().st_size  # the text compresses well
    calls = []
    real = sales_lines.normalise
    monkeypatch.setattr(sales_lines, "normalise", lambda *a, **k: calls.append(1) or real(*a, **k))
    got = {}
    for name, path in (("plain", text), ("gzip", packed)):
        monkeypatch.setattr(pipeline, "SALES_PART_BYTES", text.stat().st_size // 4)  # above the compressed size
        calls.clear()
        con = connect(f"duckdb:///{tmp_path / name}.duckdb")
        out = import_file(path, profile=PROFILE, con=con, store_id="tmall", strict=True)
        assert out.loaded and len(calls) >= 4, (name, len(calls))  # one normalise per part
        got[name] = tables(con)
    for t in TABLES:
        assert got["gzip"][t].equals(got["plain"][t]), t


CANCEL_PROFILE = profile_from_toml('''
id = "test_sales_lines_cancel"
table = "sales_lines"
name_zh = "测试"
name_en = "test"
[options]
guest_customer = true
paid_at_from_created = true
default_status = "completed"
cancel_prefix = "C"
[columns]
"订单号" = { to = "order_id", type = "id", required = true }
"买家" = { to = "customer_id" }
"下单时间" = { to = "created_at", type = "datetime", required = true }
"商品ID" = { to = "product_id", type = "id", required = true }
"商品名称" = { to = "title" }
"数量" = { to = "quantity", type = "int", required = true }
"单价" = { to = "unit_price", type = "money", required = true }
''')


def test_cancellations_stream_by_buyer_as_in_memory(tmp_path, monkeypatch):
    """With ``cancel_prefix`` the file streams too: a cancellation at the end of the file refunds its
    buyer's latest earlier order of the product at the start, as the in-memory split has it."""
    rows = ["订单号,买家,下单时间,商品ID,商品名称,数量,单价",
            "S1,b1,2025-03-01 10:00:00,P1,甲,2,10.00",
            "S2,b1,2025-03-02 10:00:00,P1,甲,1,10.00",
            "S3,b2,2025-03-02 10:00:00,P1,甲,1,10.00"]
    for i in range(3000):
        day = 1 + i % 9
        oid = f"C{i}" if i % 25 == 0 else f"F{i}"
        qty = -1 if oid.startswith("C") else 1 + i % 3
        rows.append(f"{oid},u{i % 41},2025-04-0{day} 12:00:00,P{i % 13},商品{i % 13},{qty},{10 + i % 7}.00")
    rows += ["C-b1,b1,2025-03-03 09:00:00,P1,甲,-1,10.00",  # refunds S2 (b1's latest P1 before it), not S1 or S3
             "C-guest,,2025-03-03 09:00:00,P1,甲,-1,10.00"]  # no buyer: refunds itself
    path = tmp_path / "cancels.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    size = path.stat().st_size
    got = {}
    for mode, part_bytes in (("memory", size * 2), ("parts", size // 7)):
        monkeypatch.setattr(pipeline, "SALES_PART_BYTES", part_bytes)
        con = connect(f"duckdb:///{tmp_path / mode}.duckdb")
        out = import_file(path, profile=CANCEL_PROFILE, con=con, store_id="tmall", strict=True)
        assert out.loaded and out.rows_rejected == 0
        got[mode] = tables(con)
    for t in TABLES:
        assert got["parts"][t].equals(got["memory"][t]), t
    refunds = {r["refund_id"]: r for r in got["parts"]["refunds"].iter_rows(named=True)}
    assert (refunds["C-b1-1"]["order_id"], refunds["C-b1-1"]["amount"]) == ("S2", Decimal("10.00"))
    assert refunds["C-guest-1"]["order_id"] == "C-guest"
    assert len(refunds) == 3000 // 25 + 2 and "C-b1" not in set(got["parts"]["orders"]["order_id"])
