"""Rules of a canonical table that every import path applies (profiles and the generic mapping alike).

* ``NON_NEGATIVE`` — columns that cannot be below a floor: stock and units (whole numbers), and
  amounts a buyer pays or a price (money); a value below it is a reject naming row, column, value
  and the floor. Not discounts or refunds: some exports write them with a minus sign by convention
  (``-10.00`` off), so a sign says nothing wrong about them.
* ``SIGNED_WHEN_CANCELLED`` — ``sales_lines`` columns a cancellation row (profile option
  ``cancel_prefix``, e.g. the Online Retail ``C…`` invoices) carries negative by convention: the
  floor does not apply to those rows.
* ``NOT_IN_FUTURE`` — instants that cannot be after the import (an order placed or paid, a review
  written, a refund asked for): a later one is imported, and the import warns with the count and
  the first rows (a clock or a typing error in the export, not a reason to drop the row).
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
    "purchase_order_lines": {"quantity": 1, "unit_price": 0},
    "stock_receipts": {"quantity": 1},
    "orders": {"goods_amount": 0, "shipping_fee": 0, "paid_amount": 0},
    "order_lines": {"quantity": 0, "unit_price": 0, "paid_amount": 0},
    # the virtual table of order exports (ingest/sales_lines.py), by its own column names: what the buyer
    # paid. Not quantity or unit price: generic transaction files carry adjustments with them signed (the
    # UCI Online Retail file's 1,336 stock adjustments with negative quantities, its "Adjust bad debt" rows
    # with a negative price), and they load as published
    "sales_lines": {"order_goods_amount": 0, "shipping_fee": 0, "order_paid_amount": 0, "line_paid_amount": 0},
    "products": {"list_price": 0},
    "skus": {"price": 0, "cost": 0},
    "ad_spend_daily": {"impressions": 0, "clicks": 0, "cost": 0, "attributed_orders": 0, "attributed_gmv": 0},
}

SIGNED_WHEN_CANCELLED: dict[str, tuple[str, ...]] = {"sales_lines": ("quantity", "line_paid_amount")}

NOT_IN_FUTURE: dict[str, tuple[str, ...]] = {
    "orders": ("created_at", "paid_at"),
    "order_lines": ("paid_at",),
    "sales_lines": ("created_at", "paid_at"),
    "refunds": ("requested_at", "refunded_at"),
    "reviews": ("created_at",),
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
