"""Queue page timing with 100k tickets (app DB of the environment; SQLite by default).

Run: SHOPOPS_VAR_DIR=$(mktemp -d) shopops manage migrate && python bench/bench_service_queue.py
Prints p50/p95 of the queue view's work (query + first 200 rows with their business time left).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopops.config.settings")
django.setup()

from django.test import Client  # noqa: E402

from shopops.core.roles import Role  # noqa: E402
from shopops.service.models import Priority, SlaPolicy, Ticket, TicketStatus, TicketType  # noqa: E402
from shopops.team.services import role_groups_sync, user_create  # noqa: E402

N = int(os.environ.get("BENCH_TICKETS", "100000"))
if Ticket.objects.count() < N:
    for p in Priority.values:
        SlaPolicy.objects.get_or_create(ticket_type="", priority=p, defaults={"first_response_minutes": 30,
                                                                             "resolution_minutes": 1440})
    now = dt.datetime.now(dt.UTC)
    statuses = [TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED]
    batch = []
    for i in range(N - Ticket.objects.count()):
        created = now - dt.timedelta(minutes=i % 20000)
        batch.append(Ticket(store_id="tmall", ticket_type=TicketType.values[i % 7], priority=1 + i % 4,
                            status=statuses[i % 5], subject=f"ticket {i}", created_at=created, updated_at=created,
                            clock_started_at=created, first_response_due=created + dt.timedelta(minutes=30),
                            resolution_due=created + dt.timedelta(hours=24), source_ref=""))
        batch[-1].next_due = batch[-1].computed_next_due()
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
role_groups_sync()
user_create(username="bench_cs", password="bench-password-1", role=Role.CUSTOMER_SERVICE)
c = Client()
c.login(username="bench_cs", password="bench-password-1")
times = []
for i in range(20):
    started = time.perf_counter()
    r = c.get("/service/" + ("?view=unassigned" if i % 2 else ""))
    assert r.status_code == 200
    times.append((time.perf_counter() - started) * 1000)
times.sort()
print(f"{Ticket.objects.count()} tickets: queue p50 {statistics.median(times):.0f} ms, p95 {times[int(0.95 * len(times)) - 1]:.0f} ms")
