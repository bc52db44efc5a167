"""One data version per (store, table): what every cache of warehouse results is keyed by.

Every write through the loader (:func:`shopops.warehouse.loader.load`: file imports, the
API's upserts, the checkout and collector, the promotions facts flush) that changes rows
bumps the version of the table for the stores it wrote, in the same transaction as the
rows (so a reader never sees new rows with an old version). The versions live in the
warehouse table ``_data_versions`` (``warehouse.schema.DATA_VERSIONS``) rather than the app
DB: they commit atomically with the facts, every process sharing the warehouse (web
server, workers, CLI, Spark jobs) sees the same value, and the loader needs no Django.

:func:`data_version` reads the rows of the tables (and stores) asked for — one small
lookup, never a scan of a fact table — and hashes them into a short string. The
warehouse's epoch row (a random token written when the table is created) is always part
of it, so two warehouses never share a version.

Rows written to the warehouse by anything but the loader do not bump the version: write
facts through the loader (or call :func:`bump`, or :func:`new_epoch` after a bulk change).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from ibis.backends import BaseBackend

from shopops.warehouse.backends import versions as _engine
from shopops.warehouse.schema import DATA_VERSIONS, TABLES

__all__ = ["DATA_VERSIONS", "bump", "data_version", "ensure", "new_epoch", "versions", "versions_memo"]

ensure = _engine.ensure
bump = _engine.bump
new_epoch = _engine.new_epoch


_memo: ContextVar[dict | None] = ContextVar("shopops_versions_memo", default=None)


@contextlib.contextmanager
def versions_memo() -> Iterator[None]:
    """Inside, the versions are read once per connection (every table's rows in one lookup) and
    reused: for the span of one page request, which reads the version of its tables for each of
    its results (a load landing meanwhile shows on the next request, as it would have a moment
    later anyway)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def versions(con: BaseBackend, tables: Iterable[str] = (), stores: Iterable[str] = ()) -> list[tuple[str, str, int, str]]:
    """(store_id, table_name, version, token) rows of ``tables`` (every canonical table when empty),
    restricted to ``stores`` when given, with the epoch row ("", "")."""
    tables, stores = tuple(tables) or tuple(TABLES), tuple(stores)
    memo = _memo.get()
    if memo is None or not set(tables) <= set(TABLES):
        return _engine.read(con, tables, stores)
    key = (id(con), con.name)
    rows = memo.get(key)
    if rows is None:
        rows = memo[key] = _engine.read(con, tuple(TABLES), ())
    names, chosen = {"", *tables}, {"", *stores}
    return [r for r in rows if r[1] in names and (not stores or r[0] in chosen)]


def data_version(con: BaseBackend, tables: Iterable[str] = (), stores: Iterable[str] = ()) -> str:
    """A short hash that changes whenever the loader changes a row of ``tables`` (of ``stores``)."""
    rows = versions(con, tables, stores)
    return hashlib.sha256(repr((con.name, rows)).encode()).hexdigest()[:16]
