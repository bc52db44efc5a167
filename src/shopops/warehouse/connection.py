"""One Ibis connection to the warehouse, built from ``SHOPOPS_WAREHOUSE_URL``.

URLs: ``duckdb:///abs/path.duckdb`` or ``duckdb://relative/path.duckdb`` (the default,
under ``./var``), ``duckdb://:memory:``, ``postgresql://user:pass@host/db``.

DuckDB lets one process write a database file. Inside that process each thread gets
its own cursor on the shared database, so web threads can read while a task writes.

PostgreSQL: each thread gets its own connection (a session of its own), so a thread's
transaction is never joined by another thread's writes — an API upsert in a web thread
commits on its own even while an import in the worker thread holds a transaction open
(and rolls it back). Connections of threads that have ended are closed the next time a
thread connects, and all of them by ``disconnect_all``. Spark: one session per process.
"""

from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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
# PostgreSQL: url -> {thread ident: (the thread, its own connection)}; the main thread uses the root
_thread_cons: dict[str, dict[int, tuple[weakref.ref, BaseBackend]]] = {}


def _close_quietly(con: BaseBackend) -> None:
    try:
        con.disconnect()
    except Exception:  # already closed
        pass


def _thread_connection(wurl: WarehouseUrl) -> BaseBackend:
    """A PostgreSQL connection of this thread's own; closes those of threads that have ended."""
    me = threading.current_thread()
    with _lock:
        mine = _thread_cons.setdefault(wurl.url, {})
        for ident, (thread, con) in list(mine.items()):
            alive = thread()
            if alive is None or not alive.is_alive() or (ident == me.ident and alive is not me):
                _close_quietly(con)
                del mine[ident]
    con = _open(wurl)
    with _lock:
        _thread_cons.setdefault(wurl.url, {})[me.ident] = (weakref.ref(me), con)
    return con


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
        try:
            return ibis.connect(url.url.replace("postgresql://", "postgres://", 1))
        except Exception as exc:  # the server is down or refuses us: the pages answer 503 with this, not a 500
            parts = urlsplit(url.url)  # named without the user and password
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise ConfigurationError(
                f"the warehouse PostgreSQL at {parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path} could "
                f"not be opened: {detail}") from exc
    from shopops.warehouse.backends.spark import spark_connect

    return spark_connect(url.url)


def connect(url: str | None = None) -> BaseBackend:
    """The warehouse connection for this thread.

    The database is opened once per process and URL; DuckDB threads get a cursor of it,
    PostgreSQL threads other than the main one a connection of their own.
    """
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
    if threading.current_thread() is threading.main_thread():
        con = root
    elif wurl.engine == "duckdb":
        con = ibis.duckdb.from_connection(root.con.cursor())
    elif wurl.engine == "postgres":
        con = _thread_connection(wurl)
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
        for url, threads in list(_thread_cons.items()):
            for _thread, con in threads.values():
                _close_quietly(con)
            del _thread_cons[url]
        for url, root in list(_roots.items()):
            if WarehouseUrl(url).engine == "pyspark":
                continue
            try:
                root.disconnect()
            except Exception:  # already closed
                pass
            del _roots[url]
