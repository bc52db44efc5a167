"""One trained sentiment model per test session (training takes ~30–60 s): on the shared corpora
when they are here, else the seed model."""

from __future__ import annotations

import pytest

from shopops.service import sentiment, sentiment_corpus, sentiment_seed


@pytest.fixture(scope="session")
def review_model(tmp_path_factory):
    data = sentiment_corpus.data_dir()
    if data is not None:
        df = sentiment_corpus.read(data)
        model = sentiment.train(df["review"].tolist(), df["label"].tolist())
    else:
        model = sentiment.train(*sentiment_seed.seed_corpus(), c=10.0)
    path = tmp_path_factory.mktemp("models") / "sentiment.npz"
    model.save(path)
    return sentiment.load(path)


@pytest.fixture
def review_model_file(review_model, monkeypatch, tmp_path_factory):
    """The session model as this installation's model ($SHOPOPS_SENTIMENT_MODEL)."""
    path = tmp_path_factory.mktemp("model-file") / "sentiment.npz"
    review_model.save(path)
    monkeypatch.setenv("SHOPOPS_SENTIMENT_MODEL", str(path))
    return path
