"""The group commit under real threads: every caller gets its own outcome, a batch never holds
one key twice, a failed batch fails only its own callers, and concurrent callers share batches."""

from __future__ import annotations

import threading
import time

import pytest

from shopops.promotions.group_commit import GroupCommit


def _run_threads(n: int, body) -> None:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def runner(k: int) -> None:
        barrier.wait()
        try:
            body(k)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a caller never got its outcome"
    assert errors == []


def test_each_caller_gets_its_own_outcome_and_batches_are_shared():
    seen: list[list[int]] = []

    def write(batch):
        seen.append(list(batch))
        time.sleep(0.005)  # a statement takes time: callers arriving meanwhile wait for the next batch
        return [item * 10 for item in batch]

    gc = GroupCommit(write)
    results: dict[int, int] = {}

    def body(k: int) -> None:
        for i in range(20):
            item = k * 1000 + i
            results[item] = gc.submit(key=k, item=item)

    _run_threads(32, body)
    assert results == {k * 1000 + i: (k * 1000 + i) * 10 for k in range(32) for i in range(20)}
    assert sorted(x for b in seen for x in b) == sorted(results)  # each item written exactly once
    assert all(len({x // 1000 for x in b}) == len(b) for b in seen)  # one item per key in a batch
    assert len(seen) < 32 * 20 / 4  # batched: far fewer statements than items (hand count: 640 items)


def test_a_failed_batch_fails_its_callers_only():
    def write(batch):
        if any(item < 0 for item in batch):
            raise ValueError("bad batch")
        return [item + 1 for item in batch]

    gc = GroupCommit(write)
    assert gc.submit(key="a", item=1) == 2
    with pytest.raises(ValueError, match="bad batch"):
        gc.submit(key="a", item=-1)
    assert gc.submit(key="a", item=5) == 6  # the next batch is fine again


def test_an_outcome_that_is_an_exception_is_raised_to_its_caller():
    gc = GroupCommit(lambda batch: [KeyError(item) if item == "x" else item for item in batch])
    assert gc.submit(key=1, item="y") == "y"
    with pytest.raises(KeyError):
        gc.submit(key=1, item="x")


def test_max_batch_is_respected():
    sizes: list[int] = []

    def write(batch):
        sizes.append(len(batch))
        time.sleep(0.01)
        return list(batch)

    gc = GroupCommit(write, max_batch=4)
    _run_threads(16, lambda k: gc.submit(key=k, item=k))
    assert max(sizes) <= 4 and sum(sizes) == 16
