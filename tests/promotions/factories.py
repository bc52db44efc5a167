"""Builders for engine values in tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shopops.promotions.engine import Cart, Customer, Kind, Line, Promotion, make_promotion

AT = dt.datetime(2026, 11, 11, 2, 0, tzinfo=dt.timezone.utc)


def D(x) -> Decimal:  # noqa: N802
    return Decimal(str(x))


def line(sku: str, price, qty: int = 1, category: str = "c", product: str = "", deposit_units: int = 0) -> Line:
    return Line(sku=sku, unit_price=D(price), quantity=qty, category=category, product=product or sku,
                deposit_units=deposit_units)


def cart(*lines: Line, coupons=(), new=False, member=False, points=0, channel="", segments=()) -> Cart:
    return Cart(lines=tuple(lines), at=AT, channel=channel, held_coupons=frozenset(coupons),
                customer=Customer("c1", is_new_buyer=new, is_member=member, points=points, segment_ids=frozenset(segments)))


def promo(pid: str, kind: Kind, **kw) -> Promotion:
    """A promotion from flat values: its own fields and its kind's parameters (strings and
    numbers become Decimals); parameters its kind does not use are ignored."""
    return make_promotion(pid, kind, **kw)
