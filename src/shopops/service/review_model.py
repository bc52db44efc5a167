"""Which sentiment model this installation uses, found (or made) once per process.

In order: the file named by ``$SHOPOPS_SENTIMENT_MODEL``; ``<VAR_DIR>/models/sentiment.npz``
(written by ``shopops reviews train`` or ``scripts/train_sentiment.py --out``); else, when
the shared training data are here (``$SHOPOPS_SHARED_DATA`` or ``../shared/data``), the
model is trained now (≈ 30–60 s, once) and saved there; else the seed model trained from
phrases written for the project (``sentiment_seed``; saved as ``sentiment-seed.npz``), so a
fresh clone without the data still scores reviews, less well. No model is downloaded.
See docs/reviews.md for why no model file is committed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from shopops.service import sentiment, sentiment_corpus, sentiment_seed

_LOCK = threading.Lock()


def model_dir() -> Path:
    return Path(settings.VAR_DIR) / "models"


def trained_path() -> Path:
    return Path(os.environ["SHOPOPS_SENTIMENT_MODEL"]) if os.environ.get("SHOPOPS_SENTIMENT_MODEL") else (
        model_dir() / "sentiment.npz")


def model_status() -> tuple[str, str]:
    """Which model scoring will use, without loading or training it: ``("trained", path)`` when a
    trained model file exists, ``("trainable", data folder)`` when it will be trained from the shared
    data at first use, else ``("unavailable", message)``: scores then come from the seed model,
    and the message says so precisely (pages and the CLI show it)."""
    path = trained_path()
    if path.exists():
        return "trained", str(path)
    data = sentiment_corpus.data_dir()
    if data is not None:
        return "trainable", str(data)
    return "unavailable", (
        f"no trained sentiment model at {path} and no training data (SHOPOPS_SHARED_DATA is "
        f"{'unset' if not os.environ.get('SHOPOPS_SHARED_DATA') else repr(os.environ['SHOPOPS_SHARED_DATA']) + ', which lacks the corpora'}; "
        f"../shared/data next to the project is absent): sentiment comes from the seed model (a few hundred phrases "
        f"written for the project), which is not accurate on real reviews. Fix: set SHOPOPS_SHARED_DATA to the folder "
        f"holding waimai_10k/ and online_shopping_7cats/ and run `shopops reviews train`, or set "
        f"SHOPOPS_SENTIMENT_MODEL to a trained model file; then re-score (job reviews_daily).")


def sentiment_train(*, data: Path | None = None, out: Path | None = None,
                    echo: Callable[[str], None] = lambda _: None) -> tuple[sentiment.SentimentModel, Path]:
    """Train the model on the shared corpora and save it (``out`` or the default path)."""
    data = data or sentiment_corpus.data_dir()
    if data is None:
        raise ValueError("no training data: set SHOPOPS_SHARED_DATA to the folder holding waimai_10k/ and "
                         "online_shopping_7cats/ (../shared/data is absent)")
    df = sentiment_corpus.read(data)
    echo(f"training the sentiment model on {len(df):,} reviews from {data} …")
    model = sentiment.train(df["review"].tolist(), df["label"].tolist(),
                            meta={"data": "waimai_10k + online_shopping_7cats"})
    path = out or trained_path()
    model.save(path)
    return sentiment.load(path), path


def _outdated(path: Path) -> bool:
    """A model at the default path saved before the curvature was (2026-12-05, fifth round: the adaptation of
    ``shopops reviews score`` needs it) is retrained once when the shared data are here; its version then
    differs, so the nightly job re-scores. A file named by ``$SHOPOPS_SENTIMENT_MODEL`` is used as it is."""
    if os.environ.get("SHOPOPS_SENTIMENT_MODEL") or sentiment_corpus.data_dir() is None:
        return False
    return sentiment.load(path).curvature is None


def sentiment_model(*, echo: Callable[[str], None] = lambda _: None) -> sentiment.SentimentModel:
    """The model to score with (cached per process by :func:`sentiment.load`)."""
    path = trained_path()
    if path.exists() and not _outdated(path):
        return sentiment.load(path)
    with _LOCK:
        if path.exists() and not _outdated(path):
            return sentiment.load(path)
        if sentiment_corpus.data_dir() is not None:
            return sentiment_train(echo=echo)[0]
        seed = model_dir() / "sentiment-seed.npz"
        echo("warning: " + model_status()[1])
        if not seed.exists():
            texts, labels = sentiment_seed.seed_corpus()
            sentiment.train(texts, labels, c=10.0, meta={"data": "seed phrases (fallback)"}).save(seed)
        return sentiment.load(seed)


def store_adaptation(store_id: str) -> dict | None:
    """How the store's reviews are scored, when a model adapted to them is saved (``review_scoring.store_model``):
    ``{"texts": distinct review texts it learnt from, "at": when (aware datetime)}``; ``None`` otherwise (the
    trained model alone scores the store: fewer than 300 distinct texts, or not scored yet)."""
    import datetime as dt

    from shopops.service.review_scoring import saved_model, store_model_path

    saved = saved_model(store_model_path(model_dir() / "stores", store_id))
    if saved is None or saved.meta.get("store") != store_id:
        return None
    try:
        at = dt.datetime.fromisoformat(saved.meta.get("adapted_at", ""))
    except ValueError:
        at = None
    return {"texts": int(saved.meta.get("texts", 0)), "at": at}
