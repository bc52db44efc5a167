"""The runner base class: caching keys, timings and the registry.

Every runner takes a frozen, typed query dataclass, builds Ibis expressions in
``to_expr()`` and runs them in ``calculate()``, returning a typed response that
carries ``seconds``, ``timings`` (seconds per step), ``sql`` (compiled SQL per
expression), ``cache_key`` and ``cached``. Pass ``capture_sql=True`` to keep the compiled SQL.

Compiling an Ibis expression to SQL costs more than running it on a small store (tens of
milliseconds), so each runner keeps the compiled SQL and output schema of every query it
has run (``compiled``: an LRU keyed by backend, runner kind, expression name and the
query's ``repr``, which fixes the SQL exactly); the same query again skips building and
compiling (``warehouse.backends.compiled`` runs the text). Results are never cached
there, only SQL.

Caching results is opt-in: pass ``cache=`` any object with ``get(key)`` / ``set(key, value)``
(Django's cache, or a dict via :class:`DictCache`). The key is a hash of the runner
kind, the query and the *data version* of the warehouse tables the runner reads
(row count and latest business date per table), so a new import changes every key
that depends on it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, TypeVar

import ibis
import ibis.expr.types as ir

from shopops.warehouse.backends.compiled import execute_compiled
from shopops.warehouse.connection import connect
from shopops.warehouse.schema import TABLES

Q = TypeVar("Q")
R = TypeVar("R")

# business-date column per table, for the data version
_DATE_COLUMNS = {
    "orders": "paid_date", "order_lines": "paid_date", "refunds": "refund_date", "events": "event_date",
    "traffic_daily": "date", "ad_spend_daily": "date", "reviews": "review_date", "inventory_snapshots": "date",
}


@dataclass(slots=True)
class Timings:
    steps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - started


class DictCache(dict):
    """A process-local cache with the get/set interface runners use (tests, notebooks)."""

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:  # noqa: ARG002
        self[key] = value


def data_version(con: ibis.BaseBackend, tables: tuple[str, ...]) -> str:
    """Row count and latest business date of each table: changes whenever facts are loaded."""
    parts = []
    for name in sorted(set(tables)):
        t = con.table(name)
        date_col = _DATE_COLUMNS.get(name)
        aggs = {"n": t.count()}
        if date_col:
            aggs["d"] = t[date_col].max().cast("string")
        parts.append(t.aggregate(**aggs).mutate(table=ibis.literal(name)) if date_col
                     else t.aggregate(**aggs).mutate(d=ibis.literal(None, type="string"), table=ibis.literal(name)))
    expr = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    frame = con.execute(expr.select("table", "n", "d"))
    rows = sorted((str(r.table), int(r.n), str(r.d)) for r in frame.itertuples())
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


class Runner(Generic[Q, R]):
    """Base of every query runner. Subclasses set ``kind``, ``tables`` and implement ``_calculate``."""

    kind: ClassVar[str] = ""
    tables: ClassVar[tuple[str, ...]] = tuple(TABLES)

    def __init__(self, query: Q, *, con: ibis.BaseBackend | None = None, cache: Any = None,
                 capture_sql: bool = False) -> None:
        self.query = query
        self.con = con or connect()
        self.cache = cache
        self.capture_sql = capture_sql  # keep the compiled SQL in the response
        self.timings = Timings()

    # -- to implement ------------------------------------------------------------
    def to_expr(self) -> ir.Table | dict[str, ir.Table]:
        raise NotImplementedError

    def _calculate(self) -> R:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------
    def cache_key(self) -> str:
        text = f"{self.kind}|{self.query!r}|{self.con.name}|{data_version(self.con, self.tables)}"
        return f"shopops:metrics:{self.kind}:" + hashlib.sha256(text.encode()).hexdigest()[:32]

    def execute(self, name: str, build: Callable[[], ir.Table], sql: dict[str, str]):
        """Run the expression ``build()`` returns, recording its time (and with ``capture_sql``
        its SQL) under ``name``. The compiled SQL is reused for the same query (``compiled``)."""
        key = (self.con.name, self.kind, name, repr(self.query))
        hit = compiled.get(key)
        if hit is None:
            with self.timings.step("build"):
                expr = build()
                hit = (str(ibis.to_sql(expr, dialect=self.con.name)), expr.schema())
            compiled.put(key, hit)
        text, schema = hit
        if self.capture_sql:
            sql[name] = text
        with self.timings.step(f"execute:{name}"):
            return execute_compiled(self.con, text, schema)

    def calculate(self) -> R:
        started = time.perf_counter()
        key = None
        if self.cache is not None:
            with self.timings.step("cache_key"):
                key = self.cache_key()
            hit = self.cache.get(key)
            if hit is not None:
                return replace(hit, cached=True, seconds=time.perf_counter() - started)
        result = self._calculate()
        result.seconds = time.perf_counter() - started
        result.timings = dict(self.timings.steps)
        result.cache_key = key
        if self.cache is not None:
            self.cache.set(key, result)
        return result


class CompiledCache:
    """A thread-safe LRU of (SQL text, output schema) per query; see the module docstring."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple, tuple[str, ibis.Schema]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[str, ibis.Schema] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple, value: tuple[str, ibis.Schema]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


compiled = CompiledCache()

RUNNERS: dict[str, type[Runner]] = {}


def register(cls: type[Runner]) -> type[Runner]:
    assert cls.kind and cls.kind not in RUNNERS, cls
    RUNNERS[cls.kind] = cls
    return cls


@dataclass(slots=True, kw_only=True)
class Response:
    """Fields every runner response has (subclasses add theirs before these).

    ``sql`` is filled only when the runner was made with ``capture_sql=True``."""

    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    sql: dict[str, str] = field(default_factory=dict)
    cache_key: str | None = None
    cached: bool = False
