"""The report's traffic-source table names the orders without a source in words (walkthrough A #18: a raw
"(空)" row with 0 visitor-days and 27 buyers, no explanation).

By hand, week 2025-W46 (11-10..11-16), a Tmall store: orders t1 (11-12, no source), t2 (11-13, no source),
t3 (11-14, 手淘搜索 -> search). The table has a "来源未知（订单未带来源）" row of 2 paying buyers and a search row
of 1, and its note explains the unknown row; a store whose orders all carry a source gets no such note.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.reports.builder import report_build
from shopops.warehouse.loader import load

WEEK = "2025-W46"


def _order(order_id: str, day: str, source: str | None) -> dict:
    d = dt.date.fromisoformat(day)
    at = dt.datetime(d.year, d.month, d.day, 4, tzinfo=dt.UTC)
    return {"store_id": "tmall", "order_id": order_id, "customer_id": f"b-{order_id}", "status": "paid",
            "created_at": at, "paid_at": at, "paid_date": d, "paid_amount": Decimal("50.00"), "traffic_source": source}


@pytest.fixture
def store(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "tmall", "platform": "tmall", "name": "天猫旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    load(warehouse, "orders", pa.Table.from_pylist([
        _order("t1", "2025-11-12", None), _order("t2", "2025-11-13", None), _order("t3", "2025-11-14", "手淘搜索")]))
    return warehouse


def _sources(report):
    return next(t for t in report.section("traffic").tables if t.id == "traffic_sources")


@pytest.mark.parametrize("language, label, note", [
    ("zh-hans", "来源未知（订单未带来源）", "订单导出不带来源"),
    ("en", "Source unknown (orders without a source)", "order exports carry none"),
])
def test_orders_without_a_source_are_named_and_explained(store, language, label, note):
    table = _sources(report_build(kind="weekly", period=WEEK, con=store, language=language))
    buyers = {r["traffic_source"]: r["paying_buyers"] for r in table.rows}
    assert buyers[label] == 2 and sum(buyers.values()) == 3
    assert "(空)" not in buyers and "(none)" not in buyers
    assert note in table.note


def test_no_note_when_every_order_has_a_source(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "tmall", "platform": "tmall", "name": "天猫旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    load(warehouse, "orders", pa.Table.from_pylist([_order("t3", "2025-11-14", "手淘搜索")]))
    table = _sources(report_build(kind="weekly", period=WEEK, con=warehouse))
    assert "来源未知" not in table.note and all("来源未知" not in r["traffic_source"] for r in table.rows)
