"""Sentiment variants measured leave-one-category-out (the table "Second round" in docs/reviews.md).

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_variants.py "tf:c13,nb:c13" [平板,手机,...]

A variant is ``kind:features[:C][+bal]``: kind ``tf`` (sublinear TF-IDF) or ``nb`` (NB log-count
ratio of binarised counts); features ``c13`` (chars 1–3), ``c24`` (chars 4), ``w12`` (jieba words and
pairs), joined by ``|``; ``+bal`` class-balanced weights. Each product category is held out in turn
(书籍, 酒店 and waimai always train); with several variants, the mean of their standardised margins
("ens") is scored too. Experiment only (≈ 1 min of jieba, then 30–190 s a fit on the loaded
2-core machine): the shipped model is ``service.sentiment.train``.
"""

import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from shopops.service import sentiment_corpus as c, sentiment as S
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
