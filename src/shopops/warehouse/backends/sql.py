"""Engine-specific SQL for the loader: staging a batch and merging it by natural key.

Everything here is plain SQL accepted by DuckDB and PostgreSQL alike, except the
staging step, which uses each engine's fastest bulk path (an Arrow view on DuckDB,
``COPY … FROM STDIN`` on PostgreSQL).
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from ibis.backends import BaseBackend

from shopops.core.errors import ResourceBusy, ValidationError
from shopops.warehouse.schema import Table

# DuckDB checks write conflicts optimistically: two transactions touching the same rows
# (an API upsert and an import replacing them) make the later one fail at commit with a
# TransactionException. So the writes of one process go through one writer: the outermost
# transaction takes this lock (readers never do). A writer that waits longer than
# SHOPOPS_WAREHOUSE_WRITE_WAIT seconds (default 60) gives up with ResourceBusy (the API
# answers 503, retry later) instead of hanging. PostgreSQL locks rows itself; Spark has
# no transactions.
DUCKDB_WRITER = threading.Lock()


def writer_wait_seconds() -> float:
    return float(os.environ.get("SHOPOPS_WAREHOUSE_WRITE_WAIT", "60"))


@dataclass(frozen=True, slots=True)
class Staged:
    """Rows already in the warehouse, shaped like a canonical table (a DuckDB temporary view
    built by ``ingest.fast_csv``): the loader merges them as it merges a staged Arrow batch.
    ``drop``: what to drop afterwards (``"VIEW name"``, ``"TABLE name"``)."""

    name: str
    num_rows: int
    stores: tuple[str, ...]
    drop: tuple[str, ...] = ()


def q(name: str) -> str:
    """Quote an identifier (ANSI double quotes; the Spark session is set to accept them)."""
    return '"' + name.replace('"', '""') + '"'


class _SparkResult:
    """fetchone/fetchall over a Spark SQL result, like a DB-API cursor."""

    def __init__(self, frame) -> None:
        self.frame = frame

    def fetchone(self):
        rows = self.frame.take(1)
        return tuple(rows[0]) if rows else None

    def fetchall(self):
        return [tuple(r) for r in self.frame.collect()]


SPARK_MONTH = "_month"
"""Partition column of Spark fact tables: the month of the business date (``'2025-11'``;
``'undated'`` when the business date is empty — no NULL partition, which the metastore's partition
filter cannot select). Hidden from readers (``backends.spark``: ``con.table`` drops it); the loader
writes it. Why months and not days: see :meth:`Session._merge_partitions`."""


def spark_partition_by_month() -> bool:
    """New Spark fact tables are partitioned by month unless ``SHOPOPS_SPARK_PARTITION_BY_MONTH=0``
    (then unpartitioned: each merge rewrites the table; bench/README ``spark_days``)."""
    return os.environ.get("SHOPOPS_SPARK_PARTITION_BY_MONTH", "1") != "0"


def spark_month(alias: str, business_date: str) -> str:
    """Spark SQL of a row's month partition value (``alias`` like ``"s."`` or ``""``)."""
    return f"coalesce(date_format({alias}{q(business_date)}, 'yyyy-MM'), 'undated')"


def _date_literal(value) -> str:
    return f"DATE '{value.isoformat()}'"


def partition_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int):
        return str(value)
    return _date_literal(value)


def in_partitions(column: str, values: set) -> str:
    """SQL true for rows whose partition ``column`` is one of ``values`` (None: the NULL partition)."""
    parts = []
    listed = sorted(v for v in values if v is not None)
    if listed:
        parts.append(f"{column} IN ({', '.join(partition_literal(v) for v in listed)})")
    if None in values:
        parts.append(f"{column} IS NULL")
    return "(" + " OR ".join(parts) + ")" if parts else "false"


def engine_of(con: BaseBackend) -> str:
    return con.name  # "duckdb", "postgres", "pyspark"


class Session:
    """A DB-API cursor of the warehouse with a transaction the loader controls."""

    def __init__(self, con: BaseBackend) -> None:
        self.con = con
        self.engine = engine_of(con)
        self._staged: list[str] = []
        self._dropping: list[str] = []  # "VIEW name" / "TABLE name" of Staged relations merged
        self._layouts: dict[str, tuple[str, str, list[str]] | None] = {}  # Spark: table -> spark_partition
        self._bounds: dict[tuple[str, str], tuple] = {}  # Spark: (table, stage) -> the stage's key bounds

    # -- plumbing -------------------------------------------------------
    def execute(self, sql: str) -> Any:
        if self.engine == "duckdb":
            return self.con.con.execute(sql)
        if self.engine == "pyspark":
            return _SparkResult(self.con._session.sql(sql))
        cur = self.con.con.cursor()
        cur.execute(sql)
        return cur

    def scalar(self, sql: str) -> Any:
        return self.execute(sql).fetchone()[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction; nested calls join the outer one (all or nothing together).

        The depth lives on this thread's connection object (``connection.connect`` gives
        each thread its own), so another thread never joins this transaction.
        """
        depth = getattr(self.con, "_shopops_tx_depth", 0)
        if depth:
            self.con._shopops_tx_depth = depth + 1
            try:
                yield
            finally:
                self.con._shopops_tx_depth = depth
            return
        if self.engine == "duckdb" and not DUCKDB_WRITER.acquire(timeout=writer_wait_seconds()):
            raise ResourceBusy(
                f"the warehouse is busy with another write (an import?) for more than {writer_wait_seconds():.0f} s; "
                "nothing was written, retry later"
            )
        self.con._shopops_tx_depth = 1
        try:
            if self.engine == "pyspark":
                yield  # plain Spark tables have no transactions
            elif self.engine == "duckdb":
                self.con.con.execute("BEGIN TRANSACTION")
                try:
                    yield
                except BaseException:
                    self.con.con.execute("ROLLBACK")
                    raise
                self.con.con.execute("COMMIT")
            else:
                with self.con.con.transaction():
                    yield
        finally:
            self.con._shopops_tx_depth = 0
            if self.engine == "duckdb":
                DUCKDB_WRITER.release()

    # -- staging --------------------------------------------------------
    def stage(self, table: Table, batch: pa.Table | Staged) -> str:
        if isinstance(batch, Staged):  # already there
            self._dropping.extend(batch.drop)
            return batch.name
        name = f"_stage_{table.name}_{uuid.uuid4().hex[:8]}"
        if self.engine == "duckdb":
            self.con.con.register(name, batch)
        elif self.engine == "pyspark":
            from pyspark.sql import functions as F

            session = self.con._session
            target = session.table(q(table.name)).schema
            frame = session.createDataFrame(batch)  # PySpark 4 takes Arrow directly (nulls stay nulls)
            frame.select([F.col(f.name).cast(f.dataType) for f in target if f.name != SPARK_MONTH]).createOrReplaceTempView(name)
        else:
            cols = ", ".join(q(c) for c in table.column_names)
            self.execute(f"CREATE TEMP TABLE {q(name)} AS SELECT {cols} FROM {q(table.name)} WHERE false")
            buf = io.BytesIO()
            pacsv.write_csv(batch, buf, pacsv.WriteOptions(include_header=False))
            with self.con.con.cursor() as cur, cur.copy(
                f"COPY {q(name)} ({cols}) FROM STDIN WITH (FORMAT csv)"
            ) as copy:
                copy.write(buf.getvalue())
        self._staged.append(name)
        return name

    def drop_stages(self) -> None:
        for name in self._staged:
            if self.engine == "duckdb":
                self.con.con.unregister(name)
            elif self.engine == "pyspark":
                self.con._session.catalog.dropTempView(name)
            else:
                self.execute(f"DROP TABLE IF EXISTS {q(name)}")
        self._staged.clear()
        for what in self._dropping:
            kind, name = what.split(" ", 1)
            self.execute(f"DROP {kind} IF EXISTS {q(name)}")
        self._dropping.clear()

    # -- DDL --------------------------------------------------------------
    def ensure_table(self, table: Table) -> None:
        if table.name in self.con.list_tables():
            self._add_new_columns(table)
            return
        if self.engine == "pyspark" and table.business_date and spark_partition_by_month():
            # facts partitioned by the business date's month: a merge rewrites only the months it touches
            # (DDL only: the metastore entry and an empty directory, no Spark job)
            from ibis.backends.pyspark.datatypes import PySparkSchema

            columns = ", ".join(f"{q(f.name)} {f.dataType.simpleString()}"
                                for f in PySparkSchema.from_ibis(table.schema).fields)
            self.execute(f"CREATE TABLE {q(table.name)} ({columns}, {q(SPARK_MONTH)} string) "
                         f"USING parquet PARTITIONED BY ({q(SPARK_MONTH)})")
            return
        self.con.create_table(table.name, schema=table.schema)
        if self.engine == "postgres":
            keys = ", ".join(q(k) for k in table.key)
            self.execute(f"ALTER TABLE {q(table.name)} ADD PRIMARY KEY ({keys})")

    def _add_new_columns(self, table: Table) -> None:
        """Additive schema evolution: a nullable column the schema gained since the table was
        created is added (empty for the rows already there); a missing required one is an error."""
        present = set(self.con.table(table.name).columns)
        missing = [c for c in table.columns if c.name not in present]
        if not missing:
            return
        required = [c.name for c in missing if not c.nullable]
        if required:
            raise ValidationError(f"{table.name}: the warehouse table lacks the required columns "
                                  f"{', '.join(required)}; rebuild it (shopops has no migration for that)")
        dialect = {"pyspark": "spark", "postgres": "postgres"}.get(self.engine, "duckdb")
        for c in missing:
            sql_type = self.con.compiler.type_mapper.from_ibis(c.dtype).sql(dialect)
            if self.engine == "pyspark":
                self.execute(f"ALTER TABLE {q(table.name)} ADD COLUMNS ({q(c.name)} {sql_type})")
            else:
                self.execute(f"ALTER TABLE {q(table.name)} ADD COLUMN {q(c.name)} {sql_type}")

    # -- merge ------------------------------------------------------------
    def duplicate_keys(self, table: Table, stage: str) -> int:
        keys = ", ".join(q(k) for k in table.key)
        return self.scalar(
            f"SELECT count(*) FROM (SELECT {keys} FROM {q(stage)} GROUP BY {keys} HAVING count(*) > 1) d"
        )

    def stores_with_rows(self, table: Table, stores: set[str]) -> set[str]:
        """Which of ``stores`` hold a row of ``table`` ("" stands for a table without stores)."""
        if "store_id" not in table.column_names:
            return {""} if self.execute(f"SELECT 1 FROM {q(table.name)} LIMIT 1").fetchone() else set()
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in stores)
        return {r[0] for r in self.execute(
            f"SELECT DISTINCT store_id FROM {q(table.name)} WHERE store_id IN ({listed})").fetchall()}

    def merge(self, table: Table, stage: str, *, update: bool = True, new_keys: bool = False) -> tuple[int, int]:
        """Insert new keys, replace changed rows (unless ``update`` is off), leave identical rows alone.

        The target is narrowed to the stores in the batch by a constant predicate, so
        the engine skips other stores' data (facts arrive store by store, so they sit
        in separate row groups). ``new_keys``: the caller knows no stored row has a key of
        the batch (``loader._LoadedKeys``): a plain insert. Returns (inserted, updated).
        """
        target = q(table.name)
        cols = ", ".join(q(c) for c in table.column_names)
        if new_keys and self.engine != "pyspark":
            self.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(stage)}")
            return self.scalar(f"SELECT count(*) FROM {q(stage)}"), 0
        on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in table.key)
        values = [c for c in table.column_names if c not in table.key]
        same = " AND ".join(f"t.{q(c)} IS NOT DISTINCT FROM s.{q(c)}" for c in values) or "true"
        if self.engine == "pyspark" and (layout := self.spark_partition(table)):
            return self._merge_partitions(table, stage, layout, scope=self.key_bounds(table, stage),
                                          on=on, same=same, update=update)
        scope = "true"
        if "store_id" in table.column_names:
            stores = [r[0] for r in self.execute(f"SELECT DISTINCT store_id FROM {q(stage)}").fetchall()]
            scope = "store_id IN (" + ", ".join("'" + v.replace("'", "''") + "'" for v in stores) + ")"
        if self.execute(f"SELECT 1 FROM {target} WHERE {scope} LIMIT 1").fetchone() is None:
            self.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(stage)}")
            return self.scalar(f"SELECT count(*) FROM {q(stage)}"), 0
        scoped = f"(SELECT * FROM {target} WHERE {scope})"
        if self.engine != "pyspark":
            return self._merge_by_keys(table, stage, scope=scope, on=on, same=same, update=update)
        changed = f"EXISTS (SELECT 1 FROM {q(stage)} s WHERE {on} AND NOT ({same}))"
        new = f"NOT EXISTS (SELECT 1 FROM {scoped} t WHERE {on})"
        matched = self.scalar(f"SELECT count(*) FROM {q(stage)} s WHERE NOT {new}")
        if not matched:  # the common case of a new export: every key is new
            self.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(stage)}")
            return self.scalar(f"SELECT count(*) FROM {q(stage)}"), 0
        updated = self.scalar(f"SELECT count(*) FROM {scoped} t WHERE {changed}") if update else 0
        inserted = self.scalar(f"SELECT count(*) FROM {q(stage)} s") - matched
        if self.engine == "pyspark":  # a table created unpartitioned (before partitioning): rewritten whole
            if (inserted or updated) and update:
                unchanged = f"EXISTS (SELECT 1 FROM {scoped} t WHERE {on} AND {same})"
                self._rewrite(table, stage, keep=f"NOT ({scope} AND {changed})", add=f"NOT {unchanged}")
            elif inserted:  # insert-only: every stored row stays, only new keys are added
                self._rewrite(table, stage, keep="true", add=new)
            return inserted, updated
        if updated:
            self.execute(f"DELETE FROM {target} t WHERE {scope} AND {changed}")
        if inserted or updated:
            self.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(stage)} s WHERE {new}")
        return inserted, updated

    def _merge_by_keys(self, table: Table, stage: str, *, scope: str, on: str, same: str, update: bool) -> tuple[int, int]:
        """DuckDB and PostgreSQL: merge at the cost of the batch, not of the table.

        One outer join of the batch with the stored rows of its keys (the batch is the small side:
        DuckDB builds its hash table on it and skips the row groups outside the batch's key range;
        PostgreSQL probes the primary key) sets aside the rows to write — the new keys, and the keys
        whose stored row differs — unless no stored row lies within the batch's key ranges
        (:meth:`_rows_if_apart`): then every key is new and the batch is inserted without it. The
        delete joins the stored rows with the changed keys set aside, the insert reads the rows set
        aside — never an anti-join of the whole table, and one join per batch, not three: a re-export
        of 1M stored lines with 2 % of them changed spent 4.2 s of CPU in the load with three (count,
        keys aside, an anti-join for the insert), 1.45 s now (bench/README, 2026-12-06, session 11)."""
        target, stage_q = q(table.name), q(stage)
        cols = ", ".join(q(c) for c in table.column_names)
        t_scope = scope.replace("store_id IN", "t.store_id IN", 1)
        rows = self._rows_if_apart(table, stage, t_scope)
        if rows is not None:  # no stored key within the batch's key range: every key is new
            self.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {stage_q}")
            return rows, 0
        stored = sorted({*table.key, *(c for c in table.column_names if f"t.{q(c)}" in same)},
                        key=table.column_names.index)
        written = f"_write_{uuid.uuid4().hex[:8]}"
        # a stored row of the key that equals the batch's row leaves the batch row out; a changed one
        # is written only when updates are on
        keep = f"t._hit IS NULL OR NOT ({same})" if update else "t._hit IS NULL"
        self.execute(
            f"CREATE TEMP TABLE {q(written)} AS SELECT {', '.join(f's.{q(c)}' for c in table.column_names)}, "
            f"t._hit IS NULL AS _new FROM {stage_q} s LEFT JOIN "
            f"(SELECT {', '.join(q(c) for c in stored)}, true AS _hit FROM {target} t WHERE {t_scope}) t ON {on} "
            f"WHERE {keep}"
        )
        try:
            inserted, updated = (int(v or 0) for v in self.execute(
                f"SELECT count(*) FILTER (WHERE _new), count(*) FILTER (WHERE NOT _new) FROM {q(written)}").fetchone())
            if updated:
                k_on = " AND ".join(f"k.{q(k)} = t.{q(k)}" for k in table.key)
                self.execute(f"DELETE FROM {target} t WHERE {scope} AND EXISTS "
                             f"(SELECT 1 FROM {q(written)} k WHERE {k_on} AND NOT k._new)")
            if inserted or updated:
                self.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {q(written)}")
        finally:
            self.execute(f"DROP TABLE IF EXISTS {q(written)}")
        return inserted, updated

    def _rows_if_apart(self, table: Table, stage: str, t_scope: str) -> int | None:
        """The batch's row count when no stored row (within ``t_scope``) has its key columns inside
        the batch's ranges — so none can share a key with it — else None (the join decides).

        Exact: a stored row with a key of the batch has each key column between the batch's minimum
        and maximum of it. Cheap: one pass over the batch's key columns, then a ``LIMIT 1`` look-up
        that DuckDB answers from its row groups' min/max (skipping every group outside the ranges)
        and PostgreSQL from the primary key. It pays where ids grow with time — the next part of a
        split export, the next day's events — which the join would otherwise match against every
        stored row of the store (the large demo's second and third event files: 38 s of CPU)."""
        bounded = [k for k in table.key if k != "store_id"
                   and (table.schema[k].is_string() or table.schema[k].is_integer() or table.schema[k].is_date())]
        if not bounded:
            return None
        got = self.execute(f"SELECT count(*), {', '.join(f'min({q(k)}), max({q(k)})' for k in bounded)} "
                           f"FROM {q(stage)}").fetchone()
        rows, bounds = int(got[0]), got[1:]
        if not rows or any(v is None for v in bounds):
            return None  # an empty batch, or a key column without values: the join decides
        lows, highs = bounds[0::2], bounds[1::2]
        between = " AND ".join(f"t.{q(k)} BETWEEN {partition_literal(lo)} AND {partition_literal(hi)}"
                               for k, lo, hi in zip(bounded, lows, highs, strict=True))
        met = self.execute(f"SELECT 1 FROM {q(table.name)} t WHERE {t_scope} AND {between} LIMIT 1").fetchone()
        return None if met else rows

    def spark_partition(self, table: Table) -> tuple[str, str, list[str]] | None:
        """How a Spark fact table is partitioned: (partition column, SQL of a stage row's partition
        value, the table's data columns in its order), or None for an unpartitioned table (dimension
        tables, and fact tables created before partitioning, which keep the whole-table rewrite).
        Month partitions (``SPARK_MONTH``) are the layout of new tables; a table partitioned by the
        business date itself (the former opt-in day layout) is merged the same way."""
        if not table.business_date:
            return None
        if table.name not in self._layouts:  # one metastore look-up per table and load
            self._layouts[table.name] = self._spark_layout(table)
        return self._layouts[table.name]

    def _spark_layout(self, table: Table) -> tuple[str, str, list[str]] | None:
        cols = self.con._session.catalog.listColumns(table.name)
        data = [c.name for c in cols if not c.isPartition]
        for c in cols:
            if c.isPartition and c.name == SPARK_MONTH:
                return SPARK_MONTH, spark_month("s.", table.business_date), data
            if c.isPartition and c.name == table.business_date:
                return table.business_date, f"s.{q(table.business_date)}", data
        return None

    def key_bounds(self, table: Table, stage: str, alias: str = "") -> str:
        """Spark: SQL true for the stored rows that may share a key with the batch: its stores, and
        each other key column within the batch's [min, max] (one job on the batch, once per stage;
        ``alias`` like ``"t."`` qualifies the columns).

        Exact (a stored row with a batch key has every key column inside the batch's range), and
        cheap to test where it matters: Spark hands the range to the Parquet reader, which skips
        every file (a month, ``_merge_partitions``) whose column statistics lie outside it, without
        reading it. So the key lookup of a batch of new orders reads the months whose order ids
        overlap the batch's — the recent months where ids grow with time (platform order numbers
        do), every month where they do not (then it is the full key scan it was)."""
        if (table.name, stage) not in self._bounds:
            self._bounds[table.name, stage] = self._batch_bounds(table, stage)
        stores, ranges = self._bounds[table.name, stage]
        preds = []
        if stores is not None:
            preds.append(f"{alias}store_id IN (" + ", ".join(partition_literal(v) for v in stores) + ")"
                         if stores else "false")
        preds += [f"{alias}{q(k)} BETWEEN {partition_literal(lo)} AND {partition_literal(hi)}" for k, lo, hi in ranges]
        return " AND ".join(preds) or "true"

    def _batch_bounds(self, table: Table, stage: str) -> tuple[list | None, list[tuple]]:
        keys = [k for k in table.key if k != "store_id"]
        types = {f.name: f.dataType.typeName() for f in self.con._session.table(q(stage)).schema.fields}
        bounded = [k for k in keys if types.get(k) in ("string", "integer", "long", "short", "date")]
        has_store = "store_id" in table.column_names
        exprs = (["collect_set(store_id)"] if has_store else []) + [f"{fn}({q(k)})" for k in bounded for fn in ("min", "max")]
        if not exprs:
            return None, []
        row = list(self.execute(f"SELECT {', '.join(exprs)} FROM {q(stage)}").fetchone())
        stores = sorted(row.pop(0)) if has_store else None
        ranges = []
        for k in bounded:
            lo, hi = row.pop(0), row.pop(0)
            if lo is not None and hi is not None:  # a NULL key column: no bound (NULL never joins anyway)
                ranges.append((k, lo, hi))
        return stores, ranges

    def _merge_partitions(self, table: Table, stage: str, layout: tuple[str, str, list[str]], *,
                          scope: str, on: str, same: str, update: bool) -> tuple[int, int]:
        """Spark, partitioned by the month of the business date: cost the months a batch touches.

        1. One join of the batch with the stored rows' key columns (a broadcast of the batch; only
           the key columns and the partition value are read) says how many rows the batch has,
           how many of its keys are stored and in which months they lie now; the changed rows are
           counted in those months only.
        2. Nothing changed: nothing is written. No key stored: the batch is appended, one file per
           month (``DISTRIBUTE BY``). Else the touched months — the batch's and those its keys
           leave (a row whose business date moved) — get their new content, kept rows (an
           anti-join with the batch, within those months) plus the batch, by one dynamic partition
           overwrite, one file per month; a month its keys leave empty is dropped.

        Why months and not days: on Spark local every file and directory Hadoop's local file system
        creates forks a ``chmod`` (``RawLocalFileSystem.setPermission`` without the native library),
        so 365 day partitions written by several tasks cost minutes of process starts
        (bench/README ``spark_days``); a year is 12 month directories with one file each.
        """
        column, value, data = layout
        target, stage_q, part = q(table.name), q(stage), q(column)
        keys = ", ".join(q(k) for k in table.key)
        # (month stored, month in the batch, rows, matched) in one job: the batch's size, where its
        # keys lie now, which months it brings
        found = self.execute(
            f"SELECT t.{part}, {value}, count(*), count(t.{q(table.key[0])}) FROM {stage_q} s "
            f"LEFT JOIN (SELECT {keys}, {part} FROM {target} WHERE {scope}) t ON {on} GROUP BY 1, 2"
        ).fetchall()
        rows = sum(int(n) for *_p, n, _m in found)
        matched_in: dict = {}
        for old_month, _new, _n, m in found:
            if m:
                matched_in[old_month] = matched_in.get(old_month, 0) + int(m)
        matched = sum(matched_in.values())
        old, new = set(matched_in), {n for _o, n, _c, _m in found}
        inserted = rows - matched
        updated = 0
        if matched and update:
            updated = self.scalar(
                f"SELECT count(*) FROM (SELECT * FROM {target} WHERE {scope} AND {in_partitions(part, old)}) t "
                f"JOIN {stage_q} s ON {on} WHERE NOT ({same})"
            )
        if not (inserted or updated):  # a re-import: nothing to write
            return 0, 0
        order = [q(c) for c in data if c != column]
        from_stage = ", ".join([*(f"s.{c}" for c in order), f"{value} AS {part}"])
        if not matched:  # the common case of a new export: every key is new
            self.execute(f"INSERT INTO {target} SELECT * FROM (SELECT {from_stage} FROM {stage_q} s) DISTRIBUTE BY {part}")
            return inserted, 0
        months = old | new
        # a month only the batch's keys leave, and left with no row, gets no output: dropped instead
        emptied = set()
        if update and old - new:
            emptied = {m for m, n in self.execute(
                f"SELECT {part}, count(*) FROM {target} WHERE {in_partitions(part, old - new)} GROUP BY 1"
            ).fetchall() if int(n) == matched_in.get(m, 0)}
        stored = ", ".join([*(f"t.{c}" for c in order), f"t.{part}"])
        in_months = in_partitions(f"t.{part}", months - emptied)
        if update:
            kept = f"SELECT {stored} FROM {target} t WHERE {in_months} AND NOT EXISTS (SELECT 1 FROM {stage_q} s WHERE {on})"
            added = f"SELECT {from_stage} FROM {stage_q} s"
        else:  # insert-only: stored rows stay as they are, only new keys are added
            kept = f"SELECT {stored} FROM {target} t WHERE {in_months}"
            added = (f"SELECT {from_stage} FROM {stage_q} s WHERE NOT EXISTS (SELECT 1 FROM {target} t "
                     f"WHERE {in_partitions(f't.{part}', old)} AND {on})")
        # a dynamic partition overwrite writes aside and swaps each written month in after the job:
        # reading the months it overwrites is safe (Spark checks the read path only for static overwrites)
        self.execute(f"INSERT OVERWRITE TABLE {target} PARTITION ({part}) "
                     f"SELECT * FROM ({kept} UNION ALL {added}) DISTRIBUTE BY {part}")
        for month in emptied:
            self.execute(f"ALTER TABLE {target} DROP IF EXISTS PARTITION ({part} = {partition_literal(month)})")
        return inserted, updated

    def _rewrite(self, table: Table, stage: str, *, keep: str, add: str) -> None:
        """Spark: write the merged table aside, then swap it in (no DELETE on plain tables)."""
        cols = ", ".join(q(c) for c in table.column_names)
        aside = f"{table.name}__merge"
        self.execute(f"DROP TABLE IF EXISTS {q(aside)}")
        self.execute(
            f"CREATE TABLE {q(aside)} USING parquet AS "
            f"SELECT {cols} FROM {q(table.name)} t WHERE {keep} "
            f"UNION ALL SELECT {cols} FROM {q(stage)} s WHERE {add}"
        )
        self.execute(f"DROP TABLE {q(table.name)}")
        self.execute(f"ALTER TABLE {q(aside)} RENAME TO {q(table.name)}")
