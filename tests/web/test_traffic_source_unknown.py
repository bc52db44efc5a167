"""/traffic/ names the orders without a source in words and says why (walkthrough A #18; the report: tests/reports/
test_report_source_unknown.py). By hand: a Tmall store, orders t1 and t2 without a source and t3 from 手淘搜索
(11-12..11-14) -> a "来源未知（订单未带来源）" row of 2 paying buyers, and the table note explains it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load


def _order(order_id: str, day: str, source: str | None) -> dict:
    d = dt.date.fromisoformat(day)
    at = dt.datetime(d.year, d.month, d.day, 4, tzinfo=dt.UTC)
    return {"store_id": "tmall", "order_id": order_id, "customer_id": f"b-{order_id}", "status": "paid",
            "created_at": at, "paid_at": at, "paid_date": d, "paid_amount": Decimal("50.00"), "traffic_source": source}


@pytest.mark.django_db
@pytest.mark.parametrize("language, label, note", [
    ("zh-hans", "来源未知（订单未带来源）", "平台的订单导出不带来源"),
    ("en", "Source unknown (orders without a source)", "order exports carry none"),
])
def test_traffic_page_names_orders_without_a_source(client, warehouse, language, label, note):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "tmall", "platform": "tmall", "name": "天猫旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    load(warehouse, "orders", pa.Table.from_pylist([
        _order("t1", "2025-11-12", None), _order("t2", "2025-11-13", None), _order("t3", "2025-11-14", "手淘搜索")]))
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    client.cookies["django_language"] = language
    html = client.get(reverse("web:traffic"), {"period": "custom", "start": "2025-11-10", "end": "2025-11-16"}
                      ).content.decode()
    assert note in html
    row = re.search(rf"<tr[^>]*>\s*<th[^>]*>\s*(?:<a[^>]*>)?\s*{re.escape(label)}.*?</tr>", html, re.S)
    assert row is not None and re.search(r'data-col="paying_buyers"[^>]*>\s*2\s*<', row.group(0))
