"""Largest-remainder allocation to the cent: the parts always sum exactly to the total."""

from __future__ import annotations

from collections.abc import Sequence


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` cents over ``weights`` (cents) proportionally, parts summing to ``total``.

    Each part is at most its weight when ``total <= sum(weights)`` (so no line goes negative);
    remainders go to the largest fractional parts, ties to the earlier index.
    """
    if total < 0:
        raise ValueError("cannot allocate a negative amount")
    weight_sum = sum(weights)
    if total == 0 or weight_sum == 0:
        if total and weight_sum == 0:
            raise ValueError("cannot allocate an amount over zero weights")
        return [0] * len(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    short = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:short]:
        parts[i] += 1
    return parts
