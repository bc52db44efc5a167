"""Warehouse writes from several threads at once: an API upsert while an import holds a
transaction open.

PostgreSQL: every thread has its own connection, so the upsert commits on its own and
survives the import's rollback (it used to join the import's transaction on the one shared
connection and vanish with it, although the client got 200).
DuckDB: writes of one process go through one writer, so an upsert of rows an import is
replacing waits for the import instead of failing with a write-write conflict (a 500).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyarrow as pa
import pytest
from django.db import connections
from django.test import Client

from shopops.core.errors import ResourceBusy
from shopops.ingest.profiles import profiles
from shopops.ingest.pipeline import import_file
from shopops.ingest.services import api_key_create
from shopops.warehouse import connection
from shopops.warehouse.backends import sql
from shopops.warehouse.loader import load, transaction

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "订单编号,买家ID,订单状态,下单时间,付款时间,实付金额\n"
ORDER = {
    "order_id": "W1", "customer_id": "u1", "status": "paid",
    "created_at": "2025-11-11T00:01:00+08:00", "paid_at": "2025-11-11T00:02:00+08:00", "paid_amount": "90.00",
    "lines": [{"line_no": 1, "product_id": "P1", "quantity": 1, "unit_price": "100.00", "paid_amount": "90.00"}],
}


def add_store(con, store_id="own"):
    load(con, "stores", pa.table({
        "store_id": [store_id], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"],
        "time_zone": ["Asia/Shanghai"],
    }))


class ApiCall(threading.Thread):
    """POST /api/orders from a thread of its own, as a web server thread would."""

    def __init__(self, key: str, body: dict) -> None:
        super().__init__()
        self.key, self.body, self.status, self.payload = key, body, None, None

    def run(self) -> None:
        try:
            r = Client(raise_request_exception=False).post(
                "/api/orders", data=json.dumps(self.body), content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {self.key}")
            self.status, self.payload = r.status_code, r.content
        finally:
            connections.close_all()


def orders_in(con) -> dict[str, str]:
    t = con.table("orders").to_pandas()
    return dict(zip(t.order_id, t.status, strict=True))


@pytest.mark.parametrize("any_warehouse", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_postgres_api_upsert_during_a_failing_strict_import_survives_its_rollback(any_warehouse, tmp_path: Path):
    con = any_warehouse
    add_store(con)
    key = api_key_create(store_id="own", kind="server", name="backend")[1]
    bad = tmp_path / "orders.csv"  # row 3 has a bad amount: strict mode loads nothing
    bad.write_text(HEADER + "T1,u1,交易成功,2025-11-11 00:01:00,2025-11-11 00:02:00,10.00\n"
                   "T2,u2,交易成功,2025-11-11 00:01:00,2025-11-11 00:02:00,abc\n", encoding="utf-8")
    calls: list[ApiCall] = []

    def during_import(rows_read: int, _bytes: int) -> None:
        # called while the import's transaction is open (load() iterates the batches inside it)
        call = ApiCall(key, {"orders": [ORDER]})
        call.start()
        call.join(timeout=60)
        calls.append(call)

    outcome = import_file(bad, profile=profiles()["shopops_orders"], con=con, store_id="own", strict=True,
                          on_progress=during_import)
    assert not outcome.loaded and outcome.rows_rejected == 1
    [call] = calls
    assert call.status == 200, call.payload
    assert json.loads(call.payload)["orders"]["inserted"] == 1
    connection.disconnect_all()  # read back through a fresh connection
    assert orders_in(connection.connect()) == {"W1": "paid"}  # the upsert kept; nothing of the import


def test_duckdb_api_upsert_of_rows_an_import_replaces_waits_instead_of_conflicting(warehouse, tmp_path: Path):
    add_store(warehouse)
    key = api_key_create(store_id="own", kind="server", name="backend")[1]
    Client().post("/api/orders", data=json.dumps({"orders": [ORDER]}), content_type="application/json",
                  HTTP_AUTHORIZATION=f"Bearer {key}")
    export = tmp_path / "orders.csv"  # the platform export says W1 is completed now
    export.write_text(HEADER + "W1,u1,交易成功,2025-11-11 00:01:00,2025-11-11 00:02:00,90.00\n", encoding="utf-8")
    with transaction(warehouse):  # the import has replaced W1 and not committed yet
        outcome = import_file(export, profile=profiles()["shopops_orders"], con=warehouse, store_id="own")
        assert outcome.updated == 1
        call = ApiCall(key, {"orders": [{**ORDER, "status": "shipped"}]})
        call.start()
        call.join(timeout=1.0)  # blocked on the writer while the import is open (it used to fail at once)
        assert call.is_alive() or call.status == 200, call.payload
    call.join(timeout=60)
    assert call.status == 200, call.payload
    assert json.loads(call.payload)["orders"]["updated"] == 1
    assert orders_in(warehouse) == {"W1": "shipped"}  # both writes landed, the later one last


def test_duckdb_concurrent_writers_of_the_same_rows_all_land(warehouse):
    add_store(warehouse)
    key = api_key_create(store_id="own", kind="server", name="backend")[1]
    statuses = ["paid", "shipped", "completed", "closed"] * 2
    calls = [ApiCall(key, {"orders": [{**ORDER, "status": s}]}) for s in statuses]
    for call in calls:
        call.start()
    for call in calls:
        call.join(timeout=60)
    assert [c.status for c in calls] == [200] * len(calls), [c.payload for c in calls if c.status != 200]
    assert list(orders_in(warehouse)) == ["W1"]


def test_a_writer_that_waits_too_long_gets_a_clear_busy_error(warehouse, monkeypatch):
    add_store(warehouse)
    key = api_key_create(store_id="own", kind="server", name="backend")[1]
    monkeypatch.setenv("SHOPOPS_WAREHOUSE_WRITE_WAIT", "0.2")
    with transaction(warehouse):
        call = ApiCall(key, {"orders": [ORDER]})
        call.start()
        call.join(timeout=30)
    assert call.status == 503
    error = json.loads(call.payload)["error"]
    assert error["code"] == "busy" and "nothing was written, retry later" in error["message"]
    assert orders_in(warehouse) == {}
    with pytest.raises(ResourceBusy):  # the lock is free again only after the outer transaction
        sql.DUCKDB_WRITER.acquire()
        try:
            with transaction(connection.connect()):
                pass
        finally:
            sql.DUCKDB_WRITER.release()
