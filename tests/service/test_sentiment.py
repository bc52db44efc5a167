"""The sentiment model on real reviews of categories it was not trained on.

The labels are the corpus's own (SophonPlus ChineseNlpCorpus, ../shared/data/README.md);
the data are read in place and the test skips only when they are absent. Each split trains
without some categories of online_shopping_7cats and scores them; the floor is on the
product categories (平板, 手机, 水果, 洗发水, 计算机), the kind of goods a store sells.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from shopops.service import sentiment, sentiment_corpus, sentiment_seed

DATA = sentiment_corpus.data_dir()
# adapted to each held-out category by anchored self-training (the default of `shopops reviews score`):
# measured 0.880–0.940 leave-one-out over the product categories, mean 0.923 (docs/reviews.md, fifth
# round); here two categories are out of training at once, so the floors keep a margin
ADAPTED_MIN, ADAPTED_MEAN = 0.86, 0.91
# then smoothed over each file's own neighbour graph (ninth round, docs/reviews.md): measured leave-one-out
# 0.884–0.946 over the product categories, mean 0.930; on these splits the floors keep the same margin
SMOOTHED_MIN, SMOOTHED_MEAN = 0.865, 0.915
needs_data = pytest.mark.skipif(DATA is None, reason="real review data not present (../shared/data or $SHOPOPS_SHARED_DATA)")


@pytest.fixture(scope="module")
def corpus():
    return sentiment_corpus.read(DATA)


@pytest.mark.slow  # three trainings (≈ 25 s CPU each with the lexicon counts)
@needs_data
def test_accuracy_on_unseen_categories_over_splits(corpus):
    # three splits that each hold two product categories out; none of them was used to tune the model
    splits = (("平板", "洗发水"), ("手机", "水果"), ("计算机", "水果"))
    accs, adapted, smoothed = [], [], []
    for held in splits:
        test = corpus["cat"].isin(held)
        started = time.process_time()
        model = sentiment.train(corpus.loc[~test, "review"].tolist(), corpus.loc[~test, "label"].tolist())
        assert time.process_time() - started < 60  # CPU seconds (the shared machine's wall time is load)
        y = corpus.loc[test, "label"].to_numpy()
        p = model.proba(corpus.loc[test, "review"].tolist())
        accs.append(float(((p >= 0.5).astype(int) == y).mean()))
        # adapted to the held-out reviews (their text only), each category as its own file
        for cat in held:
            texts = corpus.loc[corpus["cat"] == cat, "review"].tolist()
            truth = corpus.loc[corpus["cat"] == cat, "label"].to_numpy()
            pa, ran = sentiment.anchored_proba(model, texts)
            assert ran
            adapted.append(float(((pa >= 0.5).astype(int) == truth).mean()))
            # … then smoothed over the file's own neighbour graph (what `shopops reviews score` runs)
            ps, ran = sentiment.anchored_proba(model, texts, smooth=True)
            assert ran
            smoothed.append(float(((ps >= 0.5).astype(int) == truth).mean()))
    assert min(accs) >= 0.89, accs
    assert np.mean(accs) >= 0.905, accs
    assert min(adapted) >= ADAPTED_MIN, adapted
    assert np.mean(adapted) >= ADAPTED_MEAN, adapted
    assert min(smoothed) >= SMOOTHED_MIN, smoothed
    assert np.mean(smoothed) >= SMOOTHED_MEAN, smoothed


def test_adaptation_needs_enough_reviews_and_reads_only_text():
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    few = ["质量很好", "太差了", "物流很快", "质量很好"]
    p, ran = sentiment.adapted_proba(model, few)
    assert not ran and np.allclose(p, model.proba(few))
    many = [f"{a}{b}" for a in ("质量", "物流", "客服", "包装", "做工", "颜色") for b in
            ("很好", "太差了", "还不错", "很失望", "非常满意", "不行", "超赞", "垃圾", "好评", "差评")] * 1
    many = [f"{t}，第{i}次买" for i in range(6) for t in many]  # 360 distinct texts
    p, ran = sentiment.adapted_proba(model, many)
    assert ran and p.shape == (len(many),) and np.all((p >= 0) & (p <= 1))
    again, _ = sentiment.adapted_proba(model, many)
    assert np.array_equal(p, again)  # deterministic
    # the same texts in another order get the same scores (a file's row order changes nothing)
    order = np.random.default_rng(0).permutation(len(many))
    shuffled, _ = sentiment.adapted_proba(model, [many[i] for i in order])
    assert np.allclose(shuffled, p[order])


def test_seed_model_tells_plain_reviews_apart():
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels, c=10.0)
    p = model.proba(["质量很好，物流很快，好评", "太差了，不会再买了", ""])
    assert p[0] > 0.6 and p[1] < 0.4 and p[2] == 0.5


def test_saved_model_scores_the_same_and_loads_once(tmp_path):
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    path = tmp_path / "m.npz"
    model.save(path)
    again = sentiment.load(path)
    assert again is sentiment.load(path)  # cached per process
    assert again.version == model.version
    sample = ["做工很好", "客服不理人", "一般"]
    assert np.allclose(again.proba(sample), model.proba(sample), atol=1e-5)


def test_bad_labels_are_refused():
    with pytest.raises(ValueError, match="0 \\(negative\\) and 1 \\(positive\\)"):
        sentiment.train(["好", "差"], [1, 1])


def test_lexicon_counts_flip_with_a_negation():
    from shopops.service import sentiment_lexicon as lex

    # positive, negative, negated positive, negated negative, not-as-good, !!/??
    assert lex.counts("物流很快，很满意") == (2, 0, 0, 0, 0, 0)
    assert lex.counts("衣服不是很好，起球了") == (0, 1, 1, 0, 0, 0)
    assert lex.counts("质量不错，没有色差") == (1, 0, 0, 1, 0, 0)
    assert lex.counts("一点都不好看！！") == (0, 0, 1, 0, 0, 1)
    assert lex.counts("远不如实体店") == (0, 0, 0, 0, 1, 0)
    assert lex.features(["", "很满意"]).shape == (2, lex.N_FEATURES)


def test_lexicon_weights_are_learnt_and_saved(tmp_path):
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    assert model.lex_coef is not None and model.lex_coef[0] > 0 > model.lex_coef[1]  # praise up, blame down
    path = tmp_path / "lex.npz"
    model.save(path)
    assert np.array_equal(sentiment.load(path).lex_coef, model.lex_coef)
    plain = sentiment.train(texts, labels, use_lexicon=False)
    assert plain.lex_coef is None and plain.version != model.version
    # a word the training phrases never hold still counts through the lexicon (起球 is blame)
    assert model.proba(["起球"])[0] < plain.proba(["起球"])[0]


def test_anchored_adaptation_learns_a_new_word_from_its_company_and_keeps_the_model(tmp_path):
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    assert model.curvature is not None and len(model.curvature) == len(model.buckets) + len(model.lex_coef) + 1
    path = tmp_path / "m.npz"
    model.save(path)
    assert np.array_equal(sentiment.load(path).curvature, model.curvature)
    # 绝绝子 (slang the seed phrases never hold) always comes with praise, 踩雷 with blame
    file = [f"{w}，{t}，第{i}单" for i in range(80) for w, t in (("绝绝子", "质量很好"), ("踩雷", "太差了"),
                                                            ("绝绝子", "非常满意"), ("踩雷", "很失望"))]
    p, ran = sentiment.anchored_proba(model, file + ["绝绝子", "踩雷"])
    assert ran
    before = model.proba(["绝绝子", "踩雷"])
    assert p[-2] > before[0] + 0.02 and p[-1] < before[1] - 0.02  # measured: 0.82 -> 0.87, 0.81 -> 0.77
    # the reviews the model was sure of stay on their side
    assert ((p[:-2] >= 0.5) == (model.proba(file) >= 0.5)).all()


def test_anchored_adaptation_needs_enough_reviews_and_a_model_with_curvature():
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    few = ["质量很好", "太差了", "物流很快"]
    p, ran = sentiment.anchored_proba(model, few)
    assert not ran and np.allclose(p, model.proba(few))
    import dataclasses

    old = dataclasses.replace(model, curvature=None)  # a file saved before the curvature was
    many = [f"质量很好，第{i}单" for i in range(200)] + [f"太差了，第{i}单" for i in range(200)]
    p, ran = sentiment.anchored_proba(old, many)
    assert not ran and np.allclose(p, old.proba(many))


def test_a_new_model_never_scores_with_a_collected_models_maps():
    """The dense maps are cached per model object, keyed by its id: the entry must go with its model,
    or a model made later at the same address scores with the collected one's weights (seen in CI: a
    saved-and-loaded model scored 0.9949 where its original scored 0.9989)."""
    import gc

    texts, labels = sentiment_seed.seed_corpus()
    sample = ["做工很好", "客服不理人", "一般"]
    model = sentiment.train(texts, labels)
    want = model.proba(sample)
    key = id(model)
    assert key in sentiment._MAPS
    del model
    gc.collect()
    assert key not in sentiment._MAPS
    other = sentiment.train(texts, labels, c=0.05)
    assert not np.allclose(other.proba(sample), want, atol=1e-3)  # its own weights, not a leftover's


def test_contrast_clause_features_count_the_verdict_again_in_their_own_namespaces(tmp_path):
    # (text after the last contrast word, last clause), counted by hand
    assert sentiment.clauses("屏幕很好,但是电池不行,总之不推荐") == ("电池不行,总之不推荐", "总之不推荐")
    assert sentiment.clauses("物流快却包装差") == ("包装差", "物流快却包装差")
    assert sentiment.clauses("不错不错!!") == ("", "不错不错")
    assert sentiment.clauses("") == ("", "")
    plain = sentiment.counts(["好"], use_words=False)
    both = sentiment.counts(["好"], use_words=False, use_clauses=True)
    # 好 once in the text and once as the last clause, in another bucket; no contrast word
    assert plain.nnz == 1 and both.nnz == 2 and both.sum() == 2 and plain.indices[0] in both.indices
    # 好但差: 6 n-grams of the text, 1 after 但 (差), 6 of the last clause (the whole text)
    assert sentiment.counts(["好但差"], use_words=False, use_clauses=True).sum() == 13
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels, use_clauses=True)
    path = tmp_path / "clauses.npz"
    model.save(path)
    again = sentiment.load(path)
    sample = ["做工很好，但是物流太慢了", "客服不理人", "一般"]
    assert again.use_clauses and again.version == model.version
    assert np.allclose(again.proba(sample), model.proba(sample), atol=1e-5)
    old = sentiment.train(texts, labels)
    old.save(tmp_path / "old.npz")
    assert not sentiment.load(tmp_path / "old.npz").use_clauses and old.version != model.version


def test_the_graph_links_near_duplicates_by_their_rarer_ngrams_never_a_review_to_itself():
    texts = ["屏幕色彩很鲜艳", "屏幕色彩非常鲜艳", "电池续航太短了", "电池续航真的太短", "快递小哥态度好"]
    x = sentiment.counts([*texts], use_words=False, char_ngrams=(2, 3))
    idx, sim = sentiment.neighbours_of(x, k=2, max_df=30)
    assert idx[0, 0] == 1 and idx[1, 0] == 0 and idx[2, 0] == 3 and idx[3, 0] == 2  # the near-duplicate first
    assert (idx != np.arange(5)[:, None]).all() or (sim[idx == np.arange(5)[:, None]] == 0).all()
    assert sim[0, 0] > 0.3 and sim[4].max() == 0  # 快递小哥态度好 shares no 2–3-gram with the others: no link
    # an n-gram in more reviews than max_df links nobody: 屏幕色彩 in all of 40 copies-with-a-suffix
    many = [f"屏幕色彩{i:03d}号" for i in range(40)]
    idx, sim = sentiment.neighbours_of(sentiment.counts(many, use_words=False, char_ngrams=(2, 3)), k=3, max_df=30)
    assert sim.max() < 0.5  # only the shared digits of the numbers link them, 屏幕色彩 (df 40 > 30) does not


def test_smoothing_moves_a_margin_towards_its_neighbours_weighted_by_cosine():
    # by hand: z = (2, −1, 3); review 1's neighbours 0 (cosine 0.8) and 2 (0.2), α = 0.5:
    # 0.5 × −1 + 0.5 × (0.8 × 2 + 0.2 × 3) / (0.8 + 0.2) = −0.5 + 1.1 = 0.6 — read as positive now
    z = np.array([2.0, -1.0, 3.0])
    idx = np.array([[1, 2], [0, 2], [0, 1]])
    sim = np.array([[0.0, 0.0], [0.8, 0.2], [0.0, 0.0]])
    out = sentiment.graph_smoothed(z, idx, sim, alpha=0.5)
    assert out[1] == pytest.approx(0.6)
    assert out[0] == pytest.approx(2.0) and out[2] == pytest.approx(3.0)  # no linked neighbour: unchanged


def test_the_refits_counts_minus_the_unigrams_are_the_two_and_three_grams():
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    reviews = ["质量很好，物流很快", "太差了！！不推荐", "颜色和图片一样", ""]
    links = sentiment._link_counts(reviews, sentiment.counts(reviews, use_words=False), model)
    fresh = sentiment.counts(reviews, use_words=False, char_ngrams=(2, 3))
    assert (links != fresh).nnz == 0


def test_smoothing_reads_only_text_and_runs_with_the_adaptation():
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    few = ["质量很好", "太差了", "物流很快"]
    p, ran = sentiment.anchored_proba(model, few, smooth=True)
    assert not ran and np.allclose(p, model.proba(few))  # too few to adapt: the model alone, not smoothed
    many = [f"{a}{b}，第{i}单" for i in range(6) for a in ("质量", "物流", "客服", "包装", "做工", "颜色")
            for b in ("很好", "太差了", "还不错", "很失望", "非常满意", "不行", "超赞", "垃圾", "好评", "差评")]
    p, ran = sentiment.anchored_proba(model, many, smooth=True)
    assert ran and p.shape == (len(many),) and np.all((p > 0) & (p < 1))
    order = np.random.default_rng(0).permutation(len(many))
    shuffled, _ = sentiment.anchored_proba(model, [many[i] for i in order], smooth=True)
    assert np.allclose(shuffled, p[order])  # a file's row order changes nothing
    plain, _ = sentiment.anchored_proba(model, many)
    assert not np.allclose(plain, p)  # the graph did something


def _seed_file():
    return [f"{a}{b}，第{i}单" for i in range(6) for a in ("质量", "物流", "客服", "包装", "做工", "颜色")
            for b in ("很好", "太差了", "还不错", "很失望", "非常满意", "不行", "超赞", "垃圾", "好评", "差评")]


def test_the_adapted_model_scores_as_the_adaptation_did_and_keeps_its_version(tmp_path):
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.train(texts, labels)
    many = _seed_file()
    made = sentiment.anchored_model(model, many, meta={"store": "tmall"}, smooth=True)
    assert made is not None and made.texts == sorted({sentiment.normalise(t) for t in many})  # NFKC: ，→ ,
    adapted = made.model
    assert adapted.curvature is None
    assert adapted.meta["adapted_from"] == model.version and adapted.meta["texts"] == len(set(many))
    assert adapted.meta["store"] == "tmall" and adapted.version != model.version
    # the refit's own scores of the file, then the same weights as a model of their own
    p, ran = sentiment.anchored_proba(model, many)
    assert ran and np.allclose(adapted.proba(many), p, atol=1e-6)
    smoothed, _ = sentiment.anchored_proba(model, many, smooth=True)
    assert np.allclose(sentiment.smoothed_proba(adapted, many, many), smoothed, atol=1e-6)
    at = {t: i for i, t in enumerate(made.texts)}
    assert np.allclose([made.smoothed[at[sentiment.normalise(t)]] for t in many], smoothed, atol=1e-9)  # the scores that came with it
    assert not np.allclose(sentiment.smoothed_proba(adapted, many), adapted.proba(many))  # the graph did something
    path = tmp_path / "store.npz"
    adapted.save(path)
    assert sentiment.load(path).version == adapted.version and sentiment.load(path).meta["store"] == "tmall"
    assert sentiment.anchored_model(model, ["质量很好", "太差了"]) is None  # too few texts: nothing to adapt


def test_a_reviews_smoothed_score_does_not_depend_on_the_batch_it_arrives_in():
    texts, labels = sentiment_seed.seed_corpus()
    model = sentiment.anchored_model(sentiment.train(texts, labels), _seed_file()).model
    many = _seed_file()
    whole = sentiment.smoothed_proba(model, many, many)
    # a night's reviews, smoothed over the store's reviews (themselves among them): what the whole file gives
    for lo, hi in ((0, 30), (100, 101), (300, 360)):
        assert np.allclose(sentiment.smoothed_proba(model, many[lo:hi], many), whole[lo:hi])
    assert sentiment.smoothed_proba(model, ["", None, many[0]], many)[:2].tolist() == [0.5, 0.5]
    # the neighbours of some rows are those rows' neighbours in the whole graph
    x = sentiment.counts(sorted(set(many)), use_words=False, char_ngrams=(2, 3))
    full_idx, full_sim = sentiment.neighbours_of(x)
    rows = np.array([5, 0, 200])
    idx, sim = sentiment.neighbours_of(x, rows=rows)
    assert np.array_equal(idx, full_idx[rows]) and np.allclose(sim, full_sim[rows])
