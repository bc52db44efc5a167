"""JSON API of promotions: quotes, coupon claim/redeem, flash-sale reserve/release.

Server-key auth (``Authorization: Bearer sk_…``): the router is mounted with
``auth=ServerKey()`` by ``shopops.config.api`` — ingest and promotions are sibling
layers that may not import each other, so the composition root wires the key check in
(tests/promotions/test_api.py proves every endpoint refuses a request without a key).
Errors in the one shape of ``shopops.config.api``. Redemptions and reservations are
recorded in the app DB with a warehouse outbox row in the same transaction; a background
flush (``tasks.facts_flush_soon``) makes them warehouse facts under the key's store.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Router, Schema
from pydantic import Field

from shopops.core.errors import ValidationError
from shopops.promotions import engine, selectors, services, tasks

router = Router(tags=["promotions"])

# a database id: a positive 64-bit integer (a larger number is a 422, not an overflow in the database)
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class LineIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    unit_price: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    quantity: int = Field(ge=1, le=10_000)
    product: str = ""
    category: str = ""
    deposit_units: int = Field(default=0, ge=0, le=10_000)


class CustomerIn(Schema):
    customer_id: str = ""
    is_new_buyer: bool = False
    is_member: bool = False
    segment_ids: list[str] = []
    points: int = Field(default=0, ge=0, le=2**63 - 1)


class QuoteIn(Schema):
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    customer: CustomerIn = CustomerIn()
    channel: str = ""
    at: dt.datetime | None = None
    held_coupons: list[str] = Field(default=[], description="promotion ids of coupons the customer holds")
    promotion_ids: list[DbId] | None = Field(default=None, max_length=200, description="price with these promotions only")


class LineDiscountOut(Schema):
    line: int
    promotion: str
    amount: Decimal
    reason: str
    store_amount: Decimal
    platform_amount: Decimal


class PricedLineOut(Schema):
    sku: str
    quantity: int
    list_amount: Decimal
    final_amount: Decimal
    final_unit_price: Decimal
    discounts: list[LineDiscountOut]


class QuoteOut(Schema):
    list_total: Decimal
    discount_total: Decimal
    final_total: Decimal
    store_borne: Decimal
    platform_borne: Decimal
    applied: list[str]
    points_used: int
    gifts: list[dict]
    exact: bool
    lines: list[PricedLineOut]


def _store(request: HttpRequest) -> str:
    """The store of the server key that called (facts land under it); else the app's default."""
    return getattr(request.auth, "store_id", "") or ""


def quote_cart(body: QuoteIn) -> engine.Cart:
    c = body.customer
    if body.at is not None and not timezone.is_aware(body.at):
        raise ValidationError("at: give a time zone (e.g. 2026-11-11T00:00:00+08:00)")
    return engine.Cart(
        lines=tuple(engine.Line(sku=ln.sku, unit_price=ln.unit_price, quantity=ln.quantity, product=ln.product,
                                category=ln.category, deposit_units=ln.deposit_units) for ln in body.lines),
        at=body.at or timezone.now(),
        customer=engine.Customer(customer_id=c.customer_id, is_new_buyer=c.is_new_buyer, is_member=c.is_member,
                                 segment_ids=frozenset(c.segment_ids), points=c.points),
        channel=body.channel,
        held_coupons=frozenset(body.held_coupons),
    )


def quote_out(priced: engine.PricedCart) -> dict:
    return {
        "list_total": priced.list_total, "discount_total": priced.discount_total, "final_total": priced.final_total,
        "store_borne": priced.store_borne, "platform_borne": priced.platform_borne, "applied": list(priced.applied),
        "points_used": priced.points_used, "exact": priced.exact,
        "gifts": [{"promotion": g.promotion, "sku": g.sku, "value": str(g.value), "reason": g.reason} for g in priced.gifts],
        "lines": [
            {"sku": p.line.sku, "quantity": p.line.quantity, "list_amount": p.list_amount,
             "final_amount": p.final_amount, "final_unit_price": p.final_unit_price,
             "discounts": [{
                 "line": d.line, "promotion": d.promotion, "amount": d.amount, "reason": d.reason,
                 "store_amount": d.store_amount, "platform_amount": d.platform_amount} for d in p.discounts]}
            for p in priced.lines
        ],
    }


@router.post("/pricing/quote", response=QuoteOut, summary="Best price of a cart under the active promotions")
def pricing_quote(request: HttpRequest, body: QuoteIn):
    priced = selectors.pricing_quote(cart=quote_cart(body), promotion_ids=body.promotion_ids)
    return quote_out(priced)


class ClaimIn(Schema):
    customer_id: str = Field(min_length=1, max_length=64)
    coupon_id: DbId | None = None
    code: str = ""


class CodeOut(Schema):
    code: str
    coupon_id: int
    customer_id: str
    claimed_at: dt.datetime | None
    redeemed_at: dt.datetime | None
    order_id: str


def _code_out(row) -> dict:
    return {"code": row.code, "coupon_id": row.coupon_id, "customer_id": row.customer_id,
            "claimed_at": row.claimed_at, "redeemed_at": row.redeemed_at, "order_id": row.order_id}


@router.post("/coupons/claim", response=CodeOut, summary="Claim a code, or any claimable code of a coupon")
def coupons_claim(request: HttpRequest, body: ClaimIn):
    coupon = selectors.coupon_get(coupon_id=body.coupon_id) if body.coupon_id else None
    row = services.coupon_claim(customer_id=body.customer_id, coupon=coupon, code=body.code, now=timezone.now(),
                                store_id=_store(request))
    return _code_out(row)


class RedeemIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    customer_id: str = Field(min_length=1, max_length=64)
    order_id: str = Field(min_length=1, max_length=64)


@router.post("/coupons/redeem", response=CodeOut, summary="Redeem a code exactly once")
def coupons_redeem(request: HttpRequest, body: RedeemIn):
    row = services.coupon_redeem(code=body.code, customer_id=body.customer_id, order_id=body.order_id,
                                 now=timezone.now(), store_id=_store(request))
    tasks.facts_flush_soon()
    return _code_out(row)


class ReserveIn(Schema):
    buyer_id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(default=1, ge=1, le=1000)


class ReservationOut(Schema):
    id: int
    flash_sale_id: int
    buyer_id: str
    quantity: int
    status: str
    expires_at: dt.datetime


def _reservation_out(r) -> dict:
    return {"id": r.pk, "flash_sale_id": r.flash_sale_id, "buyer_id": r.buyer_id, "quantity": r.quantity,
            "status": r.status, "expires_at": r.expires_at}


@router.post("/flash-sales/{flash_sale_id}/reserve", response=ReservationOut, summary="Reserve flash-sale stock")
def flash_sales_reserve(request: HttpRequest, flash_sale_id: Path[DbId], body: ReserveIn):
    r = services.flash_sale_reserve(flash_sale_id=flash_sale_id, buyer_id=body.buyer_id,
                                    quantity=body.quantity, now=timezone.now(), store_id=_store(request))
    tasks.facts_flush_soon()
    return _reservation_out(r)


class ReleaseIn(Schema):
    buyer_id: str = Field(min_length=1, max_length=64)
    reservation_id: DbId


@router.post("/flash-sales/{flash_sale_id}/release", response=dict, summary="Give a reservation back")
def flash_sales_release(request: HttpRequest, flash_sale_id: Path[DbId], body: ReleaseIn):
    released = services.flash_sale_release(reservation_id=body.reservation_id, buyer_id=body.buyer_id,
                                          flash_sale_id=flash_sale_id, now=timezone.now(), store_id=_store(request))
    if released:
        tasks.facts_flush_soon()
    return {"released": released}
