"""Scoring reviews in the warehouse: every review once per model, idempotent, versioned."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from shopops.service import sentiment, sentiment_seed
from shopops.service.review_scoring import review_scores_refresh
from shopops.warehouse.loader import load

UTC = dt.UTC
TEXTS = ["尺码偏小，穿不上，客服也不理人。", "质量很好，物流很快，好评！", "", None, "包装破损，衣服都脏了。"]


def _reviews(con):
    load(con, "stores", pa.table({"store_id": ["tmall"], "platform": ["tmall"], "name": ["t"], "currency": ["CNY"],
                                  "time_zone": ["Asia/Shanghai"]}))
    n = len(TEXTS)
    load(con, "reviews", pa.table({
        "store_id": ["tmall"] * n, "review_id": [f"r{i}" for i in range(n)], "product_id": ["p1", "p1", "p2", "p2", "p3"],
        "created_at": [dt.datetime(2025, 11, 1, 2, tzinfo=UTC)] * n, "review_date": [dt.date(2025, 11, 1)] * n,
        "rating": pa.array([1, 5, 3, None, 2], pa.int8()), "content": TEXTS,
    }))


def test_scores_once_per_model_and_rescoring_replaces(warehouse, review_model):
    _reviews(warehouse)
    first = review_scores_refresh(con=warehouse, model=review_model)
    assert (first.scored, first.inserted) == (5, 5)
    rows = {r[0]: r[1:] for r in warehouse.raw_sql(
        "select review_id, polarity, aspects, negative_aspects, model_version, sentiment, rating "
        "from review_scores").fetchall()}
    assert rows["r0"][0] == -1 and rows["r0"][1] == "size,service" and rows["r0"][2] == "size,service"
    assert rows["r1"][0] == 1 and rows["r1"][1] == "quality,logistics" and rows["r1"][2] is None
    assert rows["r2"][0] == 0 and rows["r2"][4] == 0.5 and rows["r2"][1] is None  # no text
    assert rows["r3"][5] is None
    assert rows["r4"][1] == "packaging"
    assert {r[3] for r in rows.values()} == {review_model.version}
    again = review_scores_refresh(con=warehouse, model=review_model)
    assert (again.scored, again.inserted, again.updated) == (0, 0, 0)
    other = sentiment.train(*sentiment_seed.seed_corpus(), c=1.0)
    assert other.version != review_model.version
    redo = review_scores_refresh(con=warehouse, model=other)
    assert (redo.scored, redo.inserted, redo.updated) == (5, 0, 5)
    assert warehouse.raw_sql("select distinct model_version from review_scores").fetchall() == [(other.version,)]
