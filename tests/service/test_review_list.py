"""The review list's counts, totals and page against a pandas oracle on a small hand-made warehouse.

The list reads ``review_scores`` and ``reviews`` without joining them (selectors_reviews.review_list);
the oracle joins them in pandas and filters the plain way. Two stores, reviews of which some are
unscored, a review id that exists in both stores (the page must not mix their scores)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from shopops.service.selectors_reviews import ReviewFilter, review_list
from shopops.warehouse.loader import load

UTC = dt.UTC


@pytest.fixture
def frames(warehouse):
    reviews, scores = [], []
    for i in range(60):
        store = "tmall" if i % 3 else "jd"
        rid = f"R{i % 50}"  # R0…R9 exist in both stores
        day = dt.date(2025, 11, 1) + dt.timedelta(days=i % 20)
        rating = 1 + i % 5
        reviews.append({"store_id": store, "review_id": rid, "product_id": f"P{i % 4}", "order_id": f"O{i}",
                        "created_at": dt.datetime(2025, 11, 1, tzinfo=UTC) + dt.timedelta(hours=7 * i),
                        "review_date": day, "rating": rating, "content": f"评价 {i}"})
        if i % 7:  # every 7th review is not scored yet
            polarity = -1 if rating <= 2 else (0 if rating == 3 else 1)
            asp = ["size", "quality,size", "", "logistics"][i % 4]
            scores.append({"store_id": store, "review_id": rid, "product_id": f"P{i % 4}", "review_date": day,
                           "rating": rating, "sentiment": {-1: 0.1, 0: 0.5, 1: 0.9}[polarity], "polarity": polarity,
                           "aspects": asp, "negative_aspects": asp if polarity == -1 else "", "model_version": "t"})
    r, s = pd.DataFrame(reviews), pd.DataFrame(scores)
    r = r.drop_duplicates(["store_id", "review_id"], keep="last")
    s = s.drop_duplicates(["store_id", "review_id"], keep="last")
    load(warehouse, "reviews", pa.Table.from_pandas(r.astype({"rating": "int8"}), preserve_index=False))
    load(warehouse, "review_scores", pa.Table.from_pandas(s.astype({"rating": "int8", "polarity": "int8"}),
                                                          preserve_index=False))
    return warehouse, r.merge(s.drop(columns=["product_id", "review_date", "rating"]), on=["store_id", "review_id"],
                              how="left")


FILTERS = [ReviewFilter(), ReviewFilter(store_ids=("tmall",)), ReviewFilter(sentiment="negative"),
           ReviewFilter(aspect="size"), ReviewFilter(aspect="size", negative_only_aspect=True, store_ids=("jd",)),
           ReviewFilter(bad_only=True), ReviewFilter(product_id="P1", first=dt.date(2025, 11, 5),
                                                     last=dt.date(2025, 11, 12))]


@pytest.mark.parametrize("f", FILTERS)
def test_counts_total_and_page_match_a_pandas_join(frames, f):
    con, joined = frames
    t = joined
    if f.store_ids:
        t = t[t.store_id.isin(f.store_ids)]
    if f.product_id:
        t = t[t.product_id == f.product_id]
    if f.bad_only:
        t = t[t.rating <= 2]
    if f.first:
        t = t[t.review_date >= f.first]
    if f.last:
        t = t[t.review_date <= f.last]
    if f.aspect:
        col = t.negative_aspects if f.negative_only_aspect else t.aspects
        t = t[("," + col.fillna("") + ",").str.contains("," + f.aspect + ",", regex=False)]
    names = {-1: "negative", 0: "unclear", 1: "positive"}
    counts = {names[int(k)]: int(v) for k, v in t.polarity.dropna().value_counts().items()}
    unscored = int(t.polarity.isna().sum())
    if f.sentiment:
        t = t[t.polarity == {"negative": -1, "unclear": 0, "positive": 1}[f.sentiment]]
    expected = t.sort_values(["created_at", "review_id"], ascending=[False, True])
    for offset in (0, 5):
        page = review_list(f, limit=5, offset=offset, con=con)
        assert page.counts == counts and page.unscored == unscored and page.total == len(t)
        want = expected.iloc[offset:offset + 5]
        assert [(x["store_id"], x["review_id"]) for x in page.rows] == list(zip(want.store_id, want.review_id, strict=True))
        assert [x["polarity"] for x in page.rows] == [None if pd.isna(v) else int(v) for v in want.polarity]
        assert [x["text"] for x in page.rows] == list(want.content)


def test_product_issue_table_matches_a_pandas_count(frames):
    from shopops.service.selectors_reviews import product_issue_table

    con, joined = frames
    rows = product_issue_table(store_ids=("tmall",), con=con)
    t = joined[joined.store_id == "tmall"]
    expected = []
    for pid, g in t.groupby("product_id"):
        per = {}
        for value in g.negative_aspects.dropna():
            for a in filter(None, value.split(",")):
                per[a] = per.get(a, 0) + 1
        if per:
            expected.append({"store_id": "tmall", "product_id": pid, "reviews": len(g), "bad": int((g.rating <= 2).sum()),
                             "complaints": sum(per.values()), "aspects": per})
    expected.sort(key=lambda r: (-r["complaints"], r["product_id"]))
    assert [{**r, "aspects": dict(r["aspects"])} for r in rows] == expected
    assert expected  # the fixture has complaints
