"""Difference of two group means with a 95% confidence interval (Welch / normal approximation).

For per-customer values x (1/0 for "ordered", order counts, GMV) in treatment T and
holdout H, from sufficient statistics (n, sum x, sum x²):

    mean      m   = Σx / n
    variance  s²  = (Σx² − n·m²) / (n − 1)            (sample variance)
    diff          = m_T − m_H
    SE            = sqrt(s_T² / n_T + s_H² / n_H)       (Welch: unequal variances)
    95% CI        = diff ± 1.959964 · SE              (normal approximation)

For a 0/1 outcome this is the usual two-proportion interval with the unpooled variance
p(1 − p)·n/(n − 1). The interval needs both groups to have at least two customers. No Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Moments:
    n: int
    total: float
    total_sq: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        if self.n < 2:
            return None
        m = self.total / self.n
        return max(0.0, (self.total_sq - self.n * m * m) / (self.n - 1))


@dataclass(frozen=True, slots=True)
class Difference:
    treatment: float | None
    holdout: float | None
    diff: float | None
    low: float | None
    high: float | None
    se: float | None

    @property
    def significant(self) -> bool | None:
        if self.low is None or self.high is None:
            return None
        return self.low > 0 or self.high < 0


def welch_difference(t: Moments, h: Moments, z: float = Z95) -> Difference:
    mt, mh = t.mean, h.mean
    diff = None if mt is None or mh is None else mt - mh
    vt, vh = t.variance, h.variance
    if diff is None or vt is None or vh is None:
        return Difference(mt, mh, diff, None, None, None)
    se = math.sqrt(vt / t.n + vh / h.n)
    return Difference(mt, mh, diff, diff - z * se, diff + z * se, se)
