"""After the sale: refunds (退款) and reviews (评价) for one chunk of orders.

Refunds hit 5–10 % of paid orders — more for clothes and shoes (尺码 is the top
reason) and for impulse channels (Douyin live); some are partial (one line, or part
of its quantity); most succeed, some are rejected or withdrawn. A fully refunded
order ends as 退款成功. About a quarter of completed orders get a review; ratings
skew positive, and orders that had a refund leave most of the bad ones, on the
refund's topic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopops.demo.generator.catalogue import Catalogue
from shopops.demo.generator.orders import COMPLETED, DAY, REFUNDED, OrdersChunk
from shopops.demo.generator.review_text import (
    CLOSERS_NEG, CLOSERS_NEUTRAL, CLOSERS_POS, OPENERS_NEG, OPENERS_NEUTRAL, OPENERS_POS, SIZE_TOPIC, TOPICS,
    sentence_table,
)
from shopops.demo.generator.spec import STORES, group_starts

GROUPS = ("apparel", "underwear", "shoes", "accessory", "home")
_BASE_RATE = np.array([0.085, 0.035, 0.095, 0.04, 0.05])
_STORE_RATE = {"tmall": 1.0, "jd": 0.85, "pdd": 1.15, "douyin": 1.45, "own": 0.7}

REASONS = ("尺码不合适", "不喜欢/效果不好", "质量问题", "颜色/图案/款式与商品描述不符", "七天无理由退换货",
           "拍错/多拍/不想要", "未按约定时间发货", "发错货")
_REASON_P_SIZED = np.array([0.34, 0.16, 0.10, 0.10, 0.14, 0.09, 0.04, 0.03])
_REASON_P_OTHER = np.array([0.0, 0.2, 0.2, 0.12, 0.2, 0.16, 0.08, 0.04])
_BEFORE_SHIPPING = np.array([False, False, False, False, False, True, True, False])
# topic of a refund reason (for the review that follows), -1 none
_REASON_TOPIC = np.array([0, 6, 1, 5, -1, -1, 2, 3])
REFUND_STATUS = ("success", "requested", "rejected", "cancelled")


@dataclass
class RefundsChunk:
    store: np.ndarray
    order: np.ndarray  # index into the chunk's orders
    line_no: np.ndarray  # 0 = whole order
    requested_at: np.ndarray
    refunded_at: np.ndarray  # -1 when none
    amount: np.ndarray
    quantity: np.ndarray
    status: np.ndarray  # index into REFUND_STATUS
    reason: np.ndarray  # index into REASONS
    with_return: np.ndarray


@dataclass
class ReviewsChunk:
    store: np.ndarray
    order: np.ndarray
    product: np.ndarray
    sku: np.ndarray
    account: np.ndarray
    created_at: np.ndarray
    rating: np.ndarray
    content: pa.Array
    tags: pa.Array


def build_refunds(rng: np.random.Generator, oc: OrdersChunk, cat: Catalogue, end_sec: int) -> RefundsChunk:
    n = len(oc)
    starts = group_starts(oc.line_order) if n else np.zeros(0, dtype=np.int64)
    n_lines = np.bincount(oc.line_order, minlength=n)
    group = cat.group_of_product()[oc.line_product[starts]] if n else np.zeros(0, dtype=np.int64)
    plat = np.array([_STORE_RATE[s.platform] for s in STORES])
    rate = _BASE_RATE[group] * plat[oc.store] * np.where(n_lines > 1, 1.15, 1.0)
    hit = np.flatnonzero(oc.paid & (rng.random(n) < rate))
    k = hit.size
    sized = np.isin(group[hit], (0, 1, 2))
    u = rng.random(k)
    reason = np.where(sized, np.searchsorted(np.cumsum(_REASON_P_SIZED), u, side="right"),
                      np.searchsorted(np.cumsum(_REASON_P_OTHER), u, side="right")).clip(0, len(REASONS) - 1)
    before = _BEFORE_SHIPPING[reason]
    requested = np.where(before, oc.paid_at[hit] + rng.integers(600, DAY, k),
                         oc.shipped_at[hit] + rng.integers(2 * DAY, 8 * DAY, k))
    with_return = ~before & ((reason != 2) | (rng.random(k) < 0.6))
    whole = (n_lines[hit] == 1) | (rng.random(k) < 0.4) | before
    pick = starts[hit] + (rng.random(k) * n_lines[hit]).astype(np.int64)
    qty_line = oc.line_qty[pick]
    q_ret = np.where(qty_line > 1, 1 + (rng.random(k) * qty_line).astype(np.int64), qty_line).clip(1, qty_line)
    line_amount = oc.line_paid[pick] * q_ret // qty_line
    total_qty = np.add.reduceat(oc.line_qty, starts)[hit] if n else np.zeros(0, dtype=np.int64)
    amount = np.where(whole, oc.amount[hit], line_amount)
    quantity = np.where(whole, total_qty, q_ret)
    line_no = np.where(whole, 0, oc.line_no[pick])
    status = rng.choice(4, k, p=[0.86, 0.0, 0.06, 0.08])
    done = requested + np.where(with_return, rng.integers(2 * DAY, 6 * DAY, k), rng.integers(3_600, 2 * DAY, k))
    status = np.where((status == 0) & (done > end_sec), 1, status)
    refunded = np.where(status == 0, done, -1)
    keep = requested <= end_sec
    hit, requested, refunded, amount, quantity, line_no = (
        hit[keep], requested[keep], refunded[keep], amount[keep], quantity[keep], line_no[keep])
    status, reason, with_return = status[keep], reason[keep], with_return[keep]
    # a fully refunded order ends as 退款成功
    full_ok = hit[(line_no == 0) & (status == 0)]
    oc.status[full_ok] = REFUNDED
    order = np.lexsort((requested, oc.store[hit]))
    return RefundsChunk(
        store=oc.store[hit][order], order=hit[order], line_no=line_no[order], requested_at=requested[order],
        refunded_at=refunded[order], amount=amount[order], quantity=quantity[order], status=status[order],
        reason=reason[order], with_return=with_return[order],
    )


class ReviewWriter:
    """Turns review picks into text, with sentence tables built once."""

    def __init__(self, cat: Catalogue):
        self.cat = cat
        nouns = cat.subcategory_noun
        table, index = sentence_table(nouns)
        self.sentences = pa.array(table)
        n_nouns, n_topics = len(nouns), len(TOPICS)
        self.first = np.zeros((n_nouns, 3, n_topics), dtype=np.int64)
        self.count = np.ones((n_nouns, 3, n_topics), dtype=np.int64)
        for (ni, pol, topic), (first, count) in index.items():
            self.first[ni, pol, topic] = first
            self.count[ni, pol, topic] = count
        for ni in range(n_nouns):  # neutral: any topic maps to the neutral block
            self.first[ni, 1, :] = self.first[ni, 1, 0]
            self.count[ni, 1, :] = self.count[ni, 1, 0]
        self.openers = (OPENERS_NEG, OPENERS_NEUTRAL, OPENERS_POS)
        self.closers = (CLOSERS_NEG, CLOSERS_NEUTRAL, CLOSERS_POS)
        self.topics = pa.array(TOPICS)

    def build(self, rng: np.random.Generator, oc: OrdersChunk, refunds: RefundsChunk, end_sec: int) -> ReviewsChunk:
        cat = self.cat
        n = len(oc)
        refund_reason = np.full(n, -1, dtype=np.int64)
        refund_reason[refunds.order] = refunds.reason
        had_refund = refund_reason >= 0
        p = np.where(had_refund, 0.5, 0.24)
        cand = np.flatnonzero((oc.status == COMPLETED) & (rng.random(n) < p))
        k = cand.size
        starts = group_starts(oc.line_order) if n else np.zeros(0, dtype=np.int64)
        line = starts[cand]
        product = oc.line_product[line]
        sku = oc.line_sku[line]
        noun = cat.subcategory[product]
        sized = np.isin(cat.group_of_product()[product], (0, 1, 2))
        r_topic = np.where(refund_reason[cand] >= 0, _REASON_TOPIC[np.maximum(refund_reason[cand], 0)], -1)
        neg = rng.random(k) < np.where(r_topic >= 0, 0.6, np.where(had_refund[cand], 0.3, 0.05))
        rating = np.where(neg, rng.choice([1, 2], k, p=[0.55, 0.45]), rng.choice([3, 4, 5], k, p=[0.08, 0.2, 0.72]))
        pol = np.where(rating <= 2, 0, np.where(rating == 3, 1, 2))
        n_topics = len(TOPICS)
        topic1 = rng.integers(0, n_topics, k)
        topic1 = np.where(~sized & (topic1 == SIZE_TOPIC), 1, topic1)
        topic1 = np.where(neg & (r_topic >= 0), r_topic, topic1)
        topic1 = np.where(~sized & (topic1 == SIZE_TOPIC), 1, topic1)
        topic2 = rng.integers(0, n_topics, k)
        topic2 = np.where(~sized & (topic2 == SIZE_TOPIC), 6, topic2)
        two = (rng.random(k) < np.where(neg, 0.3, 0.5)) & (topic2 != topic1) & (pol != 1)
        s1 = self.first[noun, pol, topic1] + (rng.random(k) * self.count[noun, pol, topic1]).astype(np.int64)
        s2 = self.first[noun, pol, topic2] + (rng.random(k) * self.count[noun, pol, topic2]).astype(np.int64)
        opener = _pick_by_polarity(rng, pol, self.openers)
        closer = _pick_by_polarity(rng, pol, self.closers)
        second = pc.if_else(pa.array(two), pc.binary_join_element_wise("，", self.sentences.take(pa.array(s2)), ""),
                            pa.scalar(""))
        content = pc.binary_join_element_wise(opener, self.sentences.take(pa.array(s1)), second, closer, "")
        tag1 = self.topics.take(pa.array(topic1))
        tags = pc.if_else(pa.array(two), pc.binary_join_element_wise(tag1, self.topics.take(pa.array(topic2)), ","), tag1)
        tags = pc.if_else(pa.array(pol == 1), pa.scalar(None, pa.string()), tags)

        created = oc.completed_at[cand] + rng.integers(600, 7 * DAY, k)
        keep = created <= end_sec
        order = np.lexsort((created[keep], oc.store[cand][keep]))
        idx = np.flatnonzero(keep)[order]
        take = pa.array(idx)
        return ReviewsChunk(
            store=oc.store[cand][idx], order=cand[idx], product=product[idx], sku=sku[idx],
            account=oc.account[cand][idx], created_at=created[idx], rating=rating[idx],
            content=content.take(take), tags=tags.take(take),
        )


def _pick_by_polarity(rng: np.random.Generator, pol: np.ndarray, tables: tuple[tuple[str, ...], ...]) -> pa.Array:
    """One phrase per review from the table of its polarity (0 negative, 1 neutral, 2 positive)."""
    flat = [phrase for table in tables for phrase in table]
    first = np.cumsum([0] + [len(t) for t in tables[:-1]])
    size = np.array([len(t) for t in tables])
    idx = first[pol] + (rng.random(pol.size) * size[pol]).astype(np.int64)
    return pa.array(flat, pa.string()).take(pa.array(idx))
