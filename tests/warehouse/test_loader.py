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
def test_spark_merge_rewrites_only_the_months_it_touches(request, tmp_path, monkeypatch):
    """On Spark, facts are partitioned by the month of their business date (one file a month): a
    load rewrites the months it touches — its own and those its keys leave — and no other."""
    from pathlib import Path

    from conftest import _any_warehouse

    with _any_warehouse("spark", request, tmp_path, monkeypatch) as con:
        def day(m, d):
            return dt.date(2025, m, d)
        rows = [("tmall", f"O{m}{d}", "c1", "paid", T0, T0, day(m, d), Decimal("10.00"))
                for m in (9, 10, 11) for d in (3, 17, 30)]
        unpaid = ("tmall", "U1", "c3", "created", T0, None, None, Decimal("88.00"))
        load(con, "orders", orders([*rows, unpaid]))
        spark_dir = Path(con._session.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
        table_dir = next(p for p in spark_dir.rglob("orders") if p.is_dir())

        def files():  # the months holding data (the session's earlier tests leave their months' folders empty:
            # the fixture empties the tables with TRUNCATE, which keeps partitions)
            return {p.name: sorted((f.name, f.stat().st_mtime_ns) for f in p.glob("*.parquet"))
                    for p in table_dir.glob("_month=*") if any(p.glob("*.parquet"))}

        before = files()
        assert sorted(before) == ["_month=2025-09", "_month=2025-10", "_month=2025-11",
                                  "_month=undated"]
        assert all(len(f) == 1 for f in before.values()), "one file a month"
        assert "_month" not in con.table("orders").columns  # readers see the canonical columns only

        # a batch spanning two months: a changed October row, a new December order, the unpaid
        # order paid on 31 October (it leaves the empty-date partition), one October row unchanged
        changed = ("tmall", "O1017", "c1", "refunded", T0, T0, day(10, 17), Decimal("10.00"))
        new = ("tmall", "N1", "c4", "paid", T0, T0, day(12, 1), Decimal("5.00"))
        paid = ("tmall", "U1", "c3", "paid", T0, T0, day(10, 31), Decimal("88.00"))
        same = rows[3]  # O103, 3 October
        batch = orders([changed, new, paid, same])
        result = load(con, "orders", batch)
        assert (result.inserted, result.updated, result.unchanged) == (1, 2, 1)
        after = files()
        assert sorted(after) == ["_month=2025-09", "_month=2025-10", "_month=2025-11", "_month=2025-12"]
        assert after["_month=2025-09"] == before["_month=2025-09"]  # untouched months keep their files
        assert after["_month=2025-11"] == before["_month=2025-11"]
        assert after["_month=2025-10"] != before["_month=2025-10"] and len(after["_month=2025-10"]) == 1
        frame = con.table("orders").to_pandas().sort_values("order_id")
        got = {(r.order_id, r.status, str(r.paid_date)[:10]) for r in frame.itertuples()}
        expected = {(r[1], r[3], str(r[6])) for r in rows if r[1] != "O1017"} | {
            ("O1017", "refunded", "2025-10-17"), ("N1", "paid", "2025-12-01"), ("U1", "paid", "2025-10-31")}
        assert got == expected and len(frame) == 11

        again = load(con, "orders", batch)  # the same batch again: nothing written
        assert (again.inserted, again.updated) == (0, 0)
        assert files() == after
        kept = load(con, "orders", orders([rows[0][:3] + ("closed",) + rows[0][4:], ("tmall", "N2", "c5", "paid", T0, T0,
                                                                                   day(9, 4), Decimal("1.00"))]),
                    update=False)  # insert-only: the stored row stays, only the new key is added
        assert (kept.inserted, kept.updated) == (1, 0)
        frame = con.table("orders").to_pandas()
        assert set(frame.loc[frame.order_id.isin(["O93", "N2"]), "status"]) == {"paid"} and len(frame) == 12


@pytest.mark.spark
def test_spark_rollups_rewrite_only_the_months_of_the_touched_dates(request, tmp_path, monkeypatch):
    """On Spark the daily rollups are partitioned by month like the facts: a load refreshes the
    months of the dates it touches and no other; a month left without a row is dropped. The merge's
    key lookup reads only the stored rows within the batch's key range (``Session.key_bounds``) and
    still finds a key whose row lies in another month. Counted by hand."""
    from pathlib import Path

    from conftest import _any_warehouse
    from shopops.warehouse.backends.sql import Session

    with _any_warehouse("spark", request, tmp_path, monkeypatch) as con:
        rows = [("s1", f"O{m:02d}{d:02d}", f"c{d}", "paid", T0, T0, dt.date(2025, m, d), Decimal(f"{m}.00"))
                for m in (9, 10, 11) for d in (3, 17)]
        load(con, "orders", orders(rows))
        spark_dir = Path(con._session.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
        table_dir = next(p for p in spark_dir.rglob("store_daily") if p.is_dir())

        def files():
            return {p.name: sorted((f.name, f.stat().st_mtime_ns) for f in p.glob("*.parquet"))
                    for p in table_dir.glob("_month=*") if any(p.glob("*.parquet"))}

        def gmv():
            return {str(r.date)[:10]: r.gmv for r in con.table("store_daily").to_pandas().itertuples()}

        before = files()
        assert sorted(before) == ["_month=2025-09", "_month=2025-10", "_month=2025-11"]
        assert gmv() == {"2025-09-03": Decimal("9.00"), "2025-09-17": Decimal("9.00"), "2025-10-03": Decimal("10.00"),
                         "2025-10-17": Decimal("10.00"), "2025-11-03": Decimal("11.00"), "2025-11-17": Decimal("11.00")}
        assert "_month" not in con.table("store_daily").columns

        # 17 October's order changes; both November orders move to 1 October (November is left empty)
        bounds = []
        real = Session.key_bounds

        def spy(self, table, stage, alias=""):
            bounds.append(real(self, table, stage, alias))
            return bounds[-1]

        monkeypatch.setattr(Session, "key_bounds", spy)
        got = load(con, "orders", orders([
            ("s1", "O1017", "c17", "paid", T0, T0, dt.date(2025, 10, 17), Decimal("12.50")),
            ("s1", "O1103", "c3", "paid", T0, T0, dt.date(2025, 10, 1), Decimal("11.00")),
            ("s1", "O1117", "c17", "paid", T0, T0, dt.date(2025, 10, 1), Decimal("11.00"))]))
        assert (got.inserted, got.updated) == (0, 3)
        assert "store_id IN ('s1') AND \"order_id\" BETWEEN 'O1017' AND 'O1117'" in bounds  # the merge's lookup
        after = files()
        assert sorted(after) == ["_month=2025-09", "_month=2025-10"]  # November dropped
        assert after["_month=2025-09"] == before["_month=2025-09"]  # an untouched month keeps its file
        assert after["_month=2025-10"] != before["_month=2025-10"]
        assert gmv() == {"2025-09-03": Decimal("9.00"), "2025-09-17": Decimal("9.00"), "2025-10-01": Decimal("22.00"),
                         "2025-10-03": Decimal("10.00"), "2025-10-17": Decimal("12.50")}

        # a date key (the product traffic report): bounded by the batch's dates and products
        traffic = [{"store_id": "s1", "date": dt.date(2025, 9, d), "product_id": p, "traffic_source": "search", "visitors": d}
                   for d in (1, 2) for p in ("A", "B")]
        load(con, "traffic_daily", pa.Table.from_pylist(traffic))
        bounds.clear()
        got = load(con, "traffic_daily", pa.Table.from_pylist([{**traffic[1], "visitors": 50}]))
        assert (got.inserted, got.updated) == (0, 1)
        assert any("\"date\" BETWEEN DATE '2025-09-01' AND DATE '2025-09-01'" in b for b in bounds)
        visitors = {(str(r.date)[:10], r.product_id): r.visitor_days for r in con.table("product_daily").to_pandas().itertuples()}
        assert visitors == {("2025-09-01", "A"): 1, ("2025-09-01", "B"): 50, ("2025-09-02", "A"): 2, ("2025-09-02", "B"): 2}


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


def _order(store, order_id, status="paid", amount="1.00"):
    return (store, order_id, "c1", status, T0, T0, dt.date(2025, 11, 11), Decimal(amount))


def test_a_batch_whose_keys_lie_outside_the_stored_range_is_inserted_without_the_key_join(any_warehouse, monkeypatch):
    # stored: tmall B1, D1 (and jd Z9, another store: outside the scope of a tmall batch)
    load(any_warehouse, "orders", orders([_order("tmall", "B1"), _order("tmall", "D1"), _order("jd", "Z9")]))
    joins = []
    if any_warehouse.name != "pyspark":
        from shopops.warehouse.backends.sql import Session

        original = Session.execute

        def spy(self, sql):
            if sql.startswith('CREATE TEMP TABLE "_write_') and ' FROM "orders" t WHERE ' in sql:  # the merge's key join
                joins.append(sql)
            return original(self, sql)

        monkeypatch.setattr(Session, "execute", spy)
    # every key above the store's stored range (jd's Z9 does not count): a plain insert
    after = load(any_warehouse, "orders", orders([_order("tmall", "E1"), _order("tmall", "F1")]))
    assert (after.inserted, after.updated) == (2, 0)
    assert joins == []
    # keys on both sides of the stored range, none of them stored: the join decides, all new
    around = load(any_warehouse, "orders", orders([_order("tmall", "A1"), _order("tmall", "C1"), _order("tmall", "G1")]))
    assert (around.inserted, around.updated) == (3, 0)
    # one key stored with other values, at the range's edge, beside a new one: an update and an insert
    edge = load(any_warehouse, "orders", orders([_order("tmall", "G1", "refunded"), _order("tmall", "H1")]))
    assert (edge.inserted, edge.updated, edge.unchanged) == (1, 1, 0)
    if any_warehouse.name != "pyspark":
        assert len(joins) == 2  # the last two loads went through the key join, once each
    assert table_rows(any_warehouse, "orders") == [
        ("jd", "Z9", "paid", Decimal("1.00")),
        *[("tmall", k, "refunded" if k == "G1" else "paid", Decimal("1.00"))
          for k in ("A1", "B1", "C1", "D1", "E1", "F1", "G1", "H1")],
    ]


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


def test_a_batch_spanning_two_months_merges_and_keeps_the_rollups_alike_on_every_engine(any_warehouse):
    """The same loads on DuckDB, PostgreSQL and Spark (partitioned by month there): a batch over the
    end of October and the start of November with a changed order, an order moving from November
    to October, an unpaid order paid in November and a new one. Table and rollups counted by hand."""
    from shopops.warehouse.schema import TABLES

    con = any_warehouse
    oct30, oct31, nov1, nov2 = dt.date(2025, 10, 30), dt.date(2025, 10, 31), dt.date(2025, 11, 1), dt.date(2025, 11, 2)

    def order(oid, cust, day, amount, status="paid"):
        return ("s1", oid, cust, status, T0, T0 if day else None, day, Decimal(amount))

    def lines(rows):
        return pa.Table.from_pylist([{"store_id": "s1", "order_id": o, "line_no": n, "product_id": p, "quantity": u,
                                      "paid_amount": Decimal(a), "paid_date": d} for o, n, p, u, a, d in rows])

    load(con, "orders", orders([order("o1", "c1", oct30, "30.00"), order("o2", "c2", oct31, "12.50"),
                                order("o3", "c1", nov1, "40.00"), order("o4", "c3", None, "9.00", "pending_payment")]))
    load(con, "order_lines", lines([("o1", 1, "A", 1, "10.00", oct30), ("o1", 2, "B", 2, "20.00", oct30),
                                    ("o2", 1, "A", 1, "12.50", oct31), ("o3", 1, "A", 4, "40.00", nov1),
                                    ("o4", 1, "B", 1, "9.00", None)]))
    got = load(con, "orders", orders([order("o1", "c1", oct30, "30.00"), order("o2", "c2", oct31, "15.00"),
                                      order("o3", "c1", oct30, "40.00"), order("o4", "c3", nov2, "9.00"),
                                      order("o5", "c4", nov2, "7.00")]))
    assert (got.inserted, got.updated, got.unchanged) == (1, 3, 1)
    got = load(con, "order_lines", lines([("o2", 1, "A", 1, "15.00", oct31), ("o3", 1, "A", 4, "40.00", oct30),
                                          ("o4", 1, "B", 1, "9.00", nov2), ("o5", 1, "B", 1, "7.00", nov2),
                                          ("o1", 1, "A", 1, "10.00", oct30)]))
    assert (got.inserted, got.updated, got.unchanged) == (1, 3, 1)

    frame = con.table("orders").to_pandas()
    assert sorted((r.order_id, r.status, str(r.paid_date)[:10], r.paid_amount) for r in frame.itertuples()) == [
        ("o1", "paid", "2025-10-30", Decimal("30.00")), ("o2", "paid", "2025-10-31", Decimal("15.00")),
        ("o3", "paid", "2025-10-30", Decimal("40.00")), ("o4", "paid", "2025-11-02", Decimal("9.00")),
        ("o5", "paid", "2025-11-02", Decimal("7.00"))]
    assert list(con.table("orders").columns) == TABLES["orders"].column_names  # readers never see a partition column
    store = {str(r.date)[:10]: (r.gmv, r.order_rows, r.paying_buyers)
             for r in con.table("store_daily").to_pandas().itertuples()}
    assert store == {"2025-10-30": (Decimal("70.00"), 2, 1), "2025-10-31": (Decimal("15.00"), 1, 1),
                     "2025-11-02": (Decimal("16.00"), 2, 2)}  # 1 November lost its only order
    product = {(str(r.date)[:10], r.product_id): (r.item_gmv, r.units_sold, r.item_buyers)
               for r in con.table("product_daily").to_pandas().itertuples()}
    assert product == {("2025-10-30", "A"): (Decimal("50.00"), 5, 1), ("2025-10-30", "B"): (Decimal("20.00"), 2, 1),
                       ("2025-10-31", "A"): (Decimal("15.00"), 1, 1), ("2025-11-02", "B"): (Decimal("16.00"), 2, 2)}
