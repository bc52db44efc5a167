"""Score reviews in the warehouse: sentiment and aspects into ``review_scores`` (no Django).

Reviews are read column-wise in batches (only those not yet scored by this model version,
or all of them with ``rescore``), scored with one batched call per batch, and written
through the loader: the same model over the same reviews changes nothing, a new model
replaces the rows and its version shows on each of them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from ibis.backends import BaseBackend

from shopops.service import aspects
from shopops.service.sentiment import SentimentModel, anchored_proba
from shopops.warehouse import loader

BAD_RATING = 2  # 1–2 stars is a 差评


@dataclass(frozen=True, slots=True)
class ScoredBatch:
    sentiment: np.ndarray
    polarity: np.ndarray
    aspects: list[str]
    negative_aspects: list[str]
    adapted: bool = False  # the sentiment comes from the model adapted to these texts


def score_texts(texts: list[str], model: SentimentModel, *, adapt: bool = False) -> ScoredBatch:
    """Sentiment, polarity and aspects of review texts (empty text: 0.5, unclear, none).

    A text that repeats (默认好评, 好评, copied praise) is read once: sentiment, clauses and words
    of each distinct text are computed one time and shared by its copies. With ``adapt`` the
    review sentiment comes from the model adapted to these texts (``sentiment.anchored_proba``:
    self-training on them anchored to the trained weights, no labels; the model alone below 300
    distinct texts or for a model saved without its curvature), then smoothed over the texts' own
    neighbour graph (``anchored_proba(smooth=True)``); the clause sentiment of the aspects is always the
    model's own."""
    keys = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in texts]
    distinct, inverse = np.unique(np.array(keys, dtype=object), return_inverse=True) if keys else ([], [])
    distinct = list(distinct)
    adapted = False
    if adapt and distinct:
        # adapted, then smoothed over the texts' own neighbour graph (ninth round, docs/reviews.md)
        p_d, adapted = anchored_proba(model, distinct, smooth=True)
    else:
        p_d = model.proba(distinct)
    mentions = aspects.extract(distinct, lambda cs: model.proba(cs))
    named = [",".join(m.aspect for m in ms) for ms in mentions]
    negative = [",".join(m.aspect for m in ms if m.polarity < 0) for ms in mentions]
    p = np.asarray(p_d, dtype=np.float64)[inverse] if keys else np.zeros(0)
    polarity = np.where(p < aspects.NEGATIVE_BELOW, -1, np.where(p > aspects.POSITIVE_ABOVE, 1, 0)).astype(np.int8)
    return ScoredBatch(p, polarity, [named[i] for i in inverse], [negative[i] for i in inverse], adapted)


@dataclass(slots=True)
class RefreshResult:
    scored: int = 0
    inserted: int = 0
    updated: int = 0
    seconds: float = 0.0
    model_version: str = ""


def review_scores_refresh(*, con: BaseBackend, model: SentimentModel, stores: Iterable[str] = (),
                          since: dt.date | None = None, rescore: bool = False, batch: int = 50_000,
                          echo: Callable[[str], None] = lambda _: None) -> RefreshResult:
    """Score the reviews that have no score by ``model`` yet (every review with ``rescore``)."""
    started = time.perf_counter()
    version = model.version
    loader.ensure_tables(con, ["reviews", "review_scores"])
    r = con.table("reviews")
    stores = tuple(stores)
    if stores:
        r = r.filter(r.store_id.isin(stores))
    if since is not None:
        r = r.filter(r.review_date >= since)
    if not rescore:
        s = con.table("review_scores")
        done = s.filter(s.model_version == version).select("store_id", "review_id")
        r = r.anti_join(done, ["store_id", "review_id"])
    r = r.select("store_id", "review_id", "product_id", "review_date", "rating", "content").order_by(
        ["store_id", "review_id"])
    table = r.to_pyarrow()
    result = RefreshResult(model_version=version)
    for start in range(0, table.num_rows, batch):
        part = table.slice(start, batch)
        texts = [t or "" for t in part.column("content").to_pylist()]
        scored = score_texts(texts, model)
        out = pa.table({
            "store_id": part.column("store_id"), "review_id": part.column("review_id"),
            "product_id": part.column("product_id"), "review_date": part.column("review_date"),
            "rating": part.column("rating"),
            "sentiment": pa.array(np.round(scored.sentiment, 6), pa.float64()),
            "polarity": pa.array(scored.polarity, pa.int8()),
            "aspects": pa.array([a or None for a in scored.aspects], pa.string()),
            "negative_aspects": pa.array([a or None for a in scored.negative_aspects], pa.string()),
            "model_version": pa.array([version] * part.num_rows, pa.string()),
        })
        res = loader.load(con, "review_scores", out)
        result.scored += part.num_rows
        result.inserted += res.inserted
        result.updated += res.updated
        echo(f"scored {result.scored:,} / {table.num_rows:,} reviews")
    result.seconds = time.perf_counter() - started
    return result
