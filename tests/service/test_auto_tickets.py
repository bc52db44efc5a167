"""Tickets from facts: a refund or a 1–2 star review of the day makes one ticket, however often the job runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from shopops.service.models import Priority, Ticket, TicketSource, TicketType
from shopops.service.services import tickets_from_facts
from shopops.warehouse.loader import load

UTC = dt.UTC


def test_refunds_and_bad_reviews_become_tickets_once(warehouse, desk):
    load(warehouse, "orders", pa.table({
        "store_id": ["tmall", "tmall"], "order_id": ["O1", "O2"], "customer_id": ["c1", "c2"], "status": ["completed"] * 2,
        "created_at": [dt.datetime(2025, 11, 10, 2, tzinfo=UTC)] * 2, "paid_amount": [Decimal("99.00"), Decimal("59.00")],
    }))
    load(warehouse, "refunds", pa.table({
        "store_id": ["tmall", "tmall", "tmall"], "refund_id": ["R1", "R2", "R3"], "order_id": ["O1", "O2", "O1"],
        # R1 on the 11th 09:00 Shanghai; R2 at 23:30 on the 10th Shanghai (15:30 UTC) -> the 10th; R3 on the 12th
        "requested_at": [dt.datetime(2025, 11, 11, 1, tzinfo=UTC), dt.datetime(2025, 11, 10, 15, 30, tzinfo=UTC),
                         dt.datetime(2025, 11, 12, 1, tzinfo=UTC)],
        "amount": [Decimal("99.00"), Decimal("59.00"), Decimal("10.00")], "status": ["requested", "success", "requested"],
        "reason": ["尺码不合适", None, "少件"], "with_return": [True, False, False],
    }))
    load(warehouse, "reviews", pa.table({
        "store_id": ["tmall"] * 4, "review_id": ["V1", "V2", "V3", "V4"], "product_id": ["P1"] * 4,
        "order_id": ["O1", "O2", "O1", "O2"], "customer_id": ["c1", "c2", "c1", "c2"],
        "created_at": [dt.datetime(2025, 11, 11, 3, tzinfo=UTC)] * 4,
        "review_date": [dt.date(2025, 11, 11)] * 3 + [dt.date(2025, 11, 12)],
        "rating": pa.array([1, 2, 3, 1], pa.int8()), "content": ["质量太差", "物流慢", "一般", "差"],
    }))
    day = dt.date(2025, 11, 11)
    now = dt.datetime(2025, 11, 11, 23, tzinfo=UTC)
    assert tickets_from_facts(day=day, con=warehouse, now=now) == {"refund": 1, "review": 2}
    assert tickets_from_facts(day=day, con=warehouse, now=now) == {"refund": 0, "review": 0}
    refund = Ticket.objects.get(source=TicketSource.REFUND)
    assert (refund.source_ref, refund.ticket_type, refund.customer_id, refund.order_id) == ("R1", TicketType.RETURN, "c1", "O1")
    reviews = {t.source_ref: t for t in Ticket.objects.filter(source=TicketSource.REVIEW)}
    assert set(reviews) == {"V1", "V2"} and reviews["V1"].priority == Priority.HIGH
    assert reviews["V2"].ticket_type == TicketType.BAD_REVIEW and reviews["V2"].product_id == "P1"
    assert tickets_from_facts(day=dt.date(2025, 11, 10), con=warehouse, now=now) == {"refund": 1, "review": 0}
    assert Ticket.objects.get(source_ref="R2").ticket_type == TicketType.REFUND


def test_a_refund_ticket_names_its_product(warehouse, desk):
    """The refunded line's product; a whole-order refund the order's main product (the line paid most)."""
    created = dt.datetime(2025, 11, 10, 2, tzinfo=UTC)
    load(warehouse, "orders", pa.table({
        "store_id": ["tmall"] * 2, "order_id": ["O1", "O2"], "customer_id": ["c1", "c2"], "status": ["completed"] * 2,
        "created_at": [created] * 2, "paid_amount": [Decimal("150.00"), Decimal("59.00")],
    }))
    load(warehouse, "order_lines", pa.table({
        "store_id": ["tmall"] * 3, "order_id": ["O1", "O1", "O2"], "line_no": pa.array([1, 2, 1], pa.int32()),
        "product_id": ["P-SOCKS", "P-COAT", "P-HAT"], "quantity": pa.array([1, 1, 1], pa.int32()),
        "paid_amount": [Decimal("20.00"), Decimal("130.00"), Decimal("59.00")],
    }))
    at = dt.datetime(2025, 11, 11, 1, tzinfo=UTC)
    load(warehouse, "refunds", pa.table({
        "store_id": ["tmall"] * 3, "refund_id": ["R1", "R2", "R3"], "order_id": ["O1", "O1", "O9"],
        "line_no": pa.array([1, None, None], pa.int32()), "requested_at": [at] * 3,
        "amount": [Decimal("20.00"), Decimal("150.00"), Decimal("5.00")], "status": ["requested"] * 3,
        "reason": ["尺码不合适", "质量问题", "少件"], "with_return": [True, True, False],
    }))
    assert tickets_from_facts(day=dt.date(2025, 11, 11), con=warehouse, now=at)["refund"] == 3
    products = dict(Ticket.objects.filter(source=TicketSource.REFUND).values_list("source_ref", "product_id"))
    assert products == {"R1": "P-SOCKS", "R2": "P-COAT", "R3": ""}  # O9: no lines known
