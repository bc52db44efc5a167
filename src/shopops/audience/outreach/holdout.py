"""Seeded random holdout: the same members, percent and seed give the same groups. No Django."""

from __future__ import annotations

import random
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


def holdout_size(n: int, percent: Decimal | float | int) -> int:
    """round(n x percent / 100), half up; at least 1 when the percent and n are above zero."""
    p = Decimal(str(percent))
    if not 0 <= p < 100:
        raise ValueError(f"holdout percent must be in [0, 100), got {percent}")
    k = int((Decimal(n) * p / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if p > 0 and n > 1 and k == 0:
        k = 1
    return min(k, max(n - 1, 0)) if p > 0 else 0


def assign_holdout(members: Iterable[tuple[str, str]], *, percent: Decimal | float | int,
                   seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(treatment, holdout): a uniformly random holdout of exactly ``holdout_size`` members.

    Members are sorted first, so the order they arrive in does not change the draw.
    """
    ordered = sorted(set(members))
    k = holdout_size(len(ordered), percent)
    held = set(random.Random(seed).sample(range(len(ordered)), k))
    treatment = [m for i, m in enumerate(ordered) if i not in held]
    holdout = [m for i, m in enumerate(ordered) if i in held]
    return treatment, holdout
