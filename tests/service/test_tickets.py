"""Tickets: SLA deadlines with pauses, the status flow, escalation, idempotent creation.

Store time Asia/Shanghai, desk open 09:00–18:00 Monday–Friday (conftest); every expected
instant below is counted by hand on a calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from shopops.core.errors import ValidationError
from shopops.service.models import Priority, Ticket, TicketEvent, TicketSource, TicketStatus, TicketType
from shopops.service.services import (
    TransitionRefused, ticket_create, ticket_reply, ticket_set_priority, ticket_transition, tickets_escalate,
)

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def make(now="2025-11-03 10:00", **kw) -> Ticket:
    kw.setdefault("ticket_type", TicketType.COMPLAINT)
    ticket, created = ticket_create(store_id="tmall", subject="尺码偏小", now=at(now), **kw)
    assert created
    return ticket


def test_deadlines_from_the_policy_in_business_hours(desk):
    t = make("2025-11-07 17:30")  # Friday; normal: first response 60 min, resolution 480 min
    assert t.first_response_due == at("2025-11-10 09:30")  # 30 min Friday + 30 min Monday
    assert t.resolution_due == at("2025-11-10 16:30")  # 30 min Friday + 7 h 30 Monday


def test_waiting_on_the_customer_stops_the_resolution_clock(desk):
    t = make("2025-11-03 10:00")  # Monday; resolution due Monday 18:00 (8 business hours)
    assert t.resolution_due == at("2025-11-03 18:00")
    ticket_transition(ticket=t, to=TicketStatus.OPEN, now=at("2025-11-03 11:00"))
    ticket_transition(ticket=t, to=TicketStatus.WAITING, now=at("2025-11-03 12:00"))
    assert t.resolution_due is None  # clock stopped
    ticket_transition(ticket=t, to=TicketStatus.OPEN, now=at("2025-11-04 12:00"))
    # waited 6 h Monday (12–18) + 3 h Tuesday (9–12) = 9 business hours; 6 h were left at 12:00 Monday
    assert t.paused_seconds == 9 * 3600
    assert t.resolution_due == at("2025-11-04 18:00")


def test_first_reply_stops_first_response_and_opens(desk):
    t = make("2025-11-03 10:00")
    ticket_reply(ticket=t, body="您好，请提供订单号", now=at("2025-11-03 11:30"))  # due 11:00: late
    t.refresh_from_db()
    assert t.status == TicketStatus.OPEN and t.first_response_at == at("2025-11-03 11:30")
    assert t.first_response_breached
    ticket_reply(ticket=t, body="内部备注", internal=True, now=at("2025-11-03 11:40"))
    t.refresh_from_db()
    assert t.first_response_at == at("2025-11-03 11:30")


@pytest.mark.parametrize(("path", "refused"), [
    ([TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.CLOSED], None),
    ([TicketStatus.CLOSED], TicketStatus.CLOSED),  # new -> closed skips resolved
    ([TicketStatus.RESOLVED, TicketStatus.WAITING], TicketStatus.WAITING),
    ([TicketStatus.OPEN, TicketStatus.NEW], TicketStatus.NEW),
])
def test_status_flow(desk, path, refused):
    t = make()
    clock = at("2025-11-03 10:00")
    for step in path:
        clock += dt.timedelta(minutes=10)
        if step == refused:
            with translation.override("en"), pytest.raises(TransitionRefused, match=f"(?i)cannot move from .* to {step}"):
                ticket_transition(ticket=t, to=step, now=clock)
            return
        ticket_transition(ticket=t, to=step, now=clock)
    assert t.status == TicketStatus.CLOSED and t.resolved_at is not None and t.closed_at is not None


def test_reopen_starts_a_fresh_resolution_clock(desk):
    t = make("2025-11-03 10:00")
    ticket_transition(ticket=t, to=TicketStatus.RESOLVED, now=at("2025-11-03 11:00"))
    ticket_transition(ticket=t, to=TicketStatus.CLOSED, now=at("2025-11-03 11:05"))
    ticket_transition(ticket=t, to=TicketStatus.OPEN, now=at("2025-11-04 15:00"))  # reopen
    assert t.resolved_at is None and t.closed_at is None
    assert t.resolution_due == at("2025-11-05 14:00")  # 3 h Tuesday + 5 h Wednesday
    assert [e.to_value for e in t.events.filter(kind=TicketEvent.Kind.STATUS)] == ["resolved", "closed", "open"]


def test_priority_change_moves_deadlines(desk):
    t = make("2025-11-03 10:00")
    ticket_set_priority(ticket=t, priority=Priority.URGENT, now=at("2025-11-03 10:05"))
    assert t.first_response_due == at("2025-11-03 10:15") and t.resolution_due == at("2025-11-03 12:00")
    with translation.override("en"), pytest.raises(ValidationError, match="Priority: 9 is not a priority; choose one of 1, 2"):
        ticket_set_priority(ticket=t, priority=9)


def test_escalation_raises_priority_once(desk):
    t = make("2025-11-03 10:00")  # first response due 11:00
    assert tickets_escalate(now=at("2025-11-03 10:59")) == []
    late = tickets_escalate(now=at("2025-11-03 11:01"))
    assert [x.pk for x in late] == [t.pk]
    t.refresh_from_db()
    assert t.first_response_breached and t.priority == Priority.HIGH and t.escalated_at == at("2025-11-03 11:01")
    assert tickets_escalate(now=at("2025-11-03 11:20")) == []  # once per breach
    assert t.events.filter(kind=TicketEvent.Kind.ESCALATED).count() == 1


def test_same_source_ref_never_makes_two_tickets(desk):
    a, created_a = ticket_create(store_id="tmall", ticket_type=TicketType.REFUND, subject="退款", source=TicketSource.REFUND,
                                 source_ref="R1", now=at("2025-11-03 10:00"))
    b, created_b = ticket_create(store_id="tmall", ticket_type=TicketType.REFUND, subject="退款 again",
                                 source=TicketSource.REFUND, source_ref="R1", now=at("2025-11-03 11:00"))
    assert created_a and not created_b and a.pk == b.pk and Ticket.objects.count() == 1
    # the same id in another store is another refund
    _, created_c = ticket_create(store_id="jd", ticket_type=TicketType.REFUND, subject="退款", source=TicketSource.REFUND,
                                 source_ref="R1", now=at("2025-11-03 10:00"))
    assert created_c


def test_bad_input_is_named_and_nothing_written(desk):
    with pytest.raises(ValidationError) as exc:
        ticket_create(store_id="", ticket_type="refundz", subject=" ", priority=7)
    text = str(exc.value)
    assert "store_id: store is required" in text and "unknown type 'refundz'" in text
    assert "priority must be one of" in text and "subject: subject is required" in text
    assert Ticket.objects.count() == 0


def test_queue_pages_by_keyset_cover_the_queue_once_in_order(desk, client):
    # 7 running tickets (two share a deadline), 2 waiting (clock stopped), 2 resolved: pages of 3
    made = [make(f"2025-11-03 {10 + i % 5}:00") for i in range(7)]
    for t in made[5:]:
        ticket_reply(ticket=t, body="请提供照片", now=at("2025-11-03 16:00"))  # answered: no first-response clock
        ticket_transition(ticket=t, to=TicketStatus.WAITING, now=at("2025-11-03 16:30"))
    for t in made[:2]:
        ticket_transition(ticket=t, to=TicketStatus.RESOLVED, now=at("2025-11-03 16:40"))
    made += [make("2025-11-03 12:00"), make("2025-11-03 12:00")]
    # expected order, by hand: running tickets by first-response due (creation + 60 business min), then id;
    # the waiting ones after them by id; the resolved ones nowhere
    running = sorted((t for t in made if t.status not in (TicketStatus.WAITING, TicketStatus.RESOLVED)),
                     key=lambda t: (t.created_at, t.pk))
    expected = [t.pk for t in running] + sorted(t.pk for t in made if t.status == TicketStatus.WAITING)
    assert len(expected) == 7
    from shopops.service import selectors

    seen, after = [], None
    for _ in range(5):
        page = selectors.ticket_queue_head(limit=3, after=after)
        seen += [t.pk for t in page]
        if len(page) < 3:
            break
        after = selectors.queue_cursor_parse(selectors.queue_cursor(page[-1]))
    assert seen == expected
    assert selectors.queue_cursor_parse("garbage") is None and selectors.queue_cursor_parse("2025-11-03~x") is None
    client.login(username="cslead", password="pw-service-1")
    assert client.get("/service/?after=%3Cscript%3E~1").status_code == 200  # a bad cursor is the first page
