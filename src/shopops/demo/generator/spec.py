"""What the demo store is: its stores, traffic sources, scales, and the random streams.

Everything here is plain data. Each part of the generator draws from its own named
random stream (``stream(seed, "orders", 3)``) so changing one part never shifts the
numbers of another, and the same arguments always give byte-identical files.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

BRAND = "栖木"
BRAND_EN = "QIMU"


@dataclass(frozen=True, slots=True)
class StoreSpec:
    store_id: str
    platform: str
    name: str
    share: float  # share of the brand's orders
    repeat_factor: float  # how often an account of this store buys again
    source_mix: tuple[float, ...]  # buyer mix over SOURCES
    peak_factor: float  # how strongly big-sale days lift this store (1 = fully)
    price_elasticity: float  # >0 favours cheaper products
    id_prefix: str  # for event / session / visitor ids


# Traffic sources, codes exactly as the warehouse knows them.
SOURCES = ("search", "ads", "feed", "live", "social", "direct", "other")
# Conversion of a session from each source relative to search.
SOURCE_CONVERSION = np.array([1.0, 0.85, 0.45, 1.25, 1.1, 1.9, 0.6])
# Probability that a session starts on the home page, by source.
SOURCE_HOME_PROB = np.array([0.12, 0.15, 0.06, 0.04, 0.55, 0.8, 0.3])

STORES: tuple[StoreSpec, ...] = (
    StoreSpec("tmall", "tmall", f"{BRAND}官方旗舰店", 0.38, 1.0,
              (0.42, 0.20, 0.15, 0.06, 0.03, 0.10, 0.04), 1.0, 0.0, "tm"),
    StoreSpec("jd", "jd", f"{BRAND}京东自营旗舰店", 0.18, 1.0,
              (0.45, 0.22, 0.10, 0.03, 0.03, 0.13, 0.04), 0.9, -0.15, "jd"),
    StoreSpec("pdd", "pdd", f"{BRAND}拼多多旗舰店", 0.14, 0.8,
              (0.35, 0.20, 0.25, 0.05, 0.08, 0.04, 0.03), 0.6, 0.9, "pd"),
    StoreSpec("douyin", "douyin", f"{BRAND}抖音小店", 0.22, 0.7,
              (0.10, 0.18, 0.30, 0.34, 0.03, 0.02, 0.03), 0.8, 0.35, "dy"),
    StoreSpec("own", "own", f"{BRAND}小程序商城", 0.08, 1.7,
              (0.03, 0.05, 0.02, 0.05, 0.45, 0.35, 0.05), 0.5, 0.0, "wx"),
)
STORE_IDS = tuple(s.store_id for s in STORES)


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    # accounts acquired per window day at an average day (drives order volume)
    new_persons_per_day: float
    # persons who were already customers before the window
    existing_persons: int
    # anonymous (non-buying) sessions per expected order
    browse_sessions_per_order: float
    # inventory snapshot every N days (1 = daily)
    inventory_every: int
    # roll a table over to a new part file once a part holds this many rows
    part_rows: int | None


# small: ~32k paid orders a year and ~1.5M simulated browsing events, of which only the own
# mini-program's (~0.2M) are written (platform stores have no event stream: their reports are
# counted from the simulated events), weekly stock snapshots, one file per table.
# medium: ~10x small, daily stock. large: ~7M orders / ~11M order lines / ~77M simulated events
# (~9M written) a year; anonymous browsing is thinned (conversion ≈ 12 %, not 2–5 %) to keep files
# manageable. medium and large roll big tables over into part files.
SCALES: dict[str, Scale] = {
    "small": Scale("small", 42.0, 8_000, 21.0, 7, None),
    "medium": Scale("medium", 480.0, 90_000, 21.0, 1, 5_000_000),
    "large": Scale("large", 8_500.0, 1_600_000, 2.5, 1, 5_000_000),
    # for evaluating insights on planted incidents: ~10x small's orders per day with thinned
    # browsing, so a top product sells ~25 units a day and a few months load in under a minute
    "eval": Scale("eval", 420.0, 30_000, 2.0, 7, None),
}


def stream(seed: int, *keys: str | int) -> np.random.Generator:
    """An independent random stream for one named part of the generator."""
    words = [int(seed) & 0xFFFFFFFF]
    for key in keys:
        words.append(zlib.crc32(str(key).encode()) if isinstance(key, str) else int(key) & 0xFFFFFFFF)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


def sample_rows(cdf: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Draw one category per item from row ``rows[i]`` of a table of cumulative weights.

    ``cdf`` is ``[R, K]`` with every row ending at exactly 1.0; ``u`` uniform in [0, 1).
    One ``searchsorted`` over the flattened rows offset by their row number.
    """
    n_rows, k = cdf.shape
    flat = (np.arange(n_rows, dtype=np.float64)[:, None] + cdf).ravel()
    pos = np.searchsorted(flat, rows.astype(np.float64) + u, side="right")
    return np.clip(pos - rows.astype(np.int64) * k, 0, k - 1)


def cumulative(weights: np.ndarray) -> np.ndarray:
    """Row-wise normalised cumulative weights (last column exactly 1.0)."""
    w = np.asarray(weights, dtype=np.float64)
    c = np.cumsum(w, axis=-1)
    total = c[..., -1:]
    c = np.divide(c, total, out=np.zeros_like(c), where=total > 0)
    c[..., -1] = 1.0
    return c


def unique_sorted(keys: np.ndarray) -> np.ndarray:
    """``np.unique`` for int64 keys by sort (much faster than numpy's hash path here)."""
    if keys.size == 0:
        return keys
    s = np.sort(keys)
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if sorted_keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.empty(sorted_keys.size, dtype=bool)
    change[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=change[1:])
    return np.flatnonzero(change)


def rank_within(groups: np.ndarray) -> np.ndarray:
    """0-based position of each item within its run, for ``groups`` sorted ascending."""
    n = groups.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = group_starts(groups)
    lengths = np.diff(np.append(starts, n))
    return np.arange(n) - np.repeat(starts, lengths)
