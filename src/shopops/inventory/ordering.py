"""A supplier's terms for one merchant code as the pages read them from the app DB (plain Python).

The replenishment and stocking maths live in ``shopops.inventory.planning`` (and the engines
under it); ``selectors`` turns these terms into the engine's ``SupplyTerms``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Terms:
    """A supplier's terms for one merchant code."""

    supplier_id: int
    supplier_code: str
    supplier_name: str
    currency: str
    unit_price: Decimal
    moq: int
    case_pack: int
    lead_days: int
    price_breaks: tuple[tuple[int, Decimal], ...] = ()

    def price_for(self, quantity: int) -> Decimal:
        price = self.unit_price
        for min_qty, p in self.price_breaks:
            if quantity >= min_qty:
                price = min(price, p)
        return price


def round_to_terms(quantity: float, terms: Terms) -> int:
    """Up to a whole number of case packs, and at least the MOQ (itself rounded up to case packs)."""
    if quantity <= 0:
        return 0
    q = max(math.ceil(quantity), terms.moq)
    return math.ceil(q / terms.case_pack) * terms.case_pack
