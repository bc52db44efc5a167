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


def _many_reviews(con, n_texts: int = 360):
    load(con, "stores", pa.table({"store_id": ["own"], "platform": ["own"], "name": ["o"], "currency": ["CNY"],
                                  "time_zone": ["Asia/Shanghai"]}))
    texts = [f"{a}{b}，第{i}单" for i in range(n_texts // 60) for a in ("质量", "物流", "客服", "包装", "做工", "颜色")
             for b in ("很好", "太差了", "还不错", "很失望", "非常满意", "不行", "超赞", "垃圾", "好评", "差评")]
    n = len(texts)
    load(con, "reviews", pa.table({
        "store_id": ["own"] * n, "review_id": [f"o{i}" for i in range(n)], "product_id": ["p1"] * n,
        "created_at": [dt.datetime(2025, 11, 1, 2, tzinfo=UTC)] * n, "review_date": [dt.date(2025, 11, 1)] * n,
        "rating": pa.array([None] * n, pa.int8()), "content": texts,
    }))
    return n


def test_a_store_with_enough_reviews_gets_its_own_model_kept_and_recovered(warehouse, review_model, tmp_path):
    from shopops.service.review_scoring import store_model_path

    n = _many_reviews(warehouse)
    folder = tmp_path / "stores"
    first = review_scores_refresh(con=warehouse, model=review_model, folder=folder)
    assert first.scored == n and set(first.store_versions) == {"own"}
    version = first.store_versions["own"]
    path = store_model_path(folder, "own")
    assert sentiment.load(path).meta["store"] == "own" and sentiment.load(path).meta["adapted_from"] == review_model.version
    assert warehouse.raw_sql("select distinct model_version from review_scores").fetchall() == [(version,)]
    # a damaged file is refitted from the same reviews — the same weights, so nothing is re-scored — and rewritten
    path.write_bytes(b"not a model")
    again = review_scores_refresh(con=warehouse, model=review_model, folder=folder)
    assert (again.scored, again.store_versions) == (0, {"own": version})
    assert sentiment.load(path).version == version
    # without adaptation the store is scored by the trained model itself
    plain = review_scores_refresh(con=warehouse, model=review_model, adapt=False)
    assert (plain.scored, plain.updated, plain.store_versions) == (n, n, {})
