"""Today is not over: orders of today's first hours (an own site's collector, an export taken at 05:00) must
not make today the day the month so far, the morning insights and the 晨报 are about. A new owner's export
held one order paid at 00:03: the month run-rate divided by 8 days instead of 7, and `shopops insights run`
analysed the 5-hour-old day. Dates are relative to the real store date, as the pages' are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.core.periods import business_today
from shopops.metrics.cockpit import cockpit_build, data_day
from shopops.metrics.runners import last_complete_day, last_fact_date
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db
TODAY = business_today("Asia/Shanghai")
YESTERDAY = TODAY - dt.timedelta(days=1)


def _order(oid: str, day: dt.date, amount: str) -> dict:
    at = dt.datetime(day.year, day.month, day.day, 0, 3, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return {"store_id": "s", "order_id": oid, "customer_id": f"c{oid}", "status": "paid", "created_at": at,
            "paid_at": at, "paid_date": day, "paid_amount": Decimal(amount)}


@pytest.fixture
def shop(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "s", "platform": "tmall", "name": "店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    load(warehouse, "orders", pa.Table.from_pylist([
        _order("a", YESTERDAY - dt.timedelta(days=1), "100.00"), _order("b", YESTERDAY, "200.00"),
        _order("c", TODAY, "50.00")]))  # 00:03 today
    return warehouse


def test_the_last_complete_day_is_never_today(shop):
    assert last_fact_date(shop) == TODAY  # the data do reach today …
    assert last_complete_day(shop, today=TODAY) == YESTERDAY  # … but today is not a day yet
    assert data_day(shop) == YESTERDAY and data_day(shop, stores=("s",)) == YESTERDAY
    # a stale store (data end two days ago) keeps its own last day
    assert last_complete_day(shop, today=TODAY + dt.timedelta(days=3)) == TODAY


def test_the_cockpits_month_so_far_ends_yesterday(shop):
    from shopops.core.periods import Period

    cockpit = cockpit_build(period=Period(YESTERDAY, YESTERDAY), stores=("s",))
    assert cockpit.as_of == YESTERDAY


def test_the_morning_insights_are_about_yesterday(shop, capsys):
    import argparse

    from shopops.insights import commands

    assert commands.main(argparse.Namespace(action="brief", date=None, lang="zh-hans", send=False)) == 0
    assert capsys.readouterr().out.splitlines()[0] == str(YESTERDAY)
