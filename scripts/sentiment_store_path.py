"""The nightly scoring's accuracy on a product category the model never saw (docs/reviews.md, tenth round).

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_store_path.py [FOLDS] [--seeds 1,2,3] [--days 60]

For each held-out category (default: the five product categories) the shipped model is trained on the
other domains (``sentiment.train``, as ``shopops reviews train`` does), and the category's reviews become
one store's reviews in a fresh DuckDB warehouse. Three ways of scoring them, each read against the corpus
labels:

- ``alone``: the model alone (what the nightly job wrote before store adaptation);
- ``file``: every review loaded on one day, one ``review_scores_refresh`` (= ``shopops reviews score`` on the
  whole file: adapted to it and smoothed over it);
- ``daily``: the reviews arrive in a random order (``--seeds``) over ``--days`` days, ``review_scores_refresh``
  after each day — the store's model adapted once it has 300 distinct texts and refitted when they double,
  each night's reviews smoothed over the store's reviews so far; the accuracy of the scores the warehouse
  holds at the end.

Two shapes of the file: the corpus as it is (≈ 50 % positive) and a store-shaped one (85 % positive: every
positive review and as many negatives as make 15 %, drawn with the seed). Nothing here is tuned: the store
path's constants (``REFERENCE_MAX``, ``READAPT_GROWTH``) were fixed before the first run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from shopops.service import sentiment as S
from shopops.service import sentiment_corpus as corpus
from shopops.service.review_scoring import review_scores_refresh
from shopops.warehouse import loader

PRODUCTS = ("平板", "手机", "水果", "洗发水", "计算机")


def _store(con) -> None:
    loader.load(con, "stores", pa.table({"store_id": ["s"], "platform": ["tmall"], "name": ["s"], "currency": ["CNY"],
                                        "time_zone": ["Asia/Shanghai"]}))


def _load(con, texts: list[str], ids: list[int], day: dt.date) -> None:
    n = len(texts)
    loader.load(con, "reviews", pa.table({
        "store_id": ["s"] * n, "review_id": [f"r{i:06d}" for i in ids], "product_id": ["p"] * n,
        "created_at": [dt.datetime.combine(day, dt.time(4), dt.UTC)] * n, "review_date": [day] * n,
        "rating": pa.array([None] * n, pa.int8()), "content": texts,
    }))


def _accuracy(con, labels: np.ndarray) -> float:
    got = con.raw_sql("select review_id, sentiment from review_scores order by review_id").fetchall()
    p = np.array([s for _, s in got])
    return float(((p >= 0.5).astype(int) == labels).mean())


def run(model: S.SentimentModel, texts: list[str], labels: np.ndarray, *, days: int, seed: int, tmp: Path
        ) -> dict[str, float]:
    out = {"alone": float(((model.proba(texts) >= 0.5).astype(int) == labels).mean())}
    for way in ("file", "daily"):
        path = tmp / f"{way}-{seed}.duckdb"
        con = ibis.duckdb.connect(str(path))
        loader.ensure_tables(con)
        _store(con)
        folder = tmp / f"models-{way}-{seed}"
        start = dt.date(2026, 1, 1)
        if way == "file":
            _load(con, texts, list(range(len(texts))), start)
            review_scores_refresh(con=con, model=model, folder=folder)
        else:
            order = np.random.default_rng(seed).permutation(len(texts))
            refits = 0
            for d, part in enumerate(np.array_split(order, days)):
                _load(con, [texts[i] for i in part], part.tolist(), start + dt.timedelta(days=d))
                res = review_scores_refresh(con=con, model=model, folder=folder)
                refits += res.updated > 0
            out["daily refits"] = refits
        out[way] = _accuracy(con, labels)
        con.disconnect()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folds", nargs="?", default=",".join(PRODUCTS))
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--days", type=int, default=60)
    args = ap.parse_args()
    data = corpus.data_dir()
    if data is None:
        sys.exit("no shared data: set SHOPOPS_SHARED_DATA")
    df = corpus.read(data)
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    for fold in args.folds.split(","):
        train = df[df["cat"] != fold]
        t0 = time.process_time()
        model = S.train(train["review"].tolist(), train["label"].tolist())
        fit = time.process_time() - t0
        held = df[df["cat"] == fold].reset_index(drop=True)
        for seed in seeds:
            rng = np.random.default_rng(seed)
            pos = held[held["label"] == 1]
            neg = held[held["label"] == 0]
            k = int(round(len(pos) * 15 / 85))
            shaped = pd.concat([pos, neg.iloc[rng.permutation(len(neg))[:k]]]).reset_index(drop=True)
            for shape, frame in (("50%", held), ("85%", shaped)):
                if shape == "50%" and seed != seeds[0]:
                    continue  # the corpus file is the same for every seed; its daily order is not
                with tempfile.TemporaryDirectory() as tmp:
                    t1 = time.process_time()
                    r = run(model, frame["review"].tolist(), frame["label"].to_numpy(dtype=int), days=args.days,
                            seed=seed, tmp=Path(tmp))
                    r.update(fold=fold, seed=seed, shape=shape, n=len(frame), fit_cpu=round(fit, 1),
                             cpu=round(time.process_time() - t1, 1))
                print(r, flush=True)
                rows.append(r)
    out = pd.DataFrame(rows)
    for shape, g in out.groupby("shape"):
        m = g.groupby("fold")[["alone", "file", "daily"]].mean()
        print(f"\n{shape} positive: per fold (mean over seeds)\n{m.round(4)}\nmean {m.mean().round(4).to_dict()}"
              f" min {m.min().round(4).to_dict()}")


if __name__ == "__main__":
    main()
