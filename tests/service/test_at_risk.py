"""The queue's "at risk" rule: relative to each clock's own SLA target — at most a quarter of it left, never
more than one business hour before the deadline — not "one business hour left" for every ticket (a 2-minute
chat reply read "at risk" the moment it came in).

Desk open 09:00–18:00 Monday–Friday (conftest), store time Asia/Shanghai; every instant and second below is
counted by hand on a calendar (2025-11-03 is a Monday).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shopops.service.models import Priority, SlaPolicy, TicketType
from shopops.service.selectors import queue_rows
from shopops.service.services import ticket_create, ticket_reply
from shopops.service.sla import at_risk, warning_seconds

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.parametrize(("target", "window"), [
    (120, 30),  # a 2-minute chat reply: its last 30 seconds
    (1800, 450),  # 30 minutes: the last 7 min 30 s
    (14399, 3599),  # just under 4 hours: a quarter, 3599.75 s rounded down
    (14400, 3600),  # 4 hours: a quarter is the cap
    (480 * 60, 3600),  # 8 hours: capped at the last business hour
    (None, 3600),  # a target not known: the cap
])
def test_warning_window_is_a_quarter_of_the_target_capped_at_an_hour(target, window):
    assert warning_seconds(target) == window


def test_at_risk_around_the_threshold():
    assert at_risk(30, 120) and not at_risk(31, 120)  # 2-minute target: 30 s left is the edge
    assert at_risk(0, 120)  # due this second, not yet overdue
    assert not at_risk(-1, 120)  # overdue is "overdue", not "at risk"
    assert not at_risk(None, 120)
    assert at_risk(3600, 28800) and not at_risk(3601, 28800)


def _row(ticket, now: str):
    ticket.refresh_from_db()
    (row,) = queue_rows([ticket], now=at(now))
    return row


def test_a_chat_first_response_is_not_at_risk_on_arrival(desk):
    SlaPolicy.objects.create(ticket_type=TicketType.PRESALE, priority=Priority.NORMAL, first_response_minutes=2,
                             resolution_minutes=60)
    t, _ = ticket_create(store_id="tmall", ticket_type=TicketType.PRESALE, subject="几号发货?",
                         now=at("2025-11-03 10:00"))
    assert t.first_response_due == at("2025-11-03 10:02")
    arrived = _row(t, "2025-11-03 10:00")
    assert (arrived.due_kind, arrived.seconds_left, arrived.warning) == ("first_response", 120, False)  # was at risk
    edge = _row(t, "2025-11-03 10:01:30")
    assert (edge.seconds_left, edge.warning) == (30, True)
    before = _row(t, "2025-11-03 10:01:29")
    assert (before.seconds_left, before.warning) == (31, False)
    late = _row(t, "2025-11-03 10:02:01")
    assert (late.seconds_left, late.warning, late.breached) == (-1, False, True)


def test_resolution_window_across_the_night(desk):
    """Urgent: first response 15 min, resolution 120 min (window 30 min). Created Monday 16:20, answered at
    16:25: resolution due Tuesday 09:20 (100 min Monday 16:20–18:00 + 20 min Tuesday). At risk from Monday
    17:50 (10 min Monday + 20 min Tuesday = 30 min left) and through the closed night."""
    t, _ = ticket_create(store_id="tmall", ticket_type=TicketType.COMPLAINT, priority=Priority.URGENT,
                         subject="发错货", now=at("2025-11-03 16:20"))
    assert t.first_response_due == at("2025-11-03 16:35")
    first = _row(t, "2025-11-03 16:31:15")  # 3 min 45 s = 225 s left: a quarter of 15 minutes
    assert (first.due_kind, first.seconds_left, first.warning) == ("first_response", 225, True)
    assert _row(t, "2025-11-03 16:31:14").warning is False  # 226 s left
    ticket_reply(ticket=t, body="您好,马上为您处理", now=at("2025-11-03 16:25"))
    assert _row(t, "2025-11-03 16:25").ticket.resolution_due == at("2025-11-04 09:20")
    cases = {
        "2025-11-03 17:49:59": (1801, False),  # 10 min 1 s Monday + 20 min Tuesday
        "2025-11-03 17:50": (1800, True),
        "2025-11-03 23:00": (1200, True),  # closed: the clock stands at Tuesday's 20 minutes
        "2025-11-04 08:59": (1200, True),
        "2025-11-04 09:20": (0, True),
    }
    for now, (left, risky) in cases.items():
        row = _row(t, now)
        assert (row.due_kind, row.seconds_left, row.warning, row.breached) == ("resolution", left, risky, False), now


def test_long_targets_keep_the_last_business_hour(desk):
    """Normal: resolution 480 min; created Monday 10:00, answered 10:10: due Monday 18:00; at risk from 17:00."""
    t, _ = ticket_create(store_id="tmall", ticket_type=TicketType.COMPLAINT, subject="退款没到账",
                         now=at("2025-11-03 10:00"))
    ticket_reply(ticket=t, body="已为您催办", now=at("2025-11-03 10:10"))
    assert (_row(t, "2025-11-03 16:59:59").warning, _row(t, "2025-11-03 17:00").warning) == (False, True)
