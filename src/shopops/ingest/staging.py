"""Typed rows of a file staged in a temporary Parquet file, merged once by the loader.

The full path of an import types a file in blocks. Merging block after block inside one
transaction made DuckDB's transaction-local storage grow with the file (about 160 MB per million lines, whatever the memory limit). Here
each checked block is appended to a Parquet file of the import's own (a row group per block:
constant memory, nothing in the warehouse yet); when the file is read, the memory the blocks
used is handed back to the system (:func:`release_memory`) and the loader merges the whole
file once, in one transaction, from a view over the Parquet file — as it merges the fast
path's staged rows (``loader.Staged``), with DuckDB reading it under the import's memory limit
(``fast_csv.bounded_memory``). A rejected (strict) or failed import deletes the file and the
warehouse is as it was; the same file again merges into unchanged rows and writes nothing.

A natural key that repeats anywhere in the file keeps its first row: the later ones are left out
of the view and handed back (:meth:`TempRows.repeats`) to be rejected as ``duplicate of row N``,
the one rule of every path (``pipeline._duplicate_rejects`` within a block, the fast path's flag).

The file lives in the system's temporary directory (``TMPDIR``) and takes about a third of the
text's size (LZ4).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import shutil
import tempfile
import uuid
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from shopops.warehouse.backends.sql import Staged, q
from shopops.warehouse.loader import conform
from shopops.warehouse.schema import TABLES

ROW = "_row"


def supported(con: ibis.BaseBackend) -> bool:
    """DuckDB (it reads the Parquet file itself), with no transaction of the caller's open."""
    return con.name == "duckdb" and not getattr(con, "_shopops_tx_depth", 0)


def release_memory() -> None:
    """Hand the memory freed by the typed blocks back to the system before the merge.

    Arrow's pool and glibc's heaps keep freed memory for reuse; after reading a large file that
    is a few hundred MB the merge (DuckDB, under its own limit) would come on top of.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class TempRows:
    """Blocks of one canonical table appended to a temporary Parquet file; :meth:`staged` hands
    them to the loader as a view, :meth:`drop` deletes what is left.

    ``rows_numbered``: each block comes with its rows' numbers in the file, and a key repeated
    anywhere in the file keeps its first row; :meth:`repeats` lists the others (else the keys are
    unique by construction).
    """

    def __init__(self, con: ibis.BaseBackend, table_name: str, *, rows_numbered: bool = False) -> None:
        self.db = con.con
        self.table = TABLES[table_name]
        self.name = f"_staged_{table_name}_{uuid.uuid4().hex[:10]}"
        self.rows_numbered = rows_numbered
        self.rows = 0
        self.repeated_rows = 0  # rows left out because an earlier row of the file has their key (after staged())
        self.stores: set[str] = set()
        self._dir: Path | None = None
        self._writer: pq.ParquetWriter | None = None
        self._made: list[str] = []  # "TABLE x" / "VIEW x" to drop
        self._repeated: str | None = None  # the temporary table of the keys the file holds more than once

    @property
    def path(self) -> Path:
        assert self._dir is not None
        return self._dir / "rows.parquet"

    def add(self, batch: pa.Table, rows: pa.Array | None = None) -> None:
        """Append one block (conformable to the table; ``rows``: its rows' numbers in the file)."""
        batch = conform(self.table, batch)
        if not batch.num_rows:
            return
        if self.rows_numbered:
            batch = batch.append_column(ROW, rows.cast(pa.int64()))
        if "store_id" in batch.column_names:
            self.stores.update(pc.unique(batch.column("store_id")).to_pylist())
        if self._writer is None:
            self._dir = Path(tempfile.mkdtemp(prefix="shopops-import-"))
            self._writer = pq.ParquetWriter(self.path, batch.schema, compression="lz4")
        self._writer.write_table(batch)
        self.rows += batch.num_rows

    def staged(self) -> Staged | None:
        """The staged rows as a view shaped like the table (None when no row was added); the loader
        drops the view after its merge."""
        if self._writer is None:
            return None
        self._writer.close()
        self._writer = None
        release_memory()
        source = f"read_parquet({_sql_text(str(self.path))})"
        rows, where = self.rows, ""
        if self.rows_numbered:
            keys = ", ".join(q(k) for k in self.table.key)
            repeated = f"{self.name}_dup"
            self.db.execute(f"CREATE TEMP TABLE {q(repeated)} AS SELECT {keys}, min({ROW}) AS _first, count(*) AS _n "
                            f"FROM {source} GROUP BY {keys} HAVING count(*) > 1")
            self._made.append(f"TABLE {repeated}")
            keys_n, lines = self.db.execute(f"SELECT count(*), coalesce(sum(_n), 0) FROM {q(repeated)}").fetchone()
            if keys_n:  # every row of a repeated key but its first one is left out (and rejected)
                self.repeated_rows = int(lines) - int(keys_n)
                rows -= self.repeated_rows
                self._repeated = repeated
                on = " AND ".join(f"s.{q(k)} = d.{q(k)}" for k in self.table.key)
                where = f" WHERE NOT EXISTS (SELECT 1 FROM {q(repeated)} d WHERE {on} AND s.{ROW} <> d._first)"
        cols = ", ".join(f"s.{q(c)}" for c in self.table.column_names)
        view = f"{self.name}_v"
        self.db.execute(f"CREATE TEMP VIEW {q(view)} AS SELECT {cols} FROM {source} s{where}")
        self._made.append(f"VIEW {view}")
        stores = tuple(sorted(self.stores)) if "store_id" in self.table.column_names else ("",)
        return Staged(view, rows, stores, drop=tuple(reversed(self._made)))

    def repeats(self, limit: int) -> pa.Table:
        """After :meth:`staged`: the first ``limit`` rows (by row number) left out because an earlier
        row of the file has their key — the key columns, ``_row`` and ``_first`` (the earliest row)."""
        keys = list(self.table.key)
        if self._repeated is None:
            return pa.table({**{k: pa.array([], pa.string()) for k in keys},
                             ROW: pa.array([], pa.int64()), "_first": pa.array([], pa.int64())})
        on = " AND ".join(f"s.{q(k)} = d.{q(k)}" for k in keys)
        cols = ", ".join(f"s.{q(k)}" for k in keys)
        return self.db.execute(
            f"SELECT {cols}, s.{ROW}, d._first FROM read_parquet({_sql_text(str(self.path))}) s "
            f"JOIN {q(self._repeated)} d ON {on} WHERE s.{ROW} <> d._first ORDER BY s.{ROW} LIMIT {int(limit)}"
        ).to_arrow_table()

    def drop(self) -> None:
        """Drop the view and table left (after a rejected or failed import) and delete the file."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        for what in reversed(self._made):
            kind, name = what.split(" ", 1)
            with contextlib.suppress(Exception):
                self.db.execute(f"DROP {kind} IF EXISTS {q(name)}")
        self._made.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
