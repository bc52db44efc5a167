"""One Ibis connection to the warehouse, built from ``SHOPOPS_WAREHOUSE_URL``.

URLs: ``duckdb:///abs/path.duckdb`` or ``duckdb://relative/path.duckdb`` (the default,
under ``./var``), ``duckdb://:memory:``, ``postgresql://user:pass@host/db``.

DuckDB lets one process write a database file. Inside that process each thread gets
its own cursor on the shared database, so web threads can read while a task writes.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from shopops.core.errors import ConfigurationError

DEFAULT_URL = "duckdb://var/warehouse.duckdb"  # var/ is SHOPOPS_VAR_DIR when set


@dataclass(frozen=True, slots=True)
class WarehouseUrl:
    url: str

    @property
    def engine(self) -> str:
        scheme = self.url.split("://", 1)[0] if "://" in self.url else ""
        if scheme in ("postgres", "postgresql"):
            return "postgres"
        if scheme in ("duckdb", "pyspark"):
            return scheme
        raise ConfigurationError(
            f"SHOPOPS_WAREHOUSE_URL={self.url!r}: unknown engine {scheme!r}; "
            "expected duckdb://…, postgresql://… or pyspark://local"
        )

    @property
    def duckdb_path(self) -> str:
        rest = self.url.split("://", 1)[1]
        if rest in ("", ":memory:"):
            return ":memory:"
        return rest


def warehouse_url() -> WarehouseUrl:
    default = DEFAULT_URL
    if os.environ.get("SHOPOPS_VAR_DIR"):
        default = f"duckdb://{os.environ['SHOPOPS_VAR_DIR'].rstrip('/')}/warehouse.duckdb"
    return WarehouseUrl(os.environ.get("SHOPOPS_WAREHOUSE_URL", default))


_lock = threading.Lock()
_roots: dict[str, BaseBackend] = {}
_local = threading.local()
_generation = 0  # bumped by disconnect_all so every thread drops its cursors


def _open(url: WarehouseUrl) -> BaseBackend:
    engine = url.engine
    if engine == "duckdb":
        path = url.duckdb_path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = ibis.duckdb.connect(path)
            con.raw_sql("SET enable_progress_bar = false")
            return con
        except Exception as exc:  # duckdb.IOException: lock held by another process
            if "lock" in str(exc).lower():
                raise ConfigurationError(
                    f"the warehouse {path} is open in another shopops process (DuckDB allows one "
                    "writer). Stop `shopops serve`, or run the command through the server, then retry."
                ) from exc
            raise
    if engine == "postgres":
        return ibis.connect(url.url.replace("postgresql://", "postgres://", 1))
    from shopops.warehouse.backends.spark import spark_connect

    return spark_connect(url.url)


def connect(url: str | None = None) -> BaseBackend:
    """The warehouse connection for this thread (opened once per process and URL)."""
    wurl = WarehouseUrl(url) if url else warehouse_url()
    cache = getattr(_local, "cons", None)
    if cache is None or getattr(_local, "generation", None) != _generation:
        cache = _local.cons = {}
        _local.generation = _generation
    if wurl.url in cache:
        return cache[wurl.url]
    with _lock:
        root = _roots.get(wurl.url)
        if root is None:
            root = _roots[wurl.url] = _open(wurl)
            from shopops.warehouse.loader import ensure_tables

            ensure_tables(root)  # every canonical table exists, empty until loaded
    if wurl.engine == "duckdb" and threading.current_thread() is not threading.main_thread():
        con = ibis.duckdb.from_connection(root.con.cursor())
    else:
        con = root
    cache[wurl.url] = con
    return con


def disconnect_all() -> None:
    """Close every connection (tests and the demo generator re-open with a new URL).

    A Spark session is kept: it is process-wide and slow to start.
    """
    global _generation
    with _lock:
        _generation += 1
        for url, root in list(_roots.items()):
            if WarehouseUrl(url).engine == "pyspark":
                continue
            try:
                root.disconnect()
            except Exception:  # already closed
                pass
            del _roots[url]
