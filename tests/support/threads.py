"""Run the same work in many threads at once (concurrency tests against PostgreSQL)."""

from __future__ import annotations

import threading

from django.db import connections


def in_threads(n: int, work) -> list:
    """``work(k)`` for k in 0..n-1, all released together by a barrier; their results (any
    order). Each thread closes its own database connections when done."""
    results: list = []
    lock = threading.Lock()
    start = threading.Barrier(n)

    def runner(k: int) -> None:
        try:
            start.wait()
            out = work(k)
            with lock:
                results.append(out)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
