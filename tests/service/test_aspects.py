"""Aspect extraction against labels written by hand (by the author of this module, before and
independently of the extractor's output on each review; the lexicon was revised once after
reading the errors on the shared sample — see docs/reviews.md).

- ``aspects_labelled_written.csv``: 64 clothing/home reviews written for this project, with labels
  (the last 24 added later, labelled by meaning before running the extractor on them).
- ``aspects_labelled_shared.csv``: 120 reviews of online_shopping_7cats (24 from each of 平板,
  手机, 水果, 洗发水, 计算机), referenced by row and a hash of their text (the corpus is not
  copied into the repository), with labels; skipped when ../shared/data is absent.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from shopops.service import aspects, sentiment_corpus

FIXTURES = Path(__file__).parent / "fixtures"
DATA = sentiment_corpus.data_dir()


@pytest.fixture
def model(review_model):
    return review_model


def _scores(texts, truth_column, predicted):
    out = {}
    for code in aspects.ASPECT_CODES:
        tp = fp = fn = 0
        for truth, pred in zip(truth_column, predicted, strict=True):
            t = code in set(filter(None, truth.split(",")))
            p = code in pred
            tp += t and p
            fp += p and not t
            fn += t and not p
        out[code] = (tp, fp, fn)
    return out


def _check(rows: list[dict], model, *, mention_precision: float, min_support: int = 3):
    texts = [r["review"] for r in rows]
    got = aspects.extract(texts, model.proba)
    mentions = _scores(texts, [r["aspects"] for r in rows], [{m.aspect for m in ms} for ms in got])
    for code, (tp, fp, fn) in mentions.items():
        if tp + fn >= min_support:
            assert tp / max(tp + fp, 1) >= mention_precision, (code, tp, fp, fn)
    tp = sum(v[0] for v in mentions.values())
    fn = sum(v[2] for v in mentions.values())
    return mentions, tp / (tp + fn)


def test_written_sample(model):
    with (FIXTURES / "aspects_labelled_written.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 64
    _, recall = _check(rows, model, mention_precision=0.8)
    assert recall >= 0.85
    got = aspects.extract([r["review"] for r in rows], model.proba)
    neg = _scores(None, [r["negative_aspects"] for r in rows], [{m.aspect for m in ms if m.polarity < 0} for ms in got])
    tp = sum(v[0] for v in neg.values())
    fp = sum(v[1] for v in neg.values())
    assert tp / (tp + fp) >= 0.75


@pytest.mark.skipif(DATA is None, reason="real review data not present (../shared/data or $SHOPOPS_SHARED_DATA)")
def test_shared_sample(model):
    shop = pd.read_csv(DATA / sentiment_corpus.SHOPPING, dtype=str, keep_default_na=False)
    with (FIXTURES / "aspects_labelled_shared.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 100
    for r in rows:
        r["review"] = shop.iloc[int(r["row"])]["review"]
        assert hashlib.sha1(r["review"].encode()).hexdigest()[:12] == r["text_sha1"], r["row"]
    mentions, recall = _check(rows, model, mention_precision=0.7, min_support=5)
    # the aspects a clothing store lives on are named precisely
    for code in ("size", "quality", "logistics", "price", "packaging", "as_described"):
        tp, fp, fn = mentions[code]
        assert tp / max(tp + fp, 1) >= 0.8, (code, tp, fp, fn)
    assert recall >= 0.45  # phones and laptops name many qualities the lexicon does not know (待机, 死机 …)


SHARED_SAMPLES = ("aspects_labelled_shared.csv", "aspects_labelled_shared_negative.csv",
                  "aspects_labelled_shared_dev2.csv", "aspects_labelled_shared_heldout.csv")


def _shared_rows(names):
    shop = pd.read_csv(DATA / sentiment_corpus.SHOPPING, dtype=str, keep_default_na=False)
    rows = []
    for name in names:
        with (FIXTURES / name).open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                r["review"] = shop.iloc[int(r["row"])]["review"]
                assert hashlib.sha1(r["review"].encode()).hexdigest()[:12] == r["text_sha1"], (name, r["row"])
                rows.append(r)
    return rows


@pytest.mark.skipif(DATA is None, reason="real review data not present (../shared/data or $SHOPOPS_SHARED_DATA)")
def test_negative_aspects_are_precise_on_the_shared_samples(model):
    """An aspect called negative is one the buyer complains about, judged by the clause that names it
    (364 reviews labelled by reading; 244 of them drawn by service/price/looks/packaging words, half
    from each corpus label). Floors: ≥ 0.8 for the aspects with ≥ 10 negative calls."""
    rows = _shared_rows(SHARED_SAMPLES)
    assert len(rows) == 364
    got = aspects.extract([r["review"] for r in rows], model.proba)
    neg = _scores(None, [r["negative_aspects"] for r in rows], [{m.aspect for m in ms if m.polarity < 0} for ms in got])
    for code in ("service", "price", "looks", "packaging", "quality"):
        tp, fp, fn = neg[code]
        assert tp + fp >= 10 and tp / (tp + fp) >= 0.8, (code, tp, fp, fn)
        assert tp / (tp + fn) >= 0.3, (code, tp, fp, fn)  # and not by calling almost nothing negative
    mentions = _scores(None, [r["aspects"] for r in rows], [{m.aspect for m in ms} for ms in got])
    for code, (tp, fp, fn) in mentions.items():
        assert tp / max(tp + fp, 1) >= 0.8, (code, tp, fp, fn)


LOGISTICS_PRICE = "aspects_labelled_shared_logistics_price.csv"


@pytest.mark.skipif(DATA is None, reason="real review data not present (../shared/data or $SHOPOPS_SHARED_DATA)")
def test_logistics_and_price_complaints_are_precise(model):
    """80 more reviews of the five product categories, drawn by logistics and price words (half from
    each corpus label) and labelled by reading before the extractor ran on them. The fourth round's
    rules (a clause that sets the scene, another courier, 便宜没好货, 价格不高, a star given to the
    courier) were written after reading the errors on the 364 reviews above and on the first 40 of
    these only (docs/reviews.md). Floors: negative precision ≥ 0.8 for logistics and price on the 80
    and over all 444 shared reviews (≥ 10 calls each), and mention precision ≥ 0.8 for both."""
    rows = _shared_rows((LOGISTICS_PRICE,))
    assert len(rows) == 80
    everything = _shared_rows((*SHARED_SAMPLES, LOGISTICS_PRICE))
    for sample, min_calls in ((rows, 5), (everything, 10)):
        got = aspects.extract([r["review"] for r in sample], model.proba)
        neg = _scores(None, [r["negative_aspects"] for r in sample],
                      [{m.aspect for m in ms if m.polarity < 0} for ms in got])
        mentions = _scores(None, [r["aspects"] for r in sample], [{m.aspect for m in ms} for ms in got])
        for code in ("logistics", "price"):
            tp, fp, fn = neg[code]
            assert tp + fp >= min_calls and tp / (tp + fp) >= 0.8, (code, len(sample), tp, fp, fn)
            assert tp / (tp + fn) >= 0.4, (code, len(sample), tp, fp, fn)
            tp, fp, fn = mentions[code]
            assert tp / (tp + fp) >= 0.8, (code, len(sample), tp, fp, fn)


def test_clause_polarity_reads_what_is_said_about_the_aspect():
    # the topic word is masked, opinion words decide, a negation flips the word after it
    assert aspects.opinion("客服回复很及时") == (1, "很及时")
    assert aspects.opinion("包装非常好一点都不变形也没漏")[0] == 3
    assert aspects.opinion("价格不太便宜")[0] == -1
    assert aspects.opinion("性价比很低")[0] == -1 and aspects.opinion("性价比超高")[0] == 1
    assert aspects.clauses("价格合适 包装很差") == ["价格合适", "包装很差"]
    assert aspects.mentioned("以后不会买这个商家的了") == ()  # a shop named, not its service
    assert aspects.mentioned("商家态度很差") == ("service",)
    assert aspects.mentioned("内屏颜色的显示效果很差") == ("quality",)
    assert aspects.mentioned("拆开包装就有坏的") == ("quality",)
    assert aspects.mentioned("之前被其他快递坑惨了") == ()  # another courier
    assert aspects.mentioned("果真是便宜没好货") == ("quality",) and aspects.opinion("果真是便宜没好货")[0] < 0
    assert aspects.praises_absence("价格不高") and aspects.praises_absence("评一颗星给快递")
    assert aspects.praises_absence("这些都是比他贵1倍的机型才有的") and not aspects.praises_absence("比超市贵")
    # a clause that sets the scene is not negative on the model's word alone; an opinion word still decides
    scene = {m.aspect: m.polarity for m in aspects.extract(["送货的时候只有二个包裹"], lambda cs: [0.1] * len(cs))[0]}
    assert scene == {"logistics": 0}
    late = {m.aspect: m.polarity for m in aspects.extract(["发货之前拖了三天太慢了"], lambda cs: [0.1] * len(cs))[0]}
    assert late == {"logistics": -1}
    polar = {m.aspect: m.polarity for m in aspects.extract(["客服回复很及时，包装很简陋"], lambda cs: [0.5] * len(cs))[0]}
    assert polar == {"service": 1, "packaging": -1}


def test_clauses_and_turns():
    assert aspects.clauses("质量很好，但是物流太慢了！") == ["质量很好", "但是物流太慢了"]
    assert aspects.mentioned("快递小哥服务很好") == ("logistics",)
    assert aspects.mentioned("客服服务很好") == ("service",)
    assert aspects.praises_absence("没有色差") and not aspects.praises_absence("色差很大")
    # a slight defect is praise (a 5★ "色差很小" was listed as a looks complaint); a large one is not
    assert all(aspects.praises_absence(c) for c in ("色差很小", "异味不大", "线头很少", "色差几乎没有", "掉色也不明显"))
    assert not any(aspects.praises_absence(c) for c in ("色差很大", "异味很重", "线头太多", "色差明显", "一点味道也没有", "气味很淡"))
    slight = aspects.extract(["色差很小"], lambda cs: [0.3] * len(cs))[0]
    assert {m.aspect: m.polarity for m in slight} == {"looks": 1}
