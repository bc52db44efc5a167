"""The demo's service desk: every ticket state, SLA breaches, templates, chat rows through the import
pipeline, survey answers; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.warehouse.loader import load


@pytest.mark.django_db
def test_service_demo(warehouse, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from shopops.demo.service import service_demo_ensure
    from shopops.service.models import Agent, ReplyTemplate, SurveyAnswer, Ticket, TicketStatus
    from shopops.team.services import role_groups_sync

    role_groups_sync()
    load(warehouse, "stores", pa.table({"store_id": ["tmall", "jd", "pdd", "douyin"], "platform": ["tmall", "jd", "pdd", "douyin"],
                                        "name": ["天猫", "京东", "拼多多", "抖音"], "currency": ["CNY"] * 4,
                                        "time_zone": ["Asia/Shanghai"] * 4}))
    load(warehouse, "orders", pa.table({
        "store_id": ["tmall"], "order_id": ["O1"], "customer_id": ["c1"], "status": ["completed"],
        "created_at": [dt.datetime(2025, 11, 10, 2, tzinfo=dt.UTC)], "paid_at": [dt.datetime(2025, 11, 10, 2, tzinfo=dt.UTC)],
        "paid_date": [dt.date(2025, 11, 10)], "paid_amount": [Decimal("99.00")]}))
    load(warehouse, "order_lines", pa.table({
        "store_id": ["tmall", "tmall", "jd"], "order_id": ["O1", "O1", "O2"], "line_no": pa.array([1, 2, 1], pa.int32()),
        "product_id": ["P1", "P2", "J1"], "quantity": pa.array([3, 1, 1], pa.int32()),
        "paid_amount": [Decimal("60.00"), Decimal("39.00"), Decimal("10.00")]}))
    lines = []
    service_demo_ensure(echo=lines.append)
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses == set(TicketStatus.values)
    assert Ticket.objects.filter(first_response_breached=True).exists() or Ticket.objects.filter(resolution_breached=True).exists()
    assert Agent.objects.filter(is_lead=True).count() == 1 and ReplyTemplate.objects.count() >= 10
    assert warehouse.raw_sql("select count(*) from service_chat_daily").fetchone()[0] == 4 * 30 * 3
    assert warehouse.raw_sql("select max(date) from service_chat_daily").fetchone()[0] == dt.date(2025, 11, 10)
    assert SurveyAnswer.objects.count() > 50
    # the answers name products, so CSAT / NPS read by product (stores without sales: none)
    from shopops.service.models import SurveySend

    sends = SurveySend.objects.filter(customer_id__startswith="demo-survey-")
    products = {(s, p) for s, p in sends.values_list("store_id", "product_id")}
    assert {p for s, p in products if s == "tmall"} == {"P1", "P2"}
    assert {p for s, p in products if s == "jd"} == {"J1"}
    assert {p for s, p in products if s == "pdd"} == {""}
    # the demo's tickets are about those products, and their first replies use the greeting template
    assert set(Ticket.objects.filter(store_id="tmall", source="manual").values_list("product_id", flat=True)) == {"P1", "P2"}
    greeting = ReplyTemplate.objects.get(title="开场问候")
    replied = Ticket.objects.filter(source="manual").exclude(status=TicketStatus.NEW).count()
    assert replied > 0 and greeting.usage_count == replied
    before = Ticket.objects.count()
    service_demo_ensure(echo=lines.append)
    assert Ticket.objects.count() == before


def test_demo_tickets_come_in_during_business_time():
    # the desk's SLA clocks run in business hours only: a demo built on a Sunday morning had no breach at all
    from zoneinfo import ZoneInfo

    from shopops.demo.service import _intake_until

    tz = ZoneInfo("Asia/Shanghai")
    sunday = dt.datetime(2026, 12, 6, 8, 5, tzinfo=tz)
    assert _intake_until(sunday) == dt.datetime(2026, 12, 4, 18, 0, tzinfo=tz)  # Friday's close
    monday_early = dt.datetime(2026, 12, 7, 8, 0, tzinfo=tz)
    assert _intake_until(monday_early) == dt.datetime(2026, 12, 4, 18, 0, tzinfo=tz)
    tuesday = dt.datetime(2026, 12, 8, 14, 30, tzinfo=tz)
    assert _intake_until(tuesday) == tuesday
    assert _intake_until(dt.datetime(2026, 10, 3, 11, 0, tzinfo=tz)).date() == dt.date(2026, 9, 30)  # 国庆: the last workday before it
