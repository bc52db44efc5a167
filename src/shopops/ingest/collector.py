"""Facts sent directly by the store's own site or mini-program: behaviour events from the
collector snippet, and order / refund upserts from its backend. Typed schemas in,
canonical Arrow tables out; the loader does the rest (dedupe by natural key).

Pure Python: no Django, so the schemas and mappings are tested on their own.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shopops.warehouse.loader import arrow_schema
from shopops.warehouse.schema import TABLES

MAX_BODY_BYTES = 256 * 1024
MAX_EVENTS = 500
MAX_ORDERS = 200

EventType = Literal["page_view", "product_view", "add_to_cart", "favorite", "checkout", "purchase"]
TRAFFIC_SOURCES = ("search", "ads", "feed", "live", "social", "direct", "other")

# utm_medium / utm_source words -> the glossary's traffic sources
_MEDIUM_TO_SOURCE = {
    "cpc": "ads", "ppc": "ads", "paid": "ads", "ads": "ads", "display": "ads",
    "organic": "search", "search": "search", "seo": "search",
    "feed": "feed", "recommend": "feed",
    "live": "live", "livestream": "live", "video": "live", "short_video": "live",
    "social": "social", "share": "social", "wechat": "social", "weibo": "social", "xiaohongshu": "social",
    "direct": "direct", "none": "direct",
}


def traffic_source(utm_source: str | None, utm_medium: str | None) -> str:
    """Map UTM tags to one of the glossary's traffic sources (direct when absent)."""
    for word in (utm_medium, utm_source):
        if word:
            key = word.strip().lower()
            if key in TRAFFIC_SOURCES:
                return key
            if key in _MEDIUM_TO_SOURCE:
                return _MEDIUM_TO_SOURCE[key]
    return "other" if (utm_source or utm_medium) else "direct"


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone offset, e.g. 2025-11-11T00:05:00+08:00")
    return value.astimezone(dt.UTC)


AwareDatetime = Annotated[dt.datetime, AfterValidator(_aware)]
Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
ID_MAX_LENGTH = 64
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-")


def _safe_id(value: str) -> str:
    """Ids sent by browsers (the public pk_ key) end up in URLs, chart labels and spreadsheets:
    ASCII letters, digits and ``_ . : -`` only, starting with a letter or digit, at most 64."""
    if len(value) > ID_MAX_LENGTH:
        raise ValueError(f"at most {ID_MAX_LENGTH} characters, got {len(value)}")
    bad = sorted({ch for ch in value if ch not in _ID_CHARS})
    if bad or not value[:1].isalnum():
        shown = "".join(bad)[:10] or value[:1]
        raise ValueError(f"only letters, digits and _ . : - (starting with a letter or digit) are allowed; "
                         f"got {value[:40]!r} (not allowed: {shown!r})")
    return value


Id = Annotated[str, Field(min_length=1), AfterValidator(_safe_id)]
OptionalId = Annotated[str | None, AfterValidator(lambda v: v if v is None or v == "" else _safe_id(v))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EventIn(_Strict):
    event_id: Id
    type: EventType
    visitor_id: Id
    occurred_at: AwareDatetime
    session_id: OptionalId = None
    customer_id: OptionalId = None
    page: OptionalId = None
    product_id: OptionalId = None
    utm_source: str | None = Field(default=None, max_length=128)
    utm_medium: str | None = Field(default=None, max_length=128)
    url: str | None = Field(default=None, max_length=2048)


class EventBatchIn(_Strict):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS)


def collect_window() -> tuple[dt.timedelta, dt.timedelta]:
    """How far in the past and the future an event may be (SHOPOPS_COLLECT_PAST_DAYS,
    default 7; SHOPOPS_COLLECT_FUTURE_DAYS, default 1, for clocks a little ahead)."""
    return (dt.timedelta(days=float(os.environ.get("SHOPOPS_COLLECT_PAST_DAYS", "7"))),
            dt.timedelta(days=float(os.environ.get("SHOPOPS_COLLECT_FUTURE_DAYS", "1"))))


def events_outside_window(batch: EventBatchIn, *, now: dt.datetime) -> list[dict]:
    """One problem per event whose time is outside the window around ``now`` (server time).

    A browser's clock may be off by a little, not by years: events far away would land on
    business days long closed (or not yet begun) and change their numbers.
    """
    past, future = collect_window()
    earliest, latest = now - past, now + future
    problems = []
    for i, event in enumerate(batch.events):
        if not earliest <= event.occurred_at <= latest:
            problems.append({
                "field": f"events.{i}.occurred_at",
                "message": f"{event.occurred_at.isoformat()} is outside the accepted window "
                           f"{earliest.isoformat(timespec='seconds')} .. {latest.isoformat(timespec='seconds')} "
                           f"(server time; SHOPOPS_COLLECT_PAST_DAYS / SHOPOPS_COLLECT_FUTURE_DAYS); "
                           "import older events as a file",
            })
    return problems


class OrderLineIn(_Strict):
    line_no: int = Field(ge=1)
    product_id: Id
    sku_id: OptionalId = None
    quantity: int = Field(ge=1)
    unit_price: Money
    discount_amount: Money = Decimal("0.00")
    paid_amount: Money


OrderStatus = Literal["pending_payment", "paid", "shipped", "completed", "closed", "refunded"]


class OrderIn(_Strict):
    order_id: Id
    customer_id: Id
    status: OrderStatus
    created_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    goods_amount: Money | None = None
    discount_amount: Money = Decimal("0.00")
    shipping_fee: Money = Decimal("0.00")
    paid_amount: Money
    province: str | None = None
    city: str | None = None
    traffic_source: Literal[TRAFFIC_SOURCES] | None = None  # type: ignore[valid-type]
    lines: list[OrderLineIn] = Field(min_length=1)

    def model_post_init(self, __context) -> None:
        total = sum((line.paid_amount for line in self.lines), Decimal("0"))
        if total != self.paid_amount:
            raise ValueError(f"lines add up to {total}, the order says paid_amount {self.paid_amount}")
        if len({line.line_no for line in self.lines}) != len(self.lines):
            raise ValueError("line_no repeats within the order")


class OrderBatchIn(_Strict):
    orders: list[OrderIn] = Field(min_length=1, max_length=MAX_ORDERS)


class RefundIn(_Strict):
    refund_id: Id
    order_id: Id
    line_no: int | None = Field(default=None, ge=1)
    amount: Money = Field(gt=0)
    status: Literal["requested", "success", "rejected", "cancelled"]
    requested_at: AwareDatetime | None = None
    refunded_at: AwareDatetime | None = None
    quantity: int | None = Field(default=None, ge=0)
    reason: str | None = Field(default=None, max_length=200)
    with_return: bool | None = None


class RefundBatchIn(_Strict):
    refunds: list[RefundIn] = Field(min_length=1, max_length=MAX_ORDERS)


def _table(name: str, rows: list[dict]) -> pa.Table:
    schema = arrow_schema(TABLES[name])
    return pa.Table.from_pylist([{f: r.get(f) for f in schema.names} for r in rows], schema=schema)


def _day(instant: dt.datetime | None, tz: ZoneInfo) -> dt.date | None:
    return instant.astimezone(tz).date() if instant else None


def events_table(batch: EventBatchIn, *, store_id: str, time_zone: str) -> pa.Table:
    tz = ZoneInfo(time_zone)
    return _table("events", [
        {
            "store_id": store_id, "event_id": e.event_id, "visitor_id": e.visitor_id, "customer_id": e.customer_id,
            "session_id": e.session_id, "event_type": e.type, "page": e.page, "product_id": e.product_id,
            "traffic_source": traffic_source(e.utm_source, e.utm_medium), "occurred_at": e.occurred_at,
            "event_date": _day(e.occurred_at, tz),
        }
        for e in batch.events
    ])


def orders_tables(batch: OrderBatchIn, *, store_id: str, time_zone: str) -> tuple[pa.Table, pa.Table]:
    tz = ZoneInfo(time_zone)
    orders, lines = [], []
    for o in batch.orders:
        paid_date = _day(o.paid_at, tz)
        goods = o.goods_amount if o.goods_amount is not None else sum(
            (ln.unit_price * ln.quantity for ln in o.lines), Decimal("0.00")
        )
        orders.append({**o.model_dump(exclude={"lines"}), "store_id": store_id, "goods_amount": goods,
                       "paid_date": paid_date})
        lines += [{**ln.model_dump(), "store_id": store_id, "order_id": o.order_id, "paid_date": paid_date}
                  for ln in o.lines]
    return _table("orders", orders), _table("order_lines", lines)


def refunds_table(batch: RefundBatchIn, *, store_id: str, time_zone: str) -> pa.Table:
    tz = ZoneInfo(time_zone)
    return _table("refunds", [
        {**r.model_dump(), "store_id": store_id, "refund_date": _day(r.refunded_at, tz)} for r in batch.refunds
    ])
