"""Queue page timing with 100k tickets (app DB of the environment; SQLite by default).

Run: SHOPOPS_VAR_DIR=$(mktemp -d) shopops manage migrate && python bench/bench_service_queue.py
Prints p50/p95 of the queue page (wall time through the Django test client, and the process's CPU
time, which the load of a shared machine does not inflate): the first page (100 rows), the
unassigned view, and a later page by keyset (``?after=``).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopops.config.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
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
if not User.objects.filter(username="bench_cs").exists():
    user_create(username="bench_cs", password="bench-password-1", role=Role.CUSTOMER_SERVICE)
c = Client()
c.login(username="bench_cs", password="bench-password-1")
pages = ["/service/", "/service/?view=unassigned", "/service/?view=all&type=refund"]


def next_link(url: str) -> str:
    """The page's "next tickets" link (the keyset of its last row)."""
    return html.unescape(re.search(r'rel="next" href="([^"]+)"', c.get(url).content.decode()).group(1))


link = next_link("/service/")
pages.append("/service/" + link)
for _ in range(3):  # a page deep in the queue: follow the keyset four times
    link = next_link("/service/" + link)
pages.append("/service/" + link)
times, cpu = [], []
for i in range(40):
    started, started_cpu = time.perf_counter(), time.process_time()
    r = c.get(pages[i % len(pages)])
    assert r.status_code == 200
    times.append((time.perf_counter() - started) * 1000)
    cpu.append((time.process_time() - started_cpu) * 1000)
times.sort()
cpu.sort()
p95 = int(0.95 * len(times)) - 1
print(f"{Ticket.objects.count()} tickets, {len(times)} page loads ({len(pages)} kinds): queue p50 "
      f"{statistics.median(times):.0f} ms, p95 {times[p95]:.0f} ms wall; CPU p50 {statistics.median(cpu):.0f} ms, "
      f"p95 {cpu[p95]:.0f} ms; load average {os.getloadavg()[0]:.1f}")
