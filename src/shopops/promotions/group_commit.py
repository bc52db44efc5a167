"""Group commit: the attempts that arrive while one batch is being written go in the next one.

In a 秒杀 hundreds of threads of one server process want to write a reservation at the same
moment, and every reservation ends by decrementing the same stock row: written one by one,
each waits for the row lock of the one before. ``GroupCommit`` lets the first waiting thread
(the *leader*) write everything queued so far with one statement while the others wait for
their own result; whoever arrives during that write is written by the next leader. Nothing is
delayed on purpose: with one attempt at a time each batch holds one attempt.

``write(items)`` is called by the leader with a batch and must return one outcome per item:
a value, or an exception the item's caller gets raised. A batch never holds two items with the
same ``key`` (one buyer's two attempts go in two batches: the statement may touch a buyer's row
once). Pure Python, no Django.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Pending:
    key: Hashable
    item: Any
    wake: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    lead: bool = False  # woken to write the next batches (the leader before it got its result)
    outcome: Any = None


class GroupCommit:
    def __init__(self, write: Callable[[Sequence[Any]], Sequence[Any]], *, max_batch: int = 256) -> None:
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._leading = False
        self.batches = 0  # statements written (for tests and the bench)

    def submit(self, key: Hashable, item: Any) -> Any:
        """Write ``item`` (in a batch with whatever else waits) and return its outcome."""
        me = _Pending(key, item)
        with self._lock:
            self._queue.append(me)
            if not self._leading:
                self._leading = me.lead = True
        while not me.finished:
            if me.lead:
                me.lead = False
                self._lead(me)
            else:
                me.wake.wait()
                me.wake.clear()
        if isinstance(me.outcome, BaseException):
            raise me.outcome
        return me.outcome

    def _take(self) -> list[_Pending]:
        """The next batch: queued items in arrival order, one per key, at most ``max_batch``."""
        batch, keys, rest = [], set(), []
        for pending in self._queue:
            if len(batch) < self._max_batch and pending.key not in keys:
                batch.append(pending)
                keys.add(pending.key)
            else:
                rest.append(pending)
        self._queue = rest
        return batch

    def _lead(self, me: _Pending) -> None:
        """Write batches until ``me`` has its outcome, then hand the lead to the next in the queue."""
        while True:
            with self._lock:
                if me.finished:
                    if self._queue:
                        successor = self._queue[0]
                        successor.lead = True
                        successor.wake.set()
                    else:
                        self._leading = False
                    return
                batch = self._take()
            try:
                outcomes = list(self._write([p.item for p in batch]))
                if len(outcomes) != len(batch):
                    raise RuntimeError(f"group commit: {len(outcomes)} outcomes for {len(batch)} items")
            except BaseException as exc:  # the whole batch failed: each caller gets the error
                outcomes = [exc] * len(batch)
            self.batches += 1
            for pending, outcome in zip(batch, outcomes, strict=True):
                pending.outcome = outcome
                pending.finished = True
                if pending is not me:
                    pending.wake.set()
