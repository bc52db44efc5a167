"""The one cache of warehouse results, keyed by (query, data version).

Runners, the customer pages and the audience preview keep what they computed from the
warehouse here. A key is a hash of a namespace, the query (its ``repr``: frozen query
dataclasses, or a tuple of the inputs, including any app-DB settings the result depends
on) and the data version of the warehouse tables it reads
(:func:`shopops.warehouse.versions.data_version`, one small lookup). Any load that changes
those tables changes the version, so the next read misses and sees the new numbers; old
entries simply age out.

Where the results go: Django's cache (``CACHES["default"]``) when Django is configured,
else a process-local LRU (CLI scripts, notebooks). Large, short-lived things (the
audience's in-memory copy of the customer facts) use their own :class:`LocalCache`, never
pickled.

    cached("customers:rfm", (as_of, stores), build, con=con, tables=("orders", "customers"))
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from ibis.backends import BaseBackend

from shopops.warehouse.versions import data_version

T = TypeVar("T")
DEFAULT_TIMEOUT = 3600  # seconds: a safety net; the data version is what invalidates
# what a warm-up job's results are kept for (:func:`keep`): several of its runs, so that a result the job
# keeps warm never expires between two runs (Django's cache keeps what a runner stores for 300 s only)
WARM_TIMEOUT = 1800


class Cache(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: int | None = None) -> None: ...


class LocalCache:
    """A thread-safe, process-local LRU with per-entry expiry and the get/set of Django's cache.

    ``pickled=True`` stores a pickled copy (as Django's local-memory cache does), so a caller
    that changes a result it got cannot change the cached one; leave it off only for
    immutable values (Arrow tables)."""

    def __init__(self, size: int = 512, timeout: float | None = DEFAULT_TIMEOUT, *, pickled: bool = True) -> None:
        self.size = size
        self.timeout = timeout
        self.pickled = pickled
        self._items: OrderedDict[str, tuple[float | None, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return default
            expires, value = hit
            if expires is not None and expires < time.monotonic():
                del self._items[key]
                return default
            self._items.move_to_end(key)
        return pickle.loads(value) if self.pickled else value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        timeout = self.timeout if timeout is None else timeout
        if self.pickled:
            value = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._items[key] = (None if timeout is None else time.monotonic() + timeout, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def touch(self, key: str, timeout: float | None = None) -> bool:
        """Give ``key`` a new expiry (Django's ``cache.touch``); False when it is not there."""
        timeout = self.timeout if timeout is None else timeout
        with self._lock:
            hit = self._items.get(key)
            if hit is None or (hit[0] is not None and hit[0] < time.monotonic()):
                return False
            self._items[key] = (None if timeout is None else time.monotonic() + timeout, hit[1])
            self._items.move_to_end(key)
            return True

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_local = LocalCache()  # the fallback without Django


def default_cache() -> Cache:
    """Django's default cache when settings are configured, else the process-local LRU."""
    from django.conf import settings

    if settings.configured:
        from django.core.cache import caches

        return caches["default"]
    return _local


def keep(key: str | None, *, cache: Cache | None = None, timeout: float = WARM_TIMEOUT) -> bool:
    """Keep the result under ``key`` for ``timeout`` more seconds (a warm-up job, after computing or
    finding it): the data version invalidates it, not the clock, so the first visitor never finds a
    result the job keeps warm expired. False when it is not cached (too large to keep, or evicted)."""
    if not key:
        return False
    cache = default_cache() if cache is None else cache
    touch = getattr(cache, "touch", None)
    return bool(touch(key, timeout)) if touch is not None else False


def cache_key(namespace: str, query: Any, *, con: BaseBackend, tables: Iterable[str],
              stores: Iterable[str] = ()) -> str:
    """``shopops:<namespace>:<hash of the query and the data version of tables (of stores)>``."""
    text = f"{namespace}|{query!r}|{data_version(con, tables, stores)}"
    return f"shopops:{namespace}:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def cached(namespace: str, query: Any, build: Callable[[], T], *, con: BaseBackend, tables: Iterable[str],
           stores: Iterable[str] = (), cache: Cache | None = None, timeout: float | None = DEFAULT_TIMEOUT,
           keep_for: float | None = None) -> T:
    """``build()``'s value for ``query`` at the current data version, computed once.

    The version is read *before* building, so a value can only be newer than its key says
    (a load that lands during the build changes the version the next reader asks for).
    ``keep_for`` (a warm-up job): the value, found or built, is kept at least that long from now."""
    cache = default_cache() if cache is None else cache
    key = cache_key(namespace, query, con=con, tables=tables, stores=stores)
    hit = cache.get(key)
    life = timeout if keep_for is None or timeout is None else max(timeout, keep_for)
    if hit is None:
        hit = build()
        cache.set(key, hit, life)
    elif keep_for is not None:
        keep(key, cache=cache, timeout=life)
    return hit
