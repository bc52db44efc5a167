"""Writes of customers: the store's own channel's daily check-in (每日签到) and points ledger (积分).

The balance and the ledger are read by ``customers.selectors`` (``points_balance``, ``points_history``).

Rules (``SHOPOPS_POINTS`` in settings overrides any of them)::

    checkin_points   5     points per check-in
    streak_bonus     {7: 20}   extra points on the 7th, 14th, … day of an unbroken streak
    points_per_yuan  1     points per whole yuan paid on an order (floor)
    expiry_days      365   earned points expire this many days after they were earned

* **Check-in**: at most one per customer per store-local day (the store's time zone, from
  the warehouse ``stores`` table, else ``SHOPOPS_TIME_ZONE``). A unique constraint on
  (store, customer, day) makes a repeated or concurrent check-in the same day return the
  first one and earn nothing. The streak is yesterday's streak + 1, else 1.
* **Ledger**: append-only ``PointsEntry`` rows; the balance is their sum. Each entry is
  written in one transaction with the ``PointsWallet`` row: credits add to it, debits are
  one conditional ``UPDATE … SET balance = balance - n WHERE balance >= n`` checked by
  its row count, so concurrent redemptions never take the balance below zero.
* **Idempotent references**: a check-in day, an order id, a redemption request id — the
  same reference twice records one entry (unique per store, customer, kind, reference).
* **Expiry (FIFO)**: points are spent oldest first, so what has expired by ``now`` is
  ``max(0, earned with expires_at <= now - everything debited so far)``; ``points_expire``
  debits exactly that. Running it twice debits nothing more.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from shopops.core.errors import ShopopsError, ValidationError
from shopops.customers import coupons
from shopops.customers.models import CheckIn, PointsEntry, PointsReward, PointsWallet
from shopops.customers.selectors import points_balance

DEFAULTS = {"checkin_points": 5, "streak_bonus": {7: 20}, "points_per_yuan": 1, "expiry_days": 365}
_TZ_CACHE: dict[str, tuple[float, str]] = {}
_TZ_TTL = 600.0


class PointsError(ShopopsError):
    pass


def points_rules() -> dict:
    return {**DEFAULTS, **getattr(settings, "SHOPOPS_POINTS", {})}


def store_time_zone(store_id: str) -> zoneinfo.ZoneInfo:
    """The store's time zone (warehouse ``stores.time_zone``), cached for ten minutes."""
    hit = _TZ_CACHE.get(store_id)
    if hit is None or time.monotonic() - hit[0] > _TZ_TTL:
        name = settings.SHOPOPS_TIME_ZONE
        try:
            from shopops.metrics.dimensions import store_list

            name = {s.store_id: s.time_zone for s in store_list()}.get(store_id) or name
        except Exception:  # no warehouse reachable: the default zone
            pass
        hit = _TZ_CACHE[store_id] = (time.monotonic(), name)
    return zoneinfo.ZoneInfo(hit[1])


def _ids(store_id: str, customer_id: str) -> None:
    for name, value in (("store_id", store_id), ("customer_id", customer_id)):
        if not value or not str(value).strip():
            raise ValidationError(f"{name} is required")
        if len(str(value)) > 128:
            raise ValidationError(f"{name}: at most 128 characters, got {len(str(value))}")


def _wallet(store_id: str, customer_id: str) -> PointsWallet:
    wallet = PointsWallet.objects.filter(store_id=store_id, customer_id=customer_id).first()
    if wallet is None:
        try:
            with transaction.atomic():
                wallet = PointsWallet.objects.create(store_id=store_id, customer_id=customer_id)
        except IntegrityError:  # created concurrently
            wallet = PointsWallet.objects.get(store_id=store_id, customer_id=customer_id)
    return wallet


def _entry(*, store_id: str, customer_id: str, kind: str, points: int, now: dt.datetime, reference: str = "",
           detail: str = "", expires_at: dt.datetime | None = None) -> PointsEntry | None:
    """Append one entry and move the wallet with it; None when ``reference`` was recorded before.

    Must run inside a transaction (the callers open it).
    """
    if points == 0:
        return None
    wallet = _wallet(store_id, customer_id)
    try:
        with transaction.atomic():  # savepoint: a duplicate reference leaves the outer transaction usable
            entry = PointsEntry.objects.create(store_id=store_id, customer_id=customer_id, kind=kind, points=points,
                                               reference=reference, detail=detail[:200], created_at=now,
                                               expires_at=expires_at)
    except IntegrityError:
        if reference and PointsEntry.objects.filter(store_id=store_id, customer_id=customer_id, kind=kind,
                                                    reference=reference).exists():
            return None
        raise
    if points > 0:
        PointsWallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + points)
    elif not PointsWallet.objects.filter(pk=wallet.pk, balance__gte=-points).update(balance=F("balance") + points):
        raise PointsError(f"customer {customer_id} has fewer than {-points} points")
    return entry


@dataclass(frozen=True, slots=True)
class CheckInResult:
    checkin: CheckIn
    created: bool
    balance: int


def checkin(*, store_id: str, customer_id: str, now: dt.datetime | None = None) -> CheckInResult:
    """Check in for today (store-local). A second check-in the same day returns the first."""
    _ids(store_id, customer_id)
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValidationError("now: give a time zone")
    day = now.astimezone(store_time_zone(store_id)).date()
    existing = CheckIn.objects.filter(store_id=store_id, customer_id=customer_id, day=day).first()
    if existing is not None:
        return CheckInResult(existing, False, points_balance(store_id=store_id, customer_id=customer_id))
    rules = points_rules()
    yesterday = CheckIn.objects.filter(store_id=store_id, customer_id=customer_id,
                                       day=day - dt.timedelta(days=1)).first()
    streak = yesterday.streak + 1 if yesterday else 1
    bonus = sum(int(v) for k, v in rules["streak_bonus"].items() if streak % int(k) == 0)
    points = int(rules["checkin_points"]) + bonus
    expires = now + dt.timedelta(days=int(rules["expiry_days"]))
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(store_id=store_id, customer_id=customer_id, day=day, streak=streak,
                                         points=points, created_at=now)
            _entry(store_id=store_id, customer_id=customer_id, kind=PointsEntry.Kind.CHECKIN, points=points, now=now,
                   reference=f"checkin:{day.isoformat()}", detail=f"streak {streak}", expires_at=expires)
    except IntegrityError:  # a concurrent check-in the same day won
        row = CheckIn.objects.get(store_id=store_id, customer_id=customer_id, day=day)
        return CheckInResult(row, False, points_balance(store_id=store_id, customer_id=customer_id))
    return CheckInResult(row, True, points_balance(store_id=store_id, customer_id=customer_id))


def points_earn_for_order(*, store_id: str, customer_id: str, order_id: str, paid_amount, now: dt.datetime | None = None
                          ) -> PointsEntry | None:
    """Points for a paid order: floor(paid yuan x points_per_yuan). The same order twice earns once."""
    _ids(store_id, customer_id)
    if not order_id:
        raise ValidationError("order_id is required")
    try:
        amount = Decimal(str(paid_amount))
    except Exception as exc:
        raise ValidationError(f"paid_amount: not an amount: {paid_amount!r}") from exc
    if isinstance(paid_amount, float) or amount < 0:
        raise ValidationError(f"paid_amount: expected a non-negative amount as a string, got {paid_amount!r}")
    now = now or timezone.now()
    rules = points_rules()
    points = int((amount * Decimal(str(rules["points_per_yuan"]))).to_integral_value(rounding=ROUND_FLOOR))
    with transaction.atomic():
        return _entry(store_id=store_id, customer_id=customer_id, kind=PointsEntry.Kind.SPEND, points=points, now=now,
                      reference=f"order:{order_id}", detail=f"order {order_id}",
                      expires_at=now + dt.timedelta(days=int(rules["expiry_days"])))


@dataclass(frozen=True, slots=True)
class Redemption:
    entry: PointsEntry
    coupon_code: str
    balance: int
    created: bool


def points_redeem(*, store_id: str, customer_id: str, reward_id: int, request_id: str,
                  now: dt.datetime | None = None) -> Redemption:
    """Spend points on a reward coupon. Never below zero; the same ``request_id`` twice redeems once."""
    _ids(store_id, customer_id)
    if not request_id or len(request_id) > 100:
        raise ValidationError("request_id: required, at most 100 characters (it makes a retry safe)")
    now = now or timezone.now()
    reward = PointsReward.objects.filter(pk=reward_id, is_active=True).first()
    if reward is None:
        raise ValidationError(f"reward_id: no active reward {reward_id}")
    reference = f"redeem:{request_id}"
    with transaction.atomic():
        entry = _entry(store_id=store_id, customer_id=customer_id, kind=PointsEntry.Kind.REDEEM,
                       points=-reward.points_cost, now=now, reference=reference, detail="")
        if entry is None:  # a retry of a request already done
            done = PointsEntry.objects.get(store_id=store_id, customer_id=customer_id, kind=PointsEntry.Kind.REDEEM,
                                           reference=reference)
            return Redemption(done, done.detail.removeprefix("coupon "), points_balance(
                store_id=store_id, customer_id=customer_id), False)
        codes = coupons.coupons_issue(coupon_ref=reward.coupon_ref, customer_ids=[customer_id], now=now)
        entry.detail = f"coupon {codes[customer_id]}"
        entry.save(update_fields=["detail"])
    return Redemption(entry, codes[customer_id], points_balance(store_id=store_id, customer_id=customer_id), True)


def points_expire(*, now: dt.datetime | None = None) -> int:
    """Debit every customer's expired, unspent points (FIFO). Returns the points expired."""
    now = now or timezone.now()
    totals = (PointsEntry.objects.values("store_id", "customer_id")
              .annotate(expired=Sum("points", filter=Q(points__gt=0, expires_at__lte=now)),
                        debited=Sum("points", filter=Q(points__lt=0)))
              .filter(expired__gt=0))
    expired_total = 0
    for row in totals:
        due = int(row["expired"]) + int(row["debited"] or 0)
        if due <= 0:
            continue
        with transaction.atomic():
            try:
                _entry(store_id=row["store_id"], customer_id=row["customer_id"], kind=PointsEntry.Kind.EXPIRE,
                       points=-due, now=now, reference=f"expire:{now.isoformat()}", detail="expired")
            except PointsError:  # spent concurrently: the next run takes what is still due
                continue
        expired_total += due
    return expired_total
