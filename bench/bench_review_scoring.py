"""Scoring speed: sentiment and aspects of 100k reviews (the work of ``shopops reviews score`` and the
``reviews_daily`` job), with the model trained on ../shared/data.

Run: SHOPOPS_SHARED_DATA=../shared/data python bench/bench_review_scoring.py [--n 100000] [--model PATH]
The reviews: BENCH_N texts drawn with replacement (seed 0) from the shared corpora, so texts repeat as
they do in a store (默认好评). Prints wall time and the process's CPU time (what a loaded shared
machine does not inflate) for sentiment alone, adapted to the texts (anchored self-training), adapted and
smoothed over the texts' own neighbour graph (the default of ``shopops reviews score`` since the ninth round),
and with aspects; then the nightly path (``review_scores_refresh`` into a DuckDB warehouse, one store): the first
night (the model adapted to the store's reviews, every review scored) and a later night with 1,000 new reviews
(the saved store model, each new review smoothed over the store's reviews).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa

from shopops.service import sentiment, sentiment_corpus
from shopops.service.review_scoring import review_scores_refresh, score_texts
from shopops.warehouse import loader


def _arrive(con, texts: list[str], first: int, day: dt.date) -> None:
    n = len(texts)
    loader.load(con, "reviews", pa.table({
        "store_id": ["s"] * n, "review_id": [f"r{i:07d}" for i in range(first, first + n)], "product_id": ["p"] * n,
        "created_at": [dt.datetime.combine(day, dt.time(3), dt.UTC)] * n, "review_date": [day] * n,
        "rating": pa.array([None] * n, pa.int8()), "content": texts}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--model", type=Path, help="a saved model (.npz); default: train one now")
    args = ap.parse_args()
    df = sentiment_corpus.read(sentiment_corpus.data_dir())
    if args.model and args.model.exists():
        model = sentiment.load(args.model)
    else:
        started = time.perf_counter()
        model = sentiment.train(df["review"].tolist(), df["label"].tolist())
        print(f"trained in {time.perf_counter() - started:.0f} s")
        if args.model:
            model.save(args.model)
    texts = df["review"].sample(args.n, replace=True, random_state=0).tolist()
    for label, fn in (("sentiment", lambda: model.proba(texts)),
                      ("sentiment adapted to the texts", lambda: sentiment.anchored_proba(model, texts)),
                      ("adapted, then smoothed over the texts' neighbour graph", lambda: sentiment.anchored_proba(model, texts, smooth=True)),
                      ("sentiment + aspects", lambda: score_texts(texts, model)),
                      ("adapted sentiment + aspects (shopops reviews score)", lambda: score_texts(texts, model, adapt=True))):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        print(f"{args.n:,} reviews ({len(set(texts)):,} distinct), {label}: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f}", flush=True)
    assert np.isfinite(model.proba(texts[:10])).all()
    later = df["review"].sample(1000, replace=True, random_state=1).tolist()
    with tempfile.TemporaryDirectory() as tmp:
        con = ibis.duckdb.connect(str(Path(tmp) / "w.duckdb"))
        loader.ensure_tables(con)
        loader.load(con, "stores", pa.table({"store_id": ["s"], "platform": ["tmall"], "name": ["s"],
                                             "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
        day = dt.date(2026, 3, 1)
        for label, arriving, first in (("nightly scoring, first night (adapt to the store, score all)", texts, 0),
                                       ("nightly scoring, a later night (1,000 new reviews)", later, len(texts))):
            _arrive(con, arriving, first, day)
            wall, cpu = time.perf_counter(), time.process_time()
            res = review_scores_refresh(con=con, model=model, folder=Path(tmp) / "stores")
            print(f"{res.scored:,} reviews, {label}: {time.perf_counter() - wall:.1f} s wall, "
                  f"{time.process_time() - cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f}", flush=True)
            day += dt.timedelta(days=1)


if __name__ == "__main__":
    main()
