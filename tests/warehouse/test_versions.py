"""The data version: every load that changes rows bumps (store, table); reading it is one small lookup."""

from __future__ import annotations

import pyarrow as pa

from shopops.warehouse import versions
from shopops.warehouse.loader import load, transaction


def _stores(*rows: tuple[str, str]) -> pa.Table:
    return pa.Table.from_pylist([
        {"store_id": s, "platform": "tmall", "name": name, "currency": "CNY", "time_zone": "Asia/Shanghai"}
        for s, name in rows])


def _table_versions(con, table: str) -> dict[str, int]:
    return {s: v for s, t, v, _ in versions.versions(con, (table,)) if t == table}


def test_a_load_bumps_the_tables_stores_and_an_identical_load_does_not(any_warehouse):
    con = any_warehouse
    empty = versions.data_version(con, ("stores",))
    load(con, "stores", _stores(("a", "A"), ("b", "B")))
    assert _table_versions(con, "stores") == {"a": 1, "b": 1}
    after_first = versions.data_version(con, ("stores",))
    assert after_first != empty
    load(con, "stores", _stores(("a", "A")))  # the same row again: nothing changed
    assert versions.data_version(con, ("stores",)) == after_first
    b_only = versions.data_version(con, ("stores",), ("b",))
    load(con, "stores", _stores(("a", "A2")))  # store a changes
    assert _table_versions(con, "stores") == {"a": 2, "b": 1}
    assert versions.data_version(con, ("stores",)) != after_first
    assert versions.data_version(con, ("stores",), ("b",)) == b_only  # store b's data did not change
    assert versions.data_version(con, ("orders",)) == versions.data_version(con, ("orders",))


def test_a_failed_transaction_leaves_the_version_as_it_was(any_warehouse):
    con = any_warehouse
    if con.name == "pyspark":
        return  # plain Spark tables have no transactions (documented in warehouse/backends/spark.py)
    load(con, "stores", _stores(("a", "A")))
    before = versions.versions(con, ("stores",))
    try:
        with transaction(con):
            load(con, "stores", _stores(("a", "changed")))
            raise RuntimeError("the import failed later")
    except RuntimeError:
        pass
    assert versions.versions(con, ("stores",)) == before


def test_a_new_epoch_changes_every_version(warehouse):
    before = versions.data_version(warehouse, ("orders",), ("a",))
    versions.new_epoch(warehouse)
    assert versions.data_version(warehouse, ("orders",), ("a",)) != before
