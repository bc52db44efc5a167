"""Coupon redemptions and flash-sale reservations become warehouse facts (outbox pattern).

Why an outbox: a redemption or reservation is decided in the app DB (an atomic conditional
statement); the warehouse is another database (DuckDB allows one writer process) and a
write there inside the hot flash-sale transaction would serialise every buyer behind it.
So the service writes one ``WarehouseOutbox`` row *in the same transaction* as the change
(it exists exactly when the change committed), and ``facts_flush`` later moves pending
rows to the warehouse in batches:

1. read up to ``batch_size`` pending outbox rows (oldest first);
2. build the facts from the app DB's *current* state of those codes / reservations (one
   row per natural key, however many outbox rows point at it);
3. upsert them through ``shopops.warehouse.loader.load`` (natural key: loading the same
   rows twice changes nothing);
4. delete exactly those outbox rows.

A crash between 3 and 4 leaves the rows pending; the next flush loads the same facts
again (unchanged). Flushes in one process are serialised by a lock; ``tasks`` runs them
off the request (debounced), ``shopops manage promotions_flush`` runs one by hand.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pyarrow as pa
from django.conf import settings

from shopops.metrics.dimensions import store_list
from shopops.promotions.models import CouponCode, Reservation, WarehouseOutbox
from shopops.warehouse.connection import connect
from shopops.warehouse.loader import LoadResult, arrow_schema, load
from shopops.warehouse.schema import TABLES

_flush_lock = threading.Lock()
CENT = Decimal("0.01")


def default_store_id() -> str:
    """The store whose own site / mini-program the promotions app serves (``own`` by default)."""
    return getattr(settings, "SHOPOPS_PROMOTIONS_STORE_ID", "own")


def outbox_add(fact: str, object_key: str, store_id: str, now: dt.datetime) -> None:
    """Record a pending fact; call inside the transaction of the change."""
    WarehouseOutbox.objects.create(fact=fact, object_key=str(object_key), store_id=store_id or default_store_id(),
                                   created_at=now)


def _zones(con) -> dict[str, ZoneInfo]:
    default = ZoneInfo(getattr(settings, "SHOPOPS_TIME_ZONE", "Asia/Shanghai"))
    zones: dict[str, ZoneInfo] = defaultdict(lambda: default)
    for store in store_list(con):
        zones[store.store_id] = ZoneInfo(store.time_zone)
    return zones


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.timezone.utc) if value is not None else None


def redemption_rows(keys: list[tuple[str, str]], zones) -> list[dict]:
    """One fact per (store, code) of a redeemed code."""
    stores = dict((code, store) for store, code in keys)
    rows = []
    codes = (CouponCode.objects.filter(code__in=list(stores), redeemed_at__isnull=False)
             .select_related("coupon__promotion").order_by("code"))
    for c in codes:
        promo = c.coupon.promotion
        amount = c.coupon.face_value.quantize(CENT)
        share = Decimal(1) if promo.bearer == "store" else promo.store_share
        store_id = stores[c.code]
        rows.append({
            "store_id": store_id, "code": c.code, "coupon_id": str(c.coupon_id), "promotion_id": str(promo.pk),
            "coupon_kind": promo.kind, "customer_id": c.customer_id or None, "order_id": c.order_id,
            "amount": amount, "bearer": promo.bearer, "store_amount": (amount * share).quantize(CENT),
            "redeemed_at": _utc(c.redeemed_at), "business_date": c.redeemed_at.astimezone(zones[store_id]).date(),
        })
    return rows


def reservation_rows(keys: list[tuple[str, str]], zones) -> list[dict]:
    """One fact per (store, reservation id), with the reservation's current status."""
    stores = {int(key): store for store, key in keys}
    rows = []
    for r in Reservation.objects.filter(pk__in=list(stores)).select_related("flash_sale").order_by("pk"):
        store_id = stores[r.pk]
        closed = r.status in (Reservation.Status.RELEASED, Reservation.Status.EXPIRED)
        rows.append({
            "store_id": store_id, "reservation_id": str(r.pk), "flash_sale_id": str(r.flash_sale_id),
            "sku_id": r.flash_sale.sku, "customer_id": r.buyer_id, "quantity": r.quantity,
            "unit_price": r.flash_sale.price.quantize(CENT), "amount": (r.flash_sale.price * r.quantity).quantize(CENT),
            "status": r.status, "reserved_at": _utc(r.created_at), "expires_at": _utc(r.expires_at),
            "paid_at": _utc(r.paid_at), "closed_at": _utc(r.closed_at) if closed else None,
            "business_date": r.created_at.astimezone(zones[store_id]).date(),
        })
    return rows


_BUILDERS = {
    WarehouseOutbox.Fact.COUPON_REDEMPTION: redemption_rows,
    WarehouseOutbox.Fact.RESERVATION: reservation_rows,
}


def facts_flush(*, con=None, batch_size: int = 5000, max_batches: int | None = None) -> dict[str, LoadResult]:
    """Move pending outbox rows to the warehouse (see the module docstring). Returns per-table results."""
    results: dict[str, LoadResult] = {}
    with _flush_lock:
        con = con or connect()
        zones = None
        batches = 0
        while max_batches is None or batches < max_batches:
            pending = list(WarehouseOutbox.objects.order_by("id").values_list("id", "fact", "store_id", "object_key")[:batch_size])
            if not pending:
                break
            zones = zones or _zones(con)
            by_fact: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
            for _id, fact, store_id, key in pending:
                by_fact[fact][(store_id, key)] = None
            for fact, keys in by_fact.items():
                rows = _BUILDERS[fact](list(keys), zones)
                table = pa.Table.from_pylist(rows, schema=arrow_schema(TABLES[fact]))
                got = load(con, fact, table)
                total = results.setdefault(fact, LoadResult(fact))
                total.rows += got.rows
                total.inserted += got.inserted
                total.updated += got.updated
            WarehouseOutbox.objects.filter(id__in=[p[0] for p in pending]).delete()
            batches += 1
    return results


def facts_pending() -> int:
    return WarehouseOutbox.objects.count()
