"""Upsert facts into the warehouse by natural key, in transactional batches.

The loader is the only writer of facts. It takes Arrow data already shaped like a
canonical table (ingest maps and validates before), casts it to the table's schema,
and merges it: new keys insert, changed rows replace the old ones, identical rows are
left alone — so loading the same data twice changes nothing.

A load that changes rows bumps the data version of the table for the stores it wrote, in
the same transaction (``shopops.warehouse.versions``): every cache of warehouse results
is keyed by it.

The daily rollups (``shopops.warehouse.rollups``) are kept here too: around each merge the
loader notes the (store, business date) partitions the batch touches, and before the version
bump it recomputes exactly those partitions of the rollups the table feeds, in the same
transaction (``rollups.Touched``, ``rollups.refresh``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend

from shopops.core.errors import ValidationError
from shopops.warehouse import rollups
from shopops.warehouse.backends import versions
from shopops.warehouse.backends.sql import Session, Staged
from shopops.warehouse.schema import TABLES, Table


@dataclass(slots=True)
class LoadResult:
    table: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema(
        [pa.field(c.name, c.dtype.to_pyarrow(), nullable=c.nullable) for c in table.columns]
    )


def conform(table: Table, batch: pa.Table) -> pa.Table:
    """Reorder and cast a batch to the canonical schema; missing optional columns become null."""
    missing = [c.name for c in table.columns if not c.nullable and c.name not in batch.column_names]
    if missing:
        raise ValidationError(f"{table.name}: required columns missing: {', '.join(missing)}")
    extra = sorted(set(batch.column_names) - set(table.column_names))
    if extra:
        raise ValidationError(f"{table.name}: unknown columns: {', '.join(extra)}")
    schema = arrow_schema(table)
    arrays = []
    for field in schema:
        if field.name in batch.column_names:
            arrays.append(batch.column(field.name).cast(field.type))
        else:
            arrays.append(pa.nulls(batch.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=schema.with_metadata(None)) if batch.num_rows else schema.empty_table()


def ensure_tables(con: BaseBackend, names: Iterable[str] | None = None) -> None:
    """Create the canonical tables that do not exist yet (and the data-version table)."""
    session = Session(con)
    for name in names or TABLES:
        session.ensure_table(TABLES[name])
    versions.ensure(con)
    rollups.ensure(con)


def load(
    con: BaseBackend,
    table_name: str,
    batches: pa.Table | Iterable[pa.Table | Staged],
    *,
    atomic: bool = True,
    update: bool = True,
    keys_unique: bool = False,
) -> LoadResult:
    """Merge ``batches`` into ``table_name``.

    ``atomic=True`` loads every batch in one transaction (all or nothing);
    ``atomic=False`` commits batch by batch. Inside ``transaction(con)`` every load
    joins the outer transaction. ``update=False`` only inserts new keys and keeps
    existing rows as they are (e.g. a customer's first-seen time). ``keys_unique=True``:
    the caller has already made each natural key appear once per batch (ingest rejects the
    later rows of a key, naming the first), so the loader does not check it again.
    """
    table = TABLES[table_name]
    if isinstance(batches, pa.Table):
        batches = [batches]
    session = Session(con)
    session.ensure_table(table)
    versions.ensure(con)
    rollups.ensure(con)
    result = LoadResult(table_name)
    changed: set[str] = set()  # stores whose rows changed, for the data version
    touched = rollups.Touched()  # rollup partitions the changed rows fall in
    seen = _LoadedKeys(table) if atomic and session.engine != "pyspark" else None

    def one(batch: pa.Table | Staged) -> None:
        batch = batch if isinstance(batch, Staged) else conform(table, batch)
        if not batch.num_rows:
            return
        stage = session.stage(table, batch)
        try:
            dupes = 0 if keys_unique else session.duplicate_keys(table, stage)
            if dupes:
                raise ValidationError(
                    f"{table_name}: {dupes} natural keys ({', '.join(table.key)}) appear more than once in one batch"
                )
            new_keys = seen is not None and seen.all_new(session, batch, stage)
            before = [] if new_keys else touched.before(session, table, stage)
            inserted, updated = session.merge(table, stage, update=update, new_keys=new_keys)
            if inserted or updated:
                touched.after(session, table, stage, before)
        finally:
            session.drop_stages()
        result.rows += batch.num_rows
        result.inserted += inserted
        result.updated += updated
        if inserted or updated:
            changed.update(_stores(batch))

    def bump() -> None:
        rollups.refresh(session, touched)  # a month of days per statement: within an import's memory limit
        versions.bump(con, table_name, changed)
        changed.clear()

    if atomic:
        with session.transaction():
            for batch in batches:
                one(batch)
            bump()
    else:
        for batch in batches:
            with session.transaction():
                one(batch)
                bump()
    return result


class _LoadedKeys:
    """The keys one atomic load has written so far, for stores that held no row of the table
    when the load reached them (a first import of a store, a backfill into an empty table).

    A batch whose stores are all such stores can only meet keys written by this load; when
    none of its key hashes is among those written before (a hash collision only errs towards
    "may meet"), every key of it is new and it is inserted without a join against the table.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.fresh: set[str] = set()
        self.known: set[str] = set()  # stores already classified
        # sorted key hashes of the batches written so far, in runs of falling size (each at least
        # twice the next): a batch is looked up in log(batches) runs, and each hash is merged into a
        # bigger run only log(batches) times
        self.runs: list[np.ndarray] = []

    def all_new(self, session: Session, batch: pa.Table | Staged, stage: str) -> bool:
        if isinstance(batch, Staged):
            return False  # the merge finds out (a store without rows: a plain insert)
        stores = set(pc.unique(batch.column("store_id")).to_pylist()) if "store_id" in batch.column_names else {""}
        unknown = stores - self.known
        if unknown:
            self.fresh |= unknown - session.stores_with_rows(self.table, unknown)
            self.known |= unknown
        if not stores <= self.fresh:
            self.fresh -= stores  # a batch with a store that had rows: those stores go through the join
            return False
        hashes = np.sort(pl.from_arrow(batch.select(list(self.table.key))).select(
            pl.struct(list(self.table.key)).hash(seed=0)).to_series().to_numpy())
        new = not any(_meets(run, hashes) for run in self.runs)
        self.runs.append(hashes)
        while len(self.runs) > 1 and len(self.runs[-2]) < 2 * len(self.runs[-1]):
            last = self.runs.pop()  # two sorted runs: the stable sort (timsort) merges them in linear time
            self.runs[-1] = np.sort(np.concatenate([self.runs[-1], last]), kind="stable")
        return new


def _stores(batch: pa.Table | Staged) -> list[str]:
    if isinstance(batch, Staged):
        return list(batch.stores)
    return pc.unique(batch.column("store_id")).to_pylist() if "store_id" in batch.column_names else [""]


def _meets(sorted_hashes: np.ndarray, sorted_needles: np.ndarray) -> bool:
    """Whether any of ``sorted_needles`` is in ``sorted_hashes`` (both sorted: one cache-friendly pass)."""
    if not len(sorted_hashes) or not len(sorted_needles):
        return False
    at = np.searchsorted(sorted_hashes, sorted_needles).clip(max=len(sorted_hashes) - 1)
    return bool((sorted_hashes[at] == sorted_needles).any())


def transaction(con: BaseBackend):
    """One transaction around several loads: all of them land, or none."""
    return Session(con).transaction()
