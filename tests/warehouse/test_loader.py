"""The loader merges by natural key on every warehouse engine: insert, update, no-op."""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.core.errors import ValidationError
from shopops.warehouse.loader import load

UTC = dt.UTC


def orders(rows):
    cols = ["store_id", "order_id", "customer_id", "status", "created_at", "paid_at", "paid_date", "paid_amount"]
    return pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})


T0 = dt.datetime(2025, 11, 10, 16, 5, tzinfo=UTC)
A = ("tmall", "A1", "c1", "paid", T0, T0, dt.date(2025, 11, 11), Decimal("199.00"))
B = ("tmall", "B1", "c2", "paid", T0, T0, dt.date(2025, 11, 11), Decimal("59.90"))
A_REFUNDED = ("tmall", "A1", "c1", "refunded", T0, T0, dt.date(2025, 11, 11), Decimal("199.00"))
B_OTHER_STORE = ("jd", "B1", "c9", "paid", T0, T0, dt.date(2025, 11, 11), Decimal("10.00"))


def table_rows(con, name):
    frame = con.table(name).to_pandas().sort_values(["store_id", "order_id"])
    return [tuple(r) for r in frame[["store_id", "order_id", "status", "paid_amount"]].itertuples(index=False)]


def test_insert_then_same_data_again_changes_nothing(any_warehouse):
    first = load(any_warehouse, "orders", orders([A, B]))
    assert (first.inserted, first.updated) == (2, 0)
    again = load(any_warehouse, "orders", orders([A, B]))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert table_rows(any_warehouse, "orders") == [
        ("tmall", "A1", "paid", Decimal("199.00")),
        ("tmall", "B1", "paid", Decimal("59.90")),
    ]


def test_changed_row_updates_in_place_and_new_store_same_id_inserts(any_warehouse):
    load(any_warehouse, "orders", orders([A, B]))
    result = load(any_warehouse, "orders", orders([A_REFUNDED, B_OTHER_STORE]))
    assert (result.inserted, result.updated) == (1, 1)
    assert table_rows(any_warehouse, "orders") == [
        ("jd", "B1", "paid", Decimal("10.00")),
        ("tmall", "A1", "refunded", Decimal("199.00")),
        ("tmall", "B1", "paid", Decimal("59.90")),
    ]


NO_TRANSACTIONS = "plain Spark tables have no transactions (documented in warehouse/backends/spark.py)"


def test_atomic_load_writes_nothing_when_a_later_batch_fails(any_warehouse):
    if any_warehouse.name == "pyspark":
        pytest.skip(NO_TRANSACTIONS)
    def batches():
        yield orders([A])
        yield orders([B, B])  # duplicate key within one batch

    with pytest.raises(ValidationError, match="more than once"):
        load(any_warehouse, "orders", batches(), atomic=True)
    assert any_warehouse.table("orders").count().execute() == 0


def test_batch_by_batch_load_keeps_committed_batches(any_warehouse):
    def batches():
        yield orders([A])
        yield orders([B, B])

    with pytest.raises(ValidationError):
        load(any_warehouse, "orders", batches(), atomic=False)
    assert table_rows(any_warehouse, "orders") == [("tmall", "A1", "paid", Decimal("199.00"))]


def test_missing_required_column_is_named(any_warehouse):
    bad = orders([A]).drop_columns(["customer_id"])
    with pytest.raises(ValidationError, match="required columns missing: customer_id"):
        load(any_warehouse, "orders", bad)


def test_money_keeps_cents_exactly(any_warehouse):
    cents = [Decimal("0.01"), Decimal("0.10"), Decimal("99999999.99")]
    rows = [("tmall", f"M{i}", "c", "paid", T0, T0, dt.date(2025, 11, 11), v) for i, v in enumerate(cents)]
    load(any_warehouse, "orders", orders(rows))
    total = any_warehouse.table("orders").paid_amount.sum().execute()
    assert Decimal(total) == Decimal("100000000.10")


def test_a_row_whose_business_date_changes_leaves_its_old_day(any_warehouse):
    unpaid = ("tmall", "U1", "c3", "created", T0, None, None, Decimal("88.00"))
    load(any_warehouse, "orders", orders([A, unpaid]))
    paid_later = ("tmall", "U1", "c3", "paid", T0, T0 + dt.timedelta(days=2), dt.date(2025, 11, 13), Decimal("88.00"))
    result = load(any_warehouse, "orders", orders([paid_later]))
    assert (result.inserted, result.updated) == (0, 1)
    frame = any_warehouse.table("orders").to_pandas().sort_values("order_id")
    assert [(r.order_id, r.status, str(r.paid_date)[:10]) for r in frame.itertuples()] == [
        ("A1", "paid", "2025-11-11"), ("U1", "paid", "2025-11-13")]


@pytest.mark.spark
def test_spark_merge_rewrites_only_the_days_it_touches(request, tmp_path, monkeypatch):
    """On Spark with SHOPOPS_SPARK_PARTITION_BY_DAY=1, facts are partitioned by business date: a
    load of one day leaves the files of the other days untouched."""
    from conftest import _any_warehouse

    from shopops.warehouse.loader import ensure_tables

    with _any_warehouse("spark", request, tmp_path, monkeypatch) as con:
        monkeypatch.setenv("SHOPOPS_SPARK_PARTITION_BY_DAY", "1")
        con._session.sql("DROP TABLE IF EXISTS orders")
        ensure_tables(con, ["orders"])
        try:
            _check_days_untouched(con)
        finally:  # the session's other tests use the default (unpartitioned) table
            monkeypatch.delenv("SHOPOPS_SPARK_PARTITION_BY_DAY")
            con._session.sql("DROP TABLE IF EXISTS orders")
            ensure_tables(con, ["orders"])


def _check_days_untouched(con):
    from pathlib import Path

    days = [dt.date(2025, 11, 1) + dt.timedelta(days=i) for i in range(5)]
    rows = [("tmall", f"O{i}", "c1", "paid", T0, T0, d, Decimal("10.00")) for i, d in enumerate(days)]
    load(con, "orders", orders(rows))
    spark_dir = Path(con._session.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
    table_dir = next(p for p in spark_dir.rglob("orders") if p.is_dir())

    def files_of(day):
        return sorted((p.name, p.stat().st_mtime_ns)
                      for p in (table_dir / f"paid_date={day.isoformat()}").glob("*.parquet"))

    before = {d: files_of(d) for d in days}
    assert all(before.values()), "every day has its own partition directory"
    changed = ("tmall", "O2", "c1", "refunded", T0, T0, days[2], Decimal("10.00"))
    result = load(con, "orders", orders([changed]))
    assert (result.inserted, result.updated) == (0, 1)
    after = {d: files_of(d) for d in days}
    assert [d for d in days if after[d] != before[d]] == [days[2]]
    assert con.table("orders").count().execute() == 5


C = ("tmall", "C1", "c3", "paid", T0, T0, dt.date(2025, 11, 11), Decimal("5.00"))
C_CHANGED = ("tmall", "C1", "c3", "shipped", T0, T0, dt.date(2025, 11, 11), Decimal("5.00"))
D = ("tmall", "D1", "c4", "paid", T0, T0, dt.date(2025, 11, 12), Decimal("7.50"))


def test_one_load_into_an_empty_store_with_a_key_again_in_a_later_batch(any_warehouse):
    # batch 1 and 2 only new keys (inserted without a join), batch 3 repeats A unchanged and
    # C changed, and brings D: counted and written exactly as a merge against stored rows
    result = load(any_warehouse, "orders", iter([orders([A, B]), orders([C]), orders([A, C_CHANGED, D])]))
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (6, 4, 1, 1)
    assert table_rows(any_warehouse, "orders") == [
        ("tmall", "A1", "paid", Decimal("199.00")),
        ("tmall", "B1", "paid", Decimal("59.90")),
        ("tmall", "C1", "shipped", Decimal("5.00")),
        ("tmall", "D1", "paid", Decimal("7.50")),
    ]


def test_new_and_changed_and_unchanged_keys_in_one_batch_against_stored_rows(any_warehouse):
    load(any_warehouse, "orders", orders([A, B, C]))
    result = load(any_warehouse, "orders", orders([A_REFUNDED, B, D, B_OTHER_STORE]))
    assert (result.inserted, result.updated, result.unchanged) == (2, 1, 1)
    assert table_rows(any_warehouse, "orders") == [
        ("jd", "B1", "paid", Decimal("10.00")),
        ("tmall", "A1", "refunded", Decimal("199.00")),
        ("tmall", "B1", "paid", Decimal("59.90")),
        ("tmall", "C1", "paid", Decimal("5.00")),
        ("tmall", "D1", "paid", Decimal("7.50")),
    ]
    # insert-only loads keep stored rows as they are and add the new keys
    kept = load(any_warehouse, "orders", orders([A, ("tmall", "E1", "c5", "paid", T0, T0, dt.date(2025, 11, 12),
                                                     Decimal("1.00"))]), update=False)
    assert (kept.inserted, kept.updated) == (1, 0)
    assert ("tmall", "A1", "refunded", Decimal("199.00")) in table_rows(any_warehouse, "orders")


def test_a_table_created_before_a_new_optional_column_gets_it(any_warehouse):
    """Additive schema evolution: ad_spend_daily created without attributed_cart_adds (a warehouse
    older than that column) gains it on the next load: old rows empty, new rows keep their value."""
    import ibis

    from shopops.warehouse.schema import TABLES

    con = any_warehouse
    old = ibis.schema({c.name: c.dtype for c in TABLES["ad_spend_daily"].columns if c.name != "attributed_cart_adds"})
    con.drop_table("ad_spend_daily")
    con.create_table("ad_spend_daily", schema=old)

    def ad(plan, carts):
        row = {"store_id": "tmall", "date": dt.date(2025, 11, 11), "ad_tool": "ztc", "plan_id": plan,
               "cost": Decimal("10.00"), "attributed_gmv": Decimal("30.00")}  # (ibis on Spark inserts no null decimals)
        return row if carts is None else {**row, "attributed_cart_adds": carts}

    con.insert("ad_spend_daily", pa.Table.from_pylist([ad("old", None)], schema=old.to_pyarrow()))
    assert "attributed_cart_adds" not in con.table("ad_spend_daily").columns
    load(con, "ad_spend_daily", pa.Table.from_pylist([ad("new", 7)]))
    frame = con.table("ad_spend_daily").to_pandas().set_index("plan_id")
    assert frame.loc["new", "attributed_cart_adds"] == 7 and frame.loc["old", "attributed_cart_adds"] != frame.loc[
        "old", "attributed_cart_adds"]  # NaN: the old row has none
