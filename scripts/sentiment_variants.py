"""Sentiment variants measured leave-one-category-out (the table "Second round" in docs/reviews.md).

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_variants.py "tf:c13,nb:c13" [平板,手机,...]

A variant is ``kind:features[:C][+bal]``: kind ``tf`` (sublinear TF-IDF) or ``nb`` (NB log-count
ratio of binarised counts); features ``c13`` (chars 1–3), ``c24`` (chars 4), ``w12`` (jieba words and
pairs), joined by ``|``; ``+bal`` class-balanced weights. Each product category is held out in turn
(书籍, 酒店 and waimai always train); with several variants, the mean of their standardised margins
("ens") is scored too. Experiment only (≈ 1 min of jieba, then 30–190 s a fit on the loaded
2-core machine): the shipped model is ``service.sentiment.train``.

Third round, transductive adaptation at scoring time (the table "Third round" in docs/reviews.md):

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_variants.py adapt [平板,手机,...] [--pos-share 0.85]

trains the shipped model (``sentiment.train``) without the held-out category, then scores that
category with the model alone and with ``sentiment.adapted_proba`` (self-training on the held-out
category's texts, no labels read). ``--pos-share`` keeps every positive review of the held-out
category and only as many negatives as give that positive share (a store's reviews are mostly
positive). ``adapt-grid`` runs the settings compared on the selection folds 书籍, 酒店, 外卖.
"""

import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from shopops.service import sentiment_corpus as c, sentiment as S


def adapt_main(argv):
    """LOCO: the shipped model alone vs adapted to the held-out category (no target labels used)."""
    grid = argv[0] == "adapt-grid"
    argv = argv[1:]
    share = None
    if "--pos-share" in argv:
        i = argv.index("--pos-share")
        share = float(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    default = "书籍,酒店,外卖" if grid else "平板,手机,水果,洗发水,计算机"
    folds = (argv[0] if argv else default).split(",")
    df = c.read(c.data_dir())
    rng = np.random.default_rng(0)
    # the variants compared; "nested" below picks one per held-out category by the others only
    settings = {"shipped": None}
    for bal in (True, False):
        for mix in (False, True):
            settings[f"{'balanced' if bal else 'proportional'} {'mixed' if mix else 'adapted alone'}"] = dict(
                balanced=bal, mix=mix)
        settings[f"{'balanced' if bal else 'proportional'} mixed, positive share kept"] = dict(
            balanced=bal, mix=True, keep_share=True)
    if grid:
        settings = {"shipped": None}
        for bal in (True, False):
            for sh in (0.3, 0.5, 0.7):
                for cc in (1.0, 4.0):
                    for r in (1, 2, 3):
                        settings[f"{'bal' if bal else 'prop'} share {sh} C {cc:g} rounds {r}"] = dict(
                            balanced=bal, share=sh, c=cc, rounds=r)
    res = {k: [] for k in settings}
    for held in folds:
        test = df[df.cat == held]
        if share is not None:
            pos, neg = test[test.label == 1], test[test.label == 0]
            k = min(len(neg), int(round(len(pos) * (1 - share) / share)))
            test = pd.concat([pos, neg.iloc[rng.permutation(len(neg))[:k]]])
        train = df[df.cat != held]
        t0 = time.process_time()
        model = S.train(train.review.tolist(), train.label.tolist())
        fit_cpu = time.process_time() - t0
        y_ = test.label.to_numpy()
        for name, kw in settings.items():
            t0 = time.process_time()
            if kw is None:
                p, ran = model.proba(test.review.tolist()), False
            else:
                p, ran = S.adapted_proba(model, test.review.tolist(), **kw)
            acc = float(((p >= 0.5).astype(int) == y_).mean())
            res[name].append(acc)
            print(f"{held} ({len(test)} reviews, {y_.mean():.2f} positive; train {fit_cpu:.0f} s CPU) {name}: "
                  f"{acc:.4f} predicted positive {(p >= 0.5).mean():.3f} ({time.process_time() - t0:.1f} s CPU"
                  f"{', adapted' if ran else ''})", flush=True)
    print("folds:", ",".join(folds), "| positive share:", share or "as in the corpus")
    if not grid and len(folds) > 2:
        # nested: for each held-out category, the variant with the best mean on the other categories
        nested, picks = [], []
        for i in range(len(folds)):
            best = max(settings, key=lambda k: np.mean([a for j, a in enumerate(res[k]) if j != i]))
            picks.append(best)
            nested.append(res[best][i])
        res["nested choice"] = nested
        print("nested picks:", dict(zip(folds, picks)))
    for name, a in sorted(res.items(), key=lambda kv: -np.mean(kv[1])):
        print(f"{np.mean(a):.4f} min {np.min(a):.4f}  {name}  {np.round(a, 4).tolist()}")


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] in ("adapt", "adapt-grid"):
    import pandas as pd

    adapt_main(sys.argv[1:])
    sys.exit(0)

df = c.read(c.data_dir())
texts = [S.normalise(t) for t in df.review]
y = df.label.to_numpy(); cats = df.cat.to_numpy()
N = 1 << 21
t = time.time()
F = {}
F["c13"] = HashingVectorizer(analyzer="char", ngram_range=(1,3), n_features=N, alternate_sign=False, norm=None, lowercase=False).transform(texts).tocsr()
F["c24"] = HashingVectorizer(analyzer="char", ngram_range=(4,4), n_features=N, alternate_sign=False, norm=None, lowercase=False).transform(texts).tocsr()
ws = [S.words(t) for t in texts]
F["w12"] = HashingVectorizer(analyzer=S._word_ngrams, n_features=N, alternate_sign=False, norm=None, lowercase=False).transform(ws).tocsr()
print(f"features in {time.time() - t:.0f} s", flush=True)

def tfidf(xtr, xte, sub=True):
    df_ = np.bincount(xtr.indices, minlength=xtr.shape[1])
    used = np.flatnonzero(df_ >= 2)
    n = xtr.shape[0]
    idf = np.log((1+n)/(1+df_[used])) + 1
    out = []
    for x in (xtr, xte):
        x = x[:, used].astype(np.float64).tocsr()
        if sub: x.data = 1 + np.log(x.data)
        x = x @ sp.diags(idf)
        sq = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
        out.append((sp.diags(1/np.where(sq>0, sq, 1)) @ x).tocsr())
    return out

def nb(xtr, ytr, xte, alpha=1.0):
    df_ = np.bincount(xtr.indices, minlength=xtr.shape[1])
    used = np.flatnonzero(df_ >= 2)
    xb = xtr[:, used].copy(); xb.data[:] = 1
    p = alpha + np.asarray(xb[ytr == 1].sum(0)).ravel()
    q = alpha + np.asarray(xb[ytr == 0].sum(0)).ravel()
    r = np.log((p/p.sum())/(q/q.sum()))
    out = []
    for x in (xtr, xte):
        x = x[:, used].astype(np.float64).tocsr(); x.data = 1 + np.log(x.data)
        x = x @ sp.diags(r)
        sq = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
        out.append((sp.diags(1/np.where(sq>0, sq, 1)) @ x).tocsr())
    return out

def fit(xtr, ytr, xte, C=4, cw=None):
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=3000, class_weight=cw)
    clf.fit(xtr, ytr)
    return clf.decision_function(xte)

variants = sys.argv[1].split(",")
folds = sys.argv[2].split(",") if len(sys.argv) > 2 else ["平板","手机","水果","洗发水","计算机"]
res = {v: [] for v in variants}
for held in folds:
    te = cats == held; tr = ~te
    ytr, yte = y[tr], y[te]
    zs = {}
    for v in variants:
        t = time.time()
        parts = v.split("+")
        # v format: kind:feats[:C]  e.g. tf:c13 , nb:c13|w12 , bal
        kind, feats = parts[0].split(":")[:2]
        C = float(parts[0].split(":")[2]) if len(parts[0].split(":")) > 2 else 4
        X = sp.hstack([F[f] for f in feats.split("|")]).tocsr() if "|" in feats else F[feats]
        cw = "balanced" if "bal" in parts else None
        if kind == "tf":
            a, b = tfidf(X[tr], X[te])
        else:
            a, b = nb(X[tr], ytr, X[te])
        z = fit(a, ytr, b, C=C, cw=cw)
        zs[v] = z
        acc = ((z > 0) == yte).mean()
        res[v].append(acc)
        print(f"{held} {v}: {acc:.4f} pos-rate {(z>0).mean():.3f} ({time.time()-t:.0f}s)", flush=True)
    if len(variants) > 1:
        zz = np.mean([zs[v] / np.std(zs[v]) for v in variants], axis=0)
        res.setdefault("ens", []).append(((zz > 0) == yte).mean())
        print(f"{held} ens: {res['ens'][-1]:.4f}", flush=True)
for v, a in res.items():
    print(f"{v}: mean {np.mean(a):.4f} min {np.min(a):.4f}  {np.round(a,4)}")
