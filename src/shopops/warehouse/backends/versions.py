"""Engine SQL of the data-version table (``_data_versions``, see ``warehouse.schema``).

* DuckDB (one writing process): ``UPDATE`` the rows that exist, ``INSERT`` the missing ones,
  inside the loader's transaction.
* PostgreSQL: ``INSERT … ON CONFLICT (store_id, table_name) DO UPDATE``, atomic under
  concurrent writers (a second writer waits for the first and counts on from its value).
* Spark (plain tables: no UPDATE, no transaction): the table is tiny, so it is read to the
  driver, changed there and written back whole.

Reading is one ``SELECT`` of the few rows asked for (primary key on PostgreSQL; a table of
stores × tables rows elsewhere) — never a scan of a fact table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from ibis.backends import BaseBackend

from shopops.warehouse.backends.sql import Session, q
from shopops.warehouse.schema import DATA_VERSIONS

NAME = DATA_VERSIONS.name
EPOCH = ("", "")  # (store_id, table_name) of the row that identifies the warehouse


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure(con: BaseBackend) -> None:
    """Create the version table (with its epoch row) when it does not exist."""
    if NAME in con.list_tables():
        return
    session = Session(con)
    session.ensure_table(DATA_VERSIONS)
    _write(session, EPOCH[1], [EPOCH[0]], uuid.uuid4().hex)


def new_epoch(con: BaseBackend) -> None:
    """Give the warehouse a new epoch: every version (and so every cached result) changes. For
    writes that bypass the loader (a table emptied by hand, a benchmark filling tables by SQL)."""
    ensure(con)
    _write(Session(con), EPOCH[1], [EPOCH[0]], uuid.uuid4().hex)


def bump(con: BaseBackend, table_name: str, stores: Iterable[str]) -> None:
    """Count one more write of ``table_name`` for each of ``stores`` (inside the caller's transaction)."""
    stores = sorted(set(stores))
    if stores:
        _write(Session(con), table_name, stores, uuid.uuid4().hex)


def _write(session: Session, table_name: str, stores: list[str], token: str) -> None:
    table = _lit(table_name)
    if session.engine == "pyspark":
        _spark_write(session, table_name, stores, token)
        return
    values = ", ".join(f"({_lit(s)}, {table}, 1, {_lit(token)}, current_timestamp)" for s in stores)
    cols = "store_id, table_name, version, token, changed_at"
    if session.engine == "postgres":
        session.execute(
            f"INSERT INTO {q(NAME)} ({cols}) VALUES {values} ON CONFLICT (store_id, table_name) DO UPDATE "
            f"SET version = {q(NAME)}.version + 1, token = EXCLUDED.token, changed_at = EXCLUDED.changed_at"
        )
        return
    in_stores = ", ".join(_lit(s) for s in stores)
    session.execute(
        f"UPDATE {q(NAME)} SET version = version + 1, token = {_lit(token)}, changed_at = current_timestamp "
        f"WHERE table_name = {table} AND store_id IN ({in_stores})"
    )
    session.execute(
        f"INSERT INTO {q(NAME)} ({cols}) SELECT v.store_id, v.table_name, v.version, v.token, v.changed_at "
        f"FROM (VALUES {values}) AS v(store_id, table_name, version, token, changed_at) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {q(NAME)} d WHERE d.table_name = v.table_name AND d.store_id = v.store_id)"
    )


def _spark_write(session: Session, table_name: str, stores: list[str], token: str) -> None:
    spark = session.con._session
    now = dt.datetime.now(dt.UTC)
    current = spark.table(NAME)
    schema = current.schema
    rows = {(r[0], r[1]): list(r) for r in current.collect()}
    for store in stores:
        row = rows.get((store, table_name))
        rows[(store, table_name)] = [store, table_name, (row[2] + 1) if row else 1, token, now]
    spark.createDataFrame([tuple(r) for r in rows.values()], schema).write.mode("overwrite").saveAsTable(NAME)


def read(con: BaseBackend, tables: Iterable[str], stores: Iterable[str] = ()) -> list[tuple[str, str, int, str]]:
    """(store_id, table_name, version, token) of ``tables`` (for ``stores``; all stores when empty),
    plus the epoch row, sorted."""
    tables, stores = sorted(set(tables)), sorted(set(stores))
    where = f"table_name IN ({', '.join(_lit(t) for t in [EPOCH[1], *tables])})"
    if stores:
        where += f" AND store_id IN ({', '.join(_lit(s) for s in [EPOCH[0], *stores])})"
    sql = f"SELECT store_id, table_name, version, token FROM {q(NAME)} WHERE {where}"
    session = Session(con)
    try:
        rows = session.execute(sql).fetchall()
    except Exception:  # the table is missing (a connection not opened through connect()): create it once
        ensure(con)
        rows = session.execute(sql).fetchall()
    return sorted((str(s), str(t), int(v), str(k)) for s, t, v, k in rows)
