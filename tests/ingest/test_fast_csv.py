"""The DuckDB fast path of an import (``ingest.fast_csv``): a clean file loads exactly what the
full path loads, and every file it is not sure about goes the full way with the same rejects.

Expected values: hand-counted for the small files below; for the parity cases the full
(Polars) path, a separate implementation of the rules, run on the same bytes.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from shopops.ingest import fast_csv
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get
from shopops.warehouse.connection import connect

ORDERS = profile_get("shopops_orders")
LINES = profile_get("shopops_order_lines")
ORDERS_HEADER = "订单编号,买家ID,订单状态,下单时间,付款时间,商品总金额,优惠金额,平台优惠,运费,实付金额,收货省份,收货城市,流量来源,是否预售"
LINES_HEADER = "订单编号,行号,商品ID,SKU ID,购买数量,商品单价,分摊优惠,实付金额,付款时间"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_clean_orders_file_takes_the_fast_path_with_hand_counted_values(warehouse, tmp_path):
    path = write(tmp_path, "orders.csv", ORDERS_HEADER + "\n"
                 "T1,u1,交易成功,2025-11-11 00:05:03,2025-11-11 00:06:00,1299.00,100.00,,0.00,1199.00,浙江,杭州,search,否\n"
                 "T2,u2,等待买家付款,2025-11-10 23:59:59,,50,0,,,50.5,,,,是\n")
    out = import_file(path, profile=ORDERS, con=warehouse, store_id="tmall", strict=True)
    assert out.fast and out.loaded and (out.rows_read, out.inserted, out.rows_rejected) == (2, 2, 0)
    rows = {r["order_id"]: r for r in pl.from_arrow(warehouse.table("orders").to_pyarrow()).iter_rows(named=True)}
    t1, t2 = rows["T1"], rows["T2"]
    # 00:05:03 in Shanghai (UTC+8) is 16:05:03 UTC the day before; its business date stays the 11th
    assert t1["created_at"] == dt.datetime(2025, 11, 10, 16, 5, 3, tzinfo=dt.UTC)
    assert t1["paid_at"] == dt.datetime(2025, 11, 10, 16, 6, tzinfo=dt.UTC) and t1["paid_date"] == dt.date(2025, 11, 11)
    assert t1["status"] == "completed" and t1["is_presale"] is False and t1["platform_discount"] is None
    assert t1["paid_amount"] == Decimal("1199.00") and t1["shipping_fee"] == Decimal("0.00")
    assert t2["status"] == "pending_payment" and t2["paid_at"] is None and t2["paid_date"] is None
    assert t2["paid_amount"] == Decimal("50.50") and t2["is_presale"] is True and t2["province"] is None
    again = import_file(path, profile=ORDERS, con=warehouse, store_id="tmall", strict=True)
    assert again.fast and (again.inserted, again.updated) == (0, 0)


def run_both(tmp_path: Path, path: Path, profile, monkeypatch, **kw):
    """(fast-enabled outcome, its table; full-path outcome, its table) on fresh warehouses."""
    results = []
    for mode in ("fast", "full"):
        with monkeypatch.context() as m:
            if mode == "full":
                m.setattr(fast_csv, "eligible", lambda *a: False)
            con = connect(f"duckdb:///{tmp_path / mode}.duckdb")
            out = import_file(path, profile=profile, con=con, store_id="tmall", **kw)
            table = pl.from_arrow(con.table(profile.table).to_pyarrow()) if profile.table in con.list_tables() else None
            results.append((out, None if table is None else table.sort(pl.all())))
    return results


CLEAN = [
    ("lf", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\nO1,2,P2,,1,5,,5,2025-01-02 00:30:00\n"),
    ("crlf", LINES_HEADER + "\r\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\r\nO2,1,P2,,1,5,,5,2025-01-02 00:30:00\r\n"),
    ("bom", "\ufeff" + LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("quoted", LINES_HEADER + '\n"O,1",1,"P ""x""",S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n'),
    ("no final newline", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00"),
    ("tab", LINES_HEADER.replace(",", "\t") + "\nO1\t1\tP1\tS1\t2\t10.00\t1.00\t19.00\t2025-01-01 23:30:00\n"),
    ("empty line (skipped by both readers)", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n\nO2,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("float id tail", LINES_HEADER + "\nO1,1,17850.0,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("no payment time, no order stored", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,\n"),
]
# files whose rows need a rule only the full path has, or whose rows it rejects
NOT_CLEAN = [
    ("spaces around", LINES_HEADER + "\nO1 ,1,P1,S1,2, 10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("ideographic space", LINES_HEADER + "\nO1,1,P1\u3000,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("thousands", LINES_HEADER + "\nO1,1,P1,S1,\"1,200\",¥1,299.00,1.00,19.00,2025/01/01 23:30:00\n"),
    ("bad money", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.001,2025-01-01 23:30:00\nO2,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("missing required", LINES_HEADER + "\nO1,,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\nO2,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("duplicate key", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\nO1,1,P2,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("control character", LINES_HEADER + "\nO1,1,P\x011,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("int overflow", LINES_HEADER + "\nO1,1,P1,S1,99999999999,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
    ("uneven row", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00\n"),
    ("long cell", LINES_HEADER + "\nO1,1," + "P" * 10_001 + ",S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"),
]


def _same(fast, full):
    (out_f, table_f), (out_s, table_s) = fast, full
    assert (out_f.loaded, out_f.rows_read, out_f.rows_rejected, out_f.inserted, out_f.updated) == (
        out_s.loaded, out_s.rows_read, out_s.rows_rejected, out_s.inserted, out_s.updated)
    assert [(r.row, r.column, r.value, r.reason) for r in out_f.rejects] == [
        (r.row, r.column, r.value, r.reason) for r in out_s.rejects]
    assert (table_f is None) == (table_s is None)
    if table_f is not None:
        assert table_f.equals(table_s), (table_f, table_s)


@pytest.mark.parametrize(("name", "text"), CLEAN, ids=[c[0] for c in CLEAN])
def test_a_clean_file_loads_fast_and_the_same_as_the_full_path(tmp_path, monkeypatch, name, text):
    path = write(tmp_path, "lines.csv", text)
    fast, full = run_both(tmp_path, path, LINES, monkeypatch)
    assert fast[0].fast and not full[0].fast and fast[0].rows_read >= 1
    _same(fast, full)


@pytest.mark.parametrize(("name", "text"), NOT_CLEAN, ids=[c[0] for c in NOT_CLEAN])
@pytest.mark.parametrize("strict", [False, True])
def test_a_file_needing_a_full_rule_goes_the_full_way_with_the_same_outcome(tmp_path, monkeypatch, name, text, strict):
    path = write(tmp_path, "lines.csv", text)
    try:
        fast, full = run_both(tmp_path, path, LINES, monkeypatch, strict=strict)
    except Exception as exc:  # a file the full path refuses whole: the same refusal either way
        with monkeypatch.context() as m:
            m.setattr(fast_csv, "eligible", lambda *a: False)
            with pytest.raises(type(exc)) as again:
                import_file(path, profile=LINES, con=connect(f"duckdb:///{tmp_path}/again.duckdb"), store_id="tmall",
                            strict=strict)
        assert str(again.value) == str(exc)
        return
    assert not fast[0].fast
    _same(fast, full)


def test_a_line_without_a_payment_time_takes_its_orders_paid_date_from_the_warehouse(tmp_path, monkeypatch):
    orders = write(tmp_path, "orders.csv", ORDERS_HEADER + "\n"
                   "T1,u1,交易成功,2025-11-10 23:00:00,2025-11-11 00:06:00,10.00,0,,0,10.00,,,,否\n"
                   "T2,u2,等待买家付款,2025-11-10 23:59:59,,5.00,0,,,5.00,,,,否\n")
    lines = write(tmp_path, "lines.csv", LINES_HEADER + "\n"
                  "T1,1,P1,S1,1,10.00,0,10.00,\n"  # paid order: its paid date (2025-11-11, Shanghai)
                  "T2,1,P1,S1,1,5.00,0,5.00,\n"  # unpaid order: none
                  "T3,1,P1,S1,1,5.00,0,5.00,\n"  # no order stored: none
                  "T4,1,P2,S1,1,5.00,0,5.00,2025-11-12 08:00:00\n")  # its own payment time
    got = []
    for mode in ("fast", "full"):
        with monkeypatch.context() as m:
            if mode == "full":
                m.setattr(fast_csv, "eligible", lambda *a: False)
            con = connect(f"duckdb:///{tmp_path / mode}.duckdb")
            import_file(orders, profile=ORDERS, con=con, store_id="tmall", strict=True)
            out = import_file(lines, profile=LINES, con=con, store_id="tmall", strict=True)
            assert out.fast is (mode == "fast") and out.loaded and out.inserted == 4
            got.append(pl.from_arrow(con.table("order_lines").to_pyarrow()).sort(pl.all()))
            paid = dict(con.con.execute("SELECT order_id, paid_date FROM order_lines").fetchall())
            assert paid == {"T1": dt.date(2025, 11, 11), "T2": None, "T3": None, "T4": dt.date(2025, 11, 12)}
            # the rollup of the 11th counts the line placed by its order's paid date
            assert con.con.execute("SELECT sum(item_gmv) FROM product_daily WHERE store_id = 'tmall' "
                                   "AND date = DATE '2025-11-11'").fetchone()[0] == Decimal("10.00")
    assert got[0].equals(got[1])


CUSTOMERS = profile_get("shopops_customers")
CUSTOMERS_HEADER = "买家ID,手机号,首次访问时间,省份,城市,性别,会员等级"


@pytest.mark.parametrize("pii_key", ["k", "长" * 30])  # a key over 64 bytes is hashed first (RFC 2104)
def test_a_customers_file_with_phones_takes_the_fast_path_hashed_and_masked_as_the_full_path(tmp_path, monkeypatch,
                                                                                             pii_key):
    import hashlib
    import hmac

    path = write(tmp_path, "customers.csv", CUSTOMERS_HEADER + "\n"
                 "c1,13812345678,2025-01-01 10:00:00,浙江,杭州,男,普通会员\n"
                 "c2,138****5678,,,,女,\n"  # masked by the platform: a mask, no unified id
                 "c3,,2025-01-02 10:00:00,,,,\n")
    fast, full = run_both(tmp_path, path, CUSTOMERS, monkeypatch, pii_key=pii_key)
    assert fast[0].fast and not full[0].fast
    _same(fast, full)
    rows = {r["customer_id"]: r for r in fast[1].iter_rows(named=True)}
    assert rows["c1"]["unified_id"] == hmac.new(pii_key.encode(), b"13812345678", hashlib.sha256).hexdigest()
    assert rows["c1"]["phone_masked"] == "138******78"
    assert (rows["c2"]["unified_id"], rows["c2"]["phone_masked"]) == (None, "138******78")
    assert (rows["c3"]["unified_id"], rows["c3"]["phone_masked"]) == (None, None)


@pytest.mark.parametrize("phone", ["+86 138-1234-5678", "8613812345678", "1381234567", "138 1234 5678"])
def test_a_phone_the_full_rule_rewrites_or_rejects_goes_the_full_way(tmp_path, monkeypatch, phone):
    path = write(tmp_path, "customers.csv", CUSTOMERS_HEADER + f"\nc1,{phone},,,,,\nc2,13812345678,,,,,\n")
    fast, full = run_both(tmp_path, path, CUSTOMERS, monkeypatch, pii_key="k")
    assert not fast[0].fast
    _same(fast, full)


def test_the_same_customers_file_under_another_pii_key_is_imported_again(warehouse, tmp_path):
    path = write(tmp_path, "customers.csv", CUSTOMERS_HEADER + "\nc1,13812345678,,,,,\n")
    import_file(path, profile=CUSTOMERS, con=warehouse, store_id="tmall", pii_key="a")
    assert import_file(path, profile=CUSTOMERS, con=warehouse, store_id="tmall", pii_key="a").unchanged_file
    again = import_file(path, profile=CUSTOMERS, con=warehouse, store_id="tmall", pii_key="b")
    assert not again.unchanged_file and again.updated == 1


def test_a_gbk_file_is_read_fast_from_a_utf8_copy_and_loads_what_the_full_path_loads(tmp_path, monkeypatch):
    path = write(tmp_path, "gbk.csv", LINES_HEADER + "\nO1,1,商品1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"
                 "O1,2,商品2,,1,5.00,,5.00,2025-01-02 00:30:00\n", "gb18030")
    fast, full = run_both(tmp_path, path, LINES, monkeypatch)
    assert fast[0].fast and not full[0].fast
    _same(fast, full)
    # by hand: the product ids are the Chinese text, decoded from GBK
    assert sorted(fast[1]["product_id"].to_list()) == ["商品1", "商品2"]


def test_a_gzip_file_is_read_fast_and_a_bad_gbk_value_still_goes_the_full_way(tmp_path, monkeypatch):
    import gzip

    gz = tmp_path / "lines.csv.gz"
    gz.write_bytes(gzip.compress((LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n").encode()))
    (tmp_path / "gz").mkdir()
    fast, full = run_both(tmp_path / "gz", gz, LINES, monkeypatch)
    assert fast[0].fast and fast[0].inserted == 1
    _same(fast, full)
    bad = write(tmp_path, "bad.csv", LINES_HEADER + "\nO1,1,商品1,S1,两,10.00,1.00,19.00,2025-01-01 23:30:00\n", "gb18030")
    (tmp_path / "bad").mkdir()
    fast, full = run_both(tmp_path / "bad", bad, LINES, monkeypatch)
    assert not fast[0].fast
    _same(fast, full)
    # by hand: row 2, column 购买数量, the value as written, decoded
    assert [(r.row, r.column, r.value) for r in fast[0].rejects] == [(2, "购买数量", "两")]


def test_the_same_file_again_stops_at_its_mark_until_its_table_changes(warehouse, tmp_path):
    first = write(tmp_path, "day1.csv", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n"
                  "O1,2,P2,,1,5.00,,5.00,2025-01-01 23:30:00\n")
    out = import_file(first, profile=LINES, con=warehouse, store_id="tmall")
    assert out.fast and not out.unchanged_file and out.inserted == 2
    again = import_file(first, profile=LINES, con=warehouse, store_id="tmall")
    assert again.unchanged_file and again.loaded and (again.rows_read, again.inserted, again.updated) == (2, 0, 0)
    # another store's write does not touch this store's version: still nothing to do
    import_file(first, profile=LINES, con=warehouse, store_id="jd")
    assert import_file(first, profile=LINES, con=warehouse, store_id="tmall").unchanged_file
    # a correction changes a row of the table: the first file is no longer known to match
    fix = write(tmp_path, "fix.csv", LINES_HEADER + "\nO1,2,P2,,3,5.00,,15.00,2025-01-01 23:30:00\n")
    assert import_file(fix, profile=LINES, con=warehouse, store_id="tmall").updated == 1
    back = import_file(first, profile=LINES, con=warehouse, store_id="tmall")
    assert not back.unchanged_file and (back.inserted, back.updated) == (0, 1)
    t = warehouse.table("order_lines")
    assert t.filter((t.store_id == "tmall") & (t.line_no == 2)).quantity.execute().tolist() == [1]
    assert import_file(first, profile=LINES, con=warehouse, store_id="tmall").unchanged_file
    # another time zone reads the same text as other instants: not the same import
    assert not import_file(first, profile=LINES, con=warehouse, store_id="tmall", tz="Europe/London").unchanged_file


def test_the_memory_limit_is_lowered_only_while_an_import_runs(warehouse, tmp_path, monkeypatch):
    from shopops.warehouse import loader

    settings = "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    before = warehouse.con.execute(settings).fetchone()
    assert before[1] is True  # DuckDB's default: kept, and kept again after
    seen, order_kept = [], []
    real = loader.load

    def spy(con, *a, **kw):
        limit, kept = con.con.execute(settings).fetchone()
        seen.append(limit)
        order_kept.append(kept)
        return real(con, *a, **kw)

    monkeypatch.setattr("shopops.ingest.pipeline.load", spy)
    monkeypatch.setenv("SHOPOPS_IMPORT_DUCKDB_MEMORY", "200MB")
    path = write(tmp_path, "lines.csv", LINES_HEADER + "\nO1,1,P1,S1,2,10.00,1.00,19.00,2025-01-01 23:30:00\n")
    assert import_file(path, profile=LINES, con=warehouse, store_id="tmall").inserted == 1
    bad = write(tmp_path, "bad.csv", LINES_HEADER + "\nO1,1,P1,S1,x,10.00,1.00,19.00,2025-01-01 23:30:00\n")
    assert import_file(bad, profile=LINES, con=warehouse, store_id="tmall").rows_rejected == 1
    assert seen and all(s.replace(" ", "").startswith(("190", "200")) for s in seen), seen  # 200MB as DuckDB shows it
    assert order_kept == [False] * len(seen)  # rows may be written in any order while an import runs
    assert warehouse.con.execute(settings).fetchone() == before


def test_the_rollup_refresh_runs_under_the_imports_memory_limit_a_month_at_a_time(warehouse, tmp_path, monkeypatch):
    """The refresh stays within the import's limit (the process stays bounded): a load touching a
    year of days recomputes a month of them per statement (a year in one statement ran out of 256 MB
    in a multi-million-line load); the limit is the database's default again after the import."""
    import pyarrow as pa

    from shopops.warehouse import rollups
    from shopops.warehouse.loader import load

    default = warehouse.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    seen, pieces = [], []
    real_replace = rollups._replace

    def spy(session, table, parts, **kw):
        seen.append(session.con.con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        pieces.append((table.name, sorted(parts["tmall"])))
        return real_replace(session, table, parts, **kw)

    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(0, 365, 5)]  # 73 days over a year
    paid = [dt.datetime.combine(d, dt.time(2, 30), dt.UTC) for d in days]  # 10:30 in Shanghai
    load(warehouse, "orders", pa.table({  # the lines' orders, loaded before (outside the import)
        "store_id": ["tmall"] * len(days), "order_id": [f"O{i}" for i in range(len(days))],
        "customer_id": ["c1"] * len(days), "status": ["paid"] * len(days), "created_at": paid, "paid_at": paid,
        "paid_date": days, "paid_amount": [Decimal("19.00")] * len(days)}))
    monkeypatch.setattr(rollups, "_replace", spy)
    monkeypatch.setenv("SHOPOPS_IMPORT_DUCKDB_MEMORY", "200MB")
    rows = [f"O{i},1,P1,S1,2,10.00,1.00,19.00,{d} 10:30:00" for i, d in enumerate(days)]
    path = write(tmp_path, "lines.csv", LINES_HEADER + "\n" + "\n".join(rows) + "\n")
    out = import_file(path, profile=LINES, con=warehouse, store_id="tmall")
    assert out.fast and out.inserted == len(days)
    # 200MB is 190.7 MiB as DuckDB prints it
    assert seen and all(s == "190.7 MiB" for s in seen), seen
    refreshed = [p for name, p in pieces if name == "product_daily"]
    assert [len(p) for p in refreshed] == [31, 31, 11] and sum(refreshed, []) == days
    assert warehouse.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
