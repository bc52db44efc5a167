"""The runner base class: what runs, caching, timings and the registry.

Every runner takes a frozen, typed query dataclass and answers it in two steps:
``to_expr()`` builds the Ibis expressions it runs (a dict: name -> expression; composite
runners such as comparison and targets return their sub-queries' expressions under their
own names), and ``calculate()`` runs exactly those (:meth:`Runner.frames`) and shapes the
typed response, which carries ``seconds``, ``timings`` (seconds per step), ``sql`` (compiled
SQL per expression, with ``capture_sql=True``), ``cache_key`` and ``cached``.

Look a runner up by the query's type: ``RUNNERS[type(query)]``, or just
``run_query(query)`` (``shopops.metrics.runners``).

Compiling an Ibis expression to SQL costs more than running it on a small store (tens of
milliseconds), so each runner keeps the compiled SQL and output schema of every query it
has run (``compiled``: an LRU keyed by backend, runner kind and the query's ``repr``, which
fixes the SQL exactly); the same query again skips building and compiling
(``warehouse.backends.compiled`` runs the text).

Results are cached by default in the one cache of warehouse results
(:mod:`shopops.metrics.cache`: Django's cache, or a process-local LRU without Django), keyed
by the runner kind, the query and the *data version* of the warehouse tables the runner
reads (:mod:`shopops.warehouse.versions`: one small lookup), so any load that changes those
tables changes every key that depends on it. ``cache=`` passes another cache (anything
with ``get``/``set``); ``cache=False`` turns caching off. Results of more than
``CACHE_MAX_ROWS`` rows are not stored.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, TypeVar

import ibis
import ibis.expr.types as ir
import pandas as pd
import sqlglot

from shopops.metrics import rollups
from shopops.metrics.cache import Cache, cache_key, default_cache
from shopops.warehouse.backends.compiled import execute_compiled, execute_compiled_records, frame_records
from shopops.warehouse.connection import connect
from shopops.warehouse.schema import TABLES

Q = TypeVar("Q")
R = TypeVar("R")
# results with more rows than this are not cached: pickling them into the cache costs more
# than it saves (a batch job's per-product daily series), and they would crowd out the pages'
CACHE_MAX_ROWS = 20_000


_SQL_RECURSION = 6000


@contextmanager
def _deep_sql() -> Iterator[None]:
    """Room for sqlglot's recursive SQL generator: every KPI of the catalog by a dimension in one
    statement nests deeper than Python's default 1,000 frames on the Spark dialect. Raised once
    for the process and never lowered again (threads compile concurrently)."""
    if sys.getrecursionlimit() < _SQL_RECURSION:
        sys.setrecursionlimit(_SQL_RECURSION)
    yield


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


class Runner(Generic[Q, R]):
    """Base of every query runner. Subclasses set ``kind``, ``query_type``, ``tables`` and
    implement ``to_expr`` and ``_calculate`` (which gets its data from ``self.frames()``)."""

    kind: ClassVar[str] = ""
    query_type: ClassVar[type] = object
    tables: ClassVar[tuple[str, ...]] = tuple(TABLES)  # the warehouse tables it reads (for the data version)

    def __init__(self, query: Q, *, con: ibis.BaseBackend | None = None, cache: Cache | bool | None = None,
                 capture_sql: bool = False) -> None:
        self.query = query
        self.con = con or connect()
        self.cache = default_cache() if cache is None or cache is True else (None if cache is False else cache)
        self.capture_sql = capture_sql  # keep the compiled SQL in the response
        self.timings = Timings()

    # -- to implement ------------------------------------------------------------
    def to_expr(self) -> dict[str, ir.Table]:
        """The expressions this runner runs, by name."""
        raise NotImplementedError

    def _calculate(self) -> R:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------
    def stores(self) -> tuple[str, ...]:
        """The stores whose data the answer depends on (empty: every store)."""
        return tuple(getattr(self.query, "stores", ()) or ())

    def cache_key(self) -> str:
        return cache_key(f"metrics:{self.kind}", (self.query, self.con.name, self.capture_sql),
                         con=self.con, tables=self.tables, stores=self.stores())

    def frames(self, sql: dict[str, str]) -> dict[str, pd.DataFrame]:
        """Run ``to_expr()``: one frame per expression, each timed as ``execute:<name>`` (and its
        SQL kept in ``sql`` with ``capture_sql``). The compiled SQL is reused for the same query."""
        return self._run(sql, execute_compiled)

    def records(self, sql: dict[str, str]) -> dict[str, list[dict]]:
        """Like :meth:`frames`, each result as its rows (``warehouse.backends.compiled.execute_compiled_records``:
        no pandas frame; a missing number is None, a date a ``datetime.date``)."""
        return self._run(sql, execute_compiled_records)

    def _run(self, sql: dict[str, str], execute) -> dict:
        hit = compiled_sql(self.con, (self.kind, repr(self.query), rollups.enabled(self.con)), self.to_expr,
                           timings=self.timings)
        out = {}
        for name, (text, schema) in hit.items():
            if self.capture_sql:
                sql[name] = text
            with self.timings.step(f"execute:{name}"):
                out[name] = execute(self.con, text, schema)
        return out

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
        size = len(getattr(result, "rows", None) or getattr(result, "cells", None) or ())
        if self.cache is not None and size <= CACHE_MAX_ROWS:
            self.cache.set(key, result)
        return result


records = frame_records  # ``frame.to_dict("records")`` without pandas' row-by-row path


class CompiledCache:
    """A thread-safe LRU of compiled SQL (text and output schema) per query; see the module docstring."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


compiled = CompiledCache()


def compiled_sql(con: ibis.BaseBackend, key: tuple, build: Callable[[], dict[str, ir.Table]], *,
                 timings: Timings | None = None) -> dict[str, tuple[str, ibis.Schema]]:
    """The SQL text and output schema of each expression ``build()`` makes, by name, compiled for
    ``con``'s engine once per ``key`` (kept in ``compiled``; timed as ``build`` in ``timings`` when it
    compiles). ``key`` must fix the SQL exactly: every input the expressions are built from. Run the
    text with ``execute_compiled`` or ``execute_compiled_records``. For reads outside the runners that
    pages repeat with the same inputs (``maturity.refund_figures``)."""
    full = (con.name, *key)
    hit = compiled.get(full)
    if hit is None:
        with timings.step("build") if timings is not None else nullcontext(), _deep_sql():
            hit = {name: (str(ibis.to_sql(expr, dialect=con.name)), expr.schema()) for name, expr in build().items()}
        compiled.put(full, hit)
    return hit


_MARK = "__shopops_value_{}_5d0c9e__"  # a string no data holds: the place of a value in the kept SQL


def bound_sql(con: ibis.BaseBackend, key: tuple, build: Callable[[dict[str, str]], dict[str, ir.Table]],
              values: dict[str, str], *, timings: Timings | None = None) -> dict[str, tuple[str, ibis.Schema]]:
    """Like :func:`compiled_sql`, for expressions that differ only in string values (the customer id
    of a 360° page: each customer is opened once, so SQL kept per id would never be used again).
    ``build(marks)`` makes the expressions with ``marks[name]`` where ``values[name]`` goes; that SQL is
    kept per ``key`` and the names, and each mark's string literal is replaced by the value's, written
    and escaped by sqlglot for the engine's dialect. Every mark must reach the SQL as a string literal
    (compared, not transformed): a mark the SQL does not hold raises."""
    marks = {name: _MARK.format(name) for name in values}
    hit = compiled_sql(con, (*key, tuple(sorted(values))), lambda: build(marks), timings=timings)
    def quoted(value: str) -> str:
        return sqlglot.exp.Literal.string(value).sql(dialect=con.dialect)

    out, seen = {}, set()
    for out_name, (text, schema) in hit.items():
        for name, mark in marks.items():
            if quoted(mark) in text:
                seen.add(name)
            elif mark in text:
                raise ValueError(f"bound_sql {key!r}: {name!r} reaches the SQL transformed, not as a literal")
            text = text.replace(quoted(mark), quoted(values[name]))
        out[out_name] = (text, schema)
    if missing := sorted(set(values) - seen):
        raise ValueError(f"bound_sql {key!r}: {missing} never reach the SQL")
    return out


RUNNERS: dict[type, type[Runner]] = {}  # query type -> its runner


def register(cls: type[Runner]) -> type[Runner]:
    assert cls.kind and cls.query_type is not object and cls.query_type not in RUNNERS, cls
    assert cls.kind not in {r.kind for r in RUNNERS.values()}, cls
    RUNNERS[cls.query_type] = cls
    return cls


def get_runner(query, **kwargs) -> Runner:
    """The runner for ``query``, picked by the query's type."""
    try:
        cls = RUNNERS[type(query)]
    except KeyError:
        raise TypeError(f"no runner for {type(query).__name__}; known: "
                        f"{', '.join(sorted(t.__name__ for t in RUNNERS))}") from None
    return cls(query, **kwargs)


def run_query(query, **kwargs):
    """Run any query with its runner: ``run_query(FunnelQuery(period), con=con)``."""
    return get_runner(query, **kwargs).calculate()


@dataclass(slots=True, kw_only=True)
class Response:
    """Fields every runner response has (subclasses add theirs before these).

    ``sql`` is filled only when the runner was made with ``capture_sql=True``."""

    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    sql: dict[str, str] = field(default_factory=dict)
    cache_key: str | None = None
    cached: bool = False
