"""JSON API of customers for the store's own channel: check-in and points (opt-out: ``audience.api``).

Mounted under ``/api/customers/`` with server-key auth by ``shopops.config.api`` (the
store's own backend calls it on behalf of a logged-in customer). Errors in the one shape
of ``shopops.config.api``. Every write is safe to retry: a check-in the same day, an order
already credited, a redemption ``request_id`` already used change nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from shopops.core.errors import ValidationError
from shopops.customers import selectors, services
from shopops.customers.models import PointsReward

router = Router(tags=["customers"])

ID = Field(min_length=1, max_length=128)


class CustomerIn(Schema):
    store_id: str = Field(default="", max_length=64, description="empty: the API key's store")
    customer_id: str = ID


def store_for_request(request: HttpRequest, store_id: str) -> str:
    """The store the request acts for: the key's own store; another store is refused."""
    own = getattr(request.auth, "store_id", "") or ""
    if store_id and own and store_id != own:
        raise HttpError(403, f"store_id: this API key is for store {own!r}, not {store_id!r}")
    if not (store_id or own):
        raise ValidationError("store_id is required")
    return store_id or own


class CheckInOut(Schema):
    day: dt.date
    streak: int
    points: int
    created: bool = Field(description="false when the customer had already checked in today")
    balance: int


@router.post("/customers/checkin", response=CheckInOut, summary="Daily check-in (once per store-local day)")
def checkin(request: HttpRequest, body: CustomerIn):
    r = services.checkin(store_id=store_for_request(request, body.store_id), customer_id=body.customer_id)
    return {"day": r.checkin.day, "streak": r.checkin.streak, "points": r.checkin.points if r.created else 0,
            "created": r.created, "balance": r.balance}


class EntryOut(Schema):
    kind: str
    points: int
    reference: str
    detail: str
    created_at: dt.datetime
    expires_at: dt.datetime | None


class BalanceOut(Schema):
    store_id: str
    customer_id: str
    balance: int
    entries: list[EntryOut]


@router.get("/customers/points", response=BalanceOut, summary="Points balance and the latest ledger entries")
def points(request: HttpRequest, customer_id: str, store_id: str = ""):
    store_id = store_for_request(request, store_id)
    entries = selectors.points_history(store_id=store_id, customer_id=customer_id)
    return {"store_id": store_id, "customer_id": customer_id,
            "balance": selectors.points_balance(store_id=store_id, customer_id=customer_id),
            "entries": [{"kind": e.kind, "points": e.points, "reference": e.reference, "detail": e.detail,
                         "created_at": e.created_at, "expires_at": e.expires_at} for e in entries]}


class EarnIn(CustomerIn):
    order_id: str = Field(min_length=1, max_length=64)
    paid_amount: Decimal = Field(ge=0, max_digits=18, decimal_places=2)


class EarnOut(Schema):
    points: int
    created: bool
    balance: int


@router.post("/customers/points/earn", response=EarnOut, summary="Credit points for a paid order (once per order)")
def points_earn(request: HttpRequest, body: EarnIn):
    store_id = store_for_request(request, body.store_id)
    entry = services.points_earn_for_order(store_id=store_id, customer_id=body.customer_id,
                                             order_id=body.order_id, paid_amount=str(body.paid_amount))
    return {"points": entry.points if entry else 0, "created": entry is not None,
            "balance": selectors.points_balance(store_id=store_id, customer_id=body.customer_id)}


class RewardOut(Schema):
    id: int
    name: str
    points_cost: int


@router.get("/customers/points/rewards", response=list[RewardOut], summary="Coupons that can be taken for points")
def rewards(request: HttpRequest):
    return [{"id": r.pk, "name": r.name, "points_cost": r.points_cost} for r in PointsReward.objects.filter(is_active=True)]


class RedeemIn(CustomerIn):
    reward_id: int = Field(ge=1, le=2**63 - 1)
    request_id: str = Field(min_length=1, max_length=100, description="your id for this request; a retry reuses it")


class RedeemOut(Schema):
    coupon_code: str
    points: int
    created: bool
    balance: int


@router.post("/customers/points/redeem", response=RedeemOut, summary="Spend points on a reward coupon")
def points_redeem(request: HttpRequest, body: RedeemIn):
    r = services.points_redeem(store_id=store_for_request(request, body.store_id), customer_id=body.customer_id,
                                 reward_id=body.reward_id,
                                 request_id=body.request_id)
    return {"coupon_code": r.coupon_code, "points": r.entry.points, "created": r.created, "balance": r.balance}
