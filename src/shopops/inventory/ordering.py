"""What to order: the suggested purchase list and the pre-campaign stocking plan, from the stock
health rows and the supplier terms. Plain Python, no Django.

This is the adapter between the pages and the replenishment maths: the pages call only
:func:`suggest_orders` and :func:`stocking_plan`.

Rules (docs/inventory.md):

* daily demand = the row's demand (30-day average, or the forecast where one exists);
* safety stock = ``safety_days`` of demand; reorder point = demand × lead time + safety stock;
* position = on hand + everything already on order (open and draft POs) — counted once;
* when the position is at or below the reorder point, order up to demand × (lead time +
  ``cover_days``) + safety stock, rounded up to the case pack, at least the MOQ; the unit
  price is the best price break the quantity reaches.
"""

from __future__ import annotations

import datetime as dt
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


def suggest_orders(*, rows: list[dict], terms: dict[str, Terms], on_order: dict[tuple[str, str], int],
                   safety_days: int = 7, cover_days: int = 30) -> list[dict]:
    """One suggestion per (store, SKU) whose position is at or below its reorder point."""
    out = []
    for r in rows:
        t = terms.get(r["merchant_code"])
        demand = r["daily_demand"]
        if t is None or demand <= 0 or "stop_reordering" in r["actions"]:
            continue
        ordered = on_order.get((r["store_id"], r["sku_id"]), 0)
        position = r["on_hand"] + ordered
        safety = demand * safety_days
        rop = demand * t.lead_days + safety
        if position > rop:
            continue
        qty = round_to_terms(demand * (t.lead_days + cover_days) + safety - position, t)
        if qty <= 0:
            continue
        price = t.price_for(qty)
        out.append({**{k: r[k] for k in ("store_id", "sku_id", "merchant_code", "title", "spec", "on_hand",
                                         "daily_demand", "days_of_cover", "status")},
                    "on_order": ordered, "safety_stock": math.ceil(safety), "reorder_point": math.ceil(rop),
                    "quantity": qty, "unit_price": price, "amount": (price * qty).quantize(Decimal("0.01")),
                    "terms": t})
    out.sort(key=lambda s: (s["terms"].supplier_code, s["merchant_code"], s["store_id"]))
    return out


def group_by_supplier(suggestions: list[dict]) -> list[dict]:
    groups: dict[int, dict] = {}
    for s in suggestions:
        t = s["terms"]
        g = groups.setdefault(t.supplier_id, {"supplier_id": t.supplier_id, "code": t.supplier_code,
                                              "name": t.supplier_name, "currency": t.currency, "lines": [],
                                              "total": Decimal("0.00")})
        g["lines"].append(s)
        g["total"] += s["amount"]
    return list(groups.values())


def stocking_plan(*, rows: list[dict], terms: dict[str, Terms], on_order: dict[tuple[str, str], int],
                  day: dt.date, starts_on: dt.date, ends_on: dt.date, uplift: Decimal,
                  safety_days: int = 7, buffer_days: int = 3) -> list[dict]:
    """For a campaign from ``starts_on`` to ``ends_on`` with demand ``uplift`` × normal: per
    (store, SKU) the units needed until the campaign ends, what is on hand and on order, the
    shortfall to order (rounded to the supplier's terms), the last day to order it (campaign start
    − lead time − ``buffer_days``) and the sales at risk if it is not ordered."""
    days_before = max(0, (starts_on - day).days)
    window = (ends_on - starts_on).days + 1
    out = []
    for r in rows:
        demand = r["daily_demand"]
        if demand <= 0:
            continue
        t = terms.get(r["merchant_code"])
        need = demand * days_before + demand * float(uplift) * window + demand * safety_days
        have = r["on_hand"] + on_order.get((r["store_id"], r["sku_id"]), 0)
        short = need - have
        if short <= 0:
            continue
        qty = round_to_terms(short, t) if t else math.ceil(short)
        lead = t.lead_days if t else r["lead_days"]
        order_by = starts_on - dt.timedelta(days=lead + buffer_days)
        price = r["price"] if r["price"] is not None else Decimal("0")
        out.append({**{k: r[k] for k in ("store_id", "sku_id", "merchant_code", "title", "spec", "on_hand")},
                    "on_order": have - r["on_hand"], "daily_demand": demand, "need": math.ceil(need),
                    "shortfall": math.ceil(short), "quantity": qty, "lead_days": lead, "order_by": order_by,
                    "late": order_by < day, "terms": t,
                    "at_risk": (Decimal(price) * Decimal(math.ceil(short))).quantize(Decimal("0.01"))})
    out.sort(key=lambda p: (p["order_by"], -p["at_risk"]))
    return out
