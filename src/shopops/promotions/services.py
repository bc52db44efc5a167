"""Writes of the promotions app. Money-and-stock writes are atomic conditional UPDATEs
checked by their row count — never read-then-write."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
import threading
from collections.abc import Sequence
from decimal import Decimal

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from psycopg.errors import DivisionByZero

from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.roles import Action, action_permission
from shopops.promotions import flash_gate, writers
from shopops.promotions.group_commit import GroupCommit
from shopops.promotions.engine import ParamError, kind_spec, validate_parameters
from shopops.promotions.facts import default_store_id, outbox_add
from shopops.promotions.models import (
    AuditLog, Campaign, Coupon, CouponCode, FlashSale, FlashSaleBuyer, FloorPrice, Promotion, Reservation,
    WarehouseOutbox,
)
from shopops.promotions.selectors import campaign_floor_check

log = logging.getLogger(__name__)


class CouponError(ShopopsError):
    pass


class FlashSaleError(ShopopsError):
    pass


class FloorViolationError(ShopopsError):
    def __init__(self, message: str, violations: Sequence) -> None:
        super().__init__(message)
        self.violations = list(violations)


# ---------------------------------------------------------------------------- promotions
def promotion_parameters_validate(*, kind: str, parameters: dict) -> dict:
    """Normalised parameters of one kind, or ValidationError naming the field and value.

    The rules are the kind's spec (``engine.kinds``): its parameter types, which it needs,
    and any rule between them."""
    try:
        return validate_parameters(kind=kind, parameters=parameters)
    except ParamError as exc:
        raise ValidationError(str(exc)) from exc


def promotion_create(*, name: str, kind: str, parameters: dict, stackable: bool = False, priority: int = 0,
                     exclusive_group: str = "", bearer: str = "store", store_share: Decimal = Decimal("0"),
                     scope_categories: Sequence[str] = (), scope_products: Sequence[str] = (),
                     scope_skus: Sequence[str] = (), exclude_skus: Sequence[str] = (), audience: str = "all",
                     segment_ids: Sequence[str] = (), channels: Sequence[str] = (),
                     starts_at: dt.datetime | None = None, ends_at: dt.datetime | None = None,
                     is_active: bool = True) -> Promotion:
    params = promotion_parameters_validate(kind=kind, parameters=parameters)
    return Promotion.objects.create(
        name=name, kind=kind, parameters=params, stackable=stackable, priority=priority,
        exclusive_group=exclusive_group, bearer=bearer, store_share=store_share,
        scope_categories=list(scope_categories), scope_products=list(scope_products), scope_skus=list(scope_skus),
        exclude_skus=list(exclude_skus), audience=audience, segment_ids=list(segment_ids), channels=list(channels),
        starts_at=starts_at, ends_at=ends_at, is_active=is_active,
    )


_EDITABLE = ("name", "kind", "stackable", "priority", "exclusive_group", "bearer", "store_share", "scope_categories",
             "scope_products", "scope_skus", "exclude_skus", "audience", "segment_ids", "channels", "starts_at",
             "ends_at", "is_active")


def promotion_update(*, promotion: Promotion, parameters: dict, **fields) -> Promotion:
    """Change a promotion; the parameters are validated for its (possibly new) kind. Saving the
    same values again changes nothing. A promotion of a published campaign may not change."""
    unknown = set(fields) - set(_EDITABLE)
    if unknown:
        raise ValidationError(f"not editable: {', '.join(sorted(unknown))}")
    kind = fields.get("kind", promotion.kind)
    params = promotion_parameters_validate(kind=kind, parameters=parameters)
    with transaction.atomic():
        # the row lock orders this change with a publish checking the campaign's floor prices
        Promotion.objects.select_for_update().filter(pk=promotion.pk).values_list("pk").first()
        if promotion.campaigns.filter(status=Campaign.Status.PUBLISHED).exists():
            raise ShopopsError(gettext("Promotion %(id)s belongs to a published campaign; it can no longer change.")
                               % {"id": promotion.pk})
        promotion.parameters = params
        for name, value in fields.items():
            setattr(promotion, name, list(value) if isinstance(value, (list, tuple)) else value)
        promotion.save()
    return promotion


# ---------------------------------------------------------------------------- campaigns
def campaign_create(*, name: str, starts_at: dt.datetime, ends_at: dt.datetime,
                    promotions: Sequence[Promotion] = ()) -> Campaign:
    campaign = Campaign.objects.create(name=name, starts_at=starts_at, ends_at=ends_at)
    campaign.promotions.set(promotions)
    return campaign


class PublishNotAllowedError(ShopopsError):
    """The user may not publish, or may not override the floor-price guard (recorded in the audit log)."""


def _audit(*, campaign: Campaign, user, now: dt.datetime, action: str, reason: str = "", violations=()) -> AuditLog:
    return AuditLog.objects.create(
        at=now, user=user if getattr(user, "is_authenticated", False) else None, action=action, campaign=campaign,
        reason=reason,
        detail={"violations": [
            {"sku": v.sku, "floor": str(v.floor), "lowest_unit_price": str(v.lowest_unit_price),
             "scenario": v.scenario, "applied": list(v.applied)} for v in violations
        ]},
    )


def campaign_publish(*, campaign: Campaign, user, now: dt.datetime, override_reason: str = "") -> Campaign:
    """Publish; with floor violations only when ``override_reason`` is given, recorded in the audit log.

    Needs ``team.publish_campaign``; publishing over violations also ``team.override_floor_price``
    (a refused attempt is audited too). The floor check runs inside the publishing transaction
    with the campaign and its promotions locked (``SELECT … FOR UPDATE``), so a promotion edited
    meanwhile is either seen by the check or waits until the campaign is published (and then may
    no longer change).
    """
    if not user.has_perm(action_permission(Action.PUBLISH_CAMPAIGN)):
        _audit(campaign=campaign, user=user, now=now, action="campaign_publish_denied")
        raise PublishNotAllowedError(gettext("You may not publish campaigns (permission team.publish_campaign)."))
    reason = override_reason.strip()
    refused: list = []
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if locked is None or locked.status != Campaign.Status.DRAFT:
            raise ShopopsError(gettext("The campaign is already published."))
        promotion_ids = list(locked.promotions.order_by("pk").values_list("pk", flat=True))
        list(Promotion.objects.select_for_update().filter(pk__in=promotion_ids).order_by("pk").values_list("pk"))
        list(FloorPrice.objects.select_for_update().order_by("pk").values_list("pk"))
        violations = campaign_floor_check(campaign=locked).violations
        if violations and not reason:
            raise FloorViolationError(
                ngettext("%(n)s SKU can be bought below its floor price; give an override reason to publish anyway.",
                         "%(n)s SKUs can be bought below their floor price; give an override reason to publish anyway.",
                         len(violations)) % {"n": len(violations)},
                violations,
            )
        if violations and not user.has_perm(action_permission(Action.OVERRIDE_FLOOR)):
            refused = list(violations)
        else:
            Campaign.objects.filter(pk=locked.pk).update(status=Campaign.Status.PUBLISHED, published_at=now)
            _audit(campaign=locked, user=user, now=now, reason=reason, violations=violations,
                   action="campaign_publish_override" if violations else "campaign_publish")
    if refused:
        _audit(campaign=campaign, user=user, now=now, action="campaign_publish_override_denied", reason=reason,
               violations=refused)
        raise PublishNotAllowedError(
            f"{len(refused)} SKU(s) can be bought below their floor price and you may not override the floor-price "
            "guard (permission team.override_floor_price); ask the ops director or ops")
    campaign.refresh_from_db()
    return campaign


def floor_price_set(*, sku: str, list_price: Decimal, cost: Decimal, min_margin: Decimal = Decimal("0.05"),
                    committed_price: Decimal | None = None, product: str = "", category: str = "") -> FloorPrice:
    obj, _ = FloorPrice.objects.update_or_create(sku=sku, defaults={
        "list_price": list_price, "cost": cost, "min_margin": min_margin, "committed_price": committed_price,
        "product": product, "category": category})
    return obj


# ---------------------------------------------------------------------------- coupons
def coupon_create(*, promotion: Promotion, name: str, valid_from: dt.datetime, valid_until: dt.datetime,
                  total_quantity: int, per_customer_limit: int = 1, face_value: Decimal | None = None,
                  store_id: str = "") -> Coupon:
    """A coupon of one store (default: the promotions store): only that store's server key claims
    and redeems its codes."""
    if not kind_spec(promotion.kind).is_coupon:
        raise ValidationError(f"promotion {promotion.pk} is a {promotion.kind}, not a coupon")
    if face_value is None:
        face_value = Decimal(str(promotion.parameters.get("amount") or promotion.parameters.get("cap") or "0"))
    return Coupon.objects.create(promotion=promotion, name=name, valid_from=valid_from, valid_until=valid_until,
                                 total_quantity=total_quantity, per_customer_limit=per_customer_limit,
                                 face_value=face_value, store_id=store_id or default_store_id())


def _take_quantity(coupon: Coupon, n: int) -> None:
    if not Coupon.objects.filter(pk=coupon.pk, issued__lte=F("total_quantity") - n).update(issued=F("issued") + n):
        raise CouponError(f"coupon {coupon.pk}: not enough left to issue {n}")


def coupon_issue(*, coupon: Coupon, now: dt.datetime, customer_ids: Sequence[str] = (), codes: int = 0,
                 claimable: int = 0) -> list[CouponCode]:
    """Issue to customers (the segment hook passes their ids), as anonymous codes, or claimable ones."""
    n = len(customer_ids) + codes + claimable
    if n == 0:
        return []
    with transaction.atomic():
        _take_quantity(coupon, n)
        rows = [CouponCode(coupon=coupon, code=_new_code(), customer_id=str(c), claimed_at=now) for c in customer_ids]
        rows += [CouponCode(coupon=coupon, code=_new_code()) for _ in range(codes + claimable)]
        return CouponCode.objects.bulk_create(rows)


def _new_code() -> str:
    return secrets.token_hex(6).upper()


def coupon_claim(*, customer_id: str, now: dt.datetime, coupon: Coupon | None = None, code: str = "",
                 store_id: str = "") -> CouponCode:
    """Claim a code (``code``) or any claimable code of ``coupon``, within the per-customer limit.

    Only codes of coupons of ``store_id`` (the caller's store; default: the promotions store):
    another store's coupon is refused as if it did not exist.
    """
    if not customer_id:
        raise ValidationError("customer_id is required")
    store_id = store_id or default_store_id()
    with transaction.atomic():
        if code:
            found = CouponCode.objects.select_related("coupon").filter(code=code).first()
            if found is None or found.coupon.store_id != store_id:
                raise CouponError(f"unknown coupon code {code!r}")
            coupon = found.coupon
        if coupon is None:
            raise ValidationError("give a coupon or a code")
        if coupon.store_id != store_id:
            raise CouponError(f"no coupon {coupon.pk} in store {store_id}")
        if not (coupon.valid_from <= now < coupon.valid_until):
            raise CouponError(f"coupon {coupon.pk} is not valid now")
        # serialise claims of one customer for this coupon on the coupon row, then count
        Coupon.objects.select_for_update().filter(pk=coupon.pk).first()
        held = CouponCode.objects.filter(coupon=coupon, customer_id=customer_id).count()
        if held >= coupon.per_customer_limit:
            raise CouponError(f"customer {customer_id} already holds {held} of coupon {coupon.pk} (limit {coupon.per_customer_limit})")
        target = CouponCode.objects.filter(coupon=coupon, customer_id="", claimed_at__isnull=True)
        if code:
            target = target.filter(code=code)
        for candidate in target.values_list("pk", flat=True)[:5]:
            if CouponCode.objects.filter(pk=candidate, customer_id="", claimed_at__isnull=True).update(
                    customer_id=customer_id, claimed_at=now):
                return CouponCode.objects.get(pk=candidate)
        raise CouponError(f"no claimable code left for coupon {coupon.pk}" if not code else f"code {code!r} is already claimed")


def coupon_redeem(*, code: str, customer_id: str, order_id: str, now: dt.datetime, store_id: str = "") -> CouponCode:
    """Redeem exactly once: one conditional UPDATE … WHERE redeemed_at IS NULL, checked by row count.

    Only a code of a coupon of ``store_id`` (the caller's store; default: the promotions store).
    """
    if not order_id:
        raise ValidationError("order_id is required")
    store_id = store_id or default_store_id()
    if not CouponCode.objects.filter(code=code, coupon__store_id=store_id).exists():
        raise CouponError(f"unknown coupon code {code!r}")
    valid = CouponCode.objects.filter(code=code, coupon__valid_from__lte=now, coupon__valid_until__gt=now).exists()
    updated = 0
    if valid:
        # No join in this UPDATE: Django turns a filter across a relation into
        # ``WHERE id IN (SELECT …)``, and PostgreSQL does not re-check a subquery when a
        # concurrent update commits first — two redemptions would both pass.
        try:
            with transaction.atomic():
                updated = CouponCode.objects.filter(code=code, customer_id=customer_id, redeemed_at__isnull=True).update(
                    redeemed_at=now, order_id=order_id)
                if updated == 1:  # the warehouse fact, committed with the redemption or not at all
                    outbox_add(WarehouseOutbox.Fact.COUPON_REDEMPTION, code, store_id, now)
        except IntegrityError as exc:  # coupon_once_per_order
            raise CouponError(f"order {order_id} already used this coupon") from exc
    if updated != 1:
        row = CouponCode.objects.select_related("coupon").filter(code=code).first()
        if row is None or row.customer_id != customer_id:
            raise CouponError(f"code {code!r} is not held by customer {customer_id}")
        if row.redeemed_at is not None:
            raise CouponError(f"code {code!r} was already redeemed (order {row.order_id})")
        raise CouponError(f"code {code!r} is not valid now")
    return CouponCode.objects.get(code=code)


# ---------------------------------------------------------------------------- flash sales
def flash_sale_create(*, sku: str, price: Decimal, quantity: int, starts_at: dt.datetime, ends_at: dt.datetime,
                      per_buyer_limit: int = 1, reservation_minutes: int = 15, name: str = "",
                      store_id: str = "") -> FlashSale:
    """A flash sale of one store (default: the promotions store): only its server key reserves.

    Any Redis gate state under the new sale's id is dropped once it commits: an id is used again after a
    database is restored or recreated, and a gate primed for the old sale (sold out, say) would otherwise
    refuse every attempt of the new one."""
    sale = FlashSale.objects.create(sku=sku, price=price, quantity=quantity, remaining=quantity, name=name,
                                    per_buyer_limit=per_buyer_limit, starts_at=starts_at, ends_at=ends_at,
                                    reservation_minutes=reservation_minutes, store_id=store_id or default_store_id())
    _sale_stores.pop(sale.pk, None)
    transaction.on_commit(lambda: flash_sale_gate_forget(flash_sale_id=sale.pk))
    return sale


_sale_stores: dict[int, str] = {}  # flash sale id -> its store (never changes): no extra round trip per attempt
_sale_stores_lock = threading.Lock()


def _sale_in_store(flash_sale_id: int, store_id: str) -> None:
    """Refuse a sale of another store as if it did not exist (a cached store is read again
    before it refuses, so the cache can only save a round trip, never decide). One thread reads
    while the others wait for it: a 秒杀's first burst does not open a connection per thread for it."""
    if _sale_stores.get(flash_sale_id) != store_id:
        with _sale_stores_lock:
            if _sale_stores.get(flash_sale_id) != store_id:
                found = FlashSale.objects.filter(pk=flash_sale_id).values_list("store_id", flat=True).first()
                if found is None:
                    raise FlashSaleError(f"no flash sale {flash_sale_id}")
                _sale_stores[flash_sale_id] = found
    if _sale_stores[flash_sale_id] != store_id:
        raise FlashSaleError(f"no flash sale {flash_sale_id}")


_RESERVE_SQL = """
WITH b AS (
    INSERT INTO promotions_flashsalebuyer AS h (flash_sale_id, buyer_id, units)
    SELECT f.id, %(buyer)s, %(q)s FROM promotions_flashsale f
    WHERE f.id = %(id)s AND f.starts_at <= %(now)s AND f.ends_at > %(now)s AND f.per_buyer_limit >= %(q)s
    ON CONFLICT (flash_sale_id, buyer_id) DO UPDATE SET units = h.units + EXCLUDED.units
        WHERE h.units + EXCLUDED.units <= (SELECT per_buyer_limit FROM promotions_flashsale WHERE id = %(id)s)
    RETURNING h.units
), r AS (
    INSERT INTO promotions_reservation (flash_sale_id, buyer_id, quantity, status, created_at, expires_at, store_id)
    SELECT f.id, %(buyer)s, %(q)s, 'reserved', %(now)s, %(now)s + f.reservation_minutes * interval '1 minute', %(store)s
    FROM promotions_flashsale f, b WHERE f.id = %(id)s
    RETURNING id, expires_at
), s AS (
    UPDATE promotions_flashsale SET remaining = remaining - %(q)s
    WHERE id = %(id)s AND remaining >= %(q)s AND EXISTS (SELECT 1 FROM r)
    RETURNING id
), o AS (
    INSERT INTO promotions_warehouseoutbox (fact, object_key, store_id, created_at)
    SELECT 'flash_sale_reservations', r.id::text, %(store)s, %(now)s FROM r
)
SELECT r.id, r.expires_at,
       CASE WHEN r.id IS NULL THEN 0 ELSE 1 / (SELECT count(*)::int FROM s) END,
       f.id, f.remaining, f.starts_at, f.ends_at, f.per_buyer_limit
FROM (SELECT 1) AS one
LEFT JOIN r ON true
LEFT JOIN promotions_flashsale f ON f.id = %(id)s
"""


# The same decisions for a batch of attempts of one sale (one per buyer; ``group_commit``): each
# attempt's buyer counter goes up under the same rule, a reservation row per attempt whose counter
# went up, then the stock goes down by their sum, once — only if all of them fit; otherwise the
# division by zero rolls the whole batch back and each attempt is written on its own.
_RESERVE_BATCH_SQL = """
WITH req AS (
    SELECT t.buyer, t.q, t.at FROM unnest(%(buyers)s::text[], %(qs)s::int[], %(ats)s::timestamptz[]) AS t(buyer, q, at)
), f AS (
    SELECT id, starts_at, ends_at, per_buyer_limit, reservation_minutes FROM promotions_flashsale WHERE id = %(id)s
), b AS (
    INSERT INTO promotions_flashsalebuyer AS h (flash_sale_id, buyer_id, units)
    SELECT f.id, req.buyer, req.q FROM req, f
    WHERE f.starts_at <= req.at AND f.ends_at > req.at AND f.per_buyer_limit >= req.q
    ORDER BY req.buyer
    ON CONFLICT (flash_sale_id, buyer_id) DO UPDATE SET units = h.units + EXCLUDED.units
        WHERE h.units + EXCLUDED.units <= (SELECT per_buyer_limit FROM promotions_flashsale WHERE id = %(id)s)
    RETURNING h.buyer_id
), ok AS (
    SELECT req.buyer, req.q, req.at FROM req JOIN b ON b.buyer_id = req.buyer
), r AS (
    INSERT INTO promotions_reservation (flash_sale_id, buyer_id, quantity, status, created_at, expires_at, store_id)
    SELECT f.id, ok.buyer, ok.q, 'reserved', ok.at, ok.at + f.reservation_minutes * interval '1 minute', %(store)s
    FROM f, ok
    RETURNING id, buyer_id, created_at, expires_at
), s AS (
    UPDATE promotions_flashsale SET remaining = remaining - (SELECT sum(q) FROM ok)
    WHERE id = %(id)s AND remaining >= (SELECT sum(q) FROM ok) AND EXISTS (SELECT 1 FROM r)
    RETURNING remaining
), o AS (
    INSERT INTO promotions_warehouseoutbox (fact, object_key, store_id, created_at)
    SELECT 'flash_sale_reservations', r.id::text, %(store)s, r.created_at FROM r
)
SELECT r.id, r.buyer_id, r.expires_at, 1 / (SELECT count(*)::int FROM s), (SELECT remaining FROM s) FROM r
"""

# Stock this process last saw per flash sale (a path choice only, never a decision): while
# there was enough, attempts go straight to the write statement; once it ran out, each
# attempt first reads the row — a sold-out rush then costs one indexed read per attempt.
_seen_remaining: dict[int, int] = {}
_SALE_HINT_SQL = ("SELECT remaining, starts_at <= %(now)s AND %(now)s < ends_at, per_buyer_limit "
                  "FROM promotions_flashsale WHERE id = %(id)s")


def flash_sale_reserve(*, flash_sale_id: int, buyer_id: str, quantity: int, now: dt.datetime,
                       store_id: str = "") -> Reservation:
    """Reserve stock: never oversells, never exceeds the buyer's limit.

    On PostgreSQL one statement decides and does it all (``_RESERVE_SQL``, its own
    transaction), in this order: the buyer's counter goes up only while the sale is running
    and the buyer stays within the limit (``INSERT … ON CONFLICT DO UPDATE … WHERE units + q
    <= limit`` — evaluated on the latest row, so two concurrent requests of one buyer cannot
    both pass); then the reservation row; then, last, the stock goes down only while enough
    remains (``UPDATE … WHERE remaining >= q``) — the shared hot row is locked for the
    shortest time; then the warehouse outbox row. A buyer over the limit changes nothing.
    If the counter went up but the stock was gone (a race at sell-out), the final SELECT
    divides by zero, which aborts — and so rolls back — the whole statement. When nothing
    was reserved the statement returns the sale's row, which says why.

    Once this process has seen the stock run out, one indexed read (a hint, not a decision)
    comes first and refuses a sold-out, closed or over-limit request without the write
    statement: in a 秒杀 most attempts come after the stock is gone. While stock lasts the
    write statement is the only round trip. Both are server-side prepared (``_pg_fetchone``).
    Other databases (SQLite in tests) run the equivalent ORM steps in one transaction.
    """
    if quantity < 1:
        raise ValidationError("quantity must be >= 1")
    store_id = store_id or default_store_id()
    _sale_in_store(flash_sale_id, store_id)
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return _reserve_orm(flash_sale_id, buyer_id, quantity, now, store_id)
    gate = _gate()
    if gate is not None:
        admitted = _gate_admit(gate, flash_sale_id, buyer_id, quantity, now)
        if admitted:
            try:
                return _reserve_pg(db, flash_sale_id, buyer_id, quantity, now, store_id)
            except BaseException:  # the record refused (or failed): the gate gets its units back
                _gate_call(gate.give_back, flash_sale_id, buyer_id, quantity)
                raise
        # admitted is None: Redis did not answer; the database decides alone
    return _reserve_pg(db, flash_sale_id, buyer_id, quantity, now, store_id)


def _reserve_pg(db, flash_sale_id: int, buyer_id: str, quantity: int, now: dt.datetime, store_id: str) -> Reservation:
    params = {"id": flash_sale_id, "q": quantity, "now": now, "buyer": buyer_id, "store": store_id}
    if _seen_remaining.get(flash_sale_id, quantity) < quantity:
        # this process last saw too little stock: read before writing (stock may have come back)
        hint = _pg_fetchone(db, _SALE_HINT_SQL, params)
        if hint is None:
            raise FlashSaleError(f"no flash sale {flash_sale_id}")
        remaining, running, limit = hint
        _seen_remaining[flash_sale_id] = remaining
        if remaining < quantity or quantity > limit or not running:
            _refusal(flash_sale_id, True, remaining, running, limit, buyer_id, quantity)
    if not db.in_atomic_block:  # in the caller's transaction it is written alone, inside it
        reservation = _reserve_batcher(flash_sale_id).submit(buyer_id, params)
        if reservation is not None:
            return reservation
        # the batch did not take it (refused, or the batch as a whole did not fit): alone, for the exact answer
    try:
        if db.in_atomic_block:
            with transaction.atomic():
                row = _pg_fetchone(db, _RESERVE_SQL, params)
        else:
            row = _pg_fetchone(db, _RESERVE_SQL, params)
    except DivisionByZero as exc:  # sold out after the counter went up: the whole statement rolled back
        _seen_remaining[flash_sale_id] = 0
        raise FlashSaleError("sold out") from exc
    reservation_id, expires_at, _ok, sale_id, remaining, starts_at, ends_at, limit = row
    if sale_id is not None:
        _seen_remaining[flash_sale_id] = remaining - (quantity if reservation_id is not None else 0)
    if reservation_id is not None:
        return Reservation(pk=reservation_id, flash_sale_id=flash_sale_id, buyer_id=buyer_id, quantity=quantity,
                           status=Reservation.Status.RESERVED, created_at=now, expires_at=expires_at, store_id=store_id)
    _refusal(flash_sale_id, sale_id is not None, remaining, sale_id is not None and starts_at <= now < ends_at,
             limit, buyer_id, quantity)
    raise AssertionError("unreachable")  # pragma: no cover


_batchers: dict[int, GroupCommit] = {}
_batchers_lock = threading.Lock()


def _reserve_batcher(flash_sale_id: int) -> GroupCommit:
    """This process's group commit for one sale's reservations (``group_commit``)."""
    batcher = _batchers.get(flash_sale_id)
    if batcher is None:
        with _batchers_lock:
            batcher = _batchers.setdefault(
                flash_sale_id, GroupCommit(lambda batch: _reserve_batch(flash_sale_id, batch)))
    return batcher


def _reserve_batch(flash_sale_id: int, batch: Sequence[dict]) -> list[Reservation | None]:
    """Write a batch of attempts (one per buyer) with one statement, on a connection of the
    writer pool (``writers``: the leading thread does not open one of its own); None for an
    attempt the batch did not reserve (its caller then tries alone)."""
    params = {"id": flash_sale_id, "store": batch[0]["store"], "buyers": [p["buyer"] for p in batch],
              "qs": [p["q"] for p in batch], "ats": [p["now"] for p in batch]}
    try:
        with writers.borrowed() as con, psycopg.Cursor(con) as cur:
            cur.execute(_RESERVE_BATCH_SQL, params, prepare=True)
            rows = cur.fetchall()
    except DivisionByZero:  # not all of them fit: nothing was written
        return [None] * len(batch)
    made = {buyer: (pk, expires_at) for pk, buyer, expires_at, _ok, _remaining in rows}
    if rows:
        _seen_remaining[flash_sale_id] = rows[0][4]
    out: list[Reservation | None] = []
    for p in batch:
        hit = made.get(p["buyer"])
        out.append(None if hit is None else Reservation(
            pk=hit[0], flash_sale_id=flash_sale_id, buyer_id=p["buyer"], quantity=p["q"],
            status=Reservation.Status.RESERVED, created_at=p["now"], expires_at=hit[1], store_id=p["store"]))
    return out


def _gate() -> flash_gate.FlashGate | None:
    """The Redis gate when ``SHOPOPS_REDIS_URL`` is set (PostgreSQL app DB only), with its
    sold-out memo (``SHOPOPS_FLASH_MEMO_SECONDS``)."""
    return flash_gate.gate_for(settings.SHOPOPS_REDIS_URL, settings.SHOPOPS_FLASH_MEMO_SECONDS)


def _gate_call(method, *args):
    """Call the gate; a Redis error is logged and answers None (the database decides alone)."""
    import redis

    try:
        return method(*args)
    except redis.RedisError as exc:
        log.warning("flash-sale gate: Redis unavailable (%s); the database decides alone", exc)
        return None


def _gate_admit(gate: flash_gate.FlashGate, flash_sale_id: int, buyer_id: str, quantity: int,
                now: dt.datetime) -> bool | None:
    """True: the gate admitted the attempt (its units are taken in Redis); None: Redis did not
    answer. A refusal raises the same ``FlashSaleError`` the database would."""
    answer = _gate_call(gate.admit, flash_sale_id, buyer_id, quantity, now)
    if answer is not None and answer[0] == flash_gate.NOT_PRIMED:
        # one thread primes; the others of a first burst wait for it, then ask again — but not a thread in
        # a caller's transaction: it may hold the sale row's lock the primer waits for
        single_flight = contextlib.nullcontext() if connections[DEFAULT_DB_ALIAS].in_atomic_block else _prime_lock
        with single_flight:
            answer = _gate_call(gate.admit, flash_sale_id, buyer_id, quantity, now)
            if answer is not None and answer[0] == flash_gate.NOT_PRIMED:
                if _gate_call(_gate_prime, gate, flash_sale_id) is None:
                    return None
                answer = _gate_call(gate.admit, flash_sale_id, buyer_id, quantity, now)
    if answer is None:
        return None
    code, remaining, limit = answer
    if code == flash_gate.ADMITTED:
        return True
    if code == flash_gate.NOT_PRIMED:  # forgotten again meanwhile: let the database decide
        return None
    _refusal(flash_sale_id, True, remaining if code == flash_gate.SOLD_OUT else quantity,
             code != flash_gate.NOT_RUNNING, limit, buyer_id, quantity)
    raise AssertionError("unreachable")  # pragma: no cover


_prime_lock = threading.Lock()


def _gate_prime(gate: flash_gate.FlashGate, flash_sale_id: int) -> bool:
    """Copy the sale's stock and buyers from the database into the gate, under the sale row's
    lock (no reservation commits between the read and the write)."""
    with transaction.atomic():
        sale = FlashSale.objects.select_for_update().filter(pk=flash_sale_id).values(
            "remaining", "starts_at", "ends_at", "per_buyer_limit").first()
        if sale is None:
            raise FlashSaleError(f"no flash sale {flash_sale_id}")
        buyers = dict(FlashSaleBuyer.objects.filter(flash_sale_id=flash_sale_id, units__gt=0)
                      .values_list("buyer_id", "units"))
        return gate.prime(flash_sale_id, flash_gate.SaleState(buyers=buyers, **sale))


def flash_sale_gate_resync(*, flash_sale_id: int) -> bool:
    """Rebuild a sale's Redis gate from the database (after a Redis restart or outage).
    False when no gate is configured or Redis does not answer."""
    gate = _gate()
    if gate is None:
        return False
    _gate_call(gate.forget, flash_sale_id)
    return bool(_gate_call(_gate_prime, gate, flash_sale_id))


def flash_sale_gate_forget(*, flash_sale_id: int) -> None:
    """Drop a sale's gate keys (its window, limit or stock was edited): primed again on next use."""
    gate = _gate()
    if gate is not None:
        _gate_call(gate.forget, flash_sale_id)


def _pg_fetchone(db, sql: str, params: dict) -> tuple | None:
    """Run one statement as a server-side prepared statement on Django's PostgreSQL connection.

    Django's psycopg cursors bind parameters on the client (the SQL text changes every call),
    so PostgreSQL would parse and plan the reserve statement on every attempt (planning it
    costs about three times executing it). A plain psycopg cursor binds on the server and
    ``prepare=True`` plans once per connection. (Behind a transaction-pooling PgBouncer,
    use one that supports prepared statements, 1.21+.)
    """
    db.ensure_connection()
    with psycopg.Cursor(db.connection) as cur:
        cur.execute(sql, params, prepare=True)
        return cur.fetchone()


def _refusal(flash_sale_id, exists, remaining, running, limit, buyer_id, quantity) -> None:
    if not exists:
        raise FlashSaleError(f"no flash sale {flash_sale_id}")
    if not running:
        raise FlashSaleError(f"flash sale {flash_sale_id} is not running")
    if quantity > limit:
        raise FlashSaleError(f"at most {limit} per buyer")
    if remaining < quantity:
        raise FlashSaleError("sold out")
    raise FlashSaleError(f"buyer {buyer_id} reached the limit of {limit}")


def _reserve_orm(flash_sale_id: int, buyer_id: str, quantity: int, now: dt.datetime, store_id: str) -> Reservation:
    """The same rules as ``_RESERVE_SQL`` as ORM steps in one transaction (databases other than PostgreSQL)."""
    sale = FlashSale.objects.filter(pk=flash_sale_id).only(
        "per_buyer_limit", "starts_at", "ends_at", "reservation_minutes", "remaining").first()
    if sale is None:
        raise FlashSaleError(f"no flash sale {flash_sale_id}")
    if not (sale.starts_at <= now < sale.ends_at) or quantity > sale.per_buyer_limit or sale.remaining < quantity:
        _refusal(flash_sale_id, True, sale.remaining, sale.starts_at <= now < sale.ends_at, sale.per_buyer_limit,
                 buyer_id, quantity)
    with transaction.atomic():
        if not _buyer_take(flash_sale_id, buyer_id, quantity, sale.per_buyer_limit):
            raise FlashSaleError(f"buyer {buyer_id} reached the limit of {sale.per_buyer_limit}")
        reservation = Reservation.objects.create(
            flash_sale_id=flash_sale_id, buyer_id=buyer_id, quantity=quantity, created_at=now, store_id=store_id,
            expires_at=now + dt.timedelta(minutes=sale.reservation_minutes))
        outbox_add(WarehouseOutbox.Fact.RESERVATION, str(reservation.pk), store_id, now)
        if not FlashSale.objects.filter(pk=flash_sale_id, remaining__gte=quantity).update(
                remaining=F("remaining") - quantity):
            raise FlashSaleError("sold out")  # rolls back the buyer counter, the reservation and the outbox row
        return reservation


def _buyer_take(flash_sale_id: int, buyer_id: str, quantity: int, limit: int) -> bool:
    """Add ``quantity`` to the buyer's counter only while it stays within ``limit`` (row count)."""
    mine = FlashSaleBuyer.objects.filter(flash_sale_id=flash_sale_id, buyer_id=buyer_id)
    if mine.filter(units__lte=limit - quantity).update(units=F("units") + quantity):
        return True
    if mine.exists():
        return False
    try:
        with transaction.atomic():
            FlashSaleBuyer.objects.create(flash_sale_id=flash_sale_id, buyer_id=buyer_id, units=quantity)
        return True
    except IntegrityError:  # the same buyer's concurrent request created it first
        return bool(mine.filter(units__lte=limit - quantity).update(units=F("units") + quantity))


def _give_back(reservation_filter: Q, new_status: str, now: dt.datetime) -> int:
    """Move matching reserved reservations to ``new_status`` and return their stock; count moved."""
    moved = 0
    ids = list(Reservation.objects.filter(reservation_filter, status=Reservation.Status.RESERVED).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            r = Reservation.objects.filter(pk=pk, status=Reservation.Status.RESERVED).values(
                "flash_sale_id", "buyer_id", "quantity", "store_id").first()
            if r is None or not Reservation.objects.filter(pk=pk, status=Reservation.Status.RESERVED).update(
                    status=new_status, closed_at=now):
                continue  # paid, released or expired meanwhile
            # the buyer's row before the stock row: the lock order of the reserve statement
            FlashSaleBuyer.objects.filter(flash_sale_id=r["flash_sale_id"], buyer_id=r["buyer_id"]).update(
                units=F("units") - r["quantity"])
            FlashSale.objects.filter(pk=r["flash_sale_id"]).update(remaining=F("remaining") + r["quantity"])
            outbox_add(WarehouseOutbox.Fact.RESERVATION, str(pk), r["store_id"], now)
            if (gate := _gate()) is not None:
                transaction.on_commit(lambda r=r: _gate_call(gate.give_back, r["flash_sale_id"], r["buyer_id"], r["quantity"]))
            moved += 1
    return moved


def flash_sale_release(*, reservation_id: int, buyer_id: str, flash_sale_id: int | None = None,
                       now: dt.datetime | None = None, store_id: str = "") -> bool:
    """The buyer gives a reservation up; stock returns. False when it was no longer reserved
    (or is not a reservation of ``store_id``, default: the promotions store)."""
    match = Q(pk=reservation_id, buyer_id=buyer_id, store_id=store_id or default_store_id())
    if flash_sale_id is not None:
        match &= Q(flash_sale_id=flash_sale_id)
    return _give_back(match, Reservation.Status.RELEASED, now or timezone.now()) == 1


def flash_sale_pay(*, reservation_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        paid = Reservation.objects.filter(pk=reservation_id, status=Reservation.Status.RESERVED,
                                          expires_at__gt=now).update(status=Reservation.Status.PAID, paid_at=now)
        if paid:
            store_id = Reservation.objects.filter(pk=reservation_id).values_list("store_id", flat=True).first()
            outbox_add(WarehouseOutbox.Fact.RESERVATION, str(reservation_id), store_id or "", now)
    return bool(paid)


def flash_sale_expire_reservations(*, now: dt.datetime) -> int:
    """Unpaid reservations past their time expire and their stock returns. Returns how many."""
    return _give_back(Q(expires_at__lte=now), Reservation.Status.EXPIRED, now)
