"""`shopops reviews score` on files of other class balances and sizes (docs/reviews.md, eleventh measurement).

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_balance.py [--seeds 11,12,13]

Each product category held out of training in turn (``sentiment.train`` on the other domains, as ``shopops
reviews train`` does); from its reviews, files of three balances — as the corpus is (≈ 50 % positive), 85 %
positive (a store's usual reviews), 15 % positive (a product buyers complain about) — each at full size and at
575 reviews (the size of the smallest category of the corpus family). The positives (or negatives) beyond the
balance are dropped at random with the seed. Scored by the model alone and by the command's default path
(``anchored_proba(..., smooth=True)``: adapted to the file, smoothed over it); accuracy against the corpus
labels, which neither path reads. Nothing is tuned here: the code is the shipped one.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from shopops.service import sentiment as S
from shopops.service import sentiment_corpus as corpus

PRODUCTS = ("平板", "手机", "水果", "洗发水", "计算机")
SMALL = 575


def shaped(held: pd.DataFrame, pos_share: float, size: int | None, rng: np.random.Generator) -> pd.DataFrame:
    pos = held[held.label == 1].iloc[rng.permutation(int((held.label == 1).sum()))]
    neg = held[held.label == 0].iloc[rng.permutation(int((held.label == 0).sum()))]
    n_pos, n_neg = len(pos), len(neg)
    if n_pos / (n_pos + n_neg) > pos_share:  # too many positives for the share: keep every negative
        n_pos = int(round(n_neg * pos_share / (1 - pos_share)))
    else:
        n_neg = int(round(n_pos * (1 - pos_share) / pos_share))
    if size is not None and n_pos + n_neg > size:
        n_pos = int(round(size * pos_share))
        n_neg = size - n_pos
    return pd.concat([pos[:n_pos], neg[:n_neg]]).reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="11,12,13")
    args = ap.parse_args()
    data = corpus.data_dir()
    if data is None:
        sys.exit("no shared data: set SHOPOPS_SHARED_DATA")
    df = corpus.read(data)
    rows = []
    for fold in PRODUCTS:
        train = df[df.cat != fold]
        model = S.train(train.review.tolist(), train.label.tolist())
        held = df[df.cat == fold].reset_index(drop=True)
        for seed in (int(s) for s in args.seeds.split(",")):
            rng = np.random.default_rng(seed)
            for share in (0.5, 0.85, 0.15):
                for size in (None, SMALL):
                    frame = shaped(held, share, size, rng)
                    texts, y = frame.review.tolist(), frame.label.to_numpy(int)
                    alone = float(((model.proba(texts) >= 0.5).astype(int) == y).mean())
                    p, ran = S.anchored_proba(model, texts, smooth=True)
                    r = {"fold": fold, "seed": seed, "positive": f"{share:.0%}", "size": "full" if size is None else SMALL,
                         "n": len(frame), "alone": alone, "score": float(((p >= 0.5).astype(int) == y).mean()),
                         "adapted": ran}
                    print({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}, flush=True)
                    rows.append(r)
    out = pd.DataFrame(rows)
    for (share, size), g in out.groupby(["positive", "size"], sort=False):
        m = g.groupby("fold")[["alone", "score"]].mean()
        print(f"\n{share} positive, {size}: mean {m.mean().round(4).to_dict()} min {m.min().round(4).to_dict()}\n"
              f"{m.round(4)}")


if __name__ == "__main__":
    main()
