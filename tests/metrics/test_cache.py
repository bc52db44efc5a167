"""The one cache of warehouse results: keyed by (query, data version), copies, expiry, size."""

from __future__ import annotations

import time

import pyarrow as pa

from shopops.metrics.cache import LocalCache, cached
from shopops.warehouse.loader import load


def _store_row(name: str) -> pa.Table:
    return pa.Table.from_pylist([{"store_id": "a", "platform": "tmall", "name": name, "currency": "CNY",
                                  "time_zone": "Asia/Shanghai"}])


def test_a_value_is_built_once_per_data_version(warehouse):
    cache, calls = LocalCache(), []

    def build():
        calls.append(1)
        return warehouse.table("stores").name.to_pandas().tolist()

    assert cached("t", ("names",), build, con=warehouse, tables=("stores",), cache=cache) == []
    assert cached("t", ("names",), build, con=warehouse, tables=("stores",), cache=cache) == []
    assert len(calls) == 1
    load(warehouse, "stores", _store_row("A"))  # any write path goes through the loader
    assert cached("t", ("names",), build, con=warehouse, tables=("stores",), cache=cache) == ["A"]
    load(warehouse, "stores", _store_row("A"))  # the same row again: nothing changed, no new version
    assert cached("t", ("names",), build, con=warehouse, tables=("stores",), cache=cache) == ["A"]
    assert len(calls) == 2


def test_local_cache_hands_out_copies_expires_and_keeps_its_size():
    cache = LocalCache(size=2, timeout=0.05)
    cache.set("k", {"rows": [1, 2]})
    got = cache.get("k")
    got["rows"].append(3)
    assert cache.get("k") == {"rows": [1, 2]}
    cache.set("k2", 2)
    cache.set("k3", 3)
    assert (cache.get("k"), cache.get("k2"), cache.get("k3")) == (None, 2, 3)
    time.sleep(0.06)
    assert cache.get("k3") is None
    shared = LocalCache(pickled=False)
    value = object()
    shared.set("v", value)
    assert shared.get("v") is value
