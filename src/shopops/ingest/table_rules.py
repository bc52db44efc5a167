"""Rules of a canonical table that every import path applies (profiles and the generic mapping alike).

* ``NON_NEGATIVE`` — integer columns that cannot be below a floor (stock on hand, units received);
  a value below it is a reject naming row, column, value and the floor.
* ``REFERENCES`` — columns whose value must already be known to the store in another warehouse
  table (a receipt for a SKU the store does not have is refused, not loaded as a stray fact).
  Checked against the warehouse the import writes to, for the import's store.
* ``ORDERED_DATES`` — pairs of date columns where the second may not come before the first (a
  period's last day before its first day is a reject naming row, column and value).
* ``ALL_OR_NOTHING`` — tables whose files load whole or not at all (strict mode, whatever the
  caller asked): half a delivery note or half a PO is worse than none.
* ``KEPT_WHEN_EMPTY`` — settings a team sets on the page as well as in the file (a store's
  "runs no paid ads"): a row whose file leaves them empty keeps the warehouse's value, so
  re-importing a stores file without the column does not undo what the director set.
"""

from __future__ import annotations

from dataclasses import dataclass

KEPT_WHEN_EMPTY: dict[str, tuple[str, ...]] = {"stores": ("runs_no_ads",)}

NON_NEGATIVE: dict[str, dict[str, int]] = {
    "inventory_snapshots": {"on_hand": 0, "in_transit": 0},
    "purchase_order_lines": {"quantity": 1},
    "stock_receipts": {"quantity": 1},
}


@dataclass(frozen=True, slots=True)
class Reference:
    table: str
    columns: tuple[str, ...]  # the value may match any of these columns of ``table`` (same store)
    what: str  # names the value in messages
    hint: str


REFERENCES: dict[str, dict[str, Reference]] = {
    "stock_receipts": {"sku_id": Reference("skus", ("sku_id", "merchant_code"), "SKU",
                                           "import the SKU list (skus) first, or correct the code")},
    "purchase_order_lines": {"sku_id": Reference("skus", ("sku_id", "merchant_code"), "SKU",
                                                 "import the SKU list (skus) first, or correct the code")},
}

ORDERED_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    "shop_traffic_period": (("period_start", "period_end"),),
}

ALL_OR_NOTHING: frozenset[str] = frozenset({"stock_receipts", "purchase_order_lines"})
