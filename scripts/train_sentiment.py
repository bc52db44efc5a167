"""Train the review sentiment model from ../shared/data, or measure it on held-out categories.

    python scripts/train_sentiment.py --out var/models/sentiment.npz
    python scripts/train_sentiment.py --evaluate [--seeds 3] [--c 4] [--words] [--no-lexicon]

--evaluate trains without some categories of online_shopping_7cats and measures accuracy and
macro-F1 on them: each category left out once, then --seeds random splits that hold three
categories out (as the project's unseen test categories are three), printing mean ± spread.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

from shopops.service import sentiment, sentiment_corpus


def _metrics(y, p) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return accuracy_score(y, p), f1_score(y, p, average="macro")


def evaluate(df, *, c: float, use_words: bool, use_lexicon: bool, seeds: int, loco: bool) -> None:
    splits: list[tuple[str, ...]] = []
    if loco:
        splits += [(cat,) for cat in sentiment_corpus.SHOPPING_CATEGORIES]
    for seed in range(seeds):
        splits.append(tuple(sorted(random.Random(1000 + seed).sample(sentiment_corpus.SHOPPING_CATEGORIES, 3))))
    accs, f1s = [], []
    for held in splits:
        test = df["cat"].isin(held)
        t = time.perf_counter()
        model = sentiment.train(df.loc[~test, "review"].tolist(), df.loc[~test, "label"].tolist(), c=c,
                                use_words=use_words, use_lexicon=use_lexicon)
        fit = time.perf_counter() - t
        p = model.proba(df.loc[test, "review"].tolist())
        acc, f1 = _metrics(df.loc[test, "label"], (p >= 0.5).astype(int))
        accs.append(acc)
        f1s.append(f1)
        print(f"held out {'+'.join(held)}: n={int(test.sum())} accuracy {acc:.4f} macro-F1 {f1:.4f} "
              f"(train {fit:.0f} s)", flush=True)
    print(f"mean accuracy {np.mean(accs):.4f} ± {np.std(accs):.4f}, macro-F1 {np.mean(f1s):.4f} ± {np.std(f1s):.4f} "
          f"over {len(splits)} splits (c={c}, words={use_words}, lexicon={use_lexicon})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="folder with waimai_10k/ and online_shopping_7cats/ (default ../shared/data)")
    ap.add_argument("--out", type=Path, help="write the trained model here (.npz)")
    ap.add_argument("--evaluate", action="store_true")
    ap.add_argument("--no-loco", action="store_true", help="--evaluate: skip the leave-one-category-out splits")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--c", type=float, default=4.0)
    ap.add_argument("--words", action="store_true", help="add jieba word uni/bigrams to the features")
    ap.add_argument("--no-lexicon", action="store_true", help="without the sentiment lexicon's counts (before 2026-12-05)")
    args = ap.parse_args(argv)
    data = args.data or sentiment_corpus.data_dir()
    if data is None:
        print("error: no training data: pass --data or set SHOPOPS_SHARED_DATA (../shared/data is absent)", file=sys.stderr)
        return 2
    df = sentiment_corpus.read(data)
    if args.evaluate:
        evaluate(df, c=args.c, use_words=args.words, use_lexicon=not args.no_lexicon, seeds=args.seeds,
                 loco=not args.no_loco)
    if args.out:
        t, cpu = time.perf_counter(), time.process_time()
        model = sentiment.train(df["review"].tolist(), df["label"].tolist(), c=args.c, use_words=args.words,
                                use_lexicon=not args.no_lexicon, meta={"data": "waimai_10k + online_shopping_7cats"})
        model.save(args.out)
        print(f"trained on {len(df):,} reviews in {time.perf_counter() - t:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU (load average {os.getloadavg()[0]:.1f}) -> {args.out} "
              f"({args.out.stat().st_size / 1e6:.1f} MB, version {model.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
