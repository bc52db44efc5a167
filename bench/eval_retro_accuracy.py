"""The 复盘's incremental-GMV error against the demo generator's truth, per sale, for any seeds.

    PYTHONPATH=src python bench/eval_retro_accuracy.py 216 241 2775 7226 8812   # round-5 held-out seeds (the test's)

Same measurement as ``tests/campaigns/test_retro_accuracy.py`` (its ``_measure``): the `eval`
scale, 430 days to 2026-02-20, all five stores (会员日: the own shop). Prints, per sale kind, the
error of every seed, the mean and max |error| and how often the ~90 % interval covered the truth.
The truth's counterfactual is exact up to ≤ 0.05 % (the control-variate GMV per order,
``demo.generator.truth.expected_amount``), so the errors printed are the baseline's. A few seconds
of CPU a seed; nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "campaigns"))

from test_retro_accuracy import HELD_OUT_SEEDS, KINDS, _measure  # noqa: E402


def main(seeds: list[int]) -> None:
    out: dict[str, list[tuple[int, float, float, bool]]] = {k: [] for k in KINDS}
    for seed in seeds:
        for kind, rows in _measure(seed).items():
            out[kind].extend((seed, *r) for r in rows)
    for kind, rows in out.items():
        if not rows:
            continue
        inc = np.abs([e for _, e, _, _ in rows])
        each = "" if kind == "会员日" else " ".join(f"{s}:{e:+.1%}({c:+.1%})" for s, e, c, _ in rows)
        print(f"{kind}: mean |e| {inc.mean():.1%} max {inc.max():.1%} covered {sum(ok for *_, ok in rows)}/{len(rows)}"
              f" {each}")


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or list(HELD_OUT_SEEDS))
