"""Stock per store and SKU: a simple reorder-point policy over the actual sales.

Each day: the supplier delivers what arrives today, sales leave, and when on-hand
plus in-transit falls to the reorder point (demand over lead time plus a week of
safety) a purchase order goes out for about five weeks of demand (rounded to the
MOQ). Forecasts are the trailing 28-day average, so big sales empty popular SKUs
(stock-outs after 双11), and some deliveries are late. Sales are not capped by stock
(oversold units are back-ordered), so on-hand never goes below zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopops.demo.generator.catalogue import Catalogue
from shopops.demo.generator.spec import stream


@dataclass
class StockRows:
    store: np.ndarray
    day: np.ndarray
    sku: np.ndarray
    on_hand: np.ndarray
    in_transit: np.ndarray


def build_stock(seed: int, cat: Catalogue, units: np.ndarray, every: int) -> StockRows:
    """``units`` is ``[S, K, D]`` units sold per store, SKU and day."""
    rng = stream(seed, "stock")
    n_stores, n_skus, n_days = units.shape
    u = units.reshape(n_stores * n_skus, n_days).astype(np.float64)
    m = u.shape[0]
    sku = np.tile(np.arange(n_skus), n_stores)
    launch = cat.launch_day[cat.sku_product][sku]
    offshelf = cat.offshelf_day[cat.sku_product][sku]
    first28 = u[:, : min(28, n_days)].mean(axis=1)
    lead = rng.integers(7, 19, m)
    moq = np.where(cat.sku_price[sku] < 10_000, 50, 20)
    on_hand = np.where(launch < 0, np.ceil(first28 * rng.uniform(20, 50, m)) + rng.integers(2, 15, m), 0.0)
    transit = np.zeros(m)
    arrive = np.full(m, -1)
    snap = [d for d in range(n_days) if (n_days - 1 - d) % every == 0]
    out_hand = np.zeros((len(snap), m), dtype=np.int64)
    out_transit = np.zeros((len(snap), m), dtype=np.int64)
    alive = np.zeros((len(snap), m), dtype=bool)
    cum = np.concatenate([np.zeros((m, 1)), np.cumsum(u, axis=1)], axis=1)
    si = 0
    for d in range(n_days):
        # a new product's first stock lands a week before launch
        new = launch == d + 7
        if new.any():
            on_hand[new] = np.ceil(np.maximum(first28[new], 0.3) * 30) + moq[new]
        due = arrive == d
        on_hand[due] += transit[due]
        transit[due] = 0
        arrive[due] = -1
        on_hand = np.maximum(on_hand - u[:, d], 0.0)
        lo = max(d - 27, 0)
        forecast = np.where(d >= 7, (cum[:, d + 1] - cum[:, lo]) / (d + 1 - lo), first28)
        rop = forecast * (lead + 7)
        need = (on_hand + transit <= rop) & (arrive < 0) & (forecast > 0) & (launch <= d) & (offshelf > d + 30)
        if need.any():
            qty = np.ceil(np.maximum(forecast[need] * (lead[need] + 35) - on_hand[need], moq[need]) / moq[need]) * moq[need]
            transit[need] = qty
            late = rng.random(int(need.sum())) < 0.1
            arrive[need] = d + np.where(late, lead[need] * 2 + 5, lead[need])
        if si < len(snap) and snap[si] == d:
            out_hand[si] = on_hand.astype(np.int64)
            out_transit[si] = transit.astype(np.int64)
            alive[si] = (launch <= d + 7) & (offshelf >= d)
            si += 1
    snap_days = np.array(snap, dtype=np.int64)
    # rows per store, then day, then SKU
    store_of = np.repeat(np.arange(n_stores), n_skus)
    s_idx, d_idx, k_idx = [], [], []
    hand, trans = [], []
    for s in range(n_stores):
        cols = np.flatnonzero(store_of == s)
        a = alive[:, cols]
        di, ki = np.nonzero(a)
        s_idx.append(np.full(di.size, s))
        d_idx.append(snap_days[di])
        k_idx.append(sku[cols][ki])
        hand.append(out_hand[:, cols][di, ki])
        trans.append(out_transit[:, cols][di, ki])
    return StockRows(store=np.concatenate(s_idx), day=np.concatenate(d_idx), sku=np.concatenate(k_idx),
                     on_hand=np.concatenate(hand), in_transit=np.concatenate(trans))
