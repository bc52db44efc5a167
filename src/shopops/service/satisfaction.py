"""CSAT and NPS with 95 % confidence intervals. Pure Python, no Django.

* **CSAT** = share of answers 4 or 5 on the 1–5 scale. Interval: the Wilson score interval
  (stays inside 0–1 and behaves with few answers or shares near 0/1, unlike p ± z·se).
* **NPS** = % promoters (9–10) − % detractors (0–6) on the 0–10 scale, in −100…100. Each
  answer is +1 / 0 / −1; NPS is 100 × their mean, whose variance is
  ``(p_pro + p_det − (p_pro − p_det)²) / n``. Interval: the normal approximation
  NPS ± z·100·sqrt(variance), clipped to −100…100 (documented in docs/service.md; with
  under ~30 answers read it as rough).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float | None
    low: float | None
    high: float | None
    n: int


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n <= 0:
        raise ValueError("wilson: n must be positive")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def csat_interval(scores: Sequence[int]) -> Estimate:
    n = len(scores)
    if n == 0:
        return Estimate(None, None, None, 0)
    bad = [s for s in scores if not 1 <= s <= 5]
    if bad:
        raise ValueError(f"CSAT scores are 1–5; got {bad[0]}")
    sat = sum(1 for s in scores if s >= 4)
    low, high = wilson(sat, n)
    return Estimate(sat / n, low, high, n)


def nps_interval(scores: Sequence[int], z: float = Z95) -> Estimate:
    n = len(scores)
    if n == 0:
        return Estimate(None, None, None, 0)
    bad = [s for s in scores if not 0 <= s <= 10]
    if bad:
        raise ValueError(f"NPS scores are 0–10; got {bad[0]}")
    pro = sum(1 for s in scores if s >= 9) / n
    det = sum(1 for s in scores if s <= 6) / n
    nps = pro - det
    se = math.sqrt(max(0.0, pro + det - nps * nps) / n)
    return Estimate(100 * nps, max(-100.0, 100 * (nps - z * se)), min(100.0, 100 * (nps + z * se)), n)
