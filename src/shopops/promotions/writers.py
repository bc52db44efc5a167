"""PostgreSQL connections that write group-commit batches, shared by the threads of a process.

Group commit (``group_commit``) lets one thread at a time write everyone's queued attempts of a
sale. That thread used to write on its own Django connection, and leadership passes from thread
to thread — so in a 秒杀's first second each new leader opened a connection of its own before it
could write (a burst of 64 buyer threads opened ~54 connections, ~0.5 s each on the loaded
2-core VM, and the sale waited for them). The batches now go through this small pool: a leader
borrows an open connection, writes one statement (autocommit: the statement is its own
transaction) and returns it. Threads whose attempts are refused (by the Redis gate, or by the
read hint once sold out) or written in someone else's batch never open a connection for it.

Each connection is a Django ``DatabaseWrapper`` of its own (``connections.create_connection``),
so it gets the same settings, time zone and role as the request's connection. A connection
that failed, or idled longer than ``HEALTH_CHECK_AFTER_S``, is checked (or dropped) before use,
like Django's ``CONN_HEALTH_CHECKS``. ``close_all()`` closes the idle ones (the tests do before
the test database is dropped).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

MAX_IDLE = 4  # connections kept open per process (one per sale being written at the same moment)
HEALTH_CHECK_AFTER_S = 1.0  # idle longer: one SELECT 1 before the batch (a sale's batches come back to back)

_idle: list[tuple[object, float]] = []  # (DatabaseWrapper, when it was last returned)
_lock = threading.Lock()
opened = 0  # connections opened so far (for tests and the bench)


def _open():
    global opened
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.inc_thread_sharing()  # borrowed by whichever thread leads; closed by any
    wrapper.connect()
    with _lock:
        opened += 1
    return wrapper


def _usable(wrapper, idle_since: float) -> bool:
    con = wrapper.connection
    if con is None or con.closed or con.broken:
        return False
    if time.monotonic() - idle_since > HEALTH_CHECK_AFTER_S:
        return wrapper.is_usable()
    return True


@contextmanager
def borrowed() -> Iterator[object]:
    """A psycopg connection (autocommit) to run one statement on; back to the pool afterwards."""
    wrapper = None
    while wrapper is None:
        with _lock:
            taken = _idle.pop() if _idle else None
        if taken is None:
            wrapper = _open()
        elif _usable(*taken):
            wrapper = taken[0]
        else:
            _close(taken[0])
    try:
        yield wrapper.connection
    finally:
        con = wrapper.connection
        if con is None or con.closed or con.broken or not con.autocommit:
            _close(wrapper)
        else:
            with _lock:
                keep = len(_idle) < MAX_IDLE
                if keep:
                    _idle.append((wrapper, time.monotonic()))
            if not keep:
                _close(wrapper)


def _close(wrapper) -> None:
    try:
        wrapper.close()
    except Exception:  # noqa: BLE001 — a broken connection may fail to close; it is gone either way
        pass


def close_all() -> None:
    """Close the idle connections (a borrowed one is closed when it comes back after this)."""
    with _lock:
        idle = list(_idle)
        _idle.clear()
    for wrapper, _ in idle:
        _close(wrapper)


def _after_fork_in_child() -> None:
    """A forked worker must not use (nor close: that would end the parent's session) the parent's connections."""
    global _lock
    _lock = threading.Lock()
    _idle.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
