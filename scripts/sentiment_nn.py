"""Seventh round, step 2: a small neural model over hashed char 1-3 grams (torch, CPU), leave-one-domain-out.

Measurement only (docs/reviews.md, seventh round); torch is no dependency of the project. Run it in a venv of
its own (``python -m venv /tmp/nn && /tmp/nn/bin/pip install torch==2.13.0 numpy scipy``) after
``scripts/sentiment_loco.py lexx ... --cache DIR`` has written the char 1–3 counts, and
``scripts/sentiment_nn.py --dump DIR`` (in the project's venv, ``$SENTIMENT_EXTLEX`` set) the labels, domains
and lexicon counts:

    /tmp/nn/bin/python scripts/sentiment_nn.py ft,ftd,fts 计算机,手机 DIR

Variants (fixed before any run, nothing tuned on a held-out fold):
  ft    fastText-style: TF-IDF-weighted bag of n-gram embeddings (d=64) + the 12 lexicon counts -> logit
  ftd   ft + DANN: a source-vs-target domain classifier on the bag embedding through gradient reversal
        (the target file's text unlabelled, transductive, as `shopops reviews score` sees it)
  fts   ft + neural SCL: the embedding also trained, on source AND target text, to predict the presence of
        500 pivot n-grams (frequent in both, most label-informative on the source) from the other n-grams
Output: per fold accuracy, and the margin saved for ensembling with the linear model (z_<held>_<v>.npy).
"""
import sys
import time

import numpy as np
import scipy.sparse as sp

if sys.argv[1] == "--dump":
    # in the project's venv: labels, domains, the shipped lexicon's and the outside lexicons' counts
    sys.path[:0] = ["src", "scripts"]
    import sentiment_extlex
    from shopops.service import sentiment as S
    from shopops.service import sentiment_corpus as corpus
    from shopops.service import sentiment_lexicon

    df = corpus.read(corpus.data_dir())
    texts = [S.normalise(t) for t in df.review]
    np.savez(f"{sys.argv[2]}/meta.npz", y=df.label.to_numpy(), cats=df.cat.to_numpy().astype(str),
             lex=sentiment_lexicon.features(texts), ext=sentiment_extlex.features(texts, sentiment_extlex.load()))
    raise SystemExit(0)

import torch  # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)
N = 1 << 21
CACHE = sys.argv[3]
z = np.load(f"{CACHE}/sentiment_loco_c13_62153.npz")
C = sp.csr_matrix((z["d"], z["i"], z["p"]), shape=(62153, N))
m = np.load(f"{CACHE}/meta.npz", allow_pickle=False)
y, cats = m["y"], m["cats"]
LEX = np.hstack([m["lex"], m["ext"]]).astype(np.float32)
variants = sys.argv[1].split(",")
folds = sys.argv[2].split(",")
D, EPOCHS, BS = 64, 4, 128


def tfidf(rows, used, idf):
    x = rows[:, used].astype(np.float64).tocsr()
    x.data = 1 + np.log(x.data)
    x = x @ sp.diags(idf)
    sq = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
    return (sp.diags(1 / np.where(sq > 0, sq, 1)) @ x).tocsr().astype(np.float32)


def bag(x, rows):
    sub = x[rows]
    return (torch.from_numpy(sub.indices.astype(np.int64)), torch.from_numpy(sub.indptr[:-1].astype(np.int64)),
            torch.from_numpy(sub.data))


class GradRev(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -ctx.lam * g, None


def run(v, held):
    tr, te = np.flatnonzero(cats != held), np.flatnonzero(cats == held)
    transd = v in ("ftd", "fts")
    base = C[np.concatenate([tr, te])] if transd else C[tr]
    df = np.bincount(base.indices, minlength=N)
    used = np.flatnonzero(df >= 2)
    idf = np.log((1 + base.shape[0]) / (1 + df[used])) + 1
    X = tfidf(C, used, idf)  # all rows, columns = used
    V = len(used)
    emb = torch.nn.EmbeddingBag(V, D, mode="sum", sparse=True)
    torch.nn.init.normal_(emb.weight, 0, 0.1)
    head = torch.nn.Linear(D + LEX.shape[1], 1)
    drop = torch.nn.Dropout(0.2)
    dense = list(head.parameters())
    extra = None
    if v == "ftd":
        extra = torch.nn.Sequential(torch.nn.Linear(D, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
        dense += list(extra.parameters())
    if v == "fts":
        # pivots: df >= 10 in source and in target, top 500 by |NB log ratio| on the source
        ds = np.bincount(X[tr].indices, minlength=V)
        dt = np.bincount(X[te].indices, minlength=V)
        xb = X[tr].copy(); xb.data[:] = 1
        p = 1 + np.asarray(xb[y[tr] == 1].sum(0)).ravel(); q = 1 + np.asarray(xb[y[tr] == 0].sum(0)).ravel()
        r = np.abs(np.log((p / p.sum()) / (q / q.sum())))
        cand = np.flatnonzero((ds >= 10) & (dt >= 10))
        piv = cand[np.argsort(-r[cand])[:500]]
        pmap = np.full(V, -1); pmap[piv] = np.arange(len(piv))
        Xnp = X.copy(); Xnp.data[np.isin(Xnp.indices, piv)] = 0; Xnp.eliminate_zeros()
        P = X.copy(); P.data[:] = 1; P = P[:, piv].tocsr()
        extra = torch.nn.Linear(D, len(piv))
        dense += list(extra.parameters())
    opt_s = torch.optim.SparseAdam(list(emb.parameters()), lr=3e-3)
    opt_d = torch.optim.Adam(dense, lr=3e-3, weight_decay=1e-5)
    rng = np.random.default_rng(0)
    t0 = time.process_time()
    yt = torch.from_numpy(y.astype(np.float32))
    lex = torch.from_numpy(LEX)
    nb = len(tr) // BS
    for ep in range(EPOCHS):
        order = rng.permutation(tr)
        for k in range(nb):
            rows = order[k * BS:(k + 1) * BS]
            i, o, w = bag(X, rows)
            e = emb(i, o, per_sample_weights=w)
            logit = head(torch.cat([drop(e), lex[rows]], 1)).squeeze(1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, yt[rows])
            if v == "ftd":
                trow = rng.choice(te, BS)
                i2, o2, w2 = bag(X, trow)
                e2 = emb(i2, o2, per_sample_weights=w2)
                lam = 2 / (1 + np.exp(-10 * (ep * nb + k) / (EPOCHS * nb))) - 1
                dl = extra(GradRev.apply(torch.cat([e, e2]), lam)).squeeze(1)
                dy = torch.cat([torch.zeros(len(rows)), torch.ones(len(trow))])
                loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(dl, dy)
            if v == "fts":
                urow = np.concatenate([rng.choice(tr, BS // 2), rng.choice(te, BS // 2)])
                i2, o2, w2 = bag(Xnp, urow)
                e2 = emb(i2, o2, per_sample_weights=w2)
                tgt = torch.from_numpy(P[urow].toarray().astype(np.float32))
                loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(extra(e2), tgt)
            opt_s.zero_grad(); opt_d.zero_grad()
            loss.backward()
            opt_s.step(); opt_d.step()
    cpu = time.process_time() - t0
    drop.eval()
    with torch.no_grad():
        i, o, w = bag(X, te)
        zz = head(torch.cat([emb(i, o, per_sample_weights=w), lex[te]], 1)).squeeze(1).numpy().astype(np.float64)
    np.save(f"{CACHE}/z_{held}_{v}.npy", zz)
    acc = float(((zz > 0) == y[te]).mean())
    print(f"{held} {v}: {acc:.4f} predicted positive {(zz > 0).mean():.3f} (train {cpu:.0f} s CPU, 1 thread)", flush=True)
    return acc


res = {}
for held in folds:
    for v in variants:
        res.setdefault(v, []).append(run(v, held))
P5 = [i for i, f in enumerate(folds) if f in ("平板", "手机", "水果", "洗发水", "计算机")]
for v, a in res.items():
    a = np.array(a)
    print(v, f"mean {a.mean():.4f} min {a.min():.4f}", f"products mean {a[P5].mean():.4f} min {a[P5].min():.4f}" if P5 else "", np.round(a, 4).tolist())
