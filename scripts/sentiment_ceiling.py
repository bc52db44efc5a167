"""The in-domain reference for the unseen-category figures (docs/reviews.md, round 10b).

    SHOPOPS_SHARED_DATA=../shared/data python scripts/sentiment_ceiling.py

Each product category split in 5 folds (seed 0); the shipped ``sentiment.train`` on every other domain *plus* four
fifths of the category, scored (model alone) on the fifth left. What the same model reaches when it has seen the
category's own labelled reviews — the level the leave-one-category-out figures can be read against.
"""

from __future__ import annotations

import numpy as np

from shopops.service import sentiment as S
from shopops.service import sentiment_corpus as corpus


def main() -> None:
    df = corpus.read(corpus.data_dir())
    for cat in ("平板", "手机", "水果", "洗发水", "计算机"):
        idx = np.flatnonzero((df["cat"] == cat).to_numpy())
        accs = []
        for f in np.array_split(np.random.default_rng(0).permutation(idx), 5):
            mask = np.ones(len(df), bool)
            mask[f] = False
            m = S.train(df.loc[mask, "review"].tolist(), df.loc[mask, "label"].tolist())
            p = m.proba(df.loc[f, "review"].tolist())
            accs.append(float(((p >= 0.5).astype(int) == df.loc[f, "label"].to_numpy()).mean()))
        print(cat, round(float(np.mean(accs)), 4), [round(a, 4) for a in accs], flush=True)


if __name__ == "__main__":
    main()
