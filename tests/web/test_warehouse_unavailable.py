"""A warehouse that cannot be opened is a 503 page saying why, on every page — not a 500.

Real failures, no stand-in: the DuckDB file held by another process (DuckDB lets one process write it), and a
PostgreSQL warehouse URL where no server listens. Pages built on ``ui.pages.ui_page`` said it already; views that
read the warehouse themselves (a plan, the reviews, the chat KPIs, insights, the scorecards, the stocking plan)
were 500s until 2026-12-07.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.urls import reverse

from shopops.campaigns import services as campaigns
from shopops.campaigns.services import StoreRef
from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse import connection

PAGES = ("/", "/insights/", "/service/reviews/", "/service/chat/", "/inventory/stocking-plan/",
         "/customers/")


@pytest.fixture
def director(client, db):
    role_groups_sync()
    client.force_login(user_create(username="director", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    plan = campaigns.plan_create(name="双12", stores=[StoreRef("own", "CNY", "Asia/Shanghai")],
                                 starts_on=dt.date(2026, 12, 10), ends_on=dt.date(2026, 12, 13),
                                 hero_skus=["SKU-1"])  # the plan page reads its hero SKUs' stock
    return client, (*PAGES, *(reverse(f"campaigns:{name}", args=(plan.pk,)) for name in ("plan", "plan_live")))


def _pages_say(client, pages, reason, heading):
    """Every page: 503 with the reason; the pages without a layout of their own for it: the heading too."""
    for path in pages:
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 503 and reason in html, (path, response.status_code)
        if path.startswith(("/insights/", "/service/", "/inventory/")):
            assert heading in html and "data-warehouse-unavailable" in html, path


def test_a_duckdb_warehouse_held_by_another_process(director, tmp_path, monkeypatch):
    client, pages = director
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); "
                               "print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", f"duckdb://{path}")
        connection.disconnect_all()
        _pages_say(client, pages, "is open in another shopops process", "数据暂时不可用")
    finally:
        holder.communicate(input="", timeout=30)
        connection.disconnect_all()


def test_a_postgresql_warehouse_that_does_not_answer(director, monkeypatch):
    client, pages = director
    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", "postgresql://shop:s3cret-pw@127.0.0.1:1/warehouse")
    connection.disconnect_all()
    try:
        client.cookies["django_language"] = "en"
        _pages_say(client, pages, "PostgreSQL at 127.0.0.1:1/warehouse could not be opened", "Data temporarily unavailable")
        assert "s3cret-pw" not in client.get("/insights/").content.decode()  # the password is never shown
    finally:
        connection.disconnect_all()
