"""Score reviews in the warehouse: sentiment and aspects into ``review_scores`` (no Django).

Each store's reviews are scored by the trained model **adapted to that store's reviews**
(:func:`store_model`: the anchored refit of ``shopops reviews score`` on the store's distinct
review texts, saved per store and reused, refitted when the store's texts have doubled or the
trained model changed), each score then smoothed over the review's nearest neighbours among the
store's reviews — what ``shopops reviews score`` does to a file, kept stable from night to night:
a review's score does not depend on the batch it arrived in. Under ``ADAPT_MIN_TEXTS`` distinct
texts a store is scored by the model alone.

Reviews are read column-wise in batches (only those not yet scored by the store's model version,
or all of them with ``rescore``), scored with one batched call per batch, and written
through the loader: the same model over the same reviews changes nothing, a new model
(a new trained model, or a store's re-adaptation) replaces the rows and its version shows on each
of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
from ibis.backends import BaseBackend

from shopops.service import aspects, sentiment
from shopops.service.sentiment import SentimentModel, anchored_proba
from shopops.warehouse import loader

BAD_RATING = 2  # 1–2 stars is a 差评
# a store's most recent distinct review texts that its adaptation and the smoothing read (the scale
# `shopops reviews score` is measured at: 100,000 reviews within the 30 s scoring budget)
REFERENCE_MAX = 100_000
READAPT_GROWTH = 2.0  # refit a store's model when its distinct texts have grown this many times


@dataclass(frozen=True, slots=True)
class ScoredBatch:
    sentiment: np.ndarray
    polarity: np.ndarray
    aspects: list[str]
    negative_aspects: list[str]
    adapted: bool = False  # the sentiment comes from the model adapted to these texts


def score_texts(texts: list[str], model: SentimentModel, *, adapt: bool = False,
                sentiment_given: np.ndarray | None = None) -> ScoredBatch:
    """Sentiment, polarity and aspects of review texts (empty text: 0.5, unclear, none).

    A text that repeats (默认好评, 好评, copied praise) is read once: sentiment, clauses and words
    of each distinct text are computed one time and shared by its copies. With ``adapt`` the
    review sentiment comes from the model adapted to these texts (``sentiment.anchored_proba``:
    self-training on them anchored to the trained weights, no labels; the model alone below 300
    distinct texts or for a model saved without its curvature), then smoothed over the texts' own
    neighbour graph (``anchored_proba(smooth=True)``). ``sentiment_given``: each text's sentiment,
    computed by the caller (the nightly scoring: the store's adapted model, :func:`store_model`). The
    clause sentiment of the aspects is always the trained model's own."""
    keys = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in texts]
    distinct, inverse = np.unique(np.array(keys, dtype=object), return_inverse=True) if keys else ([], [])
    distinct = list(distinct)
    adapted = False
    if sentiment_given is not None:
        p_d = np.zeros(len(distinct))
        p_d[inverse] = sentiment_given  # copies of a text have the same score
    elif adapt and distinct:
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
    model_version: str = ""  # the trained model's
    store_versions: dict[str, str] = field(default_factory=dict)  # each store's adapted model (stores adapted)


def store_reference(con: BaseBackend, store_id: str, *, limit: int = REFERENCE_MAX) -> list[str]:
    """The store's distinct review texts (normalised, non-empty), the most recently written first, at most
    ``limit``."""
    r = con.table("reviews")
    r = r.filter((r.store_id == store_id) & r.content.notnull() & (r.content != ""))
    last = r.group_by("content").aggregate(last=r.created_at.max(), rid=r.review_id.max())
    # a few more raw texts than needed: some are the same text once normalised
    rows = last.order_by([last["last"].desc(), last.rid.desc()]).limit(int(limit * 1.2) + 100).select(
        "content").to_pyarrow().column("content").to_pylist()
    out: dict[str, None] = {}
    for t in rows:
        n = sentiment.normalise(t)
        if n:
            out.setdefault(n)
            if len(out) >= limit:
                break
    return list(out)


def store_model_path(folder: Path, store_id: str) -> Path:
    return folder / f"store-{hashlib.sha256(store_id.encode()).hexdigest()[:16]}.npz"


def store_model(*, model: SentimentModel, store_id: str, reference: Sequence[str], folder: Path | None,
                refit: bool = False) -> tuple[SentimentModel, sentiment.Adapted | None]:
    """The trained ``model`` adapted to a store's reviews (``sentiment.anchored_model`` on ``reference``), or
    ``model`` itself when the adaptation cannot run (fewer than ``ADAPT_MIN_TEXTS`` distinct texts, one side
    only, no curvature). Saved in ``folder`` and reused while it was adapted from this ``model`` and the
    store's distinct texts have not grown ``READAPT_GROWTH`` times since (or ``refit``): the store's earlier
    scores stay, new reviews get the same weights. The second value: the adaptation when it was made now
    (with the reference's smoothed scores), else ``None``."""
    path = store_model_path(folder, store_id) if folder is not None else None
    saved = saved_model(path) if path is not None and not refit else None
    if (saved is not None and saved.meta.get("adapted_from") == model.version and saved.meta.get("store") == store_id
            and len(reference) < READAPT_GROWTH * int(saved.meta.get("texts", 0))):
        return saved, None
    made = sentiment.anchored_model(model, reference, smooth=True, meta={
        "store": store_id, "adapted_at": dt.datetime.now(dt.UTC).isoformat()})
    if made is None:
        return model, None
    if path is not None:
        made.model.save(path)
        return sentiment.load(path), made
    return made.model, made


def saved_model(path: Path) -> SentimentModel | None:
    """The store model saved at ``path``; ``None`` when there is none or it cannot be read (a truncated or foreign
    file is refitted and overwritten, not a failed night)."""
    if not path.exists():
        return None
    try:
        return sentiment.load(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def review_scores_refresh(*, con: BaseBackend, model: SentimentModel, stores: Iterable[str] = (),
                          since: dt.date | None = None, rescore: bool = False, batch: int = 50_000,
                          adapt: bool = True, folder: Path | None = None,
                          echo: Callable[[str], None] = lambda _: None) -> RefreshResult:
    """Score the reviews that have no score by their store's model yet (every review with ``rescore``, which
    also refits the stores' models). With ``adapt`` each store's model is ``model`` adapted to the store's
    reviews (:func:`store_model`, saved in ``folder`` when given), else ``model`` itself."""
    started = time.perf_counter()
    loader.ensure_tables(con, ["reviews", "review_scores"])
    reviews = con.table("reviews")
    stores = tuple(stores)
    if stores:
        reviews = reviews.filter(reviews.store_id.isin(stores))
    in_scope = sorted(reviews.select("store_id").distinct().to_pyarrow().column("store_id").to_pylist())
    result = RefreshResult(model_version=model.version)
    for store_id in in_scope:
        reference: list[str] = []
        scorer, made = model, None
        if adapt:
            reference = store_reference(con, store_id)
            scorer, made = store_model(model=model, store_id=store_id, reference=reference, folder=folder,
                                       refit=rescore)
            if scorer is not model:
                result.store_versions[store_id] = scorer.version
        _refresh_store(con, store_id, model, scorer, reference, made, since=since, rescore=rescore, batch=batch,
                       result=result, echo=echo)
    result.seconds = time.perf_counter() - started
    return result


def _refresh_store(con: BaseBackend, store_id: str, model: SentimentModel, scorer: SentimentModel,
                   reference: Sequence[str], made: sentiment.Adapted | None, *, since: dt.date | None,
                   rescore: bool, batch: int, result: RefreshResult, echo: Callable[[str], None]) -> None:
    version = scorer.version
    r = con.table("reviews")
    r = r.filter(r.store_id == store_id)
    if since is not None:
        r = r.filter(r.review_date >= since)
    if not rescore:
        s = con.table("review_scores")
        done = s.filter((s.store_id == store_id) & (s.model_version == version)).select("store_id", "review_id")
        r = r.anti_join(done, ["store_id", "review_id"])
    r = r.select("store_id", "review_id", "product_id", "review_date", "rating", "content").order_by("review_id")
    table = r.to_pyarrow()
    given = None
    if scorer is not model and table.num_rows:
        # the adapted model's margins, each smoothed over the review's neighbours among the store's reviews
        # (the reference and the reviews scored now; one graph for the whole run, not one per batch)
        texts = [sentiment.normalise(t) for t in table.column("content").to_pylist()]
        at = {t: i for i, t in enumerate(made.texts)} if made is not None else {}
        if at and all(t in at or not t for t in texts):
            # a store model made just now from texts that hold every review to score (a store's first night, a
            # refit): their smoothed scores came with it — the same as below, without counting them again
            given = np.array([made.smoothed[at[t]] if t else 0.5 for t in texts])
        else:
            given = sentiment.smoothed_proba(scorer, texts, reference)
    for start in range(0, table.num_rows, batch):
        part = table.slice(start, batch)
        texts = [t or "" for t in part.column("content").to_pylist()]
        scored = score_texts(texts, model, sentiment_given=None if given is None else given[start:start + batch])
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
        echo(f"{store_id}: scored {result.scored:,} reviews")
