"""The scheduled reports on a store without orders in the period: a new install's first Monday made an all-zero
周报 ("支付金额 0.00", "没有显著变化") listed under the same title beside the real one the owner made later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.reports.jobs import report_monthly, report_weekly
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def test_no_report_of_a_period_without_orders_and_one_with_them(warehouse):
    monday = dt.datetime(2026, 12, 7, 8, tzinfo=SH)  # the weekly job's run for 2026-W49 (11-30 … 12-06)
    assert report_weekly(scheduled_for=monday) == "weekly 2026-W49: skipped — no paid orders in the period"
    assert report_monthly(scheduled_for=monday) == "monthly 2026-11: skipped — no paid orders in the period"
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "s", "platform": "tmall", "name": "店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    at = dt.datetime(2026, 12, 2, 10, tzinfo=SH)
    load(warehouse, "orders", pa.Table.from_pylist([
        {"store_id": "s", "order_id": "o1", "customer_id": "c1", "status": "paid", "created_at": at, "paid_at": at,
         "paid_date": at.date(), "paid_amount": Decimal("99.00")}]))
    assert report_weekly(scheduled_for=monday).startswith("weekly 2026-W49: ")
    assert "skipped" not in report_weekly(scheduled_for=monday)
    assert report_monthly(scheduled_for=monday).endswith("no paid orders in the period")  # November had none
