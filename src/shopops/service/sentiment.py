"""Review sentiment: a linear model over hashed character and word n-grams (no Django).

The model is trained by :func:`train` on labelled Chinese reviews (1 positive, 0 negative;
the project trains it on ``../shared/data``: ``waimai_10k`` and ``online_shopping_7cats``,
see ``scripts/train_sentiment.py`` and docs/reviews.md) and scores a review as the
probability that it is positive.

Features: the review's characters, 1–3 at a time (optionally also its jieba words and word
pairs: measured +0.1 point on unseen categories, within the noise, for twice the scoring time,
so off by default; jieba cuts the words of the aspects), each hashed into a fixed space (no vocabulary to store), weighted by sublinear TF-IDF and
L2-normalised per review; six counts of a general sentiment lexicon appended (``sentiment_lexicon``:
praise, blame, each negated, "not as good as", ``!!``; measured +0.6 point leave-one-domain-out,
docs/reviews.md); a logistic regression on top. Hashing keeps the saved model to
two arrays (the IDF and the weights of the non-empty buckets), so it loads in milliseconds
and holds no text of the corpus. :func:`load` caches one model per path per process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
import weakref
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from shopops.service import sentiment_lexicon

FORMAT = 1
N_FEATURES = 1 << 21
_CHAR_NGRAMS = (1, 3)
_WORD_NGRAMS = (1, 2)


def normalise(text: object) -> str:
    """One spelling of a review: NFKC (full-width to half-width), lower case, no BOM, trimmed."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").lower().strip()


@functools.cache
def _jieba():
    import jieba  # imported on first use: building its prefix dictionary takes ~1 s

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """jieba's words of a (normalised) text, blanks dropped."""
    return [w for w in _jieba().lcut(text, HMM=False) if w.strip()]


def _vectorisers(char_ngrams: tuple[int, int] = _CHAR_NGRAMS):
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(analyzer="char", ngram_range=tuple(char_ngrams), n_features=N_FEATURES,
                              alternate_sign=False, norm=None, lowercase=False)
    # word n-grams hash into the same space, marked so a word never collides on purpose with a char n-gram
    wordgrams = HashingVectorizer(analyzer=lambda ws: _word_ngrams(ws), n_features=N_FEATURES,
                                  alternate_sign=False, norm=None, lowercase=False)
    return chars, wordgrams


def _word_ngrams(ws: list[str]) -> list[str]:
    out = ["w:" + w for w in ws]
    if _WORD_NGRAMS[1] >= 2:
        out += ["w2:" + a + "|" + b for a, b in zip(ws, ws[1:], strict=False)]
    return out


# contrast-clause features (eighth round, docs/reviews.md): the verdict of a Chinese review tends to follow a
# contrast word and to close it; the char n-grams of the text after the last contrast word and of the last
# clause are counted again, each in its own namespace of the hashed space (the n-gram's bucket moved by an offset)
_CONTRAST = re.compile("但是|可是|不过|就是|只是|然而|可惜|但|却")
_CLAUSE_END = re.compile("[，。！？!?,;；~～\n\r]+")
_OFFSET_AFTER_CONTRAST = 349_525
_OFFSET_LAST_CLAUSE = 699_050


def clauses(text: str) -> tuple[str, str]:
    """The text after its last contrast word ('' without one) and its last non-empty clause."""
    parts = _CONTRAST.split(text)
    after = parts[-1] if len(parts) > 1 else ""
    pieces = [c for c in _CLAUSE_END.split(text) if c.strip()]
    return after, (pieces[-1] if pieces else "")


def _shifted(m: sp.csr_matrix, offset: int) -> sp.csr_matrix:
    m = m.tocsr()
    return sp.csr_matrix((m.data, (m.indices + offset) % N_FEATURES, m.indptr), shape=m.shape)


def counts(texts: Sequence[str], *, use_words: bool = True,
           char_ngrams: tuple[int, int] = _CHAR_NGRAMS, use_clauses: bool = False) -> sp.csr_matrix:
    """Raw hashed n-gram counts of normalised texts (rows = texts); with ``use_clauses`` also the char
    n-grams of each text's part after its last contrast word and of its last clause (:func:`clauses`), each
    in its own namespace, summed into the row."""
    chars, wordgrams = _vectorisers(char_ngrams)
    m = chars.transform(texts)
    if use_words:
        m = m + wordgrams.transform([words(t) for t in texts])
    if use_clauses:
        after, last = zip(*(clauses(t) for t in texts), strict=True) if len(texts) else ((), ())
        m = (m + _shifted(chars.transform(after), _OFFSET_AFTER_CONTRAST)
             + _shifted(chars.transform(last), _OFFSET_LAST_CLAUSE))
    return m.tocsr()


@dataclass(frozen=True)
class SentimentModel:
    """Feature weights and coefficients over the hashed feature space (zero outside ``buckets``)."""

    buckets: np.ndarray  # int64 indices of buckets with a weight
    idf: np.ndarray  # float32, per bucket: the IDF, or the NB log-count ratio (``meta["weighting"] == "nb"``)
    coef: np.ndarray  # float32, per bucket
    intercept: float
    use_words: bool = False
    meta: dict = field(default_factory=dict)
    # weights of the lexicon's counts (sentiment_lexicon.features), None for a model trained without them
    lex_coef: np.ndarray | None = None
    char_ngrams: tuple[int, int] = _CHAR_NGRAMS
    # the training objective's curvature at the fit, per weight: buckets, then the lexicon's, then the
    # intercept (diagonal of the Hessian); None for a model saved without it. Anchors the adaptation.
    curvature: np.ndarray | None = None
    # contrast-clause features (counts(use_clauses=True)); False for a model saved without the flag
    use_clauses: bool = False

    @property
    def version(self) -> str:
        """A short content hash: scores written with the model carry it."""
        h = hashlib.sha256()
        for a in (self.buckets, self.idf, self.coef):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(repr((self.intercept, self.use_words)).encode())
        if self.curvature is not None:
            h.update(np.ascontiguousarray(self.curvature).tobytes())
        if tuple(self.char_ngrams) != _CHAR_NGRAMS:
            h.update(repr(tuple(self.char_ngrams)).encode())
        if self.lex_coef is not None:
            h.update(np.ascontiguousarray(self.lex_coef).tobytes())
        if self.use_clauses:
            h.update(b"clauses")
        return h.hexdigest()[:12]

    def _dense_maps(self) -> tuple[np.ndarray, np.ndarray]:
        idf = np.zeros(N_FEATURES, dtype=np.float32)
        coef = np.zeros(N_FEATURES, dtype=np.float32)
        idf[self.buckets] = self.idf
        coef[self.buckets] = self.coef
        return idf, coef

    def proba(self, texts: Iterable[object], *, batch: int = 20_000) -> np.ndarray:
        """P(positive) of each text (empty text: 0.5); a text repeated (默认好评) is scored once."""
        norm = [normalise(t) for t in texts]
        unique, inverse = np.unique(np.array(norm, dtype=object), return_inverse=True) if norm else ([], [])
        if len(unique) < len(norm):
            return self._proba(list(unique), batch)[inverse]
        return self._proba(norm, batch)

    def _proba(self, norm: list[str], batch: int) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self._margins(norm, batch)))
        p[np.array([not t for t in norm], dtype=bool)] = 0.5
        return p

    def _margins(self, norm: list[str], batch: int = 20_000) -> np.ndarray:
        """The linear score (log-odds) of each normalised text."""
        out = np.zeros(len(norm))
        for start in range(0, len(norm), batch):
            part = norm[start:start + batch]
            x = counts(part, use_words=self.use_words, char_ngrams=self.char_ngrams, use_clauses=self.use_clauses)
            out[start:start + batch] = self._margins_of(x, part)
        return out

    def _margins_of(self, x: sp.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """The margins of ``texts`` from their raw hashed counts ``x`` (:func:`counts` with the model's features)."""
        idf, coef = _maps(self)
        x = x.astype(np.float64)
        x.data = 1.0 + np.log(x.data)  # sublinear tf
        x = x @ sp.diags(idf.astype(np.float64))
        sq = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        z = (x @ coef.astype(np.float64)) / np.where(sq > 0, sq, 1.0) + self.intercept
        if self.lex_coef is not None:
            z = z + sentiment_lexicon.features(texts) @ self.lex_coef.astype(np.float64)
        return z

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, buckets=self.buckets.astype(np.int32), idf=self.idf, coef=self.coef,
                            intercept=np.array([self.intercept]), use_words=np.array([self.use_words]),
                            **({} if self.lex_coef is None else {"lex_coef": self.lex_coef}),
                            char_ngrams=np.array(self.char_ngrams, dtype=np.int32),
                            **({} if self.curvature is None else {"curvature": self.curvature}),
                            **({"use_clauses": np.array([True])} if self.use_clauses else {}),
                            meta=np.array([json.dumps({**self.meta, "format": FORMAT}, ensure_ascii=False)]))
        tmp.replace(path)


_MAPS: dict[int, tuple[weakref.ref, tuple[np.ndarray, np.ndarray]]] = {}


def _maps(model: SentimentModel) -> tuple[np.ndarray, np.ndarray]:
    """The model's dense maps, made once per model object. Keyed by identity and checked by a weak
    reference: an id is reused once its object is gone, and a new model must not score with the maps of
    a collected one (it did: a test's freshly trained model scored with another's weights). The entry
    goes when its model does."""
    key = id(model)
    hit = _MAPS.get(key)
    if hit is not None and hit[0]() is model:
        return hit[1]
    maps = model._dense_maps()
    _MAPS[key] = (weakref.ref(model, lambda _ref, key=key: _MAPS.pop(key, None)), maps)
    return maps


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> SentimentModel:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"][0]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: sentiment model format {meta.get('format')!r}, expected {FORMAT}; retrain it")
        return SentimentModel(z["buckets"].astype(np.int64), z["idf"], z["coef"], float(z["intercept"][0]),
                              bool(z["use_words"][0]), meta, z["lex_coef"] if "lex_coef" in z.files else None,
                              tuple(int(v) for v in z["char_ngrams"]) if "char_ngrams" in z.files else _CHAR_NGRAMS,
                              z["curvature"] if "curvature" in z.files else None,
                              bool(z["use_clauses"][0]) if "use_clauses" in z.files else False)


def load(path: Path) -> SentimentModel:
    """The model saved at ``path``, read once per process (again only when the file changes)."""
    return _load(str(path), path.stat().st_mtime_ns)


def train(texts: Sequence[object], labels: Sequence[int], *, c: float = 4.0, use_words: bool = False,
          use_lexicon: bool = True, weighting: str = "idf", char_ngrams: tuple[int, int] = _CHAR_NGRAMS,
          use_clauses: bool = False, meta: dict | None = None) -> SentimentModel:
    """Fit the model on labelled texts (1 positive, 0 negative); empty texts are dropped. With
    ``use_lexicon`` the counts of a general sentiment lexicon (``sentiment_lexicon``) are features too.
    ``weighting``: each n-gram's sublinear count is weighted by its IDF (``"idf"``) or by its NB log-count
    ratio (``"nb"``: log of its share among positive reviews over its share among negative ones, binarised
    counts, add-one; Wang & Manning 2012), then L2-normalised per review. ``use_clauses``: the contrast-clause
    features too (:func:`counts`)."""
    if weighting not in ("idf", "nb"):
        raise ValueError(f"weighting {weighting!r}: expected 'idf' or 'nb'")
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    norm = [normalise(t) for t in texts]
    y = np.asarray(labels, dtype=np.int64)
    keep = np.array([bool(t) for t in norm])
    norm = [t for t, k in zip(norm, keep, strict=True) if k]
    y = y[keep]
    if set(np.unique(y)) - {0, 1} or len(np.unique(y)) < 2:
        raise ValueError("labels must be 0 (negative) and 1 (positive), both present")
    x = counts(norm, use_words=use_words, char_ngrams=char_ngrams, use_clauses=use_clauses)
    df = np.bincount(x.indices, minlength=N_FEATURES)
    used = np.flatnonzero(df >= 2)  # a feature seen in one review only is noise
    n = x.shape[0]
    x = x[:, used].tocsr().astype(np.float64)
    if weighting == "nb":
        xb = x.copy()
        xb.data[:] = 1.0
        pos = 1.0 + np.asarray(xb[y == 1].sum(axis=0)).ravel()
        neg = 1.0 + np.asarray(xb[y == 0].sum(axis=0)).ravel()
        idf = np.log((pos / pos.sum()) / (neg / neg.sum()))
        del xb
    else:
        idf = (np.log((1.0 + n) / (1.0 + df[used])) + 1.0).astype(np.float64)
    x.data = 1.0 + np.log(x.data)
    x = x @ sp.diags(idf)
    sq = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sp.diags(1.0 / np.where(sq > 0, sq, 1.0)) @ x
    if use_lexicon:
        x = sp.hstack([x, sp.csr_matrix(sentiment_lexicon.features(norm))]).tocsr()
    clf = LogisticRegression(C=c, max_iter=3000, solver="liblinear", random_state=0)
    clf.fit(x, y)
    coef = clf.coef_.ravel()
    # diagonal of the objective's Hessian at the fit (liblinear: ½|w|² + C Σ log-loss, the intercept a
    # regularised feature of value 1): 1 + C Σ p(1-p) x², what anchors the adapted weights (adapted_proba)
    pr = clf.predict_proba(x)[:, 1]
    d = pr * (1.0 - pr)
    curv = 1.0 + c * np.concatenate([np.asarray(x.multiply(x).T @ d).ravel(), [d.sum()]])
    lex_coef = None
    if use_lexicon:
        coef, lex_coef = coef[:len(used)], coef[len(used):].astype(np.float32)
    nz = (coef != 0) & (idf != 0)
    curvature = np.concatenate([curv[:len(used)][nz], curv[len(used):]]).astype(np.float32)
    info = {"rows": int(n), "positive": int(y.sum()), "c": c, "weighting": weighting,
            "seconds": round(time.perf_counter() - started, 1), **(meta or {})}
    return SentimentModel(used[nz].astype(np.int64), idf[nz].astype(np.float32), coef[nz].astype(np.float32),
                          float(clf.intercept_[0]), use_words, info, lex_coef, tuple(char_ngrams), curvature,
                          use_clauses)


# --- transductive adaptation (no labels of the target reviews are used) ---------------------------

ADAPT_MIN_TEXTS = 300  # fewer distinct reviews than this: too few to learn their words from; the model alone
ADAPT_SHARE = 0.5
ADAPT_ROUNDS = 2
ADAPT_C = 1.0
ADAPT_MIX = True
# pseudo-labels keep the side shares the model predicts: taking as many of each side (balanced) wrecks a
# file that is mostly positive, as a store's reviews are (measured: 0.80 vs 0.91 unadapted at 85 % positive)
ADAPT_BALANCED = False


def _tfidf_rows(x: sp.csr_matrix) -> sp.csr_matrix:
    """Sublinear TF-IDF, L2-normalised rows, with the IDF of these rows (features in ≥ 2 of them)."""
    df = np.bincount(x.indices, minlength=x.shape[1])
    used = np.flatnonzero(df >= 2)
    n = x.shape[0]
    idf = np.log((1.0 + n) / (1.0 + df[used])) + 1.0
    x = x[:, used].tocsr().astype(np.float64)
    x.data = 1.0 + np.log(x.data)
    x = x @ sp.diags(idf)
    sq = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return (sp.diags(1.0 / np.where(sq > 0, sq, 1.0)) @ x).tocsr()


def adapted_proba(model: SentimentModel, texts: Iterable[object], *, share: float = ADAPT_SHARE,
                  rounds: int = ADAPT_ROUNDS, c: float = ADAPT_C, min_texts: int = ADAPT_MIN_TEXTS,
                  balanced: bool = ADAPT_BALANCED, mix: bool = ADAPT_MIX,
                  keep_share: bool = False) -> tuple[np.ndarray, bool]:
    """P(positive) of each text, the model adapted to these texts by self-training (transductive).

    The trained model scores the texts; the ``share`` it is surest of on each side (of each side's
    size; as many positive as negative when ``balanced``) become pseudo-labels for a second logistic regression over
    the texts' own character n-grams, weighted by their own IDF — so words of this product
    category that the training corpora never saw (续航, 起球 …) get a weight from the company
    they keep. Repeated ``rounds`` times from the new model's margins. No label of the texts is
    read. With ``mix`` the result is the mean of the trained model's margin and the adapted one
    (scaled to the trained model's spread), so what the corpora taught is kept. Returns the
    probabilities and whether adaptation ran (not with fewer than ``min_texts`` distinct
    non-empty texts, or when the model finds only one side)."""
    from sklearn.linear_model import LogisticRegression

    norm = [normalise(t) for t in texts]
    if not norm:
        return np.zeros(0), False
    unique, inverse = np.unique(np.array(norm, dtype=object), return_inverse=True)
    unique = list(unique)
    base = model._proba(unique, 20_000)
    nonempty = np.array([bool(t) for t in unique])
    if nonempty.sum() < min_texts:
        return base[inverse], False
    idx = np.flatnonzero(nonempty)
    z = z0 = np.log(np.clip(base[idx], 1e-9, 1 - 1e-9) / np.clip(1 - base[idx], 1e-9, 1))
    x = _tfidf_rows(counts([unique[i] for i in idx], use_words=model.use_words, char_ngrams=model.char_ngrams,
                           use_clauses=model.use_clauses))
    ran = False
    for _ in range(rounds):
        pos, neg = np.flatnonzero(z > 0), np.flatnonzero(z <= 0)
        if min(len(pos), len(neg)) < 10:
            break
        if balanced:
            kp = kn = int(min(len(pos), len(neg)) * share)
        else:
            kp, kn = int(len(pos) * share), int(len(neg) * share)
        sel = np.concatenate([pos[np.argsort(-z[pos])[:kp]], neg[np.argsort(z[neg])[:kn]]])
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
        clf.fit(x[sel], (z[sel] > 0).astype(np.int64))
        z = clf.decision_function(x)
        ran = True
    if ran and mix:
        z = (z0 + z * (np.std(z0) / max(float(np.std(z)), 1e-9))) / 2.0
    if ran and keep_share:
        # the adapted model orders the texts; the trained model says how many are positive
        k = int((z0 > 0).sum())
        if 0 < k < len(z):
            cut = np.sort(z)[len(z) - k - 1: len(z) - k + 1].mean()
            z = z - cut
    out = base.copy()
    out[idx] = 1.0 / (1.0 + np.exp(-z))
    return out[inverse], ran


@dataclass(frozen=True)
class _AnchoredFit:
    """What :func:`_anchored_fit` learnt on a set of texts: the refitted model and the texts' margins."""

    model: SentimentModel  # the adapted weights over the trained buckets and the texts' new n-grams
    z: np.ndarray  # the texts' margins under ``model``
    links: sp.csr_matrix | None  # the texts' 2–3-gram counts (the neighbour graph's), when asked for


def _anchored_fit(model: SentimentModel, target: list[str], *, share: float, max_iter: int, links: bool,
                  select: np.ndarray | None = None) -> tuple[np.ndarray, _AnchoredFit | None]:
    """The trained model's margins of the (distinct, non-empty, normalised) ``target`` texts and, when each
    predicted side holds ≥ 10 of them, the anchored refit (:func:`anchored_proba`); the pseudo-labels are
    chosen from the trained margins, or from ``select`` (margins of the same texts) when given."""
    from scipy.optimize import minimize

    raw = counts(target, use_words=model.use_words, char_ngrams=model.char_ngrams, use_clauses=model.use_clauses)
    link_counts = _link_counts(target, raw, model) if links else None  # before the sublinear tf below
    raw.data = 1.0 + np.log(raw.data)  # sublinear tf
    n_lex = 0 if model.lex_coef is None else len(model.lex_coef)
    lex = sentiment_lexicon.features(target) if n_lex else np.zeros((len(target), 0))
    idf_map, coef_map = _maps(model)
    # the trained model's margins, as model.proba computes them
    xt = raw.copy()
    xt.data = xt.data * idf_map[xt.indices]
    sq = np.sqrt(np.asarray(xt.multiply(xt).sum(axis=1)).ravel())
    z0 = (xt @ coef_map.astype(np.float64)) / np.where(sq > 0, sq, 1.0) + model.intercept
    if n_lex:
        z0 = z0 + lex @ model.lex_coef.astype(np.float64)
    del xt
    zs = z0 if select is None else select
    pos, neg = np.flatnonzero(zs > 0), np.flatnonzero(zs <= 0)
    if min(len(pos), len(neg)) < 10:
        return z0, None
    sel = np.concatenate([pos[np.argsort(-zs[pos])[:int(len(pos) * share)]],
                          neg[np.argsort(zs[neg])[:int(len(neg) * share)]]])
    nb = len(model.buckets)
    curv_map = np.zeros(N_FEATURES, dtype=np.float64)
    curv_map[model.buckets] = model.curvature[:nb]
    df = np.bincount(raw.indices, minlength=N_FEATURES)
    known = idf_map != 0
    new = (df >= 2) & ~known
    if model.meta.get("weighting", "idf") == "nb":
        new[:] = False  # an n-gram the corpus lacks has no class counts for the ratio weighting: left out
    cols = np.flatnonzero((known | new) & (df > 0))
    is_new = new[cols]
    weight = idf_map[cols].astype(np.float64)
    n_total = float(model.meta.get("rows", 0)) + len(target)
    weight[is_new] = np.log((1.0 + n_total) / (1.0 + df[cols][is_new])) + 1.0
    x = raw[:, cols].tocsr() @ sp.diags(weight)
    sq = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = sp.hstack([sp.diags(1.0 / np.where(sq > 0, sq, 1.0)) @ x, sp.csr_matrix(lex),
                   np.ones((x.shape[0], 1))]).tocsr()  # the intercept as a regularised feature (liblinear)
    w0 = np.concatenate([coef_map[cols].astype(np.float64),
                         model.lex_coef.astype(np.float64) if n_lex else [], [model.intercept]])
    h = np.concatenate([np.where(is_new, 1.0, curv_map[cols]), model.curvature[nb:].astype(np.float64)])
    c = float(model.meta.get("c", 4.0))
    xs = x[sel]
    ys = np.where(zs[sel] > 0, 1.0, -1.0)
    state = {}

    def objective(w):
        m = ys * (xs @ w)
        q = 1.0 / (1.0 + np.exp(m))  # σ(-m)
        state["d"] = q * (1.0 - q)
        dw = w - w0
        return (0.5 * float(h @ (dw * dw)) + c * float(np.logaddexp(0.0, -m).sum()),
                h * dw + c * (xs.T @ (-ys * q)))

    def hessp(w, v):
        return h * v + c * (xs.T @ (state["d"] * (xs @ v)))

    res = minimize(objective, w0, jac=True, hessp=hessp, method="Newton-CG",
                   options={"maxiter": max_iter, "xtol": 1e-6})
    w = res.x
    k = len(cols)
    adapted = SentimentModel(
        cols.astype(np.int64), weight.astype(np.float32), w[:k].astype(np.float32), float(w[-1]), model.use_words,
        {"adapted_from": model.version, "texts": len(target), "data": model.meta.get("data", ""),
         "rows": model.meta.get("rows", 0), "c": c, "weighting": model.meta.get("weighting", "idf")},
        w[k:-1].astype(np.float32) if n_lex else None, tuple(model.char_ngrams), None, model.use_clauses)
    return z0, _AnchoredFit(adapted, x @ w, link_counts)


def anchored_proba(model: SentimentModel, texts: Iterable[object], *, share: float = ADAPT_SHARE,
                   min_texts: int = ADAPT_MIN_TEXTS, max_iter: int = 20, smooth: bool = False
                   ) -> tuple[np.ndarray, bool]:
    """P(positive) of each text, the model refitted with the texts it is surest of as extra training rows.

    Self-training as if the pseudo-labelled texts joined the training corpus, without the corpus: the
    trained model scores the texts; the ``share`` it is surest of on each predicted side become
    pseudo-labels; the weights are refitted on them under a quadratic anchor to the trained weights whose
    stiffness is each weight's curvature in the training objective (``SentimentModel.curvature``, the
    diagonal of its Hessian — a Laplace approximation of the corpus's part of the objective). A weight the
    corpus pinned down barely moves; an n-gram of these texts that the corpus lacks (its IDF from the
    corpus size plus these texts) starts at 0 with the plain L2 penalty and is learnt from the company it
    keeps. No label of the texts is read. Returns the probabilities and whether the refit ran (not under
    ``min_texts`` distinct non-empty texts, with fewer than 10 texts on a side, or for a model without
    curvature). With ``smooth`` the refitted margins are then smoothed over the texts' own neighbour graph
    (:func:`graph_smoothed`, ninth round: a misread review pulled towards its near-duplicates in the file);
    the graph reuses the n-gram counts of the refit. The refitted model itself: :func:`anchored_model`."""
    norm = [normalise(t) for t in texts]
    if not norm:
        return np.zeros(0), False
    unique, inverse = np.unique(np.array(norm, dtype=object), return_inverse=True)
    unique = list(unique)
    nonempty = np.array([bool(t) for t in unique])
    if nonempty.sum() < min_texts or model.curvature is None:
        return model._proba(unique, 20_000)[inverse], False
    idx = np.flatnonzero(nonempty)
    z0, fit = _anchored_fit(model, [unique[i] for i in idx], share=share, max_iter=max_iter, links=smooth)
    base = np.full(len(unique), 0.5)
    base[idx] = 1.0 / (1.0 + np.exp(-z0))
    if fit is None:
        return base[inverse], False
    z = fit.z
    if fit.links is not None:
        z = graph_smoothed(z, *neighbours_of(fit.links))
    base[idx] = 1.0 / (1.0 + np.exp(-z))
    return base[inverse], True


@dataclass(frozen=True)
class Adapted:
    """What :func:`anchored_model` made: the adapted model and what it learnt from."""

    model: SentimentModel
    texts: list[str]  # the distinct normalised non-empty texts it was refitted on, sorted
    smoothed: np.ndarray | None = None  # their P(positive) smoothed over their own graph, when asked for


def anchored_model(model: SentimentModel, texts: Iterable[object], *, share: float = ADAPT_SHARE,
                   min_texts: int = ADAPT_MIN_TEXTS, max_iter: int = 20, meta: dict | None = None,
                   smooth: bool = False) -> Adapted | None:
    """The model of :func:`anchored_proba` as a model of its own: the trained weights refitted on ``texts``
    (their new n-grams included, weighted by the IDF they had there), to score other texts of the same
    store later with the same weights — so a review's score does not depend on the batch it arrived in.
    ``None`` when the refit does not run (see :func:`anchored_proba`). The adapted model's ``meta`` names the
    model it came from (``adapted_from``) and how many distinct texts it learnt from (``texts``), plus
    ``meta``; it carries no curvature (it is not adapted again). With ``smooth`` the texts' own scores come
    too, smoothed over their graph — :func:`anchored_proba` (``smooth=True``) of them, the same as
    :func:`smoothed_proba` of the adapted model with the texts as their own reference, without counting
    the texts again."""
    unique = sorted({t for t in (normalise(t) for t in texts) if t})
    if len(unique) < min_texts or model.curvature is None:
        return None
    fit = _anchored_fit(model, unique, share=share, max_iter=max_iter, links=smooth)[1]
    if fit is None:
        return None
    fit.model.meta.update(meta or {})
    smoothed = None
    if smooth:
        smoothed = 1.0 / (1.0 + np.exp(-graph_smoothed(fit.z, *neighbours_of(fit.links))))
    return Adapted(fit.model, unique, smoothed)


# Ninth round (docs/reviews.md, 2026-12-07): the adapted margins smoothed over the scored file's own neighbour graph.
GRAPH_K = 20  # neighbours per review
GRAPH_ALPHA = 0.5  # weight of the neighbours' mean margin (chosen by the nested leave-one-domain-out)
GRAPH_MAX_DF = 30  # n-grams in more reviews than this do not link reviews (the product stays sparse, cost ~linear)
_GRAPH_CHUNK = 2000


def _link_counts(texts: Sequence[str], raw: sp.csr_matrix, model: SentimentModel) -> sp.csr_matrix:
    """Hashed character 2–3-gram counts of ``texts``: the refit's 1–3-gram counts ``raw`` minus the unigrams
    (the same hashing, so the same buckets: exact), or counted afresh for a model with other features."""
    if tuple(model.char_ngrams) != (1, 3) or model.use_words or model.use_clauses:
        return counts(texts, use_words=False, char_ngrams=(2, 3))
    links = (raw - counts(texts, use_words=False, char_ngrams=(1, 1))).tocsr()
    links.eliminate_zeros()
    return links


def neighbours_of(counts_: sp.csr_matrix, *, k: int = GRAPH_K, max_df: int = GRAPH_MAX_DF,
                  rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest neighbours by cosine over rows of n-gram counts: sublinear TF × the rows' own IDF, L2 over every
    n-gram; only n-grams in 2 … ``max_df`` rows link two rows (的/很好 would join everything and cost n²).
    With ``rows`` only those rows' neighbours (among all rows) are found, in that order."""
    n = counts_.shape[0]
    wanted = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    idx, sim = np.zeros((len(wanted), k), dtype=np.int64), np.zeros((len(wanted), k))
    if n < 2:
        return idx, sim
    x = counts_.astype(np.float64).tocsr()
    x.data = 1.0 + np.log(x.data)
    df = np.bincount(x.indices, minlength=x.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    full = x @ sp.diags(idf)
    norms = np.sqrt(np.asarray(full.multiply(full).sum(axis=1)).ravel())
    x = (x @ sp.diags(np.where((df >= 2) & (df <= max_df), idf, 0.0))).tocsr()
    x.eliminate_zeros()
    x = (sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x).tocsr()
    xt = x.T.tocsr()
    for lo in range(0, len(wanted), _GRAPH_CHUNK):
        chunk = wanted[lo:lo + _GRAPH_CHUNK]
        block = (x[chunk] @ xt).tocoo()
        other = chunk[block.row] != block.col
        r, c, v = block.row[other], block.col[other], block.data[other]
        order = np.argsort(r - np.clip(v, 0.0, 0.999), kind="stable")  # by row, most similar first (one key)
        r, c, v = r[order], c[order], v[order]
        rank = np.arange(len(r)) - np.searchsorted(r, np.arange(block.shape[0]))[r]
        top = rank < k
        idx[lo + r[top], rank[top]] = c[top]
        sim[lo + r[top], rank[top]] = v[top]
    return idx, sim


def graph_smoothed(z: np.ndarray, idx: np.ndarray, sim: np.ndarray, *, alpha: float = GRAPH_ALPHA,
                   rows: np.ndarray | None = None) -> np.ndarray:
    """Margins ``z`` moved ``alpha`` of the way to the cosine-weighted mean of their neighbours' (one step); a text
    without a linked neighbour keeps its own. With ``rows`` (the rows ``idx``/``sim`` belong to, as
    :func:`neighbours_of` found them) only those rows' smoothed margins, in that order."""
    own = z if rows is None else z[rows]
    w = np.clip(sim, 0.0, None)
    total = w.sum(axis=1)
    mean = (w * z[idx]).sum(axis=1) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, (1 - alpha) * own + alpha * mean, own)


def smoothed_proba(model: SentimentModel, texts: Sequence[object], reference: Iterable[object] = ()) -> np.ndarray:
    """P(positive) of each text, its margin under ``model`` smoothed over its nearest neighbours among the
    texts and the ``reference`` texts (:func:`graph_smoothed`; the graph and its IDF over both, distinct).
    With the texts as their own reference this is what :func:`anchored_proba` (``smooth=True``) does after
    its refit; the nightly scoring gives a store's new reviews the store's earlier reviews as reference.
    Empty text: 0.5."""
    norm = [normalise(t) for t in texts]
    if not norm:
        return np.zeros(0)
    pool = sorted({t for t in norm if t} | {t for t in (normalise(r) for r in reference) if t})
    if not pool:
        return np.full(len(norm), 0.5)
    at = {t: i for i, t in enumerate(pool)}
    wanted = np.array(sorted({at[t] for t in norm if t}), dtype=np.int64)
    raw = counts(pool, use_words=model.use_words, char_ngrams=model.char_ngrams, use_clauses=model.use_clauses)
    links = _link_counts(pool, raw, model)  # the 2–3-grams, from the same counts when the model's are 1–3-grams
    z_pool = model._margins_of(raw, pool)
    z = graph_smoothed(z_pool, *neighbours_of(links, rows=wanted), rows=wanted)
    p_of = dict(zip(wanted.tolist(), (1.0 / (1.0 + np.exp(-z))).tolist(), strict=True))
    return np.array([p_of[at[t]] if t else 0.5 for t in norm])
