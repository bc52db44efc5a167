"""SLA breaches reach the insights inbox: one alert per store while its tickets are late, resolved after."""

from __future__ import annotations

import datetime as dt

from shopops.insights.models import ModuleAlert
from shopops.insights.services import module_alerts_collect
from shopops.service.models import TicketStatus, TicketType
from shopops.service.services import ticket_create, ticket_reply, ticket_transition

SOURCE = "shopops.service.alerts_sla.alerts"


def test_late_tickets_raise_one_alert_per_store_until_handled(desk):
    long_ago = dt.datetime(2025, 11, 3, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 Shanghai: due 11:00 / 18:00
    late = [ticket_create(store_id="tmall", ticket_type=TicketType.COMPLAINT, subject=f"late {i}", now=long_ago)[0]
            for i in range(2)]
    ticket_create(store_id="jd", ticket_type=TicketType.PRESALE, subject="on time", now=dt.datetime.now(dt.UTC))
    day = dt.date(2025, 11, 4)
    got = module_alerts_collect(day=day, sources=[SOURCE])
    assert got.failed == {} and got.raised == 1
    alert = ModuleAlert.objects.get(source="service", kind="sla_breach")
    assert alert.key == "tmall:sla" and alert.severity == "medium" and "2 open tickets" in alert.text_en
    for t in late:
        ticket_reply(ticket=t, body="处理中", now=long_ago + dt.timedelta(minutes=5))
        ticket_transition(ticket=t, to=TicketStatus.RESOLVED, now=long_ago + dt.timedelta(minutes=10))
    got = module_alerts_collect(day=day + dt.timedelta(days=1), sources=[SOURCE])
    assert got.resolved == 1
    assert ModuleAlert.objects.get(key="tmall:sla").status == ModuleAlert.Status.RESOLVED
