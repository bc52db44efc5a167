"""Platform-looking ids, unique per store, derived from running numbers (no randomness)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopops.demo.generator.csv_out import integer, padded
from shopops.demo.generator.spec import STORES


def _spread(seq: np.ndarray, base: int, stride: int, salt: int) -> np.ndarray:
    """``base + seq*stride + h(seq)`` with ``h < stride``: unique, increasing, irregular-looking."""
    seq = np.asarray(seq, dtype=np.int64)
    return base + seq * stride + (seq * 2_654_435_761 + salt) % stride


def order_ids(store: int, seq: np.ndarray, created_date: pa.Array) -> pa.Array:
    platform = STORES[store].platform
    if platform == "tmall":
        return integer(_spread(seq, 2_100_000_000_000_000_000, 9_973, 11))
    if platform == "jd":
        return integer(_spread(seq, 280_000_000_000, 97, 13))
    if platform == "pdd":
        yymmdd = pc.utf8_slice_codeunits(pc.replace_substring(created_date, "-", ""), 2, 8)
        return pc.binary_join_element_wise(yymmdd, padded("", _spread(seq, 100_000_000_000_000, 997, 17), 15), "-")
    if platform == "douyin":
        return integer(_spread(seq, 6_900_000_000_000_000_000, 9_973, 19))
    ymd = pc.replace_substring(created_date, "-", "")
    return pc.binary_join_element_wise("SO", ymd, padded("", seq, 8), "")


def refund_ids(store: int, seq: np.ndarray) -> pa.Array:
    platform = STORES[store].platform
    if platform == "tmall":
        return integer(_spread(seq, 150_000_000_000_000_000, 9_973, 23))
    if platform == "douyin":
        return integer(_spread(seq, 7_100_000_000_000_000_000, 9_973, 29))
    prefix = {"jd": "JDR", "pdd": "PDR", "own": "RF"}[platform]
    return padded(prefix, _spread(seq, 0, 97, 31), 12)


def customer_ids(store: int, local: np.ndarray) -> pa.Array:
    platform = STORES[store].platform
    if platform == "tmall":
        return padded("tb", _spread(local, 1_000_000_000, 37, 3), 10)
    if platform == "jd":
        return padded("jd_", _spread(local, 30_000_000_000, 97, 5), 11)
    if platform == "pdd":
        return padded("pdd", _spread(local, 70_000_000_000, 97, 7), 11)
    if platform == "douyin":
        return padded("dy", _spread(local, 1_000_000_000_000_000, 7_919, 9), 16)
    return padded("wx_o", _spread(local, 0, 7_919, 41), 14)


def visitor_ids(store: int, number: np.ndarray) -> pa.Array:
    return padded(f"{STORES[store].id_prefix}v", number, 12)


def session_ids(store: int, seq: np.ndarray) -> pa.Array:
    return padded(f"{STORES[store].id_prefix}s", seq, 12)


def event_ids(store: int, seq: np.ndarray) -> pa.Array:
    return padded(f"{STORES[store].id_prefix}e", seq, 13)


def review_ids(store: int, seq: np.ndarray) -> pa.Array:
    return padded(f"{STORES[store].id_prefix}rv", seq, 11)
