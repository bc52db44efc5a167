"""Round 11b (docs/reviews.md): a vote of the labelled corpus's nearest reviews added to the shipped score.

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_knn.py

Pre-registered (written 2026-12-07 14:12 UTC, before any run; nothing below changed after): each of the 8 domains
held out in turn (``sentiment.train`` on the other 7). The shipped path scores the held-out domain as one file
(``anchored_proba(..., smooth=True)``: margin z). The kNN vote of a review: its k = 50 nearest rows by cosine in
the pool of training reviews + the file's reviews (``sentiment.neighbours_of`` over character 2–3-gram counts, as
the ninth round's graph; an n-gram links rows when it is in 2 … 200 of them), keeping the *labelled* neighbours
among the 50; v = Σ sim·(2y − 1) / Σ sim (0 without one). Variants: ``knn1`` z + 1.0 · sd(z) · v, ``knn05`` z + 0.5 ·
sd(z) · v. Rule (as rounds 8–10b): ship only with ≥ +0.3 point on the mean of the 8 domains *and* of the 5 product
categories, without losing the minimum. No label of the held-out domain is read before the accuracy.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from shopops.service import sentiment as S
from shopops.service import sentiment_corpus as corpus

K, MAX_DF, BETAS = 50, 200, {"knn1": 1.0, "knn05": 0.5}
PRODUCTS = ("平板", "手机", "水果", "洗发水", "计算机")


def knn_vote(train_texts: list[str], train_labels: np.ndarray, texts: list[str]) -> np.ndarray:
    pool = [S.normalise(t) for t in train_texts] + [S.normalise(t) for t in texts]
    counts = S.counts(pool, use_words=False, char_ngrams=(2, 3))
    rows = np.arange(len(train_texts), len(pool))
    idx, sim = S.neighbours_of(counts, k=K, max_df=MAX_DF, rows=rows)
    labelled = (idx < len(train_texts)) & (sim > 0)
    w = np.where(labelled, sim, 0.0)
    y = np.where(labelled, 2 * train_labels[np.where(labelled, idx, 0)] - 1, 0)
    total = w.sum(axis=1)
    return np.where(total > 0, (w * y).sum(axis=1) / np.where(total > 0, total, 1.0), 0.0)


def main() -> None:
    data = corpus.data_dir()
    if data is None:
        sys.exit("no shared data: set SHOPOPS_SHARED_DATA")
    df = corpus.read(data)
    rows = []
    for fold in df.cat.unique():
        train = df[df.cat != fold]
        model = S.train(train.review.tolist(), train.label.tolist())
        held = df[df.cat == fold]
        texts, y = held.review.tolist(), held.label.to_numpy(int)
        p, _ = S.anchored_proba(model, texts, smooth=True)
        z = np.log(np.clip(p, 1e-9, 1 - 1e-9) / np.clip(1 - p, 1e-9, 1))
        t0 = time.process_time()
        v = knn_vote(train.review.tolist(), train.label.to_numpy(int), texts)
        r = {"fold": fold, "n": len(texts), "shipped": float(((z >= 0).astype(int) == y).mean()),
             "knn_only": float(((v >= 0).astype(int) == y).mean()), "knn_cpu": round(time.process_time() - t0, 1)}
        for name, beta in BETAS.items():
            r[name] = float((((z + beta * z.std() * v) >= 0).astype(int) == y).mean())
        print({k: round(x, 4) if isinstance(x, float) else x for k, x in r.items()}, flush=True)
        rows.append(r)
    out = pd.DataFrame(rows).set_index("fold")
    cols = ["shipped", "knn1", "knn05", "knn_only"]
    prod = out.loc[[f for f in PRODUCTS if f in out.index], cols]
    print(out[cols].round(4))
    print("mean of all:", out[cols].mean().round(4).to_dict())
    print("products mean:", prod.mean().round(4).to_dict(), "min:", prod.min().round(4).to_dict())


if __name__ == "__main__":
    main()
